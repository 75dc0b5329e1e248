"""Findings: every problem the run sees, as data with a stable code."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace

from .privacy import mask_ids
from .vocab import Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    fix: str            # may name {deadline} and {task_count}, which the office's config and matrix decide

    def fix_text(self, deadline: str, task_count: int) -> str:
        """Return the fix sentence with the configured deadline and the matrix's task count filled in."""
        return self.fix.format(deadline=deadline, task_count=task_count)


# The stable catalogue. `fix` is the one sentence a unit reads on how to put it right.
CODES: dict[str, Code] = {c.code: c for c in (
    Code("unreadable-file", ERROR, "文件无法打开", "请用 Excel 或 WPS 打开确认文件完好、未加密，另存为 .xlsx 后重新报送。"),
    Code("not-a-file", ERROR, "不是普通文件", "请把报表文件本身复制进季度文件夹（不要放链接、快捷方式、文件夹或特殊文件），然后重新运行。"),
    Code("too-many-sheets", ERROR, "工作表过多", "请删去多余的工作表，或把报表拆成几个文件分别报送。"),
    Code("unknown-sheet", INFO, "无法识别的工作表", "如该表是进展情况表或救助对象台账，请使用标准表头（见填报说明）；说明类工作表可忽略。"),
    Code("unknown-unit", ERROR, "无法识别填报单位", "请在表头上方写明“填报单位：XX镇/XX局”，使用单位规范名称。"),
    Code("missing-column", ERROR, "缺少必填列", "请按标准表格补上该列后重新报送。"),
    Code("bad-value", ERROR, "数值无法识别", "请按填报说明改正该单元格的写法（数字、日期或状态用语）。"),
    Code("missing-submission", ERROR, "未报送进展情况", "请于{deadline}报送本单位进展情况表。"),
    Code("late-submission", WARNING, "逾期报送", "请于{deadline}报送，下季度按时报送。"),
    Code("missing-task", ERROR, "漏报任务", "请补报本单位牵头或负责的该项任务进展。"),
    Code("unexpected-task", WARNING, "报送了非本单位任务", "请核对任务分工，该项不属于本单位，如确有工作可在进展情况中说明。"),
    Code("unknown-task", ERROR, "任务编号不存在", "请按《重点任务分工方案》的1–{task_count}条编号填写任务编号。"),
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
    Code("moved-without-stop", ERROR, "人员转入他处未停发",
         "该人员已转入其他单位并由其发放，请在本单位台账中填写停发年月（转入单位开始发放的月份），并追回重复发放的资金。"),
    Code("moved-in", INFO, "转入人员原单位未停发",
         "该人员由原单位转入，原单位尚未停发、已通知其改正；请核实本单位的享受起始年月，无需删除本单位记录。"),
    Code("stale-progress", WARNING, "进展未更新",
         "请按本季度实际情况填写进展情况和完成进度：删去“（上季度）”字样，不要照抄上季度的内容，“推进中”的任务要填完成进度，改好后重新报送。"),
    Code("rows-unaccounted", ERROR, "读取行数核对不符",
         "有的行读取后既未采用、也未列入问题或说明行，请把此文件发给维护人员核查；该文件的汇总数可能不完整。"),
    Code("outside-table", ERROR, "表格之外的记录",
         "这些行在表头上方或表格右侧，没有读取；请把它们移到表格中，与表头各列对齐后重新报送。"),
    Code("missing-header", ERROR, "找不到表头",
         "请在数据上方加上标准表头（救助对象台账：户编号、姓名、公民身份号码……；进展情况表：任务编号、完成状态……）后重新报送。"),
    Code("unknown-folder", WARNING, "无法识别的季度文件夹",
         "输入目录中这个文件夹的名字看不出是哪个季度，其中的报表未读取；请改名为 2019Q3 或 2019年第三季度 这样的名字后重新运行。"),
    Code("total-mismatch", WARNING, "合计行与明细不符", "请核对合计行的数字与上方各行明细之和，改正合计数或有误的明细后重新报送。"),
)}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    unit: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    # The sheet rows (as Excel shows them) this finding leaves out of the computation; empty when it leaves none.
    left_out: tuple[int, ...] = ()

    @property
    def rank(self) -> tuple:
        """Sort key: severity, unit, file, sheet, row, code."""
        return (SEVERITY_ORDER[self.severity], self.unit, self.file, self.sheet, self.row or 0, self.code)


COLUMNS = [f.name for f in fields(Finding) if f.name != "left_out"]
CSV_COLUMNS = ["code", "severity", "unit", "file", "sheet", "row", "column", "message", "value"]


def finding(code: str, message: str, **where) -> Finding:
    """Build a finding with the catalogue's severity for `code`."""
    value = where.pop("value", "")
    # Masked here as well as at the output edge, so no finding ever carries a full ID.
    return Finding(code=code, severity=CODES[code].severity, message=mask_ids(message),
                   value="" if value is None else mask_ids(str(value)), **where)


# Past this many findings of one code in one file, a list is no help to the clerk and only costs memory: they become
# one summary finding. The summary names the first rows and keeps every row it leaves out, for the accounting.
PER_FILE_AND_CODE = 10_000
_ROWS_NAMED = 20


class Flood:
    """Keep a stream of findings, folding the findings of any one file and code past the cap into one summary.

    Memory stays bounded by the cap times the codes seen, however many findings arrive; each finding may carry a
    slot (a sheet's index, say), and a summary takes the slot of its code's first finding.
    """

    def __init__(self, cap: int = PER_FILE_AND_CODE):
        self.cap = cap
        self.kept: list[tuple[object, Finding]] = []
        self.counts: Counter = Counter()
        self.first: dict[tuple[str, str], tuple[int, object, Finding]] = {}   # position in kept, slot, finding
        self.rows: dict[tuple[str, str], list[int]] = {}                        # rows named, once a key overflows
        self.left_out: dict[tuple[str, str], list[int]] = {}

    def add(self, item: Finding, slot: object = None) -> None:
        if not item.file:
            self.kept.append((slot, item))      # about a unit or the quarter: as many as there are units, no more
            return
        key = (item.file, item.code)
        self.counts[key] += 1
        n = self.counts[key]
        if n == 1:
            self.first[key] = (len(self.kept), slot, item)
        if n <= self.cap:
            self.kept.append((slot, item))
            return
        if n == self.cap + 1:
            # The key overflows: its kept findings are dropped when the stream ends; their rows are kept now.
            earlier = [f for _, f in self.kept if (f.file, f.code) == key]
            self.rows[key] = [f.row for f in earlier if f.row is not None][:_ROWS_NAMED]
            self.left_out[key] = [r for f in earlier for r in f.left_out]
        if item.row is not None and len(self.rows[key]) < _ROWS_NAMED:
            self.rows[key].append(item.row)
        self.left_out[key].extend(item.left_out)

    def slotted(self) -> list[tuple[object, Finding]]:
        """Return (slot, finding) for every finding kept, each overflowing key's summary where its first stood."""
        summaries = {self.first[key][0]: (self.first[key][1], self._summary(key)) for key in self.rows}
        out = []
        for i, (slot, item) in enumerate(self.kept):
            if i in summaries:
                out.append(summaries[i])
            elif (item.file, item.code) not in self.rows:
                out.append((slot, item))
        return out

    def findings(self) -> list[Finding]:
        return [item for _, item in self.slotted()]

    def _summary(self, key: tuple[str, str]) -> Finding:
        first = self.first[key][2]
        rows = "、".join(map(str, self.rows[key]))
        more = "等行" if self.counts[key] > len(self.rows[key]) else "行"
        where = f"，见第 {rows} {more}" if rows else ""
        return replace(first, message=f"本文件共有 {self.counts[key]} 条“{CODES[first.code].title}”问题，条数过多，"
                       f"合为这一条{where}；第一条为：{first.message}",
                       left_out=tuple(sorted(set(self.left_out[key]))))


def capped(findings) -> list[Finding]:
    """Return the findings with each file's findings of one code past the cap folded into one summary finding."""
    flood = Flood()
    for item in findings:
        flood.add(item)
    return flood.findings()


def ordered(findings) -> tuple[Finding, ...]:
    """Return findings in a stable order: severity, unit, file, sheet, row, code (ties keep their order)."""
    return tuple(sorted(findings, key=lambda f: f.rank))


@dataclass(frozen=True)
class Counts:
    """Findings counted once: by severity, by code, by unit and severity, and by unit and code."""

    errors: int
    warnings: int
    infos: int
    by_code: dict[str, int]
    by_unit: dict[str, dict[Severity, int]]
    by_unit_code: dict[str, dict[str, int]]      # codes in the findings' order
    units_of_code: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, findings) -> Counts:
        findings = list(findings)
        sev = Counter(f.severity for f in findings)
        by_unit: dict[str, dict[Severity, int]] = {}
        by_unit_code: dict[str, dict[str, int]] = {}
        units: dict[str, set[str]] = {}
        for f in findings:
            by_unit.setdefault(f.unit, {s: 0 for s in Severity})[f.severity] += 1
            codes = by_unit_code.setdefault(f.unit, {})
            codes[f.code] = codes.get(f.code, 0) + 1
            if f.unit:
                units.setdefault(f.code, set()).add(f.unit)
        return cls(sev[ERROR], sev[WARNING], sev[INFO], dict(sorted(Counter(f.code for f in findings).items())),
                   by_unit, by_unit_code, {c: tuple(sorted(u)) for c, u in units.items()})

    def of_unit(self, unit: str, severity: Severity) -> int:
        return self.by_unit.get(unit, {}).get(severity, 0)

    def codes_of(self, unit: str, severity: Severity, *, excluding: tuple[str, ...] = ()) -> dict[str, int]:
        """Count one unit's findings of one severity by code, leaving out `excluding`."""
        return {c: n for c, n in self.by_unit_code.get(unit, {}).items()
                if CODES[c].severity is severity and c not in excluding}
