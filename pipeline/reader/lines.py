"""Sort every non-empty line under a sheet's header into data, 合计/小计 lines and notes set aside.

No line ends the table. A note (备注：以下为本季度新增对象), a sign-off line (填报人：…) or a blank separator is set
aside and reading goes on below it, so a household listed under a note is read like any other. A line is a note
only when it carries nothing that identifies a record: no ID, category, task number or status word.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import pandas as pd

from ..cells import clean_text, is_blank, parse_task
from .columns import Cells, Column, factorize
from .layout import FOOTER_STARTS, Layout, is_footer_text
from .schema import PROGRESS
from .vocabulary import parse_category, status_of

# A label ends where the word ends: 总计划 or 共计发放 start with the same characters but are not totals.
_LABEL = re.compile(r"^[^\d]{0,8}?(合计|小计|总计|共计)(?=$|[:：\d（(\-—,，、])")
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
# An ID, even one with a digit missing or damaged by Excel, holds at least 14 digits; a phone number holds 11 or 12.
_ID_DIGITS = 14
_ID_RUN = re.compile(rf"\d(?:[\s\-]?\d){{{_ID_DIGITS - 2},}}[\s\-]?[\dXx]")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?1[4-9]$")
# Shorter lone words (见附件, 暂无) are more likely a record's one filled cell than a heading.
_HEADING_LENGTH = 4
# Sign-off lines hold a few label–value pairs (填报人：王芳 | 联系电话：… | 审核人：…); a data line fills more.
_SIGN_OFF_CELLS = 3


@dataclass(frozen=True, eq=False)
class TotalRow:
    row: int                   # 0-based grid row of the 合计 line
    label: str                 # 合计 / 小计 / 总计 / 共计
    covers: np.ndarray         # 0-based grid rows of the data lines it sums


@dataclass(frozen=True, eq=False)
class Body:
    """The lines under the header: data rows, total rows, and notes set aside, each as 0-based grid rows in order."""

    data: np.ndarray
    totals: tuple[TotalRow, ...]
    notes: np.ndarray


def total_label(row: list[object]) -> str | None:
    """Return 合计, 小计, 总计 or 共计 when the row's first filled cell names a total, else None."""
    for raw in row:
        if not is_blank(raw):
            return label_of(clean_text(raw))
    return None


def label_of(text: str) -> str | None:
    """Return the total word a line's first text names, or None."""
    text = _SPACE.sub("", text)
    m = _LABEL.match(text) if len(text) <= 40 else None
    return m.group(1) if m else None


def split_body(cells: Cells, layout: Layout, status_words: dict[str, str]) -> Body:
    """Sort the lines under the header; a 小计 sums the data since the previous total, a 合计 since the previous 合计."""
    width = cells.block.shape[1]
    counts, first, first_col = cells.filled_counts(range(min(table_end(layout), width)))
    lines = np.flatnonzero(counts)
    codes, texts = factorize(first[lines])
    labels = _where(texts, str.__contains__, "计", label_of, None)[codes]
    pattern = _where(texts, str.startswith, FOOTER_STARTS, is_footer_text, False)[codes].astype(bool)
    heading = np.fromiter(map(_heading, texts), dtype=bool, count=len(texts))[codes]
    strong, weak = _evidence(cells, layout, status_words, lines)
    n = counts[lines]
    total = ~pd.isna(labels)
    name = layout.columns.get("name", -1)
    # A lone line of words (以下为新增对象, 一、基本生活保障) is a heading, unless it is someone's name.
    note = ~total & ~strong & (pattern | ((n == 1) & heading & (first_col[lines] != name)))
    data = ~total & ~note
    weak_rows = np.flatnonzero(data & weak)
    trailing = np.arange(len(lines)) > (weak_rows[-1] if len(weak_rows) else -1)
    # Under the last line that names a record, short lines are the sign-off block: dates, seals, phone numbers.
    sign_off = trailing & data & ~strong & (n <= _SIGN_OFF_CELLS)
    note |= sign_off
    data &= ~sign_off
    rows = lines + cells.start
    data_rows = rows[data]
    totals: list[TotalRow] = []
    section = sub = 0
    for r, label in zip(rows[total], labels[total]):
        seen = int(np.searchsorted(data_rows, r))
        covers = data_rows[sub:seen] if label == "小计" else data_rows[section:seen]
        if label != "小计":
            section = seen
        sub = seen
        totals.append(TotalRow(int(r), label, covers))
    return Body(data_rows, tuple(totals), rows[note])


def table_end(layout: Layout) -> int:
    """Return one past the table's last column: its last known column and the labelled ones right after it.

    A column with no label past that ends the table, so a second table set beside it, header and all, lies outside.
    """
    end = max(layout.columns.values()) + 1
    while end < len(layout.labels) and layout.labels[end]:
        end += 1
    return end


def _evidence(cells: Cells, layout: Layout, status_words: dict[str, str], lines: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Say which lines name a record for sure (strong), and which may be one (weak), from the cells that identify it."""
    def column(name: str) -> Column | None:
        c = layout.columns.get(name)
        return cells.column(c).at(lines) if c is not None else None

    strong = np.zeros(len(lines), dtype=bool)
    weak = np.zeros(len(lines), dtype=bool)
    if layout.kind == PROGRESS:
        task, status = column("task"), column("status")
        if task is not None:
            values, failed = task.parse(parse_task)
            strong |= ~failed & ~pd.isna(values)
            weak |= task.filled()
        if status is not None:
            strong |= ~pd.isna(status.map(lambda text: status_of(status_words, text), clean=True))
    else:
        ids, category = column("id_number"), column("category")
        if ids is not None:
            strong |= ids.map(id_like).astype(bool)
            weak |= ids.filled()
        if category is not None:
            values, failed = category.parse(parse_category)
            strong |= ~failed & ~pd.isna(values)
        for name in ("name", "relation"):
            part = column(name)
            if part is not None:
                weak |= part.filled()
    return strong, weak | strong


def id_like(raw: object) -> bool:
    """Say whether a cell could be an ID, whole or damaged: a number or text with at least 14 digits."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return not math.isnan(raw) and abs(raw) >= 10 ** (_ID_DIGITS - 1)
    if not isinstance(raw, str) or len(raw) < _ID_DIGITS:
        return False
    if raw[:_ID_DIGITS].isdigit():
        return True          # the common case, a plain ID: no pattern needed
    return bool(_ID_RUN.search(raw)) or bool(_SCIENTIFIC.match(_SPACE.sub("", raw)))


def _heading(text: str) -> bool:
    """Say whether a line's only text reads as a heading or a remark: words without digits, longer than a code word."""
    return len(text) >= _HEADING_LENGTH and _DIGIT.search(text) is None


def _where(texts: np.ndarray, test: Callable[[str, object], bool], arg: object, fn: Callable[[str], object],
           otherwise: object) -> np.ndarray:
    """Return fn(text) for each text that passes test(text, arg), and `otherwise` for the rest."""
    out = np.full(len(texts), otherwise, dtype=object)
    maybe = np.flatnonzero(np.fromiter(map(test, texts, repeat(arg)), dtype=bool, count=len(texts)))
    for i in maybe:
        out[i] = fn(texts[i])
    return out
