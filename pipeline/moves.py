"""Moves between towns: a person on two units' rosters in one quarter, new to one and listed by the other last quarter.

A move is one story told to both units. The unit that listed the person last quarter should have filled in 停发年月;
where it still pays in a month the new unit pays too, the person is paid twice in that month (moved-without-stop,
against the paying unit, with the months and the amount), and the receiving unit is told. Where the old unit stopped
in time, the two listings are a proper hand-over and nothing is wrong. Without last quarter's rosters there is no
story to tell: a person on two rosters stays a person-duplicate for both units (checks.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .ids import OK
from .period import Period


@dataclass(frozen=True)
class Place:
    """Where one unit lists the person: its roster cell."""

    unit: str
    file: str
    sheet: str
    row: int
    household_no: str


@dataclass(frozen=True)
class Move:
    """A person listed last quarter by `source` and new on `target`'s roster this quarter."""

    id_number: str
    name: str
    source: Place                  # listed last quarter: the unit that should have stopped
    target: Place                  # new this quarter: the receiving unit
    months: tuple[int, ...]        # calendar months of the quarter both units pay
    amount_fen: int                # what the source paid for the person in those months: paid twice

    @property
    def paid_twice(self) -> bool:
        return bool(self.months)

    @property
    def months_text(self) -> str:
        """Say the months paid twice as the findings word them: 5–6月, 6月."""
        m = self.months
        if len(m) > 1 and m[-1] - m[0] == len(m) - 1:
            return f"{m[0]}–{m[-1]}月"
        return "、".join(str(x) for x in m) + "月"


PLACE_COLUMNS = ["id_number", "name", "unit", "_file", "_sheet", "_row", "household_no"]


def find_moves(roster: pd.DataFrame, persons: pd.DataFrame, previous: pd.DataFrame | None,
               period: Period) -> tuple[Move, ...]:
    """Return every move of the quarter, paid twice or handed over properly; () without last quarter's rosters."""
    if previous is None or previous.empty or roster.empty:
        return ()
    now = roster.loc[roster["id_status"] == OK].reindex(columns=PLACE_COLUMNS)
    now = now[now["unit"] != ""].drop_duplicates(["id_number", "unit"]).rename(
        columns={"_file": "file", "_sheet": "sheet", "_row": "row"})
    spread = now.groupby("id_number")["unit"].nunique()
    now = now[now["id_number"].isin(spread[spread > 1].index)]
    if now.empty:
        return ()
    # Only the IDs on two rosters now: a set per ID of last quarter's whole roster, and the pay of every person,
    # cost seconds at 50k persons.
    ids = now["id_number"].unique()
    before = previous[(previous["id_status"] == OK) & (previous["unit"] != "") & previous["id_number"].isin(ids)]
    was_in = before.groupby("id_number")["unit"].agg(set).to_dict()
    pay = _pay(persons[persons["id_number"].isin(ids)])
    moves = []
    for id_number, rows in now.groupby("id_number", sort=False):
        units_before = was_in.get(id_number, set())
        old = [r for r in rows.itertuples(index=False) if r.unit in units_before]
        new = [r for r in rows.itertuples(index=False) if r.unit not in units_before]
        if not old or not new:
            continue            # on both rosters last quarter too, or new to both: a duplicate, not a move
        source = old[0]
        paid_source, fen_source = pay.get(_key(source), ((False,) * 3, (0,) * 3))
        for target in new:
            paid_target = pay.get(_key(target), ((False,) * 3, (0,) * 3))[0]
            both = [i for i in range(3) if paid_source[i] and paid_target[i]]
            name = "" if pd.isna(source.name) else str(source.name)
            moves.append(Move(id_number, name, _place(source), _place(target),
                              tuple(period.months[i] for i in both), sum(fen_source[i] for i in both)))
    return tuple(moves)


def _key(row) -> tuple:
    return (row.file, row.sheet, int(row.row))


def _place(row) -> Place:
    number = "" if pd.isna(row.household_no) else str(row.household_no)
    return Place(row.unit, row.file, row.sheet, int(row.row), number)


def _pay(persons: pd.DataFrame) -> dict[tuple, tuple[tuple[bool, ...], tuple[int, ...]]]:
    """Map each paid person's roster cell to the months they were paid and what was paid for them each month."""
    if persons.empty or "paid_m0" not in persons:
        return {}
    columns = [persons[c].tolist() for c in ("_file", "_sheet", "_row", "paid_m0", "paid_m1", "paid_m2",
                                              "fen_m0", "fen_m1", "fen_m2")]
    return {(f, s, int(r)): ((bool(p0), bool(p1), bool(p2)), (int(f0), int(f1), int(f2)))
            for f, s, r, p0, p1, p2, f0, f1, f2 in zip(*columns)}
