"""A district's summary.json as `jiekun rollup` reads it: one typed reader that holds every field to the contract.

The city adds the districts up, so one district's slip (a negative amount, items that do not add up, the task list
repeated) would quietly distort the city's figures. Nothing is merged until the whole file has passed; a refusal is
one sentence naming the file and the field path, such as benefits.by_unit[3].amount.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from .benefits import ITEMS_OF
from .city import FindingCounts, avg_subsidy
from .errors import StopRun
from .money import fmt_grouped
from .period import Period
from .vocab import Category, Item, Light, Status, Submission

MAX_BYTES = 64 * 1024 * 1024    # a district's summary is tens of KB; the cap keeps a hostile file out of memory
# Far above any district's quarter, and low enough that the city's sums stay exact in int64 fen and in a float.
MAX_YUAN = Decimal(10) ** 12
MAX_COUNT = 10 ** 9
MAX_TEXT = 200                  # names and labels; a longer one would swamp the city's tables
MAX_ENTRIES = 10_000            # a district lists tens of units, 59 tasks, a few dozen codes
CENT = Decimal("0.01")
_PERIOD = re.compile(r"\d{4}Q[1-4]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class UnitEntry:
    unit: str
    kind: str
    submission: Submission
    submitted_on: date | None


@dataclass(frozen=True)
class TaskEntry:
    task: int
    category: str
    light: Light
    status_counts: dict[Status, int]


@dataclass(frozen=True)
class BenefitEntry:
    """One by_unit row: what one unit paid one category, money in fen."""

    unit: str
    category: Category
    households: int
    persons: int
    person_months: int
    amount_fen: int
    items: dict[Item, int]


@dataclass(frozen=True)
class Benefits:
    by_unit: tuple[BenefitEntry, ...]
    total_fen: int
    gap_fen: int
    gap_person_months: int
    avg_subsidy_fen: int | None
    avg_subsidy_floor_fen: int | None


@dataclass(frozen=True)
class DistrictSummary:
    """The fields of one district's summary.json that the city relies on, each checked against the contract."""

    file: str
    period: Period
    district: str
    office: str
    units: tuple[UnitEntry, ...]
    tasks: tuple[TaskEntry, ...]
    benefits: Benefits
    findings: FindingCounts


def read_summary(path: Path, tasks: frozenset[int]) -> DistrictSummary:
    """Read one district's summary.json and check it against the contract and the matrix's task numbers."""
    file = str(path)
    data = _load(path, file)
    if not isinstance(data, dict):
        raise refusal(file, f"的内容是{_described(data)}，不是 JSON 对象")
    if "districts" in data:
        raise StopRun(f"{file} 是市级汇总的输出，不是某个区的季度输出；请列出各区 output/<季度>/ 文件夹。")
    return _summary(_Node(data, "", file), tasks)


def refusal(file: str, problem: str) -> StopRun:
    """Return the one sentence that refuses a district's summary for `problem`."""
    return StopRun(f"{file} {problem}，该区的汇总结果不可信，已停止；请让该区重新运行 jiekun run 后再报送。")


# --- decoding ---------------------------------------------------------------------------------------------------

class _Constant:
    """A NaN or Infinity literal, kept as written so that the field holding it can be named."""

    def __init__(self, text: str):
        self.text = text


class _Object(dict):
    """A JSON object that remembers the first key written twice (readers would disagree on which value counts)."""

    duplicate: str | None = None


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def _load(path: Path, file: str) -> object:
    """Parse the file, at most MAX_BYTES of UTF-8, money as exact decimals."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise StopRun(f"无法读取 {file}（{exc.strerror}），请检查文件权限。") from exc
    if len(raw) > MAX_BYTES:
        raise refusal(file, f"超过 {MAX_BYTES >> 20} MB，不像是 jiekun 写出的 summary.json")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refusal(file, f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起无法解码）") from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_Constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise refusal(file, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}），可能已损坏") from None
    except (ValueError, RecursionError):
        # Python refuses integers of thousands of digits, and nesting deeper than its stack.
        raise refusal(file, "不是有效的 JSON（数字位数过多或嵌套过深）") from None


def _shown(value: object, limit: int = 40) -> str:
    """Quote a value for a message: JSON-escaped, so control characters stay visible, and cut short."""
    if isinstance(value, _Constant):
        return value.text
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        text = text[1:-1]
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"“{text}”" if isinstance(value, str) else text


def _described(value: object) -> str:
    """Say what a JSON value is, in the words of a clerk: 文字 "12", 列表, true."""
    if value is None:
        return "null（空值）"
    if isinstance(value, bool):
        return f"真假值 {_shown(value)}"
    if isinstance(value, _Constant):
        return f"{value.text}（不是有效数字）"
    if isinstance(value, str):
        return f"文字 {_shown(value)}"
    if isinstance(value, list):
        return f"列表（{len(value)}项）"
    if isinstance(value, dict):
        return "对象"
    return f"数字 {_shown(value)}"


class _Node:
    """One value of the document and the field path that reached it; its readers refuse anything off-contract."""

    def __init__(self, value: object, path: str, file: str):
        self.value, self.path, self.file = value, path, file

    def refuse(self, problem: str) -> StopRun:
        return refusal(self.file, f"中 {self.path} {problem}")

    def _expect(self, what: str) -> StopRun:
        return self.refuse(f"应是{what}，却是{_described(self.value)}")

    def members(self) -> dict:
        if not isinstance(self.value, dict):
            raise self._expect("对象")
        if getattr(self.value, "duplicate", None) is not None:
            raise self._child(self.value.duplicate, None).refuse("写了两次，无法确定该用哪一个")
        return self.value

    def _child(self, key: str, value: object) -> _Node:
        shown = key if key.isprintable() and len(key) <= 40 else _shown(key)
        return _Node(value, f"{self.path}.{shown}" if self.path else shown, self.file)

    def field(self, key: str) -> _Node:
        obj = self.members()
        if key not in obj:
            raise self._child(key, None).refuse("缺失")
        return self._child(key, obj[key])

    def entries(self) -> list[tuple[str, _Node]]:
        return [(key, self._child(key, value)) for key, value in self._bounded(self.members()).items()]

    def elements(self) -> list[_Node]:
        if not isinstance(self.value, list):
            raise self._expect("列表")
        return [_Node(v, f"{self.path}[{i}]", self.file) for i, v in enumerate(self._bounded(self.value))]

    def _bounded(self, value: dict | list) -> dict | list:
        if len(value) > MAX_ENTRIES:
            raise self.refuse(f"有 {len(value)} 项，超出合理范围")
        return value

    def text(self, *, blank: bool = True) -> str:
        if not isinstance(self.value, str):
            raise self._expect("文字")
        if not blank and not self.value.strip():
            raise self.refuse("为空")
        if len(self.value) > MAX_TEXT:
            raise self.refuse(f"有 {len(self.value)} 个字符，过长")
        return self.value

    def flag(self) -> bool | None:
        if self.value is not None and not isinstance(self.value, bool):
            raise self._expect("true、false 或 null")
        return self.value

    def count(self) -> int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._expect("整数")
        if value < 0:
            raise self.refuse(f"为负数（{value}）")
        if value > MAX_COUNT:
            raise self.refuse(f"为 {value}，超出合理范围")
        return value

    def fen(self) -> int:
        """Return a money amount in fen: a JSON number, not negative, with at most two decimals."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self._expect("金额（数字）")
        amount = Decimal(value)
        if abs(amount) > MAX_YUAN:
            raise self.refuse(f"为 {_shown(value)}，超出合理范围")
        # Compared exactly: the quantized amount has at most 15 digits, within Decimal's precision.
        if amount != amount.quantize(CENT):
            raise self.refuse(f"为 {_shown(value)}，金额最多两位小数")
        fen = int(amount * 100)
        if fen < 0:
            raise self.refuse(f"为负数（{fmt_grouped(fen)}）")
        return fen

    def fen_or_none(self) -> int | None:
        return None if self.value is None else self.fen()

    def day_or_none(self) -> date | None:
        if self.value is None:
            return None
        text = self.text()
        if _DAY.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:      # 2019-02-30
                pass
        raise self.refuse(f"为 {_shown(text)}，不是 2019-03-18 这样的日期")

    def one_of(self, enum: type[E]) -> E:
        text = self.text()
        try:
            return enum(text)
        except ValueError:
            raise self.refuse(f"为 {_shown(text)}，只能是 {'、'.join(e.value for e in enum)} 之一") from None


# --- the contract -----------------------------------------------------------------------------------------------

def _summary(root: _Node, tasks: frozenset[int]) -> DistrictSummary:
    period = root.field("period")
    if not _PERIOD.fullmatch(period.text()):
        raise period.refuse(f"为 {_shown(period.value)}，不是 2019Q1 这样的季度")
    return DistrictSummary(
        file=root.file, period=Period.parse(period.value), district=root.field("district").text(blank=False),
        office=root.field("office").text(), units=_units(root.field("units")), tasks=_tasks(root.field("tasks"), tasks),
        benefits=_benefits(root.field("benefits")), findings=_findings(root.field("findings")))


def _units(node: _Node) -> tuple[UnitEntry, ...]:
    out, seen = [], {}
    for u in node.elements():
        name = u.field("unit")
        if name.text(blank=False) in seen:
            raise name.refuse(f"为 {_shown(name.value)}，与 {seen[name.value]} 重复，每个单位只能列一次")
        seen[name.value] = u.path
        submission = u.field("submission").one_of(Submission)
        submitted, on_time = u.field("submitted"), u.field("on_time")
        if submitted.flag() is not (submission is not Submission.MISSING):
            raise submitted.refuse(f"为 {_shown(submitted.value)}，与 submission（{submission.value}）矛盾")
        expected = None if submission is Submission.MISSING else submission is Submission.ON_TIME
        if on_time.flag() is not expected:
            raise on_time.refuse(f"为 {_shown(on_time.value)}，与 submission（{submission.value}）矛盾")
        for key in ("assigned_tasks", "reported_tasks"):
            u.field(key).count()
        for key in ("missing_tasks", "unexpected_tasks"):
            for n in u.field(key).elements():
                n.count()
        out.append(UnitEntry(name.value, u.field("kind").text(), submission, u.field("submitted_on").day_or_none()))
    return tuple(out)


def _tasks(node: _Node, matrix: frozenset[int]) -> tuple[TaskEntry, ...]:
    out, seen = [], {}
    for t in node.elements():
        number = t.field("task")
        if number.count() not in matrix:
            raise number.refuse(f"为第{number.value}条，任务分工表（matrix.toml）中没有这一条")
        if number.value in seen:
            raise number.refuse(f"为第{number.value}条，与 {seen[number.value]} 重复，每条任务只能列一次")
        seen[number.value] = t.path
        counts = {}
        for key, n in t.field("status_counts").entries():
            if key not in {s.value for s in Status}:
                raise n.refuse(f"不是完成状态（只能是 {'、'.join(Status)}）")
            counts[Status(key)] = n.count()
        for n in t.field("units_missing").elements():
            n.text()
        out.append(TaskEntry(number.value, t.field("category").text(blank=False), t.field("light").one_of(Light),
                             counts))
    if len(out) != len(matrix):
        absent = "、".join(str(n) for n in sorted(matrix - seen.keys())[:10])
        raise node.refuse(f"列了 {len(out)} 条任务，任务分工表（matrix.toml）有 {len(matrix)} 条"
                          + (f"，缺第{absent}条" if absent else ""))
    return tuple(out)


def _benefits(node: _Node) -> Benefits:
    rows, seen = [], {}
    for r in node.field("by_unit").elements():
        row = _benefit_row(r)
        key = (row.unit, row.category)
        if key in seen:
            raise r.refuse(f"与 {seen[key]} 同为 {_shown(row.unit)} 的{row.category.value}，同一单位同一类别只能列一行")
        seen[key] = r.path
        rows.append(row)
    total, gap = node.field("total"), node.field("gap")
    _agree(total, total.fen(), sum(r.amount_fen for r in rows), "各行金额之和", money=True)
    _agree(gap, gap.fen(), sum(r.items.get(Item.GAP, 0) for r in rows), "各行差额之和", money=True)
    gap_fen = gap.fen()
    for key in ("households", "persons", "person_months"):
        field = node.field(key)
        _agree(field, field.count(), sum(getattr(r, key) for r in rows), f"各行 {key} 之和")
    months = node.field("gap_person_months")
    paid = sum(r.person_months for r in rows if Item.GAP in ITEMS_OF[r.category])
    if months.count() > paid:
        raise months.refuse(f"为 {months.value}，多于低保和支出型的人月数 {paid}")
    if (gap_fen > 0) != (months.value > 0):
        raise months.refuse(f"为 {months.value}，与差额 {fmt_grouped(gap_fen)} 元矛盾")
    avg = node.field("avg_subsidy_per_person")
    if avg.fen_or_none() != avg_subsidy(gap_fen, months.value):
        raise avg.refuse(f"为 {_shown(avg.value)}，与 gap ÷ gap_person_months 对不上")
    return Benefits(tuple(rows), total.fen(), gap_fen, months.value, avg.fen_or_none(),
                    node.field("avg_subsidy_floor").fen_or_none())


def _agree(field: _Node, stated: int, summed: int, what: str, *, money: bool = False) -> None:
    """Refuse a stated total that is not the sum of the by_unit rows."""
    if stated != summed:
        said, added = (f"{fmt_grouped(stated)} 元", f"{fmt_grouped(summed)} 元") if money else (stated, f"{summed} ")
        raise field.refuse(f"为 {said}，与 by_unit {what} {added}不符")


def _benefit_row(r: _Node) -> BenefitEntry:
    category = r.field("category").one_of(Category)
    households, persons, months = (r.field(k) for k in ("households", "persons", "person_months"))
    if households.count() > persons.count():
        raise households.refuse(f"为 {households.value}，多于 persons（{persons.value}）")
    if not persons.value <= months.count() <= 3 * persons.value:
        raise months.refuse(f"为 {months.value}，应在 persons（{persons.value}）与它的 3 倍之间")
    items: dict[Item, int] = {}
    for key, value in r.field("items").entries():
        if key not in {i.value for i in ITEMS_OF[category]}:
            allowed = "、".join(i.value for i in Item if i in ITEMS_OF[category])
            raise value.refuse(f"不是{category.value}的救助项目（只能是 {allowed}）")
        items[Item(key)] = value.fen()
    amount = r.field("amount")
    if sum(items.values()) != amount.fen():
        raise r.field("items").refuse(f"各项之和 {fmt_grouped(sum(items.values()))} 元与 amount "
                                      f"{fmt_grouped(amount.fen())} 元不符")
    return BenefitEntry(r.field("unit").text(blank=False), category, households.value, persons.value, months.value,
                        amount.fen(), items)


def _findings(node: _Node) -> FindingCounts:
    errors, warnings, infos = (node.field(k).count() for k in ("errors", "warnings", "infos"))
    by_code = {}
    for code, n in node.field("by_code").entries():
        if not _CODE.fullmatch(code):
            raise n.refuse("不是问题代码（小写字母加连字符）")
        by_code[code] = n.count()
    if sum(by_code.values()) != errors + warnings + infos:
        raise node.field("by_code").refuse(f"各代码条数之和 {sum(by_code.values())} 与 errors、warnings、infos 之和 "
                                           f"{errors + warnings + infos} 不符")
    return FindingCounts(errors, warnings, infos, dict(sorted(by_code.items())))
