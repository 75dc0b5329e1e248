"""Traffic lights: per (task, unit) cell and rolled up per task, each with the reason lights.py gave it."""
from __future__ import annotations

import pytest
from conftest import full_progress_rows, run_check

from pipeline.vocab import CellReason, Light, TaskReason


@pytest.fixture
def tasks_of(project):
    from pipeline.config import load_config
    from pipeline.matrix import load_matrix
    config = load_config(project / "config.toml")
    return load_matrix(config.paths["matrix"], config.registry).tasks_of


def task(result, number):
    return next(t for t in result.context.tasks if t.task == number)


def cell(result, number, unit):
    return next(c for c in task(result, number).cells if c.unit == unit)


def test_task_is_red_when_its_lead_unit_did_not_report(book, tasks_of):
    # Task 51's leads are 区财政局 and 区审计局; only the towns report.
    for unit in ("湖坊镇", "塘山镇", "京东镇", "罗家镇"):
        book.progress(f"{unit}.xlsx", unit, "2019-06-18", full_progress_rows(tasks_of(unit), "已完成", 100))
    t = task(run_check(book.folder.parent.parent), 51)
    assert (t.light, t.reason) == (Light.RED, TaskReason.LEAD_RED)
    assert {"区财政局", "区审计局"} <= set(t.units_missing)
    assert t.status_counts == {"已完成": 4, "推进中": 0, "未启动": 0}


def test_task_is_green_when_every_unit_is_done(book, tasks_of):
    book.progress("区科工局.xlsx", "区科工局", "2019-06-18", full_progress_rows(tasks_of("区科工局"), "已完成", 100))
    c = cell(run_check(book.folder.parent.parent), 38, "区科工局")
    assert (c.light, c.reason) == (Light.GREEN, CellReason.DONE)


@pytest.mark.parametrize("status, progress, problems, light, reason", [
    ("已完成", 100, "无", Light.GREEN, CellReason.DONE),
    ("推进中", 60, "无", Light.GREEN, CellReason.ON_SCHEDULE),
    ("推进中", 10, "无", Light.YELLOW, CellReason.BEHIND_SCHEDULE),      # Q2 schedule is 50 %, tolerance 25 points
    ("推进中", 60, "资金未到位", Light.YELLOW, CellReason.PROBLEMS_REPORTED),
    ("见附件", 60, "无", Light.YELLOW, CellReason.UNREADABLE_STATUS),
    ("未启动", 0, "无", Light.RED, CellReason.NOT_STARTED),
])
def test_cell_light_rules(book, status, progress, problems, light, reason):
    book.progress("区科工局.xlsx", "区科工局", "2019-06-18", [[38, "", "", status, progress, "", problems, "", 1, 1]])
    c = cell(run_check(book.folder.parent.parent), 38, "区科工局")
    assert (c.light, c.reason) == (light, reason)


def test_behind_schedule_carries_how_far_behind(book):
    book.progress("区科工局.xlsx", "区科工局", "2019-06-18", [[38, "", "", "推进中", 10, "", "无", "", 1, 1]])
    assert cell(run_check(book.folder.parent.parent), 38, "区科工局").behind_points == 40   # 50 expected at Q2


def set_lights(project, **values) -> None:
    text = (project / "config.toml").read_text(encoding="utf-8")
    for key, value in values.items():
        start = text.index(f"\n{key} =")
        end = text.index("\n", start + 1)
        text = text[:start] + f"\n{key} = {value}" + text[end:]
    (project / "config.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def unusual_rules(project, book, tasks_of):
    """A config where 暂无明显问题 means no problem and the schedule moves 40 points a quarter with 5 points' slack.

    湖坊镇 reports task 1 at 70 % (behind 80 − 5) with 暂无明显问题, and task 2 with a real problem, on schedule.
    """
    set_lights(project, no_problem_words='["无", "暂无明显问题"]', schedule_points_per_quarter=40,
               schedule_tolerance_points=5)
    rows = full_progress_rows(tasks_of("湖坊镇"), "已完成", 100)
    rows[0] = [1, "", "", "推进中", 70, "", "暂无明显问题", "", 1, 1]
    rows[1] = [2, "", "", "推进中", 90, "", "资金未到位", "", 1, 1]
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", rows)
    return project


def test_configured_words_and_schedule_decide_the_reason(unusual_rules):
    r = run_check(unusual_rules)
    one, two = cell(r, 1, "湖坊镇"), cell(r, 2, "湖坊镇")
    assert (one.reason, one.behind_points, one.problem) == (CellReason.BEHIND_SCHEDULE, 10, "")
    assert (two.reason, two.behind_points, two.problem) == (CellReason.PROBLEMS_REPORTED, None, "资金未到位")


def test_every_report_words_the_reason_lights_gave(unusual_rules):
    import openpyxl

    from pipeline import run
    r = run(config_path=unusual_rules / "config.toml", input_dir=unusual_rules / "input",
            output_dir=unusual_rules / "output", period="2019Q2")
    html = (r.output_dir / "调度报告-2019Q2.html").read_text(encoding="utf-8")
    behind = "进度滞后</b>：湖坊镇（进度70%，落后序时进度10个百分点）"
    problem = "存在问题</b>：湖坊镇（资金未到位）"
    assert behind in html and problem in html
    assert "暂无明显问题" not in html
    ws = openpyxl.load_workbook(r.output_dir / "调度报告-2019Q2.xlsx")["任务进展"]
    header = [c.value for c in ws[2]]
    why = {row[0]: row[header.index("亮灯原因")] for row in ws.iter_rows(min_row=3, values_only=True) if row[0]}
    assert "进度滞后：湖坊镇（进度70%，落后序时进度10个百分点）" in why[1]
    assert "存在问题：湖坊镇（资金未到位）" in why[2]
    assert "落后序时进度（每季度40%）超过5个百分点" in html
