"""Which households a projection changes: whose monthly amount rises, falls or reaches 0, and which enrolled 低保 and
支出型 households' 差额 becomes positive, each with the explanation benefits.compute wrote for its last quarter paid."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .benefits import GAP_CATEGORIES, Benefits, active_months
from .period import Period, month_key
from .reader.vocabulary import HEAD_WORDS

if TYPE_CHECKING:
    from .budget import Scenario


@dataclass(frozen=True)
class HouseholdRow:
    """One household compared: its amount before and after, its year's total, why, and how the year's amount is made."""

    unit: str
    community: str
    household_no: str
    category: str
    head_name: str
    members: int
    before_fen: int             # the monthly amount compared against
    after_fen: int              # December of the target year
    year_fen: int               # the target year's total under the scenario
    base_year_fen: int | None   # for a reform: the baseline's year total
    leaves: int | None          # month key from which the whole household is no longer paid (its last 停发年月)
    members_leaving: int        # members whose 停发年月 falls between the two months compared
    explained_quarter: int      # the quarter of the target year whose explanation is given (its last quarter paid)
    explanation: str
    gap_month: int | None = None    # the first month of the year whose 差额 is above 0 (差额转正 only)


@dataclass(frozen=True)
class HouseholdChanges:
    """Households whose amount rises, falls or reaches 0 between two months, and those whose 差额 turns positive."""

    before: str                 # what the amounts are compared against: 2019年6月 or 现行标准
    rises: tuple[HouseholdRow, ...]
    falls: tuple[HouseholdRow, ...]
    zero: tuple[HouseholdRow, ...]
    gap_positive: tuple[HouseholdRow, ...]
    unchanged: int


def _info(s: Scenario) -> pd.DataFrame:
    """Return each household's identity, head's name, explanation and leaving month, indexed by household_key."""
    first = s.quarters[0]
    hh = first.households.set_index("household_key")
    people = first.persons
    heads = (people.assign(_head=people["relation"].isin(HEAD_WORDS))
             .sort_values("_head", ascending=False, kind="stable"))
    heads = heads.drop_duplicates("household_key").set_index("household_key")["name"]
    stops = people.groupby("household_key")["stop_key"]
    every = stops.count() == people.groupby("household_key").size()
    info = hh[["unit", "community", "household_no", "category", "members"]].assign(
        head=heads.reindex(hh.index), leaves=stops.max().where(every).reindex(hh.index))
    active = np.stack([b.households.set_index("household_key")["months_active"].reindex(hh.index).to_numpy() > 0
                       for b in s.quarters], axis=1)
    last = np.where(active.any(axis=1), 4 - np.argmax(active[:, ::-1], axis=1), 4)
    texts = np.stack([b.households.set_index("household_key")["explanation"].reindex(hh.index).to_numpy(object)
                      for b in s.quarters], axis=1)
    return info.assign(quarter=last, explanation=texts[np.arange(len(hh)), last - 1])


def _members_leaving(s: Scenario, after: int, until: int) -> pd.Series:
    stop = s.quarters[0].persons[["household_key", "stop_key"]]
    inside = (stop["stop_key"] > after) & (stop["stop_key"] <= until)
    return inside.groupby(stop["household_key"]).sum()


def _rows(keys, info: pd.DataFrame, before: pd.Series, after: pd.Series, year: pd.Series, base_year: pd.Series | None,
          leaving: pd.Series, gap_month: pd.Series | None = None) -> tuple[HouseholdRow, ...]:
    keys = list(keys)
    if not keys:
        return ()
    i = info.reindex(keys)

    def texts(column: str) -> list[str]:
        return ["" if pd.isna(v) else str(v) for v in i[column].tolist()]

    def fen(s: pd.Series | None) -> list:
        return [None] * len(keys) if s is None else s.reindex(keys).fillna(0).astype("int64").tolist()
    columns = zip(texts("unit"), texts("community"), texts("household_no"), texts("category"), texts("head"),
                  i["members"].astype("int64").tolist(), fen(before), fen(after), fen(year), fen(base_year),
                  [None if pd.isna(v) else int(v) for v in i["leaves"].tolist()], fen(leaving),
                  i["quarter"].astype("int64").tolist(), texts("explanation"), fen(gap_month))
    return tuple(HouseholdRow(*values) for values in columns)


def _year(s: Scenario) -> pd.Series:
    return s.household_months[[f"m{m}" for m in range(1, 13)]].sum(axis=1)


def _first_positive(gaps: pd.DataFrame) -> pd.Series:
    arr = gaps.to_numpy() > 0
    return pd.Series(np.where(arr.any(axis=1), np.argmax(arr, axis=1) + 1, 0), index=gaps.index)


def household_changes(current: Benefits, s: Scenario, from_period: Period, year: int) -> HouseholdChanges:
    """Compare each household's amount in the roster quarter's last month with December of the target year."""
    before_key = from_period.month_keys[-1]
    label = f"{from_period.year}年{from_period.months[-1]}月"
    if s.household_months.empty:
        return HouseholdChanges(label, (), (), (), (), 0)
    info = _info(s)
    hm = s.household_months
    before = current.persons.groupby("household_key")["fen_m2"].sum().reindex(hm.index).fillna(0).astype("int64") \
        if not current.persons.empty else pd.Series(0, index=hm.index)
    after = hm["m12"]
    leaving = _members_leaving(s, before_key, month_key(year, 12))
    rises = hm.index[after > before]
    falls = hm.index[(after < before) & (after > 0)]
    zero = hm.index[(after == 0) & (before > 0)]
    # Enrolled: on the roster and within its 享受期 in the roster quarter's last month, with a 差额 of 0 then.
    hh = current.households.set_index("household_key").reindex(hm.index) if not current.households.empty else None
    gap_positive: list = []
    first = pd.Series(0, index=hm.index)
    if hh is not None:
        enrolled = active_months(hh["start_key"].fillna(0), hh["stop_key"], from_period)[:, 2]
        was_zero = hh["gap_m2"].fillna(0).to_numpy() == 0
        gap_rows = hh["category"].isin(GAP_CATEGORIES).to_numpy()
        first = _first_positive(hm[[f"g{m}" for m in range(1, 13)]])
        gap_positive = list(hm.index[enrolled & was_zero & gap_rows & (first.to_numpy() > 0)])
    year_total = _year(s)
    return HouseholdChanges(label, _rows(rises, info, before, after, year_total, None, leaving),
                            _rows(falls, info, before, after, year_total, None, leaving),
                            _rows(zero, info, before, after, year_total, None, leaving),
                            _rows(gap_positive, info, before, after, year_total, None, leaving, first),
                            int(len(hm) - len(rises) - len(falls) - len(zero)))


def reform_changes(base: Scenario, alt: Scenario, year: int) -> HouseholdChanges:
    """List the households the reform pays differently in the year than the baseline, by their December amounts."""
    if base.household_months.empty:
        return HouseholdChanges("现行标准", (), (), (), (), 0)
    info = _info(alt)
    b_year, a_year = _year(base), _year(alt)
    b_dec, a_dec = base.household_months["m12"], alt.household_months["m12"]
    changed = a_year != b_year
    rises = a_year.index[changed & (a_year > b_year) & ~((a_dec == 0) & (b_dec > 0))]
    falls = a_year.index[changed & (a_year < b_year) & ~((a_dec == 0) & (b_dec > 0))]
    zero = a_year.index[changed & (a_dec == 0) & (b_dec > 0)]
    b_gap = base.household_months[[f"g{m}" for m in range(1, 13)]].sum(axis=1)
    first = _first_positive(alt.household_months[[f"g{m}" for m in range(1, 13)]])
    gap_positive = a_year.index[(b_gap == 0) & (first > 0)]
    leaving = pd.Series(dtype="int64")
    return HouseholdChanges("现行标准", _rows(rises, info, b_dec, a_dec, a_year, b_year, leaving),
                            _rows(falls, info, b_dec, a_dec, a_year, b_year, leaving),
                            _rows(zero, info, b_dec, a_dec, a_year, b_year, leaving),
                            _rows(gap_positive, info, b_dec, a_dec, a_year, b_year, leaving, first),
                            int((~changed).sum()))
