"""Sentences shared by every report: why a task or cell has its light, where a finding is, how to fix it."""
from __future__ import annotations

from decimal import Decimal

from ..context import CellState, Context, TaskState
from ..findings import CODES, Finding
from ..period import Period
from ..vocab import CellReason, Light, Role
from .labels import CELL_REASON, LEAD_MARK, STALE, names

# The order a leader reads the units behind a yellow or red task in.
REASON_ORDER = (CellReason.NOT_REPORTED, CellReason.STALE_PROGRESS, CellReason.NOT_STARTED, CellReason.BEHIND_SCHEDULE,
                CellReason.PROBLEMS_REPORTED, CellReason.UNREADABLE_STATUS)
# How every ranking lists units that share a rank (standing.shared_ranks).
TIES = "记录相同的单位名次并列，按单位名录顺序排列"
# What standing.exemplary holds a unit to, as every report praises it.
EXEMPLARY = "按时报送、各项任务如实更新且报表未发现错误"


def no_comparison(previous: Period) -> str:
    """Say, in every report alike, that nothing can be compared with a quarter whose folder did not arrive."""
    return f"未收到{previous.label}的报表，无法与上季度比较"


def wan(funds: Decimal) -> str:
    """Write 投入资金 in 万元 without trailing zeros: 12.5, 0.0375, 0."""
    text = f"{funds:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def cell_detail(cell: CellState) -> str:
    """Say what lies behind one cell's light: 进度30%，落后序时进度20个百分点 / 资金未到位."""
    parts = []
    if cell.stale is not None:
        parts.append(STALE[cell.stale])
    if cell.problem:
        parts.append(cell.problem)
    if cell.behind_points is not None:
        progress = f"进度{cell.progress:g}%，" if cell.progress is not None else ""
        parts.append(f"{progress}落后序时进度{cell.behind_points:g}个百分点")
    return "，".join(parts)


def task_reasons(task: TaskState) -> list[tuple[CellReason, str]]:
    """Group the units behind a yellow or red task by the reason lights.py gave each, ★ marking a lead unit."""
    if task.light is Light.GREEN:
        return []
    out = []
    for reason in REASON_ORDER:
        units = []
        for c in task.cells:
            if c.reason is not reason:
                continue
            detail = cell_detail(c) if reason in (CellReason.BEHIND_SCHEDULE, CellReason.PROBLEMS_REPORTED,
                                                  CellReason.STALE_PROGRESS) else ""
            units.append(c.unit + (LEAD_MARK if c.role is Role.LEAD else "") + (f"（{detail}）" if detail else ""))
        if units:
            out.append((reason, names(units)))
    return out


def reason_lines(task: TaskState) -> list[tuple[str, str]]:
    """Return the task's reasons as (heading, units) pairs in words."""
    return [(CELL_REASON[r], text) for r, text in task_reasons(task)]


def place(f: Finding, *, sheet: bool = True) -> str:
    """Describe where a finding is, as a clerk finds it: 文件 [工作表] 第16行 家庭月人均收入."""
    text = f.file or ""
    if sheet and f.sheet:
        text += f" [{f.sheet}]"
    if f.row is not None:
        text += f" 第{f.row}行"
    if f.column:
        text += f" {f.column}"
    return text.strip() or "—"


def fix(ctx: Context, code: str) -> str:
    """Return how a unit fixes a finding of `code`, with the configured deadline and the matrix's task count."""
    return CODES[code].fix_text(ctx.deadline_text, ctx.task_count) if code in CODES else ""


def title(code: str) -> str:
    return CODES[code].title if code in CODES else code
