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

    @property
    def rows_read(self) -> int:
        return len(self.rows)
