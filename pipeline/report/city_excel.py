"""The city roll-up workbook 市级汇总-<period>.xlsx: districts side by side, every total added up in fen."""
from __future__ import annotations

from pathlib import Path

from xlsxwriter.workbook import Workbook

from ..city import CityContext, Submissions
from ..money import fmt_grouped, yuan
from ..vocab import Item, Light
from .city_html import finding_rows
from .labels import LIGHT_RULES, LIGHT_SHORT
from .xlsx_formats import (
    Cell,
    Col,
    Formats,
    colour_by_text,
    finish_table,
    fit_row,
    new_workbook,
    start_sheet,
    write_rows,
    write_total,
)

ITEM_COLS = [Col(item.value, 14, "yuan") for item in Item]
AVG_RULE = "人均补差 = 各区低保和支出型差额之和 ÷ 各区差额人月数之和，按分四舍五入；由各区分项重新计算，不是各区人均补差的平均数。"


def file_name(period) -> str:
    return f"市级汇总-{period}.xlsx"


def write_workbook(city: CityContext, path: Path, mask) -> None:
    """Write the roll-up workbook: overview, submissions, money, 人均补差, task lights, findings. No personal data."""
    wb = new_workbook(path, mask, city.issued or city.period.end, output="city-workbook")
    fmts = Formats(wb)
    for sheet in (_overview, _submissions, _money, _avg_subsidy, _lights, _findings):
        sheet(wb, fmts, city)
    wb.close()


def sheet_title(city: CityContext, name: str) -> str:
    return f"{city.office.district}城镇贫困群众脱贫解困工作各区汇总（{city.period.label}）· {name}"


def _overview(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    cols = [Col("项目", 26), Col("数值", 16, "count"), Col("方案下限", 14, "num"), Col("说明", 56, "wrap")]
    ws = start_sheet(wb, fmts, "总览", sheet_title(city, "总览"), cols, portrait=True)
    s, lights, t = city.submissions, city.lights, city.total
    late = "；".join(f"{d.name}：{'、'.join(d.submissions.late_units)}" for d in city.districts
                    if d.submissions.late_units)
    missing = "；".join(f"{d.name}：{'、'.join(d.submissions.missing_units)}" for d in city.districts
                        if d.submissions.missing_units)
    avg, floor = city.avg_subsidy_fen, city.avg_subsidy_floor_fen
    avg_light = None if city.avg_subsidy_ok is None else (Light.GREEN if city.avg_subsidy_ok else Light.RED)
    rows = [
        ["汇总区数（个）", len(city.districts), None, "、".join(city.names)],
        ["应报送单位（个）", s.units, None, "各区应报送进展情况的单位之和"],
        ["已报送单位（个）", s.submitted, None, f"按时{s.on_time}个，逾期{s.late}个"],
        ["逾期报送单位（个）", Cell(s.late, Light.YELLOW if s.late else None), None, late],
        ["未报送单位（个）", Cell(s.missing, Light.RED if s.missing else None), None, missing],
        ["任务亮灯（项·区）", lights.total, None, f"{len(city.tasks)}项重点任务 × {len(city.districts)}个区"],
        ["绿灯（项·区）", Cell(lights.green, Light.GREEN), None, ""],
        ["黄灯（项·区）", Cell(lights.yellow, Light.YELLOW), None, ""],
        ["红灯（项·区）", Cell(lights.red, Light.RED), None, ""],
        ["发放救助资金（元）", Cell(yuan(t.amount_fen), kind="yuan"), None, "各区金额按分相加"],
        ["救助户数（户）", t.households, None, ""],
        ["救助人数（人）", t.persons, None, ""],
        ["救助人月数（人·月）", t.person_months, None, ""],
        ["低保和支出型差额（元）", Cell(yuan(city.gap_fen), kind="yuan"), None, "人均补差的分子"],
        ["差额人月数（人·月）", city.gap_person_months, None, "人均补差的分母：差额大于0的户的人月数"],
        ["人均补差（元/人·月）", Cell(None if avg is None else yuan(avg), avg_light, kind="yuan"),
         Cell(None if floor is None else yuan(floor), kind="yuan"), AVG_RULE],
        ["数据问题：错误（条）", Cell(city.findings.errors, Light.RED if city.findings.errors else None), None,
         "详见“问题统计”表，明细在各区的 findings.csv"],
        ["数据问题：警告（条）", Cell(city.findings.warnings, Light.YELLOW if city.findings.warnings else None), None, ""],
        ["数据问题：提示（条）", city.findings.infos, None, ""],
    ]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)


def _rate(value: float | None) -> float | None:
    return None if value is None else value / 100


def _submission_row(name: str, s: Submissions) -> list:
    return [name, s.units, s.submitted, s.on_time, s.late, s.missing, _rate(s.rate), _rate(s.on_time_rate)]


def _submissions(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    cols = [Col("区", 12), Col("应报单位", 8, "int"), Col("已报单位", 8, "int"), Col("按时", 7, "int"), Col("逾期", 7, "int"),
            Col("未报送", 7, "int"), Col("报送率", 8, "pct"), Col("按时报送率", 9, "pct"), Col("逾期单位", 30, "wrap"),
            Col("未报送单位", 30, "wrap")]
    ws = start_sheet(wb, fmts, "单位报送", sheet_title(city, "单位报送"), cols, freeze_cols=1)
    rows = [_submission_row(d.name, d.submissions) + ["、".join(d.submissions.late_units),
                                                       "、".join(d.submissions.missing_units)]
            for d in city.districts]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    write_total(ws, fmts, cols, end, _submission_row("全市", city.submissions) + ["", ""])


def _tally_row(first: str, category: str, t) -> list:
    return [first, category, t.households, t.persons, t.person_months, *(yuan(t.items[i]) for i in Item),
            yuan(t.amount_fen)]


def _money(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    cols = [Col("区", 12), Col("救助类别", 8, "center"), Col("户数", 8, "int"), Col("人数", 8, "int"),
            Col("人月数", 8, "int"), *ITEM_COLS, Col("金额合计", 16, "yuan")]
    ws = start_sheet(wb, fmts, "资金测算", sheet_title(city, "资金测算（各区按类别）"), cols, freeze_cols=2)
    rows = [_tally_row(d.name, c, t) for d in city.districts for c, t in d.categories]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    # The city's category rows sit under the filtered table, so filtering by district never hides them.
    end = write_rows(ws, fmts, cols, [[Cell("全市", bold=True), Cell(c, bold=True), *_tally_row("", c, t)[2:]]
                                      for c, t in city.categories], start=end)
    write_total(ws, fmts, cols, end, _tally_row("全市合计", "", city.total))


def _avg_subsidy(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    cols = [Col("区", 12), Col("差额（元）", 16, "yuan"), Col("差额人月数", 11, "int"), Col("人均补差（元/人·月）", 12, "yuan"),
            Col("方案下限", 10, "yuan"), Col("是否达标", 10, "center")]
    ws = start_sheet(wb, fmts, "人均补差", sheet_title(city, "人均补差"), cols, freeze_cols=1, portrait=True)

    def row(name: str, gap: int, months: int, avg: int | None, floor: int | None) -> list:
        ok = None if avg is None or floor is None else avg >= floor
        verdict = "—" if ok is None else Cell("达标" if ok else "低于下限", Light.GREEN if ok else Light.RED)
        return [name, yuan(gap), months, None if avg is None else yuan(avg), None if floor is None else yuan(floor),
                verdict]

    rows = [row(d.name, d.gap_fen, d.gap_person_months, d.avg_subsidy_fen, d.avg_subsidy_floor_fen)
            for d in city.districts]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    total = row("全市", city.gap_fen, city.gap_person_months, city.avg_subsidy_fen, city.avg_subsidy_floor_fen)
    write_total(ws, fmts, cols, end, [c.value if isinstance(c, Cell) else c for c in total])
    note = AVG_RULE
    if city.avg_subsidy_fen is not None:
        note += (f"本季度全市：{fmt_grouped(city.gap_fen)} 元 ÷ {city.gap_person_months:,} 人·月 = "
                 f"{fmt_grouped(city.avg_subsidy_fen)} 元/人·月。")
    ws.merge_range(end + 2, 0, end + 2, len(cols) - 1, "", fmts.special("note"))
    ws.write_string(end + 2, 0, note, fmts.special("note"))
    fit_row(ws, end + 2, [(note, sum(c.width for c in cols))])


def _lights(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    names = city.names
    cols = [Col("编号", 5, "center"), Col("工作任务", 26), *(Col(n, 7, "center") for n in names),
            Col("红灯区数", 7, "int"), Col("黄灯区数", 7, "int"), Col("绿灯区数", 7, "int")]
    first, last = 2, 2 + len(names) - 1
    ws = start_sheet(wb, fmts, "任务灯色", sheet_title(city, "任务灯色（各区）"), cols, freeze_cols=2,
                     header_height=max(30, 13 * max((len(n) for n in names), default=3) + 6),
                     vertical_from=first, vertical_to=last + 1)
    rows = [[t.task, t.category, *("—" if light is None else LIGHT_SHORT[light] for light in t.lights),
             t.counts.red, t.counts.yellow, t.counts.green] for t in city.tasks]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, first, end - 1, last), LIGHT_RULES)
    # Each district's light counts close the table, outside the filter; the column of the row's own light carries
    # the city's count, which is also that column's sum.
    for i, light in enumerate((Light.RED, Light.YELLOW, Light.GREEN)):
        values = [f"{LIGHT_SHORT[light]}灯（项）", "", *(d.lights[light] for d in city.districts), "", "", ""]
        values[last + 1 + i] = city.lights[light]
        write_total(ws, fmts, cols, end + i, values)


def _findings(wb: Workbook, fmts: Formats, city: CityContext) -> None:
    cols = [Col("问题代码", 22), Col("问题名称", 20), Col("严重程度", 8, "center"),
            *(Col(n, 8, "int") for n in city.names), Col("合计", 8, "int")]
    ws = start_sheet(wb, fmts, "问题统计", sheet_title(city, "问题统计（条）"), cols, freeze_cols=2)
    rows = [[r["code"], r["title"], r["severity"], *r["counts"], r["total"]] for r in finding_rows(city)]
    end = write_rows(ws, fmts, cols, rows)
    finish_table(ws, cols, end - 1)
    colour_by_text(ws, fmts, (2, 2, end - 1, 2), [("错误", Light.RED), ("警告", Light.YELLOW)])
    for i, (label, key) in enumerate((("错误（条）", "errors"), ("警告（条）", "warnings"), ("提示（条）", "infos"))):
        write_total(ws, fmts, cols, end + i, [label, "", "", *(getattr(d.findings, key) for d in city.districts),
                                              getattr(city.findings, key)])
