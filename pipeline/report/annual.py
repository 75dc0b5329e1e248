"""The annual assessment 年度考核-<year>.html and .xlsx, drawn from one AnnualContext."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup, escape
from xlsxwriter.workbook import Workbook

from ..assessment import AnnualContext
from ..money import fmt_param
from ..scoring import ITEMS, Method
from ..vocab import Grade, Light, Submission
from . import Bundle, Due, Report
from .document import Cell, Column, DocNumber, Document, Figure, Heading, Note, PageBreak, Paragraph, Table, map_text
from .html import environment
from .labels import KIND, SUBMISSION
from .wording import TIES, title
from .xlsx_formats import Cell as XCell
from .xlsx_formats import Col, Formats, colour_by_text, finish_table, fit_row, new_workbook, start_sheet, write_rows

TEMPLATE = "assessment.html.j2"
ITEM_LABELS = {"timeliness": "报送及时性", "completeness": "报送完整性", "task_completion": "任务完成情况",
               "data_quality": "数据质量"}
# One colour per item, dark to light, so the stacked bars still read in black and white.
ITEM_COLOURS = ("#1f3864", "#2e75b6", "#9dc3e6", "#bdd7ee")
GRADE_LIGHTS = {Grade.EXCELLENT: Light.GREEN, Grade.GOOD: Light.GREEN, Grade.FAIR: Light.YELLOW, Grade.POOR: Light.RED}


def file_stem(a: AnnualContext) -> str:
    return f"年度考核-{a.year}"


def _write_html(bundle: Bundle, staging) -> None:
    a = bundle.annual
    staging.write_text(f"{file_stem(a)}.html", render_assessment_html(a, bundle.config.paths["templates"]))


def _write_docx(bundle: Bundle, staging) -> None:
    from .docx_writer import write_docx  # python-docx and lxml load only when a Word report is due

    a = bundle.annual
    doc = map_text(assessment_document(a), staging.mask)
    staging.write_with(f"{file_stem(a)}.docx", lambda p: write_docx(doc, p))


def _write_xlsx(bundle: Bundle, staging) -> None:
    a = bundle.annual
    staging.write_with(f"{file_stem(a)}.xlsx", lambda p: write_assessment_xlsx(a, p, staging.mask))


HTML = Report("年度考核（网页）", Due.YEAR_END, _write_html)
XLSX = Report("年度考核（工作簿）", Due.YEAR_END, _write_xlsx)
DOCX = Report("年度考核（Word）", Due.YEAR_END, _write_docx)


def rule_texts(a: AnnualContext) -> list[tuple[str, Decimal, str]]:
    """Say each item's rule in plain Chinese, from the configured numbers: (label, weight, text)."""
    m: Method = a.method
    t, s, w = m.timeliness, m.light_shares, m.weights
    excluded = "、".join(title(c) for c in m.exclude_codes)
    basis = "全年取各季度平均" if m.completion_basis == "mean" else "以全年最后一个季度的灯色为准"
    texts = {
        "timeliness": f"每季度于{a.deadline_text.removeprefix('每')}报送进展情况表的得{_share(t['on_time'])}，"
                      f"逾期报送的得{_share(t['late'])}，未报送的得{_share(t['missing'])}；全年取各季度平均。",
        "completeness": "每季度按已报送任务数占本单位应报任务数（牵头和责任任务）的比例得分，进展未更新的任务不计为已报送，"
                        "未报送的季度得0分；全年取各季度平均。",
        "task_completion": f"每季度按本单位承担的各项任务灯色计分，绿灯得{_share(s[Light.GREEN])}、黄灯得{_share(s[Light.YELLOW])}、"
                           f"红灯（未报送、进展未更新或未启动）得{_share(s[Light.RED])}，取各项任务平均；{basis}。",
        "data_quality": f"每季度从{fmt_param(w['data_quality'])}分起，核查发现本单位报表每条错误扣{fmt_param(m.per_error)}分、"
                        f"每条警告扣{fmt_param(m.per_warning)}分，扣完为止；未报送的季度得0分"
                        + (f"；{excluded}已在前两项计分，不重复扣分" if excluded else "") + "；全年取各季度平均。",
    }
    return [(ITEM_LABELS[k], w[k], texts[k]) for k in ITEMS]


def general_texts(m: Method) -> list[str]:
    """Say how missing quarters, totals and grades are handled."""
    missing = ("输入目录中没有某季度的报表（该季度材料未收到）时，该季度不计分，各项按已收到季度的平均计算，不因此扣分。"
               if m.missing_quarter == "exclude" else
               "输入目录中没有某季度的报表（该季度材料未收到）时，该季度各项均按0分计入平均。")
    bands = []
    for i, (grade, low) in enumerate(m.grades):
        if i == 0:
            bands.append(f"{fmt_param(low)}分及以上为{grade}")
        elif i == len(m.grades) - 1:
            bands.append(f"{fmt_param(m.grades[i - 1][1])}分以下为{grade}")
        else:
            bands.append(f"{fmt_param(low)}分（含）至{fmt_param(m.grades[i - 1][1])}分为{grade}")
    return [f"总分为四项得分之和，满分{fmt_param(m.full_marks)}分；各项得分四舍五入保留两位小数。", missing,
            "等次：" + "，".join(bands) + "。", f"按总分排名，{TIES}。"]


def missing_note(a: AnnualContext) -> str:
    """Say plainly which quarters were not received and how they were scored; '' when all four arrived."""
    if not a.absent:
        return ""
    gone = "、".join(p.quarter_label for p in a.absent)
    got = "、".join(p.quarter_label for p in a.present)
    rule = "按已收到季度的平均计分" if a.method.missing_quarter == "exclude" else "未收到的季度各项按0分计"
    return f"{gone}未收到报表，本考核仅依据{got}的报送情况，{rule}。"


def _share(value: Decimal) -> str:
    if value == 1:
        return "满分"
    if value == 0:
        return "0分"
    return f"{fmt_param(value * 100)}%"


def render_assessment_html(a: AnnualContext, templates_dir: Path) -> str:
    """Render the assessment page from its Document, chart included."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=a, doc=assessment_document(a, charts=True))


def assessment_document(a: AnnualContext, *, charts: bool = False) -> Document:
    """Compose the assessment as an official document: method, results by grade, scores, the quarters behind them."""
    m = a.method
    note = missing_note(a)
    rules = Table((Column("考核项目"), Column("分值", "num"), Column("计分规则", width=0.7)),
                  tuple((label, fmt_param(weight), text) for label, weight, text in rule_texts(a))
                  + ((Cell("合计", strong=True), Cell(fmt_param(m.full_marks), strong=True), ""),))
    counts = "、".join(f"{g}{a.grade_counts[g]}个" for g in Grade) + "。"
    # Only grades that some unit received get a heading, so the （一）（二） numbering has no gaps.
    groups = [(g, [u.unit for u in a.units if u.grade is g]) for g in Grade]
    results = [block for g, units in groups if units
               for block in (Heading(2, f"{g}（{len(units)}个）"), Paragraph("、".join(units) + "。"))]
    chart = [Figure(score_bars_svg([(u.unit, [u.items[k] for k in ITEMS]) for u in a.units],
                                   [ITEM_LABELS[k] for k in ITEMS], title="各单位考核得分（分）"))] if charts else []
    scores = Table((Column("排名", "center"), Column("单位"),
                    *(Column(f"{ITEM_LABELS[k]}\n（{fmt_param(m.weights[k])}分）", "num") for k in ITEMS),
                    Column("总分", "num"), Column("等次", "center")),
                   tuple((str(u.rank), u.unit, *(str(u.items[k]) for k in ITEMS), Cell(str(u.total), strong=True),
                          Cell(u.grade.value, strong=True) if u.grade is Grade.POOR else u.grade.value) for u in a.units))

    def quarter(q) -> str | Cell:
        if not q.present:
            return "未收到"
        text = (f"{SUBMISSION[q.submission]} {q.completeness:.1f}%\n{q.lights.green}/{q.lights.yellow}/{q.lights.red}"
                f"\u3000{q.errors}/{q.warnings}")
        return text if q.submission is Submission.ON_TIME else Cell(text, strong=True)

    quarters = Table((Column("单位"), *(Column(p.quarter_label, "center") for p in a.periods)),
                     tuple((u.unit, *(quarter(q) for q in u.quarters)) for u in a.units))
    body = (
        Paragraph(f"根据《{a.plan_title}》（{a.plan_document}）“全年一考核”的要求，依据各单位{a.year}年各季度进展情况报送、"
                  f"任务推进和数据核查情况，按照下列考核办法，对{len(a.units)}个报送单位进行了考核。现将考核结果通报如下。"),
        *([Paragraph(note, strong=True)] if note else []),
        Heading(1, "考核办法"), rules, *(Paragraph(t) for t in general_texts(m)),
        Heading(1, "考核结果"), Paragraph(counts), *results, *chart,
        PageBreak(), Heading(1, "得分明细"), scores,
        PageBreak(), Heading(1, "各季度报送情况"),
        Note("每格依次为：报送情况、完整率，本单位任务灯色（绿/黄/红），数据质量计分的错误/警告条数。"), quarters,
    )
    return Document(
        issuer=a.office.name, title=f"{a.office.district}城镇贫困群众脱贫解困工作\n{a.year}年度考核结果", body=body,
        signature=a.office.name, date=a.issued,
        doc_number=DocNumber(a.office.short_name, a.year, a.doc_number) if a.office.short_name else None,
        remarks=("本考核结果由各季度调度数据按 config.toml [assessment] 的考核办法自动计算，不含个人信息。",
                 f"亮灯规则：{a.light_rule}"),
        as_of=a.periods[-1].end)


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


def write_assessment_xlsx(a: AnnualContext, path: Path, mask) -> None:
    """Write the scores, the quarter-by-quarter facts behind them, and the method."""
    wb = new_workbook(path, mask, a.issued or a.periods[-1].end, output="assessment")
    fmts = Formats(wb)
    for sheet in (_scores_sheet, _quarters_sheet, _method_sheet):
        sheet(wb, fmts, a)
    wb.close()


def _title(a: AnnualContext, name: str) -> str:
    note = missing_note(a)
    return f"{a.office.district}城镇贫困群众脱贫解困工作{a.year}年度考核 · {name}" + (f"（{note}）" if note else "")


def _scores_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    w = a.method.weights
    cols = [Col("排名", 5, "int"), Col("单位", 14), Col("类型", 6, "center"),
            *(Col(f"{ITEM_LABELS[k]}（{fmt_param(w[k])}分）", 12, "num") for k in ITEMS),
            Col(f"总分（{fmt_param(a.method.full_marks)}分）", 11, "num"), Col("等次", 7, "center")]
    ws = start_sheet(wb, fmts, "考核得分", _title(a, "考核得分"), cols, freeze_cols=2, portrait=True)
    rows = [[u.rank, u.unit, KIND.get(u.kind, ""), *(float(u.items[k]) for k in ITEMS), XCell(float(u.total), bold=True),
             u.grade] for u in a.units]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, len(cols) - 1, end - 1, len(cols) - 1), [(g.value, GRADE_LIGHTS[g]) for g in Grade])


def _quarters_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    cols = [Col("单位", 14), Col("季度", 8, "center"), Col("报送情况", 8, "center"), Col("完整率", 8, "pct"),
            Col("绿灯", 6, "int"), Col("黄灯", 6, "int"), Col("红灯", 6, "int"), Col("错误", 6, "int"), Col("警告", 6, "int"),
            Col("数据质量扣分", 9, "num"), *(Col(f"{ITEM_LABELS[k]}得分率", 10, "pct") for k in ITEMS)]
    ws = start_sheet(wb, fmts, "季度明细", _title(a, "各季度计分依据（错误、警告不含已在及时性、完整性中计分的问题）"), cols,
                     freeze_cols=2)
    rows = []
    for u in a.units:
        for q in u.quarters:
            lights = q.lights
            rows.append([u.unit, q.period.quarter_label, "未收到" if not q.present else SUBMISSION[q.submission],
                         None if q.completeness is None else q.completeness / 100,
                         *((lights.green, lights.yellow, lights.red) if lights else (None, None, None)),
                         q.errors if q.present else None, q.warnings if q.present else None,
                         float(q.deduction) if q.present else None,
                         *(float(q.shares[k]) if q.present else None for k in ITEMS)])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 2, end - 1, 2), [(SUBMISSION[Submission.MISSING], Light.RED),
                                                  (SUBMISSION[Submission.LATE], Light.YELLOW),
                                                  (SUBMISSION[Submission.ON_TIME], Light.GREEN)])


def _method_sheet(wb: Workbook, fmts: Formats, a: AnnualContext) -> None:
    cols = [Col("考核项目", 14), Col("分值", 8, "num"), Col("计分规则", 80, "wrap")]
    ws = start_sheet(wb, fmts, "考核办法", _title(a, "考核办法（取自 config.toml [assessment]）"), cols, portrait=True)
    rows = [[label, float(weight), text] for label, weight, text in rule_texts(a)]
    rows += [["说明", None, text] for text in general_texts(a.method)]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    note = "亮灯规则：" + a.light_rule
    ws.merge_range(end + 1, 0, end + 1, 2, "", fmts.special("note"))
    ws.write_string(end + 1, 0, note, fmts.special("note"))
    fit_row(ws, end + 1, [(note, sum(c.width for c in cols))])
