"""Write a run's artefacts atomically: all files appear together, or the previous output stays intact."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .errors import StopRun


class Staging:
    """A scratch folder beside the target; `commit` swaps it in with renames on the same file system."""

    def __init__(self, target: Path):
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
            # mkdtemp makes the folder private; the reports are for the office to open and share.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.dir, 0o777 & ~umask)
        except OSError as exc:
            raise StopRun(f"无法在 {target.parent} 中写入报告（{exc.strerror}），请检查输出目录的权限或磁盘空间。") from exc
        self.written: list[str] = []

    def path(self, name: str) -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(name)
        return p

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_with(self, name: str, writer: Callable[[Path], None]) -> None:
        writer(self.path(name))

    def commit(self) -> Path:
        """Replace the target folder with the staged one; the old folder is removed only after the swap."""
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.target, old)
        os.replace(self.dir, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
