"""The half-year bulletin (半年通报): trends, cumulative money, rankings, praise and criticism, from two quarters.

Pure: it reads only the quarters' computed contexts and the configuration. A quarter whose folder was absent is
None, and everything below says so rather than filling it in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .benefits import CATEGORIES
from .config import Config
from .context import Context
from .findings import CODES, ERROR, WARNING
from .lights import RED
from .period import Period

HALF_LABELS = {1: "上半年", 2: "下半年"}
CN_QUARTER = "一二三四"
# Told in words as a late, missing or incomplete report, so not listed again among a unit's data errors.
REPORTING_CODES = ("missing-submission", "late-submission", "missing-task")
# (key, label, measure, kind): the rows of the quarter-to-quarter comparison.
TREND = (
    ("units_submitted", "已报送单位", "个", "count"), ("units_on_time", "按时报送单位", "个", "count"),
    ("units_late", "逾期报送单位", "个", "count"), ("units_missing", "未报送单位", "个", "count"),
    ("tasks_green", "绿灯任务", "项", "count"), ("tasks_yellow", "黄灯任务", "项", "count"),
    ("tasks_red", "红灯任务", "项", "count"), ("total_fen", "发放救助资金", "元", "fen"),
    ("households", "救助户数", "户", "count"), ("persons", "救助人数", "人", "count"),
    ("person_months", "救助人月数", "人·月", "count"), ("avg_subsidy_fen", "人均补差", "元/人·月", "fen"),
    ("errors", "数据错误", "条", "count"), ("warnings", "数据警告", "条", "count"),
)


@dataclass(frozen=True)
class HalfYearContext:
    """Everything the half-year bulletin shows, computed once. Money is integer fen."""

    name: str                    # 2019H1, for file names
    year: int
    half: int
    label: str                   # 2019年上半年
    today: date
    office: dict
    plan_title: str
    plan_document: str
    quarters: list[dict]         # per quarter of the half: period, label, present, and its headline figures
    missing_note: str            # '' when both quarters arrived
    trend: list[dict]            # label, measure, kind, values per quarter, change
    money_units: list[dict]      # unit, by_quarter, by_category, person_months, total_fen
    money_categories: list[dict]
    money_by_quarter: list[int | None]
    total_fen: int               # cumulative over the quarters received
    ranking: list[dict]
    finding_codes: list[dict]    # code, title, severity, count, units: over the quarters received
    persistent_red: list[dict]
    persistent_known: bool       # both quarters arrived, so "stayed red" can be judged
    praised: list[str]
    criticised: list[dict]       # unit, faults (plain Chinese)
    next_deadline: date
    deadline: str                # the reporting rule in words
    light_rule: str

    @property
    def present(self) -> list[dict]:
        return [q for q in self.quarters if q["present"]]


def half_periods(year: int, half: int) -> list[Period]:
    """Return the two quarters of a half-year."""
    return [Period(year, 2 * half - 1), Period(year, 2 * half)]


def build_half(contexts: dict[Period, Context | None], year: int, half: int, config: Config) -> HalfYearContext:
    """Build the bulletin of one half-year from its quarters' contexts (None for a quarter not received)."""
    periods = half_periods(year, half)
    ctxs = [contexts.get(p) for p in periods]
    present = [c for c in ctxs if c is not None]
    if not present:
        raise ValueError(f"no quarter of {year}H{half} to report on")
    latest = present[-1]
    quarters = [_quarter(p, c) for p, c in zip(periods, ctxs)]
    ranking = _ranking(ctxs)
    red, known = _persistent_red(ctxs)
    money_units, money_categories = _money(ctxs)
    after = Period(year + 1, 1) if half == 2 else Period(year, 2 * half + 1)
    return HalfYearContext(
        name=f"{year}H{half}", year=year, half=half, label=f"{year}年{HALF_LABELS[half]}", today=latest.today,
        office=latest.office, plan_title=latest.plan_title, plan_document=latest.plan_document,
        quarters=quarters, missing_note=missing_note(quarters), trend=_trend(quarters),
        money_units=money_units, money_categories=money_categories,
        money_by_quarter=[None if c is None else c.total_fen for c in ctxs],
        total_fen=sum(c.total_fen for c in present), ranking=ranking, finding_codes=_finding_codes(present),
        persistent_red=red, persistent_known=known,
        praised=[n for n in _names(ctxs) if next(r for r in ranking if r["unit"] == n)["praised"]],
        criticised=[{"unit": r["unit"], "faults": r["faults"]} for r in sorted(ranking, key=_blame) if r["faults"]],
        next_deadline=after.deadline(config.deadline_month, config.deadline_day),
        deadline=f"每季度末月{config.deadline_day}日前" if config.deadline_month == 3
        else f"每季度第{config.deadline_month}个月{config.deadline_day}日前",
        light_rule=latest.light_rule)


def quarter_label(period: Period) -> str:
    return f"第{CN_QUARTER[period.quarter - 1]}季度"


def _quarter(period: Period, ctx: Context | None) -> dict:
    base = {"period": str(period), "label": quarter_label(period), "present": ctx is not None}
    if ctx is None:
        return base
    return {**base, **ctx.headline, "total_fen": ctx.total_fen, "avg_subsidy_fen": ctx.avg_subsidy_fen,
            "avg_subsidy_floor_fen": ctx.avg_subsidy_floor_fen, "deadline": ctx.deadline}


def missing_note(quarters: list[dict]) -> str:
    """Say plainly which quarter was not received; '' when both were."""
    gone = [q["label"] for q in quarters if not q["present"]]
    got = [q["label"] for q in quarters if q["present"]]
    if not gone:
        return ""
    return f"{'、'.join(gone)}未收到报表，本通报仅反映{'、'.join(got)}情况。"


def _trend(quarters: list[dict]) -> list[dict]:
    rows = []
    for key, label, measure, kind in TREND:
        values = [q.get(key) if q["present"] else None for q in quarters]
        change = values[1] - values[0] if None not in values else None
        rows.append({"key": key, "label": label, "measure": measure, "kind": kind, "values": values, "change": change})
    return rows


def _money(ctxs: list[Context | None]) -> tuple[list[dict], list[dict]]:
    """Sum the quarters' money by unit (with its categories) and by category; a quarter not received is None."""
    units: dict[str, dict] = {}
    cats = {c: {"category": c, "by_quarter": [None if x is None else 0 for x in ctxs], "person_months": 0,
                "total_fen": 0} for c in CATEGORIES}
    for i, ctx in enumerate(ctxs):
        if ctx is None:
            continue
        for b in ctx.benefits:
            u = units.setdefault(b["unit"], {"unit": b["unit"], "by_quarter": [None if x is None else 0 for x in ctxs],
                                             "by_category": {c: 0 for c in CATEGORIES}, "person_months": 0,
                                             "total_fen": 0})
            u["by_quarter"][i] += b["amount_fen"]
            u["by_category"][b["category"]] += b["amount_fen"]
            u["person_months"] += b["person_months"]
            u["total_fen"] += b["amount_fen"]
            c = cats[b["category"]]
            c["by_quarter"][i] += b["amount_fen"]
            c["person_months"] += b["person_months"]
            c["total_fen"] += b["amount_fen"]
    ranked = sorted(units.values(), key=lambda u: (-u["total_fen"], u["unit"]))
    return ranked, [c for c in cats.values() if c["total_fen"] or c["person_months"]]


def _ranking(ctxs: list[Context | None]) -> list[dict]:
    """Rank units by timeliness (missing, late, days late) and then completeness, over the quarters received."""
    rows = [_unit_half(name, ctxs) for name in _names(ctxs)]

    def key(r: dict) -> tuple:
        return (r["missing"], r["late"], r["days_late"], -r["completeness_mean"], r["errors"])

    rows.sort(key=key)   # stable: equal records keep the registry's order
    for r in rows:
        # Equal records share a rank, as a published ranking does.
        r["rank"] = 1 + sum(1 for other in rows if key(other) < key(r))
    return rows


def _names(ctxs: list[Context | None]) -> list[str]:
    """Return every unit of the quarters received, in the registry's order (towns first, as documents list them)."""
    names: list[str] = []
    for ctx in ctxs:
        for u in ctx.units if ctx is not None else []:
            if u["unit"] not in names:
                names.append(u["unit"])
    return names


def _unit_half(name: str, ctxs: list[Context | None]) -> dict:
    """Collect one unit's half-year record, and the faults it is criticised for, each quarter named."""
    states, completeness, faults = [], [], []
    row = {"unit": name, "kind_label": "", "on_time": 0, "late": 0, "missing": 0, "days_late": 0, "missing_tasks": 0,
           "errors": 0, "warnings": 0}
    clean = True
    for ctx in ctxs:
        u = None if ctx is None else next((x for x in ctx.units if x["unit"] == name), None)
        if u is None:
            states.append("未收到" if ctx is None else "—")
            completeness.append(None)
            continue
        q = quarter_label(Period(ctx.year, ctx.quarter))
        wrong: list[str] = []
        row["kind_label"] = u["kind_label"]
        states.append(u["state"])
        errors = _findings(ctx, name, ERROR)
        row["errors"] += sum(errors.values())
        row["warnings"] += sum(_findings(ctx, name, WARNING).values())
        if not u["submitted"]:
            row["missing"] += 1
            completeness.append(0.0)
            wrong.append("未报送进展情况")
        else:
            completeness.append(u["completeness"])
            if not u["on_time"]:
                row["late"] += 1
                row["days_late"] += u["days_late"]
                wrong.append(f"逾期{u['days_late']}天报送")
            else:
                row["on_time"] += 1
            if u["missing_tasks"]:
                row["missing_tasks"] += len(u["missing_tasks"])
                wrong.append(f"漏报第{'、'.join(str(t) for t in u['missing_tasks'])}条任务")
        told = {c: n for c, n in errors.items() if c not in REPORTING_CODES}
        if told:
            titles = [CODES[c].title if c in CODES else c for c in told]
            detail = titles[0] if len(told) == 1 else "、".join(f"{t}{n}条" for t, n in zip(titles, told.values()))
            wrong.append(f"报表有错误{sum(told.values())}条（{detail}）")
        if wrong:
            faults.append(q + "、".join(wrong))
        clean = clean and u["submitted"] and bool(u["on_time"]) and not u["missing_tasks"] and not errors
    got = [c for c in completeness if c is not None]
    row.update(states=states, completeness=completeness,
               completeness_mean=round(sum(got) / len(got), 1) if got else 0.0, faults=faults,
               praised=clean and bool(got))
    return row


def _findings(ctx: Context, unit: str, severity: str) -> dict[str, int]:
    """Count one unit's findings of one severity by code, in the findings' stable order."""
    f = ctx.findings
    if f.empty:
        return {}
    mine = f[(f["unit"] == unit) & (f["severity"] == severity)]
    return {str(k): int(v) for k, v in mine["code"].value_counts(sort=False).items()}


def _finding_codes(present: list[Context]) -> list[dict]:
    """Count errors and warnings by code over the quarters received, most frequent first."""
    out: dict[str, dict] = {}
    for ctx in present:
        for r in ctx.findings.to_dict("records") if len(ctx.findings) else []:
            if r["severity"] not in (ERROR, WARNING):
                continue
            e = out.setdefault(r["code"], {"code": r["code"], "title": CODES[r["code"]].title if r["code"] in CODES
                                           else r["code"], "severity": r["severity"], "count": 0, "units": []})
            e["count"] += 1
            if r["unit"] and r["unit"] not in e["units"]:
                e["units"].append(r["unit"])
    return sorted(out.values(), key=lambda e: (e["severity"] != ERROR, -e["count"], e["code"]))


def _blame(r: dict) -> tuple:
    # Most serious first: no report, then late, then errors.
    return (-r["missing"], -r["late"], -r["errors"], -r["missing_tasks"], r["unit"])


def _persistent_red(ctxs: list[Context | None]) -> tuple[list[dict], bool]:
    """Return the tasks red in every quarter of the half, with the units red in both; only when both arrived."""
    if any(c is None for c in ctxs):
        return [], False
    first, second = ({t["task"]: t for t in c.tasks} for c in ctxs)
    out = []
    for number, t in second.items():
        before = first.get(number)
        if before is None or before["light"] != RED or t["light"] != RED:
            continue
        both = [u for u in t["units_red"] if u in before["units_red"]]
        out.append({"task": number, "category": t["category"], "measure": t["measure"], "lead": t["lead"],
                    "units_red": both, "units_missing": [u for u in t["units_missing"] if u in before["units_missing"]],
                    "reported": [before["reported"], t["reported"]], "assigned": [before["assigned"], t["assigned"]]})
    return out, True
