"""The annual assessment 年度考核-<year>.html and .xlsx, drawn from one AnnualContext."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup, escape
from xlsxwriter.workbook import Workbook

from ..assessment import GRADES, ITEMS, AnnualContext
from ..lights import GREEN, RED, YELLOW
from .html import environment
from .xlsx_formats import WORKBOOK_OPTIONS, Cell, Col, Formats, colour_by_text, finish_table, fit_row, start_sheet, write_rows

TEMPLATE = "assessment.html.j2"
# One colour per item, dark to light, so the stacked bars still read in black and white.
ITEM_COLOURS = ("#1f3864", "#2e75b6", "#9dc3e6", "#bdd7ee")
GRADE_LIGHTS = {"优秀": GREEN, "良好": GREEN, "一般": YELLOW, "较差": RED}


def file_stem(a: AnnualContext) -> str:
    return f"年度考核-{a.year}"


def render_assessment_html(a: AnnualContext, templates_dir: Path) -> str:
    """Render the assessment page from the context with the templates in `templates_dir`."""
    chart = score_bars_svg([(u["unit"], [u["items"][k] for k, _ in ITEMS]) for u in a.units],
                           [label for _, label in ITEMS], title="各单位考核得分（分）")
    # Only grades that some unit received get a heading, so the （一）（二） numbering has no gaps.
    groups = [(g, [u["unit"] for u in a.units if u["grade"] == g]) for g in GRADES]
    return environment(templates_dir).get_template(TEMPLATE).render(
        ctx=a, items=ITEMS, grades=GRADES, grade_groups=[(g, us) for g, us in groups if us], score_chart=chart)


def score_bars_svg(rows: Sequence[tuple[str, list]], labels: Sequence[str], *, title: str = "", width: int = 600,
                   label_width: int = 96, bar_height: int = 14, gap: int = 6) -> Markup:
    """Draw one horizontal bar per unit, stacked by item, with the total printed after it, as inline SVG."""
    top = 24 if title else 4
    legend = 20
    height = top + legend + len(rows) * (bar_height + gap) + 4
    full = max((sum(float(v) for v in values) for _, values in rows), default=0) or 1
    span = width - label_width - 60
    out = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" class="chart">']
    if title:
        out.append(f'<text x="0" y="15" class="chart-title">{escape(title)}</text>')
    step = (width - label_width) / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = label_width + i * step
        out.append(f'<rect x="{x:.1f}" y="{top}" width="12" height="12" fill="{ITEM_COLOURS[i % len(ITEM_COLOURS)]}"/>'
                   f'<text x="{x + 16:.1f}" y="{top + 11}">{escape(label)}</text>')
    for r, (label, values) in enumerate(rows):
        y = top + legend + r * (bar_height + gap)
        mid = y + bar_height * 0.8
        out.append(f'<text x="{label_width - 6}" y="{mid:.1f}" text-anchor="end">{escape(label)}</text>')
        x = float(label_width)
        for i, v in enumerate(values):
            w = span * float(v) / full
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}"'
                           f' fill="{ITEM_COLOURS[i % len(ITEM_COLOURS)]}" stroke="#fff" stroke-width="0.5"/>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{mid:.1f}">{escape(str(sum(values)))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def write_assessment_xlsx(a: AnnualContext, path: Path) -> None:
    """Write the scores, the quarter-by-quarter facts behind them, and the method."""
    wb = Workbook(str(path), WORKBOOK_OPTIONS)
    fmts = Formats(wb)
    for sheet in (_scores_sheet, _quarters_sheet, _method_sheet):
        sheet(wb, fmts, a)
    wb.close()


def _title(a: AnnualContext, name: str) -> str:
    note = f"（{a.missing_note}）" if a.missing_note else ""
    return f"{a.office.get('district', '')}城镇贫困群众脱贫解困工作{a.year}年度考核 · {name}{note}"


def _scores_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    w = a.method.weights
    cols = [Col("排名", 5, "int"), Col("单位", 14), Col("类型", 6, "center"),
            *(Col(f"{label}（{w[k].normalize():f}分）", 12, "num") for k, label in ITEMS),
            Col(f"总分（{a.method.full_marks.normalize():f}分）", 11, "num"), Col("等次", 7, "center")]
    ws = start_sheet(wb, fmts, "考核得分", _title(a, "考核得分"), cols, freeze_cols=2, portrait=True)
    rows = [[u["rank"], u["unit"], u["kind_label"], *(float(u["items"][k]) for k, _ in ITEMS), Cell(float(u["total"]), bold=True),
             u["grade"]] for u in a.units]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, len(cols) - 1, end - 1, len(cols) - 1), [(g, GRADE_LIGHTS[g]) for g in GRADES])


def _quarters_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    cols = [Col("单位", 14), Col("季度", 8, "center"), Col("报送情况", 8, "center"), Col("完整率", 8, "pct"),
            Col("绿灯", 6, "int"), Col("黄灯", 6, "int"), Col("红灯", 6, "int"), Col("错误", 6, "int"), Col("警告", 6, "int"),
            Col("数据质量扣分", 9, "num"), *(Col(f"{label}得分率", 10, "pct") for _, label in ITEMS)]
    ws = start_sheet(wb, fmts, "季度明细", _title(a, "各季度计分依据（错误、警告不含已在及时性、完整性中计分的问题）"), cols,
                     freeze_cols=2)
    rows = []
    for u in sorted(a.units, key=lambda u: u["rank"]):
        for q in u["quarters"]:
            lights = q["lights"] or {}
            shares = [float(q["shares"][k]) if q["present"] else None for k, _ in ITEMS]
            rows.append([u["unit"], q["label"], q["state"], None if q["completeness"] is None else q["completeness"] / 100,
                         lights.get(GREEN), lights.get(YELLOW), lights.get(RED),
                         q["errors"] if q["present"] else None, q["warnings"] if q["present"] else None,
                         float(q["deduction"]) if q["present"] else None, *shares])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 2, end - 1, 2), [("未报送", RED), ("逾期", YELLOW), ("按时", GREEN)])


def _method_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    cols = [Col("考核项目", 14), Col("分值", 8, "num"), Col("计分规则", 80, "wrap")]
    ws = start_sheet(wb, fmts, "考核办法", _title(a, "考核办法（取自 config.toml [assessment]）"), cols, portrait=True)
    rows = [[r["label"], float(r["weight"]), r["text"]] for r in a.rules]
    rows += [["说明", None, text] for text in a.general_rules]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    note = "亮灯规则：" + a.light_rule
    ws.merge_range(end + 1, 0, end + 1, 2, "", fmts.special("note"))
    ws.write_string(end + 1, 0, note, fmts.special("note"))
    fit_row(ws, end + 1, [(note, sum(c.width for c in cols))])
