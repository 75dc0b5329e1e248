"""What lies around a sheet's table: records above the header or beside the table, and sheets whose header is gone.

A row a unit meant as a record but that sits where no header reaches is not read; it is named in a finding, so the
rows read still add up and the clerk learns where it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..cells import clean_text, parse_task
from ..findings import Finding, finding
from ..units import find_unit_in
from .columns import Cells
from .grid import Grid
from .layout import Layout, is_footer_text, metadata
from .lines import id_like, table_end
from .progress import match_unit
from .schema import PROGRESS, ROSTER
from .sheet import ReadContext
from .vocabulary import status_of

# A headerless sheet counts as a progress report when this many rows hold both a task number and a status word.
_PROGRESS_ROWS = 2
_NUMBERED = re.compile(r"^(\d{1,3})\.\s")


@dataclass(frozen=True)
class Block:
    """What is filled right of a table: 0-based first and last filled column, and the grid rows under the header."""

    first: int
    last: int
    rows: np.ndarray
    headed: bool          # it fills the header's row too: a second table set beside the first
    ids: bool             # it holds something shaped like an ID


def column_letters(c: int) -> str:
    """Return a 0-based column number as Excel names it: 0 → A, 26 → AA."""
    letters = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def span_of(rows: np.ndarray) -> str:
    """Name 0-based grid rows as Excel shows them: 第5行, 第5–9行, or 第5–9、12行."""
    from .sheet import runs
    parts = [f"{a + 1}" if a == b else f"{a + 1}–{b + 1}" for a, b in runs(rows)]
    shown = "、".join(parts[:6]) + ("等" if len(parts) > 6 else "")
    return f"第{shown}行"


def sheet_unit(grid: Grid, above: int, ctx: ReadContext) -> str | None:
    """Return the unit a sheet names in its 填报单位 line, its file name or its sheet name."""
    meta = metadata(grid.head(above), above)
    hit = match_unit(ctx.registry, meta["unit"][0]) if "unit" in meta else None
    hit = hit or find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
    return hit.name if hit else None


def records_above(grid: Grid, layout: Layout, status_words: dict[str, str]) -> np.ndarray:
    """Return the rows above the header that look like records: an ID, or a task number beside a status word."""
    out = []
    for r, row in enumerate(grid.head(layout.header_rows[0])):
        if any(id_like(v) for v in row) or (layout.kind == PROGRESS and _progress_row(row, status_words)):
            out.append(r)
    return np.array(out, dtype=np.int64)


def _progress_row(row: list[object], status_words: dict[str, str]) -> bool:
    texts = [clean_text(v) for v in row]
    return any(status_of(status_words, t) for t in texts if t) and any(_task(v) for v in row)


def _task(raw: object) -> bool:
    try:
        return parse_task(raw) is not None
    except ValueError:
        return False


def blocks_beside(grid: Grid, layout: Layout) -> list[Block]:
    """Return what is filled right of the table, from its header down, as one block (none when nothing is)."""
    top = layout.header_rows[0]
    cells = Cells(grid.cells, top)
    filled = {c: mask for c in range(table_end(layout), grid.cells.shape[1])
               if (mask := cells.column(c).filled()).any()}
    if not filled:
        return []
    any_filled = np.logical_or.reduce(list(filled.values()))
    rows = np.flatnonzero(any_filled) + top
    headed = bool(any_filled[:len(layout.header_rows)].any())
    ids = any(cells.column(c).map(id_like).any() for c in filled)
    return [Block(min(filled), max(filled), rows[rows >= layout.data_start], headed, ids)]


def is_note_block(grid: Grid, block: Block) -> bool:
    """Say whether every filled cell of a block beside the table is a note (备注：…, 填报人：…)."""
    cells = grid.cells[block.rows][:, block.first:block.last + 1].ravel() if len(block.rows) else []
    texts = [clean_text(v) for v in cells]
    return not block.ids and all(is_footer_text(t) for t in texts if t)


def beside_finding(block: Block, unit: str, where: dict) -> Finding:
    """Name the rows of a block beside the table, which are not read."""
    cols = column_letters(block.first) + ("" if block.first == block.last else f"–{column_letters(block.last)}")
    what = "另有一张表（有自己的表头）" if block.headed else "有内容，但上方没有本表的表头"
    ids = "，其中有身份证号码" if block.ids else ""
    return finding("outside-table", f"{span_of(block.rows)}的{cols}列在表格右侧，{what}{ids}，这些内容未读取；"
                   "如是救助对象或任务进展，请移到表格中（与左侧各列对齐）后重新报送。", unit=unit,
                   row=int(block.rows[0]) + 1, column=f"{cols}列", left_out=tuple(int(r) + 1 for r in block.rows),
                   **where)


def above_finding(rows: np.ndarray, layout: Layout, unit: str, where: dict) -> Finding:
    """Name the rows above the header that look like records, which are not read."""
    kind = "救助对象" if layout.kind == ROSTER else "任务进展"
    return finding("outside-table", f"{span_of(rows)}在表头上方，像是{kind}记录，未读取；请移到表头下方后重新报送。",
                   unit=unit, row=int(rows[0]) + 1, left_out=tuple(int(r) + 1 for r in rows), **where)


def looks_like(grid: Grid, status_words: dict[str, str]) -> tuple[str, int] | None:
    """Say whether a sheet without a header still holds a roster (an ID) or a progress report (tasks and statuses).

    Return the kind and the 0-based row of the first record, or None.
    """
    cells = Cells(grid.cells, 0)
    n = len(cells.block)
    ids = np.zeros(n, dtype=bool)
    tasks = np.zeros(n, dtype=bool)
    statuses = np.zeros(n, dtype=bool)
    for c in range(grid.cells.shape[1]):
        column = cells.column(c)
        ids |= column.map(id_like).astype(bool)
        values, failed = column.parse(parse_task)
        tasks |= ~failed & (values != None)
        statuses |= column.map(lambda text: status_of(status_words, text) is not None, clean=True).astype(bool)
    if ids.any():
        return ROSTER, int(np.flatnonzero(ids)[0])
    both = np.flatnonzero(tasks & statuses)
    return (PROGRESS, int(both[0])) if len(both) >= _PROGRESS_ROWS else None


def headerless_finding(grid: Grid, kind: str, records: np.ndarray, unit: str | None, file: str) -> Finding:
    """Say that a sheet holding records has no header the reader can find, naming its rows."""
    what = "救助对象台账（有身份证号码）" if kind == ROSTER else "进展情况表（有任务编号和完成状态）"
    return finding("missing-header", f"工作表“{grid.name}”像是{what}，但找不到表头，{span_of(records)}未读取；"
                   "请在数据上方加上标准表头（如 户编号、姓名、公民身份号码…… 或 任务编号、完成状态……）后重新报送。",
                   unit=unit or "", file=file, sheet=grid.name, row=int(records[0]) + 1,
                   left_out=tuple(int(r) + 1 for r in records))


def is_instructions(grid: Grid, mark: str) -> bool:
    """Say whether a sheet is exactly the 填表说明 sheet `jiekun forms` writes: its title, numbered lines in column A."""
    cells = grid.cells
    if not cells.size or (cells.shape[1] > 1 and Cells(cells[:, 1:], 0).filled_rows().any()):
        return False
    texts = [clean_text(v) for v in cells[:, 0]]
    filled = [t for t in texts if t]
    if not filled or filled[0] != clean_text(f"填表说明{mark}"):
        return False
    for i, text in enumerate(filled[1:], start=1):
        m = _NUMBERED.match(text)
        if not m or int(m.group(1)) != i or any(id_like(w) for w in text.split()):
            return False
    return True
