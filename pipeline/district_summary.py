"""A district's summary.json as `jiekun rollup` reads it: through summary_model, the model its writer uses, then the
checks that tie its fields together.

The city adds the districts up, so one district's slip (a negative amount, items that do not add up, the task list
repeated) would quietly distort the city's figures. Nothing is merged until the whole file has passed; a refusal is
one sentence naming the file and the field path, such as benefits.by_unit[3].amount.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from .benefits import ITEMS_OF
from .city import avg_subsidy
from .errors import StopRun
from .money import fmt_grouped
from .summary_model import Benefits, Paid, Summary
from .typed_json import Constant, Node, decode, described, object_pairs, shown
from .vocab import Item, Submission

MAX_BYTES = 64 * 1024 * 1024    # a district's summary is tens of KB; the cap keeps a hostile file out of memory


def read_summary(path: Path, tasks: frozenset[int]) -> Summary:
    """Read one district's summary.json and check it against the contract and the matrix's task numbers."""
    file = str(path)
    data = _load(path, file)
    if not isinstance(data, dict):
        raise refusal(file, f"的内容是{described(data)}，不是 JSON 对象")
    if "districts" in data:
        raise StopRun(f"{file} 是市级汇总的输出，不是某个区的季度输出；请列出各区 output/<季度>/ 文件夹。")
    root = Node(data, "", lambda problem: refusal(file, problem))
    summary: Summary = decode(root, Summary)
    _check_units(summary, root)
    _check_tasks(summary, root, tasks)
    _check_benefits(summary.benefits, root.field("benefits"))
    _check_findings(summary, root)
    return summary


def refusal(file: str, problem: str) -> StopRun:
    """Return the one sentence that refuses a district's summary for `problem`."""
    return StopRun(f"{file} {problem}，该区的汇总结果不可信，已停止；请让该区重新运行 jiekun run 后再报送。")


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
        return json.loads(text, parse_float=Decimal, parse_constant=Constant, object_pairs_hook=object_pairs)
    except json.JSONDecodeError as exc:
        raise refusal(file, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}），可能已损坏") from None
    except (ValueError, RecursionError):
        # Python refuses integers of thousands of digits, and nesting deeper than its stack.
        raise refusal(file, "不是有效的 JSON（数字位数过多或嵌套过深）") from None


# --- the checks that tie the fields together -------------------------------------------------------------------

def _check_units(summary: Summary, root: Node) -> None:
    seen: dict[str, str] = {}
    for u, node in zip(summary.units, root.field("units").elements()):
        name = node.field("unit")
        if u.unit in seen:
            raise name.refuse(f"为 {shown(u.unit)}，与 {seen[u.unit]} 重复，每个单位只能列一次")
        seen[u.unit] = node.path
        if u.submitted is not (u.submission is not Submission.MISSING):
            raise node.field("submitted").refuse(f"为 {shown(u.submitted)}，与 submission（{u.submission.value}）矛盾")
        expected = None if u.submission is Submission.MISSING else u.submission is Submission.ON_TIME
        if u.on_time is not expected:
            raise node.field("on_time").refuse(f"为 {shown(u.on_time)}，与 submission（{u.submission.value}）矛盾")


def _check_tasks(summary: Summary, root: Node, matrix: frozenset[int]) -> None:
    seen: dict[int, str] = {}
    tasks = root.field("tasks")
    for t, node in zip(summary.tasks, tasks.elements()):
        number = node.field("task")
        if t.task not in matrix:
            raise number.refuse(f"为第{t.task}条，任务分工表（matrix.toml）中没有这一条")
        if t.task in seen:
            raise number.refuse(f"为第{t.task}条，与 {seen[t.task]} 重复，每条任务只能列一次")
        seen[t.task] = node.path
    if len(summary.tasks) != len(matrix):
        absent = "、".join(str(n) for n in sorted(matrix - seen.keys())[:10])
        raise tasks.refuse(f"列了 {len(summary.tasks)} 条任务，任务分工表（matrix.toml）有 {len(matrix)} 条"
                           + (f"，缺第{absent}条" if absent else ""))


def _check_benefits(b: Benefits, node: Node) -> None:
    seen: dict[tuple, str] = {}
    for row, r in zip(b.by_unit, node.field("by_unit").elements()):
        _check_paid(row, r)
        if (row.unit, row.category) in seen:
            raise r.refuse(f"与 {seen[row.unit, row.category]} 同为 {shown(row.unit)} 的{row.category.value}，"
                           "同一单位同一类别只能列一行")
        seen[row.unit, row.category] = r.path
    rows = b.by_unit
    _agree(node.field("total"), b.total_fen, sum(r.amount_fen for r in rows), "各行金额之和", money=True)
    _agree(node.field("gap"), b.gap_fen, sum(r.items.get(Item.GAP, 0) for r in rows), "各行差额之和", money=True)
    for key in ("households", "persons", "person_months"):
        _agree(node.field(key), getattr(b, key), sum(getattr(r, key) for r in rows), f"各行 {key} 之和")
    months = node.field("gap_person_months")
    paid = sum(r.person_months for r in rows if Item.GAP in ITEMS_OF[r.category])
    if b.gap_person_months > paid:
        raise months.refuse(f"为 {b.gap_person_months}，多于低保和支出型的人月数 {paid}")
    if (b.gap_fen > 0) != (b.gap_person_months > 0):
        raise months.refuse(f"为 {b.gap_person_months}，与差额 {fmt_grouped(b.gap_fen)} 元矛盾")
    avg = node.field("avg_subsidy_per_person")
    if b.avg_subsidy_fen != avg_subsidy(b.gap_fen, b.gap_person_months):
        raise avg.refuse(f"为 {shown(avg.value)}，与 gap ÷ gap_person_months 对不上")


def _agree(field: Node, stated: int, summed: int, what: str, *, money: bool = False) -> None:
    """Refuse a stated total that is not the sum of the by_unit rows."""
    if stated != summed:
        said, added = (f"{fmt_grouped(stated)} 元", f"{fmt_grouped(summed)} 元") if money else (stated, f"{summed} ")
        raise field.refuse(f"为 {said}，与 by_unit {what} {added}不符")


def _check_paid(row: Paid, r: Node) -> None:
    if row.households > row.persons:
        raise r.field("households").refuse(f"为 {row.households}，多于 persons（{row.persons}）")
    if not row.persons <= row.person_months <= 3 * row.persons:
        raise r.field("person_months").refuse(f"为 {row.person_months}，应在 persons（{row.persons}）与它的 3 倍之间")
    allowed = ITEMS_OF[row.category]
    for item in row.items:
        if item not in allowed:
            words = "、".join(i.value for i in Item if i in allowed)
            raise r.field("items").field(item.value).refuse(f"不是{row.category.value}的救助项目（只能是 {words}）")
    if sum(row.items.values()) != row.amount_fen:
        raise r.field("items").refuse(f"各项之和 {fmt_grouped(sum(row.items.values()))} 元与 amount "
                                      f"{fmt_grouped(row.amount_fen)} 元不符")


def _check_findings(summary: Summary, root: Node) -> None:
    f = summary.findings
    if sum(f.by_code.values()) != f.errors + f.warnings + f.infos:
        raise root.field("findings").field("by_code").refuse(
            f"各代码条数之和 {sum(f.by_code.values())} 与 errors、warnings、infos 之和 {f.errors + f.warnings + f.infos} 不符")
