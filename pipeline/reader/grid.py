"""One sheet as a rectangle of raw cell values, whatever format it came from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from .limits import Tally

_INT64_LIMIT = 2.0 ** 63


def cell_at(row: list[object], c: int | None) -> object:
    """Return a row's cell c, or "" when the column is absent or the row is shorter."""
    return row[c] if c is not None and c < len(row) else ""


@dataclass(frozen=True, eq=False)
class Grid:
    """A sheet's cells as a 2-D object array; cells[0, 0] is A1 as Excel shows it, and "" marks an empty cell."""

    name: str
    cells: np.ndarray

    @property
    def rows(self) -> list[list[object]]:
        """Return the cells as lists of rows; for the few rows above a table, or a small sheet."""
        return self.cells.tolist()

    def head(self, n: int) -> list[list[object]]:
        """Return the first n rows as lists."""
        return self.cells[:n].tolist()

    @classmethod
    def from_rows(cls, name: str, rows: list[list[object]], tally: Tally | None = None) -> Grid:
        """Pad rows of unequal length with "" into a rectangle, held to the file's limits before it is allocated."""
        width = max(map(len, rows), default=0)
        if tally is not None:
            tally.add(name, len(rows) if width else 0, width)
        cells = np.full((len(rows) if width else 0, width), "", dtype=object)
        for r, row in enumerate(rows if width else ()):
            cells[r, :len(row)] = row
        return cls(name, cells)

    @classmethod
    def from_calamine(cls, name: str, rows: list[list[object]]) -> Grid:
        """Take python-calamine's rows with the cell types pandas' calamine reader gives.

        A whole float becomes an int and a date a datetime at midnight; every other value is kept as it is.
        """
        width = len(rows[0]) if rows else 0
        if not width:
            return cls(name, np.empty((0, 0), dtype=object))
        cells = np.empty((len(rows), width), dtype=object)
        cells[:] = rows
        flat = cells.reshape(-1)
        kinds = np.fromiter(map(type, flat), dtype=object, count=flat.size)
        floats = np.flatnonzero(kinds == float)
        if floats.size:
            values = flat[floats].astype(np.float64)
            whole = np.isfinite(values) & (values == np.trunc(values))
            small = whole & (np.abs(values) < _INT64_LIMIT)
            flat[floats[small]] = values[small].astype(np.int64).astype(object)
            for i in floats[whole & ~small]:
                flat[i] = int(flat[i])
        dates = np.flatnonzero(kinds == date)
        if dates.size:
            codes, uniques = pd.factorize(flat[dates])
            midnights = np.array([datetime(d.year, d.month, d.day) for d in uniques], dtype=object)
            flat[dates] = midnights[codes]
        return cls(name, cells)
