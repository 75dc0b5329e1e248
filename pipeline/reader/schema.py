"""The columns clerks write, mapped once to snake_case fields; and back to Chinese labels for rendering."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PROGRESS, ROSTER = "progress", "roster"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    level: str = "row"
    required: bool = False


PROGRESS_FIELDS = (
    Field("task", "任务编号", ("序号", "编号", "任务序号", "条目编号", "任务号"), required=True),
    Field("category", "工作任务", ("任务类别", "工作类别")),
    Field("measure", "政策措施", ("具体措施", "任务内容", "重点任务")),
    Field("status", "完成状态", ("状态", "进展状态", "推进状态", "完成情况状态"), required=True),
    Field("progress", "完成进度", ("进度", "完成比例", "完成率", "进度（%）")),
    Field("progress_text", "进展情况", ("工作进展", "进展情况说明", "推进情况", "工作开展情况", "完成情况说明")),
    Field("problems", "存在问题", ("问题", "困难和问题", "存在的问题", "存在困难")),
    Field("next_steps", "下步计划", ("下一步计划", "下步工作", "下步打算", "下一步工作打算")),
    Field("beneficiaries", "惠及人数", ("受益人数", "惠及人次", "惠及群众", "惠及人数（人）", "受益群众")),
    Field("funds", "投入资金（万元）", ("投入资金", "资金投入", "投入资金万元", "投入资金额", "资金投入（万元）")),
)

ROSTER_FIELDS = (
    Field("household_no", "户编号", ("户号", "家庭编号"), level="household"),
    Field("name", "姓名", ("成员姓名", "家庭成员姓名"), level="person", required=True),
    Field("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码", "公民身份证号码"), level="person", required=True),
    Field("relation", "与户主关系", ("关系", "与户主的关系"), level="person"),
    Field("unit", "所属镇街", ("镇（街道）", "乡镇街道", "街道", "镇街", "乡镇（街道）", "所属乡镇"), level="household"),
    Field("community", "社区", ("社区（村）", "居委会", "村（社区）", "所属社区"), level="household"),
    Field("category", "救助类别", ("保障类别", "类别", "救助类型", "对象类别", "保障类型", "救助对象类别"), level="household", required=True),
    Field("income", "家庭月人均收入", ("月人均收入", "人均月收入", "家庭人均月收入"), level="household"),
    Field("rigid_spending", "家庭月刚性支出", ("刚性支出", "月刚性支出"), level="household"),
    Field("household_size", "家庭人口", ("家庭人口数", "户人口", "保障人口", "保障人数", "家庭人数", "家庭成员数"), level="household"),
    Field("disability_grade", "残疾等级", ("残疾级别",), level="person"),
    Field("care_need", "失能情况", ("自理能力", "失能等级"), level="person"),
    Field("support_mode", "供养方式", ("供养形式",), level="person"),
    Field("work_ability", "劳动能力", ("有无劳动能力",), level="person"),
    Field("employment", "就业状况", ("就业情况", "就业状态"), level="person"),
    Field("orphan", "孤儿", ("是否孤儿",), level="person"),
    Field("start_month", "享受起始年月", ("起始年月", "纳入时间", "享受起始时间", "纳入年月", "享受时间", "纳入保障时间", "享受年月"),
          level="household", required=True),
    Field("stop_month", "停发年月", ("退出年月", "停发时间", "退出时间", "停保年月", "停保时间"), level="household"),
)

SCHEMAS = {PROGRESS: PROGRESS_FIELDS, ROSTER: ROSTER_FIELDS}
LABELS = {f.name: f.label for fields in SCHEMAS.values() for f in fields}

_BRACKETED = re.compile(r"[（(][^）)]*[)）]$")
_NOISE = re.compile(r"[\s*※★:：]+")


def header_key(text: object) -> str:
    """Fold a header cell to a comparable key: width, spaces, line breaks and * markers removed."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _NOISE.sub("", s)
    # NFKC folds full-width brackets to ASCII; fold back so both spellings compare equal.
    return s.replace("(", "（").replace(")", "）")


def _lookup(fields: tuple[Field, ...]) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for f in fields:
        for rank, text in enumerate((f.label, *f.aliases)):
            table[header_key(text)] = (f.name, min(rank, 1))
    return table


_LOOKUPS = {kind: _lookup(fields) for kind, fields in SCHEMAS.items()}


@lru_cache(maxsize=4096)
def match_header(kind: str, header: str) -> tuple[str, int] | None:
    """Return (field, rank) a header cell names: rank 0 for the standard label, 1 for an alias."""
    key = header_key(header)
    if not key:
        return None
    table = _LOOKUPS[kind]
    if key in table:
        return table[key]
    return table.get(_BRACKETED.sub("", key))


def required(kind: str) -> tuple[Field, ...]:
    return tuple(f for f in SCHEMAS[kind] if f.required)
