"""What units wrote: one row per task and unit for the 进展汇编, and the 惠及人数 and 投入资金 they report, summed.

A row that reports no new progress (stale.py) is listed with what it says, but its figures are not added up, as it is
not counted as reported anywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .vocab import CellReason, Light, Role, StaleReason, Status

# 投入资金 is reported in 万元; one yuan is 0.0001 万元, the finest amount worth adding up.
FUNDS_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class ProgressRow:
    """One task row as a unit wrote it, with the light it got; `role` None for a task outside the unit's share."""

    task: int
    unit: str
    role: Role | None
    reported: bool                  # a row for the task is in the unit's report
    counted: bool                   # … and it reports real progress (not stale)
    status: Status | None
    status_text: str                # the word as written, for a status that could not be read
    progress: float | None
    progress_text: str
    problems: str
    next_steps: str
    beneficiaries: int | None
    funds: Decimal | None           # 万元
    stale: StaleReason | None
    light: Light | None             # None for a task outside the unit's share: it takes no light
    reason: CellReason | None


@dataclass(frozen=True)
class Reported:
    """惠及人数 and 投入资金（万元） as reported, added up over the rows that count."""

    beneficiaries: int = 0
    funds: Decimal = Decimal(0)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _count(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _funds(value: object) -> Decimal | None:
    return None if value is None or pd.isna(value) else Decimal(repr(float(value))).quantize(FUNDS_STEP)


def _status(value: object) -> Status | None:
    return None if value is None or pd.isna(value) else Status(value)


def compile_rows(cells: pd.DataFrame, progress: pd.DataFrame, stale: pd.Series | None,
                 units: list[str]) -> tuple[ProgressRow, ...]:
    """Return every assigned (task, unit) cell and every task a unit reported outside its share, task by task."""
    words = dict(zip(zip(progress["unit"], progress["_file"], progress["_row"]), progress["status_text"])) \
        if len(progress) else {}
    rows = []
    for c in cells.to_dict("records"):
        present = c["reason"] != CellReason.NOT_REPORTED
        rows.append(ProgressRow(
            task=int(c["task"]), unit=c["unit"], role=Role(c["role"]), reported=present, counted=bool(c["reported"]),
            status=_status(c["status"]), status_text=_text(words.get((c["unit"], c["_file"], c["_row"]), "")),
            progress=None if pd.isna(c["progress"]) else float(c["progress"]),
            progress_text=_text(c["progress_text"]), problems=_text(c["problems"]), next_steps=_text(c["next_steps"]),
            beneficiaries=_count(c["beneficiaries"]), funds=_funds(c["funds"]),
            stale=None if pd.isna(c["stale"]) else StaleReason(c["stale"]), light=Light(c["light"]),
            reason=CellReason(c["reason"])))
    if len(progress):
        extra = progress[progress["used"].astype(bool) & progress["role"].isna() & progress["task"].notna()]
        for i, r in extra.iterrows():
            why = None if stale is None or pd.isna(stale.get(i)) else StaleReason(stale.get(i))
            rows.append(ProgressRow(
                task=int(r["task"]), unit=r["unit"], role=None, reported=True, counted=why is None,
                status=_status(r["status"]), status_text=_text(r["status_text"]),
                progress=None if pd.isna(r["progress"]) else float(r["progress"]),
                progress_text=_text(r["progress_text"]), problems=_text(r["problems"]),
                next_steps=_text(r["next_steps"]), beneficiaries=_count(r["beneficiaries"]), funds=_funds(r["funds"]),
                stale=why, light=None, reason=None))
    order = {u: i for i, u in enumerate(units)}
    return tuple(sorted(rows, key=lambda r: (r.task, order.get(r.unit, len(order)), r.unit)))


def totals(rows: tuple[ProgressRow, ...], key) -> dict:
    """Add up 惠及人数 and 投入资金 of the rows that count, by `key` (a row's task, its unit…)."""
    out: dict = {}
    for r in rows:
        if not r.counted:
            continue
        k = key(r)
        was = out.get(k, Reported())
        out[k] = Reported(was.beneficiaries + (r.beneficiaries or 0), was.funds + (r.funds or Decimal(0)))
    return out
