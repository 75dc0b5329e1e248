"""Per-unit feedback workbooks (退回/<unit>.xlsx): the unit's own findings, where they are, and how to fix each."""
from __future__ import annotations

import re
from pathlib import Path

from ..context import Context
from ..findings import Finding
from ..vocab import Light, Severity
from . import Bundle, Due, Report
from .labels import SEVERITY, cn_date
from .sheet_parts import EXCEL_ROWS, sheet_parts
from .wording import fix, title
from .xlsx_formats import Cell, Col, Formats, finish_table, new_workbook, start_sheet, write_rows

SEVERITY_LIGHTS = {Severity.ERROR: Light.RED, Severity.WARNING: Light.YELLOW, Severity.INFO: None}
COLUMNS = [Col("序号", 6, "int"), Col("类别", 8, "center"), Col("问题", 18), Col("文件", 26), Col("工作表", 12),
           Col("位置", 22), Col("发现的值", 18), Col("说明", 40, "wrap"), Col("如何改正", 36, "wrap")]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Rows a sheet spends around the findings: title and header above, a blank row and the closing note below.
FRAME_ROWS = 4


def feedback_units(ctx: Context) -> list[str]:
    """Return the units that have findings of their own, in a stable order."""
    return sorted({f.unit for f in ctx.findings if f.unit})


def file_name(unit: str) -> str:
    return f"退回/{_UNSAFE.sub('_', unit)}.xlsx"


def where(f: Finding) -> str:
    """Describe a cell as a clerk finds it: 第16行 · 家庭月人均收入."""
    parts = []
    if f.row is not None:
        parts.append(f"第{f.row}行")
    if f.column:
        parts.append(f"“{f.column}”列")
    return " · ".join(parts) or "整个文件"


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    for unit in feedback_units(ctx):
        staging.write_with(file_name(unit), lambda p, u=unit: write_feedback(ctx, u, p, staging.mask))


REPORT = Report("问题反馈单", Due.QUARTER, write)


def write_feedback(ctx: Context, unit: str, path: Path, mask, *, row_limit: int = EXCEL_ROWS) -> None:
    """Write one unit's feedback workbook, errors first; findings past `row_limit` rows go on in further sheets."""
    mine = [f for f in ctx.findings if f.unit == unit]
    wb = new_workbook(path, mask, ctx.issued or ctx.period.end, output="feedback")
    fmts = Formats(wb)
    errors = sum(1 for f in mine if f.severity is Severity.ERROR)
    issued = cn_date(ctx.issued) if ctx.issued else ""
    note = f"共 {len(mine)} 条（错误 {errors} 条须改正后重新报送，警告请核实）。{ctx.office.name} {issued}".rstrip()
    for part in sheet_parts("问题反馈", len(mine), row_limit - FRAME_ROWS):
        ws = start_sheet(wb, fmts, part.name, part.title(f"{unit}：{ctx.period.label}脱贫解困工作报送问题反馈单"), COLUMNS,
                         freeze_cols=2)
        rows = [[i, Cell(SEVERITY[f.severity], SEVERITY_LIGHTS[f.severity]), title(f.code), f.file, f.sheet, where(f),
                 f.value, f.message, fix(ctx, f.code)] for i, f in enumerate(part.rows(mine), part.start + 1)]
        end = write_rows(ws, fmts, COLUMNS, rows)
        finish_table(ws, COLUMNS, end - 1)
        ws.merge_range(end + 1, 0, end + 1, len(COLUMNS) - 1, note, fmts.special("note"))
    wb.close()
