"""Read one input file into sheets of typed rows and findings. Pure per file: no shared state."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cells import clean_text
from ..findings import Finding, finding
from .columns import Cells
from .files import Unreadable, is_accepted, open_book
from .folder import FILE, Entry, list_entries
from .grid import Grid
from .layout import HEAD_ROWS, find_layout, is_blank_row
from .limits import LIMITS, Limits
from .own_outputs import OUTPUT, own_output
from .progress import read_progress
from .roster import read_roster
from .schema import PROGRESS
from .sheet import ReadContext, SheetRead

__all__ = ["REFERENCE_MARK", "Entry", "FileRead", "Limits", "ReadContext", "SheetRead", "list_entries", "not_read",
           "read_file", "read_grid"]

# `jiekun forms` ends the title of its instructions and reference sheets with this; such a sheet is listed, never read.
REFERENCE_MARK = "（仅供阅读，不计入汇总）"


@dataclass(frozen=True)
class FileRead:
    """All that one entry of a quarter folder yielded."""

    file: str
    sheets: tuple[SheetRead, ...] = ()
    findings: tuple[Finding, ...] = ()
    kind: str = FILE              # file, or what the entry is instead: hidden, lock, system, folder, link, special, output
    skipped_reason: str = ""      # why an entry that is not a file to read was left alone; empty for a file
    sha256: str = ""              # the bytes read, for the manifest and the parse cache
    size: int = 0

    @property
    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for sheet in self.sheets:
            out.extend(sheet.findings)
        return out


def not_read(entry: Entry) -> FileRead:
    """Account for an entry that is not read: a line with its reason, and a finding when a unit may have meant it."""
    found = (finding("not-a-file", f"{entry.reason}。", file=entry.file),) if entry.refused else ()
    return FileRead(entry.file, findings=found, kind=entry.kind, skipped_reason=entry.reason)


def read_file(path: Path, ctx: ReadContext, limits: Limits = LIMITS) -> FileRead:
    """Read every sheet of one file; a file that cannot be opened becomes one unreadable-file finding."""
    own = own_output(path)     # jiekun's own reports dropped back in: one line saying so, not a flood of findings
    if own:
        return FileRead(ctx.file, kind=OUTPUT, skipped_reason=own)
    if not is_accepted(path):
        return FileRead(ctx.file, findings=(finding(
            "unreadable-file", f"文件类型“{path.suffix or '无扩展名'}”不是表格，未读取；请另存为 .xlsx 后重新报送。", file=ctx.file),))
    try:
        book = open_book(path, limits)
    except Unreadable as exc:
        return FileRead(ctx.file, findings=(finding("unreadable-file", f"{exc.reason}，未读取。", file=ctx.file),))
    sheets = tuple(read_grid(grid, ctx) for grid in book.grids)
    found = []
    if book.unread:
        found.append(finding("too-many-sheets", f"文件有 {len(book.grids) + book.unread} 个工作表（或网页表格），超出每个文件"
                             f" {limits.sheets} 个的上限，只读取了前 {len(book.grids)} 个，其余 {book.unread} 个未读取。",
                             file=ctx.file))
    elif all(s.kind == "empty" for s in sheets):
        # A unit that sends its blank template believes it reported; say so, not just "missing".
        found.append(finding("empty-file", "文件中所有工作表都是空的，未读取到任何内容。", file=ctx.file))
    return FileRead(ctx.file, sheets, tuple(found))


def read_grid(grid: Grid, ctx: ReadContext) -> SheetRead:
    """Recognise a sheet by its header and read it as a progress report or a roster."""
    head = grid.head(HEAD_ROWS)
    if all(is_blank_row(row) for row in head) and not Cells(grid.cells, len(head)).first_filled()[0].any():
        return SheetRead(ctx.file, grid.name, "empty")
    if is_reference(head):
        return SheetRead(ctx.file, grid.name, "reference")
    layout = find_layout(head)
    if layout is None:
        return SheetRead(ctx.file, grid.name, "unknown", findings=(finding(
            "unknown-sheet", "该工作表既不是进展情况表也不是救助对象台账，未读取。", file=ctx.file, sheet=grid.name),))
    if layout.kind == PROGRESS:
        return read_progress(grid, layout, ctx)
    return read_roster(grid, layout, ctx)


def is_reference(rows: list[list[object]]) -> bool:
    """Say whether a sheet's first filled cell is a title ending with REFERENCE_MARK."""
    first = next((v for row in rows for v in row if clean_text(v)), "")
    return clean_text(first).endswith(clean_text(REFERENCE_MARK))
