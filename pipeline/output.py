"""Write a run's artefacts atomically: all files appear together, or the previous output stays intact.

Every text that leaves through `Staging` is masked (IDs and listed names) unless the caller writes the office
workbook's person detail, the one place contracts.md allows them in full.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Callable

from .errors import StopRun
from .privacy import Masker

# A folder the office keeps inside a period's output across runs (the forms sent out for that quarter).
KEPT = ("表格",)
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?:tmp|old)$")


def guard(input_dir: Path, output_dir: Path) -> None:
    """Refuse an output folder that is, lies inside, or contains the input folder, before anything is read."""
    inp, out = input_dir.resolve(), output_dir.resolve()
    if out == inp:
        raise StopRun(f"输出目录 {output_dir} 就是输入目录，生成报告会覆盖各单位报来的文件，已停止；请用 --output 指定另一个目录。")
    if inp in out.parents:
        raise StopRun(f"输出目录 {output_dir} 在输入目录 {input_dir} 里面，报告会在下次运行时被当成报表读入，已停止；"
                      "请把输出目录放在输入目录之外。")
    if out in inp.parents:
        raise StopRun(f"输入目录 {input_dir} 在输出目录 {output_dir} 里面，生成报告时可能覆盖报表，已停止；"
                      "请把输入目录和输出目录分开存放。")


_FULL = (errno.ENOSPC, errno.EDQUOT)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def os_error_of(exc: BaseException) -> OSError | None:
    """Find the OSError behind an exception: writers wrap it (xlsxwriter's FileCreateError holds it as its argument)."""
    seen = set()
    while exc is not None and id(exc) not in seen and not isinstance(exc, StopRun):
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        exc = inner or exc.__cause__
    return None


def write_failure(exc: BaseException, folder: Path) -> StopRun | None:
    """Word a full disk or an unwritable output as the one sentence that says what to do; None for anything else."""
    error = os_error_of(exc)
    if error is None:
        return None
    kept = "上一次的输出保持不变"
    if error.errno in _FULL:
        return StopRun(f"磁盘已满，报告未能写入 {folder}，{kept}；请清理磁盘空间或用 --output 换一个有空间的磁盘后重新运行。")
    # A template or the config that cannot be read is not the output's fault: only a path under the output counts.
    inside = error.filename is None or Path(os.fsdecode(error.filename)).resolve().is_relative_to(folder.resolve())
    if error.errno in _READ_ONLY and inside:
        return StopRun(f"输出目录 {folder} 无法写入（只读或没有写入权限），未生成报告，{kept}；请用 --output 换一个可以写入的目录，"
                       "或请管理员开放写入权限后重新运行。")
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(parent: Path, name: str) -> list[Path]:
    """Remove staging folders of `name` left by killed runs; restore an output a killed commit left aside."""
    removed = []
    if not parent.is_dir():
        return removed
    target = parent / name
    for entry in sorted(parent.iterdir()):
        m = _STAGING.match(entry.name)
        if not m or m["name"] != name or _alive(int(m["pid"])):
            continue
        if entry.name.endswith(".old") and not target.exists():
            os.replace(entry, target)      # killed between the two renames: the old output is the output
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _exchange() -> Callable[[Path, Path], bool] | None:
    """Return an atomic swap of two paths (Linux renameat2 RENAME_EXCHANGE), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return None
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2

    def swap(a: Path, b: Path) -> bool:
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return True
        if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
            return False       # the file system cannot exchange: fall back to two renames
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))
    return swap


class Staging:
    """A scratch folder beside the target; `commit` swaps it in atomically where the system allows."""

    def __init__(self, target: Path, mask: Masker):
        self.target = target
        self.mask = mask
        self.dir = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            clean_stale(target.parent, target.name)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir()
        except OSError as exc:
            raise (write_failure(exc, target.parent) or StopRun(
                f"无法在 {target.parent} 中写入报告（{exc.strerror}），请检查输出目录的权限或磁盘空间。")) from exc
        self.written: list[str] = []

    def path(self, name: str) -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(name)
        return p

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)

    def write_text(self, name: str, text: str, *, bom: bool = False) -> None:
        """Write masked UTF-8 text (with a BOM when Excel is to open it)."""
        self.write_bytes(name, (("\ufeff" if bom else "") + self.mask(text)).encode("utf-8"))

    def write_with(self, name: str, writer: Callable[[Path], None]) -> None:
        writer(self.path(name))

    def commit(self) -> Path:
        """Put the staged folder in the target's place, keeping the folders the office keeps there (表格/)."""
        for kept in KEPT:
            if (self.target / kept).is_dir() and not (self.dir / kept).exists():
                shutil.copytree(self.target / kept, self.dir / kept)
        if not self.target.exists():
            os.replace(self.dir, self.target)
            return self.target
        swap = _exchange()
        if swap is not None and swap(self.dir, self.target):
            shutil.rmtree(self.dir, ignore_errors=True)       # the old output, now at the staging name
            return self.target
        old = self.target.with_name(f".{self.target.name}.{os.getpid()}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(self.target, old)
        os.replace(self.dir, self.target)
        shutil.rmtree(old, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
            stop = write_failure(exc, self.target.parent) if isinstance(exc, Exception) else None
            if stop is not None:
                raise stop from exc
