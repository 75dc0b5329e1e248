"""The office workbook's 变动情况 sheet: the quarter against the one before, and the year's quarters."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook

from ..changes import Changes
from ..context import Context
from ..money import fmt_grouped, yuan
from ..privacy import mask_name
from .labels import CHANGE_REASON
from .sheet_parts import EXCEL_ROWS, sheet_parts
from .wording import no_comparison
from .xlsx_formats import Cell, Col, Formats, fit_row, put, start_sheet, write_rows

COLUMNS = [Col("单位", 12), Col("社区", 12), Col("户编号", 12), Col("户主", 9), Col("救助类别", 8, "center"),
           Col("人数", 6, "int"), Col("上季度月发放（元）", 12, "yuan"), Col("本季度月发放（元）", 12, "yuan"),
           Col("变化", 9, "pct"), Col("说明", 36, "wrap")]
# Rows a sheet spends around the households: title, header and heading above; a blank row and the year's three
# lines below.
FRAME_ROWS = 7


def write_changes_sheet(wb: Workbook, fmts: Formats, ctx: Context, title: str, row_limit: int = EXCEL_ROWS) -> None:
    """Write the sheet: a line per town, then the households that entered, left or changed, then the year.

    A list longer than one sheet goes on in further sheets, each under the same heading; the year closes the last.
    """
    c = ctx.changes
    rows = _rows(c, ctx) if c is not None and c.received else []
    for part in sheet_parts("变动情况", len(rows), row_limit - FRAME_ROWS):
        ws = start_sheet(wb, fmts, part.name, part.title(title, "行"), COLUMNS, freeze_cols=0)
        row = 2
        if c is None or not c.received:
            text = f"{no_comparison(c.previous)}。" if c is not None else "本次只作检查，未与上季度比较。"
            put(ws, row, 0, text, fmts.special("note"))
            row += 2
        else:
            moved = (f"；转入他处而原单位未停发{len(ctx.moves)}人，原单位重复发放{fmt_grouped(ctx.paid_twice_fen)}元"
                     if ctx.moves else "")
            row = _block(ws, fmts, row, f"与{c.previous.label}相比：新增{len(c.entered)}户，退出{len(c.left)}户，"
                         f"月发放额变化超过{c.share:.0%}的{len(c.changed)}户{moved}", part.rows(rows))
        if part.last and c is not None and c.received:
            row = _year(ws, fmts, row, c)
        ws.autofilter(1, 0, max(1, row - 1), len(COLUMNS) - 1)


def _rows(c: Changes, ctx: Context) -> list[list]:
    rows = []
    for m in ctx.moves:
        # The paying unit's row: its own household, with what it paid twice; the receiving unit is named.
        rows.append([m.source.unit, "", m.source.household_no, mask_name(m.name), "", None, None, None, None,
                     Cell(f"转入{m.target.unit}（户编号{m.target.household_no or '—'}）未停发：{m.months_text}两处发放，"
                          f"本单位重复发放{fmt_grouped(m.amount_fen)}元，请填写停发年月并追回", bold=True)])
    for u in c.units:
        rows.append([Cell(u.unit, bold=True), "", "", "", "", None, yuan(u.left_fen), yuan(u.entered_fen), None,
                     Cell(f"新增{u.entered}户、退出{u.left}户、发放额变化{u.changed}户", bold=True)])
        rows += [[h.unit, h.community, h.household_no, mask_name(h.head_name), h.category, h.members, None,
                  yuan(h.monthly_fen), None, "新增"] for h in c.entered if h.unit == u.unit]
        rows += [[h.unit, h.community, h.household_no, mask_name(h.head_name), h.category, h.members,
                  yuan(h.monthly_fen), None, None, "退出"] for h in c.left if h.unit == u.unit]
        rows += [[p.after.unit, p.after.community, p.after.household_no, mask_name(p.after.head_name), p.after.category,
                  p.after.members, yuan(p.before.monthly_fen), yuan(p.after.monthly_fen), p.share,
                  "发放额变化：" + "、".join(CHANGE_REASON[r] for r in p.reasons)]
                 for p in c.changed if p.after.unit == u.unit]
    return rows


def _block(ws, fmts: Formats, row: int, heading: str, rows: list[list]) -> int:
    put(ws, row, 0, heading, fmts.get("text", bold=True))
    end = write_rows(ws, fmts, COLUMNS, rows, start=row + 1)
    return end + 1


def _year(ws, fmts: Formats, row: int, c: Changes | None) -> int:
    """List the year's statuses that went backwards and the tasks that stayed red."""
    if c is None:
        return row
    seen = "、".join(p.quarter_label for p in c.year_quarters)
    lines = [f"本年已收到的季度：{seen}。"]
    if c.backwards:
        lines.append(f"完成状态倒退{len(c.backwards)}项：" + "；".join(
            f"{b.unit}第{b.task}条（{b.before_period.quarter_label}{b.before}→{b.period.quarter_label}{b.after}）"
            for b in c.backwards) + "。")
    else:
        lines.append("没有完成状态倒退的任务。")
    if c.red_runs:
        lines.append(f"连续两个季度以上亮红灯的任务{len(c.red_runs)}项：" + "；".join(
            f"第{r.task}条（{'、'.join(p.quarter_label for p in r.periods)}，牵头单位：{'、'.join(r.lead)}）"
            for r in c.red_runs) + "。")
    else:
        lines.append("没有连续两个季度以上亮红灯的任务。")
    for text in lines:
        ws.merge_range(row, 0, row, len(COLUMNS) - 1, "", fmts.special("note"))
        ws.write_string(row, 0, text, fmts.special("note"))
        fit_row(ws, row, [(text, sum(col.width for col in COLUMNS))])
        row += 1
    return row
