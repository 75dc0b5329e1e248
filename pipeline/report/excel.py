"""The office's consolidated workbook 调度报告-<period>.xlsx, drawn from the one computed Context."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from xlsxwriter.workbook import Workbook

from ..context import CellState, Context
from ..money import fmt_grouped, yuan
from ..vocab import CellReason, Item, Light, Role, Submission
from . import Bundle, Due, Report
from .changes_sheet import write_changes_sheet
from .labels import KIND, LIGHT, LIGHT_RULES, SEVERITY, SHEET_KIND, STATUS_SHORT, SUBMISSION
from .person_sheets import PersonSheets
from .progress_sheet import write_progress_sheet
from .sheet_parts import EXCEL_ROWS, SheetPart, sheet_parts
from .wording import TIES, fix, no_comparison, reason_lines, title
from .xlsx_formats import (
    Cell,
    Col,
    Formats,
    colour_by_text,
    finish_table,
    fit_row,
    new_workbook,
    put,
    start_sheet,
    write_rows,
    write_total,
)

# Colours come from conditional formats on these words, first match winning, so a sorted or edited sheet stays right
# and the words alone still read on a black-and-white printout.
STATE_RULES = [(SUBMISSION[Submission.MISSING], Light.RED), (SUBMISSION[Submission.LATE], Light.YELLOW),
               (SUBMISSION[Submission.ON_TIME], Light.GREEN)]
SEVERITY_RULES = [("错误", Light.RED), ("警告", Light.YELLOW)]
YELLOW_MARK = "△"
STALE_WORD = "未更新"
CELL_RULES = [("未报", Light.RED), ("未启动", Light.RED), (STALE_WORD, Light.RED), (YELLOW_MARK, Light.YELLOW),
              ("完成", Light.GREEN), ("推进", Light.GREEN)]
# Kept within the width of the first printed page: a longer legend spills into the second page's title row.
MATRIX_LEGEND = (f"　★牵头单位　{YELLOW_MARK}黄灯（滞后、有问题或状态不明）　未报＝未报送　"
                 f"{STALE_WORD}＝不计为已报　空白＝非本单位")
ITEM_COLS = [Col(item.value, 14, "yuan") for item in Item]
# Rows a sheet spends around its table: title and header, and for 读取核对 the 合计 row below.
FINDINGS_FRAME = 2
INPUTS_FRAME = 3


def file_name(ctx: Context) -> str:
    return f"调度报告-{ctx.period}.xlsx"


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    staging.write_with(file_name(ctx), lambda p: write_workbook(ctx, p, staging.mask,
                                                                 full_detail=not bundle.config.mask_person_detail,
                                                                 parts=bundle.parts))


REPORT = Report("办公室汇总工作簿", Due.QUARTER, write)


def write_workbook(ctx: Context, path: Path, mask, *, full_detail: bool = True, row_limit: int | None = None,
                   parts=None) -> None:
    """Write the office workbook: overview, task matrix, submissions, money, persons, findings, read accounting.

    Every sheet masks IDs and names except the person detail, the one place they may appear in full. A sheet holds
    `row_limit` rows (Excel's own limit unless a test sets it); the persons, the findings, the changes and the read
    accounting go on in further sheets past it. The other sheets list units, tasks or standards from config.toml
    and matrix.toml, never rows of the input, and every unit is also a column of 任务进展. With `parts`
    (unit_parts.UnitParts), the person detail's rows of each roster file are taken from the last run when unchanged.
    """
    limit = EXCEL_ROWS if row_limit is None else row_limit
    # xlsxwriter writes the package into memory; the person detail is streamed in on the way to `path`.
    package = BytesIO()
    wb = new_workbook(package, mask, ctx.issued or ctx.period.end, output="dispatch-workbook")
    fmts = Formats(wb)
    findings = sheet_parts("问题清单", len(ctx.findings), limit - FINDINGS_FRAME)
    _overview(wb, fmts, ctx, findings)
    _matrix(wb, fmts, ctx)
    write_progress_sheet(wb, fmts, ctx, sheet_title(ctx, "进展汇编（各单位逐项填报的内容；进展未更新的行不计入惠及人数和投入资金合计）"))
    for sheet in (_units, _benefits):
        sheet(wb, fmts, ctx)
    write_changes_sheet(wb, fmts, ctx, sheet_title(ctx, "变动情况"), limit)
    # The one place names and IDs may appear in full, unless config.toml [privacy] masks it too.
    persons = PersonSheets(ctx.persons, None if full_detail else mask, row_limit, kept=parts,
                           blocks=ctx.person_parts)
    persons.lay_out(wb, fmts, lambda name: sheet_title(ctx, name))
    for part in findings:
        _findings(wb, fmts, ctx, part)
    for part in sheet_parts("读取核对", len(ctx.inputs), limit - INPUTS_FRAME):
        _inputs(wb, fmts, ctx, part)
    wb.close()
    persons.fill(package, path, wb)


def sheet_title(ctx: Context, name: str) -> str:
    """Return the title row of a sheet, e.g. 青山湖区城镇贫困群众脱贫解困工作季度调度（2019年第二季度）· 总览."""
    return f"{ctx.office.district}城镇贫困群众脱贫解困工作季度调度（{ctx.period.label}）· {name}"


def _overview(wb: Workbook, fmts: Formats, ctx: Context, findings: list[SheetPart]) -> None:
    cols = [Col("项目", 26), Col("数值", 16, "count"), Col("方案下限", 14, "num"), Col("说明", 56, "wrap")]
    ws = start_sheet(wb, fmts, "总览", sheet_title(ctx, "总览"), cols, portrait=True)
    h = ctx.headline
    late = [u.unit for u in ctx.units_in(Submission.LATE)]
    missing = [u.unit for u in ctx.units_in(Submission.MISSING)]
    avg, floor = ctx.avg_subsidy_fen, ctx.avg_subsidy_floor_fen
    avg_light = None if ctx.avg_subsidy_ok is None else (Light.GREEN if ctx.avg_subsidy_ok else Light.RED)
    rows = [
        ["应报送单位（个）", h.units_total, None, ""],
        ["已报送单位（个）", h.units_submitted, None, f"按时{h.units_on_time}个，逾期{h.units_late}个"],
        ["逾期报送单位（个）", Cell(h.units_late, Light.YELLOW if late else None), None, "、".join(late)],
        ["未报送单位（个）", Cell(h.units_missing, Light.RED if missing else None), None, "、".join(missing)],
        ["重点任务（项）", h.tasks_total, None, ""],
        ["绿灯任务（项）", Cell(h.tasks_green, Light.GREEN), None, ""],
        ["黄灯任务（项）", Cell(h.tasks_yellow, Light.YELLOW), None, ""],
        ["红灯任务（项）", Cell(h.tasks_red, Light.RED), None, ""],
        ["发放救助资金（元）", Cell(yuan(ctx.total_fen), kind="yuan"), None, "低保差额、特困供养、护理费及残疾人两项补贴合计"],
        ["救助户数（户）", h.households, None, "本季度至少发放1个月的户（特困按人）"],
        ["救助人数（人）", h.persons, None, ""],
        ["救助人月数（人·月）", h.person_months, None, ""],
        ["人均补差（元/人·月）", Cell(None if avg is None else yuan(avg), avg_light, kind="yuan"),
         Cell(None if floor is None else yuan(floor), kind="yuan"), _avg_note(avg, floor)],
        ["填报惠及人数（人次）", ctx.figures.beneficiaries, None, "各单位进展情况表所填之和，进展未更新的行不计；明细见“进展汇编”表"],
        ["填报投入资金（万元）", Cell(ctx.figures.funds, kind="num"), None, "同上"],
        ["转入他处未停发（人）", Cell(len(ctx.moves), Light.RED if ctx.moves else None), None,
         _moves_note(ctx)],
        ["数据问题：错误（条）", Cell(h.errors, Light.RED if h.errors else None), None,
         "详见“问题清单”表" if len(findings) == 1 else f"详见以“问题清单”开头的{len(findings)}张表"],
        ["数据问题：警告（条）", Cell(h.warnings, Light.YELLOW if h.warnings else None), None, ""],
        ["数据问题：提示（条）", h.infos, None, ""],
    ]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    end = _standards_block(ws, fmts, ctx, end + 1)
    rule = "亮灯规则：" + ctx.light_rule
    ws.merge_range(end, 0, end, 3, "", fmts.special("note"))
    ws.write_string(end, 0, rule, fmts.special("note"))
    fit_row(ws, end, [(rule, sum(c.width for c in cols))])
    # The pie reads the three light rows of the table above.
    _charts(wb, ws, fmts, ctx, end + 2, lights_row=2 + [r[0] for r in rows].index("绿灯任务（项）"))


def _moves_note(ctx: Context) -> str:
    if ctx.changes is not None and not ctx.changes.received:
        return no_comparison(ctx.changes.previous)
    if ctx.moves:
        return f"原单位重复发放 {fmt_grouped(ctx.paid_twice_fen)} 元，已计入发放总额，见“变动情况”表"
    return ""


def _avg_note(avg: int | None, floor: int | None) -> str:
    if avg is None:
        return "本季度无低保、支出型补差发放，无法计算人均补差"
    if floor is None:
        return "未配置方案下限"
    return f"{'不低于' if avg >= floor else '低于'}方案下限 {fmt_grouped(floor)} 元"


def _standards_block(ws, fmts: Formats, ctx: Context, row: int) -> int:
    """Write every standard paid in the quarter, with its months and date, against the plan's floor."""
    headers = ["执行标准", "执行值", "方案下限", "执行月份及依据"]
    for c, text in enumerate(headers):
        ws.write_string(row, c, text, fmts.special("header"))
    for i, s in enumerate(ctx.standards, row + 1):
        light = Light.GREEN if s.ok else Light.RED
        put(ws, i, 0, s.label + ("" if s.ok else "（低于下限）"), fmts.get("text", light))
        put(ws, i, 1, s.value, fmts.get("num", light))
        put(ws, i, 2, s.floor, fmts.get("num"))
        source = f"{months_text(s.months)}，{s.start:%Y-%m-%d}起执行；{s.source}"
        put(ws, i, 3, source, fmts.get("wrap"))
        fit_row(ws, i, [(source, 56)])
    return row + len(ctx.standards) + 2


def months_text(months: tuple[int, ...]) -> str:
    """Say the months of a quarter a value was paid in: 4–5月, 6月."""
    return f"{months[0]}月" if len(months) == 1 else f"{months[0]}–{months[-1]}月"


def _charts(wb: Workbook, ws, fmts: Formats, ctx: Context, row: int, lights_row: int) -> None:
    """Put a money-by-unit table under the tables, a bar chart of it beside, and a pie of task lights below.

    Everything stays inside the four table columns so the sheet prints on one portrait page at a readable size.
    """
    ws.write_string(row, 0, "单位", fmts.special("header"))
    ws.write_string(row, 1, "发放金额（元）", fmts.special("header"))
    for i, (unit, money) in enumerate(ctx.benefit_units, row + 1):
        put(ws, i, 0, unit, fmts.get("text"))
        put(ws, i, 1, yuan(money.amount_fen), fmts.get("yuan"))
    if ctx.benefit_units:
        last = row + len(ctx.benefit_units)
        bars = wb.add_chart({"type": "bar"})
        bars.add_series({"name": "发放金额（元）", "categories": ["总览", row + 1, 0, last, 0],
                         "values": ["总览", row + 1, 1, last, 1], "fill": {"color": "#4472C4"}, "gap": 60,
                         "data_labels": {"value": True, "num_format": "#,##0"}})
        bars.set_title({"name": "各单位救助资金发放（元）", "name_font": {"size": 11}})
        bars.set_legend({"none": True})
        # Largest amount on top, as a ranking reads.
        bars.set_y_axis({"reverse": True})
        # The bars carry their own amounts; an axis of six-digit ticks would only crowd them.
        bars.set_x_axis({"visible": False, "major_gridlines": {"visible": False}})
        bars.set_size({"width": 495, "height": max(240, 60 + 24 * len(ctx.benefit_units))})
        ws.insert_chart(row, 2, bars, {"x_offset": 4, "y_offset": 2})
    pie = wb.add_chart({"type": "pie"})
    pie.add_series({"name": "任务灯色", "categories": ["总览", lights_row, 0, lights_row + 2, 0],
                    "values": ["总览", lights_row, 1, lights_row + 2, 1],
                    "points": [{"fill": {"color": c}} for c in ("#63BE7B", "#FFD966", "#F8696B")],
                    "data_labels": {"value": True, "category": True, "leader_lines": True}})
    pie.set_title({"name": "重点任务灯色（项）", "name_font": {"size": 11}})
    pie.set_legend({"none": True})
    pie.set_size({"width": 300, "height": 240})
    ws.insert_chart(row + len(ctx.benefit_units) + 2, 0, pie, {"x_offset": 2, "y_offset": 4})


def _matrix(wb: Workbook, fmts: Formats, ctx: Context) -> None:
    units = [u.unit for u in ctx.units]
    # Row labels first and reference columns last: the print repeats the four label columns on each of its two
    # pages across and leaves the long 工作任务/牵头单位/亮灯原因 text to the screen, where the autofilter uses it.
    fixed = [Col("编号", 5, "center"), Col("政策措施", 30), Col("任务灯", 5, "center"), Col("已报/应报", 7, "center")]
    tail = [Col("亮灯原因", 60), Col("工作任务", 18), Col("牵头单位", 30)]
    cols = fixed + [Col(u, 6.5, "center") for u in units] + tail
    ws = start_sheet(wb, fmts, "任务进展", sheet_title(ctx, "任务进展") + MATRIX_LEGEND, cols, freeze_cols=len(fixed),
                     header_height=max(60, 13 * max((len(u) for u in units), default=4) + 6),
                     vertical_from=len(fixed), vertical_to=len(fixed) + len(units), pages_wide=2,
                     repeat_cols=len(fixed))
    rows = []
    for t in ctx.tasks:
        by_unit = {c.unit: c for c in t.cells}
        why = "；".join(f"{label}：{text}" for label, text in reason_lines(t))
        row = [t.task, t.measure, Cell(LIGHT[t.light][0], bold=True), f"{t.reported}/{t.assigned}"]
        row += [_matrix_cell(by_unit.get(u)) for u in units]
        rows.append(row + [why, t.category, "、".join(t.lead)])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 2, end - 1, 2), LIGHT_RULES)
    colour_by_text(ws, fmts, (2, len(fixed), end - 1, len(fixed) + len(units) - 1), CELL_RULES)
    ws.print_area(0, 0, end - 1, len(fixed) + len(units) - 1)


def _matrix_cell(cell: CellState | None) -> Cell | None:
    """Return the cell's short word (完成, 推进, 未启动, 未报, 不明), ★ for a lead unit and △ for a yellow light."""
    if cell is None:
        return None
    if cell.reason is CellReason.STALE_PROGRESS:
        word = STALE_WORD
    else:
        word = "未报" if not cell.reported else (STATUS_SHORT[cell.status] if cell.status else "不明")
    lead = cell.role is Role.LEAD
    mark = YELLOW_MARK if cell.light is Light.YELLOW else ""
    return Cell(("★" if lead else "") + word + mark, bold=lead)


def _units(wb: Workbook, fmts: Formats, ctx: Context) -> None:
    cols = [Col("排名", 5, "int"), Col("单位", 14), Col("类型", 6, "center"), Col("报送情况", 8, "center"),
            Col("报送日期", 11, "date"), Col("逾期天数", 7, "int"), Col("应报任务", 7, "int"), Col("已报任务", 7, "int"),
            Col("完整率", 8, "pct"), Col("漏报任务", 24, "wrap"), Col("进展未更新任务", 16, "wrap"),
            Col("非本单位任务", 12, "wrap"), Col("红灯", 6, "int"), Col("黄灯", 6, "int"), Col("绿灯", 6, "int"),
            Col("惠及人数", 8, "int"), Col("投入资金（万元）", 10, "num"), Col("报送文件", 34)]
    ws = start_sheet(wb, fmts, "单位报送", sheet_title(ctx, f"单位报送（{TIES}；已报任务不含进展未更新的任务）"), cols,
                     freeze_cols=2)
    red = [c.header for c in cols].index("红灯")
    rows = []
    for u in ctx.ranked:
        missing = _numbers(u.missing_tasks) if u.submitted else f"未报送（全部{len(u.missing_tasks)}项）"
        rows.append([u.rank, u.unit, KIND[u.kind], SUBMISSION[u.submission], u.submitted_on,
                     u.days_late, u.assigned_tasks, u.reported_tasks, u.completeness / 100,
                     missing, _numbers(u.stale_tasks), _numbers(u.unexpected_tasks), u.lights.red, u.lights.yellow,
                     u.lights.green, u.figures.beneficiaries, u.figures.funds, u.file])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 3, end - 1, 3), STATE_RULES)
    if end > 2:
        ws.conditional_format(2, red, end - 1, red, {"type": "cell", "criteria": ">", "value": 0,
                                                     "format": fmts.light(Light.RED)})


def _numbers(tasks) -> str:
    return "、".join(str(t) for t in tasks)


def _benefits(wb: Workbook, fmts: Formats, ctx: Context) -> None:
    counts = [Col("户数", 8, "int"), Col("人数", 8, "int"), Col("人月数", 8, "int")]
    cols = [Col("单位", 14), Col("救助类别", 8, "center"), *counts, *ITEM_COLS, Col("金额合计", 16, "yuan")]
    ws = start_sheet(wb, fmts, "资金测算", sheet_title(ctx, "资金测算"), cols, freeze_cols=2)
    rows = [[b.unit, b.category, b.households, b.persons, b.person_months, *(yuan(b.items[i]) for i in Item),
             yuan(b.amount_fen)] for b in ctx.benefits]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    # Totals are summed in fen and converted once, so they equal the sum of the exact row amounts.
    t = ctx.total
    write_total(ws, fmts, cols, end, ["合计", "", t.households, t.persons, t.person_months,
                                      *(yuan(t.items[i]) for i in Item), yuan(t.amount_fen)])


def _findings(wb: Workbook, fmts: Formats, ctx: Context, part: SheetPart) -> None:
    cols = [Col("问题代码", 20), Col("问题名称", 18), Col("严重程度", 8, "center"), Col("单位", 12), Col("文件", 28, "wrap"),
            Col("工作表", 12), Col("行", 6, "int"), Col("列", 14), Col("说明", 44, "wrap"), Col("值", 16, "wrap"),
            Col("改正方法", 36, "wrap")]
    ws = start_sheet(wb, fmts, part.name, part.title(sheet_title(ctx, "问题清单")), cols, freeze_cols=3)
    rows = [[f.code, title(f.code), SEVERITY[f.severity], f.unit, f.file, f.sheet, f.row, f.column, f.message, f.value,
             fix(ctx, f.code)] for f in part.rows(ctx.findings)]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 2, end - 1, 2), SEVERITY_RULES)


def _inputs(wb: Workbook, fmts: Formats, ctx: Context, part: SheetPart) -> None:
    cols = [Col("文件", 36), Col("工作表", 14), Col("类型", 14, "center"), Col("单位", 12), Col("读取行数", 9, "int"),
            Col("采用行数", 9, "int"), Col("列入问题行数", 11, "int"), Col("说明或合计行数", 12, "int"), Col("核对", 12, "center"),
            Col("说明", 30, "wrap")]
    ws = start_sheet(wb, fmts, part.name, part.title(sheet_title(
        ctx, "读取核对（读取行数 = 采用行数 + 列入问题行数 + 说明或合计行数）"), "项"), cols, freeze_cols=1)
    inputs = part.rows(ctx.inputs)
    rows = [[i.file, i.sheet, SHEET_KIND.get(i.kind, i.kind), i.unit, i.rows_read, i.rows_used, i.rows_reported,
             i.rows_set_aside, "相符" if i.reconciled else "不符", i.note] for i in inputs]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 8, end - 1, 8), [("不符", Light.RED), ("相符", Light.GREEN)])
    sums = [sum(getattr(i, k) for i in inputs) for k in ("rows_read", "rows_used", "rows_reported", "rows_set_aside")]
    # A split table's 合计 row adds up its own sheet, as the person detail's does.
    label = "合计" if part.count == 1 else "本表合计"
    write_total(ws, fmts, cols, end, [f"{label}（{len(inputs)}项）", "", "", "", *sums, "", ""])
