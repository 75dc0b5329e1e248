"""The annual assessment (全年考核): score every reporting unit over the year's quarters, by config.toml [assessment].

Pure: it reads only the quarters' computed contexts and the configuration. Scores are exact fractions until the
end, where each item is rounded half-up to 0.01 point; the total is the sum of the rounded items, so a reader
can add the printed items and get the printed total.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from .config import Config, Imprint, Issue, Office
from .context import Context, LightCounts, UnitReport
from .errors import StopRun
from .findings import Severity
from .first_screen import FirstScreen, of_quarters
from .period import Period
from .scoring import ITEMS, Method
from .standing import shared_ranks
from .vocab import Grade, Light, Submission


@dataclass(frozen=True)
class QuarterScore:
    """One unit's facts and item shares (0–1, exact) for one quarter; `present` False for a quarter not received."""

    period: Period
    present: bool
    submission: Submission | None
    completeness: float | None
    lights: LightCounts | None
    errors: int
    warnings: int
    deduction: Decimal
    shares: dict[str, Fraction]


@dataclass(frozen=True)
class UnitScore:
    unit: str
    kind: str
    items: dict[str, Decimal]
    total: Decimal
    grade: Grade
    quarters: tuple[QuarterScore, ...]
    rank: int = 0


@dataclass(frozen=True)
class AnnualContext:
    """Everything the annual assessment shows, computed once."""

    year: int
    issued: date | None
    doc_number: int | None
    office: Office
    plan_title: str
    plan_document: str
    method: Method
    deadline_text: str
    periods: tuple[Period, ...]
    present: tuple[Period, ...]
    units: tuple[UnitScore, ...]         # ranked
    light_rule: str
    first_screen: FirstScreen | None = None
    imprint: Imprint | None = None       # the 版记, when [documents] gives one

    @property
    def absent(self) -> tuple[Period, ...]:
        return tuple(p for p in self.periods if p not in self.present)

    @property
    def grade_counts(self) -> dict[Grade, int]:
        return {g: sum(1 for u in self.units if u.grade is g) for g in Grade}


def build_annual(contexts: dict[Period, Context | None], year: int, config: Config,
                 issue: Issue = Issue()) -> AnnualContext:
    """Score every reporting unit over the year's four quarters; a quarter that is None was not received."""
    method = config.assessment
    if method is None:
        raise StopRun(f"配置文件 {config.path.name} 缺少 [assessment]（全年考核办法），第四季度无法生成年度考核，请按说明补上后再运行。")
    periods = tuple(Period(year, q) for q in range(1, 5))
    present = tuple(p for p in periods if contexts.get(p) is not None)
    if not present:
        raise StopRun(f"{year}年没有任何季度的报表，无法进行年度考核。")
    latest = contexts[present[-1]]
    # The units obliged to report are scored; one that files without being obliged is not.
    units = [_score_unit(u.name, u.kind, periods, contexts, method) for u in config.registry.reporting]
    # The one ranking rule (standing.py): equal totals share a rank, listed in the registry's order.
    ranked = tuple(replace(u, rank=rank) for rank, u in shared_ranks(units, lambda u: -u.total))
    return AnnualContext(
        year=year, issued=issue.date, doc_number=issue.number, office=latest.office, plan_title=latest.plan_title,
        plan_document=latest.plan_document, method=method, deadline_text=config.deadline.text, periods=periods,
        present=present, units=ranked, light_rule=latest.light_rule,
        first_screen=of_quarters([contexts[p] for p in present]), imprint=issue.imprint)


def _score_unit(name: str, kind: str, periods: tuple[Period, ...], contexts: dict[Period, Context | None],
                method: Method) -> UnitScore:
    quarters = tuple(_quarter_shares(p, contexts.get(p), name, method) for p in periods)
    counted = [q for q in quarters if q.present or method.missing_quarter == "zero"]
    items = {}
    for key in ITEMS:
        if key == "task_completion" and method.completion_basis == "last":
            shares = [next(q for q in reversed(quarters) if q.present).shares[key]]
        else:
            shares = [q.shares[key] for q in counted]
        mean = sum(shares, Fraction(0)) / len(shares)
        items[key] = round_points(Fraction(method.weights[key]) * mean)
    total = sum(items.values(), Decimal(0))
    return UnitScore(name, kind, items, total, method.grade(total), quarters)


def _quarter_shares(period: Period, ctx: Context | None, name: str, method: Method) -> QuarterScore:
    """Return one unit's facts and item shares for one quarter."""
    u: UnitReport | None = None if ctx is None else ctx.unit(name)
    if ctx is None or u is None:
        # Not received at all: under "zero" it scores nothing; under "exclude" it is left out of the averages.
        return QuarterScore(period, False, None, None, None, 0, 0, Decimal(0), {k: Fraction(0) for k in ITEMS})
    key = {Submission.ON_TIME: "on_time", Submission.LATE: "late", Submission.MISSING: "missing"}[u.submission]
    timeliness = Fraction(method.timeliness[key])
    assigned = u.assigned_tasks
    completeness = (Fraction(u.reported_tasks, assigned) if assigned else Fraction(1)) if u.submitted else Fraction(0)
    cells = u.lights.green + u.lights.yellow + u.lights.red
    if cells:
        completion = sum((Fraction(method.light_shares[k]) * u.lights[k] for k in Light), Fraction(0)) / cells
    else:
        completion = Fraction(1 if u.submitted else 0)
    errors = sum(ctx.counts.codes_of(name, Severity.ERROR, excluding=method.exclude_codes).values())
    warnings = sum(ctx.counts.codes_of(name, Severity.WARNING, excluding=method.exclude_codes).values())
    deduction = method.per_error * errors + method.per_warning * warnings
    weight = method.weights["data_quality"]
    # Nothing was checked for a quarter without a report, so there is nothing to earn quality points for.
    quality_points = max(Decimal(0), weight - deduction) if u.submitted else Decimal(0)
    quality = Fraction(quality_points) / Fraction(weight) if weight else Fraction(0)
    return QuarterScore(period, True, u.submission, u.completeness, u.lights, errors, warnings, deduction,
                        {"timeliness": timeliness, "completeness": completeness, "task_completion": completion,
                         "data_quality": quality})


def round_points(value: Fraction) -> Decimal:
    """Round non-negative points half-up to 0.01."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)
