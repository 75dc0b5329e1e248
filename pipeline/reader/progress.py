"""Read a progress report sheet (进展情况表) into typed rows and findings."""
from __future__ import annotations

import pandas as pd

from ..cells import clean_text, parse_date, parse_int, parse_number, parse_percent, parse_task, shown
from ..findings import Finding, finding
from ..units import Registry, Unit, closest_hint, find_unit_in
from .columns import Cells
from .grid import Grid, cell_at
from .layout import Layout, metadata, title
from .lines import split_body
from .schema import LABELS, PROGRESS
from .sheet import ReadContext, SheetRead
from .totals import SumCheck, check_sums
from .vocabulary import status_of

COLUMNS = ["task", "task_text", "category", "measure", "status", "status_text", "progress", "progress_text",
           "problems", "next_steps", "beneficiaries", "funds", "_row", "used"]


def count(raw: object) -> int | None:
    """Read a head count: a whole number, never negative."""
    value = parse_int(raw)
    if value is not None and value < 0:
        raise ValueError(raw)
    return value


def amount(raw: object) -> float | None:
    """Read an amount of money: a number, never negative."""
    value = parse_number(raw)
    if value is not None and value < 0:
        raise ValueError(raw)
    return value


def match_unit(registry: Registry, text: str) -> Unit | None:
    """Match a 填报单位 line loosely: the registry's forms first, then a unit named inside it (湖坊镇政府（盖章）)."""
    if not text:
        return None
    return registry.match(text) or find_unit_in(registry, text)


def read_progress(grid: Grid, layout: Layout, ctx: ReadContext) -> SheetRead:
    """Parse the data rows under the header; every data row is kept or reported, and 合计 rows are checked."""
    rows = grid.rows          # a progress sheet is a few dozen rows: read row by row
    body = split_body(Cells(grid.cells, layout.data_start), layout, ctx.status_words)
    meta = metadata(rows, layout.header_rows[0])
    # Some units sign off below the table: 填报单位 and 填报日期 on a note line count as well.
    notes = body.notes.tolist()
    for key, (value, r, c) in metadata([rows[r] for r in notes], len(notes)).items():
        meta.setdefault(key, (value, notes[r], c))
    found: list[Finding] = []

    def where(r: int | None, column: str = "") -> dict:
        return {"file": ctx.file, "sheet": grid.name, "row": None if r is None else r + 1, "column": column}

    unit_text = meta.get("unit", ("", 0, 0))[0]
    hit = match_unit(ctx.registry, unit_text)
    if hit is None:
        hit = find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
    unit = hit.name if hit else None
    every_row = tuple(int(r) + 1 for r in body.data)
    if unit is None:
        r = meta["unit"][1] if "unit" in meta else None
        found.append(finding("unknown-unit", f"无法识别填报单位“{shown(unit_text) or '（未填写）'}”"
                             f"{closest_hint(ctx.registry, shown(unit_text))}，本表未计入汇总。",
                             value=shown(unit_text), left_out=every_row, **where(r, "填报单位")))

    reported_on = None
    if "date" in meta:
        raw, r, _ = meta["date"]
        try:
            reported_on = parse_date(raw)
        except ValueError:
            found.append(finding("bad-value", f"填报日期“{shown(raw)}”无法识别，请写成 2019年3月18日 这样的日期。",
                                 unit=unit or "", value=shown(raw), **where(r, "填报日期")))

    records = []
    for r in body.data.tolist():
        record, row_findings = _read_row(rows[r], r, layout, ctx, unit or "", where)
        found.extend(row_findings)
        records.append(record)
    frame = pd.DataFrame(records, columns=COLUMNS)
    frame["used"] = frame["used"].astype(bool)
    if unit is None:
        frame["used"] = False
    for name in layout.missing:
        found.append(finding("missing-column", f"缺少必填列“{LABELS[name]}”，本表未计入汇总。", unit=unit or "",
                             left_out=every_row, **where(layout.header_rows[-1], LABELS[name])))
    if layout.missing:
        frame["used"] = False
    found += check_sums(rows, body, layout, (SumCheck("beneficiaries", count), SumCheck("funds", amount, 0.005)),
                        {"file": ctx.file, "sheet": grid.name}, unit or "")
    return SheetRead(ctx.file, grid.name, PROGRESS, unit, reported_on, title(rows, layout.header_rows[0]), frame,
                     tuple(found), notes=tuple(r + 1 for r in notes), totals=tuple(t.row + 1 for t in body.totals))


def _get(row: list[object], layout: Layout, name: str) -> object:
    return cell_at(row, layout.columns.get(name))


def _read_row(row, r, layout: Layout, ctx: ReadContext, unit: str, where) -> tuple[dict, list[Finding]]:
    out: list[Finding] = []
    header = layout.headers

    def bad(name: str, message: str, raw: object, left_out: tuple[int, ...] = ()) -> None:
        out.append(finding("bad-value", message, unit=unit, value=shown(raw), left_out=left_out,
                           **where(r, header.get(name, LABELS[name]))))

    record = {"_row": r + 1, "used": True}
    raw_task = _get(row, layout, "task")
    record["task_text"] = clean_text(raw_task)
    try:
        record["task"] = parse_task(raw_task)
    except ValueError:
        record["task"] = None
    if record["task"] is None:
        bad("task", f"任务编号“{shown(raw_task) or '（空）'}”无法识别，本行未计入；请填方案中的任务序号，如 1 或 第1条。", raw_task,
            (r + 1,))
        record["used"] = False

    raw_status = _get(row, layout, "status")
    status_text = clean_text(raw_status)
    record["status_text"] = status_text
    record["status"] = status_of(ctx.status_words, status_text)
    if record["status"] is None and record["used"]:
        bad("status", f"完成状态“{shown(raw_status) or '（空）'}”无法识别，请填 已完成、推进中 或 未启动。", raw_status)

    # 无, — or NA in 完成进度, 惠及人数 or 投入资金 means not given. 存在问题 is kept as written: which words mean
    # "no problem" is the light rule's to decide (config.toml [lights] no_problem_words), not the reader's.
    for name, parse, hint in (("progress", parse_percent, "请填 0–100 之间的百分数，如 80 或 80%"),
                              ("beneficiaries", count, "请填不小于0的整数人数"),
                              ("funds", amount, "请填以万元为单位的非负数字")):
        raw = _get(row, layout, name)
        try:
            record[name] = parse(raw)
        except ValueError:
            record[name] = None
            if record["used"]:
                bad(name, f"{LABELS[name]}“{shown(raw)}”无法识别，{hint}。", raw)
    for name in ("category", "measure", "progress_text", "problems", "next_steps"):
        text = clean_text(_get(row, layout, name))
        record[name] = text
    return record, out
