"""Findings: every problem the run sees, as data with a stable code."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

from .cells import mask_ids

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str
    fix: str


# The stable catalogue. `fix` is the one sentence a unit reads on how to put it right.
CODES: dict[str, Code] = {c.code: c for c in (
    Code("unreadable-file", ERROR, "文件无法打开", "请用 Excel 或 WPS 打开确认文件完好、未加密，另存为 .xlsx 后重新报送。"),
    Code("not-a-file", ERROR, "不是普通文件", "请把报表文件本身复制进季度文件夹（不要放链接、快捷方式、文件夹或特殊文件），然后重新运行。"),
    Code("too-many-sheets", ERROR, "工作表过多", "请删去多余的工作表，或把报表拆成几个文件分别报送。"),
    Code("unknown-sheet", INFO, "无法识别的工作表", "如该表是进展情况表或救助对象台账，请使用标准表头（见填报说明）；说明类工作表可忽略。"),
    Code("unknown-unit", ERROR, "无法识别填报单位", "请在表头上方写明“填报单位：XX镇/XX局”，使用单位规范名称。"),
    Code("missing-column", ERROR, "缺少必填列", "请按标准表格补上该列后重新报送。"),
    Code("bad-value", ERROR, "数值无法识别", "请按填报说明改正该单元格的写法（数字、日期或状态用语）。"),
    Code("missing-submission", ERROR, "未报送进展情况", "请于季度末20日前报送本单位进展情况表。"),
    Code("late-submission", WARNING, "逾期报送", "请于每季度末20日前报送，下季度按时报送。"),
    Code("missing-task", ERROR, "漏报任务", "请补报本单位牵头或负责的该项任务进展。"),
    Code("unexpected-task", WARNING, "报送了非本单位任务", "请核对任务分工，该项不属于本单位，如确有工作可在进展情况中说明。"),
    Code("unknown-task", ERROR, "任务编号不存在", "请按《重点任务分工方案》的1–59条编号填写任务编号。"),
    Code("duplicate-task", WARNING, "同一任务重复填报", "请将同一任务的进展合并为一行，已按后一行采用。"),
    Code("duplicate-submission", WARNING, "重复报送", "本季度收到本单位多份进展情况表，已采用填报日期较晚的一份；请确认以哪份为准。"),
    Code("id-invalid", ERROR, "身份证号码有误", "请对照户口簿核对该身份证号码（18位，出生日期和末位校验码须正确）。"),
    Code("id-damaged", ERROR, "身份证号码被 Excel 改坏", "请把该列设为“文本”格式后重新录入完整的18位号码。"),
    Code("person-duplicate", ERROR, "人员重复", "同一身份证号码在本季度台账中出现多次，请核实后删除重复记录。"),
    Code("income-above-standard", WARNING, "收入不低于保障标准", "该户人均收入不低于低保标准，差额为0，请复核收入或办理停保。"),
    Code("standard-below-floor", ERROR, "执行标准低于方案下限", "请按方案要求调整执行标准，并在 config.toml 中写明依据。"),
    Code("avg-subsidy-below-floor", WARNING, "人均补差低于方案下限", "请核查低保对象收入核定和补差发放是否到位。"),
    Code("zero-employment", WARNING, "零就业家庭", "请落实就业援助，确保有劳动能力的零就业家庭至少1人就业（任务9）。"),
    Code("household-size-mismatch", WARNING, "家庭人口数与名单不符", "“家庭人口”与列出的成员人数不一致，请核对；已按列出的成员计发。"),
    Code("empty-file", INFO, "文件内容为空", "文件中所有工作表都是空的，请确认是否报送了正确的文件。"),
    Code("orphan-over-age", WARNING, "孤儿年龄超过18周岁", "该人员已年满18周岁，请核实孤儿身份或办理退出。"),
    Code("total-mismatch", WARNING, "合计行与明细不符", "请核对合计行的数字与上方各行明细之和，改正合计数或有误的明细后重新报送。"),
)}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    unit: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    @property
    def fix(self) -> str:
        return CODES[self.code].fix if self.code in CODES else ""


COLUMNS = [f.name for f in fields(Finding)]
CSV_COLUMNS = ["code", "severity", "unit", "file", "sheet", "row", "column", "message", "value"]


def finding(code: str, message: str, **where) -> Finding:
    """Build a finding with the catalogue's severity for `code`."""
    value = where.pop("value", "")
    # Masked here as well as at each call site, so no check can ever leak a full ID into a report.
    return Finding(code=code, severity=CODES[code].severity, message=mask_ids(message),
                   value="" if value is None else mask_ids(str(value)), **where)


def frame(findings: list[Finding]) -> pd.DataFrame:
    """Return findings as a frame in a stable order: severity, unit, file, row."""
    df = pd.DataFrame([asdict(f) for f in findings], columns=COLUMNS)
    rank = {ERROR: 0, WARNING: 1, INFO: 2}
    if df.empty:
        return df
    df["_rank"] = df["severity"].map(rank)
    df["_row"] = pd.to_numeric(df["row"], errors="coerce").fillna(0)
    df = df.sort_values(["_rank", "unit", "file", "sheet", "_row", "code"], kind="stable")
    df["row"] = df["row"].astype("Int64")
    return df.drop(columns=["_rank", "_row"]).reset_index(drop=True)
