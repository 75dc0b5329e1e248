"""Read one input file into sheets of typed rows and findings. Pure per file: no shared state."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, finding
from .columns import Cells
from .files import Unreadable, discover, is_accepted, load_grids
from .grid import Grid
from .layout import HEAD_ROWS, find_layout, is_blank_row
from .progress import read_progress
from .roster import read_roster
from .schema import PROGRESS
from .sheet import ReadContext, SheetRead

__all__ = ["FileRead", "ReadContext", "SheetRead", "discover", "read_file", "read_grid"]


@dataclass(frozen=True)
class FileRead:
    """All that one input file yielded."""

    file: str
    sheets: tuple[SheetRead, ...] = ()
    findings: tuple[Finding, ...] = ()
    skipped: bool = False

    @property
    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for sheet in self.sheets:
            out.extend(sheet.findings)
        return out


def read_file(path: Path, ctx: ReadContext) -> FileRead:
    """Read every sheet of one file; a file that cannot be opened becomes one unreadable-file finding."""
    if not is_accepted(path):
        return FileRead(ctx.file, findings=(finding(
            "unreadable-file", f"文件类型“{path.suffix or '无扩展名'}”不是表格，未读取；请另存为 .xlsx 后重新报送。", file=ctx.file),))
    try:
        grids = load_grids(path)
    except Unreadable as exc:
        return FileRead(ctx.file, findings=(finding("unreadable-file", f"{exc.reason}，未读取。", file=ctx.file),))
    sheets = tuple(read_grid(grid, ctx) for grid in grids)
    if all(s.kind == "empty" for s in sheets):
        # A unit that sends its blank template believes it reported; say so, not just "missing".
        return FileRead(ctx.file, sheets, (finding("empty-file", "文件中所有工作表都是空的，未读取到任何内容。", file=ctx.file),))
    return FileRead(ctx.file, sheets)


def read_grid(grid: Grid, ctx: ReadContext) -> SheetRead:
    """Recognise a sheet by its header and read it as a progress report or a roster."""
    head = grid.head(HEAD_ROWS)
    if all(is_blank_row(row) for row in head) and not Cells(grid.cells, len(head)).first_filled()[0].any():
        return SheetRead(ctx.file, grid.name, "empty")
    layout = find_layout(head)
    if layout is None:
        return SheetRead(ctx.file, grid.name, "unknown", findings=(finding(
            "unknown-sheet", "该工作表既不是进展情况表也不是救助对象台账，未读取。", file=ctx.file, sheet=grid.name),))
    if layout.kind == PROGRESS:
        return read_progress(grid, layout, ctx)
    return read_roster(grid, layout, ctx)
