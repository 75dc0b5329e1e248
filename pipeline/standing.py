"""Where units stand: the one ranking rule and the one rule for a unit held up as an example.

Every ranking of units (the quarter's, the half-year's, the annual assessment's) goes through `shared_ranks`: units
with equal records share a rank, as a published ranking does, and are listed in the order of the unit registry
(config.toml [[units]]: towns, subdistricts and the park, then departments), the order documents list units in.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .vocab import Submission

T = TypeVar("T")


def shared_ranks(items: Sequence[T], key: Callable[[T], object]) -> list[tuple[int, T]]:
    """Order items by key (lower is better; equal keys keep the given order) and give equal keys one rank.

    Returns (rank, item) pairs in listing order: 1, 1, 3 for two units tied at the top and one behind.
    """
    ordered = sorted(items, key=key)        # stable: ties keep the registry's order they came in
    out: list[tuple[int, T]] = []
    for i, item in enumerate(ordered):
        rank = out[-1][0] if out and key(ordered[i - 1]) == key(item) else i + 1
        out.append((rank, item))
    return out


def exemplary(submission: Submission, missing_tasks: Sequence[int], stale_tasks: Sequence[int], errors: int) -> bool:
    """Say whether a unit's quarter is an example to others: on time, every task really reported, no data error.

    Lights are not part of it: a unit that honestly reports a problem (a yellow light) reports well.
    """
    return submission is Submission.ON_TIME and not missing_tasks and not stale_tasks and errors == 0
