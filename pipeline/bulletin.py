"""The half-year bulletin (半年通报): trends, cumulative money, rankings, praise and criticism, from two quarters.

Pure: it reads only the quarters' computed contexts and the configuration. A quarter whose folder was absent is
None, and everything below says so rather than filling it in.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .changes import Changes
from .compilation import Reported
from .config import Config, Imprint, Issue, Office
from .context import Context, Headline
from .findings import Severity
from .first_screen import FirstScreen, of_quarters
from .period import Period
from .standing import shared_ranks
from .vocab import Category, Light, Submission

# Told in words as a late, missing or incomplete report, so not listed again among a unit's data errors.
REPORTING_CODES = ("missing-submission", "late-submission", "missing-task")


class Measure(StrEnum):
    COUNT = "count"
    FEN = "fen"


# (key, label, measure unit, kind, better): the rows of the quarter-to-quarter comparison. `better` says which way is
# a gain: 1 more is better, -1 fewer is better, 0 neither (money and persons follow need, not performance).
TREND = (
    ("units_submitted", "已报送单位", "个", Measure.COUNT, 1), ("units_on_time", "按时报送单位", "个", Measure.COUNT, 1),
    ("units_late", "逾期报送单位", "个", Measure.COUNT, -1), ("units_missing", "未报送单位", "个", Measure.COUNT, -1),
    ("tasks_green", "绿灯任务", "项", Measure.COUNT, 1), ("tasks_yellow", "黄灯任务", "项", Measure.COUNT, 0),
    ("tasks_red", "红灯任务", "项", Measure.COUNT, -1), ("total_fen", "发放救助资金", "元", Measure.FEN, 0),
    ("households", "救助户数", "户", Measure.COUNT, 0), ("persons", "救助人数", "人", Measure.COUNT, 0),
    ("person_months", "救助人月数", "人·月", Measure.COUNT, 0),
    ("avg_subsidy_fen", "人均补差", "元/人·月", Measure.FEN, 0),
    ("errors", "数据错误", "条", Measure.COUNT, -1), ("warnings", "数据警告", "条", Measure.COUNT, -1),
)


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter of the half: whether it arrived and, if so, its headline figures."""

    period: Period
    headline: Headline | None
    total_fen: int = 0
    avg_subsidy_fen: int | None = None
    avg_subsidy_floor_fen: int | None = None

    @property
    def present(self) -> bool:
        return self.headline is not None

    @property
    def avg_below_floor(self) -> bool:
        return (self.avg_subsidy_fen is not None and self.avg_subsidy_floor_fen is not None
                and self.avg_subsidy_fen < self.avg_subsidy_floor_fen)

    def figure(self, key: str) -> int | None:
        if not self.present:
            return None
        if key in ("total_fen", "avg_subsidy_fen"):
            return getattr(self, key)
        return getattr(self.headline, key)


@dataclass(frozen=True)
class TrendRow:
    key: str
    label: str
    measure: str
    kind: Measure
    values: tuple[int | None, ...]
    change: int | None
    better: int = 0             # 1: more is a gain, -1: fewer is a gain, 0: neither

    @property
    def gain(self) -> bool:
        return bool(self.change and self.better and (self.change > 0) == (self.better > 0))

    @property
    def decline(self) -> bool:
        return bool(self.change and self.better and (self.change > 0) != (self.better > 0))


@dataclass(frozen=True)
class UnitMoney:
    unit: str
    by_quarter: tuple[int | None, ...]      # None: the quarter was not received
    by_category: dict[Category, int]
    person_months: int
    total_fen: int


@dataclass(frozen=True)
class CategoryMoney:
    category: Category
    by_quarter: tuple[int | None, ...]
    person_months: int
    total_fen: int


class FaultKind(StrEnum):
    MISSING = "missing"
    LATE = "late"
    MISSING_TASKS = "missing_tasks"
    STALE_TASKS = "stale_tasks"
    ERRORS = "errors"


@dataclass(frozen=True)
class Fault:
    """One thing a unit is criticised for in one quarter: what, and the facts to word it."""

    period: Period
    kind: FaultKind
    days: int = 0
    tasks: tuple[int, ...] = ()
    errors: tuple[tuple[str, int], ...] = ()     # (code, count), in the findings' order


@dataclass(frozen=True)
class UnitHalf:
    """One unit's half-year record: per quarter its submission (None: quarter not received or unit not listed)."""

    unit: str
    kind: str
    submissions: tuple[Submission | None, ...]
    completeness: tuple[float | None, ...]
    completeness_mean: float
    on_time: int
    late: int
    missing: int
    days_late: int
    missing_tasks: int
    errors: int
    warnings: int
    faults: tuple[Fault, ...]
    praised: bool
    rank: int = 0
    stale_tasks: int = 0


@dataclass(frozen=True)
class QuarterReported:
    """One unit's or task's 惠及人数 and 投入资金 in each quarter of the half (None: the quarter was not received)."""

    key: str | int
    by_quarter: tuple[Reported | None, ...]


@dataclass(frozen=True)
class PersistentRed:
    task: int
    category: str
    measure: str
    lead: tuple[str, ...]
    units_red: tuple[str, ...]
    units_missing: tuple[str, ...]
    reported: tuple[int, ...]
    assigned: tuple[int, ...]


@dataclass(frozen=True)
class FindingTally:
    code: str
    severity: Severity
    count: int
    units: tuple[str, ...]


@dataclass(frozen=True)
class HalfYearContext:
    """Everything the half-year bulletin shows, computed once. Money is integer fen."""

    name: str                    # 2019H1, for file names
    year: int
    half: int
    label: str                   # 2019年上半年
    issued: date | None          # 成文日期, when the office gave one
    doc_number: int | None       # the 文号's number, when the office gave one
    office: Office
    plan_title: str
    plan_document: str
    quarters: tuple[QuarterFigures, ...]
    trend: tuple[TrendRow, ...]
    money_units: tuple[UnitMoney, ...]
    money_categories: tuple[CategoryMoney, ...]
    money_by_quarter: tuple[int | None, ...]
    total_fen: int               # cumulative over the quarters received
    ranking: tuple[UnitHalf, ...]
    praised: tuple[str, ...]     # in the registry's order, as documents list units
    finding_tallies: tuple[FindingTally, ...]   # errors and warnings by code over the quarters received
    persistent_red: tuple[PersistentRed, ...]
    persistent_known: bool       # both quarters arrived, so "stayed red" can be judged
    next_deadline: date
    deadline_text: str
    light_rule: str
    changes: Changes | None = None    # the half's last quarter against the one before it
    reported_units: tuple[QuarterReported, ...] = ()     # what units wrote for 惠及人数 and 投入资金, per quarter
    reported_tasks: tuple[QuarterReported, ...] = ()
    reported_total: tuple[Reported | None, ...] = ()
    first_screen: FirstScreen | None = None
    imprint: Imprint | None = None      # the 版记, when [documents] gives one

    @property
    def gains(self) -> tuple[TrendRow, ...]:
        """Return the measures that moved the good way from the first quarter to the second: 主要成效 may cite them."""
        return tuple(r for r in self.trend if r.gain)

    @property
    def declines(self) -> tuple[TrendRow, ...]:
        """Return the measures that moved the bad way: 存在问题 words them, never 主要成效."""
        return tuple(r for r in self.trend if r.decline)

    @property
    def present(self) -> tuple[QuarterFigures, ...]:
        return tuple(q for q in self.quarters if q.present)

    @property
    def absent(self) -> tuple[QuarterFigures, ...]:
        return tuple(q for q in self.quarters if not q.present)

    @property
    def criticised(self) -> tuple[UnitHalf, ...]:
        """Return the units with faults, most serious first: no report, then late, then errors."""
        return tuple(sorted((r for r in self.ranking if r.faults),
                            key=lambda r: (-r.missing, -r.late, -r.errors, -r.missing_tasks, -r.stale_tasks, r.unit)))


def half_periods(year: int, half: int) -> list[Period]:
    """Return the two quarters of a half-year."""
    return [Period(year, 2 * half - 1), Period(year, 2 * half)]


def build_half(contexts: dict[Period, Context | None], year: int, half: int, config: Config,
               issue: Issue = Issue()) -> HalfYearContext:
    """Build the bulletin of one half-year from its quarters' contexts (None for a quarter not received)."""
    periods = half_periods(year, half)
    ctxs = [contexts.get(p) for p in periods]
    present = [c for c in ctxs if c is not None]
    if not present:
        raise ValueError(f"no quarter of {year}H{half} to report on")
    latest = present[-1]
    quarters = tuple(_figures(p, c) for p, c in zip(periods, ctxs))
    names = _names(ctxs)
    ranking = _ranking([_unit_half(n, periods, ctxs) for n in names])
    red, known = _persistent_red(ctxs)
    money_units, money_categories = _money(ctxs)
    return HalfYearContext(
        name=f"{year}H{half}", year=year, half=half, label=periods[0].half_label, issued=issue.date,
        doc_number=issue.number, first_screen=of_quarters(present), imprint=issue.imprint,
        office=latest.office, plan_title=latest.plan_title, plan_document=latest.plan_document,
        quarters=quarters, trend=_trend(quarters), money_units=money_units, money_categories=money_categories,
        money_by_quarter=tuple(None if c is None else c.total_fen for c in ctxs),
        total_fen=sum(c.total_fen for c in present), ranking=ranking,
        praised=tuple(n for n in names if next(r for r in ranking if r.unit == n).praised),
        finding_tallies=_tallies(present), persistent_red=red, persistent_known=known,
        next_deadline=config.deadline.of(periods[-1].next()), deadline_text=config.deadline.text,
        light_rule=latest.light_rule, changes=latest.changes, **_reported(ctxs, names))


def _reported(ctxs: list[Context | None], names: list[str]) -> dict:
    """Collect, quarter by quarter, the 惠及人数 and 投入资金 units wrote: per unit, per task, in all."""
    def per(key, rows) -> tuple:
        return tuple(None if c is None else rows(c).get(key, Reported()) for c in ctxs)

    units = tuple(QuarterReported(n, per(n, lambda c: {u.unit: u.figures for u in c.units})) for n in names)
    numbers = next(c for c in ctxs if c is not None).tasks
    tasks = tuple(QuarterReported(t.task, per(t.task, lambda c: {x.task: x.figures for x in c.tasks})) for t in numbers)
    return {"reported_units": tuple(u for u in units if any(r and (r.beneficiaries or r.funds) for r in u.by_quarter)),
            "reported_tasks": tuple(t for t in tasks if any(r and (r.beneficiaries or r.funds) for r in t.by_quarter)),
            "reported_total": tuple(None if c is None else c.figures for c in ctxs)}


def _figures(period: Period, ctx: Context | None) -> QuarterFigures:
    if ctx is None:
        return QuarterFigures(period, None)
    return QuarterFigures(period, ctx.headline, ctx.total_fen, ctx.avg_subsidy_fen, ctx.avg_subsidy_floor_fen)


def _trend(quarters: tuple[QuarterFigures, ...]) -> tuple[TrendRow, ...]:
    rows = []
    for key, label, measure, kind, better in TREND:
        values = tuple(q.figure(key) for q in quarters)
        change = values[1] - values[0] if None not in values else None
        rows.append(TrendRow(key, label, measure, kind, values, change, better))
    return tuple(rows)


def _money(ctxs: list[Context | None]) -> tuple[tuple[UnitMoney, ...], tuple[CategoryMoney, ...]]:
    """Sum the quarters' money by unit (with its categories) and by category; a quarter not received is None."""
    blank = [None if x is None else 0 for x in ctxs]
    units: dict[str, dict] = {}
    cats = {c: {"by_quarter": list(blank), "person_months": 0, "total_fen": 0} for c in Category}
    for i, ctx in enumerate(ctxs):
        for b in ctx.benefits if ctx is not None else ():
            u = units.setdefault(b.unit, {"by_quarter": list(blank), "by_category": {c: 0 for c in Category},
                                          "person_months": 0, "total_fen": 0})
            for acc in (u, cats[b.category]):
                acc["by_quarter"][i] += b.amount_fen
                acc["person_months"] += b.person_months
                acc["total_fen"] += b.amount_fen
            u["by_category"][b.category] += b.amount_fen
    ranked = sorted(units.items(), key=lambda kv: (-kv[1]["total_fen"], kv[0]))
    return (tuple(UnitMoney(unit, tuple(u["by_quarter"]), u["by_category"], u["person_months"], u["total_fen"])
                  for unit, u in ranked),
            tuple(CategoryMoney(c, tuple(v["by_quarter"]), v["person_months"], v["total_fen"])
                  for c, v in cats.items() if v["total_fen"] or v["person_months"]))


def _ranking(rows: list[UnitHalf]) -> tuple[UnitHalf, ...]:
    """Rank units by timeliness (missing, late, days late) and then completeness; equal records share a rank."""
    return tuple(replace(r, rank=rank) for rank, r in
                 shared_ranks(rows, lambda r: (r.missing, r.late, r.days_late, -r.completeness_mean, r.errors)))


def _names(ctxs: list[Context | None]) -> list[str]:
    """Return every unit of the quarters received, in the registry's order (towns first, as documents list them)."""
    names: list[str] = []
    for ctx in ctxs:
        for u in ctx.units if ctx is not None else ():
            if u.unit not in names:
                names.append(u.unit)
    return names


def _unit_half(name: str, periods: list[Period], ctxs: list[Context | None]) -> UnitHalf:
    """Collect one unit's half-year record and the faults it is criticised for, each quarter named."""
    submissions, completeness, faults = [], [], []
    on_time = late = missing = days_late = missing_tasks = stale_tasks = errors = warnings = 0
    kind = ""
    clean = True
    for period, ctx in zip(periods, ctxs):
        u = None if ctx is None else ctx.unit(name)
        if u is None:
            submissions.append(None)
            completeness.append(None)
            continue
        kind = u.kind
        submissions.append(u.submission)
        codes = ctx.counts.codes_of(name, Severity.ERROR)
        errors += sum(codes.values())
        warnings += ctx.counts.of_unit(name, Severity.WARNING)
        if not u.submitted:
            missing += 1
            completeness.append(0.0)
            faults.append(Fault(period, FaultKind.MISSING))
        else:
            completeness.append(u.completeness)
            if u.submission is Submission.LATE:
                late += 1
                days_late += u.days_late
                faults.append(Fault(period, FaultKind.LATE, days=u.days_late))
            else:
                on_time += 1
            if u.missing_tasks:
                missing_tasks += len(u.missing_tasks)
                faults.append(Fault(period, FaultKind.MISSING_TASKS, tasks=u.missing_tasks))
            if u.stale_tasks:
                stale_tasks += len(u.stale_tasks)
                faults.append(Fault(period, FaultKind.STALE_TASKS, tasks=u.stale_tasks))
        told = tuple((c, n) for c, n in codes.items() if c not in REPORTING_CODES)
        if told:
            faults.append(Fault(period, FaultKind.ERRORS, errors=told))
        # The one rule for an example to others (standing.py), held in every quarter received.
        clean = clean and u.exemplary
    got = [c for c in completeness if c is not None]
    return UnitHalf(unit=name, kind=kind, submissions=tuple(submissions), completeness=tuple(completeness),
                    completeness_mean=round(sum(got) / len(got), 1) if got else 0.0, on_time=on_time, late=late,
                    missing=missing, days_late=days_late, missing_tasks=missing_tasks, errors=errors,
                    warnings=warnings, faults=tuple(faults), praised=clean and bool(got), stale_tasks=stale_tasks)


def _tallies(present: list[Context]) -> tuple[FindingTally, ...]:
    """Count errors and warnings by code over the quarters received, most frequent first."""
    out: dict[str, dict] = {}
    for ctx in present:
        for f in ctx.findings:
            if f.severity is Severity.INFO:
                continue
            e = out.setdefault(f.code, {"severity": f.severity, "count": 0, "units": []})
            e["count"] += 1
            if f.unit and f.unit not in e["units"]:
                e["units"].append(f.unit)
    tallies = [FindingTally(code, e["severity"], e["count"], tuple(e["units"])) for code, e in out.items()]
    return tuple(sorted(tallies, key=lambda t: (t.severity is not Severity.ERROR, -t.count, t.code)))


def _persistent_red(ctxs: list[Context | None]) -> tuple[tuple[PersistentRed, ...], bool]:
    """Return the tasks red in every quarter of the half, with the units red in both; only when both arrived."""
    if any(c is None for c in ctxs):
        return (), False
    first, second = ({t.task: t for t in c.tasks} for c in ctxs)
    out = []
    for number, t in second.items():
        before = first.get(number)
        if before is None or before.light is not Light.RED or t.light is not Light.RED:
            continue
        out.append(PersistentRed(
            task=number, category=t.category, measure=t.measure, lead=t.lead,
            units_red=tuple(u for u in t.units_red if u in before.units_red),
            units_missing=tuple(u for u in t.units_missing if u in before.units_missing),
            reported=(before.reported, t.reported), assigned=(before.assigned, t.assigned)))
    return tuple(out), True
