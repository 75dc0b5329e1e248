"""summary.json as one typed model: report/summary.py writes it from the Context, the roll-up reads it back through it.

The fields are those of shared/contracts.md and what jiekun added since, in the order they are written. A field with a
default is newer than the contract and not needed by the city: an older district's file without it still reads.
typed_json writes and reads the model; district_summary.py adds the checks that tie the fields together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .period import Period
from .typed_json import LONG, OMIT, Code, Count, Fen, Label, Name, key, keys_are
from .vocab import Category, ChangeReason, Item, Light, Status, Submission, TaskReason

# The objects' keys, in a clerk's words, for a key that is none of them.
_STATUSES = keys_are("完成状态")
_ITEMS = keys_are("救助项目")
_LIGHTS = keys_are("灯色")


@dataclass(frozen=True, kw_only=True)
class Unit:
    """One reporting unit's quarter."""

    unit: Name
    kind: Label
    submitted: bool
    submitted_on: date | None
    on_time: bool | None
    assigned_tasks: Count
    reported_tasks: Count
    missing_tasks: tuple[Count, ...]
    unexpected_tasks: tuple[Count, ...]
    completeness: float | None = None
    rank: Count | None = None
    submission: Submission
    days_late: Count | None = None
    lights: dict[Light, Count] = field(default_factory=dict, metadata=_LIGHTS)
    stale_tasks: tuple[Count, ...] = ()
    exemplary: bool | None = None
    beneficiaries: Count | None = None      # 惠及人数 as units reported them
    funds_wan: float | None = None          # 投入资金（万元）


@dataclass(frozen=True, kw_only=True)
class Ranking:
    by: tuple[str, ...]
    ties: str


@dataclass(frozen=True, kw_only=True)
class Reported:
    """惠及人数 and 投入资金（万元） as the units reported them, over the rows that count."""

    beneficiaries: Count
    funds_wan: float


@dataclass(frozen=True, kw_only=True)
class Task:
    """One task of the plan across the units."""

    task: Count
    category: Name
    light: Light
    reason: TaskReason | None = None
    status_counts: dict[Status, Count] = field(metadata=_STATUSES)
    units_missing: tuple[Label, ...]
    units_red: tuple[str, ...] = ()
    units_yellow: tuple[str, ...] = ()
    assigned: Count | None = None
    reported: Count | None = None
    units_stale: tuple[str, ...] = ()
    beneficiaries: Count | None = None
    funds_wan: float | None = None


@dataclass(frozen=True, kw_only=True)
class Paid:
    """What one unit paid one category, money in fen."""

    unit: Name
    category: Category
    households: Count
    persons: Count
    person_months: Count
    amount_fen: Fen = key("amount")
    items: dict[Item, Fen] = field(metadata=_ITEMS)


@dataclass(frozen=True, kw_only=True)
class Standard:
    """One parameter value paid in the quarter, with the months it was paid in and its plan floor."""

    name: str
    value: float
    start: date
    months: tuple[Count, ...]
    floor: float | None
    ok: bool
    source: str


@dataclass(frozen=True, kw_only=True)
class Benefits:
    by_unit: tuple[Paid, ...]
    total_fen: Fen = key("total")
    households: Count
    persons: Count
    person_months: Count
    avg_subsidy_fen: Fen | None = key("avg_subsidy_per_person")
    avg_subsidy_floor_fen: Fen | None = key("avg_subsidy_floor")
    # 人均补差's numerator and denominator, so a city recomputes it from the parts instead of averaging averages.
    gap_fen: Fen = key("gap")
    gap_person_months: Count
    standards: tuple[Standard, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Findings:
    errors: Count
    warnings: Count
    infos: Count
    by_code: dict[Code, Count]


@dataclass(frozen=True, kw_only=True)
class Input:
    """One input entry or sheet: what was read from it and what became of each row."""

    file: str
    sheet: str
    kind: str
    unit: str
    rows_read: Count
    rows_used: Count
    rows_reported: Count
    rows_set_aside: Count
    reconciled: bool
    note: str = field(default="", metadata=OMIT)


@dataclass(frozen=True, kw_only=True)
class StatusBack:
    unit: str
    task: Count
    before: Status = key("from")
    after: Status = key("to")
    before_period: Period = key("from_period")
    period: Period


@dataclass(frozen=True, kw_only=True)
class RedRun:
    task: Count
    periods: tuple[Period, ...]


@dataclass(frozen=True, kw_only=True)
class Move:
    """People moved between units and paid by both; their names are left out."""

    source: str = key("from")
    target: str = key("to")
    months: tuple[Count, ...]
    paid_twice_fen: Fen = key("paid_twice")


@dataclass(frozen=True, kw_only=True)
class Flow:
    households: Count
    monthly_fen: Fen = key("monthly")


@dataclass(frozen=True, kw_only=True)
class UnitFlow:
    unit: str
    entered: Count
    entered_monthly_fen: Fen = key("entered_monthly")
    left: Count
    left_monthly_fen: Fen = key("left_monthly")
    changed: Count


@dataclass(frozen=True, kw_only=True)
class Household:
    unit: str
    household_no: str
    category: Category
    members: Count
    monthly_fen: Fen = key("monthly")


@dataclass(frozen=True, kw_only=True)
class PaymentChange(Household):
    before_fen: Fen = key("before")
    after_fen: Fen = key("after")
    reasons: tuple[ChangeReason, ...]


@dataclass(frozen=True, kw_only=True)
class Changes:
    """What changed since the previous quarter; the households' parts only when its folder arrived."""

    previous: Period
    received: bool
    payment_share: float
    quarters_compared: tuple[Period, ...]
    status_backwards: tuple[StatusBack, ...] = field(metadata=LONG)
    red_runs: tuple[RedRun, ...]
    moved_without_stop: Count
    moves: tuple[Move, ...] = field(metadata=LONG)
    paid_twice_fen: Fen = key("paid_twice")
    note: str | None = field(default=None, metadata=OMIT)
    entered: Flow | None = field(default=None, metadata=OMIT)
    left: Flow | None = field(default=None, metadata=OMIT)
    by_unit: tuple[UnitFlow, ...] | None = field(default=None, metadata=OMIT)
    entered_households: tuple[Household, ...] | None = field(default=None, metadata={**OMIT, **LONG})
    left_households: tuple[Household, ...] | None = field(default=None, metadata={**OMIT, **LONG})
    payment_changes: tuple[PaymentChange, ...] | None = field(default=None, metadata={**OMIT, **LONG})


@dataclass(frozen=True, kw_only=True)
class Summary:
    """One district's quarter: its units, tasks, money, findings, inputs and changes."""

    period: Period
    district: Name
    office: Label
    deadline: date | None = None
    units: tuple[Unit, ...]
    ranking: Ranking | None = None
    reported: Reported | None = None
    tasks: tuple[Task, ...]
    benefits: Benefits
    findings: Findings
    inputs: tuple[Input, ...] = field(default=(), metadata=LONG)
    changes: Changes | None = None
