"""Money policy in one place: amounts are integer fen; rounding is half-up to the fen."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def to_fen(yuan: Decimal | int | float | str) -> int:
    """Convert a yuan amount to integer fen, rounding half-up (the only rounding rule we use)."""
    return int((Decimal(str(yuan)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_half_up_div(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Divide integer arrays and round the quotient half-up, exactly, without floats."""
    numerator = np.asarray(numerator, dtype=np.int64)
    denominator = np.asarray(denominator, dtype=np.int64)
    return (2 * numerator + denominator) // (2 * denominator)


def yuan(fen: int | np.integer) -> float:
    """Return fen as a yuan float with exactly two decimals, for JSON and spreadsheets."""
    return round(int(fen) / 100, 2)


def fmt(fen: int | np.integer) -> str:
    """Format fen as 1234.50."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def fmt_param(value: Decimal | float | int) -> str:
    """Format a number as the plan writes it: 670, 0.8 or 870.5 — no trailing zeros."""
    return format(Decimal(str(value)).normalize(), "f")


def fmt_grouped(fen: int | np.integer) -> str:
    """Format fen as 1,234,567.89 for reports."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"
