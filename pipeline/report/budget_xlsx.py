"""资金测算-<year>.xlsx: the assumptions, the year by unit, item and month, actual pay, plan floors and every household
whose amount changes, with the explanation a quarter's report gives. Masked, no formulas."""
from __future__ import annotations

from pathlib import Path

from xlsxwriter.workbook import Workbook

from ..budget import BudgetContext, Scenario
from ..budget_households import HouseholdChanges
from ..money import yuan
from ..vocab import ITEM_FIELDS, Category, Item
from .budget_words import assumptions, explanation, floor_line, months_text, reason
from .xlsx_formats import Col, Formats, finish_table, new_workbook, start_sheet, write_rows, write_total


def write_budget_xlsx(ctx: BudgetContext, path: Path, mask) -> None:
    """Write every table of the budget, baseline and reform side by side where there is a reform."""
    b = ctx.budget
    wb = new_workbook(path, mask, ctx.issued or b.from_period.end, output="budget")
    fmts = Formats(wb)
    title = f"{ctx.office.district}{b.year}年城镇贫困群众救助资金测算"
    _assumptions(wb, fmts, ctx, title)
    _units(wb, fmts, b.baseline, b.reform, title)
    _months(wb, fmts, b.baseline, b.reform, title)
    _paid(wb, fmts, ctx, title)
    _households(wb, fmts, "户变化", f"{title} · 月发放额变化的户（{b.changes.before}与{b.year}年12月）", b.changes, b.year)
    if b.reform_changes is not None:
        _households(wb, fmts, "调整方案影响户", f"{title} · 调整方案与现行标准相比金额不同的户（全年）",
                    b.reform_changes, b.year, reform=True)
    wb.close()


def _assumptions(wb: Workbook, fmts: Formats, ctx: BudgetContext, title: str) -> None:
    b = ctx.budget
    cols = [Col("测算假设、执行标准和方案下限", 100, "wrap")]
    ws = start_sheet(wb, fmts, "测算假设", f"{title} · 测算假设", cols, portrait=True)
    lines = [f"{i}. {line}" for i, line in enumerate(assumptions(b), 1)]
    for s in (b.baseline, *([b.reform] if b.reform else [])):
        lines.append(f"【{s.name}】全年 {yuan(s.total_fen):,.2f} 元")
        lines += [f"执行标准：{u.label} {u.value.normalize():f}{u.unit}，{months_text(u.months)}（{u.source}）"
                  for u in s.standards]
        lines += [f"方案下限：{floor_line(f)}" for f in s.floors]
    if not b.floors_known:
        lines.append(f"config.toml 中没有{b.year}年的方案下限（[plan_floors.{b.year}]），未能核对。")
    write_rows(ws, fmts, cols, [[line] for line in lines])


def _units(wb: Workbook, fmts: Formats, base: Scenario, alt: Scenario | None, title: str) -> None:
    cols = [Col("单位", 14), Col("类别", 8, "center"), Col("户数", 8, "int"), Col("人数", 8, "int"),
            Col("人·月", 9, "int"), *(Col(i.value, 14, "yuan") for i in Item), Col(base.name, 16, "yuan")]
    if alt is not None:
        cols += [Col(alt.name, 16, "yuan"), Col("增减", 14, "yuan")]
    ws = start_sheet(wb, fmts, "分单位分项目", f"{title} · 分单位、分类别、分项目（元）", cols, freeze_cols=2)
    other = alt.by_unit.set_index(["unit", "category"])["amount_fen"] if alt is not None else None
    rows = []
    for r in base.by_unit.itertuples(index=False):
        row = [r.unit, str(r.category), r.households, r.persons, r.person_months,
               *(yuan(getattr(r, ITEM_FIELDS[i])) for i in Item), yuan(r.amount_fen)]
        if other is not None:
            a = int(other.get((r.unit, r.category), 0))
            row += [yuan(a), yuan(a - r.amount_fen)]
        rows.append(row)
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    items = base.items()
    total = ["合计", "", int(base.by_unit["households"].sum()), int(base.by_unit["persons"].sum()),
             int(base.by_unit["person_months"].sum()), *(yuan(items[i]) for i in Item), yuan(base.total_fen)]
    if alt is not None:
        total += [yuan(alt.total_fen), yuan(alt.total_fen - base.total_fen)]
    write_total(ws, fmts, cols, end, total)


def _months(wb: Workbook, fmts: Formats, base: Scenario, alt: Scenario | None, title: str) -> None:
    cats = [c for c in Category if c in set(base.months["category"])]
    cols = [Col("月份", 8, "center"), Col("有发放的户", 10, "int"), Col("有发放的人", 10, "int"),
            *(Col(c.value, 15, "yuan") for c in cats), Col(base.name, 16, "yuan")]
    if alt is not None:
        cols += [Col(alt.name, 16, "yuan"), Col("增减", 14, "yuan")]
    if base.grown is not None:
        cols += [Col("按增长率推算人·月", 12, "int"), Col("按增长率推算金额", 16, "yuan")]
    ws = start_sheet(wb, fmts, "逐月", f"{title} · 逐月（元）", cols, freeze_cols=1, portrait=True)
    by_cat = base.months.groupby(["month", "category"])["amount_fen"].sum()
    counts = base.months.groupby("month")[["households", "persons"]].sum()
    totals = base.month_totals()
    alt_totals = alt.month_totals() if alt is not None else None
    grown = base.grown.groupby("month")[["persons", "amount_fen"]].sum() if base.grown is not None else None
    rows = []
    for m in range(1, 13):
        row = [f"{m}月", int(counts["households"].get(m, 0)), int(counts["persons"].get(m, 0)),
               *(yuan(int(by_cat.get((m, c), 0))) for c in cats), yuan(totals[m - 1])]
        if alt_totals is not None:
            row += [yuan(alt_totals[m - 1]), yuan(alt_totals[m - 1] - totals[m - 1])]
        if grown is not None:
            row += [int(grown["persons"].get(m, 0)), yuan(int(grown["amount_fen"].get(m, 0)))]
        rows.append(row)
    end = write_rows(ws, fmts, cols, rows)
    total = ["全年", None, None, *(yuan(int(base.months.loc[base.months["category"] == c, "amount_fen"].sum()))
                                   for c in cats), yuan(base.total_fen)]
    if alt is not None:
        total += [yuan(alt.total_fen), yuan(alt.total_fen - base.total_fen)]
    if grown is not None:
        total += [int(grown["persons"].sum()), yuan(base.grown_total_fen or 0)]
    write_total(ws, fmts, cols, end, total)


def _paid(wb: Workbook, fmts: Formats, ctx: BudgetContext, title: str) -> None:
    b = ctx.budget
    cols = [Col("季度", 22), Col("合计", 16, "yuan"), *(Col(c.value, 15, "yuan") for c in Category), Col("说明", 40, "wrap")]
    ws = start_sheet(wb, fmts, "与实际发放比较", f"{title} · 与此前四个季度实际发放比较（元）", cols, portrait=True)
    rows = []
    for q in b.paid:
        if q.total_fen is None:
            rows.append([q.period.label, None, *(None for _ in Category), "未收到该季度报表"])
        else:
            rows.append([q.period.label, yuan(q.total_fen), *(yuan(q.by_category.get(c, 0)) for c in Category), "实际计发"])
    base = b.baseline.by("category")
    rows.append([f"{b.year}年测算（{b.baseline.name}）", yuan(b.baseline.total_fen),
                 *(yuan(base.get(c, 0)) for c in Category), "测算"])
    if b.paid_total_fen is None:
        rows.append(["增减", None, *(None for _ in Category), "不足四个季度，未计算增减"])
    else:
        paid = {c: sum(q.by_category.get(c, 0) for q in b.paid) for c in Category}
        rows.append(["测算与四个季度实际之差", yuan(b.baseline.total_fen - b.paid_total_fen),
                     *(yuan(base.get(c, 0) - paid[c]) for c in Category), "测算减实际"])
    write_rows(ws, fmts, cols, rows)


def _households(wb: Workbook, fmts: Formats, sheet: str, title: str, c: HouseholdChanges, year: int,
                reform: bool = False) -> None:
    before = "现行标准12月" if reform else c.before
    cols = [Col("变化", 10, "center"), Col("单位", 12), Col("社区", 12), Col("户编号", 10, "center"), Col("户主", 8),
            Col("类别", 7, "center"), Col("人数", 6, "int"), Col(f"{before}月发放额", 13, "yuan"),
            Col(f"{'调整方案' if reform else ''}{year}年12月月发放额", 13, "yuan"),
            Col(f"{'调整方案' if reform else ''}{year}年全年", 14, "yuan")]
    if reform:
        cols.append(Col("现行标准全年", 14, "yuan"))
    cols += [Col("原因", 14, "wrap"), Col("测算说明（与季度调度报告同一算法）", 70, "wrap")]
    ws = start_sheet(wb, fmts, sheet, title, cols, freeze_cols=2)
    rows = []
    for kind, group in (("提高", c.rises), ("降低", c.falls), ("降为0", c.zero), ("差额转正", c.gap_positive)):
        for h in group:
            why = f"{h.gap_month}月起差额为正" if kind == "差额转正" else ("调整方案" if reform else reason(h, year))
            row = [kind, h.unit, h.community, h.household_no, h.head_name, h.category, h.members, yuan(h.before_fen),
                   yuan(h.after_fen), yuan(h.year_fen)]
            if reform:
                row.append(yuan(h.base_year_fen or 0))
            rows.append([*row, why, explanation(h)])
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
