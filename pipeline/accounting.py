"""Account for every row read: used, named by a finding, or set aside as a note or a total line, and nothing else."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .findings import Finding, finding
from .reader import FileRead
from .reader.folder import FILE
from .reader.margins import span_of

Key = tuple[str, str]


@dataclass(frozen=True)
class InputRow:
    """One input entry or sheet: what was read from it and what became of each row."""

    file: str
    sheet: str
    kind: str
    unit: str
    rows_read: int
    rows_used: int
    rows_reported: int
    rows_set_aside: int = 0        # notes, headings, sign-off and total lines: not records, each listed in `note`
    note: str = ""

    @property
    def reconciled(self) -> bool:
        return self.rows_read == self.rows_used + self.rows_reported + self.rows_set_aside


@dataclass(frozen=True, eq=False)
class SheetRows:
    """One sheet's rows as the quarter's assembly left them, as Excel numbers them."""

    file: str
    sheet: str
    kind: str
    unit: str
    read: np.ndarray            # every non-empty row the sheet holds below its title
    used: np.ndarray            # the rows whose records the quarter uses
    notes: tuple[int, ...]      # set aside by the reader as notes, headings and sign-off lines
    totals: tuple[int, ...]     # … and as 合计 / 小计 lines


@dataclass(frozen=True, eq=False)
class Ledger:
    """What became of every entry and row of a quarter folder, up to the rows that findings name.

    `quarter.assemble` keeps it; `close` adds the rows the findings name once the checks have run.
    """

    lines: tuple[InputRow | SheetRows, ...]     # an entry that is no sheet is a finished InputRow


def ledger(files: list[FileRead], progress: pd.DataFrame, roster: pd.DataFrame) -> Ledger:
    """Record, per entry and sheet of the quarter folder, the rows read, used and set aside."""
    used = _used_rows(progress, roster)
    lines: list[InputRow | SheetRows] = []
    for fr in files:
        if fr.kind != FILE:
            lines.append(InputRow(fr.file, "", fr.kind, "", 0, 0, 0, note=fr.skipped_reason))
        elif not fr.sheets:
            lines.append(InputRow(fr.file, "", "unreadable", "", 0, 0, 0,
                                  note="；".join(f.message for f in fr.findings)))
        for s in fr.sheets:
            lines.append(SheetRows(s.file, s.sheet, s.kind, s.unit or "", s.read_rows,
                                   used.get((s.file, s.sheet), np.zeros(0, dtype=np.int64)), s.notes, s.totals))
    return Ledger(tuple(lines))


def close(ledger: Ledger, findings: list[Finding]) -> tuple[list[InputRow], list[Finding]]:
    """Account for every sheet's rows, as Excel numbers them, against the rows the sheet itself holds.

    A row counts as used when the quarter uses its record, as reported when a finding names it, and as set aside
    when the reader took it for a note, a heading, a sign-off or a total line. A row read that is none of these, or a
    row used or named that was never read, is a rows-unaccounted error naming the rows, and 不符 in 读取核对.
    """
    named: dict[Key, list[int]] = {}
    for f in findings:
        if f.left_out:
            named.setdefault((f.file, f.sheet), []).extend(f.left_out)
    out: list[InputRow] = []
    unaccounted: list[Finding] = []
    for line in ledger.lines:
        if isinstance(line, InputRow):
            out.append(line)
            continue
        read, u = line.read, line.used
        n = np.setdiff1d(np.array(named.get((line.file, line.sheet), ()), dtype=np.int64), u)
        aside = np.setdiff1d(np.setdiff1d(np.array(line.notes + line.totals, dtype=np.int64), u), n)
        accounted = np.concatenate([u, n, aside])
        lost = read[~np.isin(read, accounted)]
        stray = np.setdiff1d(accounted, read)
        row = InputRow(line.file, line.sheet, line.kind, line.unit, len(read), len(u), len(n), len(aside),
                       _note(line.notes, line.totals))
        out.append(row)
        if len(lost) or len(stray):
            unaccounted.append(_unaccounted(row, lost, stray))
    return out, unaccounted


def _used_rows(progress: pd.DataFrame, roster: pd.DataFrame) -> dict[Key, np.ndarray]:
    """Return the distinct Excel rows whose records the quarter uses, per sheet."""
    used: dict[Key, np.ndarray] = {}
    for frame in (progress, roster):
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
