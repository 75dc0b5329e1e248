"""资金测算-<year>.html and .docx: one 公文 Document, laid out as the bulletin's, assumptions on its first screen."""
from __future__ import annotations

from pathlib import Path

from ..budget import BudgetContext, Scenario
from ..budget_households import HouseholdChanges, HouseholdRow
from ..money import fmt_grouped, fmt_param
from ..vocab import Category, Item
from .budget_words import (
    assumptions,
    difference,
    explanation,
    floor_line,
    months_text,
    paid_text,
    reason,
    reform_sentence,
    scenario_sentence,
)
from .document import Annex, Cell, Column, DocNumber, Document, Heading, Note, Paragraph, Table, map_text
from .docx_writer import write_docx
from .html import environment

TEMPLATE = "budget.html.j2"


def write_html_file(ctx: BudgetContext, templates_dir: Path) -> str:
    """Render the budget page (unmasked: Staging.write_text masks it)."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=ctx, doc=budget_document(ctx))


def write_docx_file(ctx: BudgetContext, path: Path, mask) -> None:
    write_docx(map_text(budget_document(ctx), mask), path)


def budget_document(ctx: BudgetContext) -> Document:
    """Compose the 资金测算 report: assumptions first, then results, actual pay, plan floors and households."""
    b, y = ctx.budget, ctx.budget.year
    opening = (f"根据《{ctx.plan_title}》（{ctx.plan_document}）确定的救助标准，以{b.from_period.label}救助对象台账为基础，"
               f"按季度调度的计发规则逐月测算{y}年全年救助资金：按{b.baseline.name}需{fmt_grouped(b.baseline.total_fen)}元"
               + (f"，按{b.reform.name}需{fmt_grouped(b.reform.total_fen)}元" if b.reform is not None else "")
               + "。测算假设和结果报告如下。")
    body: list = [Paragraph(opening), Heading(1, "测算假设")]
    body += [Paragraph(f"{i}. {line}") for i, line in enumerate(assumptions(b), 1)]
    body += [Heading(1, "测算结果"), Paragraph(scenario_sentence(b.baseline, y))]
    if b.reform is not None:
        body += [Paragraph(scenario_sentence(b.reform, y)), Paragraph(reform_sentence(b), strong=True),
                 _side_by_side(b.baseline, b.reform)]
    body += [Heading(1, "与实际发放比较"), Paragraph(paid_text(b))]
    if b.paid_total_fen is not None:
        body.append(Paragraph(f"{y}年测算（{b.baseline.name}）比上述四个季度实际发放"
                              f"{_change(b.baseline.total_fen - b.paid_total_fen)}。"))
    body.append(_paid_table(ctx))
    body.append(Heading(1, "方案下限核对"))
    if not b.floors_known:
        body.append(Paragraph(f"config.toml 中没有{y}年的方案下限（[plan_floors.{y}]），未能核对。", strong=True))
    for s in (b.baseline, *([b.reform] if b.reform else [])):
        if s.floors:
            body += [Heading(2, s.name)] if b.reform else []
            body += [Paragraph(floor_line(f), strong=f.ok is False) for f in s.floors]
    body += [Heading(1, "救助对象月发放额变化"), Paragraph(_changes_sentence(b.changes, y))]
    if b.reform_changes is not None:
        body.append(Paragraph("调整方案与现行标准相比：" + _changes_sentence(b.reform_changes, y, reform=True)))
    return Document(
        issuer=ctx.office.name, title=f"关于{y}年{ctx.office.district}城镇贫困群众\n救助资金测算情况的报告",
        body=tuple(body), signature=ctx.office.name, date=ctx.issued,
        doc_number=DocNumber(ctx.office.short_name, b.from_period.year if ctx.issued is None else ctx.issued.year)
        if ctx.office.short_name else None,
        addressee="区财政局：", annexes=_annexes(ctx), annex_label="附表",
        imprint=ctx.imprint,
        as_of=b.from_period.end)


def _change(d: int) -> str:
    return "持平" if d == 0 else f"{'增加' if d > 0 else '减少'}{fmt_grouped(abs(d))}元"


def _changes_sentence(c: HouseholdChanges, y: int, reform: bool = False) -> str:
    than = "现行标准" if reform else c.before
    text = (f"{y}年12月月发放额比{than}提高的{len(c.rises)}户、降低的{len(c.falls)}户、降为0的{len(c.zero)}户，"
            f"不变的{c.unchanged}户")
    if reform:
        text = (f"全年金额提高的{len(c.rises)}户、降低的{len(c.falls)}户、12月降为0的{len(c.zero)}户，不变的{c.unchanged}户")
    return text + f"；在册低保、支出型家庭中差额由0转为正数的{len(c.gap_positive)}户（名单见附表5）。"


def _side_by_side(base: Scenario, alt: Scenario) -> Table:
    rows = [("合计", fmt_grouped(base.total_fen), fmt_grouped(alt.total_fen),
             Cell(difference(base.total_fen, alt.total_fen), strong=True))]
    b_cat, a_cat = base.by("category"), alt.by("category")
    rows += [(c.value, fmt_grouped(b_cat.get(c, 0)), fmt_grouped(a_cat.get(c, 0)),
              difference(b_cat.get(c, 0), a_cat.get(c, 0)))
             for c in Category if c in b_cat or c in a_cat]
    b_items, a_items = base.items(), alt.items()
    rows += [(i.value, fmt_grouped(b_items[i]), fmt_grouped(a_items[i]), difference(b_items[i], a_items[i]))
             for i in Item]
    return Table((Column("项目"), Column(base.name, "num"), Column(alt.name, "num"), Column("增减", "num")),
                 tuple(rows), caption="现行标准与调整方案对比（元）")


def _paid_table(ctx: BudgetContext) -> Table:
    b = ctx.budget
    rows = []
    for q in b.paid:
        if q.total_fen is None:
            rows.append((q.period.label, "未收到", *("—" for _ in Category)))
        else:
            rows.append((q.period.label, fmt_grouped(q.total_fen),
                         *(fmt_grouped(q.by_category.get(c, 0)) for c in Category)))
    base = b.baseline.by("category")
    rows.append((f"{b.year}年测算（{b.baseline.name}）", fmt_grouped(b.baseline.total_fen),
                 *(fmt_grouped(base.get(c, 0)) for c in Category)))
    if b.paid_total_fen is not None:
        paid = {c: sum(q.by_category.get(c, 0) for q in b.paid) for c in Category}
        rows.append(("测算与四个季度实际之差", Cell(difference(b.paid_total_fen, b.baseline.total_fen), strong=True),
                     *(difference(paid[c], base.get(c, 0)) for c in Category)))
    return Table((Column("季度"), Column("合计", "num"), *(Column(c.value, "num") for c in Category)), tuple(rows),
                 caption="实际发放与测算（元）")


def _annexes(ctx: BudgetContext) -> tuple[Annex, ...]:
    b = ctx.budget
    scenarios = [b.baseline, *([b.reform] if b.reform else [])]
    return (
        Annex(f"{b.year}年分单位、分类别测算", (Note("单位：元；户数、人数为全年有发放的户和人。"), _units(scenarios))),
        Annex(f"{b.year}年分项目测算", (_items(scenarios),)),
        Annex(f"{b.year}年逐月测算", (_months(scenarios),)),
        Annex(f"{b.year}年执行标准", tuple(_standards(s) for s in scenarios)),
        Annex("月发放额降为0和差额转正的户", _household_annex(b)),
    )


def _household_annex(b) -> tuple:
    if b.reform_changes is None:
        return _households(b.changes, b.year)
    return (Heading(1, b.baseline.name), *_households(b.changes, b.year),
            Heading(1, f"{b.reform.name}（与现行标准相比）"), *_households(b.reform_changes, b.year, reform=True))


def _units(scenarios: list[Scenario]) -> Table:
    base = scenarios[0]
    alt = scenarios[1] if len(scenarios) > 1 else None
    key = ["unit", "category"]
    a = alt.by_unit.set_index(key)["amount_fen"] if alt is not None else None
    rows = []
    for r in base.by_unit.itertuples(index=False):
        row = [r.unit, str(r.category), str(r.households), str(r.persons), str(r.person_months),
               fmt_grouped(r.amount_fen)]
        if a is not None:
            other = int(a.get((r.unit, r.category), 0))
            row += [fmt_grouped(other), difference(r.amount_fen, other)]
        rows.append(tuple(row))
    total = ["合计", "", str(int(base.by_unit["households"].sum())), str(int(base.by_unit["persons"].sum())),
             str(int(base.by_unit["person_months"].sum())), Cell(fmt_grouped(base.total_fen), strong=True)]
    if alt is not None:
        total += [Cell(fmt_grouped(alt.total_fen), strong=True), difference(base.total_fen, alt.total_fen)]
    rows.append(tuple(total))
    cols = [Column("单位"), Column("类别", "center"), Column("户数", "num"), Column("人数", "num"), Column("人·月", "num"),
            Column(base.name, "num")]
    if alt is not None:
        cols += [Column(alt.name, "num"), Column("增减", "num")]
    return Table(tuple(cols), tuple(rows))


def _items(scenarios: list[Scenario]) -> Table:
    cols = [Column("项目"), *(Column(s.name, "num") for s in scenarios)]
    figures = [[*s.items().values(), s.total_fen] for s in scenarios]
    labels = [i.value for i in Item] + ["合计"]
    rows = []
    for n, name in enumerate(labels):
        values = [f[n] for f in figures]
        cells = [fmt_grouped(v) if name != "合计" else Cell(fmt_grouped(v), strong=True) for v in values]
        rows.append((name, *cells, *([difference(values[0], values[1])] if len(values) > 1 else [])))
    if len(scenarios) > 1:
        cols.append(Column("增减", "num"))
    return Table(tuple(cols), tuple(rows), caption="单位：元")


def _months(scenarios: list[Scenario]) -> Table:
    base = scenarios[0]
    by_cat = base.months.groupby(["month", "category"])["amount_fen"].sum()
    cats = [c for c in Category if c in set(base.months["category"])]
    totals = [s.month_totals() for s in scenarios]
    grown = base.grown.groupby("month")["amount_fen"].sum() if base.grown is not None else None
    cols = [Column("月份", "center"), *(Column(c.value, "num") for c in cats), Column(base.name, "num")]
    if len(scenarios) > 1:
        cols += [Column(scenarios[1].name, "num"), Column("增减", "num")]
    if grown is not None:
        cols.append(Column("按增长率推算", "num"))
    rows = []
    for m in range(1, 13):
        row = [f"{m}月", *(fmt_grouped(int(by_cat.get((m, c), 0))) for c in cats), fmt_grouped(totals[0][m - 1])]
        if len(scenarios) > 1:
            row += [fmt_grouped(totals[1][m - 1]), difference(totals[0][m - 1], totals[1][m - 1])]
        if grown is not None:
            row.append(fmt_grouped(int(grown.get(m, 0))))
        rows.append(tuple(row))
    total = ["全年", *(fmt_grouped(int(base.months.loc[base.months["category"] == c, "amount_fen"].sum())) for c in cats),
             Cell(fmt_grouped(base.total_fen), strong=True)]
    if len(scenarios) > 1:
        total += [Cell(fmt_grouped(scenarios[1].total_fen), strong=True),
                  difference(base.total_fen, scenarios[1].total_fen)]
    if grown is not None:
        total.append(Cell(fmt_grouped(base.grown_total_fen or 0), strong=True))
    rows.append(tuple(total))
    return Table(tuple(cols), tuple(rows), caption="单位：元")


def _standards(s: Scenario) -> Table:
    rows = tuple((u.label, f"{fmt_param(u.value)}{u.unit if u.unit != '' else ''}", months_text(u.months),
                  Cell(u.source, strong=True) if u.reformed else u.source) for u in s.standards)
    return Table((Column("标准"), Column("数值", "num"), Column("月份", "center"), Column("依据", width=0.45)), rows,
                 caption=s.name)


def _households(c: HouseholdChanges, y: int, reform: bool = False) -> tuple:
    before = "现行标准12月" if reform else c.before
    cols = (Column("单位", width=0.1), Column("户编号", "center", 0.09), Column("户主", width=0.07),
            Column("类别", "center", 0.07), Column("人数", "num", 0.05), Column(before, "num", 0.11),
            Column(f"{'调整方案' if reform else ''}{y}年12月", "num", 0.11), Column("原因", width=0.1), Column("测算说明"))

    def row(h: HouseholdRow, why: str) -> tuple:
        return (h.unit, h.household_no, h.head_name, h.category, str(h.members), fmt_grouped(h.before_fen),
                fmt_grouped(h.after_fen), why, explanation(h))
    zero = Table(cols, tuple(row(h, reason(h, y)) for h in c.zero), caption="（一）月发放额降为0的户")
    gap = Table(cols, tuple(row(h, f"{h.gap_month}月起差额为正") for h in c.gap_positive),
                caption="（二）在册低保、支出型家庭差额由0转为正数的户")
    return (zero if c.zero else Paragraph("没有月发放额降为0的户。"),
            gap if c.gap_positive else Paragraph("没有差额由0转为正数的户。"),
            Note(f"月发放额提高的{len(c.rises)}户和降低的{len(c.falls)}户的名单见资金测算工作簿。"))

