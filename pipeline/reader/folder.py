"""List every entry of a quarter folder: the files to read, what is skipped and why, and what is refused.

Nothing is opened here: the folder is walked with lstat only, so a named pipe or a device never blocks the run,
and a link is judged by where it resolves before anything follows it.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .files import ACCEPTED_SUFFIXES, SPREADSHEET_SUFFIXES
from .limits import OS_LITTER

# What an entry is. FILE is read; the others are skipped with a reason, and REFUSED_KINDS also get a finding.
FILE, HIDDEN, LOCK, SYSTEM, FOLDER, LINK, SPECIAL = "file", "hidden", "lock", "system", "folder", "link", "special"


def readable(name: str) -> str:
    """Return a file name as the clerk sees it, though its bytes are not UTF-8.

    Unpacked on Linux, a zip made on a Chinese Windows keeps its names in GBK; Python hands them over with the odd
    bytes as surrogates, which no report can write. They are decoded as GB 18030 (GBK's superset), else replaced.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


@dataclass(frozen=True)
class Entry:
    """One entry of a quarter folder, named by its path relative to the folder as the clerk sees it."""

    file: str              # relative path with "/" separators
    path: Path             # what to open: the entry itself, or the target of a link that stays inside the folder
    kind: str = FILE
    reason: str = ""       # plain Chinese: why the entry is not read; empty for a file to read
    refused: bool = False  # something a unit may have meant as a submission was not read: a finding, not just a line

    @property
    def to_read(self) -> bool:
        return self.kind == FILE


def list_entries(folder: Path) -> list[Entry]:
    """Return every entry of a quarter folder in a stable order; descend into ordinary sub-folders only."""
    root = Path(os.path.realpath(folder))
    found: list[Entry] = []
    pending = [(folder, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            children = list(os.scandir(directory))
        except OSError:
            found.append(Entry(prefix.rstrip("/") or ".", directory, FOLDER, "文件夹无法打开（没有读取权限或已被移走）", True))
            continue
        for child in children:
            entry = _entry(Path(child.path), prefix + readable(child.name), root)
            if entry is None:
                pending.append((Path(child.path), prefix + readable(child.name) + "/"))
            else:
                found.append(entry)
    return sorted(found, key=lambda e: e.file.split("/"))


def _entry(path: Path, rel: str, root: Path) -> Entry | None:
    """Classify one entry; None means an ordinary folder to walk into."""
    name = path.name
    try:
        info = os.lstat(path)
    except OSError:
        return Entry(rel, path, FILE)   # gone since the listing: reading it says so
    is_dir = stat.S_ISDIR(info.st_mode)
    what = "文件夹" if is_dir else "文件"
    if name.startswith("~$"):
        return Entry(rel, path, LOCK, f"Excel/WPS 打开表格时留下的锁定{what}，已跳过")
    if name.startswith(".~lock.") and name.endswith("#"):
        return Entry(rel, path, LOCK, f"LibreOffice/WPS 打开表格时留下的锁定{what}，已跳过")
    if name.lower() in OS_LITTER or name.startswith("._"):
        # ._name is the resource file a Mac writes beside each file it copies: never a table, whatever its name.
        return Entry(rel, path, SYSTEM, f"操作系统自动生成的{what}，已跳过")
    if name.startswith(".") and (is_dir or not name.lower().endswith(ACCEPTED_SUFFIXES)):
        # A table named with a leading dot (..x.csv) is hidden only to some systems; a unit meant it, so it is read.
        return Entry(rel, path, HIDDEN, f"隐藏{what}，已跳过")
    if stat.S_ISLNK(info.st_mode):
        return _link(path, rel, root)
    if is_dir:
        if name.lower().endswith(SPREADSHEET_SUFFIXES):
            return Entry(rel, path, FOLDER, "这是一个文件夹，不是表格文件（可能是解压后的表格），其中的内容未读取", True)
        return None
    if stat.S_ISREG(info.st_mode):
        if name.lower().endswith(".lnk"):
            # What a clerk on Windows drags in by mistake; it points elsewhere and is never followed.
            return Entry(rel, path, LINK, "这是 Windows 快捷方式，不是表格文件本身；请把文件本身复制进来", True)
        return Entry(rel, path, FILE)
    return Entry(rel, path, SPECIAL, f"这是{_special(info.st_mode)}，不是普通文件，未打开", True)


def _link(path: Path, rel: str, root: Path) -> Entry:
    """Follow a link only when it resolves to a file inside the quarter folder."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Entry(rel, path, LINK, "链接循环指向自身，无法打开", True)
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Entry(rel, path, LINK, "链接指向的文件不存在（可能已被移走或删除）", True)
        return Entry(rel, path, LINK, "链接指向的文件无法访问", True)
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(root):
        # A link out could read anything on the machine, even another district's roster or system files.
        return Entry(rel, path, LINK, "这是指向本季度文件夹以外的链接（快捷方式），出于安全不读取；请把文件本身复制进来", True)
    if stat.S_ISREG(info.st_mode):
        return Entry(rel, target, FILE)
    if stat.S_ISDIR(info.st_mode):
        return Entry(rel, path, LINK, "这是指向本季度文件夹内另一个文件夹的链接，其中的文件已按原位置读取")
    return Entry(rel, path, SPECIAL, f"链接指向{_special(info.st_mode)}，不是普通文件，未打开", True)


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"
