"""Describe the fill-in forms a quarter sends out: one progress form per reporting unit, one roster form per local unit.

Pure: from the config, the matrix, the quarter and (when it was received) the previous quarter's read files, it says
what each form holds. Nothing is invented: without a previous quarter the forms carry no statuses and no households.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .cells import clean_text
from .config import Config
from .ids import BLANK
from .matrix import Matrix
from .period import Period, month_key
from .quarter import assemble
from .reader import FileRead
from .reader.vocabulary import ABILITY_WORDS, CARE_WORDS, CATEGORY_WORDS, EMPLOYMENT_WORDS, SUPPORT_WORDS
from .vocab import Role, Status

# The drop-down words: each is the reader's own canonical word, so a chosen value always reads back.
STATUSES = tuple(s.value for s in Status)
CATEGORIES = tuple(CATEGORY_WORDS)
GRADES = ("一级", "二级", "三级", "四级")
CARE_NEEDS = (*(k for k in CARE_WORDS if k), "自理")
SUPPORT_MODES = tuple(SUPPORT_WORDS)
WORK_ABILITIES = tuple(ABILITY_WORDS)
EMPLOYMENTS = tuple(EMPLOYMENT_WORDS)
YES_NO = ("是", "否")
# Marks last quarter's 进展情况 where a form carries it; a row still carrying it reports no new progress (stale.py).
CARRIED_MARK = "（上季度）"


@dataclass(frozen=True)
class TaskLine:
    """One pre-filled row of a progress form, with what the unit reported last quarter (blank when nothing)."""

    number: int
    category: str
    measure: str
    role: Role
    previous_status: str = ""
    previous_text: str = ""

    @property
    def carried(self) -> bool:
        return bool(self.previous_status or self.previous_text)


@dataclass(frozen=True)
class ProgressForm:
    unit: str
    period: Period
    deadline: date
    tasks: tuple[TaskLine, ...]
    previous: Period | None    # the quarter the carried statuses come from; None when the unit sent none


@dataclass(frozen=True)
class Member:
    """One person of a carried-over household, in the words the roster form's drop-downs use."""

    name: str
    id_number: str
    id_status: str             # as the reader found it: ok, invalid, damaged or blank
    relation: str
    disability_grade: str
    care_need: str
    support_mode: str
    work_ability: str
    employment: str
    orphan: str


@dataclass(frozen=True)
class Household:
    number: str
    unit: str
    community: str
    category: str
    income_fen: int | None
    rigid_fen: int | None
    start: tuple[int, int] | None    # (year, month)
    stop: tuple[int, int] | None     # the first month not paid
    members: tuple[Member, ...]


@dataclass(frozen=True)
class RosterForm:
    unit: str
    period: Period
    households: tuple[Household, ...]    # carried over, still paid in the quarter
    stopped: tuple[Household, ...]       # stopped during the previous quarter: listed apart, read back like the roster
    previous: Period | None              # the quarter the households come from; None when none was received

    @property
    def persons(self) -> int:
        return sum(len(h.members) for h in self.households)


@dataclass(frozen=True)
class FormSet:
    period: Period
    previous: Period
    previous_found: bool
    progress: tuple[ProgressForm, ...]
    rosters: tuple[RosterForm, ...]


def build_forms(config: Config, matrix: Matrix, period: Period, previous_files: list[FileRead] | None) -> FormSet:
    """Describe every form of the quarter; `previous_files` are the previous quarter's reads, None when absent."""
    previous = period.previous()
    deadline = config.deadline.of(period)
    statuses: dict[tuple[str, int], tuple[str, str]] = {}
    roster = pd.DataFrame()
    if previous_files is not None:
        before = assemble(previous, previous_files, matrix, config.deadline.of(previous))
        statuses = _last_statuses(before.progress)
        roster = before.roster
    progress = tuple(_progress_form(unit.name, period, deadline, matrix, statuses, previous)
                     for unit in config.registry.reporting)
    households = _households(roster)
    first_month, listed_before = period.month_keys[0], previous.month_keys[0]
    rosters = []
    for unit in (u for u in config.registry.units if u.is_local):
        kept: list[Household] = []
        stopped: list[Household] = []
        for h in (h for h in households if h.unit == unit.name):
            # 停发年月 is the first month not paid: at or before the quarter's first month, nothing is paid in it.
            # A household stopped before the previous quarter began was on that quarter's 已停发户 sheet already.
            stop = month_key(*h.stop) if h.stop is not None else None
            if stop is None or stop > first_month:
                kept.append(h)
            elif stop > listed_before:
                stopped.append(h)
        rosters.append(RosterForm(unit.name, period, tuple(kept), tuple(stopped),
                                  previous if previous_files is not None else None))
    return FormSet(period, previous, previous_files is not None, progress, tuple(rosters))


def _month(key: object) -> tuple[int, int] | None:
    if key is None or pd.isna(key):
        return None
    key = int(key)
    return (key // 12, key % 12 + 1)


def _last_statuses(progress: pd.DataFrame) -> dict[tuple[str, int], tuple[str, str]]:
    """Map (unit, task) to the status and 进展情况 the unit's chosen report gave for an assigned task."""
    if progress.empty:
        return {}
    rows = progress[progress["used"] & progress["role"].notna()]
    return {(u, int(t)): ("" if pd.isna(s) or s is None else str(s), unmarked(str(text or "")))
            for u, t, s, text in zip(rows["unit"], rows["task"], rows["status"], rows["progress_text"])}


def unmarked(text: str) -> str:
    """Return 进展情况 without the carried-over mark, as read back (NFKC) or as written, so marks never pile up."""
    for mark in (CARRIED_MARK, clean_text(CARRIED_MARK)):
        text = text.replace(mark, "")
    return text.strip()


def _progress_form(unit: str, period: Period, deadline: date, matrix: Matrix,
                   statuses: dict[tuple[str, int], tuple[str, str]], previous: Period) -> ProgressForm:
    lines = []
    for number in matrix.tasks_of(unit):
        task = matrix.task(number)
        role = Role.LEAD if unit in task.lead else Role.RESPONSIBLE
        status, text = statuses.get((unit, number), ("", ""))
        lines.append(TaskLine(number, task.category, task.measure, role, status, text))
    return ProgressForm(unit, period, deadline, tuple(lines), previous if any(t.carried for t in lines) else None)


def _word(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _fen(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _member(p: dict) -> Member:
    grade = p.get("disability_grade")
    return Member(
        name=_word(p.get("name")),
        id_number=_word(p.get("id_number")),
        id_status=_word(p.get("id_status")) or BLANK,
        relation=_word(p.get("relation")),
        disability_grade="" if grade is None or pd.isna(grade) else GRADES[int(grade) - 1],
        # The reader folds 自理 to blank; blank stays blank on the form, as the roster had it.
        care_need=_word(p.get("care_need")),
        support_mode=_word(p.get("support_mode")),
        work_ability=_word(p.get("work_ability")),
        employment=_word(p.get("employment")),
        orphan="是" if _word(p.get("orphan")) == "True" else "",
    )


def _households(roster: pd.DataFrame) -> list[Household]:
    """Regroup the previous quarter's person rows into households, in the order the rosters listed them."""
    if roster.empty:
        return []
    out = []
    for _, group in roster[roster["unit"] != ""].groupby("household_key", sort=False):
        first = group.iloc[0]
        category = _word(first["category"])
        rigid = _fen(first["rigid_fen"])
        out.append(Household(
            number=_word(first["household_no"]),
            unit=str(first["unit"]),
            community=_word(first["community"]),
            category=category,
            income_fen=_fen(first["income_fen"]),
            # The reader reads a blank 刚性支出 as 0; only a 支出型 household needs the figure written back.
            rigid_fen=rigid if category == "支出型" or rigid else None,
            start=_month(first["start_key"]),
            stop=_month(first["stop_key"]),
            members=tuple(_member(p) for p in group.to_dict("records")),
        ))
    return out
