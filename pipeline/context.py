"""The one computed context of a quarter that every output renders from. Typed, frozen, money in integer fen."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from .accounting import InputRow
from .benefits import Benefits
from .changes import Changes
from .compilation import ProgressRow, Reported, compile_rows, totals
from .config import Config, Office
from .findings import Counts, Finding, ordered
from .frames import SHOWN_HOUSEHOLD, SHOWN_PERSON, shown
from .lights import cell_states, rule_text, task_lights
from .matrix import Matrix
from .money import to_fen
from .moves import Move
from .period import Period
from .privacy import NOT_NAMES, mask_name
from .quarter import Quarter
from .reader.schema import ROSTER
from .standards import StandardRow, standards
from .standing import exemplary, shared_ranks
from .vocab import (
    ITEM_FIELDS,
    Category,
    CellReason,
    Item,
    Light,
    Role,
    Severity,
    StaleReason,
    Status,
    Submission,
    TaskReason,
)


@dataclass(frozen=True)
class LightCounts:
    green: int = 0
    yellow: int = 0
    red: int = 0

    def __getitem__(self, light: Light) -> int:
        return getattr(self, Light(light).value)


@dataclass(frozen=True)
class UnitReport:
    """One reporting unit's quarter: how it submitted, what it reported, its cells' lights, its rank."""

    unit: str
    kind: str
    submission: Submission
    submitted_on: date | None
    days_late: int
    file: str
    assigned_tasks: int
    reported_tasks: int
    missing_tasks: tuple[int, ...]
    unexpected_tasks: tuple[int, ...]
    lights: LightCounts
    rank: int = 0
    stale_tasks: tuple[int, ...] = ()       # rows sent but reporting no new progress: not counted as reported
    exemplary: bool = False                 # standing.exemplary: on time, every task really reported, no error
    figures: Reported = Reported()          # 惠及人数 and 投入资金 the unit wrote, over the rows that count

    @property
    def submitted(self) -> bool:
        return self.submission is not Submission.MISSING

    @property
    def on_time(self) -> bool | None:
        return None if not self.submitted else self.submission is Submission.ON_TIME

    @property
    def completeness(self) -> float:
        """Return tasks reported ÷ tasks assigned, in percent to one decimal."""
        return round(100 * self.reported_tasks / self.assigned_tasks, 1) if self.assigned_tasks else 100.0


@dataclass(frozen=True)
class CellState:
    """One (task, unit) cell: what the unit reported, its light, and the reason lights.py gave."""

    task: int
    unit: str
    role: Role
    reported: bool
    status: Status | None
    progress: float | None
    light: Light
    reason: CellReason
    behind_points: float | None
    problem: str
    stale: StaleReason | None = None        # why the row sent reports no new progress (reason STALE_PROGRESS)


@dataclass(frozen=True)
class TaskState:
    task: int
    category: str
    measure: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    note: str
    light: Light
    reason: TaskReason
    status_counts: dict[Status, int]
    assigned: int
    reported: int
    cells: tuple[CellState, ...]
    figures: Reported = Reported()          # 惠及人数 and 投入资金 the units wrote for the task

    def units(self, reason: CellReason) -> tuple[str, ...]:
        return tuple(c.unit for c in self.cells if c.reason is reason)

    @property
    def units_missing(self) -> tuple[str, ...]:
        return self.units(CellReason.NOT_REPORTED)

    @property
    def units_red(self) -> tuple[str, ...]:
        return tuple(c.unit for c in self.cells if c.light is Light.RED)

    @property
    def units_yellow(self) -> tuple[str, ...]:
        return tuple(c.unit for c in self.cells if c.light is Light.YELLOW)

    @property
    def units_stale(self) -> tuple[str, ...]:
        return self.units(CellReason.STALE_PROGRESS)

    @property
    def lead_reasons(self) -> tuple[CellReason, ...]:
        """Return the reasons lights.py gave the lead units' cells that are not green, in cell order."""
        return tuple(dict.fromkeys(c.reason for c in self.cells if c.role is Role.LEAD and c.light is not Light.GREEN))


@dataclass(frozen=True)
class Money:
    """Households, persons, person-months and items paid, for a unit × category, a unit, a category or the total."""

    households: int
    persons: int
    person_months: int
    items: dict[Item, int]
    amount_fen: int


@dataclass(frozen=True)
class BenefitRow(Money):
    """Money paid by one unit to one category."""

    unit: str
    category: Category


@dataclass(frozen=True)
class Headline:
    units_total: int
    units_submitted: int
    units_on_time: int
    units_late: int
    units_missing: int
    tasks_total: int
    tasks_green: int
    tasks_yellow: int
    tasks_red: int
    households: int
    persons: int
    person_months: int
    errors: int
    warnings: int
    infos: int


@dataclass(frozen=True)
class Context:
    """Everything a quarter's outputs show, computed once. Renderers word it; they never decide."""

    period: Period
    issued: date | None          # 成文日期: given by the office (--date or config), never read from the clock
    deadline: date
    deadline_text: str
    office: Office
    plan_title: str
    plan_document: str
    task_count: int
    headline: Headline
    units: tuple[UnitReport, ...]
    tasks: tuple[TaskState, ...]
    benefits: tuple[BenefitRow, ...]
    benefit_units: tuple[tuple[str, Money], ...]              # per unit, most money first
    benefit_categories: tuple[tuple[Category, Money], ...]    # per category, in category order
    total: Money
    avg_subsidy_fen: int | None
    avg_subsidy_floor_fen: int | None
    gap_person_months: int
    standards: tuple[StandardRow, ...]
    findings: tuple[Finding, ...]
    counts: Counts
    inputs: tuple[InputRow, ...]
    light_rule: str
    names: frozenset[str] = field(repr=False, compare=False)     # every name the rosters list: what outputs mask
    persons: pd.DataFrame = field(repr=False, compare=False)     # frames.SHOWN_PERSON; the office workbook only
    households: pd.DataFrame = field(repr=False, compare=False)  # frames.SHOWN_HOUSEHOLD
    changes: Changes | None = None          # a run compares (build(compare=…)); check() does not
    moves: tuple[Move, ...] = ()            # people moved between units and paid by both (moves.py)
    progress_rows: tuple[ProgressRow, ...] = ()     # what every unit wrote, task by task (进展汇编)
    figures: Reported = Reported()          # 惠及人数 and 投入资金 of every row that counts
    person_parts: tuple[tuple[str | None, int], ...] = field(default=(), repr=False, compare=False)  # Benefits.parts

    @property
    def paid_twice_fen(self) -> int:
        return sum(m.amount_fen for m in self.moves)

    @property
    def total_fen(self) -> int:
        return self.total.amount_fen

    @property
    def avg_subsidy_ok(self) -> bool | None:
        if self.avg_subsidy_fen is None or self.avg_subsidy_floor_fen is None:
            return None
        return self.avg_subsidy_fen >= self.avg_subsidy_floor_fen

    def unit(self, name: str) -> UnitReport | None:
        return next((u for u in self.units if u.unit == name), None)

    @property
    def ranked(self) -> tuple[UnitReport, ...]:
        return tuple(sorted(self.units, key=lambda u: u.rank))

    def units_in(self, submission: Submission) -> tuple[UnitReport, ...]:
        return tuple(u for u in self.units if u.submission is submission)


def build(quarter: Quarter, matrix: Matrix, config: Config, benefits: Benefits, findings: list[Finding],
          inputs: list[InputRow], issued: date | None = None, *, stale: pd.Series | None = None,
          moves: tuple[Move, ...] = (), compare: Callable[[Context], Changes] | None = None) -> Context:
    """Compute the context from the assembled quarter, the benefit results and the findings.

    `stale` and `moves` are what the checks decided (checks.Facts), so lights and findings tell one story.
    `compare` says what changed, given the quarter's context (its tasks and cells against the year's).
    """
    period = quarter.period
    cells = cell_states(quarter, matrix, config.registry, config.lights, stale)
    rows = compile_rows(cells, quarter.progress, stale, [u.name for u in config.registry.units])
    tasks = _tasks(cells, task_lights(cells, matrix, config.lights), matrix, totals(rows, lambda r: r.task))
    roster_sheets = {(sh.file, sh.sheet) for f in quarter.files for sh in f.sheets if sh.kind == ROSTER}
    names = _names(quarter.roster)
    found = ordered(echo_masked(f, roster_sheets, names) for f in findings)
    counts = Counts.of(found)
    units = _units(quarter, matrix, config, cells, counts, totals(rows, lambda r: r.unit))
    reported = totals(rows, lambda r: True).get(True, Reported())
    progress_rows = rows
    rows = _benefit_rows(benefits.by_unit)
    total = money_sum(rows)
    floor = config.parameters.floor(period.year, "avg_subsidy")
    headline = Headline(
        units_total=len(units), units_submitted=sum(u.submitted for u in units),
        units_on_time=sum(u.submission is Submission.ON_TIME for u in units),
        units_late=sum(u.submission is Submission.LATE for u in units),
        units_missing=sum(u.submission is Submission.MISSING for u in units),
        tasks_total=len(tasks), tasks_green=sum(t.light is Light.GREEN for t in tasks),
        tasks_yellow=sum(t.light is Light.YELLOW for t in tasks), tasks_red=sum(t.light is Light.RED for t in tasks),
        households=total.households, persons=total.persons, person_months=total.person_months,
        errors=counts.errors, warnings=counts.warnings, infos=counts.infos)
    by_unit = sorted(_group(rows, lambda r: r.unit).items(), key=lambda kv: (-kv[1].amount_fen, kv[0]))
    by_category = _group(rows, lambda r: r.category)
    ctx = Context(
        period=period, issued=issued, deadline=quarter.deadline, deadline_text=config.deadline.text,
        office=config.office,
        plan_title=matrix.title, plan_document=matrix.document, task_count=len(matrix), headline=headline,
        units=tuple(units), tasks=tuple(tasks), benefits=tuple(rows), benefit_units=tuple(by_unit),
        benefit_categories=tuple((c, by_category[c]) for c in Category if c in by_category), total=total,
        avg_subsidy_fen=benefits.avg_subsidy_fen, gap_person_months=benefits.gap_person_months,
        avg_subsidy_floor_fen=to_fen(floor.value) if floor else None, standards=standards(config, benefits),
        findings=found, counts=counts, inputs=tuple(inputs), light_rule=rule_text(config.lights),
        names=names,
        persons=shown(benefits.persons, SHOWN_PERSON, "context"),
        households=shown(benefits.households, SHOWN_HOUSEHOLD, "context"),
        moves=tuple(m for m in moves if m.paid_twice),
        progress_rows=progress_rows, figures=reported, person_parts=benefits.parts)
    return replace(ctx, changes=compare(ctx)) if compare is not None else ctx


def _names(roster: pd.DataFrame) -> frozenset[str]:
    """Return the distinct names the roster lists, for masking them wherever else they appear."""
    if "name" not in roster:
        return frozenset()
    return frozenset(n for n in pd.unique(roster["name"].to_numpy(dtype=object)) if isinstance(n, str))


def echo_masked(f: Finding, roster_sheets: set[tuple[str, str]], names: frozenset[str]) -> Finding:
    """Mask a value echoed from a roster cell that is, whole, a listed name, whatever its column (a name in 残疾等级)."""
    # Any other value is a clerk's own words or a 户编号 and is shown as written: the output edge masks the IDs and
    # listed names inside it, and a name cell's 不详 or 待核实 is no one's name.
    if len(f.value) < 2 or f.value not in names or f.value in NOT_NAMES or (f.file, f.sheet) not in roster_sheets:
        return f
    masked = mask_name(f.value)
    return replace(f, value=masked, message=f.message.replace(f.value, masked))


def _tasks(cells: pd.DataFrame, lights: pd.DataFrame, matrix: Matrix, figures: dict[int, Reported]) -> list[TaskState]:
    by_task: dict[int, list[CellState]] = {}
    for c in cells.itertuples(index=False):
        by_task.setdefault(int(c.task), []).append(CellState(
            task=int(c.task), unit=c.unit, role=Role(c.role), reported=bool(c.reported),
            status=None if pd.isna(c.status) else Status(c.status),
            progress=None if pd.isna(c.progress) else float(c.progress), light=Light(c.light),
            reason=CellReason(c.reason), behind_points=None if pd.isna(c.behind_points) else float(c.behind_points),
            problem=c.problem, stale=None if pd.isna(c.stale) else StaleReason(c.stale)))
    out = []
    for t, row in zip(matrix.tasks, lights.to_dict("records")):
        out.append(TaskState(
            task=t.number, category=t.category, measure=t.measure, lead=t.lead, responsible=t.responsible, note=t.note,
            light=Light(row["light"]), reason=TaskReason(row["reason"]),
            status_counts={s: int(row[s.value]) for s in Status},
            assigned=int(row["assigned"]), reported=int(row["reported"]), cells=tuple(by_task.get(t.number, ())),
            figures=figures.get(t.number, Reported())))
    return out


def _units(quarter: Quarter, matrix: Matrix, config: Config, cells: pd.DataFrame, counts: Counts,
           figures: dict[str, Reported]) -> list[UnitReport]:
    p = quarter.progress
    used = p[p["used"] & p["task"].notna()]
    reported_by = used.groupby("unit")["task"].agg(lambda s: sorted(set(s.astype(int))))
    stale_by = cells[cells["reason"] == CellReason.STALE_PROGRESS].groupby("unit")["task"].agg(
        lambda s: tuple(sorted(s.astype(int))))
    light_counts = cells.groupby(["unit", "light"]).size()
    subs = quarter.submissions
    chosen = subs[subs["chosen"]].set_index("unit") if len(subs) else subs
    out = []
    for unit in config.registry.units:
        submitted = unit.name in chosen.index
        if not unit.reports and not submitted:
            continue
        assigned = matrix.tasks_of(unit.name)
        reported = reported_by.get(unit.name, [])
        stale = stale_by.get(unit.name, ())
        on = chosen.loc[unit.name, "reported_on"] if submitted else None
        on = None if on is None or pd.isna(on) else on
        if not submitted:
            state = Submission.MISSING
        else:
            state = Submission.ON_TIME if on is not None and on <= quarter.deadline else Submission.LATE
        missing = tuple(t for t in assigned if t not in reported) if submitted else tuple(assigned)
        out.append(UnitReport(
            unit=unit.name, kind=unit.kind, submission=state, submitted_on=on,
            days_late=(on - quarter.deadline).days if on and on > quarter.deadline else 0,
            file=chosen.loc[unit.name, "file"] if submitted else "",
            assigned_tasks=len(assigned), reported_tasks=len([t for t in reported if t in assigned and t not in stale]),
            missing_tasks=missing, unexpected_tasks=tuple(t for t in reported if t not in assigned),
            lights=LightCounts(**{light.value: int(light_counts.get((unit.name, light), 0)) for light in Light}),
            stale_tasks=stale, figures=figures.get(unit.name, Reported()),
            exemplary=exemplary(state, missing, stale, counts.of_unit(unit.name, Severity.ERROR))))
    # One ranking rule (standing.py): on time first, then completeness, then fewer red cells; ties share a rank.
    ranked = shared_ranks(out, lambda u: (not u.submitted, not bool(u.on_time), -u.completeness, u.lights.red))
    rank = {u.unit: r for r, u in ranked}
    return [replace(u, rank=rank[u.unit]) for u in out]


def _benefit_rows(by_unit: pd.DataFrame) -> list[BenefitRow]:
    return [BenefitRow(households=int(r["households"]), persons=int(r["persons"]),
                       person_months=int(r["person_months"]), items={i: int(r[c]) for i, c in ITEM_FIELDS.items()},
                       amount_fen=int(r["amount_fen"]), unit=r["unit"], category=Category(r["category"]))
            for r in by_unit.to_dict("records")]


def money_sum(rows) -> Money:
    """Add up Money rows, in fen."""
    rows = list(rows)
    return Money(households=sum(r.households for r in rows), persons=sum(r.persons for r in rows),
                 person_months=sum(r.person_months for r in rows),
                 items={i: sum(r.items[i] for r in rows) for i in Item},
                 amount_fen=sum(r.amount_fen for r in rows))


def _group(rows: list[BenefitRow], key) -> dict:
    groups: dict = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return {k: money_sum(g) for k, g in groups.items()}
