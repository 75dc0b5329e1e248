"""Traffic lights: per (task, unit) cell and rolled up per task."""
from __future__ import annotations

import pytest

from conftest import full_progress_rows, run_check


@pytest.fixture
def tasks_of(project):
    from pipeline.config import load_config
    from pipeline.matrix import load_matrix
    config = load_config(project / "config.toml")
    return load_matrix(config.paths["matrix"], config.registry).tasks_of


def light_of(result, task):
    return next(t for t in result.context.tasks if t["task"] == task)


def test_task_is_red_when_its_lead_unit_did_not_report(book, tasks_of):
    # Task 51's leads are 区财政局 and 区审计局; only the towns report.
    for unit in ("湖坊镇", "塘山镇", "京东镇", "罗家镇"):
        book.progress(f"{unit}.xlsx", unit, "2019-06-18", full_progress_rows(tasks_of(unit), "已完成", 100))
    r = run_check(book.folder.parent.parent)
    t = light_of(r, 51)
    assert t["light"] == "red"
    assert {"区财政局", "区审计局"} <= set(t["units_missing"])
    assert t["status_counts"] == {"已完成": 4, "推进中": 0, "未启动": 0}


def test_task_is_green_when_every_unit_is_done(book, tasks_of):
    units = [u for u in ("区科工局",)]
    for unit in units:
        book.progress(f"{unit}.xlsx", unit, "2019-06-18", full_progress_rows(tasks_of(unit), "已完成", 100))
    r = run_check(book.folder.parent.parent)
    cell = r.context.cells
    assert cell[(cell["task"] == 38) & (cell["unit"] == "区科工局")]["light"].tolist() == ["green"]


@pytest.mark.parametrize("status, progress, problems, light", [
    ("已完成", 100, "无", "green"),
    ("推进中", 60, "无", "green"),
    ("推进中", 10, "无", "yellow"),      # Q2 schedule is 50 %, tolerance 25 points
    ("推进中", 60, "资金未到位", "yellow"),
    ("未启动", 0, "无", "red"),
])
def test_cell_light_rules(book, tasks_of, status, progress, problems, light):
    rows = [[38, "", "", status, progress, "", problems, "", 1, 1]]
    book.progress("区科工局.xlsx", "区科工局", "2019-06-18", rows)
    r = run_check(book.folder.parent.parent)
    cell = r.context.cells
    assert cell[(cell["task"] == 38) & (cell["unit"] == "区科工局")]["light"].tolist() == [light]
