"""The domain's closed vocabularies as enums. Renderers map them to Chinese labels in report/labels.py.

Where contracts.md fixes the external value (summary.json's status counts, categories and item names are Chinese
words), the enum's value is that word, so the contract and the code cannot drift apart.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The canonical 完成状态 (contracts.md: summary.json status_counts keys)."""

    DONE = "已完成"
    IN_PROGRESS = "推进中"
    NOT_STARTED = "未启动"


class Category(StrEnum):
    """Beneficiary categories (contracts.md: summary.json benefits.by_unit.category)."""

    DIBAO = "低保"
    TEKUN = "特困"
    EXPENSE = "支出型"


class Item(StrEnum):
    """Benefit items (contracts.md: summary.json benefits.by_unit.items keys)."""

    GAP = "差额"
    TEKUN = "特困供养"
    CARE_FEE = "护理费"
    LIVING_ALLOWANCE = "残疾人生活补贴"
    CARE_ALLOWANCE = "重度残疾人护理补贴"


# The field each item has in the benefit frames (snake_case, as the parquet detail names it).
ITEM_FIELDS = {Item.GAP: "gap_fen", Item.TEKUN: "tekun_fen", Item.CARE_FEE: "care_fee_fen",
               Item.LIVING_ALLOWANCE: "living_allowance_fen", Item.CARE_ALLOWANCE: "care_allowance_fen"}


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Role(StrEnum):
    LEAD = "lead"
    RESPONSIBLE = "responsible"


class Submission(StrEnum):
    """How a unit's progress report arrived this quarter."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


class CellReason(StrEnum):
    """Why one (task, unit) cell has its light; decided once, in lights.py."""

    DONE = "done"
    ON_SCHEDULE = "on_schedule"
    NOT_REPORTED = "not_reported"
    NOT_STARTED = "not_started"
    UNREADABLE_STATUS = "unreadable_status"
    BEHIND_SCHEDULE = "behind_schedule"
    PROBLEMS_REPORTED = "problems_reported"
    STALE_PROGRESS = "stale_progress"


class StaleReason(StrEnum):
    """Why a task row is not counted as reported progress; decided once, in stale.py."""

    CARRIED = "carried"              # still carries the form's carried-over mark
    REPEATED = "repeated"            # the same 进展情况 as the unit wrote for the task last quarter
    NO_PROGRESS = "no_progress"      # 推进中 with 完成进度 left blank


class TaskReason(StrEnum):
    """Why a task has its light: which clause of the rule decided it."""

    LEAD_RED = "lead_red"
    SHARE_RED = "share_red"
    LEAD_YELLOW = "lead_yellow"
    SHARE_NOT_GREEN = "share_not_green"
    ALL_GREEN = "all_green"


class ChangeReason(StrEnum):
    """What made a household's monthly amount change from one quarter to the next."""

    CATEGORY = "category"
    MEMBERS = "members"
    INCOME = "income"
    STANDARD = "standard"
    DISABILITY = "disability"
    CARE = "care"
    OTHER = "other"


class Grade(StrEnum):
    EXCELLENT = "优秀"
    GOOD = "良好"
    FAIR = "一般"
    POOR = "较差"


# Enums whose value is already the word a reader sees (contracts.md fixes them in Chinese).
WORDS = (Status, Category, Item, Grade)
