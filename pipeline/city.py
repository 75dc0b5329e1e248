"""The city roll-up's model: districts' summary.json documents added up in fen, 人均补差 recomputed from its parts.

Pure: it takes parsed summary documents and returns a frozen `CityContext`; merge.py reads the folders and writes.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np

from .config import Office
from .errors import StopRun
from .money import fmt_grouped, round_half_up_div, to_fen
from .period import Period
from .vocab import Category, Item, Light, Submission


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
    """Line the districts' tasks up by number, in plan order (the union, should one matrix differ)."""
    categories: dict[int, str] = {}
    for d in districts:
        for task, category, _ in d.tasks:
            categories.setdefault(task, category)
    lights = [{task: light for task, _, light in d.tasks} for d in districts]
    return tuple(TaskRow(task, categories[task], tuple(by_task.get(task) for by_task in lights))
                 for task in sorted(categories))


class _Doc:
    """Read fields of one summary.json, stopping with a sentence that names the folder and the field."""

    def __init__(self, data: object, source: str):
        self.data = data
        self.source = source

    def stop(self, what: str) -> StopRun:
        return StopRun(f"{self.source} 的 summary.json 中{what}，可能是旧版 jiekun 生成或被手工改动过；"
                       "请该区用新版 jiekun 重新运行本季度后再汇总。")

    def get(self, *path: str | int, data: object = None) -> object:
        node = self.data if data is None else data
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise self.stop(f"缺少 {'.'.join(map(str, path))}") from None
        return node

    def count(self, *path: str, data: object = None) -> int:
        value = self.get(*path, data=data)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.stop(f"{'.'.join(path)} 不是人数或件数（{value!r}）")
        return value

    def fen(self, *path: str, data: object = None) -> int:
        value = self.get(*path, data=data)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self.stop(f"{'.'.join(path)} 不是金额（{value!r}）")
        try:
            return to_fen(value)
        except InvalidOperation:
            raise self.stop(f"{'.'.join(path)} 不是金额（{value!r}）") from None

    def fen_or_none(self, *path: str) -> int | None:
        return None if self.get(*path) is None else self.fen(*path)

    def rows(self, *path: str) -> list:
        value = self.get(*path)
        if not isinstance(value, list):
            raise self.stop(f"{'.'.join(path)} 不是列表")
        return value


def district_of(data: object, source: str) -> District:
    """Read one district from its summary.json document (money parsed as Decimal); check that its parts add up."""
    doc = _Doc(data, source)
    if not isinstance(data, dict):
        raise doc.stop("内容不是一个 JSON 对象")
    if "districts" in data:
        raise StopRun(f"{source} 是市级汇总的输出，不是某个区的季度输出；请列出各区 output/<季度>/ 文件夹。")
    period = Period.try_parse(str(doc.get("period")))
    if period is None:
        raise doc.stop(f"季度 period 写法不对（{doc.get('period')!r}）")
    name = str(doc.get("district")).strip()
    if not name:
        raise doc.stop("没有写明是哪个区（district 为空）")
    categories: dict[Category, Tally] = {}
    for row in doc.rows("benefits", "by_unit"):
        try:
            category = Category(doc.get("category", data=row))
        except ValueError:
            raise doc.stop(f"救助类别 {doc.get('category', data=row)!r} 无法识别") from None
        items = doc.get("items", data=row)
        tally = Tally(doc.count("households", data=row), doc.count("persons", data=row),
                      doc.count("person_months", data=row),
                      {i: doc.fen(i.value, data=items) if i.value in items else 0 for i in Item},
                      doc.fen("amount", data=row))
        categories[category] = categories.get(category, Tally()) + tally
    total = sum(categories.values(), Tally())
    stated = doc.fen("benefits", "total")
    if stated != total.amount_fen:
        raise doc.stop(f"各单位金额之和 {fmt_grouped(total.amount_fen)} 元与总额 {fmt_grouped(stated)} 元不符")
    gap, gap_months = doc.fen("benefits", "gap"), doc.count("benefits", "gap_person_months")
    stated_avg = doc.fen_or_none("benefits", "avg_subsidy_per_person")
    if stated_avg != avg_subsidy(gap, gap_months):
        raise doc.stop("人均补差与差额、人月数对不上")
    return District(
        name=name, office=str(doc.get("office")), source=source, period=period,
        categories=tuple((c, categories[c]) for c in Category if c in categories), total=total,
        gap_fen=gap, gap_person_months=gap_months,
        avg_subsidy_floor_fen=doc.fen_or_none("benefits", "avg_subsidy_floor"),
        submissions=_submissions(doc), tasks=_tasks(doc), findings=_findings(doc))


def _submissions(doc: _Doc) -> Submissions:
    by_state: dict[Submission, list[str]] = {s: [] for s in Submission}
    for u in doc.rows("units"):
        try:
            by_state[Submission(doc.get("submission", data=u))].append(str(doc.get("unit", data=u)))
        except ValueError:
            raise doc.stop(f"报送情况 {doc.get('submission', data=u)!r} 无法识别") from None
    return Submissions(sum(map(len, by_state.values())), len(by_state[Submission.ON_TIME]),
                       len(by_state[Submission.LATE]), len(by_state[Submission.MISSING]),
                       tuple(by_state[Submission.LATE]), tuple(by_state[Submission.MISSING]))


def _tasks(doc: _Doc) -> tuple[tuple[int, str, Light], ...]:
    out = []
    for t in doc.rows("tasks"):
        try:
            out.append((doc.count("task", data=t), str(doc.get("category", data=t)), Light(doc.get("light", data=t))))
        except ValueError:
            raise doc.stop(f"任务灯色 {doc.get('light', data=t)!r} 无法识别") from None
    return tuple(out)


def _findings(doc: _Doc) -> FindingCounts:
    by_code = doc.get("findings", "by_code")
    if not isinstance(by_code, dict):
        raise doc.stop("findings.by_code 不是对象")
    return FindingCounts(doc.count("findings", "errors"), doc.count("findings", "warnings"),
                         doc.count("findings", "infos"),
                         {str(code): doc.count(code, data=by_code) for code in sorted(by_code)})
