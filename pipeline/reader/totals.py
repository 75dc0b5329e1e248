"""Tell 合计 / 小计 rows from data rows, and check each against the data rows it sums."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..cells import clean_text, is_blank, parse_int, shown
from ..findings import Finding, finding
from ..privacy import mask_ids
from .layout import Layout, is_blank_row, is_footer

# A label ends where the word ends: 总计划 or 共计发放 start with the same characters but are not totals.
_LABEL = re.compile(r"^[^\d]{0,8}?(合计|小计|总计|共计)(?=$|[:：\d（(\-—,，、])")
_HOUSEHOLDS = (re.compile(r"(\d+)户"), re.compile(r"户数[:：]?(\d+)"))
_PERSONS = (re.compile(r"(\d+)(?:人|名)"), re.compile(r"人数[:：]?(\d+)"))
_LOOSE_NUMBER = re.compile(r"^[^\d\-]{0,8}?(-?\d[\d,]*(?:\.\d+)?)(?:人次|人|户|名|万元|万|元)?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class TotalRow:
    row: int                   # 0-based grid row of the 合计 line
    label: str                 # 合计 / 小计 / 总计 / 共计
    covers: tuple[int, ...]    # 0-based grid rows of the data lines it sums


@dataclass(frozen=True)
class Body:
    """The lines under the header: data rows, total rows, and where the sign-off block starts."""

    data: tuple[int, ...]
    totals: tuple[TotalRow, ...]
    footer: int | None


def total_label(row: list[object]) -> str | None:
    """Return 合计, 小计, 总计 or 共计 when the row's first filled cell names a total, else None."""
    for raw in row:
        if is_blank(raw):
            continue
        text = _SPACE.sub("", clean_text(raw))
        m = _LABEL.match(text) if len(text) <= 40 else None
        return m.group(1) if m else None
    return None


def split_body(rows: list[list[object]], start: int) -> Body:
    """Sort the rows under the header into data and totals, up to the first footer line.

    A 小计 sums the data since the previous total line; a 合计 or 总计 sums the data since the previous 合计.
    """
    data: list[int] = []
    totals: list[TotalRow] = []
    section = sub = 0
    footer = None
    for r in range(start, len(rows)):
        row = rows[r]
        if is_blank_row(row):
            continue
        if is_footer(row):
            footer = r
            break
        label = total_label(row)
        if label is None:
            data.append(r)
            continue
        covers = data[sub:] if label == "小计" else data[section:]
        if label != "小计":
            section = len(data)
        sub = len(data)
        totals.append(TotalRow(r, label, tuple(covers)))
    return Body(tuple(data), tuple(totals), footer)


def _number(raw: object) -> float | None:
    """Read a total cell leniently (360, 360人, 12.5万元); None when it holds no single number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if raw == raw and abs(raw) != float("inf") else None
    m = _LOOSE_NUMBER.match(_SPACE.sub("", clean_text(raw)))
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", ""))
    except ValueError:
        return None


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class SumCheck:
    """A numeric column whose total line must equal the sum of the data cells above it."""

    field: str
    parse: Callable[[object], float | None]
    tolerance: float = 1e-9


def _cell(row: list[object], c: int | None) -> object:
    return row[c] if c is not None and c < len(row) else ""


def check_sums(rows: list[list[object]], body: Body, layout: Layout, checks: tuple[SumCheck, ...],
               where: dict, unit: str) -> list[Finding]:
    """Compare each filled numeric cell of a total line with the sum of the data cells it covers."""
    out = []
    for total in body.totals:
        for check in checks:
            c = layout.columns.get(check.field)
            found = _number(_cell(rows[total.row], c))
            if c is None or found is None:
                continue
            try:
                computed = sum(check.parse(_cell(rows[r], c)) or 0 for r in total.covers)
            except ValueError:
                continue  # an unreadable detail cell is already a bad-value; a sum over it proves nothing
            if abs(found - computed) > check.tolerance:
                out.append(_mismatch(total, layout.label(c), found, computed, f"上方{len(total.covers)}行明细之和为{_fmt(computed)}",
                                     rows[total.row][c], where, unit))
    return out


def check_roster(rows: list[list[object]], body: Body, layout: Layout, households: list[list[int]],
                 where: dict, unit: str) -> list[Finding]:
    """Compare a roster's total line (户数, 人数, 家庭人口) with the households and persons listed above it."""
    out = []
    for total in body.totals:
        covered = set(total.covers)
        listed = [h for h in households if h[0] in covered]
        counts = _roster_counts(rows[total.row], layout)
        persons = len(total.covers)
        if "households" in counts:
            c, found = counts["households"]
            if found != len(listed):
                out.append(_mismatch(total, layout.label(c), found, len(listed), f"上方明细共{len(listed)}户",
                                     rows[total.row][c], where, unit))
        if "persons" in counts:
            c, found = counts["persons"]
            if found != persons:
                out.append(_mismatch(total, layout.label(c), found, persons, f"上方明细共列出{persons}人",
                                     rows[total.row][c], where, unit))
        if "size" in counts:
            c, found = counts["size"]
            size = _declared_size(rows, layout, listed)
            if size is not None and found != size:
                out.append(_mismatch(total, layout.label(c), found, size, f"上方各户家庭人口之和为{_fmt(size)}",
                                     rows[total.row][c], where, unit))
    return out


def _roster_counts(row: list[object], layout: Layout) -> dict[str, tuple[int, float]]:
    """Find the counts a roster total line states, with the column each stands in."""
    found: dict[str, tuple[int, float]] = {}
    size_col = layout.columns.get("household_size")
    bare = {layout.columns.get("household_no"): "households", layout.columns.get("name"): "persons"}
    for c, raw in enumerate(row):
        text = _SPACE.sub("", clean_text(raw))
        if not text:
            continue
        # The label cell (合计：3人) states a head count even when it stands in the 家庭人口 column.
        if c == size_col and total_label([raw]) is None:
            number = _number(raw)
            if number is not None:
                found.setdefault("size", (c, number))
                continue
        if c in bare and re.fullmatch(r"\d+", text):
            found.setdefault(bare[c], (c, float(text)))
            continue
        for key, patterns in (("households", _HOUSEHOLDS), ("persons", _PERSONS)):
            for pattern in patterns:
                m = pattern.search(text)
                if m:
                    found.setdefault(key, (c, float(m.group(1))))
                    break
    return found


def _declared_size(rows: list[list[object]], layout: Layout, households: list[list[int]]) -> float | None:
    """Sum 家庭人口 over households, counting the members listed where a household leaves it blank."""
    c = layout.columns.get("household_size")
    total = 0
    for members in households:
        try:
            size = parse_int(_cell(rows[members[0]], c))
        except ValueError:
            return None
        total += len(members) if size is None else size
    return total


def _mismatch(total: TotalRow, column: str, found: float, computed: float, detail: str, raw: object,
              where: dict, unit: str) -> Finding:
    # A total as long as an ID is nonsense, but it is masked like one all the same.
    return finding("total-mismatch",
                   mask_ids(f"第{total.row + 1}行“{total.label}”的{column}填{_fmt(found)}，但{detail}，请核对合计数或明细。"),
                   unit=unit, value=shown(raw), row=total.row + 1, column=column, **where)
