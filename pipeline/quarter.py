"""Assemble one quarter from its read files: chosen submissions, progress rows with flags, and the roster."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .accounting import Ledger, ledger
from .frames import PERSON, PERSON_READ, PROGRESS_READ
from .frames import PROGRESS as PROGRESS_FRAME
from .matrix import Matrix
from .period import Period
from .reader import FileRead
from .reader.schema import PROGRESS, ROSTER

SUBMISSION_COLUMNS = ["unit", "file", "sheet", "reported_on", "rows", "chosen", "superseded_by"]


@dataclass(frozen=True)
class Quarter:
    period: Period
    files: tuple[FileRead, ...]
    submissions: pd.DataFrame   # one row per progress sheet with a known unit
    progress: pd.DataFrame      # progress rows of every sheet, with matrix flags
    roster: pd.DataFrame        # one row per person of every roster sheet
    deadline: date
    ledger: Ledger              # what became of every entry and row read, until findings name rows (accounting.close)

    def submission_of(self, unit: str) -> pd.Series | None:
        chosen = self.submissions[(self.submissions["unit"] == unit) & self.submissions["chosen"]]
        return None if chosen.empty else chosen.iloc[0]


def assemble(period: Period, files: list[FileRead], matrix: Matrix, deadline: date) -> Quarter:
    """Choose one submission per unit (the later 填报日期 wins), flag progress rows, and keep the ledger of rows read."""
    sub_rows, progress_frames, roster_frames = [], [], []
    for f in files:
        for s in f.sheets:
            if s.kind == PROGRESS and s.unit:
                sub_rows.append({"unit": s.unit, "file": s.file, "sheet": s.sheet, "reported_on": s.reported_on,
                                 "rows": len(s.rows)})
            if s.kind == PROGRESS and len(s.rows):
                rows = PROGRESS_READ.check(s.rows, "read")
                progress_frames.append(rows.assign(unit=s.unit or "", _file=s.file, _sheet=s.sheet))
            if s.kind == ROSTER and len(s.rows):
                roster_frames.append(PERSON_READ.check(s.rows, "read").assign(_file=s.file, _sheet=s.sheet))
    submissions = _choose(pd.DataFrame(sub_rows, columns=SUBMISSION_COLUMNS[:5]))
    progress = _flag(pd.concat(progress_frames, ignore_index=True) if progress_frames else _empty_progress(),
                     submissions, matrix)
    roster = pd.concat(roster_frames, ignore_index=True) if roster_frames else PERSON.empty()
    progress, roster = PROGRESS_FRAME.check(progress, "assemble"), PERSON.check(roster, "assemble")
    return Quarter(period, tuple(files), submissions, progress, roster, deadline, ledger(files, progress, roster))


def _choose(subs: pd.DataFrame) -> pd.DataFrame:
    subs = subs.copy()
    subs["chosen"] = False
    subs["superseded_by"] = ""
    if subs.empty:
        return subs
    # Later 填报日期 wins; an undated sheet loses to a dated one; ties go to the later file name.
    order = subs.assign(_d=pd.to_datetime(subs["reported_on"]))
    order = order.sort_values(["unit", "_d", "file", "sheet"], na_position="first")
    for unit, group in order.groupby("unit", sort=False):
        winner = group.index[-1]
        subs.loc[winner, "chosen"] = True
        for idx in group.index[:-1]:
            subs.loc[idx, "superseded_by"] = subs.loc[winner, "file"]
    return subs


def _empty_progress() -> pd.DataFrame:
    return pd.DataFrame(columns=[*PROGRESS_READ.names, "unit", "_file", "_sheet"])


def _flag(progress: pd.DataFrame, subs: pd.DataFrame, matrix: Matrix) -> pd.DataFrame:
    """Mark each progress row: chosen submission, unknown task, superseded duplicate, assigned role."""
    p = progress.copy()
    chosen = set(zip(subs.loc[subs["chosen"], "file"], subs.loc[subs["chosen"], "sheet"])) if len(subs) else set()
    p["in_chosen"] = [(f, s) in chosen for f, s in zip(p["_file"], p["_sheet"])]
    p["used"] = p["used"].astype(bool) & p["in_chosen"]
    numbers = matrix.numbers
    p["unknown_task"] = p["task"].notna() & ~p["task"].isin(numbers) & p["in_chosen"]
    p.loc[p["unknown_task"], "used"] = False
    roles = matrix.assignments().set_index(["task", "unit"])["role"].to_dict()
    p["role"] = [roles.get((int(t), u)) if pd.notna(t) else None for t, u in zip(p["task"], p["unit"])]
    # Within one submission the later row of a repeated task is kept.
    usable = p["used"]
    dup = p[usable].duplicated(["unit", "task"], keep="last")
    p["superseded"] = False
    p.loc[dup[dup].index, "superseded"] = True
    p.loc[p["superseded"], "used"] = False
    p["task"] = p["task"].astype("Int64")
    return p
