"""What changed since last quarter: each kind of change planted across two quarters, and exactly those found."""
from __future__ import annotations

import json

import openpyxl
import pytest
from conftest import ROSTER_HEADER, Book, full_progress_rows, set_parameter, valid_id

from pipeline import run
from pipeline.vocab import ChangeReason, Status

IDS = {name: valid_id(seq=seq) for name, seq in (("stay", 11), ("grow", 13), ("income", 15), ("leave", 17),
                                                  ("enter", 19), ("mover", 21), ("disabled", 23), ("raise", 25))}


def member(no, name, key, relation="户主", category="低保", income=None, grade=None, unit="湖坊镇", stop=None):
    row = dict(zip(ROSTER_HEADER, [no, name, IDS.get(key, key), relation, unit, "东社区", category, income, None, grade,
                                   None, None, None, None, "否", "2018-01", stop]))
    return [row[h] for h in ROSTER_HEADER]


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory):
    """Q1 and Q2 rosters of 湖坊镇 and 塘山镇 with one of each change, and progress reports for the lights."""
    import shutil

    from conftest import ROOT
    project = tmp_path_factory.mktemp("changes")
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / name, project / name)
    # The 低保 standard rises from 1 June: only households whose other parts stay the same show it as the reason.
    set_parameter(project, "dibao_standard", """
[parameters.dibao_standard]
"2019-01-01" = { value = 670, source = "任务1" }
"2019-06-01" = { value = 900, source = "测试：6月起上调" }
""")
    q1, q2 = (project / "input" / q for q in ("2019Q1", "2019Q2"))
    q1.mkdir(parents=True)
    q2.mkdir(parents=True)
    common = [member("001", "张一", "stay", income=600)]            # (670 − 600) → (900 − 600): the standard
    Book(q1).roster("湖坊镇台账.xlsx", "湖坊镇", common + [
        member("002", "李一", "grow", income=300),
        member("003", "王一", "income", income=100),
        member("004", "赵一", "leave", income=300),
        member("005", "孙一", "mover", income=300),
        member("006", "周一", "disabled", income=600),
    ])
    Book(q2).roster("湖坊镇台账.xlsx", "湖坊镇", common + [
        member("002", "李一", "grow", income=300), member(None, "李二", valid_id(seq=41), relation="配偶"),
        member("003", "王一", "income", income=500),
        member("006", "周一", "disabled", income=600, grade="一级"),
        member("007", "吴一", "enter", income=200),
    ])
    # 孙一 moves to 塘山镇 without 湖坊镇 ever filling in 停发年月.
    Book(q2).roster("塘山镇台账.xlsx", "塘山镇", [member("T01", "孙一", "mover", income=300, unit="塘山镇")])
    from pipeline.config import load_config
    from pipeline.matrix import load_matrix
    config = load_config(project / "config.toml")
    tasks = load_matrix(config.paths["matrix"], config.registry).tasks_of("湖坊镇")
    done = full_progress_rows(tasks, "已完成", 100)
    back = full_progress_rows(tasks, "已完成", 100)
    back[0] = [tasks[0], "", "", "推进中", 60, "", "无", "", 1, 1]            # 已完成 → 推进中
    Book(q1).progress("湖坊镇.xlsx", "湖坊镇", "2019-03-18", done)
    Book(q2).progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", back)
    results = {q: run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                      period=q) for q in ("2019Q1", "2019Q2")}
    return project, results


def test_the_first_quarter_says_there_is_nothing_to_compare(two_quarters):
    _, results = two_quarters
    c = results["2019Q1"].context.changes
    assert not c.received and (c.entered, c.left, c.changed) == ((), (), ())
    html = (results["2019Q1"].output_dir / "调度报告-2019Q1.html").read_text(encoding="utf-8")
    assert "未收到2018年第四季度的报表，无法与上季度比较" in html


def test_households_that_entered_and_left_are_exactly_the_planted_ones(two_quarters):
    _, results = two_quarters
    c = results["2019Q2"].context.changes
    assert c.received and str(c.previous) == "2019Q1"
    assert {h.head_id for h in c.entered} == {IDS["enter"], IDS["mover"]}      # 孙一 is new to 塘山镇
    assert {h.head_id for h in c.left} == {IDS["leave"], IDS["mover"]}         # and gone from 湖坊镇
    hufang = next(u for u in c.units if u.unit == "湖坊镇")
    assert (hufang.entered, hufang.left) == (1, 2)
    assert hufang.entered_fen == (900 - 200) * 100                             # 吴一's June amount


def test_payment_changes_carry_the_reason_from_the_parts_of_the_amount(two_quarters):
    _, results = two_quarters
    c = results["2019Q2"].context.changes
    got = {p.after.head_id: (p.before.monthly_fen, p.after.monthly_fen, p.reasons) for p in c.changed}
    assert got == {
        IDS["stay"]: (7000, 30000, (ChangeReason.STANDARD,)),                             # 70 → 300
        IDS["grow"]: ((670 - 300) * 100, (900 - 300) * 2 * 100, (ChangeReason.MEMBERS, ChangeReason.STANDARD)),
        IDS["income"]: ((670 - 100) * 100, (900 - 500) * 100, (ChangeReason.INCOME, ChangeReason.STANDARD)),
        IDS["disabled"]: ((670 - 600) * 100, (900 - 600 + 60 + 70) * 100,
                          (ChangeReason.STANDARD, ChangeReason.DISABILITY)),
    }


def test_a_person_the_first_unit_dropped_is_paid_once_and_is_no_finding(two_quarters):
    # 湖坊镇 deleted 孙一's row instead of filling in 停发年月: untidy, but nobody pays him twice (see test_moves.py).
    _, results = two_quarters
    codes = ("moved-without-stop", "moved-in", "person-duplicate")
    assert not [f for f in results["2019Q2"].findings if f.code in codes]
    assert results["2019Q2"].context.moves == ()


def test_statuses_that_went_backwards_and_tasks_that_stayed_red(two_quarters):
    _, results = two_quarters
    c = results["2019Q2"].context.changes
    assert [(b.unit, b.before, b.after) for b in c.backwards] == [("湖坊镇", Status.DONE, Status.IN_PROGRESS)]
    # Only 湖坊镇 reports: the tasks it leads nobody else reports either, so they stay red in both quarters.
    q1_red = {t.task for t in results["2019Q1"].context.tasks if t.light == "red"}
    q2_red = {t.task for t in results["2019Q2"].context.tasks if t.light == "red"}
    assert {r.task for r in c.red_runs} == q1_red & q2_red and c.red_runs


def test_changes_reach_summary_workbook_and_both_reports_with_names_masked(two_quarters):
    _, results = two_quarters
    out = results["2019Q2"].output_dir
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["changes"]
    assert (summary["entered"]["households"], summary["left"]["households"]) == (2, 2)
    assert {tuple(p["reasons"]) for p in summary["payment_changes"]} == {("standard",), ("members", "standard"),
                                                                          ("income", "standard"),
                                                                          ("standard", "disability")}
    assert summary["moved_without_stop"] == 0 and summary["status_backwards"][0]["to"] == "推进中"
    ws = openpyxl.load_workbook(out / "调度报告-2019Q2.xlsx")["变动情况"]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "新增" in text and "退出" in text and "家庭人口变化、保障标准调整" in text and "吴*" in text
    assert "吴一" not in text and IDS["enter"] not in text
    html = (out / "调度报告-2019Q2.html").read_text(encoding="utf-8")
    assert "新增救助对象2户" in html and "退出2户" in html and "月发放额变化超过20%的4户" in html
    bulletin = (out / "半年通报-2019H1.html").read_text(encoding="utf-8")
    assert "第二季度与2019年第一季度相比，新增救助对象2户、退出2户" in bulletin
