"""Benefit rules: month by month within the quarter, exact in integer fen, with a plain-Chinese explanation."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from .config import Config, Param
from .money import fmt, fmt_param, round_half_up_div, to_fen
from .period import Period

CATEGORIES = ("低保", "特困", "支出型")
ITEMS = ("差额", "特困供养", "护理费", "残疾人生活补贴", "重度残疾人护理补贴")
ITEM_COLUMNS = {"差额": "gap_fen", "特困供养": "tekun_fen", "护理费": "care_fee_fen",
                "残疾人生活补贴": "living_allowance_fen", "重度残疾人护理补贴": "care_allowance_fen"}
PARAMETERS = ("dibao_standard", "tekun_standard", "disability_living_allowance",
              "severe_disability_care_allowance", "min_wage", "care_rate_full", "care_rate_partial")
# A month key later than any real one: "still paid".
_NEVER = 10**9
CARE_LABELS = {"全失能": "care_rate_full", "半失能": "care_rate_partial"}


@dataclass(frozen=True)
class Rates:
    """The year's parameters as integer fen per month, with the Params they came from."""

    dibao: int
    tekun: int
    living_allowance: int
    care_allowance: int
    care_fee: dict[str, int]
    params: dict[str, Param]

    @classmethod
    def for_year(cls, config: Config, year: int) -> "Rates":
        """Take the year's parameters from config; stop the run naming any that are missing."""
        p = config.params(year, PARAMETERS)
        wage = p["min_wage"].value
        return cls(
            dibao=to_fen(p["dibao_standard"].value),
            tekun=to_fen(p["tekun_standard"].value),
            living_allowance=to_fen(p["disability_living_allowance"].value),
            care_allowance=to_fen(p["severe_disability_care_allowance"].value),
            # Rounded once per person-month, as the contract's rounding rule says.
            care_fee={need: to_fen(wage * p[name].value) for need, name in CARE_LABELS.items()},
            params=p,
        )


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


def gap_per_month(category: pd.Series, income_fen: pd.Series, rigid_fen: pd.Series, members: pd.Series, dibao: int) -> np.ndarray:
    """差额 per household-month in fen. Seed task 1 (低保) and task 7 (支出型 deducts rigid spending).

    低保: max(0, standard − income per member) × members.
    支出型: income per member is first reduced by rigid spending ÷ members, never below 0; then as 低保.
    (standard − (income − rigid/m)) × m = (standard − income) × m + rigid, so the result is exact in fen.
    """
    m = members.to_numpy(dtype=np.int64)
    inc = income_fen.fillna(0).to_numpy(dtype=np.int64)
    rig = rigid_fen.fillna(0).to_numpy(dtype=np.int64)
    is_dibao = (category == "低保").to_numpy()
    is_expense = (category == "支出型").to_numpy()
    plain = (dibao - inc) * m
    adjusted = np.where(inc * m <= rig, dibao * m, plain + rig)
    gap = np.where(is_expense, adjusted, plain)
    return np.where(is_dibao | is_expense, np.maximum(gap, 0), 0)


def living_allowance(category: pd.Series, grade: pd.Series, rate: int) -> np.ndarray:
    """困难残疾人生活补贴 per person-month: any grade, in 低保 or 支出型 households. Seed task 2."""
    eligible = category.isin(["低保", "支出型"]).to_numpy() & grade.notna().to_numpy()
    return np.where(eligible, rate, 0)


def care_allowance(grade: pd.Series, rate: int) -> np.ndarray:
    """重度残疾人护理补贴 per person-month: grade 一级 or 二级, any category. Seed task 2."""
    g = pd.to_numeric(grade, errors="coerce").to_numpy()
    return np.where((g == 1) | (g == 2), rate, 0)


def tekun_support(category: pd.Series, rate: int) -> np.ndarray:
    """特困供养 per person-month: the 特困 standard (≥ 1.3 × 低保 standard). Seed task 3."""
    return np.where((category == "特困").to_numpy(), rate, 0)


def care_fee(category: pd.Series, care_need: pd.Series, fees: dict[str, int]) -> np.ndarray:
    """照料护理费 per 特困 person-month: 80 % / 20 % of the minimum wage for full / partial disability. Seed task 4."""
    fee = care_need.map(fees).fillna(0).to_numpy(dtype=np.int64)
    return np.where((category == "特困").to_numpy(), fee, 0)


def compute(persons: pd.DataFrame, period: Period, rates: Rates) -> Benefits:
    """Compute every household's and person's amounts for the quarter from the used roster rows."""
    people = persons.loc[persons["used"]].copy()
    if people.empty:
        return _empty(rates)
    members = people.groupby("household_key", sort=False)["name"].transform("size").astype(np.int64)
    people["members"] = members
    active = active_months(people["start_key"], people["stop_key"], period)
    people["living_allowance_fen"] = living_allowance(people["category"], people["disability_grade"], rates.living_allowance)
    people["care_allowance_fen"] = care_allowance(people["disability_grade"], rates.care_allowance)
    people["tekun_fen"] = tekun_support(people["category"], rates.tekun)
    people["care_fee_fen"] = care_fee(people["category"], people["care_need"], rates.care_fee)
    people["person_monthly_fen"] = people[["living_allowance_fen", "care_allowance_fen", "tekun_fen", "care_fee_fen"]].sum(axis=1)

    first = ~people.duplicated("household_key")
    hh = people.loc[first, ["household_key", "household_no", "unit", "community", "category", "income_fen", "rigid_fen",
                            "start_key", "stop_key", "members", "_household_row", "_file", "_sheet"]].copy()
    hh["gap_monthly_fen"] = gap_per_month(hh["category"], hh["income_fen"], hh["rigid_fen"], hh["members"], rates.dibao)
    hh_active = active[first.to_numpy()]
    person_sum = people.groupby("household_key", sort=False)["person_monthly_fen"].sum()
    hh["monthly_fen"] = hh["gap_monthly_fen"].to_numpy() + person_sum.reindex(hh["household_key"]).to_numpy()
    # A household (低保, 支出型) counts as paid in a month when its whole amount that month is above 0.
    hh_paid = hh_active & (hh["monthly_fen"].to_numpy() > 0)[:, None]
    hh["months_active"] = hh_active.sum(axis=1)
    hh["months_paid"] = hh_paid.sum(axis=1)
    hh["gap_fen"] = hh["gap_monthly_fen"] * hh["months_active"]
    gap_months = hh_active & (hh["gap_monthly_fen"].to_numpy() > 0)[:, None]
    gap_person_months = int((gap_months.sum(axis=1) * hh["members"].to_numpy()).sum())

    is_tekun = (people["category"] == "特困").to_numpy()
    # factorize numbers households in order of first appearance, the order of `hh`.
    codes, _ = pd.factorize(people["household_key"])
    person_paid = np.where(is_tekun[:, None], active & (people["person_monthly_fen"].to_numpy() > 0)[:, None],
                           hh_paid[codes])
    people["months_active"] = active.sum(axis=1)
    people["months_paid"] = person_paid.sum(axis=1)
    for col in ("living_allowance_fen", "care_allowance_fen", "tekun_fen", "care_fee_fen"):
        people[col] = people[col] * people["months_active"]
    # 差额 is a household amount: carried on the household's first row so that columns add up.
    people["gap_fen"] = 0
    people.loc[first, "gap_fen"] = hh["gap_fen"].to_numpy()
    people["amount_fen"] = people[[ITEM_COLUMNS[i] for i in ITEMS]].sum(axis=1)

    hh_items = people.groupby("household_key", sort=False)[[ITEM_COLUMNS[i] for i in ITEMS] + ["amount_fen"]].sum()
    hh = hh.drop(columns=["gap_fen"]).join(hh_items, on="household_key")
    hh["explanation"] = explain(hh, people, period, rates)
    people["explanation"] = people["household_key"].map(hh.set_index("household_key")["explanation"])
    return Benefits(hh.reset_index(drop=True), people.reset_index(drop=True), _by_unit(hh, people),
                    int(hh["gap_fen"].sum()), gap_person_months, rates)


def _by_unit(hh: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Aggregate to unit × category, counting households, persons and person-months actually paid."""
    rows = []
    for (unit, category), group in people.groupby(["unit", "category"], sort=True):
        paid = group[group["months_paid"] > 0]
        row = {"unit": unit, "category": category,
               "households": int(paid["household_key"].nunique()), "persons": int(len(paid)),
               "person_months": int(paid["months_paid"].sum())}
        for item, col in ITEM_COLUMNS.items():
            row[col] = int(group[col].sum())
        row["amount_fen"] = int(group["amount_fen"].sum())
        rows.append(row)
    cols = ["unit", "category", "households", "persons", "person_months", *ITEM_COLUMNS.values(), "amount_fen"]
    return pd.DataFrame(rows, columns=cols)


def _months_text(period: Period, n: int, start: int | None, stop: float | None) -> str:
    if n == 3:
        return "3个月"
    months = [m for k, m in zip(period.month_keys, period.months) if (start is None or start <= k) and (pd.isna(stop) or k < stop)]
    if not months:
        return "0个月（本季度不在享受期）"
    span = f"{months[0]}月" if len(months) == 1 else f"{months[0]}–{months[-1]}月"
    return f"{n}个月（{span}）"


def _household_counts(people: pd.DataFrame) -> pd.DataFrame:
    """Count, per household, the persons behind each item, for the explanation."""
    flags = pd.DataFrame({
        "household_key": people["household_key"],
        "n_tekun": people["tekun_fen"] > 0,
        "n_full": (people["care_fee_fen"] > 0) & (people["care_need"] == "全失能"),
        "n_partial": (people["care_fee_fen"] > 0) & (people["care_need"] == "半失能"),
        "fee_full": np.where(people["care_need"] == "全失能", people["care_fee_fen"], 0),
        "fee_partial": np.where(people["care_need"] == "半失能", people["care_fee_fen"], 0),
        "n_living": people["living_allowance_fen"] > 0,
        "n_care": people["care_allowance_fen"] > 0,
    })
    return flags.groupby("household_key", sort=False).sum()


def explain(hh: pd.DataFrame, people: pd.DataFrame, period: Period, rates: Rates) -> list[str]:
    """Write each household's amount as arithmetic a clerk can redo by hand."""
    std = fmt_param(rates.params["dibao_standard"].value)
    tekun = fmt_param(rates.params["tekun_standard"].value)
    wage = fmt_param(rates.params["min_wage"].value)
    full = fmt_param(rates.params["care_rate_full"].value * 100)
    partial = fmt_param(rates.params["care_rate_partial"].value * 100)
    living = fmt_param(Decimal(rates.living_allowance) / 100)
    care = fmt_param(Decimal(rates.care_allowance) / 100)
    counts = _household_counts(people).reindex(hh["household_key"])
    table = pd.concat([hh.reset_index(drop=True), counts.reset_index(drop=True)], axis=1)
    texts = []
    for h in table.itertuples(index=False):
        months = _months_text(period, int(h.months_active), h.start_key, h.stop_key)
        m = int(h.members)
        parts = []
        if h.category in ("低保", "支出型"):
            inc, rig = int(h.income_fen), int(h.rigid_fen)
            if h.category == "支出型" and rig:
                income_expr = f"0（{fmt(inc)} − {fmt(rig)}÷{m} 不足0按0计）" if inc * m <= rig else f"({fmt(inc)} − {fmt(rig)}÷{m})"
            else:
                income_expr = fmt(inc)
            if int(h.gap_monthly_fen) > 0:
                parts.append(f"差额 ({std} − {income_expr}) × {m}人 × {months} = {fmt(int(h.gap_fen))}")
            else:
                parts.append(f"差额 0（人均收入 {income_expr} 不低于标准 {std}）")
        if h.n_tekun:
            parts.append(f"特困供养 {tekun} × {int(h.n_tekun)}人 × {months} = {fmt(int(h.tekun_fen))}")
        if h.n_full:
            parts.append(f"护理费（全失能）{wage} × {full}% × {int(h.n_full)}人 × {months} = {fmt(int(h.fee_full))}")
        if h.n_partial:
            parts.append(f"护理费（半失能）{wage} × {partial}% × {int(h.n_partial)}人 × {months} = {fmt(int(h.fee_partial))}")
        if h.n_living:
            parts.append(f"残疾人生活补贴 {living} × {int(h.n_living)}人 × {months} = {fmt(int(h.living_allowance_fen))}")
        if h.n_care:
            parts.append(f"重度残疾人护理补贴 {care} × {int(h.n_care)}人 × {months} = {fmt(int(h.care_allowance_fen))}")
        text = "；".join(parts)
        if len(parts) > 1:
            text += f"；合计 {fmt(int(h.amount_fen))}"
        elif not parts:
            text = "本季度不在享受期，0.00"
        texts.append(text)
    return texts


def _empty(rates: Rates) -> Benefits:
    cols = ["unit", "category", "households", "persons", "person_months", *ITEM_COLUMNS.values(), "amount_fen"]
    return Benefits(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(columns=cols), 0, 0, rates)
