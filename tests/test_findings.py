"""Each finding code, raised by a small workbook built in the test, at the right cell."""
from __future__ import annotations

from datetime import date

import pytest
from conftest import ROSTER_HEADER, cells_of, full_progress_rows, run_check, set_parameter, valid_id


@pytest.fixture
def hufang_tasks(project):
    from pipeline.config import load_config
    from pipeline.matrix import load_matrix
    config = load_config(project / "config.toml")
    return load_matrix(config.paths["matrix"], config.registry).tasks_of("湖坊镇")


def roster_row(no="001", name="张一", id_=None, relation="户主", category="低保", income=300, **kw):
    row = dict(zip(ROSTER_HEADER, [no, name, id_ or valid_id(seq=11), relation, "湖坊镇", "东社区", category, income, None,
                                   None, None, None, None, None, "否", "2018-01", None]))
    for k, v in kw.items():
        row[k] = v
    return [row[h] for h in ROSTER_HEADER]


def test_complete_on_time_report_has_no_unit_findings(book, hufang_tasks):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019年6月18日", full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    assert [f for f in r.findings if f.unit == "湖坊镇"] == []


def test_missing_submission_names_each_silent_unit(book, hufang_tasks):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    missing = {f.unit for f in r.findings if f.code == "missing-submission"}
    assert "湖坊镇" not in missing and "区民政局" in missing and len(missing) == 32
    assert "区委" not in missing  # named in the plan but files no report


def test_late_submission_after_the_20th(book, hufang_tasks):
    book.progress("湖坊镇.xlsx", "湖坊镇", date(2019, 6, 21), full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    late = [f for f in r.findings if f.code == "late-submission"]
    assert [(f.unit, f.column, f.value) for f in late] == [("湖坊镇", "填报日期", "2019-06-21")]


def test_report_on_the_20th_is_on_time(book, hufang_tasks):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019.6.20", full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "late-submission") == []
    assert r.context.unit("湖坊镇").on_time is True


def test_task_matrix_findings_at_their_rows(book, hufang_tasks):
    rows = full_progress_rows(hufang_tasks[1:])          # leaves out task 1 → missing-task
    rows.append([13, "", "", "推进中", 50, "", "", "", 1, 1])   # 13 is not a town's task → unexpected-task
    rows.append([60, "", "", "推进中", 50, "", "", "", 1, 1])   # no task 60 → unknown-task
    rows.append(["第2条", "", "", "已完成", 100, "", "", "", 1, 1])  # 2 twice → duplicate-task on the first
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", rows)
    r = run_check(book.folder.parent.parent)
    n = len(hufang_tasks) - 1
    assert cells_of(r, "missing-task") == [(None, "任务编号", "missing-task")]
    assert cells_of(r, "unexpected-task") == [(4 + n, "任务编号", "unexpected-task")]
    assert cells_of(r, "unknown-task") == [(5 + n, "任务编号", "unknown-task")]
    assert cells_of(r, "duplicate-task") == [(4, "任务编号", "duplicate-task")]
    p = r.quarter.progress
    assert p.loc[(p["task"] == 2) & p["used"], "status"].tolist() == ["已完成"]


def test_bad_values_in_a_progress_row(book, hufang_tasks):
    rows = full_progress_rows(hufang_tasks)
    rows[0][3] = "见附件"
    rows[1][4] = "大部分"
    rows[2][0] = "甲"
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", rows)
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "bad-value") == [(4, "完成状态", "bad-value"), (5, "完成进度", "bad-value"), (6, "任务编号", "bad-value")]


def test_unknown_unit_when_neither_line_nor_file_name_names_one(book, hufang_tasks):
    book.progress("报表.xlsx", "某某办", "2019-06-18", full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "unknown-unit") == [(2, "填报单位", "unknown-unit")]


def test_unit_falls_back_to_the_file_name(book, hufang_tasks):
    book.progress("塘山镇二季度.xlsx", None, "2019-06-18", full_progress_rows(hufang_tasks))
    r = run_check(book.folder.parent.parent)
    assert r.quarter.submission_of("塘山镇") is not None


def test_missing_required_column(book, hufang_tasks):
    header = ["任务编号", "工作任务", "政策措施", "进展", "完成进度"]
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", [[t, "", "", "x", 50] for t in hufang_tasks], header=header)
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "missing-column") == [(3, "完成状态", "missing-column")]
    assert [i.rows_reported for i in r.context.inputs] == [len(hufang_tasks)]


def test_duplicate_submission_keeps_the_later_date(book, hufang_tasks):
    book.progress("湖坊镇-初稿.xlsx", "湖坊镇", "2019-06-10", full_progress_rows(hufang_tasks, "未启动"))
    book.progress("湖坊镇-终稿.xlsx", "湖坊镇", "2019-06-15", full_progress_rows(hufang_tasks, "已完成", 100))
    r = run_check(book.folder.parent.parent)
    dup = [f for f in r.findings if f.code == "duplicate-submission"]
    assert [(f.file, f.unit) for f in dup] == [("湖坊镇-初稿.xlsx", "湖坊镇")]
    assert "湖坊镇-终稿.xlsx" in dup[0].message
    assert r.quarter.submission_of("湖坊镇")["file"] == "湖坊镇-终稿.xlsx"


def test_unreadable_file_and_unknown_sheet(book, quarter_dir, hufang_tasks):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(hufang_tasks))   # a quarter with no report stops
    (quarter_dir / "坏文件.xlsx").write_bytes(b"this is not a workbook")
    (quarter_dir / "说明.docx").write_bytes(b"PK\x03\x04")
    book.save("填报说明.xlsx", [["填报说明"], ["请按时报送"]])
    (quarter_dir / "~$湖坊镇.xlsx").write_bytes(b"lock")
    r = run_check(book.folder.parent.parent)
    assert sorted((f.file, f.code) for f in r.findings if f.code in ("unreadable-file", "unknown-sheet")) == sorted([
        ("填报说明.xlsx", "unknown-sheet"), ("坏文件.xlsx", "unreadable-file"), ("说明.docx", "unreadable-file")])


def test_id_findings_normalise_quietly_and_report_damage(book):
    good = valid_id(seq=11)
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [
        roster_row("001", "甲", good.lower().replace("x", "x")),
        roster_row("002", "乙", " ".join([valid_id(seq=13)[:6], valid_id(seq=13)[6:]])),
        roster_row("003", "丙", valid_id(seq=15)[:-1] + ("1" if valid_id(seq=15)[-1] != "1" else "2")),
        roster_row("004", "丁", 360111198001011234),
        roster_row("005", "戊", "3.60111E+17"),
        roster_row("006", "己", "360111198013011230"),
    ])
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "id-invalid") == [(6, "公民身份号码", "id-invalid"), (9, "公民身份号码", "id-invalid")]
    assert cells_of(r, "id-damaged") == [(7, "公民身份号码", "id-damaged"), (8, "公民身份号码", "id-damaged")]
    assert all("*" in f.value for f in r.findings if f.code.startswith("id-"))


def test_person_duplicate_across_two_rosters(book):
    same = valid_id(seq=21)
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [roster_row("001", "甲", same)])
    book.roster("塘山镇台账.xlsx", "塘山镇", [roster_row("001", "甲", same)])
    r = run_check(book.folder.parent.parent)
    dup = [f for f in r.findings if f.code == "person-duplicate"]
    assert len(dup) == 1 and dup[0].row == 4 and dup[0].column == "公民身份号码"
    assert same not in dup[0].message and same not in dup[0].value
    # Both are still paid, as listed.
    assert r.benefits.households["amount_fen"].tolist() == [370 * 300, 370 * 300]


def test_zero_employment_only_when_every_able_member_is_unemployed(book):
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [
        roster_row("001", "甲", valid_id(seq=31), **{"劳动能力": "有", "就业状况": "未就业"}),
        roster_row("001", "乙", valid_id(seq=33), "配偶", **{"劳动能力": "有", "就业状况": "未就业"}),
        roster_row("002", "丙", valid_id(seq=35), **{"劳动能力": "有", "就业状况": "灵活就业"}),
        roster_row("002", "丁", valid_id(seq=37), "配偶", **{"劳动能力": "有", "就业状况": "未就业"}),
        roster_row("003", "戊", valid_id(seq=39), **{"劳动能力": "无", "就业状况": "未就业"}),
    ])
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "zero-employment") == [(4, "就业状况", "zero-employment")]


def test_household_size_mismatch_is_a_warning_and_pays_listed_members(book):
    header = ROSTER_HEADER + ["家庭人口"]
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [roster_row("001", "甲", valid_id(seq=41)) + [3]], header=header)
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "household-size-mismatch") == [(4, "家庭人口", "household-size-mismatch")]
    assert r.benefits.households["members"].tolist() == [1]


def test_orphan_over_18(book):
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [
        roster_row("001", "甲", valid_id(born="19990101", seq=43), **{"孤儿": "是"}),
        roster_row("002", "乙", valid_id(born="20100101", seq=45), **{"孤儿": "是"}),
    ])
    r = run_check(book.folder.parent.parent)
    assert cells_of(r, "orphan-over-age") == [(4, "孤儿", "orphan-over-age")]


def _set_param(project, name, value):
    set_parameter(project, name, f"""
[parameters.{name}]
"2019-01-01" = {{ value = {value}, source = "测试" }}
""")


def test_standard_below_floor(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))   # a quarter with no report stops
    _set_param(project, "dibao_standard", 660)
    r = run_check(project)
    below = [f for f in r.findings if f.code == "standard-below-floor"]
    assert [(f.sheet, f.column, f.value) for f in below] == [("parameters.dibao_standard", "2019-01-01", "660")]
    assert below[0].severity == "error"


def test_tekun_standard_must_be_13_times_dibao(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    _set_param(project, "tekun_standard", 870)
    r = run_check(project)
    assert [(f.sheet, f.value) for f in r.findings if f.code == "standard-below-floor"] == [
        ("parameters.tekun_standard", "870")]


def test_avg_subsidy_below_floor(book):
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [roster_row("001", "甲", valid_id(seq=47), income=400)])
    r = run_check(book.folder.parent.parent)
    assert [f.value for f in r.findings if f.code == "avg-subsidy-below-floor"] == ["270.00"]


def test_every_catalogued_code_is_kebab_case_and_has_a_fix():
    import re

    from pipeline.findings import CODES
    for code in CODES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code.code)
        assert code.severity in ("error", "warning", "info") and code.fix.endswith("。")
