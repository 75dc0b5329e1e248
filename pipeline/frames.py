"""The frames stages hand each other, declared once (column, kind, meaning) and checked where each stage returns."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pandas.api import types

from .vocab import ITEM_FIELDS

TEXT, FLAG, WHOLE, NUMBER, FEN = "text", "flag", "whole", "number", "fen"
# What a kind accepts: whole numbers may be missing (float with NaN, or object when every value is missing).
_ACCEPTS = {
    TEXT: lambda d: types.is_string_dtype(d) or types.is_object_dtype(d),
    FLAG: types.is_bool_dtype,
    FEN: types.is_integer_dtype,
    WHOLE: lambda d: types.is_numeric_dtype(d) or types.is_object_dtype(d),
    NUMBER: lambda d: types.is_numeric_dtype(d) or types.is_object_dtype(d),
}


class FrameError(Exception):
    """A stage handed on a frame that breaks its declaration: a bug in jiekun, not in the input."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    meaning: str


@dataclass(frozen=True)
class Frame:
    """One hand-off: its name for people and its declared columns."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def extend(self, name: str, *columns: Column, drop: tuple[str, ...] = ()) -> Frame:
        """Return a later frame: these columns but `drop`, then the new ones."""
        return Frame(name, (*(c for c in self.columns if c.name not in drop), *columns))

    def empty(self) -> pd.DataFrame:
        """Return a frame with every declared column and no rows."""
        return pd.DataFrame({c: pd.Series(dtype=bool if k.kind == FLAG else "int64" if k.kind == FEN else object)
                             for c, k in zip(self.names, self.columns)})

    def check(self, frame: pd.DataFrame, stage: str) -> pd.DataFrame:
        """Return the frame if it has every declared column of its kind; else fail naming the stage and the column."""
        for col in self.columns:
            if col.name not in frame.columns:
                raise FrameError(f"环节“{stage}”交出的{self.name}缺少已声明的列 {col.name}（{col.meaning}）。")
            # An empty frame's columns carry no values to type: pandas gives them object.
            if len(frame) and not _ACCEPTS[col.kind](frame[col.name].dtype):
                raise FrameError(f"环节“{stage}”交出的{self.name}中，列 {col.name}（{col.meaning}）应为 {col.kind}，"
                                 f"实为 {frame[col.name].dtype}。")
        return frame


def _c(name: str, kind: str, meaning: str) -> Column:
    return Column(name, kind, meaning)


# Where the reader found a row: read by the checks to place findings, never shown by a renderer under these names.
READ_ROW = _c("_row", FEN, "Excel row the record was read from")
READ_AT = (_c("_file", TEXT, "input file the row was read from"), _c("_sheet", TEXT, "sheet the row was read from"))

PROGRESS_READ = Frame("进展情况行（读取）", (
    _c("task", WHOLE, "任务编号 as a number, missing when unreadable"),
    _c("task_text", TEXT, "任务编号 as written"),
    _c("category", TEXT, "工作任务 as written"),
    _c("measure", TEXT, "政策措施 as written"),
    _c("status", TEXT, "完成状态 as a Status value, missing when unreadable"),
    _c("status_text", TEXT, "完成状态 as written"),
    _c("progress", NUMBER, "完成进度 in percent"),
    _c("progress_text", TEXT, "进展情况 as written"),
    _c("problems", TEXT, "存在问题 as written"),
    _c("next_steps", TEXT, "下步计划 as written"),
    _c("beneficiaries", NUMBER, "惠及人数"),
    _c("funds", NUMBER, "投入资金 in 万元"),
    READ_ROW,
    _c("used", FLAG, "the row counts"),
))

PROGRESS = PROGRESS_READ.extend(
    "进展情况行", _c("unit", TEXT, "reporting unit of the sheet"), *READ_AT,
    _c("in_chosen", FLAG, "the row belongs to the unit's chosen submission"),
    _c("unknown_task", FLAG, "its task number is not in the matrix"),
    _c("role", TEXT, "the unit's Role for the task, missing when not assigned"),
    _c("superseded", FLAG, "a later row of the same submission reports the same task"))

PERSON_READ = Frame("救助对象（读取）", (
    _c("household_key", TEXT, "key of the person's household within the run"),
    _c("household_no", TEXT, "户编号 as written"),
    _c("name", TEXT, "姓名"),
    _c("id_number", TEXT, "公民身份号码, normalised"),
    _c("id_status", TEXT, "ok or why the ID is not valid"),
    _c("id_reason", TEXT, "the ID check worded"),
    _c("relation", TEXT, "与户主关系"),
    _c("unit", TEXT, "town, subdistrict or park"),
    _c("community", TEXT, "社区"),
    _c("category", TEXT, "救助类别 as a Category value"),
    _c("income_fen", WHOLE, "家庭月人均收入 in fen"),
    _c("rigid_fen", WHOLE, "家庭月刚性支出 in fen"),
    _c("household_size", WHOLE, "家庭人口 as written"),
    _c("disability_grade", WHOLE, "残疾等级 1–4"),
    _c("care_need", TEXT, "失能情况"),
    _c("support_mode", TEXT, "供养方式"),
    _c("work_ability", TEXT, "劳动能力"),
    _c("employment", TEXT, "就业状况"),
    _c("orphan", FLAG, "孤儿"),
    _c("start_key", WHOLE, "享受起始年月 as year × 12 + month"),
    _c("stop_key", WHOLE, "停发年月 as year × 12 + month, missing while paid"),
    READ_ROW,
    _c("_household_row", FEN, "Excel row of the household's first line"),
    _c("used", FLAG, "the person counts"),
))

PERSON = PERSON_READ.extend("救助对象", *READ_AT)

_ITEMS = tuple(_c(col, FEN, f"{item.value} in fen over the quarter") for item, col in ITEM_FIELDS.items())
_PAID = (
    _c("members", FEN, "persons the household lists"),
    _c("months_active", FEN, "months of the quarter within 享受起始年月 and 停发年月"),
    _c("months_paid", FEN, "months of the quarter something was paid"),
)

PAID_PERSON = PERSON.extend(
    "救助对象（测算）", *_PAID, *_ITEMS,
    *(c for i in range(3) for c in (_c(f"paid_m{i}", FLAG, f"paid in month {i + 1} of the quarter"),
                                    _c(f"fen_m{i}", FEN, f"paid for the person in month {i + 1}, 差额 shared"))),
    _c("amount_fen", FEN, "every item in fen"),
    _c("explanation", TEXT, "the household's arithmetic (explain.py)"))

HOUSEHOLD = Frame("救助户（测算）", (
    *(c for c in PERSON.columns if c.name in ("household_key", "household_no", "unit", "community", "category",
                                               "income_fen", "rigid_fen", "start_key", "stop_key")),
    _PAID[0], _c("_household_row", FEN, "Excel row of the household's first line"), *READ_AT, *_PAID[1:],
    *(_c(f"gap_m{i}", FEN, f"差额 in month {i + 1}, 0 when not paid that month") for i in range(3)),
    _c("monthly_fen", FEN, "the household's amount in its last month paid"),
    *_ITEMS,
    _c("amount_fen", FEN, "every item in fen"),
    _c("explanation", TEXT, "the household's arithmetic (explain.py)"),
))

# What renderers see: the reader's location columns under names of their own.
LOCATION = {"_file": "file", "_sheet": "sheet", "_row": "row", "_household_row": "household_row"}
_PLACED = (_c("file", TEXT, "input file the row was read from"), _c("sheet", TEXT, "sheet the row was read from"))
SHOWN_PERSON = PAID_PERSON.extend("救助对象（报告）", *_PLACED, _c("row", FEN, "Excel row the person was read from"),
                                  _c("household_row", FEN, "Excel row of the household's first line"),
                                  drop=tuple(LOCATION))
SHOWN_HOUSEHOLD = HOUSEHOLD.extend("救助户（报告）", *_PLACED,
                                   _c("household_row", FEN, "Excel row of the household's first line"),
                                   drop=tuple(LOCATION))


def shown(frame: pd.DataFrame, declared: Frame, stage: str) -> pd.DataFrame:
    """Rename the reader's location columns for renderers and check the frame against its declaration."""
    return declared.check(frame.rename(columns=LOCATION), stage)
