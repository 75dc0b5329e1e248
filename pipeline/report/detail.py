"""The person detail as Parquet (对象明细-<period>.parquet): one row per person paid, typed columns, any size.

A city or province office queries many districts' files at once with pandas or DuckDB, past any workbook's
1,048,576 rows. Like every output but the office workbook's person detail, it carries no name or ID in full
(contracts.md): names and IDs are masked, and with [privacy] link_key set, `person_key` (a keyed hash of the ID,
the same in every district given the same key) lets a city find one person paid in two districts without any ID.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Callable

import numpy as np
import pandas as pd

from ..privacy import mask_id_column, mask_name, may_be_personal
from ..vocab import ITEM_FIELDS
from . import Bundle, Due, Report

COLUMNS = {"unit": "unit", "community": "community", "household_no": "household_no", "name": "name",
           "id_number": "id_number", "id_status": "id_status", "relation": "relation", "category": "category",
           "months_paid": "months_paid", **{f: f for f in ITEM_FIELDS.values()}, "amount_fen": "amount_fen",
           "explanation": "explanation", "_file": "file", "_row": "row"}
TEXT = ("period", "unit", "community", "household_no", "name", "id_number", "person_key", "id_status", "relation",
        "category", "explanation", "file")


def file_name(period) -> str:
    return f"对象明细-{period}.parquet"


def person_key(id_number: str, key: str) -> str:
    """Return a keyed hash of a valid ID: equal for the same person wherever the same key is used, never the ID."""
    return hmac.new(key.encode(), id_number.encode(), hashlib.sha256).hexdigest()[:24]


def detail_frame(persons: pd.DataFrame, period: str, mask: Callable[[str], str], link_key: str = "") -> pd.DataFrame:
    """Return the person detail with stable snake_case columns and types, every name, ID and text masked."""
    frame = pd.DataFrame({new: persons[old] if old in persons else pd.Series(dtype=object)
                          for old, new in COLUMNS.items()})
    frame.insert(0, "period", period)
    valid = frame["id_status"] == "ok"
    keys = frame["id_number"].where(valid).map(lambda i: person_key(i, link_key), na_action="ignore") \
        if link_key else pd.Series(pd.NA, index=frame.index)
    frame.insert(frame.columns.get_loc("id_number") + 1, "person_key", keys)
    # Each distinct value is masked once; the explanation is jiekun's own arithmetic and names no one.
    frame["id_number"] = mask_id_column(frame["id_number"])
    for col, fn in (("name", mask_name), ("community", mask), ("household_no", mask), ("file", mask)):
        codes, uniques = pd.factorize(frame[col])
        masked = np.array(uniques, dtype=object)
        # A 户编号 such as HF-0012 can hold neither an ID nor a name: only texts that could are run through the masker.
        need = may_be_personal(pd.Series(masked)) if fn is mask else np.ones(len(masked), dtype=bool)
        masked[need] = [fn(v) for v in masked[need]]
        frame[col] = np.where(codes >= 0, masked[codes] if len(masked) else None, None)
    for col in TEXT:
        frame[col] = frame[col].astype("string")
    for col in ("months_paid", *ITEM_FIELDS.values(), "amount_fen", "row"):
        frame[col] = pd.to_numeric(frame[col]).astype("int64") if len(frame) else frame[col].astype("int64")
    return frame


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    frame = detail_frame(ctx.persons, str(ctx.period), staging.mask, bundle.config.link_key)
    staging.write_with(file_name(ctx.period), lambda p: frame.to_parquet(p, index=False, compression="zstd"))


REPORT = Report("对象明细（Parquet）", Due.QUARTER, write)
