"""The parse cache's data-only format: a FileRead as tagged JSON, each DataFrame in it as an Arrow IPC stream.

Nothing here names code to run: a dataclass or enum is rebuilt only from the short list below, by name, and every
other value is a plain JSON value or a tag object with exactly one known key. A type the format does not know makes
`encode` raise Unsupported, so a field added to FileRead, SheetRead or Finding round-trips or fails its test loudly.
"""
from __future__ import annotations

import io
import json
import struct
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum

import numpy as np
import pandas as pd
import pyarrow as pa

from .findings import Finding
from .reader import FileRead, SheetRead
from .vocab import Category, Item, Severity, Status

# The only classes an entry may name. A new dataclass or enum in a FileRead must be added here (its test says so).
DATACLASSES: dict[str, type] = {c.__name__: c for c in (FileRead, SheetRead, Finding)}
ENUMS: dict[str, type[Enum]] = {c.__name__: c for c in (Severity, Status, Category, Item)}
_HEADER = struct.Struct(">I")
# Object-column values Arrow stores exactly as one typed column when a column holds a single one of these types.
_ARROW_TYPES = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_(), date: pa.date32()}
_NUMPY_SCALARS = (np.bool_, np.integer, np.floating)
_BYTES = {"bytes": 1}           # the spec of a stored bytes value, where a frame's spec would be


class Unsupported(TypeError):
    """A value the cache format cannot store exactly: a programming error to fix here, never to drop silently."""


class _NoFrames(list):
    """Where a frame may not be: a cell, a label or an attribute of another frame."""

    def append(self, item) -> None:
        raise Unsupported("a DataFrame inside a DataFrame")


def encode(read: FileRead, key: dict) -> bytes:
    """Return the body of an entry: a length-prefixed JSON header, then one Arrow IPC stream per frame."""
    return encode_value(read, key)


class _Blobs(list):
    """Where bytes may be stored as they are: entries of the rerun's parts, never a FileRead (whose cells hold none)."""


def encode_value(value, key: dict, *, raw: bool = False) -> bytes:
    """Return the body of an entry holding any value the format knows; with `raw`, bytes too, stored as they are."""
    frames: list[bytes] = _Blobs() if raw else []
    specs: list[dict] = []
    tree = _value(value, frames, specs)
    offsets, at = [], 0
    for blob in frames:
        offsets.append([at, len(blob)])
        at += len(blob)
    header = json.dumps({"key": key, "read": tree, "frames": [[*o, s] for o, s in zip(offsets, specs)]},
                        ensure_ascii=False, separators=(",", ":")).encode()
    return b"".join([_HEADER.pack(len(header)), header, *frames])


def header_of(body: bytes) -> tuple[dict, memoryview]:
    """Split a body into its JSON header and the frames' bytes."""
    (size,) = _HEADER.unpack_from(body)
    head = json.loads(bytes(body[_HEADER.size:_HEADER.size + size]))
    if not isinstance(head, dict):
        raise ValueError("header is not an object")
    return head, memoryview(body)[_HEADER.size + size:]


def decode(head: dict, blobs: memoryview) -> FileRead:
    """Rebuild the FileRead of an entry whose header has been checked."""
    read = decode_value(head, blobs)
    if type(read) is not FileRead:
        raise ValueError("entry does not hold a FileRead")
    return read


def decode_value(head: dict, blobs: memoryview):
    """Rebuild the value of an entry whose header has been checked."""
    frames = [bytes(blobs[at:at + size]) if spec == _BYTES else _frame(blobs[at:at + size], spec)
              for at, size, spec in head["frames"]]
    return _build(head["read"], frames)


def _value(v, frames: list[bytes], specs: list[dict]):
    """Return v as tagged JSON; frames go to `frames`, their layout to `specs`."""
    t = type(v)
    if v is None or t in (str, int, float, bool):
        return v
    if isinstance(v, Enum):
        if ENUMS.get(t.__name__) is not t:
            raise Unsupported(f"enum {t.__qualname__} is not registered in cache_format.ENUMS")
        return {"$enum": [t.__name__, v.value]}
    if is_dataclass(v) and not isinstance(v, type):
        if DATACLASSES.get(t.__name__) is not t:
            raise Unsupported(f"dataclass {t.__qualname__} is not registered in cache_format.DATACLASSES")
        if any(not f.init for f in fields(v)):
            raise Unsupported(f"dataclass {t.__qualname__} has a field outside __init__")
        return {"$dc": [t.__name__, {f.name: _value(getattr(v, f.name), frames, specs) for f in fields(v)}]}
    if t is tuple:
        return {"$tuple": [_value(x, frames, specs) for x in v]}
    if t is list:
        return [_value(x, frames, specs) for x in v]
    if t is dict:
        if not all(type(k) is str for k in v):
            raise Unsupported("a dict's keys must be str")
        return {"$dict": {k: _value(x, frames, specs) for k, x in v.items()}}
    if t is date:
        return {"$date": v.isoformat()}
    if t is datetime:
        if v.tzinfo is not None:
            raise Unsupported("a datetime with a time zone")
        return {"$datetime": v.isoformat()}
    if isinstance(v, _NUMPY_SCALARS):
        return {"$np": [v.dtype.str, v.item()]}
    if t is bytes and type(frames) is _Blobs:
        frames.append(v)
        specs.append(_BYTES)
        return {"$bytes": len(frames) - 1}
    if t is pd.DataFrame:
        blob, spec = _frame_bytes(v)
        frames.append(blob)
        specs.append(spec)
        return {"$frame": len(frames) - 1}
    raise Unsupported(f"{t.__module__}.{t.__qualname__} is not a type the parse cache can store")


def _build(v, frames: list[pd.DataFrame]):
    """Rebuild a value from its tagged JSON."""
    if v is None or type(v) in (str, int, float, bool):
        return v
    if type(v) is list:
        return [_build(x, frames) for x in v]
    if type(v) is not dict or len(v) != 1:
        raise ValueError("not a tagged value")
    (tag, x), = v.items()
    if tag == "$tuple":
        return tuple(_build(i, frames) for i in x)
    if tag == "$dict":
        return {k: _build(i, frames) for k, i in x.items()}
    if tag == "$dc":
        name, values = x
        return DATACLASSES[name](**{k: _build(i, frames) for k, i in values.items()})
    if tag == "$enum":
        return ENUMS[x[0]](x[1])
    if tag == "$date":
        return date.fromisoformat(x)
    if tag == "$datetime":
        return datetime.fromisoformat(x)
    if tag == "$np":
        return np.dtype(x[0]).type(x[1])
    if tag == "$frame" and type(frames[x]) is pd.DataFrame:
        return frames[x]
    if tag == "$bytes" and type(frames[x]) is bytes:
        return frames[x]
    raise ValueError(f"unknown tag {tag}")


def dtype_spec(dtype) -> object:
    """Describe a column's dtype; Arrow restores every other detail, but not a string column's storage."""
    if isinstance(dtype, pd.StringDtype):
        return {"string": [dtype.storage, "nan" if dtype.na_value is np.nan else "NA"]}
    if isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype, pd.SparseDtype, pd.ArrowDtype)):
        raise Unsupported(f"column dtype {dtype}")
    return str(dtype)


def _pandas_dtype(spec) -> object:
    if isinstance(spec, dict):
        storage, na = spec["string"]
        return pd.StringDtype(storage, na_value=np.nan if na == "nan" else pd.NA)
    return spec


def _frame_bytes(df: pd.DataFrame) -> tuple[bytes, dict]:
    """Write a frame as one Arrow table of columns named by position; object columns are stored as their values are.

    The frame is handled whole, not column by column: pandas' per-column overhead would cost more than the cache saves.
    """
    if isinstance(df.columns, pd.MultiIndex) or isinstance(df.index, pd.MultiIndex):
        raise Unsupported("a MultiIndex")
    dtypes = df.dtypes.tolist()
    ranged = isinstance(df.index, pd.RangeIndex)
    if not ranged and df.index.dtype == object:
        raise Unsupported("an index of Python objects")
    columns = df.columns
    labels = [columns.start, columns.stop, columns.step] if isinstance(columns, pd.RangeIndex) else [
        _value(c, _NoFrames(), []) for c in columns]
    spec = {"labels": labels, "label_range": isinstance(columns, pd.RangeIndex),
            "label_dtype": dtype_spec(columns.dtype),
            "label_name": _value(df.columns.name, _NoFrames(), []), "dtypes": [dtype_spec(d) for d in dtypes],
            "index": [df.index.start, df.index.stop, df.index.step] if ranged else None,
            "index_name": _value(df.index.name, _NoFrames(), []), "index_dtype": dtype_spec(df.index.dtype),
            "rows": len(df), "attrs": _value(dict(df.attrs), _NoFrames(), []), "objects": {}}
    # An object column of None alone is an Arrow null column, which comes back as it went; any other is kept apart.
    objects = {}
    for i, dtype in enumerate(dtypes):
        values = df.iloc[:, i].to_numpy() if dtype == object else None
        if values is not None and set(map(type, values)) - {type(None)}:
            objects[i] = values
    plain = df.iloc[:, [i for i in range(len(dtypes)) if i not in objects]] if objects else df
    plain = plain.set_axis([f"c{i}" for i in range(len(dtypes)) if i not in objects], axis=1)
    sink = io.BytesIO()
    try:
        table = pa.Table.from_pandas(plain, preserve_index=not ranged, nthreads=1)
        for i, values in objects.items():
            kind, array = _object_array(values)
            spec["objects"][f"c{i}"] = kind
            table = table.append_column(f"c{i}", array)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    except pa.ArrowException as exc:
        raise Unsupported(f"a frame Arrow cannot store: {exc}") from exc
    return sink.getvalue(), spec


def _object_array(values: np.ndarray) -> tuple[str, pa.Array]:
    """Store an object column as one Arrow type when it holds one plain type, else each value as tagged JSON."""
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) <= 1:
        kind = next(iter(kinds), None)
        if kind is None:
            return "arrow", pa.nulls(len(values))
        if kind in _ARROW_TYPES:
            try:
                return "arrow", pa.array(values, type=_ARROW_TYPES[kind], from_pandas=False)
            except (pa.ArrowException, OverflowError):
                pass            # an int beyond int64: stored as JSON below
    return "json", pa.array([json.dumps(_value(v, _NoFrames(), [])) for v in values], type=pa.string())


def _frame(blob: memoryview, spec: dict) -> pd.DataFrame:
    """Read one frame back from its Arrow IPC stream and its layout, and check every column's dtype."""
    whole = pa.ipc.open_stream(pa.py_buffer(blob)).read_all()
    objects = spec["objects"]
    table = whole.select([n for n in whole.column_names if n not in objects]) if objects else whole
    ranged = spec["index"] is not None
    checked = False
    if not table.num_columns:
        df = pd.DataFrame(index=pd.RangeIndex(spec["rows"]))
    else:
        if ranged:
            # Arrow's own types give most frames their dtypes, without the slower reading of pandas' metadata.
            df = table.to_pandas(use_threads=False, ignore_metadata=True)
            checked = [dtype_spec(d) for d in df.dtypes.tolist()] == [
                d for i, d in enumerate(spec["dtypes"]) if f"c{i}" not in objects]
        if not checked:
            df = table.to_pandas(use_threads=False)
    for name in sorted(objects, key=lambda n: int(n[1:])):
        values = whole.column(name).to_pylist()
        if objects[name] == "json":
            values = [_build(json.loads(v), []) for v in values]
        array = np.empty(len(values), dtype=object)
        array[:] = values
        # A Series of dtype object, for pandas would infer str from a bare array of strings.
        df.insert(int(name[1:]), name, pd.Series(array, index=df.index, dtype=object, copy=False))
    if ranged:
        df.index = pd.RangeIndex(*spec["index"])
    if not checked:
        df = _retype(df, spec)
    df.index.name = _build(spec["index_name"], [])
    name = _build(spec["label_name"], [])
    df.columns = pd.RangeIndex(*spec["labels"], name=name) if spec["label_range"] else pd.Index(
        [_build(v, []) for v in spec["labels"]], dtype=_pandas_dtype(spec["label_dtype"]), name=name)
    if spec["attrs"] != {"$dict": {}}:
        df.attrs.update(_build(spec["attrs"], []))
    return df


def _retype(df: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Give string columns back their storage, which Arrow does not keep; refuse any other change of dtype."""
    fixes = {}
    for name, want, got in zip(df.columns, spec["dtypes"], df.dtypes.tolist()):
        if dtype_spec(got) != want:
            if not (isinstance(want, dict) and isinstance(got, pd.StringDtype)):
                raise ValueError(f"column {name} came back as {got}, not {want}")
            fixes[name] = _pandas_dtype(want)
    if dtype_spec(df.index.dtype) != spec["index_dtype"]:
        df.index = df.index.astype(_pandas_dtype(spec["index_dtype"]))
    return df.astype(fixes) if fixes else df
