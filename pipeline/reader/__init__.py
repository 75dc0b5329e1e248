"""Read one input file into sheets of typed rows and findings. Pure per file: no shared state."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..findings import PER_FILE_AND_CODE, Finding, Flood, finding
from .columns import Cells
from .files import Unreadable, is_accepted, open_book
from .folder import FILE, Entry, list_entries
from .grid import Grid
from .layout import find_table
from .limits import LIMITS, Limits
from .margins import (
    above_finding,
    beside_finding,
    blocks_beside,
    headerless_finding,
    is_instructions,
    is_note_block,
    looks_like,
    records_above,
    sheet_unit,
)
from .own_outputs import OUTPUT, own_output
from .progress import read_progress
from .roster import read_roster
from .schema import PROGRESS
from .sheet import ReadContext, SheetRead, runs

__all__ = ["REFERENCE_MARK", "Entry", "FileRead", "Limits", "ReadContext", "SheetRead", "list_entries", "not_read",
           "read_file", "read_grid"]

# `jiekun forms` ends the title of its 填表说明 sheet with this. The sheet is recognised by its whole content, never by
# this mark alone: a title a unit copies onto a roster does not stop the roster being read.
REFERENCE_MARK = "（仅供阅读，不计入汇总）"


@dataclass(frozen=True)
class FileRead:
    """All that one entry of a quarter folder yielded."""

    file: str
    sheets: tuple[SheetRead, ...] = ()
    findings: tuple[Finding, ...] = ()
    # file, or what the entry is instead: hidden, lock, system, folder, link, special, output
    kind: str = FILE
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
    return capped(FileRead(ctx.file, sheets, tuple(found)))


def capped(read: FileRead) -> FileRead:
    """Fold the file's findings of any one code past the cap into one summary, in the sheet where the first stood."""
    if len(read.findings) + sum(len(s.findings) for s in read.sheets) <= PER_FILE_AND_CODE:
        return read
    flood = Flood()
    for item in read.findings:
        flood.add(item, -1)
    for i, sheet in enumerate(read.sheets):
        for item in sheet.findings:
            flood.add(item, i)
    kept = flood.slotted()
    return replace(read, findings=tuple(f for slot, f in kept if slot == -1),
                   sheets=tuple(replace(s, findings=tuple(f for slot, f in kept if slot == i))
                                for i, s in enumerate(read.sheets)))


def read_grid(grid: Grid, ctx: ReadContext) -> SheetRead:
    """Recognise a sheet by its header and read it; account for every non-empty row, in the table or not."""
    filled = np.flatnonzero(Cells(grid.cells, 0).filled_rows())
    if not len(filled):
        return SheetRead(ctx.file, grid.name, "empty")
    everything = runs(filled + 1)
    if is_instructions(grid, REFERENCE_MARK):
        return SheetRead(ctx.file, grid.name, "reference", lines=everything, notes=tuple(int(r) + 1 for r in filled))
    layout = find_table(grid)
    if layout is None:
        return _without_header(grid, ctx, filled)
    sheet = read_progress(grid, layout, ctx) if layout.kind == PROGRESS else read_roster(grid, layout, ctx)
    where = {"file": ctx.file, "sheet": grid.name}
    unit = sheet.unit or ""
    below = filled[filled >= layout.data_start]
    found: list[Finding] = []
    above = records_above(grid, layout, ctx.status_words)
    if len(above):
        found.append(above_finding(above, layout, unit, where))
    notes = set(sheet.notes)
    for block in blocks_beside(grid, layout):
        if not len(block.rows):
            continue
        if is_note_block(grid, block):
            notes.update(int(r) + 1 for r in block.rows)
        else:
            found.append(beside_finding(block, unit, where))
    return replace(sheet, findings=sheet.findings + tuple(found), lines=runs(np.concatenate([above, below]) + 1),
                   notes=tuple(sorted(notes)))


def _without_header(grid: Grid, ctx: ReadContext, filled: np.ndarray) -> SheetRead:
    """Read a sheet with no header found: an error naming its rows when it holds records, else a note it is unknown."""
    everything = runs(filled + 1)
    seen = looks_like(grid, ctx.status_words)
    if seen is None:
        return SheetRead(ctx.file, grid.name, "unknown", lines=everything, findings=(finding(
            "unknown-sheet", "该工作表既不是进展情况表也不是救助对象台账，未读取。", file=ctx.file, sheet=grid.name,
            left_out=tuple(int(r) + 1 for r in filled)),))
    kind, first = seen
    records = filled[filled >= first]
    unit = sheet_unit(grid, first, ctx)
    return SheetRead(ctx.file, grid.name, "headerless", unit, lines=everything,
                     findings=(headerless_finding(grid, kind, records, unit, ctx.file),),
                     notes=tuple(int(r) + 1 for r in filled[filled < first]))
