"""Account for every row read: used, named by a finding, or set aside as a note or a total line, and nothing else."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import InputRow
from .findings import Finding, finding
from .quarter import Quarter
from .reader import FileRead
from .reader.folder import FILE
from .reader.margins import span_of

Key = tuple[str, str]


def accounting(files: list[FileRead], quarter: Quarter,
               findings: list[Finding]) -> tuple[list[InputRow], list[Finding]]:
    """Account for every sheet's rows, as Excel numbers them, against the rows the sheet itself holds.

    A row counts as used when the quarter uses its record, as reported when a finding names it, and as set aside
    when the reader took it for a note, a heading, a sign-off or a total line. A row read that is none of these, or a
    row used or named that was never read, is a rows-unaccounted error naming the rows, and 不符 in 读取核对.
    """
    used = _used_rows(quarter)
    named: dict[Key, list[int]] = {}
    for f in findings:
        if f.left_out:
            named.setdefault((f.file, f.sheet), []).extend(f.left_out)
    out: list[InputRow] = []
    unaccounted: list[Finding] = []
    for fr in files:
        if fr.kind != FILE:
            out.append(InputRow(fr.file, "", fr.kind, "", 0, 0, 0, note=fr.skipped_reason))
        elif not fr.sheets:
            out.append(InputRow(fr.file, "", "unreadable", "", 0, 0, 0, note="；".join(f.message for f in fr.findings)))
        for s in fr.sheets:
            key = (s.file, s.sheet)
            read = s.read_rows
            u = used.get(key, np.zeros(0, dtype=np.int64))
            n = np.setdiff1d(np.array(named.get(key, ()), dtype=np.int64), u)
            aside = np.setdiff1d(np.setdiff1d(np.array(s.notes + s.totals, dtype=np.int64), u), n)
            accounted = np.concatenate([u, n, aside])
            lost = read[~np.isin(read, accounted)]
            stray = np.setdiff1d(accounted, read)
            row = InputRow(s.file, s.sheet, s.kind, s.unit or "", len(read), len(u), len(n), len(aside),
                           _note(s.notes, s.totals))
            out.append(row)
            if len(lost) or len(stray):
                unaccounted.append(_unaccounted(row, lost, stray))
    return out, unaccounted


def _used_rows(quarter: Quarter) -> dict[Key, np.ndarray]:
    """Return the distinct Excel rows whose records the quarter uses, per sheet."""
    used: dict[Key, np.ndarray] = {}
    for frame in (quarter.progress, quarter.roster):
        if len(frame):
            kept = frame.loc[frame["used"].astype(bool), ["_file", "_sheet", "_row"]]
            for (f, s), rows in kept.groupby(["_file", "_sheet"])["_row"]:
                used[(f, s)] = np.unique(pd.to_numeric(rows).to_numpy(dtype=np.int64))
    return used


def _note(notes: tuple[int, ...], totals: tuple[int, ...]) -> str:
    """Say which rows were set aside, so a clerk can look at each one."""
    parts = []
    if notes:
        parts.append(f"{span_of(np.array(notes) - 1)}为说明、标题或签名行")
    if totals:
        parts.append(f"{span_of(np.array(totals) - 1)}为合计行")
    return "；".join(parts)


def _unaccounted(row: InputRow, lost: np.ndarray, stray: np.ndarray) -> Finding:
    where = []
    if len(lost):
        where.append(f"{span_of(lost - 1)}读取后既未采用、也未列入问题")
    if len(stray):
        where.append(f"{span_of(stray - 1)}被采用或列入问题，却不在读取的行中")
    aside = f"，说明或合计行{row.rows_set_aside}行" if row.rows_set_aside else ""
    return finding("rows-unaccounted", f"读取{row.rows_read}行，采用{row.rows_used}行，列入问题{row.rows_reported}行{aside}；"
                   f"{'，'.join(where)}。请把此文件发给维护人员核查。",
                   unit=row.unit, file=row.file, sheet=row.sheet, row=int((lost if len(lost) else stray)[0]),
                   left_out=())
