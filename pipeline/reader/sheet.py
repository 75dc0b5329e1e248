"""What reading one sheet yields, shared by the progress and roster readers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
    file: str
    sheet: str
    kind: str                      # progress / roster / unknown / empty
    unit: str | None = None
    reported_on: date | None = None
    title: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: tuple[Finding, ...] = ()
    body_rows: int | None = None       # the data rows found under the header, before any was read

    @property
    def rows_read(self) -> int:
        """Return the data rows the sheet's body held, counted apart from the rows the reader turned into records."""
        return len(self.rows) if self.body_rows is None else self.body_rows
