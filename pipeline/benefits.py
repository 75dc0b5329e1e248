"""Benefit rules: vectorized over (person, month) of the quarter, exact in integer fen, with each month paid at the
parameter values in force on its first day. Explanations live in explain.py."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import StopRun
from .frames import HOUSEHOLD, PAID_PERSON
from .money import round_half_up_div, to_fen
from .parameters import MAX_PERSONS, Parameters, Value
from .period import Period
from .vocab import ITEM_FIELDS, Category, Item

PERSON_ITEMS = (Item.TEKUN, Item.CARE_FEE, Item.LIVING_ALLOWANCE, Item.CARE_ALLOWANCE)
# The care fee's share of the minimum wage, by 失能情况 (seed task 4).
CARE_RATES = {"全失能": "care_rate_full", "半失能": "care_rate_partial"}
GAP_CATEGORIES = (Category.DIBAO, Category.EXPENSE)
# A month key later than any real one: "still paid".
_NEVER = 10**9
BY_UNIT_COLUMNS = ["unit", "category", "households", "persons", "person_months", *ITEM_FIELDS.values(), "amount_fen"]


@dataclass(frozen=True)
class Rates:
    """The quarter's parameters month by month: the Values in force, and the amounts in integer fen per month."""

    period: Period
    values: dict[str, tuple[Value, Value, Value]]

    @classmethod
    def for_period(cls, parameters: Parameters, period: Period) -> "Rates":
        """Take each month's values from the dated parameters; stop the run naming any parameter and month missing."""
        return cls(period, parameters.for_period(period))

    def fen(self, name: str) -> np.ndarray:
        """Return a money parameter as fen for each of the quarter's three months."""
        return np.array([to_fen(v.value) for v in self.values[name]], dtype=np.int64)

    def care_fee(self, need: str) -> np.ndarray:
        """Return the care fee per person-month in fen: min_wage × rate, rounded half-up once per month."""
        wage, rate = self.values["min_wage"], self.values[CARE_RATES[need]]
        return np.array([to_fen(w.value * r.value) for w, r in zip(wage, rate)], dtype=np.int64)

    def applied(self) -> list[Value]:
        """Return every distinct value paid in the quarter, in parameter order, oldest first."""
        out: list[Value] = []
        for months in self.values.values():
            for v in months:
                if v not in out:
                    out.append(v)
        return out


@dataclass(frozen=True)
class Benefits:
    households: pd.DataFrame   # one row per household: months, items, explanation
    persons: pd.DataFrame      # one row per person: own items, months paid
    by_unit: pd.DataFrame      # unit × category: households, persons, person_months, items, amount
    gap_fen: int               # the quarter's 差额 (低保 and 支出型)
    gap_person_months: int     # person-months of households whose 差额 was above 0
    rates: Rates

    @property
    def total_fen(self) -> int:
        return int(self.by_unit["amount_fen"].sum()) if len(self.by_unit) else 0

    @property
    def avg_subsidy_fen(self) -> int | None:
        """人均补差: 差额 ÷ person-months of households with 差额 above 0, half-up to the fen."""
        if not self.gap_person_months:
            return None
        return int(round_half_up_div(np.array([self.gap_fen]), np.array([self.gap_person_months]))[0])


def active_months(start_key: pd.Series, stop_key: pd.Series, period: Period) -> np.ndarray:
    """Return a (rows × 3) boolean array: paid from 享受起始年月 (inclusive) to 停发年月 (exclusive)."""
    months = np.array(period.month_keys, dtype=np.int64)
    start = start_key.to_numpy(dtype=np.int64)[:, None]
    stop = stop_key.fillna(_NEVER).to_numpy(dtype=np.int64)[:, None]
    return (start <= months) & (months < stop)


def gap_per_month(category: pd.Series, income_fen: pd.Series, rigid_fen: pd.Series, members: pd.Series,
                  dibao: np.ndarray) -> np.ndarray:
    """差额 per household-month in fen, (households × 3). Seed task 1 (低保) and task 7 (支出型 deducts rigid spending).

    低保: max(0, standard − income per member) × members.
    支出型: income per member is first reduced by rigid spending ÷ members, never below 0; then as 低保.
    (standard − (income − rigid/m)) × m = (standard − income) × m + rigid, so the result is exact in fen.
    """
    m = members.to_numpy(dtype=np.int64)[:, None]
    inc = income_fen.fillna(0).to_numpy(dtype=np.int64)[:, None]
    rig = rigid_fen.fillna(0).to_numpy(dtype=np.int64)[:, None]
    std = dibao[None, :]
    is_dibao = (category == Category.DIBAO).to_numpy()[:, None]
    is_expense = (category == Category.EXPENSE).to_numpy()[:, None]
    plain = (std - inc) * m
    adjusted = np.where(inc * m <= rig, std * m, plain + rig)
    gap = np.where(is_expense, adjusted, plain)
    return np.where(is_dibao | is_expense, np.maximum(gap, 0), 0)


def living_allowance(category: pd.Series, grade: pd.Series, rate: np.ndarray) -> np.ndarray:
    """困难残疾人生活补贴 per person-month: any grade, in 低保 or 支出型 households. Seed task 2."""
    eligible = category.isin(GAP_CATEGORIES).to_numpy() & grade.notna().to_numpy()
    return np.where(eligible[:, None], rate[None, :], 0)


def care_allowance(grade: pd.Series, rate: np.ndarray) -> np.ndarray:
    """重度残疾人护理补贴 per person-month: grade 一级 or 二级, any category. Seed task 2."""
    g = pd.to_numeric(grade, errors="coerce").to_numpy()
    return np.where(((g == 1) | (g == 2))[:, None], rate[None, :], 0)


def tekun_support(category: pd.Series, rate: np.ndarray) -> np.ndarray:
    """特困供养 per person-month: the 特困 standard (≥ 1.3 × 低保 standard). Seed task 3."""
    return np.where((category == Category.TEKUN).to_numpy()[:, None], rate[None, :], 0)


def care_fee(category: pd.Series, care_need: pd.Series, rates: Rates) -> np.ndarray:
    """照料护理费 per 特困 person-month: 80 % / 20 % of the minimum wage for full / partial disability. Seed task 4."""
    is_tekun = (category == Category.TEKUN).to_numpy()
    out = np.zeros((len(category), 3), dtype=np.int64)
    for need in CARE_RATES:
        mask = is_tekun & (care_need == need).to_numpy()
        out[mask] = rates.care_fee(need)
    return out


def compute(persons: pd.DataFrame, period: Period, rates: Rates) -> Benefits:
    """Compute every household's and person's amounts for the quarter from the used roster rows."""
    from .explain import explain

    people = persons.loc[persons["used"]].copy()
    if len(people) > MAX_PERSONS:
        # Beyond it the sums below could lose fen (float64 in bincount) or overflow int64: see parameters.MAX_PERSONS.
        raise StopRun(f"本季度台账共 {len(people):,} 人，超过一次运行能精确计算的 {MAX_PERSONS:,} 人，"
                      "请按区分别运行后用 jiekun rollup 汇总。")
    if people.empty:
        return Benefits(HOUSEHOLD.empty(), PAID_PERSON.empty(), pd.DataFrame(columns=BY_UNIT_COLUMNS), 0, 0, rates)
    codes, _ = pd.factorize(people["household_key"])       # households in order of first appearance
    members = np.bincount(codes)
    people["members"] = members[codes]
    active = active_months(people["start_key"], people["stop_key"], period)
    monthly = {
        Item.LIVING_ALLOWANCE: living_allowance(people["category"], people["disability_grade"], rates.fen("disability_living_allowance")),
        Item.CARE_ALLOWANCE: care_allowance(people["disability_grade"], rates.fen("severe_disability_care_allowance")),
        Item.TEKUN: tekun_support(people["category"], rates.fen("tekun_standard")),
        Item.CARE_FEE: care_fee(people["category"], people["care_need"], rates),
    }
    person_month = sum(monthly.values())                    # (persons × 3), fen, before the active mask

    first = np.zeros(len(people), dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    hh = people.loc[first, ["household_key", "household_no", "unit", "community", "category", "income_fen", "rigid_fen",
                            "start_key", "stop_key", "members", "_household_row", "_file", "_sheet"]].copy()
    hh_active = active[first]
    gap = gap_per_month(hh["category"], hh["income_fen"], hh["rigid_fen"], hh["members"], rates.fen("dibao_standard"))
    person_sum = np.stack([np.bincount(codes, weights=person_month[:, i], minlength=len(hh)) for i in range(3)],
                          axis=1).astype(np.int64)
    hh_month = gap + person_sum
    # A household (低保, 支出型) counts as paid in a month when its whole amount that month is above 0.
    hh_paid = hh_active & (hh_month > 0)
    hh["months_active"] = hh_active.sum(axis=1)
    hh["months_paid"] = hh_paid.sum(axis=1)
    for i in range(3):
        hh[f"gap_m{i}"] = np.where(hh_active[:, i], gap[:, i], 0)
    # The household's amount in its last month paid this quarter: the figure compared across quarters.
    last = np.where(hh_active.any(axis=1), 2 - np.argmax(hh_active[:, ::-1], axis=1), 2)
    hh["monthly_fen"] = hh_month[np.arange(len(hh)), last]
    gap_active = np.where(hh_active, gap, 0)
    gap_person_months = int(((gap_active > 0).sum(axis=1) * hh["members"].to_numpy()).sum())

    is_tekun = (people["category"] == Category.TEKUN).to_numpy()
    person_paid = np.where(is_tekun[:, None], active & (person_month > 0), hh_paid[codes])
    people["months_active"] = active.sum(axis=1)
    people["months_paid"] = person_paid.sum(axis=1)
    for item, arr in monthly.items():
        people[ITEM_FIELDS[item]] = np.where(active, arr, 0).sum(axis=1)
    # Each person's month by month: paid or not, and what was paid for them (the household's 差额 shared equally,
    # the remainder fen on its first row, so a household's persons add up to it): what a double payment is made of.
    members_hh = hh["members"].to_numpy(dtype=np.int64)[:, None]
    share = gap_active // members_hh
    own_gap = share[codes]
    own_gap[first] += gap_active - share * members_hh
    own = np.where(active, person_month, 0) + own_gap
    for i in range(3):
        people[f"paid_m{i}"] = person_paid[:, i]
        people[f"fen_m{i}"] = own[:, i]
    # 差额 is a household amount: carried on the household's first row so that columns add up.
    people["gap_fen"] = 0
    people.loc[first, "gap_fen"] = gap_active.sum(axis=1)
    people["amount_fen"] = people[list(ITEM_FIELDS.values())].sum(axis=1)

    sums = {col: np.bincount(codes, weights=people[col].to_numpy(), minlength=len(hh)).astype(np.int64)
            for col in [*ITEM_FIELDS.values(), "amount_fen"]}
    for col, values in sums.items():
        hh[col] = values
    hh["explanation"] = explain(hh, people, codes, hh_active, rates)
    people["explanation"] = hh["explanation"].to_numpy()[codes]
    return Benefits(HOUSEHOLD.check(hh.reset_index(drop=True), "compute"),
                    PAID_PERSON.check(people.reset_index(drop=True), "compute"), by_unit(people),
                    int(gap_active.sum()), gap_person_months, rates)


def by_unit(people: pd.DataFrame) -> pd.DataFrame:
    """Aggregate to unit × category, counting households, persons and person-months actually paid."""
    paid = people["months_paid"] > 0
    frame = people.assign(_paid=paid.astype(np.int64), _hh=people["household_key"].where(paid),
                          _pm=people["months_paid"].where(paid, 0))
    g = frame.groupby(["unit", "category"], sort=True)
    out = pd.DataFrame({
        "households": g["_hh"].nunique(), "persons": g["_paid"].sum(), "person_months": g["_pm"].sum(),
        **{col: g[col].sum() for col in [*ITEM_FIELDS.values(), "amount_fen"]},
    }).reset_index()
    return out[BY_UNIT_COLUMNS].astype({c: "int64" for c in BY_UNIT_COLUMNS[2:]})
