"""Render summary.json and findings.csv exactly as contracts.md specifies."""
from __future__ import annotations

import csv
import io
import json

from ..compilation import Reported
from ..context import Context, InputRow
from ..findings import CSV_COLUMNS
from ..money import yuan
from ..vocab import Item, Light
from . import Due, Report
from .wording import TIES, no_comparison


def _reported(r: Reported) -> dict:
    """惠及人数 and 投入资金（万元） as units reported them (rows reporting no new progress left out)."""
    return {"beneficiaries": r.beneficiaries, "funds_wan": float(r.funds)}


def summary(ctx: Context) -> dict:
    """Return the summary.json document: stable keys, money in yuan with two decimals."""
    return {
        "period": str(ctx.period),
        "district": ctx.office.district,
        "office": ctx.office.name,
        "deadline": ctx.deadline.isoformat(),
        "units": [
            {"unit": u.unit, "kind": u.kind, "submitted": u.submitted,
             "submitted_on": u.submitted_on.isoformat() if u.submitted_on else None, "on_time": u.on_time,
             "assigned_tasks": u.assigned_tasks, "reported_tasks": u.reported_tasks,
             "missing_tasks": list(u.missing_tasks), "unexpected_tasks": list(u.unexpected_tasks),
             "completeness": u.completeness, "rank": u.rank, "submission": u.submission.value,
             "days_late": u.days_late, "lights": {light.value: u.lights[light] for light in Light},
             "stale_tasks": list(u.stale_tasks), "exemplary": u.exemplary, **_reported(u.figures)}
            for u in ctx.units
        ],
        "ranking": {"by": ["submitted", "on_time", "completeness", "red_lights"], "ties": TIES},
        "reported": _reported(ctx.figures),
        "tasks": [
            {"task": t.task, "category": t.category, "light": t.light.value, "reason": t.reason.value,
             "status_counts": {s.value: n for s, n in t.status_counts.items()},
             "units_missing": list(t.units_missing), "units_red": list(t.units_red),
             "units_yellow": list(t.units_yellow), "assigned": t.assigned, "reported": t.reported,
             "units_stale": list(t.units_stale), **_reported(t.figures)}
            for t in ctx.tasks
        ],
        "benefits": {
            "by_unit": [
                {"unit": b.unit, "category": b.category.value, "households": b.households, "persons": b.persons,
                 "person_months": b.person_months, "amount": yuan(b.amount_fen),
                 "items": {i.value: yuan(b.items[i]) for i in Item if b.items[i]}}
                for b in ctx.benefits
            ],
            "total": yuan(ctx.total_fen),
            "households": ctx.total.households,
            "persons": ctx.total.persons,
            "person_months": ctx.total.person_months,
            "avg_subsidy_per_person": None if ctx.avg_subsidy_fen is None else yuan(ctx.avg_subsidy_fen),
            "avg_subsidy_floor": None if ctx.avg_subsidy_floor_fen is None else yuan(ctx.avg_subsidy_floor_fen),
            # 人均补差's numerator and denominator, so a city recomputes it from the parts instead of averaging averages.
            "gap": yuan(ctx.total.items[Item.GAP]),
            "gap_person_months": ctx.gap_person_months,
            "standards": [
                {"name": s.name, "value": float(s.value), "start": s.start.isoformat(), "months": list(s.months),
                 "floor": None if s.floor is None else float(s.floor), "ok": s.ok, "source": s.source}
                for s in ctx.standards
            ],
        },
        "findings": {"errors": ctx.counts.errors, "warnings": ctx.counts.warnings, "infos": ctx.counts.infos,
                     "by_code": ctx.counts.by_code},
        "inputs": [_input(i) for i in ctx.inputs],
        "changes": changes(ctx),
    }


def changes(ctx: Context) -> dict | None:
    """Return what changed since the previous quarter (None for a check, which compares nothing)."""
    c = ctx.changes
    if c is None:
        return None
    out = {"previous": str(c.previous), "received": c.received, "payment_share": c.share,
           "quarters_compared": [str(p) for p in c.year_quarters],
           "status_backwards": [{"unit": b.unit, "task": b.task, "from": b.before.value, "to": b.after.value,
                                 "from_period": str(b.before_period), "period": str(b.period)} for b in c.backwards],
           "red_runs": [{"task": r.task, "periods": [str(p) for p in r.periods]} for r in c.red_runs],
           "moved_without_stop": ctx.counts.by_code.get("moved-without-stop", 0),
           # Names of the people are left out: the units and the money tell the story.
           "moves": [{"from": m.source.unit, "to": m.target.unit, "months": list(m.months),
                      "paid_twice": yuan(m.amount_fen)} for m in ctx.moves],
           "paid_twice": yuan(ctx.paid_twice_fen)}
    if not c.received:
        out["note"] = no_comparison(c.previous)
        return out
    def household(h) -> dict:
        return {"unit": h.unit, "household_no": h.household_no, "category": h.category.value, "members": h.members,
                "monthly": yuan(h.monthly_fen)}
    out.update(
        entered={"households": len(c.entered), "monthly": yuan(sum(h.monthly_fen for h in c.entered))},
        left={"households": len(c.left), "monthly": yuan(sum(h.monthly_fen for h in c.left))},
        by_unit=[{"unit": u.unit, "entered": u.entered, "entered_monthly": yuan(u.entered_fen), "left": u.left,
                  "left_monthly": yuan(u.left_fen), "changed": u.changed} for u in c.units],
        entered_households=[household(h) for h in c.entered],
        left_households=[household(h) for h in c.left],
        payment_changes=[{**household(p.after), "before": yuan(p.before.monthly_fen),
                          "after": yuan(p.after.monthly_fen), "reasons": [r.value for r in p.reasons]}
                         for p in c.changed])
    return out


def _input(i: InputRow) -> dict:
    row = {"file": i.file, "sheet": i.sheet, "kind": i.kind, "unit": i.unit, "rows_read": i.rows_read,
           "rows_used": i.rows_used, "rows_reported": i.rows_reported, "rows_set_aside": i.rows_set_aside,
           "reconciled": i.reconciled}
    if i.note:
        row["note"] = i.note
    return row


def summary_json(ctx: Context) -> str:
    return json.dumps(summary(ctx), ensure_ascii=False, indent=2) + "\n"


def findings_csv(ctx: Context) -> str:
    """Return findings.csv text (written with a BOM, so Excel shows the Chinese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in ctx.findings:
        writer.writerow([_safe(getattr(f, c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def _safe(value: object) -> str:
    """Keep a cell from becoming a live formula when Excel opens the CSV."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


SUMMARY = Report("summary.json", Due.QUARTER,
                 lambda b, staging: staging.write_text("summary.json", summary_json(b.quarter)))
FINDINGS = Report("findings.csv", Due.QUARTER,
                  lambda b, staging: staging.write_text("findings.csv", findings_csv(b.quarter), bom=True))
