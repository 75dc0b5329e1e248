"""Check each 合计 / 小计 row against the data rows it sums."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cells import clean_text, shown
from ..findings import Finding, finding
from ..money import fmt_param
from ..privacy import mask_ids
from .grid import cell_at
from .layout import Layout
from .lines import Body, TotalRow, total_label

_HOUSEHOLDS = (re.compile(r"(\d+)户"), re.compile(r"户数[:：]?(\d+)"))
_PERSONS = (re.compile(r"(\d+)(?:人|名)"), re.compile(r"人数[:：]?(\d+)"))
_LOOSE_NUMBER = re.compile(r"^[^\d\-]{0,8}?(-?\d[\d,]*(?:\.\d+)?)(?:人次|人|户|名|万元|万|元)?$")
_SPACE = re.compile(r"\s+")


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
    return fmt_param(round(x, 4))


@dataclass(frozen=True)
class SumCheck:
    """A numeric column whose total line must equal the sum of the data cells above it."""

    field: str
    parse: Callable[[object], float | None]
    tolerance: float = 1e-9


def check_sums(rows: list[list[object]], body: Body, layout: Layout, checks: tuple[SumCheck, ...],
               where: dict, unit: str) -> list[Finding]:
    """Compare each filled numeric cell of a total line with the sum of the data cells it covers."""
    out = []
    for total in body.totals:
        for check in checks:
            c = layout.columns.get(check.field)
            found = _number(cell_at(rows[total.row], c))
            if c is None or found is None:
                continue
            try:
                computed = sum(check.parse(cell_at(rows[r], c)) or 0 for r in total.covers)
            except ValueError:
                continue  # an unreadable detail cell is already a bad-value; a sum over it proves nothing
            if abs(found - computed) > check.tolerance:
                out.append(_mismatch(total, layout.label(c), found, computed,
                                     f"上方{len(total.covers)}行明细之和为{_fmt(computed)}", rows[total.row][c], where, unit))
    return out


def check_roster(cells: np.ndarray, body: Body, layout: Layout, first_rows: np.ndarray, members: np.ndarray,
                 declared: np.ndarray, unreadable: np.ndarray, where: dict, unit: str) -> list[Finding]:
    """Compare a roster's total line (户数, 人数, 家庭人口) with the households and persons listed above it.

    Households are given by their first rows (0-based grid rows, in order), the members listed, 家庭人口 as
    parsed (None when blank) and whether that cell was unreadable.
    """
    out = []
    for total in body.totals:
        row = cells[total.row].tolist()
        lo = hi = 0
        if len(total.covers):
            lo, hi = (int(i) for i in np.searchsorted(first_rows, (total.covers[0], total.covers[-1] + 1)))
        households = hi - lo
        counts = _roster_counts(row, layout)
        persons = len(total.covers)
        if "households" in counts:
            c, found = counts["households"]
            if found != households:
                out.append(_mismatch(total, layout.label(c), found, households, f"上方明细共{households}户",
                                     row[c], where, unit))
        if "persons" in counts:
            c, found = counts["persons"]
            if found != persons:
                out.append(_mismatch(total, layout.label(c), found, persons, f"上方明细共列出{persons}人",
                                     row[c], where, unit))
        if "size" in counts:
            c, found = counts["size"]
            size = None if unreadable[lo:hi].any() else _declared_size(members[lo:hi], declared[lo:hi])
            if size is not None and found != size:
                out.append(_mismatch(total, layout.label(c), found, size, f"上方各户家庭人口之和为{_fmt(size)}",
                                     row[c], where, unit))
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


def _declared_size(members: np.ndarray, declared: np.ndarray) -> int:
    """Sum 家庭人口 over households, counting the members listed where a household leaves it blank."""
    blank = pd.isna(declared)
    return int(members[blank].sum()) + sum(declared[~blank])


def _mismatch(total: TotalRow, column: str, found: float, computed: float, detail: str, raw: object,
              where: dict, unit: str) -> Finding:
    # A total as long as an ID is nonsense, but it is masked like one all the same.
    return finding("total-mismatch",
                   mask_ids(f"第{total.row + 1}行“{total.label}”的{column}填{_fmt(found)}，但{detail}，请核对合计数或明细。"),
                   unit=unit, value=shown(raw), row=total.row + 1, column=column, **where)
