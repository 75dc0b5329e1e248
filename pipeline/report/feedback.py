"""Per-unit feedback workbooks (退回/<unit>.xlsx): the unit's own findings, where they are, and how to fix each."""
from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter

from ..context import Context
from ..findings import CODES, SEVERITY_LABELS
from .xlsx_formats import WORKBOOK_OPTIONS, Cell, Col, Formats, finish_table, start_sheet, write_rows

SEVERITY_LIGHTS = {"error": "red", "warning": "yellow", "info": None}
COLUMNS = [Col("序号", 6, "int"), Col("类别", 8, "center"), Col("问题", 18), Col("文件", 26), Col("工作表", 12),
           Col("位置", 22), Col("发现的值", 18), Col("说明", 40, "wrap"), Col("如何改正", 36, "wrap")]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def feedback_units(ctx: Context) -> list[str]:
    """Return the units that have findings of their own, in a stable order."""
    f = ctx.findings
    return sorted(u for u in set(f["unit"]) if u) if len(f) else []


def file_name(unit: str) -> str:
    return f"退回/{_UNSAFE.sub('_', unit)}.xlsx"


def where(row: dict) -> str:
    """Describe a cell as a clerk finds it: 第16行 · 家庭月人均收入."""
    parts = []
    if row.get("row") is not None and str(row["row"]) != "<NA>":
        parts.append(f"第{row['row']}行")
    if row.get("column"):
        parts.append(f"“{row['column']}”列")
    return " · ".join(parts) or "整个文件"


def write_feedback(ctx: Context, unit: str, path: Path) -> None:
    """Write one unit's feedback workbook, errors first."""
    f = ctx.findings
    mine = f[f["unit"] == unit].to_dict("records")
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    fmts = Formats(wb)
    title = f"{unit}：{ctx.period_label}脱贫解困工作报送问题反馈单"
    ws = start_sheet(wb, fmts, "问题反馈", title, COLUMNS, freeze_cols=2)
    rows = []
    for i, r in enumerate(mine, 1):
        code = CODES.get(r["code"])
        rows.append([i, Cell(SEVERITY_LABELS.get(r["severity"], r["severity"]), SEVERITY_LIGHTS.get(r["severity"])),
                     code.title if code else r["code"], r["file"], r["sheet"], where(r), r["value"], r["message"],
                     code.fix if code else ""])
    end = write_rows(ws, fmts, COLUMNS, rows)
    finish_table(ws, COLUMNS, end - 1)
    errors = sum(1 for r in mine if r["severity"] == "error")
    note = (f"共 {len(mine)} 条（错误 {errors} 条须改正后重新报送，警告请核实）。"
            f"{ctx.office.get('name', '')} {ctx.today:%Y年%m月%d日}")
    ws.merge_range(end + 1, 0, end + 1, len(COLUMNS) - 1, note, fmts.special("note"))
    wb.close()
