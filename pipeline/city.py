"""The city roll-up's model: districts' quarters added up in fen, 人均补差 recomputed from its parts.

Pure: it takes districts that district_summary.py read through summary_model and checked, and returns a frozen
`CityContext`; merge.py reads the folders and writes.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from .config import Office
from .errors import StopRun
from .money import round_half_up_div
from .period import Period
from .vocab import Category, Item, Light, Submission

if TYPE_CHECKING:
    from .summary_model import Summary


def _zero_items() -> dict[Item, int]:
    return {i: 0 for i in Item}


@dataclass(frozen=True)
class Tally:
    """Households, persons, person-months and money (fen, by item) paid to one category, a district or the city."""

    households: int = 0
    persons: int = 0
    person_months: int = 0
    items: dict[Item, int] = field(default_factory=_zero_items)
    amount_fen: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.households + other.households, self.persons + other.persons,
                     self.person_months + other.person_months,
                     {i: self.items[i] + other.items[i] for i in Item}, self.amount_fen + other.amount_fen)


def avg_subsidy(gap_fen: int, person_months: int) -> int | None:
    """Return 人均补差 in fen: 差额 ÷ person-months, rounded half-up to the fen; None without any person-month."""
    if not person_months:
        return None
    return int(round_half_up_div(np.array([gap_fen]), np.array([person_months]))[0])


@dataclass(frozen=True)
class Submissions:
    """How the reporting units' progress reports arrived: on time, late, or not at all."""

    units: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    late_units: tuple[str, ...] = ()
    missing_units: tuple[str, ...] = ()

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        """Return the share of units that reported, on the 0–100 scale."""
        return None if not self.units else 100 * self.submitted / self.units

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.units else 100 * self.on_time / self.units

    def __add__(self, other: "Submissions") -> "Submissions":
        return Submissions(self.units + other.units, self.on_time + other.on_time, self.late + other.late,
                           self.missing + other.missing)


@dataclass(frozen=True)
class LightCounts:
    green: int = 0
    yellow: int = 0
    red: int = 0

    @classmethod
    def of(cls, lights: Iterable[Light | None]) -> "LightCounts":
        counts = Counter(lights)
        return cls(counts[Light.GREEN], counts[Light.YELLOW], counts[Light.RED])

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red

    def __getitem__(self, light: Light) -> int:
        return getattr(self, light.value)

    def __add__(self, other: "LightCounts") -> "LightCounts":
        return LightCounts(self.green + other.green, self.yellow + other.yellow, self.red + other.red)


@dataclass(frozen=True)
class FindingCounts:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    by_code: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: "FindingCounts") -> "FindingCounts":
        return FindingCounts(self.errors + other.errors, self.warnings + other.warnings, self.infos + other.infos,
                             dict(sorted((Counter(self.by_code) + Counter(other.by_code)).items())))


@dataclass(frozen=True)
class District:
    """One district's quarter as its summary.json tells it, money in fen."""

    name: str
    office: str
    source: str                                     # the folder it was read from, to name in messages
    period: Period
    categories: tuple[tuple[Category, Tally], ...]  # in category order, only the categories paid
    total: Tally
    gap_fen: int                                    # 人均补差's numerator: the quarter's 差额
    gap_person_months: int                          # and its denominator
    avg_subsidy_floor_fen: int | None
    submissions: Submissions
    tasks: tuple[tuple[int, str, Light], ...]       # (task, category, light) in plan order
    findings: FindingCounts

    @property
    def avg_subsidy_fen(self) -> int | None:
        return avg_subsidy(self.gap_fen, self.gap_person_months)

    @property
    def lights(self) -> LightCounts:
        return LightCounts.of(light for _, _, light in self.tasks)

    def tally(self, category: Category) -> Tally:
        return dict(self.categories).get(category, Tally())


@dataclass(frozen=True)
class TaskRow:
    """One task across the districts: each district's light (None where its summary lacks the task)."""

    task: int
    category: str
    lights: tuple[Light | None, ...]

    @property
    def counts(self) -> LightCounts:
        return LightCounts.of(self.lights)


@dataclass(frozen=True)
class CityContext:
    """Everything the roll-up's outputs show, computed once from the districts' parts."""

    period: Period
    office: Office                  # the issuing city office; `district` holds the city's name
    issued: date | None
    districts: tuple[District, ...]
    categories: tuple[tuple[Category, Tally], ...]
    total: Tally
    gap_fen: int
    gap_person_months: int
    avg_subsidy_floor_fen: int | None   # the districts' common floor; None when they differ
    submissions: Submissions
    tasks: tuple[TaskRow, ...]
    findings: FindingCounts

    @property
    def avg_subsidy_fen(self) -> int | None:
        """Return the city's 人均补差: Σ 差额 ÷ Σ person-months of the districts, never an average of averages."""
        return avg_subsidy(self.gap_fen, self.gap_person_months)

    @property
    def avg_subsidy_ok(self) -> bool | None:
        avg, floor = self.avg_subsidy_fen, self.avg_subsidy_floor_fen
        return None if avg is None or floor is None else avg >= floor

    @property
    def lights(self) -> LightCounts:
        """Return the task lights of every district added up (59 tasks × districts)."""
        total = LightCounts()
        for d in self.districts:
            total += d.lights
        return total

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.districts)

    @property
    def widespread_red(self) -> tuple[TaskRow, ...]:
        """Return the tasks red in at least half the districts: what a city leader is told first."""
        n = len(self.districts)
        return tuple(t for t in self.tasks if t.counts.red and 2 * t.counts.red >= n)

    @property
    def red_everywhere(self) -> bool:
        """Return whether every widespread red task is red in every district."""
        return all(t.counts.red == len(self.districts) for t in self.widespread_red)


def build_city(districts: Sequence[District], office: Office, issued: date | None = None) -> CityContext:
    """Add the districts up; stop when their quarters differ or a district appears twice."""
    if not districts:
        raise StopRun("没有要汇总的区，请在命令后列出各区的季度输出文件夹，如 青山湖区/output/2019Q1。")
    periods = {d.period for d in districts}
    if len(periods) > 1:
        listed = "，".join(f"{d.name} {d.period}（{d.source}）" for d in districts)
        raise StopRun(f"各区输出的季度不一致：{listed}；请只汇总同一季度的输出文件夹。")
    seen: dict[str, District] = {}
    for d in districts:
        if d.name in seen:
            raise StopRun(f"{d.name}出现了两次（{seen[d.name].source} 和 {d.source}），同一个区只能汇总一次，"
                          "请去掉重复的文件夹。")
        seen[d.name] = d
    categories = []
    for c in Category:
        paid = [d.tally(c) for d in districts if c in dict(d.categories)]
        if paid:
            categories.append((c, sum(paid, Tally())))
    floors = {d.avg_subsidy_floor_fen for d in districts}
    return CityContext(
        period=districts[0].period, office=office, issued=issued, districts=tuple(districts),
        categories=tuple(categories), total=sum((d.total for d in districts), Tally()),
        gap_fen=sum(d.gap_fen for d in districts), gap_person_months=sum(d.gap_person_months for d in districts),
        avg_subsidy_floor_fen=floors.pop() if len(floors) == 1 else None,
        submissions=sum((d.submissions for d in districts), Submissions()),
        tasks=_task_rows(districts), findings=sum((d.findings for d in districts), FindingCounts()))


def _task_rows(districts: Sequence[District]) -> tuple[TaskRow, ...]:
    """Line the districts' tasks up by number, in plan order (each district's summary lists the matrix's tasks)."""
    categories: dict[int, str] = {}
    for d in districts:
        for task, category, _ in d.tasks:
            categories.setdefault(task, category)
    lights = [{task: light for task, _, light in d.tasks} for d in districts]
    return tuple(TaskRow(task, categories[task], tuple(by_task.get(task) for by_task in lights))
                 for task in sorted(categories))


def district_of(summary: Summary, source: str) -> District:
    """Return the city's view of a checked district: its categories added up, its units' submissions counted."""
    categories: dict[Category, Tally] = {}
    for row in summary.benefits.by_unit:
        paid = Tally(row.households, row.persons, row.person_months, {i: row.items.get(i, 0) for i in Item},
                     row.amount_fen)
        categories[row.category] = categories.get(row.category, Tally()) + paid
    by_state: dict[Submission, list[str]] = {s: [] for s in Submission}
    for u in summary.units:
        by_state[u.submission].append(u.unit)
    b = summary.benefits
    return District(
        name=summary.district, office=summary.office, source=source, period=summary.period,
        categories=tuple((c, categories[c]) for c in Category if c in categories),
        total=sum(categories.values(), Tally()), gap_fen=b.gap_fen, gap_person_months=b.gap_person_months,
        avg_subsidy_floor_fen=b.avg_subsidy_floor_fen,
        submissions=Submissions(len(summary.units), len(by_state[Submission.ON_TIME]), len(by_state[Submission.LATE]),
                                len(by_state[Submission.MISSING]), tuple(by_state[Submission.LATE]),
                                tuple(by_state[Submission.MISSING])),
        tasks=tuple((t.task, t.category, t.light) for t in summary.tasks),
        findings=FindingCounts(summary.findings.errors, summary.findings.warnings, summary.findings.infos,
                               dict(sorted(summary.findings.by_code.items()))))
