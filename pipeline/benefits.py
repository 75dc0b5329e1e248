"""Benefit rules: vectorized over (person, month) of the quarter, exact in integer fen, with each month paid at the
parameter values in force on its first day. Explanations live in explain.py."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import StopRun
from .frames import HOUSEHOLD, PAID_PERSON
from .money import round_half_up_div, to_fen
from .parameters import MAX_PERSONS, Parameters, Value
from .period import Period
from .vocab import ITEM_FIELDS, Category, Item

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


@dataclass(frozen=True)
class Benefits:
    households: pd.DataFrame   # one row per household: months, items, explanation
    persons: pd.DataFrame      # one row per person: own items, months paid
    by_unit: pd.DataFrame      # unit × category: households, persons, person_months, items, amount
    gap_fen: int               # the quarter's 差额 (低保 and 支出型)
    gap_person_months: int     # person-months of households whose 差额 was above 0
    rates: Rates
    trace: Trace | None = None  # which rule and parameter value produced each household-month; None when no one is paid
    # Whence the persons come, in order: each roster file's part key (None: not kept) and its rows (unit_parts.py).
    parts: tuple[tuple[str | None, int], ...] = field(default=(), compare=False, repr=False)

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


# The person rules, in the order an explanation lists them: the item each pays and the parameters of its rate.
PERSON_RULES = (
    ("tekun", Item.TEKUN, ("tekun_standard",)),                             # seed task 3
    ("care_full", Item.CARE_FEE, ("min_wage", "care_rate_full")),           # seed task 4
    ("care_partial", Item.CARE_FEE, ("min_wage", "care_rate_partial")),
    ("living", Item.LIVING_ALLOWANCE, ("disability_living_allowance",)),    # seed task 2
    ("care", Item.CARE_ALLOWANCE, ("severe_disability_care_allowance",)),
)
GAP_RULE = ("gap", Item.GAP, ("dibao_standard",))                           # seed tasks 1 and 7
# What the rules above can pay each category (contracts.md), which the roll-up holds each district's summary to.
ITEMS_OF = {Category.DIBAO: {Item.GAP, Item.LIVING_ALLOWANCE, Item.CARE_ALLOWANCE},
            Category.EXPENSE: {Item.GAP, Item.LIVING_ALLOWANCE, Item.CARE_ALLOWANCE},
            Category.TEKUN: {Item.TEKUN, Item.CARE_FEE, Item.CARE_ALLOWANCE}}
# Which persons count as severely disabled for the care allowance.
SEVERE_GRADES = (1, 2)


def who(people: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return whom each person rule pays, whatever the month."""
    category = people["category"]
    tekun = (category == Category.TEKUN).to_numpy()
    grade = pd.to_numeric(people["disability_grade"], errors="coerce").to_numpy()
    return {
        "tekun": tekun,
        "care_full": tekun & (people["care_need"] == "全失能").to_numpy(),
        "care_partial": tekun & (people["care_need"] == "半失能").to_numpy(),
        # 困难残疾人生活补贴: any grade, in 低保 or 支出型 households.
        "living": category.isin(GAP_CATEGORIES).to_numpy() & people["disability_grade"].notna().to_numpy(),
        # 重度残疾人护理补贴: grade 一级 or 二级, any category.
        "care": np.isin(grade, SEVERE_GRADES),
    }


def rate_fen(rule: str, rates: Rates) -> np.ndarray:
    """Return a rule's rate in fen for each month: per person-month, or per member for the 差额's standard."""
    if rule in ("care_full", "care_partial"):
        return rates.care_fee("全失能" if rule == "care_full" else "半失能")
    return rates.fen(next(params for key, _, params in (*PERSON_RULES, GAP_RULE) if key == rule)[0])


@dataclass(frozen=True)
class RuleUse:
    """One rule as applied in the quarter: the item it pays, each month's parameter Values and its rate in fen."""

    rule: str
    item: Item
    parameters: tuple[str, ...]
    values: tuple[tuple[Value, ...], ...]      # per month of the quarter, one Value per parameter
    fen: tuple[int, ...]                       # per month of the quarter


@dataclass(frozen=True)
class Trace:
    """What produced each household-month: which rules paid it, for how many persons, at which parameter values.

    `households` has one row per household (in Benefits.households order): for each person rule, how many of its
    persons the rule pays; `gap`, whether the 差额 rule applies; `rigid`, whether rigid spending was deducted from
    its income; `rigid_exceeds`, whether that left nothing. `active` is households × months within 享受 dates.
    """

    period: Period
    rules: tuple[RuleUse, ...]
    households: pd.DataFrame
    active: np.ndarray

    def rule(self, key: str) -> RuleUse:
        return next(r for r in self.rules if r.rule == key)


def rule_uses(rates: Rates) -> tuple[RuleUse, ...]:
    return tuple(RuleUse(key, item, params, tuple(zip(*(rates.values[p] for p in params))),
                         tuple(int(x) for x in rate_fen(key, rates)))
                 for key, item, params in (GAP_RULE, *PERSON_RULES))


def compute(persons: pd.DataFrame, period: Period, rates: Rates) -> Benefits:
    """Compute every household's and person's amounts for the quarter from the used roster rows."""
    from .explain import explain  # the wording of the trace; it imports no rule

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
    paid_to = who(people)
    monthly = {item: np.zeros((len(people), 3), dtype=np.int64)
               for item in (Item.LIVING_ALLOWANCE, Item.CARE_ALLOWANCE, Item.TEKUN, Item.CARE_FEE)}
    for key, item, _ in PERSON_RULES:
        monthly[item] += np.where(paid_to[key][:, None], rate_fen(key, rates)[None, :], 0)
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
    counts = {key: np.bincount(codes, weights=paid_to[key].astype(np.int64), minlength=len(hh)).astype(np.int64)
              for key, _, _ in PERSON_RULES}
    inc, rig, m = (hh[c].fillna(0).to_numpy(np.int64) for c in ("income_fen", "rigid_fen", "members"))
    gap_rule = hh["category"].isin(GAP_CATEGORIES).to_numpy()
    rigid = gap_rule & (hh["category"] == Category.EXPENSE).to_numpy() & (rig != 0)
    trace = Trace(period, rule_uses(rates), pd.DataFrame({**counts, "gap": gap_rule, "rigid": rigid,
                                                      "rigid_exceeds": rigid & (inc * m <= rig)}), hh_active)
    hh["explanation"] = explain(hh, trace)
    people["explanation"] = hh["explanation"].to_numpy()[codes]
    return Benefits(HOUSEHOLD.check(hh.reset_index(drop=True), "compute"),
                    PAID_PERSON.check(people.reset_index(drop=True), "compute"), by_unit(people),
                    int(gap_active.sum()), gap_person_months, rates, trace)


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
