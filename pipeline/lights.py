"""Traffic lights per task and per (task, unit), as 督查 systems use them."""
from __future__ import annotations

import pandas as pd

from .config import CANONICAL_STATUSES, Config
from .matrix import Matrix
from .quarter import Quarter

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
RULE_TEXT = (
    "单位灯色——红：未报送或“未启动”；黄：状态无法识别、进度落后序时（每季度25%）超过{tol}个百分点，或填报了存在问题；绿：其余。"
    "任务灯色——红：牵头单位为红，或{red:.0%}以上单位为红；黄：牵头单位为黄，或{yellow:.0%}以上单位非绿；绿：其余。"
)


def cell_states(quarter: Quarter, matrix: Matrix, config: Config) -> pd.DataFrame:
    """Return one row per assigned (task, reporting unit) with its status and cell light."""
    reporting = {u.name for u in config.registry.reporting}
    assign = matrix.assignments()
    assign = assign[assign["unit"].isin(reporting)]
    p = quarter.progress
    kept = p[p["used"] & p["role"].notna()][["task", "unit", "status", "progress", "problems", "progress_text", "_file", "_row"]]
    kept = kept.astype({"task": "int64"})
    cells = assign.merge(kept, on=["task", "unit"], how="left", indicator=True)
    cells["reported"] = cells["_merge"] == "both"
    cells = cells.drop(columns="_merge")
    expected = 25.0 * quarter.period.quarter - config.schedule_tolerance
    no_problem = config.no_problem_words

    def light(row) -> str:
        if not row["reported"] or row["status"] == "未启动":
            return RED
        if pd.isna(row["status"]):
            return YELLOW
        behind = row["status"] == "推进中" and pd.notna(row["progress"]) and row["progress"] < expected
        problem = isinstance(row["problems"], str) and row["problems"].strip() and row["problems"].strip() not in no_problem
        return YELLOW if behind or problem else GREEN

    cells["light"] = cells.apply(light, axis=1) if len(cells) else []
    return cells


def task_lights(cells: pd.DataFrame, matrix: Matrix, config: Config) -> pd.DataFrame:
    """Roll the cells up to one light per task, with status counts and the units missing or red."""
    rows = []
    for task in matrix.tasks:
        c = cells[cells["task"] == task.number]
        leads = c[c["role"] == "lead"]
        missing = c.loc[~c["reported"], "unit"].tolist()
        n = max(len(c), 1)
        red_share = (c["light"] == RED).sum() / n
        off_share = (c["light"] != GREEN).sum() / n
        if (leads["light"] == RED).any() or red_share >= config.red_share:
            light = RED
        elif (leads["light"] == YELLOW).any() or off_share >= config.yellow_share:
            light = YELLOW
        else:
            light = GREEN
        counts = {s: int((c["status"] == s).sum()) for s in CANONICAL_STATUSES}
        rows.append({"task": task.number, "category": task.category, "light": light, "status_counts": counts,
                     "units_missing": missing, "units_red": c.loc[c["light"] == RED, "unit"].tolist(),
                     "units_yellow": c.loc[c["light"] == YELLOW, "unit"].tolist(),
                     "assigned": len(c), "reported": int(c["reported"].sum()),
                     "lead": list(task.lead)})
    return pd.DataFrame(rows)
