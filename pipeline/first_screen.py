"""What a leader reads first on every report: the headline figures and the red tasks with the units at fault.

Computed from the same contexts the reports are drawn from, so the first screen and the body cannot disagree.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import Context, TaskState
from .vocab import Light, Role

if TYPE_CHECKING:
    from .city import CityContext


@dataclass(frozen=True)
class AtFault:
    """A unit (or, in the city roll-up, a district) whose own light made the task red."""

    name: str
    lead: bool = False


@dataclass(frozen=True)
class RedTask:
    """A red task: its number, the plan's words for it (the city roll-up has only its category), who is at fault."""

    task: int
    measure: str
    at_fault: tuple[AtFault, ...]


@dataclass(frozen=True)
class FirstScreen:
    """The headline figures and red tasks shown at the top of a report, before any detail."""

    units_submitted: int
    units_total: int
    green: int
    yellow: int
    red: int
    money_fen: int
    persons: int
    errors: int
    red_tasks: tuple[RedTask, ...]
    lights_of: str = ""          # whose lights these are when not the report's own period: 第二季度
    per_district: bool = False   # the city adds lights up over districts: counted in 项次


def red_tasks(tasks: Sequence[TaskState]) -> tuple[RedTask, ...]:
    """List the red tasks in plan order, each with the units whose own cell is red, lead units first."""
    out = []
    for t in tasks:
        if t.light is not Light.RED:
            continue
        cells = sorted((c for c in t.cells if c.light is Light.RED), key=lambda c: c.role is not Role.LEAD)
        out.append(RedTask(t.task, t.measure, tuple(AtFault(c.unit, c.role is Role.LEAD) for c in cells)))
    return tuple(out)


def of_quarter(ctx: Context) -> FirstScreen:
    """Take the quarter's own headline: units that reported, lights, money paid, persons helped, errors found."""
    h = ctx.headline
    return FirstScreen(h.units_submitted, h.units_total, h.tasks_green, h.tasks_yellow, h.tasks_red, ctx.total_fen,
                       h.persons, h.errors, red_tasks(ctx.tasks))


def of_quarters(contexts: Sequence[Context]) -> FirstScreen:
    """Sum money and errors over the quarters received; take units, lights, persons and red tasks from the last."""
    last = of_quarter(contexts[-1])
    return FirstScreen(last.units_submitted, last.units_total, last.green, last.yellow, last.red,
                       sum(c.total_fen for c in contexts), last.persons, sum(c.headline.errors for c in contexts),
                       last.red_tasks, lights_of=contexts[-1].period.quarter_label)


def of_city(city: CityContext) -> FirstScreen:
    """Add the districts up; a task red anywhere is listed with the districts where it is red, the most first."""
    lights = city.lights
    reds = [RedTask(t.task, t.category, tuple(AtFault(d) for d, light in zip(city.names, t.lights)
                                               if light is Light.RED))
            for t in city.tasks if t.counts.red]
    reds.sort(key=lambda r: -len(r.at_fault))    # stable: plan order among equals
    return FirstScreen(city.submissions.submitted, city.submissions.units, lights.green, lights.yellow, lights.red,
                       city.total.amount_fen, city.total.persons, city.findings.errors, tuple(reds),
                       per_district=True)
