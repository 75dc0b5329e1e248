"""Traffic lights per (task, unit) cell and per task, as 督查 systems use them, each with the reason that decided it.

The reason is decided here, once; the workbook, the reports, the bulletin and the assessment only word it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import clean_text
from .config import LightRules
from .matrix import Matrix
from .money import fmt_param
from .quarter import Quarter
from .units import Registry
from .vocab import CellReason, Light, Role, Status, TaskReason

CELL_COLUMNS = ["task", "unit", "role", "reported", "status", "progress", "problems", "progress_text", "next_steps",
                "beneficiaries", "funds", "stale", "_file", "_row", "light", "reason", "behind_points", "problem"]


def rule_text(rules: LightRules) -> str:
    """Say the configured light rule in one paragraph, for the foot of every report."""
    return (f"单位灯色——红：未报送、进展未更新（仍是上季度内容、与上季度相同，或“推进中”未填完成进度）或“未启动”；"
            f"黄：状态无法识别、进度落后序时进度（每季度{fmt_param(rules.schedule_per_quarter)}%）"
            f"超过{fmt_param(rules.tolerance)}个百分点，或填报了存在问题；绿：其余。"
            f"任务灯色——红：牵头单位为红，或{rules.red_share:.0%}以上单位为红；"
            f"黄：牵头单位为黄，或{rules.yellow_share:.0%}以上单位非绿；绿：其余。")


def has_problem(problems: pd.Series, rules: LightRules) -> np.ndarray:
    """Say which 存在问题 texts name a problem: anything but a blank cell or one of the configured no-problem words."""
    words = {clean_text(w) for w in rules.no_problem_words}
    text = problems.map(clean_text)
    return ((text != "") & ~text.isin(words)).to_numpy()


def cell_states(quarter: Quarter, matrix: Matrix, registry: Registry, rules: LightRules,
                stale: pd.Series | None = None) -> pd.DataFrame:
    """Return one row per assigned (task, reporting unit) with its status, light and the reason for the light.

    `stale` (from stale.py, aligned with the quarter's progress rows) marks rows that report no new progress: such a
    cell is red and not counted as reported, though what the unit wrote stays on it.
    """
    reporting = {u.name for u in registry.reporting}
    assign = matrix.assignments()
    assign = assign[assign["unit"].isin(reporting)]
    p = quarter.progress.assign(stale=stale if stale is not None else None)
    kept = p[p["used"] & p["role"].notna()][["task", "unit", "status", "progress", "problems", "progress_text",
                                             "next_steps", "beneficiaries", "funds", "stale", "_file", "_row"]]
    cells = assign.merge(kept.astype({"task": "int64"}), on=["task", "unit"], how="left", indicator=True)
    present = (cells["_merge"] == "both").to_numpy()
    cells = cells.drop(columns="_merge")
    is_stale = present & cells["stale"].notna().to_numpy()
    reported = present & ~is_stale
    cells["reported"] = reported
    status = cells["status"]
    progress = pd.to_numeric(cells["progress"], errors="coerce").to_numpy(dtype=float)
    expected = rules.expected(quarter.period.quarter)
    behind = ((status == Status.IN_PROGRESS).to_numpy() & ~np.isnan(progress)
              & (progress < expected - rules.tolerance))
    problems = cells["problems"].where(cells["problems"].map(lambda v: isinstance(v, str)), "").str.strip()
    cells["problems"] = problems
    problem = has_problem(problems, rules)
    not_started = (status == Status.NOT_STARTED).to_numpy()
    unreadable = status.isna().to_numpy()
    conditions = [~present, is_stale, not_started, unreadable, problem, behind, (status == Status.DONE).to_numpy()]
    cells["reason"] = np.select(conditions, [CellReason.NOT_REPORTED, CellReason.STALE_PROGRESS, CellReason.NOT_STARTED,
                                             CellReason.UNREADABLE_STATUS, CellReason.PROBLEMS_REPORTED,
                                             CellReason.BEHIND_SCHEDULE, CellReason.DONE],
                                CellReason.ON_SCHEDULE)
    cells["light"] = np.select([~reported | not_started, unreadable | problem | behind],
                               [Light.RED, Light.YELLOW], Light.GREEN)
    cells["behind_points"] = np.where(reported & behind, expected - progress, np.nan)
    cells["problem"] = np.where(reported & problem, problems, "")
    return cells[CELL_COLUMNS]


def task_lights(cells: pd.DataFrame, matrix: Matrix, rules: LightRules) -> pd.DataFrame:
    """Roll the cells up to one light per task, with the clause of the rule that decided it and status counts."""
    c = cells.assign(_red=cells["light"] == Light.RED, _off=cells["light"] != Light.GREEN,
                     _lead=cells["role"] == Role.LEAD)
    c = c.assign(_lead_red=c["_red"] & c["_lead"], _lead_yellow=(c["light"] == Light.YELLOW) & c["_lead"],
                 **{f"_s{i}": (c["status"] == s) & c["reported"] for i, s in enumerate(Status)})
    g = c.groupby("task")
    agg = pd.DataFrame({"assigned": g.size(), "reported": g["reported"].sum(), "red": g["_red"].sum(),
                        "off": g["_off"].sum(), "lead_red": g["_lead_red"].any(),
                        "lead_yellow": g["_lead_yellow"].any(),
                        **{f"_s{i}": g[f"_s{i}"].sum() for i in range(len(Status))}})
    agg = agg.reindex([t.number for t in matrix.tasks]).fillna(0)
    n = np.maximum(agg["assigned"].to_numpy(), 1)
    red_share, off_share = agg["red"].to_numpy() / n, agg["off"].to_numpy() / n
    lead_red, lead_yellow = agg["lead_red"].astype(bool).to_numpy(), agg["lead_yellow"].astype(bool).to_numpy()
    share_red = red_share >= rules.red_share
    share_off = off_share >= rules.yellow_share
    out = pd.DataFrame({"task": agg.index.to_numpy()})
    out["reason"] = np.select([lead_red, share_red, lead_yellow, share_off],
                              [TaskReason.LEAD_RED, TaskReason.SHARE_RED, TaskReason.LEAD_YELLOW,
                               TaskReason.SHARE_NOT_GREEN],
                              TaskReason.ALL_GREEN)
    out["light"] = np.select([lead_red | share_red, lead_yellow | share_off], [Light.RED, Light.YELLOW], Light.GREEN)
    out["assigned"] = agg["assigned"].astype(int).to_numpy()
    out["reported"] = agg["reported"].astype(int).to_numpy()
    for i, s in enumerate(Status):
        out[s.value] = agg[f"_s{i}"].astype(int).to_numpy()
    return out
