"""The layouts units really send: each variant built as a real workbook and read back."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import PROGRESS_HEADER, ROOT, ROSTER_HEADER, cells_of, full_progress_rows, run_check, valid_id

TITLE = "青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第二季度）"


@pytest.fixture(scope="module")
def ctx():
    from pipeline.config import load_config
    from pipeline.reader import ReadContext
    config = load_config(ROOT / "config.toml")
    return ReadContext(file="", registry=config.registry, status_words=config.status_words, today=date(2019, 7, 1))


def write(folder: Path, name: str, lines: list[list], merges: tuple[str, ...] = ()) -> Path:
    """Save rows (None leaves a cell empty) and merged ranges as a real .xlsx."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for rng in merges:
        ws.merge_cells(rng)
    path = folder / name
    wb.save(path)
    return path


def read(folder: Path, name: str, lines: list[list], ctx, merges: tuple[str, ...] = ()):
    """Write the sheet, read it back, and check that every row read is used or reported."""
    from dataclasses import replace

    from pipeline.reader import read_file
    path = write(folder, name, lines, merges)
    sheet = read_file(path, replace(ctx, file=name)).sheets[0]
    assert_accounted(sheet)
    return sheet


def assert_accounted(sheet) -> None:
    """Every unused row has a finding on its row (on its household's rows for a roster) or a sheet-level one."""
    if sheet.kind not in ("progress", "roster") or sheet.rows.empty:
        return
    if any(f.code in ("missing-column",) or (f.code == "unknown-unit" and sheet.kind == "progress") for f in sheet.findings):
        return
    rows_with_findings = {f.row for f in sheet.findings if f.severity == "error"}
    for _, row in sheet.rows[~sheet.rows["used"]].iterrows():
        if sheet.kind == "roster":
            members = sheet.rows.loc[sheet.rows["_household_row"] == row["_household_row"], "_row"]
            assert rows_with_findings & set(members), f"row {row['_row']} left out without a finding"
        else:
            assert row["_row"] in rows_with_findings, f"row {row['_row']} left out without a finding"


def found(sheet, code: str | None = None) -> list[tuple]:
    return sorted(((f.row, f.column, f.code) for f in sheet.findings if code is None or f.code == code), key=str)


def progress_lines(rows: list[list], *, header=PROGRESS_HEADER, above: list[list] | None = None) -> list[list]:
    above = [[TITLE], ["填报单位：湖坊镇", None, None, "填报日期：2019年6月18日"]] if above is None else above
    return [*above, list(header), *rows]


ROSTER_ROW = ["001", "张一", valid_id(seq=11), "户主", "湖坊镇", "东社区", "低保", 300, None, None, None, None, "有", "未就业",
              "否", "2018-01", None]


def roster_lines(rows: list[list], *, header=ROSTER_HEADER) -> list[list]:
    return [["湖坊镇城镇困难群众救助对象台账"], ["填报单位：湖坊镇"], list(header), *rows]


def person(**cells) -> list:
    row = dict(zip(ROSTER_HEADER, ROSTER_ROW))
    row.update(cells)
    return [row[h] for h in ROSTER_HEADER]


# --- where the table is -------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [0, 1, 2, 5, 8, 10])
def test_title_and_metadata_lines_at_any_depth(tmp_path, ctx, depth):
    above = [[f"说明第{i}行"] for i in range(max(0, depth - 2))]
    if depth >= 2:
        above = [[TITLE], *above, ["填报单位：湖坊镇人民政府", None, None, None, "填报日期：", date(2019, 6, 18)]]
    elif depth == 1:
        above = [[TITLE]]
    sheet = read(tmp_path, "湖坊镇进展.xlsx", progress_lines(full_progress_rows([1, 2, 3]), above=above), ctx)
    assert sheet.kind == "progress" and sheet.unit == "湖坊镇"
    assert sheet.rows["_row"].tolist() == [depth + 2, depth + 3, depth + 4]
    assert sheet.rows["used"].all() and found(sheet) == []
    assert sheet.reported_on == (date(2019, 6, 18) if depth >= 2 else None)


def test_two_row_header_with_merged_cells(tmp_path, ctx):
    top = ["任务编号", "工作任务", "完成情况", None, "进展情况", "惠及人数", "投入资金（万元）"]
    sub = [None, None, "完成状态", "完成进度", None, None, None]
    lines = [[TITLE], ["填报单位：湖坊镇", None, None, "填报日期：2019-06-18"], top, sub,
             [1, "", "推进中", "80%", "按计划", 10, 1.5], [2, "", "已完成", 1, "完成", 5, 0.5]]
    merges = ("A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:G4")
    sheet = read(tmp_path, "湖坊镇.xlsx", lines, ctx, merges)
    assert sheet.rows[["task", "status", "progress", "_row"]].values.tolist() == [[1, "推进中", 80.0, 5], [2, "已完成", 100.0, 6]]
    assert found(sheet) == []


def test_roster_header_with_a_merged_household_group(tmp_path, ctx):
    top = ["户编号", "姓名", "公民身份号码", "与户主关系", "家庭情况", None, None, None, "享受起始年月"]
    sub = [None, None, None, None, "所属镇街", "救助类别", "家庭月人均收入", "家庭人口", None]
    data = [["001", "张一", valid_id(seq=11), "户主", "湖坊镇", "低保", 300, 2, "2018-01"],
            [None, "李二", valid_id(seq=13), "配偶", None, None, None, None, None]]
    merges = ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3", "I3:I4", "A5:A6", "E5:E6", "F5:F6", "G5:G6", "H5:H6", "I5:I6")
    sheet = read(tmp_path, "湖坊镇台账.xlsx", [["台账"], ["填报单位：湖坊镇"], top, sub, *data], ctx, merges)
    r = sheet.rows
    assert r["category"].tolist() == ["低保", "低保"] and r["income_fen"].tolist() == [30000, 30000]
    assert r["household_key"].nunique() == 1 and r["used"].all() and found(sheet) == []


def test_header_text_as_clerks_type_it(tmp_path, ctx):
    header = ["任务\n编号", "完 成 状 态", "完成进度（%）", "惠及人数(人)", "投入资金(万元)", "ＸＸ备用列"]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([["1、", "推进中", 50, 3, 0.2, "随便"]], header=header), ctx)
    assert sheet.rows[["task", "status", "progress", "beneficiaries", "funds"]].values.tolist() == [[1, "推进中", 50.0, 3, 0.2]]
    roster_header = ["户 编 号", "姓　名", "身份证号码*", "与户主\n关系", "乡镇（街道）", "保障类别*", "家庭月人均收入(元)",
                     "享受起始年月"]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines([["001", "张一", valid_id(seq=11), "户主", "湖坊镇", "城市低保", "1,234.50",
                                                             "2019年1月"]], header=roster_header), ctx)
    assert sheet.kind == "roster" and sheet.rows["income_fen"].tolist() == [123450] and found(sheet) == []


def test_standard_label_beats_an_alias_for_the_same_field(tmp_path, ctx):
    header = ["序号", "任务编号", "完成状态"]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([[1, 7, "推进中"], [2, 9, "已完成"]], header=header), ctx)
    assert sheet.rows["task"].tolist() == [7, 9]


def test_shuffled_columns_and_unknown_ones(tmp_path, ctx):
    header = ["备用", "投入资金（万元）", "完成状态", "领导批示", "任务编号", "完成进度"]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([["x", 2, "已完成", "阅", 5, "100%"]], header=header), ctx)
    assert sheet.rows[["task", "status", "progress", "funds"]].values.tolist() == [[5, "已完成", 100.0, 2.0]]
    assert found(sheet) == []


def test_footer_and_blank_rows(tmp_path, ctx):
    rows = [*full_progress_rows([1]), [None], *full_progress_rows([2]), [], ["填报人：张三", None, "联系电话：0791-8888888"],
            ["审核人：李四"], ["注：请于每季度末20日前报送。"]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows), ctx)
    assert sheet.rows["_row"].tolist() == [4, 6] and found(sheet) == []


def test_date_in_the_footer_when_none_above(tmp_path, ctx):
    rows = [*full_progress_rows([1]), ["填报人：张三", None, None, "填报日期：2019.6.18"]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows, above=[[TITLE], ["填报单位：湖坊镇"]]), ctx)
    assert sheet.reported_on == date(2019, 6, 18) and sheet.rows_read == 2 and sheet.notes == (5,)


# --- 合计 rows -------------------------------------------------------------------------------------

def test_progress_total_row_that_adds_up_is_not_data(tmp_path, ctx):
    rows = [[1, "", "", "推进中", 60, "", "", "", 10, 1.25], [2, "", "", "已完成", 100, "", "", "", 20, "1,000.5"],
            ["合计", None, None, None, None, None, None, None, 30, 1001.75]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows), ctx)
    assert (sheet.rows_read, sheet.totals) == (3, (6,)) and sheet.rows["_row"].tolist() == [4, 5] and found(sheet) == []


def test_progress_total_row_that_does_not_add_up(tmp_path, ctx):
    rows = [[1, "", "", "推进中", 60, "", "", "", 10, 1.5], [2, "", "", "已完成", 100, "", "", "", 20, 2],
            ["合 计", None, None, None, None, None, None, None, 31, "3.5万元"], ["填报人：张三"]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows), ctx)
    assert (sheet.rows_read, sheet.totals, sheet.notes) == (4, (6,), (7,)) and len(sheet.rows) == 2
    assert found(sheet) == [(6, "惠及人数", "total-mismatch")]
    f = sheet.findings[0]
    assert f.severity == "warning" and f.value == "31" and "31" in f.message and "30" in f.message


def test_subtotals_then_a_grand_total(tmp_path, ctx):
    rows = [[1, "", "", "推进中", 60, "", "", "", 10, 1], ["小计", *[None] * 7, 10, 1],
            [2, "", "", "推进中", 60, "", "", "", 5, 2], [3, "", "", "推进中", 60, "", "", "", 5, 2], ["小计", *[None] * 7, 10, 5],
            ["总计", *[None] * 7, 20, 6]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows), ctx)
    assert sheet.rows["task"].tolist() == [1, 2, 3]
    assert found(sheet) == [(8, "投入资金（万元）", "total-mismatch"), (9, "投入资金（万元）", "total-mismatch")]


def test_roster_total_row_counts_households_and_persons(tmp_path, ctx):
    rows = [person(), person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶"),
            person(户编号="002", 姓名="王三", 公民身份号码=valid_id(seq=15)),
            ["合计：2户 4人"]]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows), ctx)
    assert (sheet.rows_read, sheet.totals, len(sheet.rows)) == (4, (7,), 3)
    assert found(sheet) == [(7, "户编号", "total-mismatch")]
    assert "4" in sheet.findings[0].message and "3" in sheet.findings[0].message


def test_roster_total_in_the_name_and_size_columns(tmp_path, ctx):
    header = ROSTER_HEADER + ["家庭人口"]
    rows = [person() + [2], person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶") + [None],
            person(户编号="002", 姓名="王三", 公民身份号码=valid_id(seq=15)) + [1],
            ["合计", 3, *[None] * 15, "3人"], ["小计", 5, *[None] * 15, 4]]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows, header=header), ctx)
    assert (sheet.rows_read, sheet.totals, len(sheet.rows)) == (5, (7, 8), 3)
    assert found(sheet) == [(8, "姓名", "total-mismatch"), (8, "家庭人口", "total-mismatch")]


def test_text_that_only_starts_like_a_total_is_data(tmp_path, ctx):
    rows = [[1, "总计划推进", "", "推进中", 60, "", "", "", 10, 1]]
    rows[0][0] = None
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(rows), ctx)
    assert sheet.rows_read == 1 and found(sheet) == [(4, "任务编号", "bad-value")]


# --- rosters ----------------------------------------------------------------------------------------

def test_household_cells_merged_down_the_member_rows(tmp_path, ctx):
    rows = [person(), person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶", 所属镇街=None, 社区=None,
                           救助类别=None, 家庭月人均收入=None, 享受起始年月=None),
            person(户编号="002", 姓名="王三", 公民身份号码=valid_id(seq=15), 救助类别="特困", 家庭月人均收入=None)]
    merges = tuple(f"{c}4:{c}5" for c in "AEFGHP")
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows), ctx, merges)
    r = sheet.rows
    assert r["_household_row"].tolist() == [4, 4, 6]
    assert r["category"].tolist() == ["低保", "低保", "特困"] and r["start_key"].tolist()[:2] == [r["start_key"][0]] * 2
    assert r["used"].all() and found(sheet) == []


def test_households_follow_head_rows_without_a_household_column(tmp_path, ctx):
    header = [h for h in ROSTER_HEADER if h != "户编号"]
    rows = [person()[1:], person(姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="子")[1:],
            person(姓名="王三", 公民身份号码=valid_id(seq=15), 与户主关系="本人")[1:],
            person(姓名="赵四", 公民身份号码=valid_id(seq=17), 与户主关系="户 主")[1:]]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows, header=header), ctx)
    assert sheet.rows["_household_row"].tolist() == [4, 4, 6, 7]
    assert sheet.rows["household_key"].nunique() == 3


def test_each_row_is_a_household_without_number_or_relation_columns(tmp_path, ctx):
    header = [h for h in ROSTER_HEADER if h not in ("户编号", "与户主关系")]
    keep = [i for i, h in enumerate(ROSTER_HEADER) if h in header]
    rows = [[person(姓名=n, 公民身份号码=valid_id(seq=s), 救助类别="特困")[i] for i in keep] for n, s in (("甲", 21), ("乙", 23))]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows, header=header), ctx)
    assert sheet.rows["_household_row"].tolist() == [4, 5]


@pytest.mark.parametrize("cells, field, value", [
    ({"救助类别": "城市低保户"}, "category", "低保"), ({"救助类别": "特困供养人员"}, "category", "特困"),
    ({"救助类别": "支出型贫困低收入家庭"}, "category", "支出型"), ({"救助类别": " 低 保（城市）"}, "category", "低保"),
    ({"残疾等级": "肢体二级"}, "disability_grade", 2), ({"残疾等级": "Ⅰ级"}, "disability_grade", 1),
    ({"残疾等级": 3}, "disability_grade", 3), ({"残疾等级": "四级残疾"}, "disability_grade", 4),
    ({"残疾等级": "无"}, "disability_grade", None), ({"残疾等级": "—"}, "disability_grade", None),
    ({"享受起始年月": "2019年1月"}, "start_key", 2019 * 12), ({"享受起始年月": 201901}, "start_key", 2019 * 12),
    ({"享受起始年月": "2019.01"}, "start_key", 2019 * 12), ({"享受起始年月": datetime(2019, 1, 15)}, "start_key", 2019 * 12),
    ({"享受起始年月": "2019/1"}, "start_key", 2019 * 12), ({"停发年月": "无"}, "stop_key", None),
    ({"家庭月人均收入": "￥20,280元"}, "income_fen", 2028000), ({"家庭月人均收入": "1,234.50"}, "income_fen", 123450),
    ({"家庭月人均收入": "无"}, "income_fen", 0), ({"家庭月人均收入": "'300"}, "income_fen", 30000),
    ({"家庭月人均收入": "#300"}, "income_fen", 30000), ({"失能情况": "NA"}, "care_need", ""),
    ({"劳动能力": "无"}, "work_ability", "无"), ({"就业状况": "—"}, "employment", ""), ({"孤儿": "无"}, "orphan", False),
    ({"公民身份号码": "'" + valid_id(seq=11)}, "id_status", "ok"), ({"公民身份号码": valid_id(seq=11).lower()}, "id_status", "ok"),
])
def test_roster_values_in_their_common_variants(tmp_path, ctx, cells, field, value):
    from pipeline.period import month_key
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines([person(**cells)]), ctx)
    got = sheet.rows[field].iloc[0]
    if field == "start_key":
        value = month_key(2019, 1)
    assert (got is None or got != got) if value is None else got == value
    assert found(sheet, "bad-value") == []


@pytest.mark.parametrize("cells, column", [
    ({"家庭月人均收入": "—"}, "家庭月人均收入"), ({"家庭月人均收入": "NA"}, "家庭月人均收入"),
    ({"家庭月人均收入": -50}, "家庭月人均收入"), ({"残疾等级": "五级"}, "残疾等级"), ({"享受起始年月": "无"}, "享受起始年月"),
    ({"救助类别": "低收入"}, "救助类别"),
])
def test_values_that_leave_a_household_out(tmp_path, ctx, cells, column):
    rows = [person(**cells), person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶")]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows), ctx)
    assert found(sheet) == [(4, column, "bad-value")]
    assert not sheet.rows["used"].any() and "第4–5行" in sheet.findings[0].message


def test_blank_words_in_the_id_column_read_as_a_missing_id(tmp_path, ctx):
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines([person(公民身份号码="无")]), ctx)
    assert [f.message for f in sheet.findings] == ["身份证号码为空，请补填。"]


def test_a_member_s_unreadable_grade_is_reported_for_the_household(tmp_path, ctx):
    rows = [person(), person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶", 残疾等级="严重")]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", roster_lines(rows), ctx)
    assert found(sheet) == [(5, "残疾等级", "bad-value")] and "第4–5行" in sheet.findings[0].message


# --- progress reports -------------------------------------------------------------------------------

@pytest.mark.parametrize("written, unit", [("湖坊镇人民政府", "湖坊镇"), ("青山湖区民政局", "区民政局"),
                                           ("湖坊镇人民政府（盖章）", "湖坊镇"),
                                            ("南昌市青山湖区湖坊镇", "湖坊镇"), ("高新区", "高新园区")])
def test_loose_unit_names(tmp_path, ctx, written, unit):
    sheet = read(tmp_path, "进展.xlsx", progress_lines(full_progress_rows([1]), above=[[TITLE], [f"填报单位：{written}"]]), ctx)
    assert sheet.unit == unit


def test_seal_mark_before_the_colon(tmp_path, ctx):
    above = [["填报单位（盖章）：塘山镇  填报日期：2019/6/18"]]
    sheet = read(tmp_path, "进展.xlsx", progress_lines(full_progress_rows([1]), above=above), ctx)
    assert (sheet.unit, sheet.reported_on) == ("塘山镇", date(2019, 6, 18))


@pytest.mark.parametrize("written", ["2019年6月18日", "2019-06-18", "2019.6.18", "2019/6/18", "20190618", 43634, 43634.0,
                                     datetime(2019, 6, 18), "二〇一九年六月十八日", "2019年6月18号", "43634"])
def test_report_dates_in_every_common_form(tmp_path, ctx, written):
    above = [[TITLE], ["填报单位：湖坊镇", None, "填报日期：", written]]
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines(full_progress_rows([1]), above=above), ctx)
    assert sheet.reported_on == date(2019, 6, 18) and found(sheet) == []


@pytest.mark.parametrize("label, task", [("1、", 1), ("第3条", 3), ("（5）", 5), (7.0, 7), ("7.0", 7), ("(12)", 12), ("'8", 8),
                                         ("#9", 9), ("第十条", 10)])
def test_task_labels(tmp_path, ctx, label, task):
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([[label, "", "", "推进中", 50, "", "", "", 1, 1]]), ctx)
    assert sheet.rows["task"].tolist() == [task] and found(sheet) == []


@pytest.mark.parametrize("label", [0, -3, 10 ** 20, 3.5, "甲", "=SUM(A1)"])
def test_task_labels_that_are_not_tasks(tmp_path, ctx, label):
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([[label, "", "", "推进中", 50, "", "", "", 1, 1]]), ctx)
    assert found(sheet) == [(4, "任务编号", "bad-value")] and not sheet.rows["used"].any()


@pytest.mark.parametrize("word, status", [("正在推进", "推进中"), ("已落实", "已完成"), ("尚未开展", "未启动"), ("已完成。", "已完成"),
                                          ("已 完 成", "已完成"), ("推进中（80%）", "推进中"), ("持续推进", "推进中")])
def test_status_words_from_the_configured_vocabulary(tmp_path, ctx, word, status):
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([[1, "", "", word, 50, "", "", "", 1, 1]]), ctx)
    assert sheet.rows["status"].tolist() == [status] and found(sheet) == []


@pytest.mark.parametrize("written, pct", [(80, 80.0), ("80%", 80.0), (0.8, 80.0), ("８０％", 80.0), ("无", None)])
def test_percentages(tmp_path, ctx, written, pct):
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([[1, "", "", "推进中", written, "", "", "", 1, 1]]), ctx)
    got = sheet.rows["progress"].iloc[0]
    assert (got != got or got is None) if pct is None else got == pct


@pytest.mark.parametrize("column, written", [(8, -5), (8, 2.5), (9, -1), (9, "1e400"), (4, 180)])
def test_impossible_numbers_are_bad_values(tmp_path, ctx, column, written):
    row = [1, "", "", "推进中", 50, "", "", "", 1, 1]
    row[column] = written
    sheet = read(tmp_path, "湖坊镇.xlsx", progress_lines([row]), ctx)
    assert found(sheet) == [(4, PROGRESS_HEADER[column], "bad-value")]


# --- the whole run: accounting per sheet ---------------------------------------------------------

def test_accounting_holds_for_a_messy_quarter(book):
    rows = full_progress_rows([1, 2, 3])
    rows += [[60, "", "", "推进中", 50, "", "", "", 1, 1], ["甲", "", "", "推进中", 50, "", "", "", 1, 1], [None],
             ["第2条", "", "", "已完成", 100, "", "", "", 1, 1], ["合计", *[None] * 7, 99, 9]]
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", rows)
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [person(), person(户编号="002", 姓名="乙", 公民身份号码=valid_id(seq=13), 救助类别="未知"),
                                          ["合计：2户2人"]])
    r = run_check(book.folder.parent.parent)
    inputs = {i.file: i for i in r.context.inputs}
    assert (inputs["湖坊镇.xlsx"].rows_read, inputs["湖坊镇.xlsx"].rows_used, inputs["湖坊镇.xlsx"].rows_set_aside) == (7, 3, 1)
    assert (inputs["湖坊镇台账.xlsx"].rows_read, inputs["湖坊镇台账.xlsx"].rows_used) == (3, 1)
    assert all(i.reconciled for i in r.context.inputs)
    assert cells_of(r, "total-mismatch") == [(11, "惠及人数", "total-mismatch"), (11, "投入资金（万元）", "total-mismatch")]
    reported = {(f.file, f.row) for f in r.findings if f.severity == "error" or f.code == "duplicate-task"}
    p = r.quarter.progress
    for file, row in zip(p.loc[~p["used"], "_file"], p.loc[~p["used"], "_row"]):
        assert (file, row) in reported


def test_second_header_row_under_a_group_of_unknown_columns(tmp_path, ctx):
    top = ["任务编号", "完成状态", "备注", None]
    sub = [None, None, "市级", "区级"]
    lines = [[TITLE], ["填报单位：湖坊镇"], top, sub, [1, "推进中", "", ""], [None, None, "只填了备注", None]]
    sheet = read(tmp_path, "湖坊镇.xlsx", lines, ctx, ("C3:D3", "A3:A4", "B3:B4"))
    # The line holding only a remark is not a second header row, nor a task: it is set aside where 读取核对 lists it.
    assert sheet.rows["_row"].tolist() == [5] and sheet.notes == (6,) and sheet.rows_read == 2
    assert found(sheet) == []


def test_a_row_filling_only_unknown_columns_right_under_the_header_is_a_note_not_a_header(tmp_path, ctx):
    lines = progress_lines([[None, None, "只填了备注"], [1, "推进中", ""]], header=["任务编号", "完成状态", "备注"])
    sheet = read(tmp_path, "湖坊镇.xlsx", lines, ctx)
    assert sheet.rows["_row"].tolist() == [5] and sheet.notes == (4,) and found(sheet) == []


def test_an_id_never_shows_unmasked_in_a_finding(book):
    head = valid_id(born="19750505", seq=901)
    rows = [person(户编号=head, 劳动能力="有", 就业状况="未就业"),
            person(户编号="002", 姓名="乙", 公民身份号码=valid_id(seq=13), 残疾等级=valid_id(seq=15))]
    book.roster("湖坊镇台账.xlsx", "湖坊镇", rows)
    r = run_check(book.folder.parent.parent)
    assert {f.code for f in r.findings} >= {"zero-employment", "bad-value"}
    shown = " ".join(f"{f.message} {f.value}" for f in r.findings)
    assert head not in shown and valid_id(seq=15) not in shown and "3601**********" in shown
