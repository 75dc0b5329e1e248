"""资金测算: pay the newest roster every month of a target year with the standards dated for it, as OpenFisca runs a
reform over the same microdata. Pure: the roster, the dated parameters and the quarters actually paid come in; the
year's figures go out. Each quarter of the year is paid by benefits.compute, so a projection is what the quarterly
runs would pay the same persons, to the fen, and each household's amount is explained as a quarter's is.

What is assumed, and nothing else: the roster's persons stay (one with a 停发年月 leaves that month, nobody joins);
with `growth` g the money and person-months of each unit, category and month m months after the roster's quarter are
scaled by (1+g)^m and rounded half-up to the fen, while the households listed stay the roster's own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .benefits import Benefits, Rates, compute
from .budget_households import HouseholdChanges, household_changes, reform_changes
from .budget_reform import Reform, apply
from .config import Imprint, Office
from .errors import StopRun
from .money import fmt, fmt_grouped, fmt_param, round_half_up_div
from .parameters import PAID, SPEC, Parameters, Value, label
from .period import Period, month_key
from .vocab import ITEM_FIELDS, Category, Item

MONTHS = tuple(range(1, 13))
FEN_MONTHS = [f"fen_m{i}" for i in range(3)]


@dataclass(frozen=True)
class StandardUse:
    """One value a scenario pays in the target year, and the months it is paid in."""

    name: str
    label: str
    unit: str
    value: Decimal
    start: date
    months: tuple[int, ...]
    source: str
    reformed: bool


@dataclass(frozen=True)
class FloorCheck:
    """One plan floor of the target year against what a scenario pays: ok, or which months (or the year) fall short."""

    name: str
    label: str
    floor: Decimal
    source: str
    checked: str             # what was compared with the floor, worded with figures: "730（1–12月）"
    ok: bool | None          # None: nothing to compare (no household with a 差额 for 人均补差)
    short_months: tuple[int, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """The target year paid under one set of standards: by unit and category, by month, by household."""

    name: str
    quarters: tuple[Benefits, ...]
    by_unit: pd.DataFrame            # unit, category, households, persons, person_months, item fields, amount_fen
    months: pd.DataFrame             # month 1–12 × unit, category: households and persons paid, amount_fen
    household_months: pd.DataFrame   # index household_key: m1..m12 amount, g1..g12 差额, in fen
    standards: tuple[StandardUse, ...]
    floors: tuple[FloorCheck, ...]
    gap_fen: int
    gap_person_months: int
    grown: pd.DataFrame | None       # unit, category, month, amount_fen, person_months after growth; None without it

    @property
    def total_fen(self) -> int:
        return int(self.by_unit["amount_fen"].sum()) if len(self.by_unit) else 0

    @property
    def grown_total_fen(self) -> int | None:
        return None if self.grown is None else int(self.grown["amount_fen"].sum())

    @property
    def avg_subsidy_fen(self) -> int | None:
        """人均补差 of the year: 差额 ÷ person-months of households whose 差额 was above 0, half-up to the fen."""
        if not self.gap_person_months:
            return None
        return int(round_half_up_div(np.array([self.gap_fen]), np.array([self.gap_person_months]))[0])

    def by(self, column: str) -> dict[str, int]:
        """Sum the year's amount by `category` (in the categories' own order) or `unit`."""
        sums = {k: int(v) for k, v in self.by_unit.groupby(column, sort=True)["amount_fen"].sum().items()}
        if column == "category":
            return {c.value: sums[c] for c in Category if c in sums}
        return sums

    def items(self) -> dict[Item, int]:
        return {item: int(self.by_unit[f].sum()) for item, f in ITEM_FIELDS.items()}

    def month_totals(self) -> list[int]:
        totals = self.months.groupby("month")["amount_fen"].sum()
        return [int(totals.get(m, 0)) for m in MONTHS]


@dataclass(frozen=True)
class PaidQuarter:
    """One of the four quarters before the projection as actually paid, or None when its folder is absent."""

    period: Period
    total_fen: int | None
    by_category: dict[str, int]


@dataclass(frozen=True)
class Population:
    """The roster taken as the year's population and what is known of its exits."""

    households: int
    persons: int
    stops_known: int          # persons with a 停发年月
    stops_in_year: int        # of them, leaving within the target year
    stopped_before: int       # of them, gone before the target year begins


@dataclass(frozen=True)
class Budget:
    year: int
    from_period: Period
    population: Population
    growth: Decimal | None
    reforms: tuple[Reform, ...]
    baseline: Scenario
    reform: Scenario | None
    paid: tuple[PaidQuarter, ...]            # the four quarters ending with from_period, oldest first
    changes: HouseholdChanges                # baseline's December against the roster quarter's last month
    reform_changes: HouseholdChanges | None  # the reform's December and year against the baseline's
    floors_known: bool                       # config.toml has plan floors for the target year

    @property
    def paid_complete(self) -> bool:
        return all(q.total_fen is not None for q in self.paid)

    @property
    def paid_total_fen(self) -> int | None:
        """The four quarters' actual pay, or None when any is missing: a partial sum is never passed off as a year."""
        return sum(q.total_fen for q in self.paid) if self.paid_complete else None  # type: ignore[misc]


def year_rates(parameters: Parameters, year: int) -> tuple[Rates, ...]:
    """Return the four quarters' rates of `year`; stop naming every parameter and month without a value."""
    gaps = []
    for name in PAID:
        missing = [m for m in MONTHS if parameters.at_month(name, month_key(year, m)) is None]
        if missing:
            gaps.append(f"{label(name)}（{name}）{year}年{'、'.join(f'{m}月' for m in missing)}")
    if gaps:
        raise StopRun(f"配置文件 {parameters.file} 中以下参数在测算年度没有执行的数值：{'；'.join(gaps)}。"
                      f"请按文件依据补上后再测算，测算不会自行假定标准。")
    return tuple(Rates.for_period(parameters, Period(year, q)) for q in range(1, 5))


def project(persons: pd.DataFrame, parameters: Parameters, year: int, from_period: Period, current: Benefits,
            paid: dict[Period, Benefits | None], reforms: tuple[Reform, ...] = (), growth: Decimal | None = None,
            ) -> Budget:
    """Pay the roster `persons` (of `from_period`, paid as `current`) every month of `year`, and under `reforms` too."""
    if year < from_period.year:
        raise StopRun(f"测算年度 {year} 年早于台账所在的{from_period.label}，请测算台账所在年度或以后的年度。")
    if "used" not in persons or not persons["used"].any():
        raise StopRun(f"{from_period.label}的报表中没有可计发的救助对象台账，无法测算资金；"
                      "请先补齐各镇、街道、园区的台账，或用 --from-period 指定有台账的季度。")
    roster = persons.assign(_person=np.arange(len(persons)))
    base = scenario("现行标准", roster, parameters, year, from_period, growth, reformed=())
    alt = scenario("调整方案", roster, apply(parameters, reforms), year, from_period, growth,
                   reformed=tuple(r.as_value for r in reforms)) if reforms else None
    used = roster.loc[roster["used"]]
    first, last = month_key(year, 1), month_key(year, 12)
    stop = used["stop_key"].dropna()
    population = Population(int(used["household_key"].nunique()), len(used), len(stop),
                            int(((stop >= first) & (stop <= last)).sum()), int((stop < first).sum()))
    quarters = four_quarters(from_period)
    return Budget(year, from_period, population, growth, reforms, base, alt,
                  tuple(PaidQuarter(p, *_paid(paid.get(p))) for p in quarters),
                  household_changes(current, base, from_period, year),
                  reform_changes(base, alt, year) if alt is not None else None,
                  bool(parameters.floors.get(year)))


def four_quarters(last: Period) -> list[Period]:
    out = [last]
    while len(out) < 4:
        out.insert(0, out[0].previous())
    return out


def _paid(b: Benefits | None) -> tuple[int | None, dict[str, int]]:
    if b is None:
        return None, {}
    if b.by_unit.empty:
        return 0, {}
    return b.total_fen, {str(k): int(v) for k, v in b.by_unit.groupby("category")["amount_fen"].sum().items()}


def scenario(name: str, roster: pd.DataFrame, parameters: Parameters, year: int, from_period: Period,
             growth: Decimal | None, reformed: tuple[Value, ...]) -> Scenario:
    """Pay the roster each quarter of `year` with `parameters` and gather the year's figures."""
    quarters = tuple(compute(roster, r.period, r) for r in year_rates(parameters, year))
    people = pd.concat([b.persons for b in quarters if not b.persons.empty], ignore_index=True) \
        if any(not b.persons.empty for b in quarters) else pd.DataFrame()
    by_unit = _by_unit(people)
    months = _months(quarters)
    household_months = _household_months(quarters)
    grown = _grow(months, growth, year, from_period) if growth is not None else None
    return Scenario(name, quarters, by_unit, months, household_months, _standards(parameters, year, reformed),
                    _floors(parameters, year, quarters), sum(b.gap_fen for b in quarters),
                    sum(b.gap_person_months for b in quarters), grown)


_SUMS = [*ITEM_FIELDS.values(), "amount_fen"]


def _by_unit(people: pd.DataFrame) -> pd.DataFrame:
    """Aggregate the year's person rows to unit × category: households and persons paid, person-months, items."""
    columns = ["unit", "category", "households", "persons", "person_months", *_SUMS]
    if people.empty:
        return pd.DataFrame(columns=columns)
    paid = people["months_paid"] > 0
    frame = people.assign(_hh=people["household_key"].where(paid), _p=people["_person"].where(paid))
    g = frame.groupby(["unit", "category"], sort=True)
    out = pd.DataFrame({"households": g["_hh"].nunique(), "persons": g["_p"].nunique(),
                        "person_months": g["months_paid"].sum(), **{c: g[c].sum() for c in _SUMS}}).reset_index()
    return out[columns].astype({c: "int64" for c in columns[2:]})


def _months(quarters: tuple[Benefits, ...]) -> pd.DataFrame:
    """Return, for each month, unit and category: households and persons paid and the amount, in fen."""
    parts = []
    for q, b in enumerate(quarters):
        if b.persons.empty:
            continue
        p = b.persons
        for i in range(3):
            paid = p[f"paid_m{i}"].astype(bool)
            frame = p.assign(_hh=p["household_key"].where(paid), _p=paid.astype(np.int64))
            g = frame.groupby(["unit", "category"], sort=True)
            parts.append(pd.DataFrame({"households": g["_hh"].nunique(), "persons": g["_p"].sum(),
                                       "amount_fen": g[f"fen_m{i}"].sum()}).reset_index().assign(month=3 * q + i + 1))
    if not parts:
        return pd.DataFrame(columns=["month", "unit", "category", "households", "persons", "amount_fen"])
    out = pd.concat(parts, ignore_index=True)
    return out[["month", "unit", "category", "households", "persons", "amount_fen"]].astype(
        {"households": "int64", "persons": "int64", "amount_fen": "int64"})


def _household_months(quarters: tuple[Benefits, ...]) -> pd.DataFrame:
    """Return each household's amount (m1..m12) and 差额 (g1..g12) month by month, in fen."""
    if quarters[0].households.empty:
        return pd.DataFrame()
    cols = {}
    for q, b in enumerate(quarters):
        sums = b.persons.groupby("household_key", sort=False)[FEN_MONTHS].sum()
        gaps = b.households.set_index("household_key")[[f"gap_m{i}" for i in range(3)]]
        for i in range(3):
            cols[f"m{3 * q + i + 1}"] = sums[f"fen_m{i}"]
            cols[f"g{3 * q + i + 1}"] = gaps[f"gap_m{i}"]
    return pd.DataFrame(cols).fillna(0).astype("int64")


def _grow(months: pd.DataFrame, growth: Decimal, year: int, from_period: Period) -> pd.DataFrame:
    """Scale each unit, category and month by (1+g)^m, m months after the roster quarter's end; half-up to the fen."""
    base = from_period.month_keys[-1]
    factor = {m: (1 + growth) ** (month_key(year, m) - base) for m in MONTHS}

    def scaled(values: pd.Series, month: pd.Series) -> list[int]:
        return [int((Decimal(int(v)) * factor[int(m)]).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                for v, m in zip(values, month)]
    return months.assign(amount_fen=scaled(months["amount_fen"], months["month"]),
                         persons=scaled(months["persons"], months["month"]))[
        ["month", "unit", "category", "persons", "amount_fen"]]


def _standards(parameters: Parameters, year: int, reformed: tuple[Value, ...]) -> tuple[StandardUse, ...]:
    """List every value paid in the year with its months, in parameter order."""
    out = []
    for name in PAID:
        seen: dict[Value, list[int]] = {}
        for m in MONTHS:
            seen.setdefault(parameters.at_month(name, month_key(year, m)), []).append(m)  # type: ignore[arg-type]
        for v, months in seen.items():
            out.append(StandardUse(name, SPEC[name].label, SPEC[name].unit, v.value, v.start, tuple(months), v.source,
                                   v in reformed))
    return tuple(out)


def _floors(parameters: Parameters, year: int, quarters: tuple[Benefits, ...]) -> tuple[FloorCheck, ...]:
    """Check each plan floor of the year: every month's value, 特困 ≥ ratio × 低保 each month, and the year's 人均补差."""
    out = []
    for name, floor in parameters.floors.get(year, {}).items():
        if name == "avg_subsidy":
            gap = sum(b.gap_fen for b in quarters)
            pm = sum(b.gap_person_months for b in quarters)
            if not pm:
                out.append(FloorCheck(name, floor.label, floor.value, floor.source, "无差额户", None))
                continue
            avg = int(round_half_up_div(np.array([gap]), np.array([pm]))[0])
            out.append(FloorCheck(name, floor.label, floor.value, floor.source,
                                  f"{fmt_grouped(gap)} ÷ {pm}人·月 = {fmt(avg)}", Decimal(avg) / 100 >= floor.value))
            continue
        if name == "tekun_ratio":
            pairs = {m: (parameters.at_month("tekun_standard", month_key(year, m)).value,   # type: ignore[union-attr]
                         parameters.at_month("dibao_standard", month_key(year, m)).value)   # type: ignore[union-attr]
                     for m in MONTHS}
            short = tuple(m for m, (t, d) in pairs.items() if t < floor.value * d)
            worded = "、".join(f"{fmt_param(t)} ÷ {fmt_param(d)} = {t / d:.2f}（{months_text(ms)}）"
                              for (t, d), ms in _group(pairs).items())
            out.append(FloorCheck(name, floor.label, floor.value, floor.source, worded, not short, short))
            continue
        if name not in PAID:
            continue
        values = {m: parameters.at_month(name, month_key(year, m)).value for m in MONTHS}  # type: ignore[union-attr]
        short = tuple(m for m, v in values.items() if v < floor.value)
        worded = "、".join(f"{fmt_param(v)}（{months_text(ms)}）" for v, ms in _group(values).items())
        out.append(FloorCheck(name, floor.label, floor.value, floor.source, worded, not short, short))
    return tuple(out)


def _group(by_month: dict) -> dict:
    out: dict = {}
    for m, v in by_month.items():
        out.setdefault(v, []).append(m)
    return out


def months_text(months: list[int] | tuple[int, ...]) -> str:
    """Say months as 全年, 7–12月 or 3月、5月 (the checked figure is worded here, once for every output)."""
    if len(months) == 12:
        return "全年"
    if len(months) > 2 and list(months) == list(range(months[0], months[-1] + 1)):
        return f"{months[0]}–{months[-1]}月"
    return "、".join(f"{m}月" for m in months)


@dataclass(frozen=True)
class BudgetContext:
    """What the budget's outputs render from: the projection, the issuing office and the plan it serves."""

    budget: Budget
    office: Office
    plan_title: str
    plan_document: str
    issued: date | None = None
    imprint: Imprint | None = None      # the 版记, when [documents] gives one
