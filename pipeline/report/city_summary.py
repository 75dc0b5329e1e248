"""The roll-up's summary.json: the districts and the city, with the district summary's key names and money rules."""
from __future__ import annotations

import json

from ..city import CityContext, District, FindingCounts, LightCounts, Submissions, Tally
from ..money import yuan
from ..vocab import Item, Light


def summary(city: CityContext) -> dict:
    """Return the roll-up document: money in yuan with two decimals, each figure added up from the districts."""
    return {
        "period": str(city.period),
        "city": city.office.district,
        "office": city.office.name,
        "districts": [_district(d) for d in city.districts],
        "units": _submissions(city.submissions),
        "lights": _lights(city.lights),
        "tasks": [
            {"task": t.task, "category": t.category,
             "lights": {name: None if light is None else light.value for name, light in zip(city.names, t.lights)},
             **{f"districts_{light.value}": t.counts[light] for light in Light}}
            for t in city.tasks
        ],
        "benefits": _benefits(city.categories, city.total, city.gap_fen, city.gap_person_months,
                              city.avg_subsidy_fen, city.avg_subsidy_floor_fen),
        "findings": _findings(city.findings),
    }


def _district(d: District) -> dict:
    return {"district": d.name, "office": d.office, "units": _submissions(d.submissions), "lights": _lights(d.lights),
            "benefits": _benefits(d.categories, d.total, d.gap_fen, d.gap_person_months, d.avg_subsidy_fen,
                                  d.avg_subsidy_floor_fen),
            "findings": _findings(d.findings)}


def _submissions(s: Submissions) -> dict:
    out = {"total": s.units, "submitted": s.submitted, "on_time": s.on_time, "late": s.late, "missing": s.missing}
    if s.late_units or s.missing_units:
        out.update(late_units=list(s.late_units), missing_units=list(s.missing_units))
    return out


def _lights(counts: LightCounts) -> dict:
    return {light.value: counts[light] for light in Light}


def _tally(t: Tally) -> dict:
    return {"households": t.households, "persons": t.persons, "person_months": t.person_months,
            "amount": yuan(t.amount_fen), "items": {i.value: yuan(t.items[i]) for i in Item if t.items[i]}}


def _benefits(categories, total: Tally, gap_fen: int, gap_months: int, avg: int | None, floor: int | None) -> dict:
    return {
        "by_category": [{"category": c.value, **_tally(t)} for c, t in categories],
        "total": yuan(total.amount_fen),
        "households": total.households,
        "persons": total.persons,
        "person_months": total.person_months,
        "items": {i.value: yuan(total.items[i]) for i in Item if total.items[i]},
        "gap": yuan(gap_fen),
        "gap_person_months": gap_months,
        "avg_subsidy_per_person": None if avg is None else yuan(avg),
        "avg_subsidy_floor": None if floor is None else yuan(floor),
    }


def _findings(f: FindingCounts) -> dict:
    return {"errors": f.errors, "warnings": f.warnings, "infos": f.infos, "by_code": dict(f.by_code)}


def summary_json(city: CityContext) -> str:
    return json.dumps(summary(city), ensure_ascii=False, indent=2) + "\n"
