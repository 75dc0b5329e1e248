"""Export the task-division matrix as a workbook and as terminal text."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..matrix import Matrix
from ..reader.own_outputs import STAMP

HEADERS = ("编号", "工作任务", "政策措施", "牵头单位", "责任单位", "原文责任单位", "解读说明")


def write_matrix_xlsx(matrix: Matrix, path: Path) -> None:
    """Write the matrix with one row per task; all text written as strings."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_custom_property(STAMP, "matrix")
    ws = wb.add_worksheet("任务分工")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws.write_string(0, 0, f"{matrix.title}（{matrix.document}）", title)
    for c, h in enumerate(HEADERS):
        ws.write_string(1, c, h, head)
    for r, t in enumerate(matrix.tasks, start=2):
        ws.write_number(r, 0, t.number, wrap)
        texts = (t.category, t.measure, "、".join(t.lead), "、".join(t.responsible), t.responsible_text, t.note)
        for c, text in enumerate(texts, 1):
            ws.write_string(r, c, text, wrap)
    for c, w in enumerate((6, 18, 60, 24, 40, 30, 40)):
        ws.set_column(c, c, w)
    ws.freeze_panes(2, 1)
    ws.autofilter(1, 0, 1 + len(matrix.tasks), len(HEADERS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0, 1)
    ws.fit_to_pages(1, 0)
    wb.close()


def matrix_text(matrix: Matrix, width: int = 100) -> str:
    """Return the matrix as plain text lines grouped by category, for the terminal."""
    lines = [f"{matrix.title}（{matrix.document}），共 {len(matrix)} 条任务", ""]
    category = None
    for t in matrix.tasks:
        if t.category != category:
            category = t.category
            lines.append(f"【{category}】")
        measure = t.measure if len(t.measure) <= 40 else t.measure[:39] + "…"
        lines.append(f"  {t.number:>2}. {measure}")
        lines.append(f"      牵头：{'、'.join(t.lead)}")
        lines.append(f"      责任：{'、'.join(t.responsible) or '—'}（{len(t.units)}个单位）")
    return "\n".join(lines)
