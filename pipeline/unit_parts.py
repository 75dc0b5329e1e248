"""Warm reruns: each roster file's part of the quarter's money and of the person detail, kept from the last run.

A quarter's persons are the rows of its roster files, one file after another, and a household never spans two files
(its key begins with the file's name). So the benefits computed file by file and put one after another are the
benefits of the whole roster, row for row and dtype for dtype; tests/test_rerun.py holds the two to each other and
every output of a warm rerun to a cold run's, byte for byte. When one unit resubmits, only its file's part is computed
and its rows of the office workbook's 对象明细 written again; the rest comes from output/.cache/parts/.

A part is kept under the hash of everything it is made of: jiekun's code (every module) and the versions of the
libraries that compute it; the parse cache's key of the file's read (reading settings, name, SHA-256 of the bytes, the
day IDs are checked against); the dtypes of the quarter's whole roster (another file can widen a column, and with it
this file's rows); the quarter and every parameter value its months are paid at. A sheet's rows of XML add where they
start, the styles of the template row and the masking (the sorted listed names, when the detail is masked). Anything
that cannot be keyed so, or whose parts do not fit together exactly, is computed afresh, as a cold run does.

Entries are stored as the parse cache's are (cache.py): data-only JSON, Arrow IPC and raw XML bytes, an HMAC under
the same key, 0600 in a 0700 folder; an entry that fails any check is a miss and deleted. The parts share the
[cache] limits with the parse cache: at the end of a run they keep what the last `runs_kept` runs used, within what
`max_mb` leaves after the parse cache's entries.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from . import benefits as rules
from .benefits import Benefits, Rates, Trace, by_unit, compute, rule_uses
from .cache import FORMAT, EntryStore, ParseCache
from .cache_format import Unsupported, decode_value, dtype_spec, encode_value
from .frames import HOUSEHOLD, PAID_PERSON
from .privacy import Masker
from .quarter import Quarter
from .reader import FileRead
from .reader.schema import ROSTER

FOLDER = "parts"                # output/.cache/parts/
BENEFITS, DETAIL = "benefits", "detail-rows"
_MONTHS = ("m0", "m1", "m2")
_PARTS = ("persons", "households", "trace", "active")


def libraries() -> str:
    """The versions of what computes and writes a part: a new pandas may type a column differently."""
    return f"{sys.version_info[:2]}|pandas {pd.__version__}|numpy {np.__version__}|pyarrow {pa.__version__}"


class UnitParts(EntryStore):
    """Each roster file's computed benefits and rows of person-detail XML, beside the parse cache."""

    def __init__(self, cache: ParseCache):
        super().__init__(cache.folder / FOLDER, runs_kept=cache.runs_kept, max_mb=cache.max_bytes >> 20,
                         key=cache.key)
        self.parse = cache
        self.stored = 0                 # bytes this run wrote
        self.room: int | None = None    # what max_mb leaves beside the parse cache; parts past it are not kept
        self.computed = self.reused = 0     # roster files' parts, for tests and the bench
        self._mask: tuple = (None, "full")  # the last masker asked about, and how it masks

    @classmethod
    def beside(cls, cache: ParseCache | None) -> UnitParts | None:
        return cls(cache) if cache is not None and cache.enabled else None

    # --- storage ------------------------------------------------------------------------------------------------

    def _fields(self, kind: str, digest: str) -> dict:
        return {"format": FORMAT, "code": self.code, "libraries": libraries(), "kind": kind, "key": digest}

    def _get(self, kind: str, digest: str, rebuild: Callable):
        fields = self._fields(kind, digest)
        return self.load_entry(self.entry_path(fields), fields, lambda head, blobs: rebuild(decode_value(head, blobs)))

    def _put(self, kind: str, digest: str, value) -> None:
        if self.room is None:
            self.room = self.max_bytes - _size(self.parse.folder)
        fields = self._fields(kind, digest)
        try:
            body = encode_value(value, fields, raw=True)
            if self.stored + len(body) > self.room:
                return      # eviction would drop it at the end of the run: not worth writing
            self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except (Unsupported, OSError):
            return          # the part is right, only not storable: made afresh next time too
        if self.store_entry(self.entry_path(fields), body):
            self.stored += len(body)

    # --- benefits -----------------------------------------------------------------------------------------------

    def benefits(self, quarter: Quarter, rates: Rates) -> Benefits:
        """Return what compute() returns for the quarter's roster, taking each roster file's part from the cache."""
        roster, period = quarter.roster, quarter.period
        layout = _blocks(roster)
        signature = _signature(roster)
        if not layout or signature is None or int(roster["used"].sum()) > rules.MAX_PERSONS:
            return compute(roster, period, rates)       # nothing to split, or the whole refuses (MAX_PERSONS)
        reads: dict[str, list[FileRead]] = {}
        for read in quarter.files:
            reads.setdefault(read.file, []).append(read)
        common = json.dumps([str(period), repr(sorted(rates.values.items())), signature], ensure_ascii=False)
        digests = [self._digest(common, reads.get(file, []), stop - start, period.end.isoformat())
                   for file, start, stop in layout]
        parts = [self._get(BENEFITS, d, _part_of) if d else None for d in digests]
        missed = [i for i, part in enumerate(parts) if part is None]
        self.computed, self.reused = self.computed + len(missed), self.reused + len(parts) - len(missed)
        if missed:
            # The files not kept are computed in one go, as a cold run computes them all: the wording of each shape
            # of household is made once, not once a file. The result is then cut back into the files' parts.
            blocks = [roster.iloc[layout[i][1]:layout[i][2]] for i in missed]
            rows = roster if len(missed) == len(layout) else pd.concat(blocks)
            pieces = _split(compute(rows.reset_index(drop=True), period, rates), blocks)
            if pieces is None:
                return compute(roster, period, rates)
            for i, piece in zip(missed, pieces):
                parts[i] = piece
                if digests[i]:
                    self._put(BENEFITS, digests[i], piece)
        return _merged(list(zip(digests, parts)), rates) or compute(roster, period, rates)

    def _digest(self, common: str, reads: list[FileRead], rows: int, day: str) -> str | None:
        """Key one file's part: the quarter, its rates and roster dtypes, and the hash of the file's read itself."""
        if len(reads) != 1 or not reads[0].sha256:
            return None
        read = reads[0]
        content = self.parse.content(read.file, read.sha256, day)
        if content is None:
            return None         # a read the parse cache does not hold (given up on, or not storable)
        if sum(len(s.rows) for s in read.sheets if s.kind == ROSTER and s.rows is not None) != rows:
            return None         # the rows are not all and only this read's
        return hashlib.sha256(json.dumps([common, read.file, content], ensure_ascii=False).encode()).hexdigest()

    # --- person detail ------------------------------------------------------------------------------------------

    def detail_rows(self, digest: str | None, span: tuple[int, int], first: int, styles: list[str], mask,
                    make: Callable[[], bytes | memoryview]) -> bytes | memoryview:
        """Return the sheet XML of rows `span` of one file's persons, starting at sheet row `first`: kept or made."""
        if self._mask[0] is not mask:
            self._mask = (mask, _masking(mask))
        masking = self._mask[1]
        key = None if digest is None or masking is None else hashlib.sha256(json.dumps(
            [digest, list(span), first, styles, masking]).encode()).hexdigest()
        if key is not None:
            kept = self._get(DETAIL, key, _bytes_of)
            if kept is not None:
                return kept
        xml = make()
        if key is not None:
            self._put(DETAIL, key, bytes(xml))
        return xml


def _size(folder: Path) -> int:
    """Return the bytes of the entries in a cache folder."""
    try:
        return sum(e.stat(follow_symlinks=False).st_size for e in os.scandir(folder) if e.name.endswith(".jkc"))
    except OSError:
        return 0


def _blocks(roster: pd.DataFrame) -> list[tuple[str, int, int]] | None:
    """Return the roster's rows file by file, as (file, start, stop); None when a file's rows are not together."""
    if roster.empty or "_file" not in roster:
        return None
    files = roster["_file"].to_numpy(dtype=object)
    cuts = (np.flatnonzero(files[1:] != files[:-1]) + 1).tolist()
    blocks = [(files[a], a, b) for a, b in zip([0, *cuts], [*cuts, len(files)])]
    if len({f for f, _, _ in blocks}) != len(blocks) or not all(isinstance(f, str) for f, _, _ in blocks):
        return None
    return blocks


def _signature(roster: pd.DataFrame) -> list | None:
    """Return the columns and dtypes of the whole roster, or None for a dtype the cache format cannot name."""
    try:
        return [[str(c), dtype_spec(d)] for c, d in roster.dtypes.items()]
    except Unsupported:
        return None


def _split(b: Benefits, blocks: list[pd.DataFrame]) -> list[dict] | None:
    """Cut the benefits of several files' rows back into each file's part; None when the counts do not add up."""
    counts = []
    for rows in blocks:
        paid = rows.loc[rows["used"].to_numpy(dtype=bool), "household_key"]
        counts.append((len(paid), paid.nunique()))
    if sum(p for p, _ in counts) != len(b.persons) or sum(h for _, h in counts) != len(b.households):
        return None
    out, p0, h0 = [], 0, 0
    for persons, households in counts:
        if not persons:
            out.append({"paid": False})
            continue
        hh = b.households.iloc[h0:h0 + households].reset_index(drop=True)
        gaps = hh[["gap_m0", "gap_m1", "gap_m2"]].to_numpy(np.int64)      # 差额 of the months within 享受 dates
        out.append({"paid": True, "persons": b.persons.iloc[p0:p0 + persons].reset_index(drop=True), "households": hh,
                    "trace": b.trace.households.iloc[h0:h0 + households].reset_index(drop=True),
                    "active": pd.DataFrame(b.trace.active[h0:h0 + households], columns=list(_MONTHS)),
                    "gap_fen": int(gaps.sum()),
                    "gap_person_months": int(((gaps > 0).sum(axis=1) * hh["members"].to_numpy(np.int64)).sum())})
        p0, h0 = p0 + persons, h0 + households
    return out


def _part_of(value) -> dict:
    """Check a stored part's shape and return it."""
    if type(value) is not dict or type(value.get("paid")) is not bool:
        raise ValueError("not a part")
    if not value["paid"]:
        return value
    if any(type(value.get(k)) is not pd.DataFrame for k in _PARTS) or \
            any(type(value.get(k)) is not int for k in ("gap_fen", "gap_person_months")) or \
            list(value["active"].columns) != list(_MONTHS) or len(value["active"]) != len(value["households"]):
        raise ValueError("not a part")
    return value


def _merged(parts: list[tuple[str | None, dict]], rates: Rates) -> Benefits | None:
    """Put the files' parts one after another; None when they do not fit together exactly (dtypes differ)."""
    paid = [(d, p) for d, p in parts if p["paid"]]
    if not paid:
        return None
    try:
        for name in ("persons", "households", "trace"):
            if len({json.dumps([[str(c), dtype_spec(t)] for c, t in p[name].dtypes.items()]) for _, p in paid}) != 1:
                return None
    except Unsupported:
        return None
    persons = pd.concat([p["persons"] for _, p in paid], ignore_index=True)
    households = pd.concat([p["households"] for _, p in paid], ignore_index=True)
    trace = Trace(rates.period, rule_uses(rates), pd.concat([p["trace"] for _, p in paid], ignore_index=True),
                  np.concatenate([p["active"].to_numpy(dtype=bool) for _, p in paid]))
    return Benefits(HOUSEHOLD.check(households, "compute"), PAID_PERSON.check(persons, "compute"), by_unit(persons),
                    sum(p["gap_fen"] for _, p in paid), sum(p["gap_person_months"] for _, p in paid), rates, trace,
                    parts=tuple((d, len(p["persons"])) for d, p in paid))


def _bytes_of(value) -> bytes:
    if type(value) is not bytes:
        raise ValueError("not rows of XML")
    return value


def _masking(mask) -> str | None:
    """Name how a detail sheet masks: in full, or by the listed names; None for a masker that cannot be named."""
    if mask is None:
        return "full"
    if type(mask) is Masker:
        return "masked:" + hashlib.sha256("\n".join(sorted(mask.names)).encode()).hexdigest()
    return None
