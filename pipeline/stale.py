"""Stale progress: a task row that reports no new progress is a finding, not progress.

A row is stale when its 进展情况 still carries the form's carried-over mark, when it repeats word for word what the
unit wrote for the task last quarter, or when it says 推进中 and leaves 完成进度 blank. Such a row is not counted as
reported: not for completeness, lights, praise or scoring (lights.py and context.py read the reason decided here).
"""
from __future__ import annotations

import re

import pandas as pd

from .cells import clean_text
from .forms import CARRIED_MARK
from .vocab import StaleReason, Status

# The mark as the reader returns it (NFKC turns （） into ()), and as a clerk may have retyped it.
MARKS = tuple(dict.fromkeys((CARRIED_MARK, clean_text(CARRIED_MARK))))
# Spacing and closing punctuation do not make a repeated text new.
_NOISE = re.compile(r"[\s。．.，,；;、！!]+")


def comparable(text: object) -> str:
    """Return 进展情况 as compared across quarters: no carried-over mark, spacing or punctuation."""
    out = clean_text(text)
    for mark in MARKS:
        out = out.replace(mark, "")
    return _NOISE.sub("", out)


def carries_mark(text: object) -> bool:
    cleaned = clean_text(text)
    return any(mark in cleaned for mark in MARKS)


def stale_reasons(progress: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    """Return, for every progress row, why it is stale (a StaleReason) or None; only rows in use can be stale.

    `previous` is last quarter's progress frame, None when its folder did not arrive. A task the unit had already
    finished last quarter may say the same again: repeating 已完成 is not standing still.
    """
    out = pd.Series([None] * len(progress), index=progress.index, dtype=object)
    if progress.empty:
        return out
    used = progress["used"].astype(bool) & progress["task"].notna()
    before: dict[tuple[str, int], tuple[object, str]] = {}
    if previous is not None and not previous.empty:
        rows = previous[previous["used"].astype(bool) & previous["task"].notna()]
        before = {(u, int(t)): (s, comparable(x))
                  for u, t, s, x in zip(rows["unit"], rows["task"], rows["status"], rows["progress_text"])}
    for i, unit, task, status, progress_value, text in zip(
            progress.index, progress["unit"], progress["task"], progress["status"], progress["progress"],
            progress["progress_text"]):
        if not used[i]:
            continue
        if carries_mark(text):
            out[i] = StaleReason.CARRIED
            continue
        was = before.get((unit, int(task)))
        now = comparable(text)
        if was is not None and now and now == was[1] and not (status == Status.DONE and was[0] == Status.DONE):
            out[i] = StaleReason.REPEATED
        elif status == Status.IN_PROGRESS and (progress_value is None or pd.isna(progress_value)):
            out[i] = StaleReason.NO_PROGRESS
    return out
