"""Build the one computed context that every renderer (Excel, HTML, summary.json) draws from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .benefits import CATEGORIES, ITEM_COLUMNS, ITEMS, Benefits
from .config import PARAMETER_LABELS, Config
from .findings import ERROR, INFO, WARNING, Finding, frame
from .lights import GREEN, RED, RULE_TEXT, YELLOW, cell_states, task_lights
from .matrix import Matrix
from .quarter import Quarter
from .units import KIND_LABELS


@dataclass(frozen=True)
class Context:
    """Everything a report shows, computed once. Money is integer fen; renderers format it."""

    period: str
    period_label: str
    year: int
    quarter: int
    today: date
    deadline: date
    office: dict
    plan_title: str
    plan_document: str
    headline: dict
    units: list[dict]
    tasks: list[dict]
    cells: pd.DataFrame          # task × unit states: task, unit, role, status, progress, light, reported
    benefits: list[dict]         # unit × category rows
    benefit_units: list[dict]    # per-unit totals
    benefit_categories: list[dict]
    total_fen: int
    avg_subsidy_fen: int | None
    avg_subsidy_floor_fen: int | None
    standards: list[dict]
    persons: pd.DataFrame        # full personal data: office workbook only
    findings: pd.DataFrame
    inputs: list[dict]
    light_rule: str


def build(quarter: Quarter, matrix: Matrix, config: Config, benefits: Benefits, findings: list[Finding],
          inputs: list[dict], today: date) -> Context:
    """Compute the context from the assembled quarter, the benefit results and the findings."""
    period = quarter.period
    cells = cell_states(quarter, matrix, config)
    lights = task_lights(cells, matrix, config)
    units = _units(quarter, matrix, config, cells)
    fdf = frame(findings)
    by_unit = benefits.by_unit
    floor = config.floor(period.year, "avg_subsidy")
    tasks = []
    for t, row in zip(matrix.tasks, lights.to_dict("records")):
        tasks.append({**row, "measure": t.measure, "lead": list(t.lead), "responsible": list(t.responsible), "note": t.note})
    submitted = [u for u in units if u["submitted"]]
    headline = {
        "units_total": len(units),
        "units_submitted": len(submitted),
        "units_on_time": sum(1 for u in submitted if u["on_time"]),
        "units_late": sum(1 for u in submitted if not u["on_time"]),
        "units_missing": len(units) - len(submitted),
        "tasks_total": len(tasks),
        "tasks_green": sum(1 for t in tasks if t["light"] == GREEN),
        "tasks_yellow": sum(1 for t in tasks if t["light"] == YELLOW),
        "tasks_red": sum(1 for t in tasks if t["light"] == RED),
        "households": int(by_unit["households"].sum()) if len(by_unit) else 0,
        "persons": int(by_unit["persons"].sum()) if len(by_unit) else 0,
        "person_months": int(by_unit["person_months"].sum()) if len(by_unit) else 0,
        "errors": int((fdf["severity"] == ERROR).sum()) if len(fdf) else 0,
        "warnings": int((fdf["severity"] == WARNING).sum()) if len(fdf) else 0,
        "infos": int((fdf["severity"] == INFO).sum()) if len(fdf) else 0,
    }
    return Context(
        period=str(period), period_label=period.label, year=period.year, quarter=period.quarter, today=today,
        deadline=quarter.deadline, office=dict(config.office), plan_title=matrix.title, plan_document=matrix.document,
        headline=headline, units=units, tasks=tasks, cells=cells,
        benefits=_benefit_rows(by_unit), benefit_units=_totals(by_unit, "unit"),
        benefit_categories=_totals(by_unit, "category"),
        total_fen=benefits.total_fen, avg_subsidy_fen=benefits.avg_subsidy_fen,
        avg_subsidy_floor_fen=int(floor.value * 100) if floor else None,
        standards=_standards(config, benefits, period.year), persons=benefits.persons, findings=fdf,
        inputs=inputs, light_rule=RULE_TEXT.format(tol=int(config.schedule_tolerance), red=config.red_share, yellow=config.yellow_share),
    )


def _units(quarter: Quarter, matrix: Matrix, config: Config, cells: pd.DataFrame) -> list[dict]:
    p = quarter.progress
    out = []
    submitters = set(quarter.submissions.loc[quarter.submissions["chosen"], "unit"]) if len(quarter.submissions) else set()
    for unit in config.registry.units:
        if not unit.reports and unit.name not in submitters:
            continue
        sub = quarter.submission_of(unit.name)
        assigned = matrix.tasks_of(unit.name)
        rows = p[(p["unit"] == unit.name) & p["used"]]
        reported = sorted(set(rows["task"].dropna().astype(int)))
        on = sub["reported_on"] if sub is not None else None
        on = None if on is None or pd.isna(on) else on
        uc = cells[cells["unit"] == unit.name]
        entry = {
            "unit": unit.name, "kind": unit.kind, "kind_label": KIND_LABELS[unit.kind],
            "submitted": sub is not None,
            "submitted_on": on.isoformat() if on else None,
            "on_time": bool(on is not None and on <= quarter.deadline) if sub is not None else None,
            "days_late": (on - quarter.deadline).days if on and on > quarter.deadline else 0,
            "file": sub["file"] if sub is not None else "",
            "assigned_tasks": len(assigned),
            "reported_tasks": len([t for t in reported if t in assigned]),
            "missing_tasks": [t for t in assigned if t not in reported] if sub is not None else assigned,
            "unexpected_tasks": [t for t in reported if t not in assigned],
            "lights": {k: int((uc["light"] == k).sum()) for k in (GREEN, YELLOW, RED)},
        }
        entry["completeness"] = round(100 * entry["reported_tasks"] / len(assigned), 1) if assigned else 100.0
        entry["state"] = "未报送" if sub is None else ("按时" if entry["on_time"] else "逾期")
        out.append(entry)
    # Ranking: on time first, then completeness, then fewer red cells.
    order = sorted(out, key=lambda u: (not u["submitted"], not bool(u["on_time"]), -u["completeness"], u["lights"][RED], u["unit"]))
    for rank, u in enumerate(order, 1):
        u["rank"] = rank
    return out


def _benefit_rows(by_unit: pd.DataFrame) -> list[dict]:
    rows = []
    for r in by_unit.to_dict("records"):
        rows.append({"unit": r["unit"], "category": r["category"], "households": r["households"], "persons": r["persons"],
                     "person_months": r["person_months"], "items": {i: int(r[ITEM_COLUMNS[i]]) for i in ITEMS},
                     "amount_fen": int(r["amount_fen"])})
    return rows


def _totals(by_unit: pd.DataFrame, key: str) -> list[dict]:
    if by_unit.empty:
        return []
    cols = ["households", "persons", "person_months", *ITEM_COLUMNS.values(), "amount_fen"]
    g = by_unit.groupby(key, sort=False)[cols].sum().reset_index()
    if key == "category":
        g["_o"] = g["category"].map({c: i for i, c in enumerate(CATEGORIES)})
        g = g.sort_values("_o").drop(columns="_o")
    else:
        g = g.sort_values("amount_fen", ascending=False)
    return [{key: r[key], **{c: int(r[c]) for c in cols}, "items": {i: int(r[ITEM_COLUMNS[i]]) for i in ITEMS}}
            for r in g.to_dict("records")]


def _standards(config: Config, benefits: Benefits, year: int) -> list[dict]:
    out = []
    for name, p in benefits.rates.params.items():
        floor = config.floor(year, name)
        out.append({"name": name, "label": PARAMETER_LABELS.get(name, name), "value": p.value,
                    "floor": floor.value if floor else None,
                    "ok": floor is None or p.value >= floor.value, "source": p.source,
                    "effective": p.effective.isoformat() if p.effective else ""})
    return out
