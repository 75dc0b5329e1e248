"""The half-year bulletin 半年通报-<year>H<n>.html and .xlsx, drawn from one HalfYearContext."""
from __future__ import annotations

from pathlib import Path

from ..bulletin import HalfYearContext, Measure
from ..findings import Severity
from ..money import fmt_grouped
from ..vocab import Category, Light, Submission
from . import Bundle, Due, Report
from .document import Annex, Cell, Column, DocNumber, Document, Figure, Heading, Note, Paragraph, Table, map_text
from .half_year_words import faults_text, missing_note, state_text
from .half_year_xlsx import write_bulletin_xlsx
from .html import bar_chart_svg, environment, stacked_bar_svg, truncate_cn
from .labels import LIGHT_COLOURS, cn_date, names
from .wording import EXEMPLARY, TIES, no_comparison, title, wan

TEMPLATE = "bulletin.html.j2"
# Units are listed in full in a bulletin: a name cut off would be a unit neither praised nor criticised.
ALL = 1000


def file_stem(h: HalfYearContext) -> str:
    return f"半年通报-{h.name}"


def _write_html(bundle: Bundle, staging) -> None:
    h = bundle.half_year
    staging.write_text(f"{file_stem(h)}.html", render_bulletin_html(h, bundle.config.paths["templates"]))


def _write_docx(bundle: Bundle, staging) -> None:
    from .docx_writer import write_docx  # python-docx and lxml load only when a Word report is due

    h = bundle.half_year
    doc = map_text(bulletin_document(h), staging.mask)
    staging.write_with(f"{file_stem(h)}.docx", lambda p: write_docx(doc, p))


def _write_xlsx(bundle: Bundle, staging) -> None:
    h = bundle.half_year
    staging.write_with(f"{file_stem(h)}.xlsx", lambda p: write_bulletin_xlsx(h, p, staging.mask))


HTML = Report("半年通报（网页）", Due.HALF_YEAR, _write_html)
XLSX = Report("半年通报（工作簿）", Due.HALF_YEAR, _write_xlsx)
DOCX = Report("半年通报（Word）", Due.HALF_YEAR, _write_docx)


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
    for q, r in zip(h.quarters, h.reported_total):
        if not q.present:
            continue
        x = q.headline
        out.append(Paragraph(f"{q.period.quarter_label}，应报送进展情况的单位{x.units_total}个，已报送{x.units_submitted}个（按时"
                             f"{x.units_on_time}个、逾期{x.units_late}个），未报送{x.units_missing}个；{x.tasks_total}项"
                             f"重点任务中绿灯{x.tasks_green}项、黄灯{x.tasks_yellow}项、红灯{x.tasks_red}项；发放救助资金"
                             f"{fmt_grouped(q.total_fen)}元，惠及{x.households}户{x.persons}人；各单位填报重点任务惠及群众"
                             f"{r.beneficiaries}人（次）、投入资金{wan(r.funds)}万元。"))
    cats = "、".join(f"{c.category}{fmt_grouped(c.total_fen)}元" for c in h.money_categories)
    pm = sum(c.person_months for c in h.money_categories)
    # The missing quarter is stated once, under the opening paragraph; here the sum just says what it covers.
    span = "两个季度累计" if len(h.present) == 2 else f"仅{h.present[0].period.quarter_label}，共"
    out.append(Paragraph(f"{h.label}{span}发放救助资金{fmt_grouped(h.total_fen)}元（{pm}人·月）"
                         + (f"，其中{cats}。" if cats else "。")))
    out.append(Paragraph("惠及人数和投入资金为各单位进展情况表所填之和（进展未更新的行不计），分单位、分任务的数字见附表5。"))
    c = h.changes
    if c is not None and c.received:
        quarter = h.quarters[-1].period.quarter_label
        back = f"；本年完成状态倒退{len(c.backwards)}项" if c.backwards else ""
        out.append(Paragraph(f"{quarter}与{c.previous.label}相比，新增救助对象{len(c.entered)}户、退出{len(c.left)}户，"
                             f"月发放额变化超过{c.share:.0%}的{len(c.changed)}户{back}。"))
    elif c is not None:
        out.append(Paragraph(f"{no_comparison(c.previous)}。"))
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
        out.append(Paragraph(f"{both}{EXEMPLARY}的单位共{len(h.praised)}个，予以通报表扬：{names(h.praised, ALL)}。"))
    else:
        out.append(Paragraph(f"本半年没有{both}{EXEMPLARY}的单位。"))
    return out


def _problems(h: HalfYearContext) -> list:
    out = [Heading(2, "部分单位报送不及时、不完整或数据有误")]
    if h.criticised:
        out.append(Paragraph(f"以下{len(h.criticised)}个单位存在未报送、逾期报送、漏报任务、进展未更新或报表错误等问题，"
                             "予以通报批评："))
        out += [Paragraph(f"{i}.{c.unit}：{faults_text(c.faults)}。") for i, c in enumerate(h.criticised, 1)]
    else:
        out.append(Paragraph("各单位均按时、完整报送，报表未发现错误。"))
    out.append(Heading(2, "部分任务推进滞后"))
    if not h.persistent_known:
        last = h.present[-1]
        out.append(Paragraph(f"{no_comparison(last.period.previous())}；{last.period.quarter_label}红灯任务"
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
        red: list = [Paragraph(f"{no_comparison(h.present[-1].period.previous())}。")]
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
        Annex("各单位报送情况排名", (Note(f"依次按未报送季度数、逾期季度数、逾期天数（少者在前）和平均完整率（高者在前）排列，{TIES}。"),
                                    ranking)),
        Annex("连续两个季度红灯任务", tuple(red)),
        Annex("各单位填报的惠及人数和投入资金", _reported_annex(h, quarters)),
    )


def _reported_annex(h: HalfYearContext, quarters: list[str]) -> tuple:
    """Tabulate 惠及人数 and 投入资金 as units reported them, by unit and by task, one column pair per quarter."""
    columns = tuple(c for q in quarters for c in (Column(f"{q}惠及人数", "num"), Column(f"{q}投入资金（万元）", "num")))

    def cells(by_quarter) -> tuple:
        return tuple(v for r in by_quarter for v in (("未收到", "未收到") if r is None else
                                                     (str(r.beneficiaries), wan(r.funds))))
    units = Table((Column("单位"), *columns), tuple((u.key, *cells(u.by_quarter)) for u in h.reported_units)
                  + ((Cell("合计", strong=True), *cells(h.reported_total)),), caption="（一）分单位")
    tasks = Table((Column("任务编号", "center"), *columns),
                  tuple((f"第{t.key}条", *cells(t.by_quarter)) for t in h.reported_tasks), caption="（二）分任务")
    return (Note("各单位进展情况表所填之和，进展未更新的行不计；只列填报了数字的单位和任务。"), units, tasks)
