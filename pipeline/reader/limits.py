"""Limits that bound the time and memory spent on one file, and the error that refuses a file."""
from __future__ import annotations

from dataclasses import dataclass

_MB = 1024 * 1024
_GB = 1024 * _MB


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost; each field can be set in config.toml's [limits].

    The pre-scan caps refuse a file cheaply before its cells are parsed; the worker's memory and time limits
    catch whatever a pre-scan cannot foresee. Both leave room for a city's whole roster in one sheet: Excel's
    1,048,576 rows of about 17 columns read in about 2.5 GB and a minute on a 2019 office PC.
    """

    # Address space a worker may add to its own start-up size; 0 follows the machine (sandbox.pool_size): all the
    # workers together take at most half its memory.
    memory_bytes: int = 0
    seconds: float = 120                   # wall time per file, plus seconds_per_mb for each MB of the file
    seconds_per_mb: float = 2
    file_bytes: int = 512 * _MB
    unzipped_bytes: int = 2 * _GB
    zip_entries: int = 10_000
    sheet_rows: int = 1_048_576            # Excel's own limits
    sheet_cols: int = 16_384
    sheet_cells: int = 1 << 25             # a sheet's rectangle from A1 to its last cell: 1,048,576 rows x 32 columns
    book_cells: int = 1 << 26              # the rectangles of all sheets of one file together
    sheets: int = 256                      # sheets or tables read from one file; the rest are reported, not read

    def seconds_for(self, size: int) -> float:
        """Return the wall time allowed for a file of `size` bytes."""
        return self.seconds + self.seconds_per_mb * size / _MB


LIMITS = Limits()


@dataclass(frozen=True)
class Setting:
    """One key of config.toml's [limits]: the Limits field it sets, its scale, its unit and its sane range."""

    field: str
    scale: int          # bytes or seconds per unit the clerk writes
    unit: str
    low: int
    high: int


# Every [limits] key takes a whole number within its range. A floor below which the shipped input no longer reads
# makes every file unreadable and the quarter pays 0.00 元 without a stop; a ceiling keeps one file from taking the
# machine. Floors and ceilings, and why:
SETTINGS = {
    # Measured on the shipped input: a worker grows by about 30 MB resident while reading its largest roster, but
    # pyarrow's mimalloc reserves 1 GiB of address space at its first allocation; with a cap of exactly 1 GB that
    # reservation fits and leaves no room (one roster in three runs was refused), so 2 GB is the least that reads
    # reliably. 64 GB is more than an office PC has; sandbox.pool_size runs fewer workers when memory is short.
    "memory_gb": Setting("memory_bytes", _GB, "GB", 2, 64),
    # A worker spawned on Windows imports pandas before its first file (1.3 s here, several on an old office PC),
    # and that start-up counts against the first file's time; an hour per file is a run nobody waits for.
    "seconds": Setting("seconds", 1, "秒", 10, 3600),
    "seconds_per_mb": Setting("seconds_per_mb", 1, "秒", 0, 60),
    "file_mb": Setting("file_bytes", _MB, "MB", 1, 4096),
    "unzipped_mb": Setting("unzipped_bytes", _MB, "MB", 1, 16384),
    "zip_entries": Setting("zip_entries", 1, "个", 100, 1_000_000),       # a one-sheet xlsx has 10–15 entries
    # The 59-task progress form is about 64 rows and the roster form 17 columns; 16,777,216 rows is 16 × Excel's.
    "sheet_rows": Setting("sheet_rows", 1, "行", 100, 1 << 24),
    "sheet_cols": Setting("sheet_cols", 1, "列", 20, 16_384),
    # About 64 GB's worth at the ~140 bytes a cell costs when read (see Limits).
    "sheet_cells": Setting("sheet_cells", 1, "个单元格", 2_000, 1 << 28),
    "book_cells": Setting("book_cells", 1, "个单元格", 2_000, 1 << 28),
    "sheets": Setting("sheets", 1, "个", 1, 4096),
}
# Folders and files an operating system leaves behind; they are hidden on the clerk's own machine.
OS_LITTER = frozenset({"thumbs.db", "desktop.ini", "__macosx", "$recycle.bin", "system volume information"})

CORRUPT = "文件已损坏，无法打开"
TRUNCATED = "文件不完整或已损坏（可能没有传完或拷贝中断）"
ENCRYPTED = "文件设置了打开密码（已加密）"


class Unreadable(Exception):
    """The file cannot be opened as a spreadsheet; `reason` is a plain Chinese phrase."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Tally:
    """Hold one file's sheets to the limits as they are scanned, naming the sheet so the clerk can find it."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells = 0         # cells of the sheets already added

    def check(self, sheet: str, rows: int, cols: int) -> None:
        """Refuse a sheet whose rectangle from A1 is beyond any report, alone or with the sheets before it."""
        lim = self.limits
        label = f"工作表“{sheet}”" if sheet else "有一个工作表"
        if rows > lim.sheet_rows:
            raise Unreadable(f"{label}有 {rows} 行，超出 {lim.sheet_rows} 行的上限（可能在很远的行误填了内容）")
        if cols > lim.sheet_cols:
            raise Unreadable(f"{label}有 {cols} 列，超出 {lim.sheet_cols} 列的上限（可能在很远的列误填了内容）")
        if rows * cols > lim.sheet_cells:
            raise Unreadable(f"{label}的数据范围达 {rows} 行 × {cols} 列，超出每个工作表 {lim.sheet_cells} 个单元格的上限"
                             "（可能在很远的单元格误填了内容）")
        if self.cells + rows * cols > lim.book_cells:
            raise Unreadable(f"文件各工作表的数据范围合计超出每个文件 {lim.book_cells} 个单元格的上限"
                             "（工作表过多或过大，可能已损坏或是恶意文件）")

    def add(self, sheet: str, rows: int, cols: int) -> None:
        """Check a sheet whose extent is final and count it towards the file's total."""
        self.check(sheet, rows, cols)
        self.cells += rows * cols
