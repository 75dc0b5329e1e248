"""Limits that bound the time and memory spent on one file, and the error that refuses a file."""
from __future__ import annotations

# A unit's real file is a few MB and well under 100k rows; these limits are far above that and far below harm.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000           # a sheet's rectangle from A1 to its last cell, which is what gets allocated
# Folders and files an operating system leaves behind; they are hidden on the clerk's own machine.
OS_LITTER = frozenset({"thumbs.db", "desktop.ini", "__macosx", "$recycle.bin", "system volume information"})

CORRUPT = "文件已损坏，无法打开"
TRUNCATED = "文件不完整或已损坏（可能没有传完或拷贝中断）"
ENCRYPTED = "文件设置了打开密码（已加密）"
_MB = 1024 * 1024


class Unreadable(Exception):
    """The file cannot be opened as a spreadsheet; `reason` is a plain Chinese phrase."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_extent(sheet: str, rows: int, cols: int) -> None:
    """Refuse a sheet whose rectangle from A1 is beyond any report, naming it so the clerk can find it."""
    label = f"工作表“{sheet}”" if sheet else "有一个工作表"
    if rows > MAX_ROWS:
        raise Unreadable(f"{label}有 {rows} 行，超出 {MAX_ROWS} 行的上限（可能在很远的行误填了内容）")
    if rows * cols > MAX_CELLS:
        raise Unreadable(f"{label}的数据范围达 {rows} 行 × {cols} 列，超出上限（可能在很远的单元格误填了内容）")
