"""The leaders' dispatch report 调度报告-<period>.html: one self-contained page, masked, printable on A4."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..benefits import ITEMS
from ..context import Context
from ..findings import CODES, ERROR, INFO, SEVERITY_LABELS, WARNING
from ..ids import mask_id, mask_name
from ..lights import GREEN, RED, YELLOW
from ..money import fmt_grouped, fmt_param

TEMPLATE = "dispatch.html.j2"
LIGHT_SHORT = {GREEN: "绿", YELLOW: "黄", RED: "红"}
LIGHT_COLOURS = {GREEN: "#2e7d32", YELLOW: "#d89b00", RED: "#c62828"}
SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
ERROR_LIST_LIMIT = 30
UNIT_LIST_LIMIT = 8
LEAD_MARK = "★"
# Words that mean "no problem" even where the office's own list is not at hand; the report adds every 存在问题 text
# of a green cell, which the light rule has already judged harmless.
NO_PROBLEM_WORDS = frozenset({"", "无", "暂无", "没有", "无问题", "无。", "/", "-", "—", "——"})
# Anything that looks like a resident ID inside free text (messages, values) is masked before printing.
_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{6}(?:[0-9]{9}|[0-9]{11}[0-9Xx])(?![0-9Xx])")
_CN_DIGITS = "零一二三四五六七八九"


def render_html(ctx: Context, templates_dir: Path) -> str:
    """Render the dispatch report from the context with the templates in `templates_dir`."""
    return environment(templates_dir).get_template(TEMPLATE).render(ctx=ctx, **report_view(ctx))


def environment(templates_dir: Path) -> Environment:
    """Build the jinja2 environment: autoescaped, strict about undefined names, with the report's filters."""
    env = Environment(loader=FileSystemLoader(str(templates_dir)),
                      autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(yuan=yuan_text, mask_name=mask_name, mask_id=mask_id, pct=pct, scrub=scrub,
                       truncate_cn=truncate_cn, cn_date=cn_date, cn_number=cn_number, param=fmt_param)
    return env


def yuan_text(fen: int | None) -> str:
    """Format fen as 1,234.50; a missing amount as —."""
    return "—" if fen is None else fmt_grouped(fen)


def pct(value: float | None, digits: int = 1) -> str:
    """Format a percentage given on the 0–100 scale, e.g. 97.8 → 97.8%."""
    return "—" if value is None else f"{value:.{digits}f}%"


def scrub(text: object) -> str:
    """Mask every ID-like digit run inside free text."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0)), "" if text is None else str(text))


def truncate_cn(text: object, limit: int = 40) -> str:
    """Shorten text to `limit` characters with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def cn_date(day) -> str:
    """Write a date as 2019年6月25日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """Write 1–99 in Chinese numerals for headings: 1 → 一, 12 → 十二, 21 → 二十一."""
    tens, ones = divmod(int(n), 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones or not head else "")


def names(units: Sequence[str], limit: int = UNIT_LIST_LIMIT) -> str:
    """Join unit names with 、, cutting long lists to `limit` names and a count."""
    shown = "、".join(units[:limit])
    return shown if len(units) <= limit else f"{shown}等{len(units)}个单位"


def report_view(ctx: Context) -> dict:
    """Derive what the template shows beyond the raw context: groupings, sentences, charts."""
    h = ctx.headline
    categories = task_groups(ctx.tasks, ctx.cells, ctx.quarter)
    return {
        "categories": categories,
        "attention": attention(ctx, categories),
        "units_ranked": sorted(ctx.units, key=lambda u: u["rank"]),
        "late_units": [u for u in ctx.units if u["state"] == "逾期"],
        "missing_units": [u["unit"] for u in ctx.units if u["state"] == "未报送"],
        "item_totals": {i: sum(c["items"][i] for c in ctx.benefit_categories) for i in ITEMS},
        "light_short": LIGHT_SHORT, "light_colours": LIGHT_COLOURS, "items": ITEMS,
        "avg_ok": None if ctx.avg_subsidy_fen is None or ctx.avg_subsidy_floor_fen is None
        else ctx.avg_subsidy_fen >= ctx.avg_subsidy_floor_fen,
        "light_strip": stacked_bar_svg([(f"绿灯 {h['tasks_green']}", h["tasks_green"], LIGHT_COLOURS[GREEN]),
                                        (f"黄灯 {h['tasks_yellow']}", h["tasks_yellow"], LIGHT_COLOURS[YELLOW]),
                                        (f"红灯 {h['tasks_red']}", h["tasks_red"], LIGHT_COLOURS[RED])],
                                       title="重点任务灯色分布（项）"),
        "money_chart": bar_chart_svg([(u["unit"], u["amount_fen"]) for u in ctx.benefit_units],
                                     title="各单位救助资金发放（元）"),
        **findings_view(ctx),
    }


def task_groups(tasks: list[dict], cells: pd.DataFrame, quarter: int) -> list[dict]:
    """Group tasks by category in plan order; a yellow or red task carries `reasons`, the units behind its light."""
    records = cells.to_dict("records") if len(cells) else []
    by_task: dict[int, list[dict]] = {}
    for c in records:
        by_task.setdefault(int(c["task"]), []).append(c)
    harmless = NO_PROBLEM_WORDS | {_text(c["problems"]) for c in records if c["light"] == GREEN}
    groups: dict[str, list[dict]] = {}
    for t in tasks:
        reasons = light_reasons(t, by_task.get(t["task"], []), harmless, 25 * quarter) if t["light"] != GREEN else []
        groups.setdefault(t["category"], []).append({**t, "reasons": reasons, "problems": "；".join(
            f"{label}：{text}" for label, text in reasons)})
    return [{"category": c, "tasks": ts, "lights": {k: sum(t["light"] == k for t in ts) for k in LIGHT_SHORT}}
            for c, ts in groups.items()]


def light_reasons(task: dict, cells: list[dict], harmless: frozenset[str], schedule: float) -> list[tuple[str, str]]:
    """Say why a task is not green: (未报送 | 未启动 | 进度滞后 | 存在问题 | 状态不明, the units with ★ for a lead unit).

    Cells are taken in the task's own unit order. A yellow cell whose 存在问题 is harmless can only be yellow for being
    behind schedule; a yellow cell with a real problem shows the problem, and its progress when below the pro-rata
    schedule (25 % a quarter), since the light rule's tolerance is the office's setting, not the report's.
    """
    cells = cells or [{"unit": u, "role": "", "reported": False, "status": None, "progress": None, "problems": None,
                       "light": RED} for u in task["units_missing"]]
    buckets: dict[str, list[str]] = {k: [] for k in ("未报送", "未启动", "进度滞后", "存在问题", "状态不明")}
    for c in cells:
        unit = c["unit"] + (LEAD_MARK if c.get("role") == "lead" else "")
        status, progress, problem = _text(c["status"]), _number(c["progress"]), _text(c["problems"])
        if not c["reported"]:
            buckets["未报送"].append(unit)
        elif c["light"] == RED:
            buckets["未启动"].append(unit)
        elif c["light"] != YELLOW:
            continue
        elif not status:
            buckets["状态不明"].append(unit)
        elif problem not in harmless:
            behind = status == "推进中" and progress is not None and progress < schedule
            buckets["存在问题"].append(f"{unit}（{scrub(problem)}{f'，进度{progress:g}%' if behind else ''}）")
        else:
            buckets["进度滞后"].append(unit + ("" if progress is None else f"（{progress:g}%）"))
    return [(label, names(units)) for label, units in buckets.items() if units]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def attention(ctx: Context, categories: list[dict]) -> list[str]:
    """Write the few sentences a leader reads first: red and yellow tasks, late units, who did well and badly, money."""
    out = []
    tasks = [t for g in categories for t in g["tasks"]]
    red = [t for t in tasks if t["light"] == RED]
    if red:
        why: dict[str, list[int]] = {}
        for t in red:
            why.setdefault("，".join(f"{text}{label}" for label, text in t["reasons"] if label in ("未报送", "未启动")),
                           []).append(t["task"])
        out.append(f"红灯任务{len(red)}项：" + "；".join(
            f"第{'、'.join(map(str, ns))}条{('，' + w) if w else ''}" for w, ns in why.items()).replace(LEAD_MARK, "（牵头）")
            + "。")
    yellow = [t for t in tasks if t["light"] == YELLOW]
    if yellow:
        lead = sum(1 for t in yellow if any(LEAD_MARK in text for _, text in t["reasons"]))
        out.append(f"黄灯任务{len(yellow)}项：第{'、'.join(str(t['task']) for t in yellow)}条"
                   + (f"，其中{lead}项的牵头单位进度滞后或存在问题" if lead else "") + "；各项原因见第二部分。")
    late = [f"{u['unit']}（逾期{u['days_late']}天）" for u in ctx.units if u["state"] == "逾期"]
    missing = [u["unit"] for u in ctx.units if u["state"] == "未报送"]
    if late or missing:
        out.append("；".join(([f"未报送：{names(missing)}"] if missing else []) + ([f"逾期报送：{names(late)}"] if late else [])) + "。")
    clean = [u["unit"] for u in sorted(ctx.units, key=lambda u: u["rank"]) if u["state"] == "按时"
             and not u["missing_tasks"] and not u["lights"][RED] and not u["lights"][YELLOW]]
    if clean:
        tail = f"，共{len(clean)}个" if len(clean) <= 12 else ""
        out.append(f"按时、完整报送且无红黄灯的单位：{names(clean, limit=12)}{tail}。")
    weak = sorted((u for u in ctx.units if u["lights"][RED] or u["lights"][YELLOW]),
                  key=lambda u: (-u["lights"][RED], -u["lights"][YELLOW], u["unit"]))[:5]
    if weak:
        out.append("红黄灯较多的单位：" + "、".join(
            f"{u['unit']}（{'红' + str(u['lights'][RED]) if u['lights'][RED] else ''}"
            f"{'黄' + str(u['lights'][YELLOW]) if u['lights'][YELLOW] else ''}）" for u in weak) + "。")
    below = [s["label"] for s in ctx.standards if not s["ok"]]
    if below:
        out.append(f"执行标准低于方案下限：{'、'.join(below)}。")
    return out


def findings_view(ctx: Context) -> dict:
    """Count findings by code and by unit, and list the first errors with masked values."""
    f = ctx.findings
    if f.empty:
        return {"findings_by_code": [], "findings_by_unit": [], "error_rows": [], "errors_total": 0}
    by_code = []
    for code, g in f.groupby("code", sort=False):
        severity = str(g["severity"].iloc[0])
        units = sorted({u for u in g["unit"] if isinstance(u, str) and u})
        by_code.append({"code": code, "title": CODES[code].title if code in CODES else code,
                        "severity": severity, "severity_label": SEVERITY_LABELS.get(severity, severity),
                        "count": len(g), "units": names(units)})
    by_code.sort(key=lambda r: (SEVERITY_RANK.get(r["severity"], 9), -r["count"], r["code"]))
    by_unit = []
    for unit, g in f.groupby(f["unit"].fillna("").replace("", "（全区/配置）"), sort=True):
        counts = {s: int((g["severity"] == s).sum()) for s in (ERROR, WARNING, INFO)}
        by_unit.append({"unit": unit, **counts, "total": len(g)})
    by_unit.sort(key=lambda r: (-r[ERROR], -r["total"], r["unit"]))
    errors = f[f["severity"] == ERROR]
    rows = [{"unit": r["unit"], "where": _where(r), "title": CODES[r["code"]].title if r["code"] in CODES else r["code"],
             "message": scrub(r["message"]), "value": _masked_value(r)}
            for r in errors.head(ERROR_LIST_LIMIT).to_dict("records")]
    return {"findings_by_code": by_code, "findings_by_unit": by_unit, "error_rows": rows, "errors_total": len(errors)}


def _where(r: dict) -> str:
    row = r["row"]
    return (r["file"] or "") + ("" if row is None or pd.isna(row) else f" 第{int(row)}行")


def _masked_value(r: dict) -> str:
    # Names are never in a leaders' report in full; IDs are masked at the source, and again here.
    value = "" if r["value"] is None else str(r["value"])
    return mask_name(value) if r["column"] in ("姓名", "name") else scrub(value)


def bar_chart_svg(rows: Sequence[tuple[str, int]], *, title: str = "", width: int = 600, label_width: int = 96,
                  bar_height: int = 15, gap: int = 6, colour: str = "#3b5b92") -> Markup:
    """Draw a horizontal bar chart of fen amounts as inline SVG, labels escaped, values in yuan."""
    if not rows:
        return Markup('<p class="note">本季度无发放数据。</p>')
    top = 24 if title else 4
    height = top + len(rows) * (bar_height + gap) + 4
    biggest = max(max(v for _, v in rows), 1)
    span = width - label_width - 110
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img"'
             f' aria-label="{escape(title)}" class="chart">']
    if title:
        parts.append(f'<text x="0" y="15" class="chart-title">{escape(title)}</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        w = max(round(span * value / biggest), 1 if value else 0)
        mid = y + bar_height * 0.72
        parts.append(f'<text x="{label_width - 6}" y="{mid:.1f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar_height}" fill="{colour}"/>'
                     f'<text x="{label_width + w + 4}" y="{mid:.1f}">{fmt_grouped(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_svg(parts: Sequence[tuple[str, int, str]], *, title: str = "", width: int = 600,
                    bar_height: int = 26) -> Markup:
    """Draw one 100 % stacked bar of (label, count, colour) parts with a text legend that reads in black and white."""
    total = sum(n for _, n, _ in parts)
    top = 24 if title else 0
    out = [f'<svg viewBox="0 0 {width} {top + bar_height + 26}" width="100%" role="img"'
           f' aria-label="{escape(title)}" class="chart">']
    if title:
        out.append(f'<text x="0" y="15" class="chart-title">{escape(title)}</text>')
    x = 0.0
    for label, n, colour in parts:
        w = width * n / total if total else 0
        if w:
            out.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{bar_height}" fill="{colour}"'
                       f' stroke="#fff" stroke-width="1"/>')
        x += w
    step = width / max(len(parts), 1)
    for i, (label, n, colour) in enumerate(parts):
        y = top + bar_height + 8
        out.append(f'<rect x="{i * step:.1f}" y="{y}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{i * step + 16:.1f}" y="{y + 11}">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
