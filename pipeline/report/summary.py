"""Render summary.json and findings.csv exactly as contracts.md specifies."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

from .. import summary_model as model_
from .. import typed_json
from ..accounting import InputRow
from ..compilation import Reported
from ..context import Context
from ..findings import CSV_COLUMNS
from ..vocab import Item, Light
from . import Due, Report
from .wording import TIES, no_comparison


def _reported(r: Reported) -> dict:
    """惠及人数 and 投入资金（万元） as units reported them (rows reporting no new progress left out)."""
    return {"beneficiaries": r.beneficiaries, "funds_wan": float(r.funds)}


def model(ctx: Context) -> model_.Summary:
    """Return the quarter's summary.json as its typed model: stable keys, money in fen."""
    return model_.Summary(
        period=ctx.period, district=ctx.office.district, office=ctx.office.name, deadline=ctx.deadline,
        units=tuple(
            model_.Unit(unit=u.unit, kind=u.kind, submitted=u.submitted, submitted_on=u.submitted_on,
                        on_time=u.on_time, assigned_tasks=u.assigned_tasks, reported_tasks=u.reported_tasks,
                        missing_tasks=u.missing_tasks, unexpected_tasks=u.unexpected_tasks,
                        completeness=u.completeness, rank=u.rank, submission=u.submission, days_late=u.days_late,
                        lights={light: u.lights[light] for light in Light}, stale_tasks=u.stale_tasks,
                        exemplary=u.exemplary, **_reported(u.figures))
            for u in ctx.units),
        ranking=model_.Ranking(by=("submitted", "on_time", "completeness", "red_lights"), ties=TIES),
        reported=model_.Reported(**_reported(ctx.figures)),
        tasks=tuple(
            model_.Task(task=t.task, category=t.category, light=t.light, reason=t.reason,
                        status_counts=dict(t.status_counts), units_missing=t.units_missing, units_red=t.units_red,
                        units_yellow=t.units_yellow, assigned=t.assigned, reported=t.reported,
                        units_stale=t.units_stale, **_reported(t.figures))
            for t in ctx.tasks),
        benefits=model_.Benefits(
            by_unit=tuple(
                model_.Paid(unit=b.unit, category=b.category, households=b.households, persons=b.persons,
                            person_months=b.person_months, amount_fen=b.amount_fen,
                            items={i: b.items[i] for i in Item if b.items[i]})
                for b in ctx.benefits),
            total_fen=ctx.total_fen, households=ctx.total.households, persons=ctx.total.persons,
            person_months=ctx.total.person_months, avg_subsidy_fen=ctx.avg_subsidy_fen,
            avg_subsidy_floor_fen=ctx.avg_subsidy_floor_fen, gap_fen=ctx.total.items[Item.GAP],
            gap_person_months=ctx.gap_person_months,
            standards=tuple(
                model_.Standard(name=s.name, value=float(s.value), start=s.start, months=s.months,
                                floor=None if s.floor is None else float(s.floor), ok=s.ok, source=s.source)
                for s in ctx.standards)),
        findings=model_.Findings(errors=ctx.counts.errors, warnings=ctx.counts.warnings, infos=ctx.counts.infos,
                                 by_code=ctx.counts.by_code),
        inputs=tuple(_input(i) for i in ctx.inputs),
        changes=changes(ctx),
    )


def summary(ctx: Context) -> dict:
    """Return the summary.json document: stable keys, money in yuan with two decimals."""
    return typed_json.encode(model(ctx))


def changes(ctx: Context) -> model_.Changes | None:
    """Return what changed since the previous quarter (None for a check, which compares nothing)."""
    c = ctx.changes
    if c is None:
        return None
    out = model_.Changes(
        previous=c.previous, received=c.received, payment_share=c.share, quarters_compared=c.year_quarters,
        status_backwards=tuple(model_.StatusBack(unit=b.unit, task=b.task, before=b.before, after=b.after,
                                                 before_period=b.before_period, period=b.period)
                               for b in c.backwards),
        red_runs=tuple(model_.RedRun(task=r.task, periods=r.periods) for r in c.red_runs),
        moved_without_stop=ctx.counts.by_code.get("moved-without-stop", 0),
        # Names of the people are left out: the units and the money tell the story.
        moves=tuple(model_.Move(source=m.source.unit, target=m.target.unit, months=m.months,
                                paid_twice_fen=m.amount_fen) for m in ctx.moves),
        paid_twice_fen=ctx.paid_twice_fen)
    if not c.received:
        return replace(out, note=no_comparison(c.previous))

    def household(h) -> dict:
        return {"unit": h.unit, "household_no": h.household_no, "category": h.category, "members": h.members,
                "monthly_fen": h.monthly_fen}
    return replace(
        out,
        entered=model_.Flow(households=len(c.entered), monthly_fen=sum(h.monthly_fen for h in c.entered)),
        left=model_.Flow(households=len(c.left), monthly_fen=sum(h.monthly_fen for h in c.left)),
        by_unit=tuple(model_.UnitFlow(unit=u.unit, entered=u.entered, entered_monthly_fen=u.entered_fen,
                                      left=u.left, left_monthly_fen=u.left_fen, changed=u.changed) for u in c.units),
        entered_households=tuple(model_.Household(**household(h)) for h in c.entered),
        left_households=tuple(model_.Household(**household(h)) for h in c.left),
        payment_changes=tuple(model_.PaymentChange(**household(p.after), before_fen=p.before.monthly_fen,
                                                   after_fen=p.after.monthly_fen, reasons=p.reasons)
                              for p in c.changed))


def _input(i: InputRow) -> model_.Input:
    return model_.Input(file=i.file, sheet=i.sheet, kind=i.kind, unit=i.unit, rows_read=i.rows_read,
                        rows_used=i.rows_used, rows_reported=i.rows_reported, rows_set_aside=i.rows_set_aside,
                        reconciled=i.reconciled, note=i.note)


def summary_json(ctx: Context) -> str:
    return typed_json.dumps(model(ctx))


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
