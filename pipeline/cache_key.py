"""The parse cache's key: 32 random bytes kept in the user's config folder, never beside the output it protects."""
from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

KEY_BYTES = 32
KEY_NAME = "cache.key"
ENV = "JIEKUN_CONFIG_HOME"          # the folder that holds cache.key; tests point it at a scratch folder
_OPEN = getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)           # a pipe in the key's place is refused, not waited on
_TRIES = 40                          # a run racing us to create the key gets this many short waits to finish writing


def key_folder(environ: dict | None = None, windows: bool | None = None) -> Path:
    """Return jiekun's config folder: $JIEKUN_CONFIG_HOME, else %APPDATA%\\jiekun on Windows, else XDG's."""
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return Path(env[ENV])
    if (os.name == "nt" if windows is None else windows) and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "jiekun"
    xdg = env.get("XDG_CONFIG_HOME", "")
    # XDG says a relative XDG_CONFIG_HOME is to be ignored.
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".config") / "jiekun"


def load_key(folder: Path) -> bytes:
    """Return the key in folder/cache.key, creating it 0600 on first use; raise OSError when it cannot be had."""
    path = folder / KEY_NAME
    for _ in range(_TRIES):
        try:
            return _read(path)
        except FileNotFoundError:
            pass
        except _Incomplete:
            time.sleep(0.05)         # another run created it a moment ago and is still writing it
            continue
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN, 0o600)
        except FileExistsError:
            continue                 # lost the race: read the winner's key
        try:
            data = memoryview(secrets.token_bytes(KEY_BYTES))
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
    raise PermissionError(f"{path} 不完整")


class _Incomplete(OSError):
    """A key file shorter than a key: being written, or damaged."""


def _read(path: Path) -> bytes:
    """Read the key, refusing a file that is not a regular file of ours that no one else may read or write."""
    fd = os.open(path, os.O_RDONLY | _OPEN | _NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise PermissionError(f"{path} 不是普通文件")
        if os.name != "nt" and (st.st_uid != os.geteuid() or st.st_mode & 0o077):
            raise PermissionError(f"{path} 的权限不是只有本人可读写（0600）")
        data = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) != KEY_BYTES:
        raise _Incomplete(f"{path} 长度不对")
    return data
