"""The workbook and the HTML report render one hand-built Context faithfully, safely and with personal data masked."""
from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from jinja2 import UndefinedError

from pipeline.config import load_config
from pipeline.context import (
    BenefitRow,
    CellState,
    Context,
    Headline,
    InputRow,
    LightCounts,
    StandardRow,
    TaskState,
    UnitReport,
    echo_masked,
    money_sum,
)
from pipeline.findings import CODES, Counts, finding, ordered
from pipeline.ids import check_char
from pipeline.matrix import load_matrix
from pipeline.money import fmt_grouped, yuan
from pipeline.period import Period
from pipeline.privacy import Masker, mask_id, mask_ids, mask_name
from pipeline.report.excel import MATRIX_LEGEND, sheet_title, write_workbook
from pipeline.report.html import render_html
from pipeline.report.labels import cn_number
from pipeline.report.pages import bar_chart_svg, pct, stacked_bar_svg, yuan_text
from pipeline.report.wording import reason_lines
from pipeline.vocab import ITEM_FIELDS, Category, CellReason, Item, Light, Role, Status, Submission, TaskReason

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
UNITS = ("湖坊镇", "区民政局", "区财政局")
FORMULA_NAME = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
# A literal rule: the renderers print whatever rule text the context carries.
LIGHT_RULE = "红：未报送或“未启动”；黄：进度落后或存在问题；绿：其余。"
SHEETS = ["总览", "任务进展", "进展汇编", "单位报送", "资金测算", "变动情况", "对象明细", "问题清单", "读取核对"]
ROSTER_FILE = "湖坊镇-救助对象台账-2019Q2.xlsx"


def make_id(born: str, seq: int) -> str:
    body = f"360111{born}{seq:03d}"
    return body + check_char(body)


HEAD_ID, CHILD_ID, TEKUN_ID = make_id("19700101", 11), make_id("20050202", 12), make_id("19400303", 21)


def _cell(task: int, unit: str, role: Role) -> CellState:
    """Give every assigned cell a state; 湖坊镇 leaves task 7 unreported and has not started task 30; task 2 has a problem."""
    if (unit, task) == ("湖坊镇", 7):
        return CellState(task, unit, role, False, None, None, Light.RED, CellReason.NOT_REPORTED, None, "")
    if (unit, task) == ("湖坊镇", 30):
        return CellState(task, unit, role, True, Status.NOT_STARTED, 0.0, Light.RED, CellReason.NOT_STARTED, None, "")
    status = Status.DONE if task % 5 == 0 else Status.IN_PROGRESS
    if task == 2:
        return CellState(task, unit, role, True, status, 60.0, Light.YELLOW, CellReason.PROBLEMS_REPORTED, None,
                         f"资金缺口，户主{HEAD_ID}外出")
    reason = CellReason.DONE if status is Status.DONE else CellReason.ON_SCHEDULE
    return CellState(task, unit, role, True, status, 100.0 if status is Status.DONE else 60.0, Light.GREEN, reason,
                     None, "")


def _tasks(matrix) -> list[TaskState]:
    out = []
    for t in matrix.tasks:
        cells = tuple(_cell(t.number, u, Role.LEAD if u in t.lead else Role.RESPONSIBLE) for u in t.units if u in UNITS)
        lights = {c.light for c in cells}
        light = Light.RED if Light.RED in lights else (Light.YELLOW if Light.YELLOW in lights else Light.GREEN)
        reason = {Light.RED: TaskReason.SHARE_RED, Light.YELLOW: TaskReason.SHARE_NOT_GREEN}.get(light, TaskReason.ALL_GREEN)
        out.append(TaskState(t.number, t.category, t.measure, t.lead, t.responsible, t.note, light, reason,
                             {s: sum(c.status is s for c in cells) for s in Status}, len(cells),
                             sum(c.reported for c in cells), cells))
    return out


def _units(matrix, tasks: list[TaskState]) -> list[UnitReport]:
    dates = {"湖坊镇": date(2019, 6, 18), "区民政局": date(2019, 6, 24), "区财政局": None}
    states = {"湖坊镇": Submission.ON_TIME, "区民政局": Submission.LATE, "区财政局": Submission.MISSING}
    out = []
    for rank, name in enumerate(UNITS, 1):
        assigned = matrix.tasks_of(name)
        cells = [c for t in tasks for c in t.cells if c.unit == name]
        on = dates[name]
        reported = sum(c.reported for c in cells) if on else 0
        out.append(UnitReport(
            unit=name, kind="town" if name == "湖坊镇" else "department", submission=states[name], submitted_on=on,
            days_late=4 if name == "区民政局" else 0, file=f"{name}-2019Q2进展情况.xlsx" if on else "",
            assigned_tasks=len(assigned), reported_tasks=reported,
            missing_tasks=tuple(c.task for c in cells if not c.reported) if on else tuple(assigned),
            unexpected_tasks=(23,) if name == "湖坊镇" else (),
            lights=LightCounts(**{k.value: sum(c.light is k for c in cells) for k in Light}), rank=rank))
    return out


def _benefit(unit: str, category: Category, hh: int, persons: int, items: dict) -> BenefitRow:
    full = {i: items.get(i, 0) for i in Item}
    return BenefitRow(hh, persons, 3 * persons, full, sum(full.values()), unit, category)


def _persons() -> pd.DataFrame:
    rows = [
        {"unit": "湖坊镇", "community": "东社区", "household_no": "HF001", "name": "张三丰", "id_number": HEAD_ID,
         "id_status": "ok", "id_reason": "", "relation": "户主", "category": "低保", "months_paid": 3,
         "gap_fen": 222000, "living_allowance_fen": 18000, "care_allowance_fen": 0},
        {"unit": "湖坊镇", "community": "东社区", "household_no": "HF001", "name": SCRIPT, "id_number": CHILD_ID,
         "id_status": "ok", "id_reason": "", "relation": "子女", "category": "低保", "months_paid": 3,
         "gap_fen": 0, "living_allowance_fen": 0, "care_allowance_fen": 0},
        {"unit": "湖坊镇", "community": "西社区", "household_no": "HF002", "name": FORMULA_NAME, "id_number": TEKUN_ID,
         "id_status": "ok", "id_reason": "", "relation": "户主", "category": "特困", "months_paid": 3,
         "tekun_fen": 261000, "care_fee_fen": 403200, "care_allowance_fen": 21000},
    ]
    df = pd.DataFrame(rows)
    for col in ITEM_FIELDS.values():
        df[col] = df[col].fillna(0).astype("int64") if col in df else 0
    df["amount_fen"] = df[list(ITEM_FIELDS.values())].sum(axis=1)
    df["explanation"] = ["差额 (670 − 300.00) × 2人 × 3个月 = 2220.00", "差额 (670 − 300.00) × 2人 × 3个月 = 2220.00",
                         "特困供养 870 × 1人 × 3个月 = 2610.00"]
    df["file"] = ROSTER_FILE
    df["row"] = [4, 5, 6]
    return df


def _findings() -> tuple:
    where = {"unit": "湖坊镇", "file": ROSTER_FILE, "sheet": "台账"}
    found = [
        finding("id-invalid", "身份证号码末位校验码不对。", row=9, column="公民身份号码", value=mask_id(HEAD_ID), **where),
        finding("person-duplicate", f"身份证号码 {TEKUN_ID} 重复列入台账。", row=6, column="公民身份号码", value="", **where),
        finding("bad-value", f"完成状态“{SCRIPT}”无法识别。", unit="区民政局", file="区民政局.xlsx", sheet="进展", row=12,
                column="完成状态", value=SCRIPT),
        finding("bad-value", f"残疾等级“{FORMULA_NAME}”无法识别。", row=7, column="残疾等级", value=FORMULA_NAME, **where),
        finding("bad-value", "收入写成了公式。", row=8, column="家庭月人均收入", value="@SUM(A1)", **where),
        finding("missing-submission", "区财政局本季度未报送进展情况表。", unit="区财政局"),
        finding("late-submission", "填报日期 2019-06-24，晚于报送截止日 2019-06-20（逾期4天）。", unit="区民政局",
                column="填报日期", value="2019-06-24"),
    ]
    # As context.build does: a value echoed from a roster cell that is a listed name is masked whatever its column.
    return ordered(echo_masked(f, {(ROSTER_FILE, "台账")}, frozenset(_persons()["name"])) for f in found)


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="module")
def ctx(config) -> Context:
    matrix = load_matrix(config.paths["matrix"], config.registry)
    tasks = _tasks(matrix)
    units = _units(matrix, tasks)
    benefits = [_benefit("湖坊镇", Category.DIBAO, 1, 2, {Item.GAP: 222000, Item.LIVING_ALLOWANCE: 18000}),
                _benefit("湖坊镇", Category.TEKUN, 1, 1, {Item.TEKUN: 261000, Item.CARE_FEE: 403200,
                                                         Item.CARE_ALLOWANCE: 21000}),
                _benefit("湖坊镇", Category.EXPENSE, 0, 0, {})]
    total = money_sum(benefits)
    findings = _findings()
    counts = Counts.of(findings)
    headline = Headline(3, 2, 1, 1, 1, len(tasks), *(sum(t.light is k for t in tasks) for k in Light), 2, 3, 9,
                        counts.errors, counts.warnings, counts.infos)
    dibao = config.parameters.for_period(Period(2019, 2))["dibao_standard"][0]
    standards = (StandardRow("dibao_standard", "城镇低保标准", "元/月", dibao.value, dibao.start, (4, 5, 6),
                             "湖城字〔2019〕1号 任务1", config.parameters.floor(2019, "dibao_standard").value),)
    inputs = (InputRow(ROSTER_FILE, "台账", "roster", "湖坊镇", 5, 3, 2),
              InputRow(f"{SCRIPT}.xlsx", "说明", "unknown", "", 0, 0, 0))
    return Context(
        period=Period(2019, 2), issued=date(2019, 7, 5), deadline=date(2019, 6, 20),
        deadline_text=config.deadline.text, office=config.office, plan_title=matrix.title,
        plan_document=matrix.document, task_count=len(matrix), headline=headline, units=tuple(units),
        tasks=tuple(tasks), benefits=tuple(benefits), benefit_units=(("湖坊镇", total),),
        benefit_categories=tuple((b.category, b) for b in benefits), total=total, avg_subsidy_fen=37000,
        avg_subsidy_floor_fen=44000, gap_person_months=6, standards=standards, findings=findings, counts=counts, inputs=inputs,
        light_rule=LIGHT_RULE, names=frozenset(_persons()["name"]), persons=_persons(), households=pd.DataFrame())


@pytest.fixture(scope="module")
def masker(ctx) -> Masker:
    return Masker(ctx.persons["name"])


@pytest.fixture(scope="module")
def workbook(ctx: Context, masker, tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("xlsx") / "调度报告-2019Q2.xlsx"
    write_workbook(ctx, path, masker)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def html(ctx: Context, masker) -> str:
    """The report as it leaves through the staging folder: rendered, then masked."""
    return masker(render_html(ctx, TEMPLATES))


def rows_of(ws) -> list[tuple]:
    """Return the data rows below the title and header rows."""
    return list(ws.iter_rows(min_row=3, values_only=True))


def column(ws, header: str) -> int:
    """Return the 1-based column whose header (row 2) is `header`."""
    return [c.value for c in ws[2]].index(header) + 1


def shown_fill(ws, cell) -> str | None:
    """Return the fill a text conditional format gives a cell, as Excel applies them: first matching rule wins."""
    for cf in ws.conditional_formatting:
        if cell.coordinate in cf.sqref:
            for rule in sorted(cf.rules, key=lambda r: r.priority):
                if rule.type == "containsText" and rule.text in str(cell.value or ""):
                    return rule.dxf.fill.bgColor.rgb
                if rule.type == "notContainsText" and rule.text not in str(cell.value or ""):
                    return rule.dxf.fill.bgColor.rgb
    return None


RED_FILL, YELLOW_FILL, GREEN_FILL = "FFFFC7CE", "FFFFEB9C", "FFC6EFCE"


# --- the office workbook -------------------------------------------------------------------------

def test_workbook_has_every_sheet_with_its_title_header_freeze_and_print_setup(workbook):
    assert workbook.sheetnames == SHEETS
    for ws in workbook:
        assert ws["A1"].value.startswith("青山湖区城镇贫困群众脱贫解困工作季度调度（2019年第二季度）· " + ws.title)
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("3"), ws.title
        assert ws.print_title_rows == "$1:$2", ws.title
        assert ws.page_setup.orientation == ("portrait" if ws.title == "总览" else "landscape") and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:"), ws.title


def test_sheet_title_names_district_period_and_sheet(ctx):
    assert sheet_title(ctx, "总览") == "青山湖区城镇贫困群众脱贫解困工作季度调度（2019年第二季度）· 总览"


def test_overview_shows_headline_money_and_average_against_floor(workbook, ctx):
    ws = workbook["总览"]
    values = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert values["应报送单位（个）"][0] == 3
    assert values["发放救助资金（元）"][0] == pytest.approx(yuan(ctx.total_fen))
    assert values["人均补差（元/人·月）"][:2] == (370, 440)
    assert values["城镇低保标准"][:2] == (670, 670)
    assert any(isinstance(k, str) and k.startswith("亮灯规则：") for k in values)
    formats = {r[0].value: (r[1].number_format, r[2].number_format) for r in ws.iter_rows(min_row=3, max_row=18)}
    assert formats["发放救助资金（元）"][0] == "#,##0.00" and formats["救助人数（人）"][0] == "#,##0"
    assert formats["人均补差（元/人·月）"] == ("#,##0.00", "#,##0.00")


def test_overview_has_a_native_chart(ctx, masker, tmp_path):
    import zipfile
    path = tmp_path / "w.xlsx"
    write_workbook(ctx, path, masker)
    charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


def test_matrix_marks_leads_missing_and_unassigned_cells_with_words_and_conditional_fills(workbook, ctx):
    ws = workbook["任务进展"]
    assert [c.value for c in ws[2]] == ["编号", "政策措施", "任务灯", "已报/应报", *UNITS, "亮灯原因", "工作任务", "牵头单位"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert len(rows) == len(ctx.tasks) == 59
    hufang, civil = column(ws, "湖坊镇") - 1, column(ws, "区民政局") - 1
    # The words carry the state in black and white; a conditional format paints it, with no fixed fill underneath.
    assert rows[7][hufang].value == "未报" and shown_fill(ws, rows[7][hufang]) == RED_FILL
    assert rows[30][hufang].value == "未启动" and shown_fill(ws, rows[30][hufang]) == RED_FILL
    assert rows[1][civil].value == "★推进" and rows[1][civil].font.b and shown_fill(ws, rows[1][civil]) == GREEN_FILL
    assert rows[2][civil].value == "★推进△" and shown_fill(ws, rows[2][civil]) == YELLOW_FILL
    assert rows[13][civil].value == "推进" and not rows[13][civil].font.b  # responsible, not lead
    assert rows[5][civil].value == "★完成" and shown_fill(ws, rows[5][civil]) == GREEN_FILL
    assert all(c.fill.fill_type is None for r in rows.values() for c in r[2:4 + len(UNITS)])
    light = {t.task: t.light for t in ctx.tasks}
    colours = {Light.GREEN: GREEN_FILL, Light.YELLOW: YELLOW_FILL, Light.RED: RED_FILL}
    assert all(shown_fill(ws, rows[t][2]) == colours[light[t]] for t in rows)
    why = column(ws, "亮灯原因") - 1
    assert rows[7][why].value == "未报送：湖坊镇" and rows[30][why].value == "未启动：湖坊镇"
    assert rows[1][why].value is None
    unassigned = next(t.task for t in ctx.tasks if "湖坊镇" not in t.lead + t.responsible)
    assert rows[unassigned][hufang].value is None and shown_fill(ws, rows[unassigned][hufang]) is None


def test_matrix_prints_two_pages_wide_with_row_labels_repeated(workbook):
    ws = workbook["任务进展"]
    assert ws.print_title_cols == "$A:$D" and ws.page_setup.fitToWidth == 2
    last = ws.cell(2, 4 + len(UNITS)).column_letter
    assert str(ws.print_area).endswith(f"$A$1:${last}$61")  # the long reference columns stay on screen
    assert ws["A1"].value.endswith(MATRIX_LEGEND) and "空白＝非本单位" in MATRIX_LEGEND and "△" in MATRIX_LEGEND
    assert ws.row_dimensions[2].height >= 13 * len("区民政局")  # vertical unit names are not cut off


def test_units_sheet_carries_state_completeness_and_missing_tasks(workbook, ctx):
    ws = workbook["单位报送"]
    by_unit = {r[1]: r for r in rows_of(ws)}
    hufang = by_unit["湖坊镇"]
    assert hufang[3] == "按时" and hufang[9] == "7" and hufang[10] is None and hufang[11] == "23"
    expected = ctx.unit("湖坊镇").completeness / 100
    assert hufang[8] == pytest.approx(expected)
    assert ws.cell(3, column(ws, "完整率")).number_format == "0.0%"
    assert by_unit["区民政局"][3] == "逾期" and by_unit["区民政局"][5] == 4
    assert by_unit["区财政局"][3] == "未报送" and by_unit["区财政局"][9].startswith("未报送")
    state = column(ws, "报送情况")
    fills = {ws.cell(r, 2).value: shown_fill(ws, ws.cell(r, state)) for r in range(3, 6)}
    assert fills == {"湖坊镇": GREEN_FILL, "区民政局": YELLOW_FILL, "区财政局": RED_FILL}


def test_benefit_total_row_equals_the_sum_of_the_rows(workbook, ctx):
    ws = workbook["资金测算"]
    rows = rows_of(ws)
    data, total = rows[:-1], rows[-1]
    assert total[0] == "合计" and len(data) == len(ctx.benefits)
    amount = column(ws, "金额合计") - 1
    assert total[amount] == pytest.approx(sum(r[amount] for r in data))
    assert total[amount] == pytest.approx(yuan(ctx.total_fen))
    for item in Item:
        col = column(ws, item.value) - 1
        assert total[col] == pytest.approx(sum(r[col] for r in data)), item
    assert ws.cell(3, amount + 1).number_format == "#,##0.00"


def test_persons_keep_ids_as_text_and_malicious_names_as_plain_strings(workbook):
    # The person detail is the one sheet that shows names and IDs in full.
    ws = workbook["对象明细"]
    id_col, name_col = column(ws, "公民身份号码"), column(ws, "姓名")
    ids = {ws.cell(r, id_col).value: ws.cell(r, id_col) for r in range(3, 6)}
    assert set(ids) == {HEAD_ID, CHILD_ID, TEKUN_ID}
    assert all(c.data_type == "s" for c in ids.values())
    names = {ws.cell(r, name_col).value: ws.cell(r, name_col) for r in range(3, 6)}
    assert names[FORMULA_NAME].data_type == "s" and names[SCRIPT].data_type == "s"
    assert not ws._hyperlinks


def test_persons_columns_add_up_with_gap_on_the_first_row_only(workbook, ctx):
    ws = workbook["对象明细"]
    gap, amount = column(ws, "差额") - 1, column(ws, "金额合计") - 1
    rows = rows_of(ws)
    assert [r[gap] for r in rows[:3]] == [2220, 0, 0]
    assert rows[-1][amount] == pytest.approx(yuan(ctx.total_fen))


def test_no_cell_anywhere_is_a_formula(workbook):
    formulas = [(ws.title, c.coordinate) for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    # Conditional formats search for the workbook's own fixed words, never for text that came in with the input.
    words = {rule.text for ws in workbook for cf in ws.conditional_formatting for rule in cf.rules if rule.text}
    assert words <= {"未报", "未启动", "未更新", "△", "完成", "推进", "红", "黄", "绿", "未报送", "逾期", "按时", "错误", "警告",
                     "不符", "相符", "正确"}


def test_findings_sheet_has_chinese_labels_fix_and_inert_values(workbook):
    ws = workbook["问题清单"]
    assert [c.value for c in ws[2]] == ["问题代码", "问题名称", "严重程度", "单位", "文件", "工作表", "行", "列", "说明", "值", "改正方法"]
    rows = rows_of(ws)
    assert len(rows) == 7
    first = rows[0]
    assert first[2] == "错误" and first[1] == CODES[first[0]].title
    assert first[10] == CODES[first[0]].fix_text("每季度末月20日前", 59)
    missing = next(r for r in rows if r[0] == "missing-submission")
    assert missing[10] == "请于每季度末月20日前报送本单位进展情况表。"
    values = {r[9] for r in rows}
    # A listed name echoed from a roster cell is masked whatever its column; other words are shown as typed, inert.
    assert {mask_name(FORMULA_NAME), "@SUM(A1)", SCRIPT} <= values
    late = next(r for r in rows if r[0] == "late-submission")
    assert late[2] == "警告" and late[6] is None
    assert shown_fill(ws, ws["C3"]) == RED_FILL
    # Wrapped text gets a row tall enough to show it, since neither Excel nor LibreOffice grows a row on open.
    long = next(i for i, r in enumerate(rows, 3) if r[0] == "missing-submission")
    assert ws.row_dimensions[long].height and ws.row_dimensions[long].height > 15


def test_inputs_sheet_checks_rows_read_equals_used_plus_reported_plus_set_aside(workbook, ctx):
    ws = workbook["读取核对"]
    rows = rows_of(ws)
    data, total = rows[:-1], rows[-1]
    assert [r[0] for r in data] == [i.file for i in ctx.inputs]
    assert all(r[4] == r[5] + r[6] + r[7] and r[8] == "相符" for r in data)
    assert data[1][2] == "未识别（已忽略）"
    assert total[4:8] == (5, 3, 2, 0)


def test_workbook_renders_with_no_persons_and_no_findings(ctx, masker, tmp_path):
    empty = dataclasses.replace(ctx, persons=pd.DataFrame(), findings=(), counts=Counts.of(()), benefits=(),
                                benefit_units=(), total=money_sum(()))
    write_workbook(empty, tmp_path / "e.xlsx", masker)
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert rows_of(wb["对象明细"])[0][0] == "合计" and rows_of(wb["问题清单"]) == []


# --- the leaders' HTML report --------------------------------------------------------------------

def test_html_escapes_input_markup(html):
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html


def test_html_never_shows_a_full_id_or_a_roster_name(html):
    assert not re.search(r"(?<!\d)\d{17}[\dX](?![\dX])", html)
    for full in (HEAD_ID, CHILD_ID, TEKUN_ID, "张三丰", "HYPERLINK"):
        assert full not in html
    assert mask_id(HEAD_ID) in html and mask_id(TEKUN_ID) in html
    assert mask_name(FORMULA_NAME) in html  # a finding's value from a roster cell is masked like a name


def test_html_is_self_contained(html):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:|//)", html, re.I)
    assert "@import" not in html and "http" not in html
    assert "<svg" in html


def test_html_has_official_layout_and_every_section(html, ctx):
    for heading in ("一、总体情况", "二、任务推进情况", "三、单位报送情况", "四、资金发放情况", "五、与上季度相比",
                    "六、数据质量问题"):
        assert f"<h2>{heading}</h2>" in html
    assert "（一）切实筑牢基本生活保障底线" in html
    assert "@page { size: A4; margin: 37mm 26mm 35mm 28mm" in html
    assert "方正小标宋简体" in html and "FangSong" in html and "SimHei" in html and "KaiTi" in html
    assert f'<div class="issuer">{ctx.office.name}</div>' in html
    # The office's long name stays on one line of the 156 mm type area.
    assert f".issuer {{ color: var(--red); font-size: {min(26, 440 // len(ctx.office.name))}pt;" in html
    assert "page-break-before: always" in html


def test_html_numbers_come_from_the_context(html, ctx):
    assert f"共发放救助资金{fmt_grouped(ctx.total_fen)}元" in html
    assert "人均补差370.00元/月" in html and "低于方案440.00元的下限" in html
    assert "逾期报送的单位：区民政局（2019-06-24报送，逾期4天）" in html
    assert "未报送的单位：区财政局" in html
    assert "<b>未报送</b>：湖坊镇" in html and "<b>未启动</b>：湖坊镇" in html
    masked = f"资金缺口，户主{mask_id(HEAD_ID)}外出"
    assert f"<b>存在问题</b>：区民政局★（{masked}）、区财政局★（{masked}）、湖坊镇（{masked}）" in html
    # The light rule closes 任务推进情况, where the lights are read; nothing but the 落款 ends the page.
    rule, signature = html.index(f"亮灯规则：{ctx.light_rule}"), html.index('<p class="signature">')
    assert html.index("二、任务推进情况") < rule < html.index("三、单位报送情况") < signature
    assert html.rstrip().endswith("2019年7月5日</p>\n</section>\n</body>\n</html>") and "生成日期" not in html
    # Sentences run on as Chinese text does, without a space from the template's line breaks.
    assert f"未报送1个。{len(ctx.tasks)}项重点任务中" in html


def test_html_lists_what_needs_attention_and_a_board_of_every_task(html, ctx):
    assert "1. 红灯任务2项：第7条，湖坊镇未报送；第30条，湖坊镇未启动。" in html
    # Why the lead units are yellow is the reason lights.py gave their cells, not a guess of the renderer's.
    assert "2. 黄灯任务1项：第2条，其中牵头单位存在问题1项；各项原因见第二部分。" in html
    assert "未报送：区财政局；逾期报送：区民政局（逾期4天）。" in html
    board = html.split('<table class="board">')[1].split("</table>")[0]
    assert re.findall(r'<span class="tk (\w+)">(\d+)', board) == [(t.light.value, str(t.task)) for t in ctx.tasks]
    assert '<span class="tk red">7<small>红</small>' in board


def test_a_lead_units_unreadable_status_is_called_so_not_behind_or_a_problem(ctx):
    from pipeline.report.html import attention
    task = next(t for t in ctx.tasks if t.task == 2)
    unclear = tuple(dataclasses.replace(c, status=None, reason=CellReason.UNREADABLE_STATUS, problem="")
                    if c.role is Role.LEAD and c.light is Light.YELLOW else c for c in task.cells)
    tasks = tuple(dataclasses.replace(t, cells=unclear) if t.task == 2 else t for t in ctx.tasks)
    line = next(x for x in attention(dataclasses.replace(ctx, tasks=tasks)) if x.startswith("黄灯任务"))
    assert "其中牵头单位状态不明1项" in line and "进度滞后" not in line and "存在问题" not in line


def test_light_reasons_are_worded_from_the_reasons_lights_gave():
    def cell(unit, reason, light=Light.YELLOW, **kw):
        base = dict(task=1, unit=unit, role=Role.RESPONSIBLE, reported=True, status=Status.IN_PROGRESS, progress=60.0,
                    light=light, reason=reason, behind_points=None, problem="")
        return CellState(**{**base, **kw})
    cells = (cell("区项目办", CellReason.NOT_REPORTED, Light.RED, role=Role.LEAD, reported=False, status=None),
             cell("湖坊镇", CellReason.NOT_STARTED, Light.RED, status=Status.NOT_STARTED),
             cell("京东镇", CellReason.BEHIND_SCHEDULE, progress=20.0, behind_points=30.0),
             cell("罗家镇", CellReason.PROBLEMS_REPORTED, problem="户主外出", progress=30.0, behind_points=20.0),
             cell("塘山镇", CellReason.UNREADABLE_STATUS, status=None),
             cell("南钢街道", CellReason.ON_SCHEDULE, Light.GREEN))
    task = TaskState(1, "c", "m", ("区项目办",), (), "", Light.RED, TaskReason.LEAD_RED, {}, 6, 5, cells)
    assert dict(reason_lines(task)) == {"未报送": "区项目办★", "未启动": "湖坊镇", "进度滞后": "京东镇（进度20%，落后序时进度30个百分点）",
                                        "存在问题": "罗家镇（户主外出，进度30%，落后序时进度20个百分点）", "状态不明": "塘山镇"}


def test_html_lights_are_readable_without_colour(html):
    assert re.search(r"●</span>红</span>", html) and re.search(r"●</span>绿</span>", html)


def test_missing_context_key_raises(ctx):
    with pytest.raises(UndefinedError):
        render_html(dataclasses.replace(ctx, office=object()), TEMPLATES)


# --- small helpers ------------------------------------------------------------------------------

def test_chart_svg_escapes_labels_and_formats_yuan():
    svg = str(bar_chart_svg([("<b>单位</b>", 123456)], title="A&B"))
    assert "&lt;b&gt;单位&lt;/b&gt;" in svg and "A&amp;B" in svg and "1,234.56" in svg and "<b>" not in svg
    strip = str(stacked_bar_svg([("绿灯 1", 1, "#0a0"), ("红灯 0", 0, "#a00")]))
    assert "绿灯 1" in strip and "红灯 0" in strip


def test_filters_format_money_percent_numbers_and_mask_ids():
    assert yuan_text(123450) == "1,234.50" and yuan_text(None) == "—"
    assert pct(97.84) == "97.8%"
    assert [cn_number(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert mask_ids(f"号码{HEAD_ID}重复") == f"号码{mask_id(HEAD_ID)}重复"
    assert mask_ids("任务编号60") == "任务编号60"
