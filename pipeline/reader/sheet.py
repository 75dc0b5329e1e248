"""What reading one sheet yields, shared by the progress and roster readers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..findings import Finding
from ..units import Registry


@dataclass(frozen=True)
class ReadContext:
    """Everything a sheet reader needs besides the cells; no global state."""

    file: str            # path relative to the quarter folder, as the clerk sees it
    registry: Registry
    status_words: dict[str, str]
    today: date | None = None


@dataclass(frozen=True)
class SheetRead:
    """What one sheet yielded, and where each of its non-empty rows went.

    Rows are counted from the sheet itself: `lines` holds every non-empty row under the header (and any row above
    it that looks like a record), as runs of Excel row numbers. Each must end up used (in `rows`), named by a
    finding, or set aside as a note or a total line; the quarter's accounting checks that it did.
    """

    file: str
    sheet: str
    kind: str                      # progress / roster / unknown / empty / reference / headerless
    unit: str | None = None
    reported_on: date | None = None
    title: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: tuple[Finding, ...] = ()
    lines: tuple[tuple[int, int], ...] = ()    # runs (first, last) of Excel rows counted as read
    notes: tuple[int, ...] = ()                # Excel rows set aside as notes, headings and sign-off lines
    totals: tuple[int, ...] = ()               # Excel rows of 合计 / 小计 lines, checked against the rows above

    @property
    def rows_read(self) -> int:
        """Return how many non-empty rows the sheet held where a table's rows can be."""
        return sum(last - first + 1 for first, last in self.lines)

    @property
    def read_rows(self) -> np.ndarray:
        """Return the Excel row numbers counted as read, in order."""
        if not self.lines:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(first, last + 1) for first, last in self.lines])


def runs(rows: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Return sorted distinct row numbers as runs (first, last) of consecutive rows."""
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    if not len(rows):
        return ()
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(rows) - 1]])
    return tuple((int(rows[a]), int(rows[b])) for a, b in zip(starts, ends))
