"""Read a progress report sheet (进展情况表) into typed rows and findings."""
from __future__ import annotations

import re

import pandas as pd

from ..cells import clean_text, is_blank, parse_date, parse_int, parse_number, parse_percent, parse_task
from ..findings import Finding, finding
from ..units import find_unit_in
from .files import Grid
from .layout import Layout, is_blank_row, is_footer, metadata, title
from .schema import LABELS, PROGRESS
from .sheet import ReadContext, SheetRead

COLUMNS = ["task", "task_text", "category", "measure", "status", "status_text", "progress", "progress_text",
           "problems", "next_steps", "beneficiaries", "funds", "_row", "used"]
_PUNCT = re.compile(r"[\s。，,.;；!！]+")


def read_progress(grid: Grid, layout: Layout, ctx: ReadContext) -> SheetRead:
    """Parse the data rows under the header; every non-blank row is kept or reported."""
    rows = grid.rows
    meta = metadata(rows, layout.header_rows[0])
    found: list[Finding] = []

    def where(r: int | None, column: str = "") -> dict:
        return {"file": ctx.file, "sheet": grid.name, "row": None if r is None else r + 1, "column": column}

    unit = None
    unit_text = meta.get("unit", ("", 0, 0))[0]
    if unit_text:
        hit = ctx.registry.match(unit_text)
        unit = hit.name if hit else None
    if unit is None:
        hit = find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
        unit = hit.name if hit else None
    if unit is None:
        r = meta["unit"][1] if "unit" in meta else None
        found.append(finding("unknown-unit", f"无法识别填报单位“{unit_text or '（未填写）'}”，本表未计入汇总。",
                             value=unit_text, **where(r, "填报单位")))

    reported_on = None
    if "date" in meta:
        raw, r, _ = meta["date"]
        try:
            reported_on = parse_date(raw)
        except ValueError:
            found.append(finding("bad-value", f"填报日期“{clean_text(raw)}”无法识别，请写成 2019年3月18日 这样的日期。",
                                 unit=unit or "", value=clean_text(raw), **where(r, "填报日期")))

    records = []
    for r in range(layout.data_start, len(rows)):
        row = rows[r]
        if is_blank_row(row):
            continue
        if is_footer(row):
            break
        record, row_findings = _read_row(row, r, layout, ctx, unit or "", where)
        found.extend(row_findings)
        records.append(record)
    frame = pd.DataFrame(records, columns=COLUMNS)
    if unit is None:
        frame["used"] = False
    for name in layout.missing:
        found.append(finding("missing-column", f"缺少必填列“{LABELS[name]}”，本表未计入汇总。", unit=unit or "",
                             **where(layout.header_rows[-1], LABELS[name])))
    if layout.missing:
        frame["used"] = False
    return SheetRead(ctx.file, grid.name, PROGRESS, unit, reported_on, title(rows, layout.header_rows[0]), frame, tuple(found))


def _get(row: list[object], layout: Layout, name: str) -> object:
    c = layout.columns.get(name)
    if c is None or c >= len(row):
        return ""
    return row[c]


def _read_row(row, r, layout: Layout, ctx: ReadContext, unit: str, where) -> tuple[dict, list[Finding]]:
    out: list[Finding] = []
    header = layout.headers

    def bad(name: str, message: str, raw: object) -> None:
        out.append(finding("bad-value", message, unit=unit, value=clean_text(raw), **where(r, header.get(name, LABELS[name]))))

    record = {"_row": r + 1, "used": True}
    raw_task = _get(row, layout, "task")
    record["task_text"] = clean_text(raw_task)
    try:
        record["task"] = parse_task(raw_task)
    except ValueError:
        record["task"] = None
    if record["task"] is None:
        bad("task", f"任务编号“{clean_text(raw_task) or '（空）'}”无法识别，本行未计入。", raw_task)
        record["used"] = False

    raw_status = _get(row, layout, "status")
    status_text = clean_text(raw_status)
    record["status_text"] = status_text
    record["status"] = ctx.status_words.get(status_text) or ctx.status_words.get(_PUNCT.sub("", status_text))
    if record["status"] is None and record["used"]:
        bad("status", f"完成状态“{status_text or '（空）'}”无法识别，请填 已完成、推进中 或 未启动。", raw_status)

    for name, parse, hint in (("progress", parse_percent, "请填 0–100 之间的百分数，如 80 或 80%"),
                              ("beneficiaries", parse_int, "请填整数人数"),
                              ("funds", parse_number, "请填以万元为单位的数字")):
        raw = _get(row, layout, name)
        try:
            record[name] = parse(raw)
        except ValueError:
            record[name] = None
            if record["used"]:
                bad(name, f"{LABELS[name]}“{clean_text(raw)}”无法识别，{hint}。", raw)
    for name in ("category", "measure", "progress_text", "problems", "next_steps"):
        text = clean_text(_get(row, layout, name))
        record[name] = "" if name == "problems" and is_blank(text) else text
    return record, out
