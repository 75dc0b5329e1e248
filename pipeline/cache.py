"""A parse cache keyed by content: a file read once is not read again until its bytes, its place in the folder,
jiekun's code or the settings reading depends on change.

Entries live beside the output (output/.cache/), one file each, 0600 in a 0700 folder: "JKCACHE" and the format's
version, an HMAC-SHA256 of the rest under a key kept in the user's config folder (cache_key.py), then the data-only
body of cache_format.py. An entry is trusted only when its MAC, format and every key field check out; anything else
is a miss, deleted and read again. Entries hold what the files hold, personal data included, like the office workbook.
At the end of a run, entries no run of the last `runs_kept` used go, then the least recently used until under `max_mb`.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import stat
import time
from pathlib import Path

from . import __version__
from .cache_format import Unsupported, decode, encode, header_of
from .cache_key import key_folder, load_key
from .reader import FileRead

FORMAT = 1
MAGIC = b"JKCACHE" + bytes([FORMAT])
_MAC = hashlib.sha256().digest_size
_SUFFIX = ".jkc"
_ENTRY = re.compile(r"^[0-9a-f]{64}\.jkc$")
_TMP = re.compile(r"^\.[0-9a-f]{64}\.jkc\.\d+\.tmp$|^\.index\.json\.\d+\.tmp$")
# What the pickle cache of jiekun 0.2 wrote: output/.cache/ab/<sha256>.pickle, and its temporary files.
_OLD_DIR, _OLD_ENTRY = re.compile(r"^[0-9a-f]{2}$"), re.compile(r"^\.?[0-9a-f]{64}\.pickle(\.\d+\.tmp)?$")
INDEX = "index.json"
_TMP_AGE = 3600                 # a temporary file this old was left by a run that died
# Never follow a link planted in the folder, nor wait on a pipe planted there; regular files are checked after opening.
_OPEN = getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def source_digest(root: Path) -> str:
    """Hash every module under root, in the order of their relative paths: no list to keep up to date by hand."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        source = path.read_bytes()
        h.update(f"{path.relative_to(root).as_posix()}\0{len(source)}\0".encode())
        h.update(source)
    return h.hexdigest()


@functools.cache
def _package_digest() -> str:
    return source_digest(Path(__file__).resolve().parent)


def code_fingerprint() -> str:
    """Hash jiekun's version and the source of every module of the package."""
    return hashlib.sha256(f"{__version__}|{_package_digest()}".encode()).hexdigest()


class EntryStore:
    """Authenticated entries in one folder, 0600 in a 0700 folder, with the index and eviction every store shares.

    An entry is found by the hash of its key fields and trusted only when its MAC and every key field check out;
    what it holds is for the subclass to encode and decode. Nothing here counts hits or misses.
    """

    def __init__(self, folder: Path, *, runs_kept: int = 3, max_mb: int = 512, key: bytes | None = None,
                 config_home: Path | None = None):
        self.folder = Path(folder)
        self.code = code_fingerprint()
        self.runs_kept, self.max_bytes = runs_kept, max_mb << 20
        self.disabled_reason = ""        # why this run has no cache, in a sentence the command line may show
        self.key = key
        if key is None:
            try:
                self.key = load_key(config_home or key_folder())
            except (OSError, RuntimeError) as exc:      # RuntimeError: no home folder to be found
                self.disabled_reason = f"读取缓存未启用：无法建立或读取缓存密钥（{exc}）。"
        self.used, last = self._index()
        self.run = last + 1
        self._closed = False
        self.macs: dict[str, str] = {}  # the MAC of each entry this run loaded or stored: a hash of all it holds
        self.kept = 0                   # bytes of entries kept when the run ended

    @property
    def enabled(self) -> bool:
        return self.key is not None

    def entry_path(self, fields: dict) -> Path:
        """Return where the entry with these key fields lives."""
        name = hashlib.sha256(json.dumps([FORMAT, *(v for k, v in fields.items() if k != "format")]).encode())
        name = name.hexdigest()
        return self.folder / f"{name}{_SUFFIX}"

    def load_entry(self, path: Path, fields: dict, decode_entry):
        """Return decode_entry(header, blobs) of a trusted entry, or None on a miss; a bad entry is deleted."""
        if not self.enabled:
            return None
        try:
            head, blobs, mac = self._load(path, fields)
            found = decode_entry(head, blobs)
        except FileNotFoundError:
            return None
        except Exception:    # noqa: BLE001 - forged, damaged, foreign or stale: each just means "make it again"
            _unlink(path)
            return None
        self.used[path.name] = self.run
        self.macs[path.name] = mac.hex()
        return found

    def _load(self, path: Path, fields: dict) -> tuple[dict, memoryview, bytes]:
        """Read an entry, check its MAC before parsing a byte of it, then check its key fields."""
        fd = os.open(path, os.O_RDONLY | _OPEN)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > self.max_bytes:
                raise ValueError("not an entry")
            data = fh.read(self.max_bytes + 1)
        if len(data) < len(MAGIC) + _MAC or data[:len(MAGIC)] != MAGIC:
            raise ValueError("not an entry of this format")
        body = memoryview(data)[len(MAGIC) + _MAC:]
        mac = self._mac(body)
        if not hmac.compare_digest(data[len(MAGIC):len(MAGIC) + _MAC], mac):
            raise ValueError("the entry's MAC does not match")
        head, blobs = header_of(body)
        if head.get("key") != fields:
            raise ValueError("the entry is another file's, day's, code's or settings' read")
        return head, blobs, mac

    def _mac(self, body) -> bytes:
        h = hmac.new(self.key, MAGIC, hashlib.sha256)
        h.update(body)
        return h.digest()

    def store_entry(self, path: Path, body: bytes) -> bool:
        """Store an entry atomically, 0600; say whether it was stored (a cache that cannot be written is no error)."""
        if not self.enabled or len(MAGIC) + _MAC + len(body) > self.max_bytes:
            return False
        mac = self._mac(body)
        try:
            _write(path, (MAGIC, mac, body), self.folder)
        except OSError:
            return False
        self.used[path.name] = self.run
        self.macs[path.name] = mac.hex()
        return True

    def close(self, budget: int | None = None) -> None:
        """End the run: evict what recent runs did not use, then the least recently used until under the cap.

        `budget` lowers the cap (bytes) for this eviction; `kept` is then the bytes the store keeps.
        """
        if self._closed or not self.enabled:
            return
        self._closed = True
        try:
            self.kept = self.evict(budget)
        except OSError:
            pass

    def evict(self, budget: int | None = None) -> int:
        """Keep the entries used by the last `runs_kept` runs, within `max_mb`; drop the rest and old leftovers."""
        if not _own_folder(self.folder):
            return 0
        cap = self.max_bytes if budget is None else min(budget, self.max_bytes)
        now = time.time()
        entries: dict[str, tuple[int, float, int]] = {}
        for e in os.scandir(self.folder):
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue         # deleted meanwhile by a run beside this one
            if _ENTRY.match(e.name) and stat.S_ISREG(st.st_mode):
                # An entry missing from the index was written by a run that died or runs beside this one: keep it
                # as if this run had used it, so it ages out with the others.
                entries[e.name] = (self.used.get(e.name, self.run), st.st_mtime, st.st_size)
            elif _ENTRY.match(e.name) or (_TMP.match(e.name) and now - st.st_mtime > _TMP_AGE):
                _unlink(Path(e.path))
            elif _OLD_DIR.match(e.name) and stat.S_ISDIR(st.st_mode):
                _remove_pickles(Path(e.path))
        oldest = self.run - self.runs_kept
        kept = sorted((v[0], v[1], n) for n, v in entries.items() if v[0] > oldest)
        total = sum(entries[n][2] for *_, n in kept)
        while kept and total > cap:
            total -= entries[kept.pop(0)[2]][2]
        names = {n for *_, n in kept}
        for name in set(entries) - names:
            _unlink(self.folder / name)
        index = {"format": FORMAT, "run": self.run, "used": {n: entries[n][0] for n in sorted(names)}}
        _write(self.folder / INDEX, (json.dumps(index).encode(),), self.folder)
        return total

    def _index(self) -> tuple[dict[str, int], int]:
        """Return which run last used each entry and the last run's number; a bad index starts afresh."""
        try:
            fd = os.open(self.folder / INDEX, os.O_RDONLY | _OPEN)
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ValueError("not a file")
                index = json.loads(fh.read(_CHUNK * 16))
            used, run = index["used"], index["run"]
            if index["format"] == FORMAT and type(run) is int and all(
                    type(k) is str and type(v) is int for k, v in used.items()):
                return dict(used), run
        except Exception:    # noqa: BLE001 - a lost index only keeps the entries a few runs longer
            pass
        return {}, 0


class ParseCache(EntryStore):
    """Read and write authenticated FileReads under `folder`, keyed by content, name and the settings of the read."""

    def __init__(self, folder: Path, settings: str, **options):
        super().__init__(folder, **options)
        self.settings = hashlib.sha256(settings.encode()).hexdigest()
        self.hits = self.misses = 0

    def path(self, rel: str, sha256: str, day: str) -> Path:
        """Return where the entry of one file's read lives."""
        return self.entry_path(self._fields(rel, sha256, day))

    def content(self, rel: str, sha256: str, day: str) -> str | None:
        """Return the MAC of the entry this run took the file's read from or stored it in: a hash of the read itself
        (its rows, findings and every other field), or None when the read is not in the cache."""
        return self.macs.get(self.path(rel, sha256, day).name)

    def _fields(self, rel: str, sha256: str, day: str) -> dict:
        return {"format": FORMAT, "code": self.code, "settings": self.settings, "day": day, "file": rel,
                "sha256": sha256}

    def get(self, rel: str, sha256: str, day: str) -> FileRead | None:
        """Return the cached read, or None on a miss; an entry that fails any check is deleted."""
        if not self.enabled:
            return None
        fields = self._fields(rel, sha256, day)

        def read_of(head: dict, blobs: memoryview) -> FileRead:
            read = decode(head, blobs)
            if read.file != rel or read.sha256 != sha256:
                raise ValueError("the entry holds another file's read")
            return read

        found = self.load_entry(self.entry_path(fields), fields, read_of)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, read: FileRead, day: str) -> None:
        """Store a read atomically, 0600; a cache that cannot be written is no reason to stop the run."""
        if not self.enabled:
            return
        fields = self._fields(read.file, read.sha256, day)
        try:
            body = encode(read, fields)
        except Unsupported:
            return           # the read is right, only not storable; tests/test_cache.py fails on it loudly
        self.store_entry(self.entry_path(fields), body)


def _own_folder(folder: Path) -> bool:
    """Say whether the folder is a real folder: a link could send writes and deletions anywhere."""
    try:
        return stat.S_ISDIR(os.lstat(folder).st_mode)
    except OSError:
        return False


def _write(path: Path, parts, folder: Path) -> None:
    """Write a file 0600 through a fresh temporary file and an atomic rename, in a folder made 0700."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _own_folder(folder):
        raise OSError(f"{folder} is not a folder")
    if os.name != "nt" and stat.S_IMODE(os.lstat(folder).st_mode) != 0o700:
        os.chmod(folder, 0o700)          # a folder the pickle cache left world-readable
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _unlink(tmp)                          # O_EXCL below: never write through a file or link someone left there
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _remove_pickles(folder: Path) -> None:
    """Delete what the pickle cache of jiekun 0.2 left: executable entries holding full IDs."""
    for e in os.scandir(folder):
        if _OLD_ENTRY.match(e.name):
            _unlink(Path(e.path))
    try:
        os.rmdir(folder)
    except OSError:
        pass
