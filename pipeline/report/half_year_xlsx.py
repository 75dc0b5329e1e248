"""The half-year bulletin's workbook 半年通报-<year>H<n>.xlsx: its tables, from the same HalfYearContext as the text."""
from __future__ import annotations

from pathlib import Path

from xlsxwriter.workbook import Workbook

from ..bulletin import HalfYearContext, Measure
from ..money import yuan
from ..vocab import Category, Light
from .half_year_words import faults_text, missing_note, state_text
from .labels import KIND
from .wording import EXEMPLARY, TIES, no_comparison
from .xlsx_formats import Cell as XCell
from .xlsx_formats import Col, Formats, finish_table, new_workbook, start_sheet, write_rows, write_total


def write_bulletin_xlsx(h: HalfYearContext, path: Path, mask) -> None:
    """Write the bulletin's tables: the comparison, cumulative money, ranking, red tasks, praise and criticism."""
    wb = new_workbook(path, mask, h.issued or h.quarters[-1].period.end, output="bulletin")
    fmts = Formats(wb)
    for sheet in (_trend_sheet, _money_sheet, _ranking_sheet, _red_sheet, _praise_sheet, _reported_sheet):
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
        rows.append([r.label, r.measure, *(XCell(conv(v), kind=kind) for v in r.values),
                     XCell(conv(r.change), kind=kind)])
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
    ws = start_sheet(wb, fmts, "单位排名", _title(h, f"各单位报送情况排名（按及时性、完整性；{TIES}）"), cols,
                     freeze_cols=2)
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
        rows = [["", "", f"{no_comparison(h.present[-1].period.previous())}。"]]
    elif not rows:
        rows = [["", "", "没有连续两个季度亮红灯的任务。"]]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _praise_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    cols = [Col("通报", 8, "center"), Col("单位", 14), Col("事由", 80, "wrap")]
    ws = start_sheet(wb, fmts, "表扬与批评", _title(h, "通报表扬与通报批评"), cols, freeze_cols=2, portrait=True)
    both = "两个季度均" if len(h.present) == 2 else ""
    rows = [[XCell("表扬", Light.GREEN), u, f"{both}{EXEMPLARY}"] for u in h.praised]
    rows += [[XCell("批评", Light.RED), c.unit, faults_text(c.faults)] for c in h.criticised]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _reported_sheet(wb: Workbook, fmts: Formats, h: HalfYearContext) -> None:
    """List 惠及人数 and 投入资金 as units reported them, per unit then per task, a column pair per quarter."""
    quarters = _quarter_headers(h)
    cols = [Col("单位或任务", 16), *(c for q in quarters for c in (Col(f"{q}惠及人数", 12, "int"),
                                                                    Col(f"{q}投入资金（万元）", 14, "num")))]
    ws = start_sheet(wb, fmts, "填报惠及人数和投入资金", _title(h, "各单位填报的惠及人数和投入资金（进展未更新的行不计）"),
                     cols, freeze_cols=1)

    def values(by_quarter) -> list:
        return [v for r in by_quarter for v in ((None, None) if r is None else (r.beneficiaries, r.funds))]
    rows = [[u.key, *values(u.by_quarter)] for u in h.reported_units]
    rows += [[f"第{t.key}条", *values(t.by_quarter)] for t in h.reported_tasks]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    write_total(ws, fmts, cols, end, ["全部单位合计", *values(h.reported_total)])
