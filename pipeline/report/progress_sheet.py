"""The office workbook's 进展汇编 sheet: what every unit wrote for every task, one row each, ready to filter."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from ..compilation import ProgressRow
from ..context import Context
from ..vocab import Light
from .labels import CELL_REASON, LIGHT, ROLE, STALE
from .xlsx_formats import Cell, Col, Formats, colour_by_text, finish_table, start_sheet, write_rows

SHEET = "进展汇编"
COLUMNS = [Col("编号", 5, "int"), Col("单位", 12), Col("分工", 6, "center"), Col("完成状态", 8, "center"),
           Col("完成进度（%）", 8, "int"), Col("灯色", 5, "center"), Col("亮灯原因", 12, "wrap"),
           Col("进展情况", 44, "wrap"), Col("存在问题", 26, "wrap"), Col("下步计划", 26, "wrap"),
           Col("惠及人数", 8, "int"), Col("投入资金（万元）", 10, "num")]
OUTSIDE = "非本单位"
NOT_SENT = "未报送"


def write_progress_sheet(wb: Workbook, fmts: Formats, ctx: Context, title: str) -> None:
    """Write one row per task and unit: status, progress, the unit's own words and figures, and the light given."""
    ws = start_sheet(wb, fmts, SHEET, title, COLUMNS, freeze_cols=2)
    end = write_rows(ws, fmts, COLUMNS, [_row(r) for r in ctx.progress_rows])
    finish_table(ws, COLUMNS, end - 1)
    colour_by_text(ws, fmts, (2, 5, end - 1, 5), [(LIGHT[light][0], light) for light in (Light.RED, Light.YELLOW,
                                                                                          Light.GREEN)])


def _row(r: ProgressRow) -> list:
    if not r.reported:
        status = NOT_SENT
    else:
        status = r.status.value if r.status is not None else (r.status_text or "（空）")
    why = CELL_REASON[r.reason] if r.reason is not None else "不计入任务灯色"
    if r.stale is not None:
        why += f"（{STALE[r.stale]}）"
    return [r.task, r.unit, ROLE[r.role] if r.role is not None else OUTSIDE,
            Cell(status, bold=r.status is None and r.reported), r.progress,
            LIGHT[r.light][0] if r.light is not None else "—", why, r.progress_text, r.problems, r.next_steps,
            r.beneficiaries, r.funds]
