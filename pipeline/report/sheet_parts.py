"""Tables longer than one sheet: cut into as many sheets as they need, so no row is ever dropped.

A sheet holds EXCEL_ROWS rows. A table that fits under its title and header keeps its plain sheet name, 问题清单. A
longer one goes on across sheets named for the rows each holds, 问题清单（1–1048574）, 问题清单（1048575–2097148）,
and each title says which part it is and how many rows there are in all. Every row is on exactly one sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, TypeVar

EXCEL_ROWS = 1_048_576          # rows in one sheet, the format's own limit
NAME_CHARS = 31                 # Excel's limit on a sheet name
T = TypeVar("T")


@dataclass(frozen=True)
class SheetPart:
    """One sheet of a table: its name and the table rows [start, stop) it holds, as part `number` of `count`."""

    name: str
    start: int
    stop: int
    number: int
    count: int
    total: int

    @property
    def last(self) -> bool:
        return self.number == self.count

    def rows(self, table: Sequence[T]) -> Sequence[T]:
        return table[self.start:self.stop]

    def title(self, title: str, unit: str = "条") -> str:
        """Add the part's place to a split table's title: …（第2张，共3张：第11–20条，共25条）."""
        if self.count == 1:
            return title
        return (f"{title}（第{self.number}张，共{self.count}张：第{self.start + 1:,}–{self.stop:,}{unit}，"
                f"共{self.total:,}{unit}）")


def sheet_parts(name: str, rows: int, capacity: int) -> list[SheetPart]:
    """Cut `rows` table rows into sheets of at most `capacity`; a table that fits is one sheet called `name`."""
    if capacity < 1:
        raise ValueError(f"a sheet of {name} must hold at least one row, not {capacity}")
    if rows <= capacity:
        return [SheetPart(name, 0, rows, 1, 1, rows)]
    starts = range(0, rows, capacity)
    parts = []
    for number, start in enumerate(starts, 1):
        stop = min(start + capacity, rows)
        label = f"{name}（{start + 1}–{stop}）"
        parts.append(SheetPart(label if len(label) <= NAME_CHARS else f"{name}（{number}）", start, stop, number,
                               len(starts), rows))
    return parts
