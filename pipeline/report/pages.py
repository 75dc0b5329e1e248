"""The toolkit every HTML page of jiekun is made with: the jinja2 environment (autoescaped, strict), its filters,
and inline SVG charts that read in black and white."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..money import fmt_grouped, fmt_param
from ..vocab import Light, Submission
from .labels import CHANGE_REASON, KIND, LIGHT, LIGHT_COLOURS, LIGHT_SHORT, SEVERITY, SUBMISSION, cn_date, cn_number
from .wording import TIES, no_comparison, wan


def environment(templates_dir: Path) -> Environment:
    """Build the jinja2 environment: autoescaped, strict about undefined names, with the report's filters and labels."""
    env = Environment(loader=FileSystemLoader(str(templates_dir)),
                      autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(yuan=yuan_text, pct=pct, truncate_cn=truncate_cn, cn_date=cn_date, cn_number=cn_number,
                       param=fmt_param, change_reason=CHANGE_REASON.__getitem__, wan=wan,
                       no_comparison=no_comparison)
    env.globals.update(LIGHT=LIGHT, LIGHT_SHORT=LIGHT_SHORT, LIGHT_COLOURS=LIGHT_COLOURS, SUBMISSION=SUBMISSION,
                       SEVERITY=SEVERITY, KIND=KIND, Light=Light, Submission=Submission, TIES=TIES)
    return env


def yuan_text(fen: int | None) -> str:
    """Format fen as 1,234.50; a missing amount as —."""
    return "—" if fen is None else fmt_grouped(fen)


def pct(value: float | None, digits: int = 1) -> str:
    """Format a percentage given on the 0–100 scale, e.g. 97.8 → 97.8%."""
    return "—" if value is None else f"{value:.{digits}f}%"


def truncate_cn(text: object, limit: int = 40) -> str:
    """Shorten text to `limit` characters with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


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
