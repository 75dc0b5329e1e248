"""A parse cache keyed by content: a file read once is not read again until its bytes, its place in the folder,
jiekun's reading code or the settings reading depends on change.

Entries live beside the output (output/.cache/). A Q2 or Q4 run reuses the quarters read before; a rerun after one
unit resubmits reads only that file. An entry that cannot be loaded, for whatever reason, is a miss: the file is read
again and the entry rewritten. Entries hold what the files hold, personal data included, like the office workbook.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import __version__
from .reader import FileRead

# The modules whose code decides what a file reads as: a change to any of them makes every entry a miss.
_READING_CODE = ("reader", "cells.py", "ids.py", "findings.py", "units.py", "privacy.py", "vocab.py", "period.py")
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def code_fingerprint() -> str:
    """Hash jiekun's version and the source of every module that reading goes through."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for name in _READING_CODE:
        target = root / name
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class ParseCache:
    """Read and write cached FileReads under `folder`, keyed by content, name and the settings of the read."""

    def __init__(self, folder: Path, settings: str):
        self.folder = folder
        self.salt = hashlib.sha256(f"{code_fingerprint()}|{settings}".encode()).hexdigest()
        self.hits = self.misses = 0

    def _path(self, rel: str, sha256: str, day: str) -> Path:
        key = hashlib.sha256(f"{self.salt}|{day}|{rel}|{sha256}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, rel: str, sha256: str, day: str) -> FileRead | None:
        """Return the cached read, or None on a miss or an entry that cannot be used."""
        path = self._path(rel, sha256, day)
        try:
            with open(path, "rb") as fh:
                found = pickle.load(fh)
            if not isinstance(found, FileRead) or found.file != rel or found.sha256 != sha256:
                raise ValueError("not this file's entry")
        except Exception:    # noqa: BLE001 - missing, truncated, from another version: each just means "read it"
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, read: FileRead, day: str) -> None:
        """Store a read atomically; a cache that cannot be written is no reason to stop the run."""
        path = self._path(read.file, read.sha256, day)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(read, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
