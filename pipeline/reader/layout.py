"""Find where a sheet's table is: its kind, header rows, columns, metadata lines above and footer below."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cells import clean_text
from . import schema

# Header rows are looked for this deep; title blocks in the wild are up to ~10 rows.
HEADER_SEARCH_ROWS = 15
_META = {
    "unit": re.compile(r"填报单位\s*[:：]?\s*(.*?)\s*(?=(?:填报日期|填报时间|报送日期|日期|填报人|联系电话)\s*[:：]|$)"),
    "date": re.compile(r"(?:填报日期|填报时间|报送日期|报送时间)\s*[:：]?\s*(.*?)\s*(?=(?:填报单位|填报人|联系电话)\s*[:：]|$)"),
}
_FOOTER = re.compile(r"^(填报人|填表人|联系人|联系电话|审核人|负责人|单位负责人|分管领导|制表人|备注)\s*[:：]?")


@dataclass(frozen=True)
class Layout:
    kind: str
    header_rows: tuple[int, ...]          # 0-based grid rows forming the header
    columns: dict[str, int]               # field name -> 0-based column index
    headers: dict[str, str] = field(default_factory=dict)  # field name -> header text as written
    missing: tuple[str, ...] = ()         # required fields not found

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1


def _cell(rows: list[list[object]], r: int, c: int) -> object:
    row = rows[r] if r < len(rows) else []
    return row[c] if c < len(row) else ""


def _header_cells(rows: list[list[object]], top: int, depth: int) -> list[str]:
    """Combine `depth` header rows into one label per column, filling merged cells across."""
    width = max((len(rows[r]) for r in range(top, min(top + depth, len(rows)))), default=0)
    combined = []
    upper_fill = ""
    for c in range(width):
        upper = clean_text(_cell(rows, top, c))
        if upper:
            upper_fill = upper
        if depth == 1:
            combined.append(upper)
            continue
        lower = clean_text(_cell(rows, top + 1, c))
        # A merged upper cell spans its lower cells: the lower label names the column.
        combined.append(lower or upper or "")
        if not upper and not lower:
            upper_fill = ""
    return combined


def _match(kind: str, labels: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for c, label in enumerate(labels):
        name = schema.field_for(kind, label)
        if name and name not in columns:
            columns[name] = c
            headers[name] = label
    return columns, headers


def find_layout(rows: list[list[object]]) -> Layout | None:
    """Return the best header reading of the sheet, or None when no known table is there."""
    best: tuple[tuple, Layout] | None = None
    for top in range(min(HEADER_SEARCH_ROWS, len(rows))):
        for depth in (1, 2):
            if top + depth > len(rows):
                continue
            labels = _header_cells(rows, top, depth)
            for kind in (schema.PROGRESS, schema.ROSTER):
                columns, headers = _match(kind, labels)
                if len(columns) < 2:
                    continue
                missing = tuple(f.name for f in schema.required(kind) if f.name not in columns)
                # Prefer complete headers, then more columns, then the shallower, higher reading.
                score = (len(missing) == 0, len(columns), -depth, -top)
                layout = Layout(kind, tuple(range(top, top + depth)), columns, headers, missing)
                if best is None or score > best[0]:
                    best = (score, layout)
    if best is None:
        return None
    layout = best[1]
    # A table must name at least one required column of its kind, or it is someone else's table.
    if len(layout.missing) == len(schema.required(layout.kind)):
        return None
    return layout


def metadata(rows: list[list[object]], above: int) -> dict[str, tuple[str, int, int]]:
    """Read 填报单位 and 填报日期 from the lines above the header: value, 0-based row and column."""
    found: dict[str, tuple[str, int, int]] = {}
    for r in range(min(above, len(rows))):
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
    for r in range(min(above, len(rows))):
        for raw in rows[r]:
            text = clean_text(raw)
            if text and "填报" not in text:
                return text
    return ""


def is_footer(row: list[object]) -> bool:
    """Say whether a row starts the sign-off block below the data (填报人, 联系电话 …)."""
    for raw in row:
        text = clean_text(raw)
        if text:
            return bool(_FOOTER.match(text))
    return False


def is_blank_row(row: list[object]) -> bool:
    return all(not clean_text(v) for v in row)
