"""Read the HTML tables that OA and civil-affairs systems save with an .xls extension into rows of cells."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Excel caps spans the same way; anything larger is a broken or hostile file, not a report.
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Chinese systems label GBK bytes with any of these; GB18030 decodes all of them.
_GB_NAMES = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "gb18030"}
_SPACE = re.compile(r"[ \t\r\n\f]+")
# Tags after which Excel starts a new line of text; outside tables each such line becomes a row.
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "center",
          "blockquote", "hr"}
# Never "head": it is often left unclosed, and skipping to its end tag would skip the whole document.
_SKIP = {"script", "style", "title", "template", "noscript", "xml"}


class BadHtml(Exception):
    """The tables cannot be read, or hold more rows or cells than a report can; `reason` is a plain Chinese phrase."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode_html(raw: bytes) -> str:
    """Decode HTML bytes by BOM, then the declared <meta> charset, then UTF-8, then GB18030."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace")
    declared = _declared_charset(raw[:4096])
    tried = [enc for enc in (declared, "utf-8", "gb18030") if enc]
    for encoding in tried:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    # Exporters do write mislabelled bytes; a few odd characters beat refusing the file.
    return raw.decode(tried[0] if declared else "gb18030", errors="replace")


def _declared_charset(head: bytes) -> str | None:
    m = _CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", errors="ignore").lower()
    if name in _GB_NAMES:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


@dataclass
class _Table:
    rows: list[list[str]] = field(default_factory=list)
    covered: list[int] = field(default_factory=list)                  # per column, the last row a rowspan covers
    in_row: bool = False
    cell: list[str] | None = None                                      # text pieces of the open cell
    cell_at: tuple[int, int, int, int] = (0, 0, 1, 1)                 # row, col, rowspan, colspan


class _Parser(HTMLParser):
    """Collect every <table> as rows; nested tables are their own tables and leave the outer cell's text alone."""

    def __init__(self, max_rows: int, max_cols: int, max_cells: int):
        super().__init__(convert_charrefs=True)
        self.max_rows, self.max_cols, self.max_cells = max_rows, max_cols, max_cells
        self.stack: list[_Table] = []
        self.done: list[tuple[int, list[list[str]]]] = []   # (order opened, rows) so output follows the document
        self.opened = 0
        self.order: list[int] = []
        self.skip = 0
        self.loose: list[str] = []        # text lines outside any table since the last one
        self.line: list[str] = []
        self.preambles: dict[int, list[str]] = {}
        self.cells = 0

    # --- text outside tables -------------------------------------------------
    def _end_line(self) -> None:
        text = _SPACE.sub(" ", "".join(self.line)).strip()
        if text:
            self.loose.append(text)
        self.line = []

    # --- tags ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        table = self.stack[-1] if self.stack else None
        if tag == "table":
            if table is None:
                self._end_line()
                self.preambles[self.opened] = self.loose
                self.loose = []
            self.order.append(self.opened)
            self.opened += 1
            self.stack.append(_Table())
        elif table is None:
            if tag in _BLOCK:
                self._end_line()
        elif tag == "tr":
            self._close_cell(table)
            self._open_row(table)
        elif tag == "caption":
            # Excel shows a caption as one more row above the table; it usually holds the title.
            self._close_cell(table)
            self._open_row(table)
            table.cell = []
            table.cell_at = (len(table.rows) - 1, 0, 1, 1)
        elif tag in ("td", "th"):
            self._close_cell(table)
            if not table.in_row:
                self._open_row(table)
            values = dict(attrs)
            rowspan = _span(values.get("rowspan"), MAX_ROWSPAN)
            colspan = _span(values.get("colspan"), MAX_COLSPAN)
            r = len(table.rows) - 1
            c = _free_column(table, r)
            table.cell = []
            table.cell_at = (r, c, rowspan, colspan)
        elif table.cell is not None and tag in _BLOCK:
            table.cell.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and friends: same as an opening tag; a self-closed <td/> is an empty cell.
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if self.skip or not self.stack:
            return
        if tag in ("td", "th"):
            self._close_cell(self.stack[-1])
        elif tag == "table":
            self.handle_endtag("table")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or not self.stack:
            if not self.stack and tag in _BLOCK:
                self._end_line()
            return
        table = self.stack[-1]
        if tag in ("td", "th"):
            self._close_cell(table)
        elif tag in ("tr", "caption"):
            self._close_cell(table)
            table.in_row = False
        elif tag == "table":
            self._close_cell(table)
            self.stack.pop()
            self.done.append((self.order.pop(), table.rows))
        elif table.cell is not None and tag in _BLOCK:
            table.cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.stack:
            self.line.append(data)
            return
        table = self.stack[-1]
        if table.cell is not None:
            table.cell.append(data)

    # --- table model ---------------------------------------------------------
    def _open_row(self, table: _Table) -> None:
        if len(table.rows) >= self.max_rows:
            raise BadHtml(f"网页表格超过 {self.max_rows} 行的上限")
        table.rows.append([])
        table.in_row = True

    def _close_cell(self, table: _Table) -> None:
        if table.cell is None:
            return
        r, c, rowspan, colspan = table.cell_at
        text = _cell_text(table.cell)
        table.cell = None
        row = table.rows[r]
        end = c + colspan
        self.cells += colspan * min(rowspan, self.max_rows)
        if self.cells > self.max_cells:
            raise BadHtml(f"网页表格超过 {self.max_cells} 个单元格的上限")
        if end > self.max_cols:
            raise BadHtml(f"网页表格超过 {self.max_cols} 列的上限")
        if len(row) < end:
            row.extend([""] * (end - len(row)))
        # A merged cell keeps its value in the top-left position only, as Excel shows it.
        row[c] = text
        if rowspan > 1:
            covered = table.covered
            if len(covered) < end:
                covered.extend([-1] * (end - len(covered)))
            covered[c:end] = [r + rowspan - 1] * colspan

    def tables(self) -> list[list[list[str]]]:
        """Return the tables in document order, each led by the loose text lines just above it."""
        self.skip = 0
        while self.stack:
            self.handle_endtag("table")
        out = []
        for order, rows in sorted(self.done):
            lead = [[line] for line in self.preambles.get(order, [])]
            out.append(lead + rows)
        return out


def _span(value: str | None, cap: int) -> int:
    if value is None:
        return 1
    try:
        n = int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return 1
    # rowspan="0" means "to the end of the section"; reading it as 1 keeps the other cells where they are.
    return min(max(n, 1), cap)


def _free_column(table: _Table, r: int) -> int:
    """Return the first column after row r's cells that no rowspan from above covers.

    Each column's cover is kept as the last row it reaches, so placing a cell costs the columns it passes over,
    never the number of spans: one row of 40,000 rowspan cells stays linear.
    """
    row, covered = table.rows[r], table.covered
    c = len(row)
    while c < len(covered) and covered[c] >= r:
        c += 1
    if len(row) < c:
        row.extend([""] * (c - len(row)))
    return c


def _cell_text(pieces: list[str]) -> str:
    if len(pieces) == 1 and "\n" not in pieces[0]:
        return _SPACE.sub(" ", pieces[0]).strip()
    lines = "".join(pieces).split("\n")
    return "\n".join(t for t in (_SPACE.sub(" ", line).strip() for line in lines) if t)


def parse_tables(text: str, *, max_rows: int, max_cells: int, max_cols: int = 16_384) -> list[list[list[str]]]:
    """Return every <table> of an HTML document as rows of cell texts; raise BadHtml when broken or past the limits."""
    parser = _Parser(max_rows, max_cols, max_cells)
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:
        # html.parser gives up with an assertion on a malformed <! declaration and cannot resume after it.
        raise BadHtml("网页格式有误，无法读取其中的表格") from exc
    return parser.tables()
