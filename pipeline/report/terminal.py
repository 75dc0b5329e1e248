"""The findings table `jiekun check` prints: grouped by unit, aligned for CJK, masked like every other output."""
from __future__ import annotations

import unicodedata
from collections import defaultdict

from ..context import Context
from ..privacy import Masker
from .labels import SEVERITY
from .wording import place, title

PLACE_WIDTH = 60


def width(text: str) -> int:
    """Return the terminal width of text: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def findings_table(ctx: Context, mask: Masker) -> str:
    """Group findings by unit as an aligned table: severity, problem, where, what."""
    if not ctx.findings:
        return f"{ctx.period.label}：未发现问题。"
    # Name the sheet only where the workbook has several; otherwise it is noise.
    sheets: dict[str, int] = defaultdict(int)
    for i in ctx.inputs:
        sheets[i.file] += 1
    groups = defaultdict(list)
    for f in ctx.findings:
        groups[f.unit or "（全区/未识别单位）"].append(
            (SEVERITY[f.severity], title(f.code), place(f, sheet=sheets[f.file] > 1), f.message))
    widths = [max(width(row[i]) for rows in groups.values() for row in rows) for i in range(3)]
    widths[2] = min(widths[2], PLACE_WIDTH)
    lines = [f"{ctx.period.label}：错误 {ctx.counts.errors} 条，共 {len(ctx.findings)} 条问题", ""]
    for unit in sorted(groups, key=lambda u: (u.startswith("（"), u)):
        lines.append(f"■ {unit}（{len(groups[unit])} 条）")
        for sev, name, where, message in groups[unit]:
            lines.append("  " + "  ".join([_pad(sev, widths[0]), _pad(name, widths[1]), _pad(where, widths[2]), message]))
        lines.append("")
    return mask("\n".join(lines).rstrip())
