"""What changed since last quarter: households that entered and left, payments that jumped and why, statuses that
went backwards and tasks that stayed red. Pure: it reads two quarters' rosters and money, and the year's contexts.

A household is known across quarters by its unit and its head's ID number (or, without a valid one, its 户编号), since
file names, sheet names and row numbers change from one quarter to the next; one that moves town leaves and enters.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .benefits import Benefits, active_months
from .ids import OK
from .period import Period
from .reader.vocabulary import HEAD_WORDS
from .vocab import Category, ChangeReason, Light, Status

# A status further down this order than the quarter before went backwards.
STATUS_ORDER = {Status.NOT_STARTED: 0, Status.IN_PROGRESS: 1, Status.DONE: 2}


@dataclass(frozen=True)
class Household:
    """One household as a quarter paid it: enough to say who it is and what its monthly amount was made of."""

    key: str
    unit: str
    community: str
    household_no: str
    category: Category
    head_name: str
    head_id: str
    members: int
    income_fen: int
    rigid_fen: int
    monthly_fen: int          # its amount in the last month it was paid this quarter
    amount_fen: int           # the quarter's amount
    disabled: int             # members with a disability allowance
    cared: int                # 特困 members with a care fee
    standard_fen: int         # the 低保 standard of that last month


@dataclass(frozen=True)
class PaymentChange:
    before: Household
    after: Household
    reasons: tuple[ChangeReason, ...]

    @property
    def share(self) -> float:
        """Return the change of the monthly amount as a share of the amount before."""
        return (self.after.monthly_fen - self.before.monthly_fen) / self.before.monthly_fen


@dataclass(frozen=True)
class UnitChanges:
    unit: str
    entered: int
    entered_fen: int          # the entering households' monthly amounts
    left: int
    left_fen: int             # the leaving households' monthly amounts before they left
    changed: int


@dataclass(frozen=True)
class StatusBack:
    """A unit's status for a task that went backwards from one quarter of the year to the next."""

    unit: str
    task: int
    before_period: Period
    before: Status
    period: Period
    after: Status


@dataclass(frozen=True)
class RedRun:
    """A task red in consecutive quarters of the year up to this one."""

    task: int
    category: str
    lead: tuple[str, ...]
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class Changes:
    """The quarter against the one before it, and the year's quarters against each other."""

    previous: Period
    received: bool                          # the previous quarter's folder arrived; without it nothing is compared
    share: float                            # a monthly amount changing by more than this share is listed
    entered: tuple[Household, ...]
    left: tuple[Household, ...]
    changed: tuple[PaymentChange, ...]
    units: tuple[UnitChanges, ...]
    backwards: tuple[StatusBack, ...]
    red_runs: tuple[RedRun, ...]
    year_quarters: tuple[Period, ...]       # the quarters of the year the status and light comparisons saw


def households(roster: pd.DataFrame, benefits: Benefits) -> dict[str, Household]:
    """Return the quarter's paid households by their cross-quarter key."""
    hh = benefits.households
    if hh.empty:
        return {}
    people = benefits.persons
    heads = people.assign(_head=people["relation"].isin(HEAD_WORDS))
    heads = heads.sort_values("_head", ascending=False, kind="stable").drop_duplicates("household_key")
    valid = (heads["id_status"] == OK).to_numpy()
    # Per unit: a household that moves to another town leaves the one and enters the other.
    heads = heads.assign(_key=heads["unit"] + "|" + np.where(valid, heads["id_number"],
                                                             "户" + heads["household_no"].astype(str)))
    counts = people.assign(_disabled=(people["living_allowance_fen"] + people["care_allowance_fen"]) > 0,
                           _cared=people["care_fee_fen"] > 0).groupby("household_key")[["_disabled", "_cared"]].sum()
    paid = hh[hh["months_paid"] > 0].merge(heads[["household_key", "_key", "name", "id_number"]], on="household_key")
    paid = paid.join(counts, on="household_key")
    active = active_months(paid["start_key"], paid["stop_key"], benefits.rates.period)
    standard = benefits.rates.fen("dibao_standard")[2 - np.argmax(active[:, ::-1], axis=1)]
    income = paid["income_fen"].astype("Float64").fillna(0).astype(np.int64)
    # Plain lists: iterating Arrow-backed columns value by value costs several times as much.
    columns = zip(*(s.tolist() for s in (
        paid["_key"], paid["unit"], paid["community"].fillna(""), paid["household_no"].fillna("").astype(str),
        paid["category"], paid["name"], paid["id_number"], paid["members"], income,
        paid["rigid_fen"].fillna(0).astype(np.int64), paid["monthly_fen"], paid["amount_fen"],
        paid["_disabled"], paid["_cared"], pd.Series(standard))))
    categories = {c: Category(c) for c in paid["category"].unique()}
    return {key: Household(key, unit, community, no, categories[category], name, id_, int(members), int(inc),
                           int(rigid), int(monthly), int(amount), int(disabled), int(cared), int(std))
            for key, unit, community, no, category, name, id_, members, inc, rigid, monthly, amount, disabled, cared,
            std in columns}


def reasons(before: Household, after: Household) -> tuple[ChangeReason, ...]:
    """Say what made a household's monthly amount change, from the parts its explanation is made of."""
    found = []
    if before.category != after.category:
        found.append(ChangeReason.CATEGORY)
    if before.members != after.members:
        found.append(ChangeReason.MEMBERS)
    if before.income_fen != after.income_fen or before.rigid_fen != after.rigid_fen:
        found.append(ChangeReason.INCOME)
    if before.standard_fen != after.standard_fen:
        found.append(ChangeReason.STANDARD)
    if before.disabled != after.disabled:
        found.append(ChangeReason.DISABILITY)
    if before.cared != after.cared:
        found.append(ChangeReason.CARE)
    return tuple(found) or (ChangeReason.OTHER,)


def comparing(period: Period, paid: tuple, before: tuple | None, earlier: list, share: float) -> Callable:
    """Return how the quarter's context says what changed, given `paid` and `before`, each (Quarter, Benefits).

    The households are gathered now; the comparison runs once the quarter's context, its tasks and cells, is built.
    """
    now = households(paid[0].roster, paid[1]) if before else {}
    then = households(before[0].roster, before[1]) if before else None
    return lambda ctx: compare(period, now, then, share, [*earlier, ctx])


def compare(period: Period, now: dict[str, Household], before: dict[str, Household] | None, share: float,
            year_contexts: list) -> Changes:
    """Compare the quarter's households with the previous quarter's, and the year's quarters' cells and tasks."""
    backwards, runs = _year(year_contexts)
    quarters = tuple(c.period for c in year_contexts if c is not None)
    if before is None:
        return Changes(period.previous(), False, share, (), (), (), (), backwards, runs, quarters)
    entered = tuple(h for k, h in now.items() if k not in before)
    left = tuple(h for k, h in before.items() if k not in now)
    changed = tuple(PaymentChange(before[k], h, reasons(before[k], h)) for k, h in now.items()
                    if k in before and before[k].monthly_fen > 0
                    and abs(h.monthly_fen - before[k].monthly_fen) > share * before[k].monthly_fen)
    names = sorted({h.unit for h in (*entered, *left)} | {c.after.unit for c in changed})
    units = tuple(UnitChanges(u, sum(h.unit == u for h in entered), sum(h.monthly_fen for h in entered if h.unit == u),
                              sum(h.unit == u for h in left), sum(h.monthly_fen for h in left if h.unit == u),
                              sum(c.after.unit == u for c in changed)) for u in names)
    return Changes(period.previous(), True, share, entered, left, changed, units, backwards, runs, quarters)


def _year(contexts: list) -> tuple[tuple[StatusBack, ...], tuple[RedRun, ...]]:
    """Find statuses that went backwards between consecutive quarters, and tasks red up to the last quarter."""
    present = [c for c in contexts if c is not None]
    backwards = []
    for earlier, later in zip(present, present[1:]):
        if later.period.quarter - earlier.period.quarter != 1:
            continue
        was = {(c.task, c.unit): c.status for t in earlier.tasks for c in t.cells if c.status is not None}
        for t in later.tasks:
            for c in t.cells:
                old = was.get((c.task, c.unit))
                if old is not None and c.status is not None and STATUS_ORDER[c.status] < STATUS_ORDER[old]:
                    backwards.append(StatusBack(c.unit, c.task, earlier.period, old, later.period, c.status))
    runs = []
    if present:
        last = present[-1]
        for t in last.tasks:
            periods = []
            for ctx in reversed(present):
                if ctx.period.quarter != last.period.quarter - len(periods):
                    break
                task = next(x for x in ctx.tasks if x.task == t.task)
                if task.light is not Light.RED:
                    break
                periods.append(ctx.period)
            if len(periods) >= 2:
                runs.append(RedRun(t.task, t.category, t.lead, tuple(reversed(periods))))
    return tuple(backwards), tuple(runs)
