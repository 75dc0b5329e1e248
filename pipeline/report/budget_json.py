"""budget.json: the budget's totals for other systems, money in yuan with two decimals as summary.json's (README)."""
from __future__ import annotations

import json

from ..budget import BudgetContext, Scenario
from ..budget_households import HouseholdChanges
from ..money import yuan
from .budget_words import assumptions

SCHEMA = "jiekun-budget/1"


def _scenario(s: Scenario, reform: bool) -> dict:
    avg = s.avg_subsidy_fen
    return {
        "name": s.name,
        "reform": reform,
        "total": yuan(s.total_fen),
        "grown_total": None if s.grown_total_fen is None else yuan(s.grown_total_fen),
        "by_category": {k: yuan(v) for k, v in s.by("category").items()},
        "items": {i.value: yuan(v) for i, v in s.items().items()},
        "by_unit": [{"unit": r.unit, "category": str(r.category), "households": int(r.households),
                     "persons": int(r.persons), "person_months": int(r.person_months), "amount": yuan(r.amount_fen)}
                    for r in s.by_unit.itertuples(index=False)],
        "by_month": [{"month": m, "amount": yuan(v)} for m, v in enumerate(s.month_totals(), 1)],
        "gap": yuan(s.gap_fen),
        "gap_person_months": s.gap_person_months,
        "avg_subsidy_per_person": None if avg is None else yuan(avg),
        "standards": [{"name": u.name, "value": float(u.value), "start": u.start.isoformat(), "months": list(u.months),
                       "source": u.source} for u in s.standards],
        "floors": [{"name": f.name, "floor": float(f.floor), "ok": f.ok, "checked": f.checked,
                    "short_months": list(f.short_months), "source": f.source} for f in s.floors],
    }


def _households(c: HouseholdChanges | None) -> dict | None:
    if c is None:
        return None
    return {"compared_with": c.before, "rises": len(c.rises), "falls": len(c.falls), "zero": len(c.zero),
            "gap_positive": len(c.gap_positive), "unchanged": c.unchanged}


def budget_summary(ctx: BudgetContext) -> dict:
    """Return the budget.json document."""
    b = ctx.budget
    p = b.population
    paid_total = b.paid_total_fen
    alt = b.reform
    return {
        "jiekun": "budget",          # first, so that a copy dropped into input/ is known as jiekun's own
        "schema": SCHEMA,
        "year": b.year,
        "district": ctx.office.district,
        "office": ctx.office.name,
        "from_period": str(b.from_period),
        "assumptions": {"households": p.households, "persons": p.persons, "new_entrants": False,
                        "stops_known": p.stops_known, "stops_in_year": p.stops_in_year,
                        "stopped_before": p.stopped_before,
                        "growth_per_month": None if b.growth is None else float(b.growth),
                        "text": assumptions(b)},
        "reforms": [{"name": r.name, "value": float(r.value), "start": r.start.isoformat(), "set": r.text}
                    for r in b.reforms],
        "scenarios": [_scenario(b.baseline, False), *([_scenario(alt, True)] if alt is not None else [])],
        "reform_difference": None if alt is None else yuan(alt.total_fen - b.baseline.total_fen),
        "paid": {
            "quarters": [{"period": str(q.period), "total": None if q.total_fen is None else yuan(q.total_fen),
                          "by_category": {k: yuan(v) for k, v in q.by_category.items()}} for q in b.paid],
            "complete": b.paid_complete,
            "total": None if paid_total is None else yuan(paid_total),
            "difference": None if paid_total is None else yuan(b.baseline.total_fen - paid_total),
        },
        "households": _households(b.changes),
        "reform_households": _households(b.reform_changes),
    }


def budget_json(ctx: BudgetContext) -> str:
    return json.dumps(budget_summary(ctx), ensure_ascii=False, indent=2) + "\n"
