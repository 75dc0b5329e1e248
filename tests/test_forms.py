"""`jiekun forms`: what each form holds, what it locks and validates, where it goes, and what it never invents."""
from __future__ import annotations

import os
import warnings
from datetime import datetime

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import TODAY, valid_id
from form_filling import (
    HOUSEHOLDS,
    PERIOD,
    forms_of,
    ids_of,
    previous_quarter,
    reported,
    roster_rows,
    scratch_project,
    task_rows,
    write,
)

from pipeline.cli import main
from pipeline.errors import StopRun
from pipeline.forms import (
    CARE_NEEDS,
    CATEGORIES,
    EMPLOYMENTS,
    GRADES,
    SUPPORT_MODES,
    WORK_ABILITIES,
    YES_NO,
    RosterForm,
)
from pipeline.outbox import forms_period, write_forms
from pipeline.period import Period
from pipeline.reader import REFERENCE_MARK, ReadContext, read_file
from pipeline.report.roster_form import write_roster_form
from pipeline.vocab import Status


@pytest.fixture
def previous(book, matrix):
    return previous_quarter(book, matrix)


def make_forms(project, period=None, output="output"):
    return write_forms(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / output,
                       period=period, today=TODAY)


@pytest.fixture(scope="module")
def made(tmp_path_factory, matrix):
    """The forms of one scratch project, written once for the tests that only look at them."""
    return make_forms(scratch_project(tmp_path_factory.mktemp("forms"), matrix))


def sheet(path, name):
    return openpyxl.load_workbook(path)[name]


def validations(ws) -> dict[str, tuple]:
    """Map each validated range to (type, operator, formula1, formula2)."""
    return {str(v.sqref): (v.type, v.operator, v.formula1, v.formula2) for v in ws.data_validations.dataValidation}


def test_forms_go_out_for_the_quarter_after_the_newest_input(project, previous, config):
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["forms"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert "2019年第三季度填报表格已写入" in result.output
    assert "已带入上季度台账：5 户 10 人；停发年月已过的 2 户" in result.output
    folder = project / "output" / PERIOD / "表格"
    expected = {f"{u.name}/{u.name}-{PERIOD}进展情况表.xlsx" for u in config.registry.reporting}
    expected |= {f"{u.name}/{u.name}-{PERIOD}救助对象台账.xlsx" for u in config.registry if u.is_local}
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == expected
    assert len(expected) == 33 + 9


def test_the_next_quarter_rolls_over_the_year(tmp_path):
    (tmp_path / "2019Q3").mkdir()
    (tmp_path / "2019-Q4").mkdir()
    assert forms_period(tmp_path, None) == Period(2020, 1)
    assert forms_period(tmp_path, "2019Q2") == Period(2019, 2)
    with pytest.raises(StopRun, match="--period"):
        forms_period(tmp_path / "无", None)


def test_progress_form_lists_the_units_tasks_with_role_and_last_status(made, matrix):
    ws = sheet(forms_of(made.folder)[f"湖坊镇-{PERIOD}进展情况表.xlsx"], "进展情况")
    assert ws["A1"].value == "青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第三季度）"
    assert ws["A2"].value == "填报单位：湖坊镇" and ws["E2"].value == "填报日期："
    assert "2019年9月20日前报送" in ws["A3"].value
    assert "2019年第二季度" in ws["A4"].value and "（上季度）" in ws["A4"].value
    assert [c.value for c in ws[5]] == ["任务编号", "工作任务", "政策措施", "分工", "完成状态", "完成进度（%）", "进展情况",
                                        "存在问题", "下步计划", "惠及人数", "投入资金（万元）"]
    rows = task_rows(ws)
    assert list(rows) == matrix.tasks_of("湖坊镇")
    for task, r in rows.items():
        t = matrix.task(task)
        status, text = reported(matrix)["湖坊镇"][task]
        assert [c.value for c in ws[r]][:7] == [task, t.category, t.measure, "牵头" if "湖坊镇" in t.lead else "责任",
                                                status, None, f"（上季度）{text}"]
        assert ws.cell(r, 5).fill.fgColor.rgb.endswith("FFF2CC")


def test_a_unit_that_did_not_report_gets_its_tasks_without_statuses(made, matrix):
    ws = sheet(forms_of(made.folder)[f"区财政局-{PERIOD}进展情况表.xlsx"], "进展情况")
    rows = task_rows(ws)
    assert list(rows) == matrix.tasks_of("区财政局")
    roles = [ws.cell(r, 4).value for r in rows.values()]
    assert roles == ["牵头" if "区财政局" in matrix.task(t).lead else "责任" for t in rows]
    assert set(roles) == {"牵头", "责任"}
    assert all(ws.cell(r, c).value is None for r in rows.values() for c in range(5, 12))
    assert ws["A4"].value is None


def test_progress_form_locks_what_is_given_and_leaves_the_inputs_open(made):
    ws = sheet(forms_of(made.folder)[f"湖坊镇-{PERIOD}进展情况表.xlsx"], "进展情况")
    assert ws.protection.sheet and not ws.protection.password
    r = min(task_rows(ws).values())
    assert all(ws.cell(row, c).protection.locked for row in (1, 2, 5, r) for c in range(1, 5))
    assert not any(ws.cell(r, c).protection.locked for c in range(5, 12))
    assert not ws["F2"].protection.locked and ws["E2"].protection.locked


def test_progress_form_validates_status_date_and_numbers(made):
    ws = sheet(forms_of(made.folder)[f"湖坊镇-{PERIOD}进展情况表.xlsx"], "进展情况")
    rows = task_rows(ws)
    first, last = min(rows.values()), max(rows.values())
    assert validations(ws) == {
        "F2:G2": ("date", None, "43647", "44012"),          # between 2019-07-01 and a year on
        f"E{first}:E{last}": ("list", None, '"' + ",".join(s.value for s in Status) + '"', None),
        f"F{first}:F{last}": ("whole", None, "0", "100"),
        f"J{first}:J{last}": ("whole", "greaterThanOrEqual", "0", None),
        f"K{first}:K{last}": ("decimal", "greaterThanOrEqual", "0", None),
    }
    assert "2019年9月20日" in next(v.prompt for v in ws.data_validations.dataValidation if str(v.sqref) == "F2:G2")


def test_roster_form_carries_the_households_still_paid_and_lists_the_stopped_apart(made):
    wb = openpyxl.load_workbook(forms_of(made.folder)[f"湖坊镇-{PERIOD}救助对象台账.xlsx"])
    ws = wb["救助对象台账"]
    assert ws["A1"].value == "湖坊镇城镇困难群众救助对象台账（2019年第三季度）" and ws["A2"].value == "填报单位：湖坊镇"
    rows = roster_rows(ws)
    assert [ws.cell(r, 3).value for r in rows] == [row[2] for no in ("H001", "H002", "H003", "H005") for row in HOUSEHOLDS[no][1]]
    head = {ws.cell(r, 1).value: r for r in reversed(rows)}
    assert [c.value for c in ws[head["H003"]]] == [
        "H003", "钱进", HOUSEHOLDS["H003"][1][0][2], "户主", "湖坊镇", "东社区", "支出型",
        600, 800, "四级", None, None, "有", "灵活就业", None, datetime(2019, 4, 1), None]
    assert ws.cell(head["H005"], 17).value == datetime(2019, 8, 1)
    assert ws.cell(head["H002"], 11).value == "全失能" and ws.cell(head["H002"], 12).value == "集中"
    # Household cells stand on the household's first row only; 户编号 repeats so the members stay together.
    assert [ws.cell(head["H001"] + i, 1).value for i in range(3)] == ["H001"] * 3
    assert all(ws.cell(head["H001"] + i, c).value is None for i in (1, 2) for c in (5, 6, 7, 8, 16))
    assert all(ws.cell(r, 3).data_type == "s" and ws.cell(r, 3).number_format == "@" for r in rows)
    assert ws.cell(max(rows) + 25, 3).number_format == "@" and not ws.cell(max(rows) + 25, 3).protection.locked
    stopped = wb["已停发户"]
    assert stopped["A1"].value == "湖坊镇已停发户（2019年第三季度）" and stopped["A2"].value == "填报单位：湖坊镇"
    assert [stopped.cell(5, c).value for c in (1, 2, 3, 17)] == ["H004", "孙停", *ids_of("湖坊镇", ("H004",)),
                                                                 datetime(2019, 6, 1)]
    # The sheet is read back like the roster, so a stop entered by mistake is corrected in place.
    assert stopped.protection.sheet and not stopped.cell(5, 17).protection.locked


def test_roster_form_validates_every_coded_column_and_the_months(made):
    ws = sheet(forms_of(made.folder)[f"湖坊镇-{PERIOD}救助对象台账.xlsx"], "救助对象台账")
    found = {rng.split(":")[0].rstrip("0123456789"): rule for rng, rule in validations(ws).items()}
    assert found == {
        "C": ("textLength", "equal", "18", None),
        "G": ("list", None, '"低保,特困,支出型"', None), "J": ("list", None, '"一级,二级,三级,四级"', None),
        "K": ("list", None, '"全失能,半失能,自理"', None), "L": ("list", None, '"集中,分散"', None),
        "M": ("list", None, '"有,无"', None), "N": ("list", None, '"已就业,灵活就业,未就业"', None),
        "O": ("list", None, '"是,否"', None),
        "H": ("decimal", "greaterThanOrEqual", "0", None), "I": ("decimal", "greaterThanOrEqual", "0", None),
        "P": ("date", None, "29221", "73050"), "Q": ("date", None, "29221", "73050"),   # 1980-01-01 to 2099-12-31
    }
    notes = sheet(forms_of(made.folder)[f"湖坊镇-{PERIOD}救助对象台账.xlsx"], "填表说明")
    text = "\n".join(c.value for c in notes["A"] if c.value)
    assert notes["A1"].value.endswith(REFERENCE_MARK)
    assert "享受起始年月：该户（特困人员为本人）开始享受救助的月份" in text and "停发年月：不再发放的第一个月" in text


def test_personal_data_goes_only_to_its_own_units_form(made, config):
    everyone = ids_of("湖坊镇") | ids_of("塘山镇")
    names = {row[1] for _, rows in HOUSEHOLDS.values() for row in rows}
    for name, path in forms_of(made.folder).items():
        wb = openpyxl.load_workbook(path)
        cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
        unit = name.split("-")[0]
        if name.endswith("救助对象台账.xlsx"):
            assert cells & everyone == ids_of(unit), name
        else:
            assert not cells & (everyone | names), name
    blank = openpyxl.load_workbook(forms_of(made.folder)[f"京东镇-{PERIOD}救助对象台账.xlsx"])
    assert roster_rows(blank["救助对象台账"]) == [] and blank.sheetnames == ["救助对象台账", "填表说明"]


def test_without_the_previous_quarter_the_forms_are_blank(project, previous):
    result = make_forms(project, period="2019Q2")      # 2019Q1 was never received
    assert not result.forms.previous_found
    for name, path in forms_of(result.folder).items():
        ws = openpyxl.load_workbook(path).worksheets[0]
        if name.endswith("进展情况表.xlsx"):
            assert all(ws.cell(r, 5).value is None and ws.cell(r, 7).value is None for r in task_rows(ws).values())
            assert ws["A4"].value is None
        else:
            assert roster_rows(ws) == [] and "未收到本单位上季度的台账" in ws["A3"].value


def test_the_forms_folder_is_replaced_whole_or_not_at_all(project, previous, monkeypatch):
    first = make_forms(project)
    made_first = {name: path.read_bytes() for name, path in forms_of(first.folder).items()}
    (first.folder / "旧文件.txt").write_text("上次留下的")
    again = make_forms(project)
    assert not (again.folder / "旧文件.txt").exists()
    # Dated by `today`, not the clock: the same input gives the same bytes.
    assert {name: path.read_bytes() for name, path in forms_of(again.folder).items()} == made_first
    assert len(made_first) == 42
    (again.folder / "旧文件.txt").write_text("上次留下的")

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr("pipeline.report.forms.write_roster_form", broken)
    with pytest.raises(OSError):
        make_forms(project)
    assert (again.folder / "旧文件.txt").exists() and len(forms_of(again.folder)) == 42
    assert [p.name for p in again.folder.parent.iterdir()] == ["表格"]


def test_output_inside_the_input_is_refused_before_anything_is_written(project, previous):
    with pytest.raises(StopRun, match="输入目录"):
        make_forms(project, output="input/表格输出")
    assert not (project / "input" / "表格输出").exists()


def test_forms_are_written_without_any_xlsxwriter_warning(project, previous):
    # xlsxwriter warns (and drops the item) on an over-long prompt or list, which Excel would show as a repair.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_forms(project)


def test_forms_print_on_a4_one_page_wide(made):
    for path in forms_of(made.folder).values():
        for ws in openpyxl.load_workbook(path):
            assert ws.page_setup.paperSize == 9, (path.name, ws.title)
            # fitToWidth is left out of the file when it is 1, Excel's default.
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
            assert ws.page_setup.fitToHeight == 0


def test_the_instructions_are_set_aside_and_the_stopped_households_are_read(made, config):
    path = forms_of(made.folder)[f"湖坊镇-{PERIOD}救助对象台账.xlsx"]
    read = read_file(path, ReadContext(file=path.name, registry=config.registry, status_words=config.status_words))
    assert [(s.sheet, s.kind) for s in read.sheets] == [("救助对象台账", "roster"), ("已停发户", "roster"),
                                                         ("填表说明", "reference")]
    stopped = read.sheets[1]
    assert stopped.unit == "湖坊镇" and stopped.rows["household_no"].unique().tolist() == ["H004"]
    instructions = read.sheets[2]
    assert instructions.rows_read == len(instructions.notes) > 5
    assert read.all_findings == []


def test_every_drop_down_word_reads_back(tmp_path, config):
    path = tmp_path / "台账.xlsx"
    write_roster_form(RosterForm("湖坊镇", Period(2019, 3), (), (), None), str(path), config.office, TODAY)
    wb = openpyxl.load_workbook(path)
    ws = wb["救助对象台账"]
    for i in range(4):
        r = 5 + i
        for c, value in enumerate([f"N{i}", f"人{i}", valid_id(seq=61 + 2 * i), "户主", None, "东社区",
                                   CATEGORIES[i % 3], 100, 50, GRADES[i], CARE_NEEDS[i % 3], SUPPORT_MODES[i % 2],
                                   WORK_ABILITIES[i % 2], EMPLOYMENTS[i % 3], YES_NO[i % 2], datetime(2019, 7, 1)], 1):
            if value is not None:
                write(ws, r, c, value)
    wb.save(path)
    [roster, *_] = read_file(path, ReadContext(file=path.name, registry=config.registry, status_words=config.status_words,
                                               today=TODAY)).sheets
    assert roster.findings == ()
    got = roster.rows[["category", "disability_grade", "care_need", "support_mode", "work_ability", "employment", "orphan"]]
    assert got.values.tolist() == [["低保", 1, "全失能", "集中", "有", "已就业", True],
                                   ["特困", 2, "半失能", "分散", "无", "灵活就业", False],
                                   ["支出型", 3, "", "集中", "有", "未就业", True],
                                   ["低保", 4, "全失能", "分散", "无", "已就业", False]]
