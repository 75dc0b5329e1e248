"""What the fill-in forms share: cell formats that lock or leave open, columns, validation, A4 printing, 填表说明."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..config import Office
from ..reader import REFERENCE_MARK
from ..reader.own_outputs import FORM, STAMP
from .xlsx_formats import LINE_HEIGHT, WORKBOOK_OPTIONS, lines_needed

GREY, WHITE, CARRIED, FLAGGED = "#F2F2F2", "#FFFFFF", "#FFF2CC", "#FFC7CE"
_BASE = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "border_color": "#808080"}
MONTH_FORMAT = "yyyy-mm"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


NUMBER_FORMATS = {"int": "0", "num": "0.00", "money": "0.00", "month": MONTH_FORMAT, "id": "@"}
# Protected without a password, yet a unit may still resize rows and columns.
PROTECTION = {"format_columns": True, "format_rows": True}


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"       # text, wrap, center, int, num, money, month, id


class Formats:
    """The few formats a form needs, made once per workbook: locked or not, by column kind and fill."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self._wb = wb
        self._cache: dict[tuple, object] = {}

    def cell(self, kind: str, *, locked: bool, fill: str | None = None):
        key = (kind, locked, fill)
        if key not in self._cache:
            props = dict(_BASE, locked=locked, bg_color=fill or (GREY if locked else WHITE))
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if kind in ("center", "int", "month"):
                props["align"] = "center"
            if kind == "wrap":
                props["text_wrap"] = True
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    def plain(self, name: str):
        if name not in self._cache:
            props = {
                "title": {"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"},
                "header": {**_BASE, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True},
                "line": {"font_name": "宋体", "font_size": 10, "valign": "vcenter"},
                "note": {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True,
                         "font_color": "#7F6000"},
                "input_line": {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "locked": False, "bottom": 1},
                "date": {**_BASE, "locked": False, "bg_color": WHITE, "num_format": DATE_FORMAT, "align": "center"},
                "text": {"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"},
            }[name]
            self._cache[name] = self._wb.add_format(props)
        return self._cache[name]


def workbook(path: str, title: str, office: Office, today: date) -> tuple[xlsxwriter.Workbook, Formats]:
    """Open a form workbook whose cells never turn text into formulas, dated `today` rather than the clock."""
    wb = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
    name = office.name
    wb.set_properties({"title": title, "author": name, "company": name, "created": datetime.combine(today, time())})
    wb.set_custom_property(STAMP, FORM)     # a form comes back filled in: the reader reads it, unlike the reports
    return wb, Formats(wb)


def title_rows(wb: xlsxwriter.Workbook, fmts: Formats, sheet: str, title: str, unit: str, last_col: int,
               unit_cols: int) -> Worksheet:
    """Add a form's sheet with its title across the columns and 填报单位 on the row under it, where the reader looks."""
    ws = wb.add_worksheet(sheet)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last_col, title, fmts.plain("title"))
    ws.set_row(1, 22)
    ws.merge_range(1, 0, 1, unit_cols - 1, f"填报单位：{unit}", fmts.plain("line"))
    return ws


def page_setup(ws: Worksheet, header_row: int) -> None:
    """Print on A4 landscape, one page wide, with the title and header on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def header_row(ws: Worksheet, fmts: Formats, row: int, columns: tuple[Column, ...]) -> None:
    """Write the header row and set each column's width."""
    ws.set_row(row, 30)
    for c, col in enumerate(columns):
        ws.set_column(c, c, col.width)
        ws.write_string(row, c, col.header, fmts.plain("header"))


def row_height(ws: Worksheet, row: int, cells: list[tuple[object, float]], minimum: int = 1) -> None:
    """Make a row tall enough for its wrapped text, since neither Excel nor LibreOffice grows it on open."""
    lines = max([minimum, *(lines_needed(v, w) for v, w in cells)])
    ws.set_row(row, LINE_HEIGHT * lines + 3)


def validate(ws: Worksheet, first: int, last: int, col: int, rule: dict) -> None:
    """Put a validation rule on rows first..last of one column; a wrong entry is refused with the rule's message."""
    if last >= first:
        ws.data_validation(first, col, last, col, {"ignore_blank": True, "error_type": "stop", **rule})


def list_rule(name: str, words: tuple[str, ...], blank_note: str = "") -> dict:
    """Return a drop-down rule offering exactly `words`."""
    return {"validate": "list", "source": list(words), "input_title": name,
            "input_message": f"请从下拉列表中选择：{'、'.join(words)}。{blank_note}",
            "error_title": f"{name}填写有误", "error_message": f"请从下拉列表中选择：{'、'.join(words)}。"}


NOTES_WIDTH = 88


def notes_sheet(wb: xlsxwriter.Workbook, fmts: Formats, lines: list[str]) -> None:
    """Add the 填表说明 sheet: numbered plain sentences, one per row."""
    ws = wb.add_worksheet("填表说明")
    # 88 units (about 620 px, 465 pt) fit A4 portrait between 0.6-inch margins at 100 %: no reader has to honour
    # fit-to-width for the sentences to print whole.
    ws.set_column(0, 0, NOTES_WIDTH)
    ws.set_row(0, 28)
    ws.write_string(0, 0, f"填表说明{REFERENCE_MARK}", fmts.plain("title"))
    for i, line in enumerate(lines, start=1):
        text = f"{i}. {line}"
        ws.write_string(i, 0, text, fmts.plain("text"))
        ws.set_row(i, 16 * lines_needed(text, NOTES_WIDTH - 4) + 4)
    ws.set_paper(9)
    ws.set_portrait()
    ws.print_area(0, 0, len(lines), 0)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
