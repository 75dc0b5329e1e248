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

from ..privacy import Masker, mask_id, mask_id_column, mask_name
from ..vocab import ITEM_FIELDS
from . import Bundle, Due, Report

COLUMNS = {"unit": "unit", "community": "community", "household_no": "household_no", "name": "name",
           "id_number": "id_number", "id_status": "id_status", "relation": "relation", "category": "category",
           "months_paid": "months_paid", **{f: f for f in ITEM_FIELDS.values()}, "amount_fen": "amount_fen",
           "explanation": "explanation", "file": "file", "row": "row"}
TEXT = ("period", "unit", "community", "household_no", "name", "id_number", "person_key", "id_status", "relation",
        "category", "explanation", "file")
CLERKS_TEXT = ("community", "household_no", "name", "relation", "file")
# The file's columns, in order: what a city may rely on, and all a roll-up passes on.
FIELDS = ("period", *[c for new in COLUMNS.values() for c in ((new, "person_key") if new == "id_number" else (new,))])
_KEY = "^[0-9a-f]{24}$"


def file_name(period) -> str:
    return f"对象明细-{period}.parquet"


def person_key(id_number: str, key: str) -> str:
    """Return a keyed hash of a valid ID: equal for the same person wherever the same key is used, never the ID."""
    return hmac.new(key.encode(), id_number.encode(), hashlib.sha256).hexdigest()[:24]


def detail_frame(persons: pd.DataFrame, period: str, mask: Masker, link_key: str = "") -> pd.DataFrame:
    """Return the person detail with stable snake_case columns and types, every name, ID and text masked."""
    frame = pd.DataFrame({new: persons[old] if old in persons else pd.Series(dtype=object)
                          for old, new in COLUMNS.items()})
    frame.insert(0, "period", period)
    valid = frame["id_status"] == "ok"
    keys = frame["id_number"].where(valid).map(lambda i: person_key(i, link_key), na_action="ignore") \
        if link_key else pd.Series(pd.NA, index=frame.index)
    frame.insert(frame.columns.get_loc("id_number") + 1, "person_key", keys)
    frame["id_number"] = mask_id_column(frame["id_number"])
    # Every text a clerk typed goes through the one masker, relations and 户编号 included; each distinct value once.
    # The rest is jiekun's own: the registry's unit names, the category and ID status words, the arithmetic.
    for col in CLERKS_TEXT:
        frame[col] = _masked(frame[col], _names if col == "name" else mask.words)
    for col in TEXT:
        frame[col] = frame[col].astype("string")
    for col in ("months_paid", *ITEM_FIELDS.values(), "amount_fen", "row"):
        frame[col] = pd.to_numeric(frame[col]).astype("int64") if len(frame) else frame[col].astype("int64")
    return frame


def _masked(values: pd.Series, mask: Callable[[list], list]) -> np.ndarray:
    """Mask each distinct value of a column once (missing values stay missing)."""
    import pyarrow as pa

    try:
        words = pa.array(values, from_pandas=True)
        words = words.combine_chunks() if isinstance(words, pa.ChunkedArray) else words
        words = words.cast(pa.large_string()) if not pa.types.is_large_string(words.type) else words
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        words = pa.array([None if pd.isna(v) else str(v) for v in values], type=pa.large_string())
    words = words.dictionary_encode()
    masked = np.empty(len(words.dictionary), dtype=object)
    masked[:] = mask(words.dictionary.to_pylist())
    codes = words.indices.fill_null(-1).to_numpy()
    return np.where(codes >= 0, masked[codes] if len(masked) else None, None)


def _names(texts: list[str]) -> list[str]:
    return [mask_name(t) for t in texts]


def masked_table(table, mask: Masker):
    """Return a detail table from any source with only the contract's columns, each text masked as a district does."""
    # Masking what is already masked changes nothing, so a district's own file passes unchanged; an old or edited one
    # loses any other column, and its names, IDs and free text are masked here.
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for name in (f for f in FIELDS if f in table.column_names):
        column = table[name].combine_chunks()
        if name not in TEXT:
            # No count, row or amount in fen has 15 digits: such a number can only be an ID stored as a number.
            if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
                column = pc.if_else(pc.less(pc.abs(column), 10 ** 14), column, pa.scalar(None, column.type))
            columns[name] = column
            continue
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.large_string())
        if name == "person_key":        # a keyed hash or nothing: anything else may be an ID
            column = pc.if_else(pc.match_substring_regex(column, _KEY), column, pa.scalar(None, column.type))
        else:
            words = column.dictionary_encode()
            values = words.dictionary.to_pylist()
            fn = {"name": mask_name, "id_number": mask_id}.get(name)
            values = [fn(v) for v in values] if fn else mask.words(values)
            column = pc.take(pa.array(values, column.type), words.indices)
        columns[name] = column
    return pa.table(columns)


def write(bundle: Bundle, staging) -> None:
    ctx = bundle.quarter
    frame = detail_frame(ctx.persons, str(ctx.period), staging.mask, bundle.config.link_key)
    staging.write_with(file_name(ctx.period), lambda p: frame.to_parquet(p, index=False, compression="zstd"))


REPORT = Report("对象明细（Parquet）", Due.QUARTER, write)
