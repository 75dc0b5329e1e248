"""The parameter values a quarter paid: each with the months it was paid in and the plan floor it meets or not."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .benefits import Benefits
from .config import Config
from .parameters import SPEC


@dataclass(frozen=True)
class StandardRow:
    """One parameter value paid in the quarter, the months it was paid in, and the plan floor it meets or not."""

    name: str
    label: str
    unit: str
    value: Decimal
    start: date
    months: tuple[int, ...]
    source: str
    floor: Decimal | None

    @property
    def ok(self) -> bool:
        return self.floor is None or self.value >= self.floor


def standards(config: Config, benefits: Benefits) -> tuple[StandardRow, ...]:
    """List every parameter value paid in the quarter with the months it applied to and its year's floor."""
    rates = benefits.rates
    period = rates.period
    out = []
    for name, months in rates.values.items():
        seen: dict = {}
        for m, key, v in zip(period.months, period.month_keys, months):
            seen.setdefault((v, key // 12), []).append(m)
        for (v, year), paid in seen.items():
            floor = config.parameters.floor(year, name)
            out.append(StandardRow(name=name, label=SPEC[name].label, unit=SPEC[name].unit, value=v.value,
                                   start=v.start, months=tuple(paid), source=v.source,
                                   floor=floor.value if floor else None))
    return tuple(out)
