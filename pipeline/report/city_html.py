"""The city roll-up report 市级汇总-<period>.html: one self-contained official page, no personal data, A4 and phones."""
from __future__ import annotations

from pathlib import Path

from ..city import CityContext, TaskRow
from ..findings import CODES, SEVERITY_ORDER
from ..first_screen import of_city
from ..money import fmt_grouped
from ..vocab import Item, Light
from . import phone_charts
from .labels import LIGHT_COLOURS, SEVERITY, names
from .pages import environment

TEMPLATE = "rollup.html.j2"


def file_name(period) -> str:
    return f"市级汇总-{period}.html"


def render_html(city: CityContext, templates_dir: Path) -> str:
    """Render the roll-up report from the city context with the templates in `templates_dir`."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=city, Item=Item, **report_view(city))


def report_view(city: CityContext) -> dict:
    """Arrange what the template shows beyond the context: task groups, sentences, charts, findings rows."""
    lights = city.lights
    return {
        "groups": task_groups(city.tasks),
        "first": of_city(city),
        "attention": attention(city),
        "light_strip": phone_charts.strip([(f"绿灯 {lights.green}", lights.green, LIGHT_COLOURS[Light.GREEN]),
                                           (f"黄灯 {lights.yellow}", lights.yellow, LIGHT_COLOURS[Light.YELLOW]),
                                           (f"红灯 {lights.red}", lights.red, LIGHT_COLOURS[Light.RED])],
                                          title=f"各区重点任务灯色合计（{len(city.tasks)}项 × {len(city.districts)}个区）"),
        "money_chart": phone_charts.bars([(d.name, d.total.amount_fen) for d in city.districts],
                                         title="各区救助资金发放（元）"),
        "finding_rows": finding_rows(city),
    }


def task_groups(tasks: tuple[TaskRow, ...]) -> list[tuple[str, list[TaskRow]]]:
    """Group the task rows by category, in plan order."""
    groups: dict[str, list[TaskRow]] = {}
    for t in tasks:
        groups.setdefault(t.category, []).append(t)
    return list(groups.items())


def attention(city: CityContext) -> list[str]:
    """Write the few sentences a city leader reads first: widespread red tasks, 人均补差 below floor, missing units."""
    out = []
    wide = city.widespread_red
    if wide:
        where = "各区均" if city.red_everywhere else "半数以上的区"
        out.append(f"{where}亮红灯的任务{len(wide)}项：第{'、'.join(str(t.task) for t in wide)}条。")
    below = [d for d in city.districts if d.avg_subsidy_fen is not None and d.avg_subsidy_floor_fen is not None
             and d.avg_subsidy_fen < d.avg_subsidy_floor_fen]
    if below:
        out.append("人均补差低于方案下限的区：" + "、".join(
            f"{d.name}（{fmt_grouped(d.avg_subsidy_fen)}元）" for d in below) + "。")
    missing = [f"{d.name}{names(d.submissions.missing_units)}" for d in city.districts if d.submissions.missing_units]
    if missing:
        out.append(f"未报送进展情况的单位：{'；'.join(missing)}。")
    late = [f"{d.name}{d.submissions.late}个" for d in city.districts if d.submissions.late]
    if late:
        out.append(f"逾期报送的单位：{'，'.join(late)}。")
    reds = sorted(city.districts, key=lambda d: (-d.lights.red, city.names.index(d.name)))
    if reds and reds[0].lights.red:
        out.append("红灯任务最多的区：" + "、".join(f"{d.name}（{d.lights.red}项）" for d in reds[:3] if d.lights.red) + "。")
    return out


def finding_rows(city: CityContext) -> list[dict]:
    """List each finding code with its title, severity and count per district, errors first."""
    rows = []
    for code, total in city.findings.by_code.items():
        known = CODES.get(code)
        rows.append({"code": code, "title": known.title if known else code,
                     "severity": SEVERITY[known.severity] if known else "—",
                     "rank": SEVERITY_ORDER[known.severity] if known else len(SEVERITY_ORDER),
                     "counts": [d.findings.by_code.get(code, 0) for d in city.districts], "total": total})
    return sorted(rows, key=lambda r: (r["rank"], -r["total"], r["code"]))
