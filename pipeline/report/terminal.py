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
            lines.append("  " + "  ".join([_pad(sev, widths[0]), _pad(name, widths[1]), _pad(where, widths[2]),
                                           message]))
        lines.append("")
    return mask("\n".join(lines).rstrip())



_COUNTED = ("progress", "roster")
_QUIET = ("empty", "reference")      # blank sheets and the forms' instructions: nothing was meant to be counted there


def not_counted(ctx: Context, mask: Masker) -> list[str]:
    """List every folder, file and sheet of the quarter that is not in the totals, one masked line each."""
    refused = {f.file for f in ctx.findings if f.code == "not-a-file"}
    unit_of = {(f.file, f.sheet): f.message for f in ctx.findings if f.code == "unknown-unit" and f.column == "填报单位"}
    left_by = {(f.file, f.sheet): title(f.code) for f in reversed(ctx.findings) if f.left_out}
    items = [("未读取的文件夹", f.file, f.message) for f in ctx.findings if f.code == "unknown-folder"]
    files: dict[str, list] = defaultdict(list)
    for row in ctx.inputs:
        files[row.file].append(row)
    for name, rows in files.items():
        first = rows[0]
        if first.kind == "unreadable":
            items.append(("无法打开", name, first.note))
        elif not first.sheet and first.kind not in _COUNTED + _QUIET + ("unknown",):
            if first.kind != "link" or name in refused:    # a link to a sub-folder is read where it points
                items.append(("已跳过", name, first.note))
        else:
            missed = []
            for r in rows:
                label, why = ("", "") if r.kind in _QUIET else _why_not(r, unit_of, left_by)
                if why:
                    missed.append((label, why, r))
            if any(_counts(r) for r in rows):
                items += [(label, f"{name} [{r.sheet}]", why) for label, why, r in missed]
            elif missed:
                items.append((missed[0][0], name, missed[0][1]))
            else:
                items.append(("文件为空", name, "文件中所有工作表都是空的"))
    if not items:
        return [f"读取文件：{sum(1 for rows in files.values() if rows[0].sheet)} 个，全部计入汇总"]
    wide = max(width(label) for label, _, _ in items)
    lines = [f"未计入汇总（{len(items)} 项，详见工作簿“读取核对”表）："]
    lines += [f"  {_pad(label, wide)}  {where}：{why.rstrip('。')}" for label, where, why in items]
    return [mask(line) for line in lines]


def _counts(row) -> bool:
    """Say whether a sheet is in the totals: a progress report of a known unit, or a roster with a row used."""
    if row.kind == "progress":
        return bool(row.unit) and (row.rows_used > 0 or row.rows_read == 0)
    return row.kind == "roster" and (row.rows_used > 0 or row.rows_read == 0)


def _why_not(row, unit_of: dict, left_by: dict) -> tuple[str, str]:
    """Return a sheet's label and reason for not being in the totals, or ("", "") when it is."""
    if _counts(row):
        return "", ""
    key = (row.file, row.sheet)
    if row.kind == "progress" and not row.unit:
        return "单位未识别", unit_of.get(key, "无法识别填报单位")
    if row.kind in _COUNTED:
        return "全部未采用", f"读取 {row.rows_read} 行，全部列入问题、未计入（{left_by.get(key, '见问题清单')}）"
    return "无法识别的表", "既不是进展情况表也不是救助对象台账，未读取"
