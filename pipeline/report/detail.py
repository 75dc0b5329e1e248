"""The person detail as Parquet (对象明细-<period>.parquet): one row per person paid, typed columns, any size.

A city or province office queries many districts' files at once with pandas or DuckDB, past any workbook's
1,048,576 rows. It is the person detail, so it holds names and IDs in full unless config.toml [privacy] masks them.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from ..privacy import mask_id, mask_name
from ..vocab import ITEM_FIELDS
from . import Bundle, Due, Report

COLUMNS = {"unit": "unit", "community": "community", "household_no": "household_no", "name": "name",
           "id_number": "id_number", "id_status": "id_status", "relation": "relation", "category": "category",
           "months_paid": "months_paid", **{f: f for f in ITEM_FIELDS.values()}, "amount_fen": "amount_fen",
           "explanation": "explanation", "_file": "file", "_row": "row"}


def file_name(period) -> str:
    return f"对象明细-{period}.parquet"


def detail_frame(persons: pd.DataFrame, period: str, mask: Callable[[str], str] | None = None) -> pd.DataFrame:
    """Return the person detail with stable snake_case columns and types; with `mask`, every text is masked."""
    frame = pd.DataFrame({new: persons[old] if old in persons else pd.Series(dtype=object)
                          for old, new in COLUMNS.items()})
    frame.insert(0, "period", period)
    for col in ("period", "unit", "community", "household_no", "name", "id_number", "id_status", "relation",
                "category", "explanation", "file"):
        frame[col] = frame[col].astype("string")
    for col in ("months_paid", *ITEM_FIELDS.values(), "amount_fen", "row"):
        frame[col] = pd.to_numeric(frame[col]).astype("int64") if len(frame) else frame[col].astype("int64")
    if mask is not None:
        frame["name"] = frame["name"].map(mask_name, na_action="ignore").astype("string")
        frame["id_number"] = frame["id_number"].map(mask_id, na_action="ignore").astype("string")
        for col in ("community", "household_no", "explanation", "file"):
            frame[col] = frame[col].map(mask, na_action="ignore").astype("string")
    return frame


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    frame = detail_frame(ctx.persons, str(ctx.period), staging.mask if bundle.config.mask_person_detail else None)
    staging.write_with(file_name(ctx.period), lambda p: frame.to_parquet(p, index=False, compression="zstd"))


REPORT = Report("对象明细（Parquet）", Due.QUARTER, write)
