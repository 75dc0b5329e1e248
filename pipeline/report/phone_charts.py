"""The reports' charts as a phone shows them: each chart drawn twice, the A4 drawing and a narrow one whose text stays
at least 12 CSS px on a 360 px screen; the stylesheet (_official.html.j2) shows one of the two, print the A4 one."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from ..money import fmt_grouped
from . import pages as a4  # the A4 drawings

# Drawn 340 units wide at 14 px, the narrow chart is shown at most 1.0× on a phone's column (336–366 px) and at most
# 480 px wide, so its text is 13–20 CSS px.
WIDTH = 340
FONT = 14


def bars(rows: Sequence[tuple[str, int]], *, title: str) -> Markup:
    """Draw a bar chart of fen amounts for A4 and for a phone."""
    return a4.bar_chart_svg(rows, title=title) + (narrow_bars(rows, title=title) if rows else Markup())


def strip(parts: Sequence[tuple[str, int, str]], *, title: str) -> Markup:
    """Draw a 100 % stacked bar of (label, count, colour) parts for A4 and for a phone."""
    return a4.stacked_bar_svg(parts, title=title) + narrow_strip(parts, title=title)


def _open(height: float, title: str) -> list[str]:
    out = [(f'<svg viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" aria-label="{escape(title)}"'
            f' class="chart chart-narrow" font-size="{FONT}">')]
    if title:
        out.append(f'<text x="0" y="{FONT + 2}" class="chart-title" font-size="{FONT}">{escape(title)}</text>')
    return out


def narrow_bars(rows: Sequence[tuple[str, int]], *, title: str = "", colour: str = "#3b5b92") -> Markup:
    """Draw one row per label: the label, and under it the bar with the amount after it."""
    top = FONT + 12 if title else 4
    step = FONT + 26
    biggest = max(max(v for _, v in rows), 1)
    span = WIDTH - 8 * FONT * 0.6 - 8        # room for the longest amount after the bar
    out = _open(top + len(rows) * step + 4, title)
    for i, (label, value) in enumerate(rows):
        y = top + i * step
        w = max(round(span * value / biggest), 1 if value else 0)
        out.append(f'<text x="0" y="{y + FONT}">{escape(label)}</text>'
                   f'<rect x="0" y="{y + FONT + 5}" width="{w}" height="14" fill="{colour}"/>'
                   f'<text x="{w + 4}" y="{y + FONT + 17}">{fmt_grouped(value)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def narrow_strip(parts: Sequence[tuple[str, int, str]], *, title: str = "") -> Markup:
    """Draw the stacked bar across the phone, its legend in one row under it."""
    total = sum(n for _, n, _ in parts)
    top = FONT + 10 if title else 0
    out = _open(top + 26 + FONT + 14, title)
    x = 0.0
    for _, n, colour in parts:
        w = WIDTH * n / total if total else 0
        if w:
            out.append(f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="22" fill="{colour}" stroke="#fff"/>')
        x += w
    step = WIDTH / max(len(parts), 1)
    for i, (label, _, colour) in enumerate(parts):
        y = top + 30
        out.append(f'<rect x="{i * step:.1f}" y="{y}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{i * step + 16:.1f}" y="{y + 12}">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def narrow_score_bars(rows: Sequence[tuple[str, list]], labels: Sequence[str], colours: Sequence[str], *,
                      title: str = "") -> Markup:
    """Draw each unit's score as a bar stacked by item under the unit's name, the total after it; legend on top."""
    top = FONT + 10 if title else 4
    per_line = 2
    legend = ((len(labels) + per_line - 1) // per_line) * (FONT + 8)
    step = FONT + 24
    full = max((sum(float(v) for v in values) for _, values in rows), default=0) or 1
    span = WIDTH - 5 * FONT * 0.6 - 8
    out = _open(top + legend + len(rows) * step + 4, title)
    for i, label in enumerate(labels):
        x = (i % per_line) * WIDTH / per_line
        y = top + (i // per_line) * (FONT + 8)
        out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="12" height="12" fill="{colours[i % len(colours)]}"/>'
                   f'<text x="{x + 16:.1f}" y="{y + FONT}">{escape(label)}</text>')
    for r, (label, values) in enumerate(rows):
        y = top + legend + r * step
        out.append(f'<text x="0" y="{y + FONT}">{escape(label)}</text>')
        x = 0.0
        for i, v in enumerate(values):
            w = span * float(v) / full
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y + FONT + 4}" width="{w:.1f}" height="12"'
                           f' fill="{colours[i % len(colours)]}" stroke="#fff" stroke-width="0.5"/>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + FONT + 15}">{escape(str(sum(values)))}</text>')
    out.append("</svg>")
    return Markup("".join(out))
