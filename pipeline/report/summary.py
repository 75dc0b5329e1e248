"""Render summary.json and findings.csv exactly as contracts.md specifies."""
from __future__ import annotations

import csv
import io
import json

import pandas as pd

from ..benefits import ITEMS
from ..context import Context
from ..findings import CSV_COLUMNS, ERROR, WARNING
from ..money import yuan


def summary(ctx: Context) -> dict:
    """Return the summary.json document: stable keys, money in yuan with two decimals."""
    f = ctx.findings
    by_code = {str(k): int(v) for k, v in f["code"].value_counts().sort_index().items()} if len(f) else {}
    return {
        "period": ctx.period,
        "generated_on": ctx.today.isoformat(),
        "deadline": ctx.deadline.isoformat(),
        "units": [
            {"unit": u["unit"], "kind": u["kind"], "submitted": u["submitted"], "submitted_on": u["submitted_on"],
             "on_time": u["on_time"], "assigned_tasks": u["assigned_tasks"], "reported_tasks": u["reported_tasks"],
             "missing_tasks": u["missing_tasks"], "unexpected_tasks": u["unexpected_tasks"],
             "completeness": u["completeness"], "rank": u["rank"]}
            for u in ctx.units
        ],
        "tasks": [
            {"task": t["task"], "category": t["category"], "light": t["light"], "status_counts": t["status_counts"],
             "units_missing": t["units_missing"], "units_red": t["units_red"]}
            for t in ctx.tasks
        ],
        "benefits": {
            "by_unit": [
                {"unit": b["unit"], "category": b["category"], "households": b["households"], "persons": b["persons"],
                 "person_months": b["person_months"], "amount": yuan(b["amount_fen"]),
                 "items": {i: yuan(b["items"][i]) for i in ITEMS if b["items"][i]}}
                for b in ctx.benefits
            ],
            "total": yuan(ctx.total_fen),
            "avg_subsidy_per_person": None if ctx.avg_subsidy_fen is None else yuan(ctx.avg_subsidy_fen),
            "avg_subsidy_floor": None if ctx.avg_subsidy_floor_fen is None else yuan(ctx.avg_subsidy_floor_fen),
        },
        "findings": {
            "errors": int((f["severity"] == ERROR).sum()) if len(f) else 0,
            "warnings": int((f["severity"] == WARNING).sum()) if len(f) else 0,
            "by_code": by_code,
        },
        "inputs": ctx.inputs,
    }


def summary_json(ctx: Context) -> str:
    return json.dumps(summary(ctx), ensure_ascii=False, indent=2) + "\n"


def findings_csv(ctx: Context) -> bytes:
    """Return findings.csv as UTF-8 with a BOM, so Excel shows the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in ctx.findings.to_dict("records"):
        writer.writerow(["" if _missing(r[c]) else _safe(r[c]) for c in CSV_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _safe(value: object) -> str:
    """Keep a cell from becoming a live formula when Excel opens the CSV."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
