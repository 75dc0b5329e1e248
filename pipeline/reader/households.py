"""Group a roster's data rows into households and parse the household cells, which each first row holds."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cells import clean_text, parse_fen, parse_int, parse_month, shown
from ..findings import Finding, finding
from ..period import month_key
from ..units import Registry, closest_hint
from .columns import Column
from .layout import Layout
from .lines import Body
from .progress import match_unit
from .vocabulary import is_head, parse_category

_SPACES = re.compile(r"\s+")
_NO_INCOME = ("无", "无收入", "0")
# A monthly figure per household or member beyond this is a typo (a yearly total, an ID in the wrong column); it also
# keeps (standard − income) × members far inside int64 for any sheet Excel can hold.
_MAX_MONTHLY_FEN = 100_000_000

# Sort keys place each finding where a row-by-row reading reports it: per household, its own cells first, then
# its unit, then each member's cells, then the member count.
CELLS, UNIT, MEMBERS, SIZE = range(4)
Keyed = tuple[tuple[int, int, int, int], Finding]


@dataclass(frozen=True, eq=False)
class Households:
    """Households as runs of data rows: which household each row is in, and each one's first row and size."""

    of_row: np.ndarray      # household number of each data row
    first: np.ndarray       # position (among the data rows) of each household's first row
    size: np.ndarray        # members listed

    def __len__(self) -> int:
        return len(self.first)


def group(column: Callable[[str], Column], body: Body, layout: Layout) -> Households:
    """Group data rows into households.

    With a 户编号 column a new number starts a household and a blank one continues it (a merged cell);
    without one, each 户主 row starts a household. With neither 户编号 nor 与户主关系, each row stands alone.
    A 合计 or 小计 line always closes the household above it.
    """
    n = len(body.data)
    head = column("relation").map(is_head).astype(bool)
    ends = [t.covers[-1] for t in body.totals if len(t.covers)]
    closed = np.ones(n, dtype=bool)      # a household closed before this row: at the top, and after a total
    closed[1:] = np.isin(body.data[:-1], ends)
    if "household_no" in layout.columns:
        number = column("household_no").clean()
        blank = number == ""
        # The number a row compares with is the one its household started with: a blank row that starts a
        # household (as 户主, or after a total) clears it, and any other blank row keeps it.
        blank_starts = head | closed
        sets = ~blank | blank_starts
        latest = np.maximum.accumulate(np.where(sets, np.arange(n), 0)) if n else sets
        before = np.empty(n, dtype=object)
        before[1:] = number[latest[:-1]]
        starts = np.where(blank, blank_starts, (number != before) | closed)
    else:
        starts = head | closed | ("relation" not in layout.columns)
    first = np.flatnonzero(starts)
    return Households(np.cumsum(starts) - 1, first, np.diff(np.append(first, n)))


def _income(raw: object) -> int | None:
    # On an income line 无 means "no income", not "unknown"; —, NA and blank stay blank.
    value = 0 if _SPACES.sub("", clean_text(raw)) in _NO_INCOME else parse_fen(raw)
    if value is not None and not 0 <= value <= _MAX_MONTHLY_FEN:
        raise ValueError(raw)
    return value


def _month_key(raw: object) -> int | None:
    ym = parse_month(raw)
    return month_key(*ym) if ym else None


@dataclass(frozen=True, eq=False)
class HouseholdCells:
    """The household-level cells of each household, parsed, with what could not be read."""

    number: np.ndarray          # 户编号 as clean text ("" when blank)
    number_shown: np.ndarray    # 户编号 fit for display (IDs masked)
    unit: np.ndarray            # the paying unit, or None when unknown
    community: np.ndarray
    category: np.ndarray        # 低保 / 特困 / 支出型, or None
    income: np.ndarray          # fen, or None
    rigid: np.ndarray           # fen
    size: np.ndarray            # 家庭人口, or None when blank or unreadable
    size_unreadable: np.ndarray
    start: np.ndarray           # month keys, or None
    stop: np.ndarray
    ok: np.ndarray              # the amount can be computed as far as the household cells go
    findings: list[Keyed]

    @property
    def paying_unit(self) -> np.ndarray:
        """Return the paying unit of each household, "" when unknown."""
        return np.where(pd.isna(self.unit), "", self.unit)


def parse_households(cells: Callable[[str], Column], households: Households, rows: np.ndarray,
                     sheet_unit: str | None, registry: Registry, where: Callable[[int, str], dict]) -> HouseholdCells:
    """Parse each household's cells (`cells(field)`: the column over first rows) and report what stops its amount."""
    category, category_failed = cells("category").parse(parse_category)
    category[category_failed] = None
    known = ~pd.isna(category)
    needs_income = (category == "低保") | (category == "支出型")
    income, income_failed = cells("income").parse(_income)
    rigid, rigid_failed = cells("rigid_spending").parse(_income)
    income[income_failed] = None
    rigid[rigid_failed | pd.isna(rigid)] = 0
    income_bad = income_failed & needs_income
    rigid_bad = rigid_failed & needs_income
    missing_income = needs_income & pd.isna(income) & ~income_bad & ~rigid_bad
    start, start_failed = cells("start_month").parse(_month_key)
    start_bad = start_failed | pd.isna(start)
    start[start_bad] = None
    stop, stop_failed = cells("stop_month").parse(_month_key)
    stop[stop_failed] = None
    size, size_unreadable = cells("household_size").parse(parse_int)

    def unit_of(text: str) -> str | None:
        hit = match_unit(registry, text) if text else None
        return hit.name if hit is not None else sheet_unit

    unit_column = cells("unit")
    unit = unit_column.map(unit_of, clean=True)
    ok = known & ~income_bad & ~rigid_bad & ~missing_income & ~start_bad & ~stop_failed & ~pd.isna(unit)

    first_rows = rows[households.first]
    last_rows = rows[households.first + households.size - 1]
    found: list[Keyed] = []

    def members(k: int) -> tuple[int, ...]:
        """Return household k's rows as Excel shows them: what a finding that stops its amount leaves out."""
        return tuple(int(r) + 1 for r in rows[households.first[k]:households.first[k] + households.size[k]])

    def report(mask: np.ndarray, order: int, name: str, message: Callable[[object, str], str]) -> None:
        raws = cells(name).raw
        for k in np.flatnonzero(mask):
            where_rows = span(first_rows[k], last_rows[k])
            found.append(((int(k), CELLS, 0, order), finding(
                "bad-value", message(raws[k], f"该户（{where_rows}）未计入金额。"), unit=unit[k] or "", value=shown(raws[k]),
                left_out=members(k), **where(first_rows[k], name))))

    report(~known, 0, "category", lambda raw, left: f"救助类别“{shown(raw) or '（空）'}”无法识别，请填 低保、特困 或 支出型；{left}")
    report(income_bad, 1, "income", lambda raw, left: f"家庭月人均收入“{shown(raw)}”无法识别，请填0到100万之间的数字（元/月）；{left}")
    report(rigid_bad, 2, "rigid_spending", lambda raw, left: f"家庭月刚性支出“{shown(raw)}”无法识别，请填0到100万之间的数字（元/月）；{left}")
    report(missing_income, 3, "income", lambda raw, left: f"低保、支出型家庭须填家庭月人均收入（无收入填0）；{left}")
    for order, (name, label, bad) in enumerate((("start_month", "享受起始年月", start_bad),
                                                 ("stop_month", "停发年月", stop_failed)), start=4):
        report(bad, order, name,
               lambda raw, left, label=label: f"{label}“{shown(raw) or '（空）'}”无法识别，请写成 2019-01 或 2019年1月；{left}")
    unit_text = unit_column.clean()
    for k in np.flatnonzero(pd.isna(unit)):
        text = shown(unit_text[k])
        found.append(((int(k), UNIT, 0, 0), finding(
            "unknown-unit", f"无法识别所属镇街“{text or '（未填写）'}”{closest_hint(registry, text)}，"
            f"该户（{span(first_rows[k], last_rows[k])}）未计入汇总；"
            "请在“所属镇街”列或表头上方“填报单位”写明镇街名称。", value=text, left_out=members(k),
            **where(first_rows[k], "unit"))))
    for k in np.flatnonzero(~pd.isna(size) & (size != households.size)):
        found.append(((int(k), SIZE, 0, 0), finding(
            "household-size-mismatch",
            f"家庭人口填{size[k]}人，但列出了{households.size[k]}名成员（{span(first_rows[k], last_rows[k])}）；按列出的成员计发。",
            unit=unit[k] or "", value=str(size[k]), **where(first_rows[k], "household_size"))))

    number = cells("household_no")
    return HouseholdCells(number.clean(), number.shown(), unit, cells("community").clean(), category, income, rigid,
                          size, size_unreadable, start, stop, ok, found)


def span(first: int, last: int) -> str:
    """Name a household's rows as Excel shows them: 第5行 or 第5–7行."""
    return f"第{first + 1}行" if first == last else f"第{first + 1}–{last + 1}行"
