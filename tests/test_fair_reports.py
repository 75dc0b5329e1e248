"""Issue 17, reports that reward real work: stale progress earns nothing, a move is told to both towns, what units
write reaches the office, and each rule (problem words, the missing previous quarter, ranks) is decided once."""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import ROSTER_HEADER, TODAY, Book, run_check, valid_id
from form_filling import PERIOD, fill_progress, forms_of, return_untouched, scratch_project

from pipeline import run
from pipeline.assessment import build_annual
from pipeline.bulletin import build_half
from pipeline.outbox import write_forms
from pipeline.period import Period
from pipeline.vocab import CellReason, Light

MOVER = valid_id(born="19620304", seq=57)


def sheet_text(path: Path, name: str) -> str:
    ws = openpyxl.load_workbook(path)[name]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def rows_of(path: Path, name: str) -> tuple[list, list[list]]:
    ws = openpyxl.load_workbook(path)[name]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    return rows[0], rows[1:]


def html_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Stale progress: a form sent back with only the date changed


@pytest.fixture
def lazy_and_honest(tmp_path, matrix):
    """Q3 forms pre-filled from a clean Q2: 湖坊镇 sends its form back with only the date, 区民政局 fills it in."""
    root = scratch_project(tmp_path, matrix)
    folder = write_forms(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                         today=TODAY).folder
    forms = forms_of(folder)
    lazy, honest = forms[f"湖坊镇-{PERIOD}进展情况表.xlsx"], forms[f"区民政局-{PERIOD}进展情况表.xlsx"]
    return_untouched(lazy)
    fill_progress(honest)
    (root / "input" / PERIOD).mkdir()
    for path in (lazy, honest):
        shutil.copy(path, root / "input" / PERIOD / path.name)
    return root, run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                     period=PERIOD)


def test_a_form_sent_back_untouched_is_stale_on_every_task_and_earns_nothing(lazy_and_honest, matrix, config):
    root, result = lazy_and_honest
    tasks = matrix.tasks_of("湖坊镇")
    stale = [f for f in result.findings if f.code == "stale-progress"]
    assert {f.unit for f in stale} == {"湖坊镇"}
    assert sorted(int(re.match(r"第(\d+)条", f.message).group(1)) for f in stale) == sorted(tasks)
    assert {(f.severity, f.column) for f in stale} == {("warning", "进展情况")}
    ctx = result.context
    lazy, honest = ctx.unit("湖坊镇"), ctx.unit("区民政局")
    # Not counted as reported: no completeness, no green, every cell red for the reason the rule gave.
    assert (lazy.reported_tasks, lazy.completeness, lazy.lights.green) == (0, 0.0, 0)
    assert set(lazy.stale_tasks) == set(tasks) and not lazy.missing_tasks
    cells = [c for t in ctx.tasks for c in t.cells if c.unit == "湖坊镇"]
    assert {(c.light, c.reason) for c in cells} == {(Light.RED, CellReason.STALE_PROGRESS)}
    assert honest.completeness == 100.0 and not honest.stale_tasks
    # No praise, in the quarter's report or the bulletin, and a lower score than the honest unit.
    assert honest.exemplary and not lazy.exemplary
    half = build_half({Period(2019, 3): ctx}, 2019, 2, config)
    assert "区民政局" in half.praised and "湖坊镇" not in half.praised
    assert any(c.unit == "湖坊镇" for c in half.criticised)
    scores = {u.unit: u for u in build_annual({Period(2019, 3): ctx}, 2019, config).units}
    assert scores["湖坊镇"].total < scores["区民政局"].total
    assert scores["湖坊镇"].rank > scores["区民政局"].rank
    html = html_text(result.output_dir / f"调度报告-{PERIOD}.html")
    praise = next(line for line in html.splitlines() if "各项任务如实更新" in line)
    assert "区民政局" in praise and "湖坊镇" not in praise
    assert "进展未更新" in html
    summary = json.loads((result.output_dir / "summary.json").read_text(encoding="utf-8"))
    entry = next(u for u in summary["units"] if u["unit"] == "湖坊镇")
    assert sorted(entry["stale_tasks"]) == sorted(tasks) and entry["exemplary"] is False and entry["reported_tasks"] == 0


def test_the_lazy_units_feedback_sheet_asks_for_the_real_update(lazy_and_honest, matrix):
    _, result = lazy_and_honest
    header, rows = rows_of(result.output_dir / "退回" / "湖坊镇.xlsx", "问题反馈")
    stale = [r for r in rows if r[header.index("问题")] == "进展未更新"]
    assert len(stale) == len(matrix.tasks_of("湖坊镇"))
    assert all("（上季度）" in r[header.index("如何改正")] and "“进展情况”列" in r[header.index("位置")] for r in stale)


def test_a_repeated_text_and_an_in_progress_row_without_progress_are_stale(book, matrix):
    tasks = matrix.tasks_of("区残联")
    q1 = Book(book.folder.parent / "2019Q1")
    q1.folder.mkdir()
    q1.progress("区残联.xlsx", "区残联", "2019-03-18",
                [[t, "", "", "推进中", 30, f"第{t}条：完成摸底", "无", "", 1, 1] for t in tasks])
    rows = [[t, "", "", "推进中", 60, f"第{t}条：已完成入户核查", "无", "", 1, 1] for t in tasks]
    rows[0][5] = f"第{tasks[0]}条：完成摸底。"        # the same words again (the full stop does not make them new)
    rows[1][4] = None                                  # 推进中 with 完成进度 left blank
    book.progress("区残联.xlsx", "区残联", "2019-06-18", rows)
    result = run_check(book.folder.parent.parent)
    stale = sorted((f.row, f.column) for f in result.findings if f.code == "stale-progress")
    assert stale == [(4, "进展情况"), (5, "完成进度")]
    assert result.context.unit("区残联").reported_tasks == len(tasks) - 2


# ---------------------------------------------------------------------------------------------------------------
# A move told to both towns


def person(no: str, name: str, id_: str, unit: str, start: str, income=200) -> list:
    row = dict.fromkeys(ROSTER_HEADER)
    row.update({"户编号": no, "姓名": name, "公民身份号码": id_, "与户主关系": "户主", "所属镇街": unit, "社区": "新村社区",
                "救助类别": "低保", "家庭月人均收入": income, "享受起始年月": start})
    return [row[h] for h in ROSTER_HEADER]


@pytest.fixture
def moved(project):
    """刘大山 on 京东镇's roster since 2018 and never stopped; 湖坊镇 adds him from May."""
    q1 = project / "input" / "2019Q1"
    q1.mkdir()
    stay = person("J001", "刘大山", MOVER, "京东镇", "2018-01")
    Book(q1).roster("京东镇台账.xlsx", "京东镇", [stay, person("J002", "陈二", valid_id(seq=59), "京东镇", "2018-01")])
    q2 = Book(project / "input" / "2019Q2")
    q2.roster("京东镇台账.xlsx", "京东镇", [stay, person("J002", "陈二", valid_id(seq=59), "京东镇", "2018-01")])
    q2.roster("湖坊镇台账.xlsx", "湖坊镇", [person("H009", "刘大山", MOVER, "湖坊镇", "2019-05")])
    return project


def test_a_move_without_a_stop_is_an_error_for_the_paying_town_with_the_amount_paid_twice(moved):
    result = run(config_path=moved / "config.toml", input_dir=moved / "input", output_dir=moved / "output",
                 period="2019Q2")
    found = {f.code: f for f in result.findings}
    assert "person-duplicate" not in found
    error, note = found["moved-without-stop"], found["moved-in"]
    assert (error.unit, error.severity, error.file, error.row, error.column) == (
        "京东镇", "error", "京东镇台账.xlsx", 4, "停发年月")
    assert "5–6月" in error.message and "940.00 元" in error.message and MOVER not in error.message
    assert (note.unit, note.severity, note.row) == ("湖坊镇", "info", 4)
    # Named, not removed: both towns are paid as listed, so the totals hold the double payment.
    assert result.context.total_fen == (3 * 470 + 3 * 470 + 2 * 470) * 100
    out = result.output_dir
    header, rows = rows_of(out / "退回" / "京东镇.xlsx", "问题反馈")
    mine = [r for r in rows if r[header.index("问题")] == "人员转入他处未停发"]
    assert len(mine) == 1 and "940.00 元" in mine[0][header.index("说明")]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["changes"]
    assert summary["moves"] == [{"from": "京东镇", "to": "湖坊镇", "months": [5, 6], "paid_twice": 940.0}]
    assert summary["paid_twice"] == 940.0 and summary["moved_without_stop"] == 1
    assert "重复发放940.00元" in sheet_text(out / "调度报告-2019Q2.xlsx", "变动情况")
    html = html_text(out / "调度报告-2019Q2.html")
    assert "原单位重复发放940.00元" in html.split("五、与上季度相比")[1] and "京东镇→湖坊镇（5–6月，940.00元）" in html
    assert "刘大山" not in html and "刘大山" not in json.dumps(summary, ensure_ascii=False)


def test_without_the_previous_quarter_a_person_on_two_rosters_is_a_duplicate_for_both(moved):
    shutil.rmtree(moved / "input" / "2019Q1")
    result = run_check(moved)
    assert sorted((f.code, f.unit) for f in result.findings if f.code != "missing-submission") == [
        ("person-duplicate", "京东镇"), ("person-duplicate", "湖坊镇")]


def test_a_town_that_stopped_in_time_hands_over_without_a_finding(moved):
    q2 = Book(moved / "input" / "2019Q2")
    stopped = person("J001", "刘大山", MOVER, "京东镇", "2018-01")
    stopped[ROSTER_HEADER.index("停发年月")] = "2019-05"
    q2.roster("京东镇台账.xlsx", "京东镇", [stopped, person("J002", "陈二", valid_id(seq=59), "京东镇", "2018-01")])
    result = run_check(moved)
    assert not [f for f in result.findings if f.code != "missing-submission"]
    assert result.context.moves == ()


# ---------------------------------------------------------------------------------------------------------------
# What units write reaches the office


def test_what_units_wrote_reaches_the_workbook_the_reports_and_the_summary(project, book, matrix):
    hufang, kegong = matrix.tasks_of("湖坊镇"), matrix.tasks_of("区科工局")
    rows = [[t, "", "", "推进中", 60, f"湖坊镇第{t}条走访张三丰等困难户", "资金未到位" if t == hufang[0] else "无",
             f"第{t}条下季度完成", 10, 1.25] for t in hufang]
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", rows)
    book.progress("区科工局.xlsx", "区科工局", "2019-06-18",
                  [[t, "", "", "已完成", 100, f"科工局第{t}条已办结", "无", "巩固", 5, 0.5] for t in kegong])
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [person("H001", "张三丰", valid_id(seq=61), "湖坊镇", "2018-01")])
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2")
    out = result.output_dir
    path = out / "调度报告-2019Q2.xlsx"
    ws = openpyxl.load_workbook(path)["进展汇编"]
    assert ws.auto_filter.ref
    header, body = rows_of(path, "进展汇编")
    for column in ("完成状态", "完成进度（%）", "进展情况", "存在问题", "下步计划", "惠及人数", "投入资金（万元）"):
        assert column in header
    col = {h: header.index(h) for h in header}
    mine = {(r[col["单位"]], r[col["编号"]]): r for r in body}
    first = mine[("湖坊镇", hufang[0])]
    assert first[col["进展情况"]] == f"湖坊镇第{hufang[0]}条走访张*丰等困难户"       # free text masked on the way out
    assert (first[col["存在问题"]], first[col["下步计划"]]) == ("资金未到位", f"第{hufang[0]}条下季度完成")
    assert (first[col["惠及人数"]], first[col["投入资金（万元）"]], first[col["完成进度（%）"]]) == (10, 1.25, 60)
    assert mine[("区科工局", kegong[0])][col["进展情况"]] == f"科工局第{kegong[0]}条已办结"
    assert mine[("区民政局", 1)][col["完成状态"]] == "未报送"
    assert "张三丰" not in sheet_text(path, "进展汇编")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    units = {u["unit"]: u for u in summary["units"]}
    assert (units["湖坊镇"]["beneficiaries"], units["湖坊镇"]["funds_wan"]) == (10 * len(hufang), 1.25 * len(hufang))
    assert summary["reported"] == {"beneficiaries": 10 * len(hufang) + 5 * len(kegong),
                                   "funds_wan": float(Decimal("1.25") * len(hufang) + Decimal("0.5") * len(kegong))}
    both = set(hufang) & set(kegong)
    task = next(t for t in summary["tasks"] if t["task"] == min(both))
    assert (task["beneficiaries"], task["funds_wan"]) == (15, 1.75)
    html = html_text(out / "调度报告-2019Q2.html")
    total = summary["reported"]
    assert f"惠及群众{total['beneficiaries']}人（次）" in html
    bulletin = html_text(out / "半年通报-2019H1.html")
    basics = bulletin.split("基本情况")[1].split("主要成效")[0]
    assert f"惠及群众{total['beneficiaries']}人（次）" in basics


# ---------------------------------------------------------------------------------------------------------------
# One rule, one place


def test_no_problem_words_are_the_rules_alone(project, book, matrix):
    text = (project / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r"^no_problem_words = .*$", 'no_problem_words = ["没有"]', text, flags=re.M)
    (project / "config.toml").write_text(text, encoding="utf-8")
    first, second = matrix.tasks_of("区残联")[:2]
    book.progress("区残联.xlsx", "区残联", "2019-06-18", [[first, "", "", "已完成", 100, "已办结", "无", "", 1, 1],
                                                        [second, "", "", "已完成", 100, "已办结", "没有", "", 1, 1]])
    result = run_check(project)
    cells = {c.task: c for t in result.context.tasks for c in t.cells if c.unit == "区残联"}
    assert (cells[first].light, cells[first].reason, cells[first].problem) == (
        Light.YELLOW, CellReason.PROBLEMS_REPORTED, "无")
    assert (cells[second].light, cells[second].reason) == (Light.GREEN, CellReason.DONE)


def test_without_a_previous_quarter_every_report_says_so_in_one_wording(project, book, matrix):
    for unit in ("湖坊镇", "区科工局"):
        book.progress(f"{unit}.xlsx", unit, "2019-06-18",
                      [[t, "", "", "未启动", 0, "待部署", "无", "", None, None] for t in matrix.tasks_of(unit)])
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [person("H001", "王五", valid_id(seq=63), "湖坊镇", "2018-01")])
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2")
    out = result.output_dir
    wording = "未收到2019年第一季度的报表，无法与上季度比较"
    texts = {
        "dispatch": html_text(out / "调度报告-2019Q2.html").split("五、与上季度相比")[1].split("六、")[0],
        "bulletin": html_text(out / "半年通报-2019H1.html"),
        "bulletin workbook": sheet_text(out / "半年通报-2019H1.xlsx", "连续红灯任务"),
        "workbook": sheet_text(out / "调度报告-2019Q2.xlsx", "变动情况"),
        "summary": json.loads((out / "summary.json").read_text(encoding="utf-8"))["changes"]["note"],
    }
    for name, text in texts.items():
        assert wording in text, name
        for other in ("没有连续两个季度", "无法判断", "完成状态没有倒退", "没有完成状态倒退"):
            assert other not in text, (name, other)


def test_equal_records_share_one_rank_everywhere(project, config, matrix):
    q4 = project / "input" / "2019Q4"
    q4.mkdir()
    units = [u.name for u in config.registry.reporting]
    for unit in units:
        Book(q4).progress(f"{unit}.xlsx", unit, "2019-12-18",
                          [[t, "", "", "已完成", 100, "已办结", "无", "", None, None] for t in matrix.tasks_of(unit)],
                          title="青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第四季度）")
    assert len(units) >= 30
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q4")
    out = result.output_dir
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {u["rank"] for u in summary["units"]} == {1}
    header, rows = rows_of(out / "调度报告-2019Q4.xlsx", "单位报送")
    assert {r[header.index("排名")] for r in rows} == {1}
    assert [r[header.index("单位")] for r in rows] == units          # listed in the registry's order
    assert {r.rank for r in result.half_year.ranking} == {1} and {u.rank for u in result.annual.units} == {1}
    for book, sheet in (("半年通报-2019H2.xlsx", "单位排名"), ("年度考核-2019.xlsx", "考核得分")):
        header, rows = rows_of(out / book, sheet)
        assert {r[header.index("排名")] for r in rows} == {1}, book
        assert [r[header.index("单位")] for r in rows] == units, book


def test_a_carried_text_sent_back_is_carried_once_more_without_a_second_mark():
    from pipeline.cells import clean_text
    from pipeline.forms import unmarked
    assert unmarked(clean_text("（上季度）第3条二季度的进展")) == "第3条二季度的进展"
    assert unmarked("（上季度）第3条") == "第3条"
