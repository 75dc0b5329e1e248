"""Find where a sheet's table is: its kind, header rows, columns, metadata lines above and footer below."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cells import clean_text, is_blank
from . import schema
from .grid import cell_at

# Header rows are looked for this deep first; title blocks in the wild are up to ~10 rows.
HEADER_SEARCH_ROWS = 15
# The rows find_layout reads: a two-row header may start on the last row searched.
HEAD_ROWS = HEADER_SEARCH_ROWS + 1
# Then this deep, for a header under a long preamble; the rows above it are checked for records.
DEEP_SEARCH_ROWS = 200
_SEAL = r"(?:\s*[（(]\s*(?:盖章|公章|签章)\s*[)）])?"
_NEXT_LABEL = r"(?:填报单位|填报日期|填报时间|报送日期|报送时间|填表日期|日期|填报人|填表人|联系人|联系电话|审核人|负责人)"
_META = {
    "unit": re.compile(rf"(?:填报单位|报送单位|填表单位){_SEAL}\s*[:：]?\s*(.*?)\s*(?={_NEXT_LABEL}\s*[:：]|$)"),
    "date": re.compile(rf"(?:填报日期|填报时间|报送日期|报送时间|填表日期){_SEAL}\s*[:：]?\s*(.*?)\s*(?={_NEXT_LABEL}\s*[:：]|$)"),
}
# Sign-off lines under the table. Short words such as 注 count only with a colon, so a data cell is not taken for one.
_SIGN_OFF = ("填报人", "填表人", "联系人", "联系电话", "审核人", "负责人", "单位负责人", "分管领导", "制表人", "备注", "填报单位",
             "填报日期", "填表日期")
_NOTES = ("注", "说明", "填表说明", "填报说明")
_FOOTER = re.compile(rf"^(?:(?:{'|'.join(_SIGN_OFF)})|(?:{'|'.join(_NOTES)})\s*\d?\s*[:：])")
# A sign-off line starts with one of these characters: most rows are told apart without the pattern.
FOOTER_STARTS = tuple(sorted({word[0] for word in _SIGN_OFF + _NOTES}))


@dataclass(frozen=True)
class Layout:
    kind: str
    header_rows: tuple[int, ...]          # 0-based grid rows forming the header
    columns: dict[str, int]               # field name -> 0-based column index
    headers: dict[str, str] = field(default_factory=dict)  # field name -> header text as written
    missing: tuple[str, ...] = ()         # required fields not found
    labels: tuple[str, ...] = ()          # header text of every column, known or not

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1

    def label(self, c: int) -> str:
        """Return the header text over column c, or its spreadsheet letter when the header is blank there."""
        if c < len(self.labels) and self.labels[c]:
            return self.labels[c]
        return f"第{c + 1}列"


def _cell(rows: list[list[object]], r: int, c: int) -> object:
    return cell_at(rows[r] if r < len(rows) else [], c)


def _as_written(value: object) -> str:
    """Return header text as the clerk typed it (full-width brackets kept), on one line."""
    if not clean_text(value):
        return ""
    return re.sub(r"\s*\n\s*", "", str(value)).strip()


def _header_cells(written: list[list[str]], top: int, depth: int) -> list[str]:
    """Combine `depth` header rows (as written) into one label per column, filling merged cells across."""
    width = max((len(written[r]) for r in range(top, min(top + depth, len(written)))), default=0)
    combined = []
    for c in range(width):
        upper = _cell(written, top, c)
        if depth == 1:
            combined.append(upper)
            continue
        lower = _cell(written, top + 1, c)
        # A merged upper cell spans its lower cells: the lower label names the column.
        combined.append(lower or upper or "")
    return combined


def _match(kind: str, labels: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Map fields to columns; the standard label beats an alias (序号 beside 任务编号), then the leftmost wins."""
    best: dict[str, tuple[int, int]] = {}
    for c, label in enumerate(labels):
        hit = schema.match_header(kind, label)
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], c)
    columns = {name: c for name, (_, c) in best.items()}
    return columns, {name: labels[c] for name, c in columns.items()}


def find_table(grid) -> Layout | None:
    """Return the header reading of a grid's table, looking past the usual depth only when it is not found there."""
    return find_layout(grid.head(HEAD_ROWS)) or (find_layout(grid.head(DEEP_SEARCH_ROWS + 1), DEEP_SEARCH_ROWS)
                                                 if len(grid.cells) > HEAD_ROWS else None)


def find_layout(rows: list[list[object]], search: int = HEADER_SEARCH_ROWS) -> Layout | None:
    """Return the best header reading among the first `search` rows, or None when no known table is there."""
    best: tuple[tuple, Layout] | None = None
    written = [[_as_written(v) for v in row] for row in rows[:search + 1]]
    for top in range(min(search, len(rows))):
        for depth in (1, 2):
            if top + depth > len(rows):
                continue
            labels = _header_cells(written, top, depth)
            for kind in (schema.PROGRESS, schema.ROSTER):
                columns, headers = _match(kind, labels)
                if len(columns) < 2:
                    continue
                missing = tuple(f.name for f in schema.required(kind) if f.name not in columns)
                # Prefer complete headers, then more columns, then the shallower, higher reading.
                score = (len(missing) == 0, len(columns), -depth, -top)
                layout = Layout(kind, tuple(range(top, top + depth)), columns, headers, missing, tuple(labels))
                if best is None or score > best[0]:
                    best = (score, layout)
    if best is None:
        return None
    layout = best[1]
    # A table must name at least one required column of its kind, or it is someone else's table.
    if len(layout.missing) == len(schema.required(layout.kind)):
        return None
    if len(layout.header_rows) == 1 and _is_sub_header(rows, layout):
        top = layout.header_rows[0]
        labels = _header_cells(written, top, 2)
        columns, headers = _match(layout.kind, labels)
        missing = tuple(f.name for f in schema.required(layout.kind) if f.name not in columns)
        return Layout(layout.kind, (top, top + 1), columns, headers, missing, tuple(labels))
    return layout


def _is_sub_header(rows: list[list[object]], layout: Layout) -> bool:
    """Say whether the row under a one-row header only labels columns the header did not name.

    That is the second header row under a merged group cell (说明 over 备注一 | 备注二) that names no known column,
    so the two readings tie. It labels at least two columns: one lone text there is a note (以下为新增对象). It must
    reach under a blank header cell (the merged span's tail): a data row that only fills unknown labelled columns is
    data, and is kept and reported rather than swallowed.
    """
    top = layout.header_rows[0]
    if top + 1 >= len(rows):
        return False
    below = rows[top + 1]
    filled = [c for c, v in enumerate(below) if not is_blank(v)]
    known = set(layout.columns.values())
    return (len(filled) >= 2 and all(isinstance(below[c], str) and c not in known for c in filled)
            and any(not clean_text(_cell(rows, top, c)) for c in filled))


def metadata(rows: list[list[object]], above: int, start: int = 0) -> dict[str, tuple[str, int, int]]:
    """Read 填报单位 and 填报日期 from rows start..above-1: value, 0-based row and column."""
    found: dict[str, tuple[str, int, int]] = {}
    for r in range(start, min(above, len(rows))):
        row = rows[r]
        for c, raw in enumerate(row):
            text = clean_text(raw)
            if not text:
                continue
            for key, pattern in _META.items():
                if key in found:
                    continue
                m = pattern.search(text)
                if not m:
                    continue
                value = m.group(1).strip()
                if not value:
                    # 填报单位： in one cell and the name in the next non-empty one.
                    for c2 in range(c + 1, len(row)):
                        nxt = row[c2]
                        if clean_text(nxt):
                            found[key] = (nxt if key == "date" else clean_text(nxt), r, c2)
                            break
                else:
                    found[key] = (value, r, c)
    return found


def title(rows: list[list[object]], above: int) -> str:
    """Return the first text line above the header that is not a 填报 line."""
    for r in range(min(above, len(rows))):
        for raw in rows[r]:
            text = clean_text(raw)
            if text and "填报" not in text:
                return text
    return ""


def is_footer_text(text: str) -> bool:
    """Say whether a row whose first filled cell reads `text` (cleaned) starts the sign-off block (填报人 …)."""
    return bool(_FOOTER.match(re.sub(r"\s+", "", text)))

