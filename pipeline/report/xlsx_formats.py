"""Formats, column specs and the safe cell writer that every sheet of the office workbook shares."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..reader.own_outputs import STAMP
from ..vocab import WORDS

# No input text may ever become a formula, a link or a number behind the clerk's back.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def masked_sheet_class(mask: Callable[[str], str]) -> type[Worksheet]:
    """Return a worksheet class that masks every string it writes, whichever renderer wrote it."""
    class MaskedWorksheet(Worksheet):
        def _write_string(self, row, col, string, cell_format=None):
            return super()._write_string(row, col, mask(string), cell_format)
    return MaskedWorksheet


def new_workbook(path: Path | BinaryIO, mask: Callable[[str], str], created: date, *, output: str,
                 **options) -> Workbook:
    """Open a workbook whose sheets mask personal data; `add_worksheet(..., worksheet_class=Worksheet)` opts out.

    The workbook's creation date is the report's own date, not the clock's, so the same inputs give the same bytes.
    `output` stamps what the workbook is, so a copy dropped back into the input is known and skipped.
    """
    wb = Workbook(str(path) if isinstance(path, Path) else path, {**WORKBOOK_OPTIONS, **options})
    wb.worksheet_class = masked_sheet_class(mask)
    wb.set_properties({"created": datetime.combine(created, time())})
    wb.set_custom_property(STAMP, output)
    return wb

FILLS = {"green": "#C6EFCE", "yellow": "#FFEB9C", "red": "#FFC7CE"}
FONTS = {"green": "#006100", "yellow": "#9C5700", "red": "#9C0006"}
NUMBER_FORMATS = {"int": "#,##0", "count": "#,##0", "yuan": "#,##0.00", "pct": "0.0%", "date": "yyyy-mm-dd"}
BASE = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "border_color": "#A6A6A6"}
# Counts in a table column are centred, as Chinese official tables do; "count" is a right-aligned count for a
# column that mixes counts with money, so the digits line up.
CENTERED = {"center", "int", "pct", "date"}
LINE_HEIGHT = 13.5   # points per wrapped line of 10-point 宋体


@dataclass(frozen=True)
class Col:
    """One table column: its Chinese header, width in characters and kind.

    Kinds: text, wrap, center, int, count, yuan, pct, date, num.
    """

    header: str
    width: float
    kind: str = "text"


@dataclass(frozen=True)
class Cell:
    """A value with its own look: a light fill, bold, or a kind other than its column's."""

    value: object
    light: str | None = None
    bold: bool = False
    kind: str | None = None


class Formats:
    """Create each format once, on first use, because xlsxwriter formats belong to the workbook."""

    def __init__(self, wb: Workbook):
        self._wb = wb
        self._cache: dict[tuple, Format] = {}

    def get(self, kind: str = "text", light: str | None = None, bold: bool = False, total: bool = False) -> Format:
        key = (kind, light, bold, total)
        if key not in self._cache:
            props = dict(BASE)
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if kind in CENTERED:
                props["align"] = "center"
            if kind == "wrap":
                props["text_wrap"] = True
            if light in FILLS:
                props.update(bg_color=FILLS[light], font_color=FONTS[light])
            if bold or total:
                props["bold"] = True
            if total:
                props.update(top=6, bg_color=props.get("bg_color", "#F2F2F2"))
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    def special(self, name: str) -> Format:
        """Return the title, header, vertical-header or note format."""
        key = ("special", name)
        if key not in self._cache:
            props = {
                "title": {"font_name": "黑体", "font_size": 14, "bold": True, "valign": "vcenter"},
                "header": {**BASE, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True},
                "vertical": {**BASE, "bold": True, "bg_color": "#D9E1F2", "align": "center", "rotation": 270},
                "note": {"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"},
            }[name]
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    def light(self, light: str) -> Format:
        """Return the fill-and-font format a conditional format applies for a light."""
        key = ("dxf", light)
        if key not in self._cache:
            self._cache[key] = self._wb.add_format({"bg_color": FILLS[light], "font_color": FONTS[light]})
        return self._cache[key]


def is_missing(value: object) -> bool:
    """Say whether a value is None, NaN, NaT or pd.NA (strings never are)."""
    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def put(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None = None) -> None:
    """Write one cell by its Python type; text always lands as a plain string, never a formula or link."""
    if is_missing(value) or (isinstance(value, str) and not value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, Enum) and not isinstance(value, WORDS):
        raise TypeError(f"label the enum {value!r} before writing it")
    elif isinstance(value, (bool, np.bool_)):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, time()), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def start_sheet(wb: Workbook, fmts: Formats, name: str, title: str, cols: list[Col], *,
                freeze_cols: int = 0, header_height: float = 30, vertical_from: int | None = None,
                vertical_to: int | None = None, pages_wide: int = 1, repeat_cols: int = 0,
                portrait: bool = False, worksheet_class: type[Worksheet] | None = None) -> Worksheet:
    """Add a sheet with its title row, header row, column widths, frozen panes and A4 print setup."""
    ws = wb.add_worksheet(name, worksheet_class=worksheet_class)
    ws.set_row(0, 28)
    ws.write_string(0, 0, title, fmts.special("title"))
    ws.set_row(1, header_height)
    for i, col in enumerate(cols):
        ws.set_column(i, i, col.width)
        end = len(cols) if vertical_to is None else vertical_to
        vertical = vertical_from is not None and vertical_from <= i < end
        ws.write_string(1, i, col.header, fmts.special("vertical" if vertical else "header"))
    ws.freeze_panes(2, freeze_cols)
    if not portrait:
        ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0, 1)
    if repeat_cols:
        # A sheet too wide for one page keeps its row labels on every page.
        ws.repeat_columns(0, repeat_cols - 1)
    ws.fit_to_pages(pages_wide, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def text_width(text: str) -> int:
    """Return how many column-width units a text needs: a CJK character takes two, other characters one."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def lines_needed(value: object, width: float) -> int:
    """Return how many wrapped lines a value needs in a column `width` units wide."""
    if not isinstance(value, str) or not value:
        return 1
    usable = max(width - 1, 1)
    return sum(max(1, -(-text_width(part) // int(usable))) for part in value.split("\n"))


def fit_row(ws: Worksheet, row: int, cells: list[tuple[object, float]]) -> None:
    """Give a row with wrapped text the height it needs, because neither Excel nor LibreOffice grows it on open."""
    lines = max((lines_needed(v, w) for v, w in cells), default=1)
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines + 3)


def colour_by_text(ws: Worksheet, fmts: Formats, cells: tuple[int, int, int, int],
                   rules: list[tuple[str, str]]) -> None:
    """Colour a range by conditional formats on the words it holds, first rule winning: colours follow edits, sorts."""
    first_row, first_col, last_row, last_col = cells
    if last_row < first_row:
        return
    for text, light in rules:
        ws.conditional_format(first_row, first_col, last_row, last_col,
                              {"type": "text", "criteria": "containing", "value": text,
                               "format": fmts.light(light), "stop_if_true": True})


def write_rows(ws: Worksheet, fmts: Formats, cols: list[Col], rows: list[list], start: int = 2) -> int:
    """Write rows of values under the header, tall enough for their wrapped text; return the next free row."""
    wrapped = [i for i, col in enumerate(cols) if col.kind == "wrap"]
    for i, values in enumerate(rows):
        for c, (col, value) in enumerate(zip(cols, values)):
            if isinstance(value, Cell):
                put(ws, start + i, c, value.value, fmts.get(value.kind or col.kind, value.light, value.bold))
            else:
                put(ws, start + i, c, value, fmts.get(col.kind))
        if wrapped:
            fit_row(ws, start + i, [(_plain(values[c]), cols[c].width) for c in wrapped if c < len(values)])
    return start + len(rows)


def _plain(value: object) -> object:
    return value.value if isinstance(value, Cell) else value


def write_total(ws: Worksheet, fmts: Formats, cols: list[Col], row: int, values: list) -> None:
    """Write a bold total row with a double top rule."""
    for c, (col, value) in enumerate(zip(cols, values)):
        put(ws, row, c, value, fmts.get(col.kind, total=True))


def finish_table(ws: Worksheet, cols: list[Col], last_row: int) -> None:
    """Put the autofilter over the header and data rows (a total row below stays out of it)."""
    ws.autofilter(1, 0, max(1, last_row), len(cols) - 1)
