"""The half-year bulletin 半年通报-<year>H<n>.html and .xlsx, drawn from one HalfYearContext."""
from __future__ import annotations

from pathlib import Path

from xlsxwriter.workbook import Workbook

from ..bulletin import Fault, FaultKind, HalfYearContext, Measure
from ..findings import Severity
from ..money import fmt_grouped, yuan
from ..vocab import Category, Light, Submission
from . import Bundle, Due, Report
from .document import Annex, Cell, Column, DocNumber, Document, Figure, Heading, Note, Paragraph, Table, map_text
from .docx_writer import write_docx
from .html import bar_chart_svg, environment, stacked_bar_svg, truncate_cn
from .labels import KIND, LIGHT_COLOURS, SUBMISSION, cn_date, names
from .wording import title
from .xlsx_formats import Cell as XCell
from .xlsx_formats import Col, Formats, finish_table, new_workbook, start_sheet, write_rows, write_total

TEMPLATE = "bulletin.html.j2"
# Units are listed in full in a bulletin: a name cut off would be a unit neither praised nor criticised.
ALL = 1000


def file_stem(h: HalfYearContext) -> str:
    return f"半年通报-{h.name}"


def _write_html(bundle: Bundle, staging) -> None:
    h = bundle.half_year
    staging.write_text(f"{file_stem(h)}.html", render_bulletin_html(h, bundle.config.paths["templates"]))


def _write_docx(bundle: Bundle, staging) -> None:
    h = bundle.half_year
    doc = map_text(bulletin_document(h), staging.mask)
    staging.write_with(f"{file_stem(h)}.docx", lambda p: write_docx(doc, p))


def _write_xlsx(bundle: Bundle, staging) -> None:
    h = bundle.half_year
    staging.write_with(f"{file_stem(h)}.xlsx", lambda p: write_bulletin_xlsx(h, p, staging.mask))


HTML = Report("半年通报（网页）", Due.HALF_YEAR, _write_html)
XLSX = Report("半年通报（工作簿）", Due.HALF_YEAR, _write_xlsx)
DOCX = Report("半年通报（Word）", Due.HALF_YEAR, _write_docx)


def missing_note(h: HalfYearContext) -> str:
    """Say plainly which quarter was not received; '' when both were."""
    if not h.absent:
        return ""
    gone = "、".join(q.period.quarter_label for q in h.absent)
    got = "、".join(q.period.quarter_label for q in h.present)
    return f"{gone}未收到报表，本通报仅反映{got}情况。"


def state_text(h: HalfYearContext, i: int, submission: Submission | None) -> str:
    """Word a unit's submission in quarter i: 按时 / 逾期 / 未报送, 未收到 for a quarter not received, — otherwise."""
    if not h.quarters[i].present:
        return "未收到"
    return "—" if submission is None else SUBMISSION[submission]


def fault_text(f: Fault) -> str:
    """Word one fault: 第二季度逾期4天报送."""
    q = f.period.quarter_label
    if f.kind is FaultKind.MISSING:
        return f"{q}未报送进展情况"
    if f.kind is FaultKind.LATE:
        return f"{q}逾期{f.days}天报送"
    if f.kind is FaultKind.MISSING_TASKS:
        return f"{q}漏报第{'、'.join(map(str, f.tasks))}条任务"
    total = sum(n for _, n in f.errors)
    detail = title(f.errors[0][0]) if len(f.errors) == 1 else "、".join(f"{title(c)}{n}条" for c, n in f.errors)
    return f"{q}报表有错误{total}条（{detail}）"


def faults_text(faults: tuple[Fault, ...]) -> str:
    """Join a unit's faults, one clause per quarter: 第一季度逾期2天报送、漏报第16条任务；第二季度…"""
    by_quarter: dict = {}
    for f in faults:
        by_quarter.setdefault(f.period, []).append(fault_text(f))
    return "；".join(clauses[0] + "".join("、" + c.removeprefix(p.quarter_label) for c in clauses[1:])
                    for p, clauses in by_quarter.items())


def render_bulletin_html(h: HalfYearContext, templates_dir: Path) -> str:
    """Render the bulletin page from its Document, charts included."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=h, doc=bulletin_document(h, charts=True))


def bulletin_document(h: HalfYearContext, *, charts: bool = False) -> Document:
    """Compose the 通报 as an official document: 主送, 正文 in four parts, 附表 1–4, every name and number from the data."""
    note = missing_note(h)
    opening = (f"根据《{h.plan_title}》（{h.plan_document}）“每季一调度、半年一通报、全年一考核”的要求，现将{h.label}全区城镇"
               "贫困群众脱贫解困重点任务推进和各单位进展情况报送情况通报如下。")
    body = [Paragraph(opening), *([Paragraph(note, strong=True)] if note else [])]
    for heading, blocks in (("基本情况", _basics(h)), ("主要成效", _results(h)), ("存在问题", _problems(h)),
                            ("下步要求", _requirements(h))):
        body += [Heading(1, heading), *blocks]
    return Document(
        issuer=h.office.name, title=f"关于{h.label}{h.office.district}城镇贫困群众\n脱贫解困工作情况的通报",
        body=tuple(body), signature=h.office.name, date=h.issued,
        doc_number=DocNumber(h.office.short_name, h.year, h.doc_number) if h.office.short_name else None,
        addressee="各镇（街道、园区），区直有关单位：", annexes=_annexes(h, charts), annex_label="附表",
        remarks=("本通报由各季度调度数据自动生成，不含个人信息。", f"亮灯规则：{h.light_rule}"),
        as_of=h.quarters[-1].period.end)


def _change(value: int, measure: str, money: bool = False) -> str:
    amount = fmt_grouped(abs(value)) if money else str(abs(value))
    return "持平" if value == 0 else f"{'增加' if value > 0 else '减少'}{amount}{measure}"


def _basics(h: HalfYearContext) -> list:
    out = []
    for q in h.present:
        x = q.headline
        out.append(Paragraph(f"{q.period.quarter_label}，应报送进展情况的单位{x.units_total}个，已报送{x.units_submitted}个（按时"
                             f"{x.units_on_time}个、逾期{x.units_late}个），未报送{x.units_missing}个；{x.tasks_total}项"
                             f"重点任务中绿灯{x.tasks_green}项、黄灯{x.tasks_yellow}项、红灯{x.tasks_red}项；发放救助资金"
                             f"{fmt_grouped(q.total_fen)}元，惠及{x.households}户{x.persons}人。"))
    cats = "、".join(f"{c.category}{fmt_grouped(c.total_fen)}元" for c in h.money_categories)
    pm = sum(c.person_months for c in h.money_categories)
    # The missing quarter is stated once, under the opening paragraph; here the sum just says what it covers.
    span = "两个季度累计" if len(h.present) == 2 else f"仅{h.present[0].period.quarter_label}，共"
    out.append(Paragraph(f"{h.label}{span}发放救助资金{fmt_grouped(h.total_fen)}元（{pm}人·月）"
                         + (f"，其中{cats}。" if cats else "。")))
    c = h.changes
    if c is not None and c.received:
        quarter = h.quarters[-1].period.quarter_label
        back = f"；本年完成状态倒退{len(c.backwards)}项" if c.backwards else ""
        out.append(Paragraph(f"{quarter}与{c.previous.label}相比，新增救助对象{len(c.entered)}户、退出{len(c.left)}户，"
                             f"月发放额变化超过{c.share:.0%}的{len(c.changed)}户{back}。"))
    return out


def _results(h: HalfYearContext) -> list:
    last = h.present[-1].headline
    trend = {r.key: r for r in h.trend}
    share = round(100 * last.tasks_green / last.tasks_total, 1) if last.tasks_total else 0
    text = f"截至{h.present[-1].period.quarter_label}，{last.tasks_total}项重点任务中绿灯{last.tasks_green}项，占{share}%"
    if trend["tasks_green"].change is not None:
        text += (f"，比{h.quarters[0].period.quarter_label}{_change(trend['tasks_green'].change, '项')}；"
                 f"红灯任务{_change(trend['tasks_red'].change, '项')}")
    out = [Heading(2, "重点任务总体推进"), Paragraph(text + "。")]
    money = []
    for q in h.present:
        if q.avg_subsidy_fen is None:
            continue
        floor = q.avg_subsidy_floor_fen
        verdict = "" if floor is None else (f"，达到方案不低于{fmt_grouped(floor)}元的要求" if not q.avg_below_floor
                                            else f"，低于方案{fmt_grouped(floor)}元的下限")
        money.append(f"{q.period.quarter_label}人均补差{fmt_grouped(q.avg_subsidy_fen)}元/月{verdict}")
    out += [Heading(2, "救助资金按标准发放"),
            Paragraph(f"{h.label}累计发放救助资金{fmt_grouped(h.total_fen)}元。" + ("；".join(money) + "。" if money else ""))]
    both = "两个季度均" if len(h.present) == 2 else ""
    out.append(Heading(2, "按时规范报送的单位"))
    if h.praised:
        out.append(Paragraph(f"{both}按时、完整报送进展情况且报表未发现错误的单位共{len(h.praised)}个，予以通报表扬："
                             f"{names(h.praised, ALL)}。"))
    else:
        out.append(Paragraph(f"本半年没有{both}按时、完整报送且报表无错误的单位。"))
    return out


def _problems(h: HalfYearContext) -> list:
    out = [Heading(2, "部分单位报送不及时、不完整或数据有误")]
    if h.criticised:
        out.append(Paragraph(f"以下{len(h.criticised)}个单位存在未报送、逾期报送、漏报任务或报表错误等问题，予以通报批评："))
        out += [Paragraph(f"{i}.{c.unit}：{faults_text(c.faults)}。") for i, c in enumerate(h.criticised, 1)]
    else:
        out.append(Paragraph("各单位均按时、完整报送，报表未发现错误。"))
    out.append(Heading(2, "部分任务推进滞后"))
    if not h.persistent_known:
        last = h.present[-1]
        gone = "、".join(q.period.quarter_label for q in h.absent)
        out.append(Paragraph(f"因{gone}未收到报表，无法判断连续两个季度亮红灯的任务；{last.period.quarter_label}红灯任务"
                             f"{last.headline.tasks_red}项，详见当季调度报告。"))
    elif h.persistent_red:
        items = "；".join(f"第{t.task}条（牵头单位：{'、'.join(t.lead)}）" for t in h.persistent_red)
        out.append(Paragraph(f"{len(h.persistent_red)}项任务连续两个季度亮红灯：{items}。详见附表4。"))
    else:
        out.append(Paragraph("没有连续两个季度亮红灯的任务。"))
    out.append(Heading(2, "数据质量有待提高"))
    errors = [t for t in h.finding_tallies if t.severity is Severity.ERROR]
    warnings = [t for t in h.finding_tallies if t.severity is Severity.WARNING]
    if errors or warnings:
        detail = "、".join(f"{title(t.code)}{t.count}条" for t in errors + warnings)
        out.append(Paragraph(f"核查发现数据错误{sum(t.count for t in errors)}条、警告{sum(t.count for t in warnings)}条，"
                             f"主要是{detail}。"))
    else:
        out.append(Paragraph("核查报送材料未发现数据问题。"))
    return out


def _requirements(h: HalfYearContext) -> list:
    short = h.office.short_name or h.office.name
    deadline = cn_date(h.next_deadline)
    leads = sorted({u for t in h.persistent_red for u in t.lead})
    below = [q.period.quarter_label for q in h.present if q.avg_below_floor]
    return [
        Heading(2, "抓好问题整改"),
        Paragraph(f"被通报批评的单位要对照问题逐项整改，于{deadline}前将整改情况书面报送{short}。" if h.criticised
                  else "各单位要保持良好势头，持续做好报送工作。"),
        Heading(2, "加快滞后任务推进"),
        Paragraph(f"连续亮红灯任务的牵头单位（{names(leads, ALL)}）要分析原因、明确时限，推动任务尽快转为绿灯。" if leads
                  else "红灯、黄灯任务的牵头单位要分析原因、明确时限，推动任务按序时推进。"),
        Heading(2, "按时规范报送"),
        Paragraph(f"各单位须于{h.deadline_text}报送进展情况表，下季度报表请于{deadline}前报送；使用办公室下发的填报表格，"
                  "身份证号码列设为文本格式，任务编号按分工方案填写。"),
        Heading(2, "确保救助资金足额发放"),
        Paragraph(f"{'、'.join(below)}人均补差低于方案下限，各镇、街道、园区要核查收入核定和补差发放，确保达标。" if below
                  else "各镇、街道、园区要继续按标准足额发放救助资金，做到应保尽保。"),
    ]


def _money_text(fen: int | None) -> str:
    return "未收到" if fen is None else fmt_grouped(fen)


def _annexes(h: HalfYearContext, charts: bool) -> tuple[Annex, ...]:
    """The four 附表, as tables (and, on screen, charts) built from the same context as the text."""
    note = missing_note(h)
    quarters = [q.period.quarter_label for q in h.quarters]

    def change(r) -> str:
        if r.change is None:
            return "—"
        if r.change == 0:
            return "持平"
        amount = fmt_grouped(abs(r.change)) if r.kind is Measure.FEN else str(abs(r.change))
        return ("+" if r.change > 0 else "−") + amount

    trend = Table((Column("指标"), *(Column(q, "num") for q in quarters), Column("变化", "num")),
                  tuple((f"{r.label}（{r.measure}）",
                         *(("未收到" if v is None else fmt_grouped(v) if r.kind is Measure.FEN else str(v)) for v in r.values),
                         change(r)) for r in h.trend))
    lights = [Figure(stacked_bar_svg(
        [(f"绿灯 {q.headline.tasks_green}", q.headline.tasks_green, LIGHT_COLOURS[Light.GREEN]),
         (f"黄灯 {q.headline.tasks_yellow}", q.headline.tasks_yellow, LIGHT_COLOURS[Light.YELLOW]),
         (f"红灯 {q.headline.tasks_red}", q.headline.tasks_red, LIGHT_COLOURS[Light.RED])],
        title=f"{q.period.quarter_label}重点任务灯色（项）")) for q in h.present] if charts else []
    by_category = {c.category: c.total_fen for c in h.money_categories}
    units = Table((Column("单位"), *(Column(q, "num") for q in quarters), *(Column(c.value, "num") for c in Category),
                   Column("累计", "num")),
                  tuple((u.unit, *(_money_text(v) for v in u.by_quarter), *(fmt_grouped(u.by_category[c]) for c in Category),
                         fmt_grouped(u.total_fen)) for u in h.money_units)
                  + (("合计", *(_money_text(v) for v in h.money_by_quarter),
                      *(fmt_grouped(by_category.get(c, 0)) for c in Category), Cell(fmt_grouped(h.total_fen), strong=True)),),
                  caption="（一）分单位")
    categories = Table((Column("类别"), *(Column(q, "num") for q in quarters), Column("人·月", "num"), Column("累计", "num")),
                       tuple((c.category.value, *(_money_text(v) for v in c.by_quarter), str(c.person_months),
                              fmt_grouped(c.total_fen)) for c in h.money_categories),
                       caption="（二）分类别")
    money_chart = [Figure(bar_chart_svg([(u.unit, u.total_fen) for u in h.money_units],
                                        title=f"{h.label}各单位累计发放救助资金（元）"))] if charts else []

    def state(i: int, r) -> str | Cell:
        sub = r.submissions[i]
        text = state_text(h, i, sub)
        if r.completeness[i] is not None and sub is not Submission.MISSING:
            text += f" {r.completeness[i]:.1f}%"
        return text if sub is None or sub is Submission.ON_TIME else Cell(text, strong=True)

    ranking = Table((Column("排名", "center"), Column("单位"), *(Column(q, "center") for q in quarters),
                     Column("平均完整率", "num"), Column("错误", "num"), Column("通报", "center")),
                    tuple((str(r.rank), r.unit, *(state(i, r) for i in range(len(quarters))),
                           f"{r.completeness_mean:.1f}%", str(r.errors),
                           "表扬" if r.praised else Cell("批评", strong=True) if r.faults else "—") for r in h.ranking))
    if not h.persistent_known:
        red: list = [Paragraph(f"{note}无法判断连续两个季度亮红灯的任务。")]
    elif h.persistent_red:
        red = [Table((Column("编号", "center"), Column("政策措施", width=0.4), Column("牵头单位"),
                      Column("两个季度均为红灯的单位"), *(Column(f"{q}已报/应报", "num") for q in quarters)),
                     tuple((str(t.task), truncate_cn(t.measure, 40), "、".join(t.lead), "、".join(t.units_red) or "—",
                            *(f"{a}/{b}" for a, b in zip(t.reported, t.assigned))) for t in h.persistent_red))]
    else:
        red = [Paragraph("没有连续两个季度亮红灯的任务。")]
    return (
        Annex(f"{h.label}主要指标对比", (*([Note(note)] if note else []), trend, *lights)),
        Annex("救助资金累计发放情况", (Paragraph(f"{h.label}累计发放救助资金{fmt_grouped(h.total_fen)}元（单位：元）。"),
                                      *money_chart, units, categories)),
        Annex("各单位报送情况排名", (Note("依次按未报送季度数、逾期季度数、逾期天数（少者在前）和平均完整率（高者在前）排列。"),
                                    ranking)),
        Annex("连续两个季度红灯任务", tuple(red)),
    )


def write_bulletin_xlsx(h: HalfYearContext, path: Path, mask) -> None:
    """Write the bulletin's tables: the comparison, cumulative money, ranking, red tasks, praise and criticism."""
    wb = new_workbook(path, mask, h.issued or h.quarters[-1].period.end, output="bulletin")
    fmts = Formats(wb)
    for sheet in (_trend_sheet, _money_sheet, _ranking_sheet, _red_sheet, _praise_sheet):
        sheet(wb, fmts, h)
    wb.close()


def _title(h: HalfYearContext, name: str) -> str:
    note = missing_note(h)
    return f"{h.office.district}城镇贫困群众脱贫解困工作{h.label}通报 · {name}" + (f"（{note}）" if note else "")


def _quarter_headers(h: HalfYearContext, suffix: str = "") -> list[str]:
    return [q.period.quarter_label + suffix + ("" if q.present else "（未收到）") for q in h.quarters]


def _trend_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("指标", 16), Col("计量单位", 10, "center"), *(Col(t, 18, "num") for t in _quarter_headers(h)),
            Col("变化", 16, "num")]
    ws = start_sheet(wb, fmts, "主要指标对比", _title(h, "主要指标对比"), cols, freeze_cols=1, portrait=True)
    rows = []
    for r in h.trend:
        kind = "yuan" if r.kind is Measure.FEN else "int"

        def conv(v, money=r.kind is Measure.FEN):
            return None if v is None else (yuan(v) if money else v)
        rows.append([r.label, r.measure, *(XCell(conv(v), kind=kind) for v in r.values), XCell(conv(r.change), kind=kind)])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _money_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("单位", 14), *(Col(c.value, 15, "yuan") for c in Category),
            *(Col(t, 16, "yuan") for t in _quarter_headers(h, "发放")), Col("人月数", 10, "int"),
            Col("累计金额", 17, "yuan")]
    ws = start_sheet(wb, fmts, "资金累计", _title(h, "救助资金累计（元）"), cols, freeze_cols=1)

    def row(label: str, by_cat: list[int], by_q, pm: int, total: int) -> list:
        return [label, *(yuan(v) for v in by_cat), *(None if v is None else yuan(v) for v in by_q), pm, yuan(total)]

    rows = [row(u.unit, [u.by_category[c] for c in Category], u.by_quarter, u.person_months, u.total_fen)
            for u in h.money_units]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    # Totals are summed in fen and converted once, so they equal the sum of the exact amounts.
    by_cat = {c.category: c.total_fen for c in h.money_categories}
    write_total(ws, fmts, cols, end, row("合计", [by_cat.get(c, 0) for c in Category], h.money_by_quarter,
                                         sum(u.person_months for u in h.money_units), h.total_fen))


def _ranking_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("排名", 5, "int"), Col("单位", 14), Col("类型", 6, "center"),
            *(Col(t, 9, "center") for t in _quarter_headers(h, "报送")), Col("逾期天数", 7, "int"),
            *(Col(t, 9, "pct") for t in _quarter_headers(h, "完整率")), Col("平均完整率", 9, "pct"),
            Col("漏报任务数", 8, "int"), Col("错误", 6, "int"), Col("警告", 6, "int"), Col("通报", 8, "center"),
            Col("问题", 50, "wrap")]
    ws = start_sheet(wb, fmts, "单位排名", _title(h, "各单位报送情况排名（按及时性、完整性）"), cols, freeze_cols=2)
    rows = []
    for r in h.ranking:
        verdict = "表扬" if r.praised else ("批评" if r.faults else "")
        rows.append([r.rank, r.unit, KIND.get(r.kind, ""), *(state_text(h, i, s) for i, s in enumerate(r.submissions)),
                     r.days_late, *(None if c is None else c / 100 for c in r.completeness), r.completeness_mean / 100,
                     r.missing_tasks, r.errors, r.warnings,
                     XCell(verdict, Light.GREEN if verdict == "表扬" else Light.RED if verdict else None),
                     faults_text(r.faults)])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _red_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("编号", 6, "int"), Col("工作任务", 18, "wrap"), Col("政策措施", 40, "wrap"), Col("牵头单位", 20, "wrap"),
            Col("两个季度均为红灯的单位", 26, "wrap"), Col("两个季度均未报送的单位", 20, "wrap"),
            *(Col(t, 10, "center") for t in _quarter_headers(h, "已报/应报"))]
    ws = start_sheet(wb, fmts, "连续红灯任务", _title(h, "连续两个季度红灯任务"), cols, freeze_cols=1)
    rows = [[t.task, t.category, t.measure, "、".join(t.lead), "、".join(t.units_red), "、".join(t.units_missing),
             *(f"{a}/{b}" for a, b in zip(t.reported, t.assigned))] for t in h.persistent_red]
    if not h.persistent_known:
        rows = [["", "", "只收到一个季度的报表，无法判断连续红灯任务。"]]
    elif not rows:
        rows = [["", "", "没有连续两个季度亮红灯的任务。"]]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _praise_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("通报", 8, "center"), Col("单位", 14), Col("事由", 80, "wrap")]
    ws = start_sheet(wb, fmts, "表扬与批评", _title(h, "通报表扬与通报批评"), cols, freeze_cols=2, portrait=True)
    both = "两个季度均" if len(h.present) == 2 else ""
    rows = [[XCell("表扬", Light.GREEN), u, f"{both}按时、完整报送进展情况，报表未发现错误"] for u in h.praised]
    rows += [[XCell("批评", Light.RED), c.unit, faults_text(c.faults)] for c in h.criticised]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)

