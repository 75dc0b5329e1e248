"""The leaders' dispatch report 调度报告-<period>.html: one self-contained page, masked, printable on A4."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .. import first_screen
from ..context import Context, TaskState
from ..findings import CODES, SEVERITY_ORDER
from ..vocab import CellReason, Light, Severity, Submission
from . import Bundle, Due, Report, phone_charts
from .labels import (
    CELL_REASON,
    LEAD_MARK,
    LIGHT_COLOURS,
    SEVERITY,
    names,
)
from .pages import environment
from .wording import EXEMPLARY, REASON_ORDER, place, reason_lines, task_reasons, title

TEMPLATE = "dispatch.html.j2"
ERROR_LIST_LIMIT = 30


def file_name(ctx: Context) -> str:
    return f"调度报告-{ctx.period}.html"


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    staging.write_text(file_name(ctx), render_html(ctx, bundle.config.paths["templates"]))


REPORT = Report("调度报告（网页）", Due.QUARTER, write)


def render_html(ctx: Context, templates_dir: Path) -> str:
    """Render the dispatch report from the context with the templates in `templates_dir`."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=ctx, **report_view(ctx))


def report_view(ctx: Context) -> dict:
    """Arrange what the template shows beyond the raw context: groupings, sentences, charts."""
    h = ctx.headline
    categories = task_groups(ctx.tasks)
    return {
        "categories": categories,
        "first": first_screen.of_quarter(ctx),
        "attention": attention(ctx),
        "reasons": {t.task: reason_lines(t) for t in ctx.tasks},
        "light_strip": phone_charts.strip([(f"绿灯 {h.tasks_green}", h.tasks_green, LIGHT_COLOURS[Light.GREEN]),
                                           (f"黄灯 {h.tasks_yellow}", h.tasks_yellow, LIGHT_COLOURS[Light.YELLOW]),
                                           (f"红灯 {h.tasks_red}", h.tasks_red, LIGHT_COLOURS[Light.RED])],
                                          title="重点任务灯色分布（项）"),
        "money_chart": phone_charts.bars([(unit, m.amount_fen) for unit, m in ctx.benefit_units],
                                         title="各单位救助资金发放（元）"),
        **findings_view(ctx),
    }


def task_groups(tasks: Sequence[TaskState]) -> list[dict]:
    """Group tasks by category in plan order, with each group's light counts."""
    groups: dict[str, list[TaskState]] = {}
    for t in tasks:
        groups.setdefault(t.category, []).append(t)
    return [{"category": c, "tasks": ts, "lights": {k: sum(t.light is k for t in ts) for k in Light}}
            for c, ts in groups.items()]


def attention(ctx: Context) -> list[str]:
    """Write the few sentences a leader reads first: red and yellow tasks, late units, who did well and badly, money."""
    out = []
    red = [t for t in ctx.tasks if t.light is Light.RED]
    if red:
        why: dict[str, list[int]] = {}
        for t in red:
            reasons = task_reasons(t)
            key = "，".join(f"{text}{CELL_REASON[r]}" for r, text in reasons
                           if r in (CellReason.NOT_REPORTED, CellReason.NOT_STARTED))
            why.setdefault(key, []).append(t.task)
        out.append(f"红灯任务{len(red)}项：" + "；".join(
            f"第{'、'.join(map(str, ns))}条{('，' + w) if w else ''}" for w, ns in why.items()).replace(LEAD_MARK, "（牵头）")
            + "。")
    yellow = [t for t in ctx.tasks if t.light is Light.YELLOW]
    if yellow:
        # Why the lead units are yellow is what lights.py said of their cells, counted by that reason.
        lead: dict[CellReason, int] = {}
        for t in yellow:
            for reason in t.lead_reasons:
                lead[reason] = lead.get(reason, 0) + 1
        ordered = sorted(lead.items(), key=lambda kv: REASON_ORDER.index(kv[0]))
        why = "、".join(f"{CELL_REASON[r]}{n}项" for r, n in ordered)
        out.append(f"黄灯任务{len(yellow)}项：第{'、'.join(str(t.task) for t in yellow)}条"
                   + (f"，其中牵头单位{why}" if why else "") + "；各项原因见第二部分。")
    late = [f"{u.unit}（逾期{u.days_late}天）" for u in ctx.units_in(Submission.LATE)]
    missing = [u.unit for u in ctx.units_in(Submission.MISSING)]
    if late or missing:
        out.append("；".join(([f"未报送：{names(missing)}"] if missing else [])
                            + ([f"逾期报送：{names(late)}"] if late else [])) + "。")
    stale = [f"{u.unit}（{len(u.stale_tasks)}项）" for u in ctx.units if u.stale_tasks]
    if stale:
        out.append(f"进展未更新（仍是上季度内容、与上季度相同或未填完成进度，不计为已报送）：{names(stale)}。")
    clean = [u.unit for u in ctx.ranked if u.exemplary]
    if clean:
        tail = f"，共{len(clean)}个" if len(clean) <= 12 else ""
        out.append(f"{EXEMPLARY}的单位：{names(clean, limit=12)}{tail}。")
    weak = sorted((u for u in ctx.units if u.lights.red or u.lights.yellow),
                  key=lambda u: (-u.lights.red, -u.lights.yellow, u.unit))[:5]
    if weak:
        out.append("红黄灯较多的单位：" + "、".join(
            f"{u.unit}（{'红' + str(u.lights.red) if u.lights.red else ''}"
            f"{'黄' + str(u.lights.yellow) if u.lights.yellow else ''}）" for u in weak) + "。")
    below = list(dict.fromkeys(s.label for s in ctx.standards if not s.ok))
    if below:
        out.append(f"执行标准低于方案下限：{'、'.join(below)}。")
    return out


def findings_view(ctx: Context) -> dict:
    """List findings by code and by unit, and the first errors, from the context's counts."""
    by_code = []
    for code, count in ctx.counts.by_code.items():
        severity = CODES[code].severity
        by_code.append({"code": code, "title": title(code), "severity": severity, "severity_label": SEVERITY[severity],
                        "count": count, "units": names(ctx.counts.units_of_code.get(code, ()))})
    by_code.sort(key=lambda r: (SEVERITY_ORDER[r["severity"]], -r["count"], r["code"]))
    by_unit = [{"unit": unit or "（全区/配置）", **{s.value: n for s, n in counts.items()}, "total": sum(counts.values())}
               for unit, counts in ctx.counts.by_unit.items()]
    by_unit.sort(key=lambda r: (-r["error"], -r["total"], r["unit"]))
    errors = [f for f in ctx.findings if f.severity is Severity.ERROR]
    rows = [{"unit": f.unit, "where": place(f, sheet=False), "title": title(f.code), "message": f.message,
             "value": f.value} for f in errors[:ERROR_LIST_LIMIT]]
    return {"findings_by_code": by_code, "findings_by_unit": by_unit, "error_rows": rows, "errors_total": len(errors)}
