"""The office workbook's person detail (对象明细): one row per person paid, streamed into the sheet XML.

xlsxwriter lays out each detail sheet (title, header, widths, frozen panes, autofilter, conditional format, print
setup, 合计 row) around one blank template row. Once it has closed the workbook, `PersonSheets.fill` copies the
package and streams the persons in place of the template, built a column at a time with Arrow string kernels
instead of a Python call per cell. A cell is a number or an inline string, never a formula; each column keeps the
style xlsxwriter gave its template cell, so the sheet looks the same as one xlsxwriter wrote cell by cell.

A sheet holds EXCEL_ROWS rows, or the workbook's row_limit when a test sets one. When every person fits under the
title and header rows with the 合计 row below, the detail is one sheet, 对象明细. Otherwise it is one sheet per unit,
对象明细（湖坊镇）, in the order units first appear, and a unit too large for one sheet is cut into numbered parts,
对象明细（湖坊镇）1, 对象明细（湖坊镇）2. Each sheet has its own 合计 row; every person is on exactly one sheet, never left out.
"""
from __future__ import annotations

import re
import threading
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from itertools import chain
from pathlib import Path
from queue import Queue
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..money import yuan
from ..vocab import ITEM_FIELDS, Item, Light
from .sheet_parts import EXCEL_ROWS
from .xlsx_formats import Col, Formats, finish_table, is_missing, start_sheet, write_total

CHUNK_ROWS = 20_000             # persons turned into XML at a time: memory stays flat at any size
SHEET_NAME = "对象明细"
# The title, header and 合计 rows around the persons; the first person is on row 3 as Excel counts.
FRAME_ROWS = 3
FIRST_ROW = 3
# Excel's limit on a sheet name, and the characters a name may not hold.
NAME_CHARS = 31
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
# The detail is most of the workbook's bytes. zlib's fastest level deflates it four times as fast as the default
# (0.3 s against 1.1 s per 100,000 persons) for a file a third larger; the other parts keep xlsxwriter's level.
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class Field:
    """One detail column: its header, where its value comes from, and whether it is text, a count or yuan."""

    col: Col
    source: str
    value: str = "text"         # text, number, or yuan (from fen)


FIELDS = (
    Field(Col("单位", 12), "unit"), Field(Col("社区", 12), "community"), Field(Col("户编号", 12), "household_no"),
    Field(Col("姓名", 10), "name"), Field(Col("公民身份号码", 21), "id_number"),
    Field(Col("身份证核验", 16), "id_check"), Field(Col("与户主关系", 8, "center"), "relation"),
    Field(Col("救助类别", 8, "center"), "category"), Field(Col("发放月数", 7, "int"), "months_paid", "number"),
    *(Field(Col(item.value, 14, "yuan"), ITEM_FIELDS[item], "yuan") for item in Item),
    Field(Col("金额合计", 14, "yuan"), "amount_fen", "yuan"),
    Field(Col("计算说明（按户）", 70), "explanation"), Field(Col("来源文件", 30), "file"),
    Field(Col("行号", 6, "int"), "row", "number"),
)
COLUMNS = [f.col for f in FIELDS]
ID_CHECK = [f.source for f in FIELDS].index("id_check")
FEN_FIELDS = [f.source for f in FIELDS if f.value == "yuan"]


@dataclass(frozen=True, eq=False)
class Part:
    """One detail sheet: its name and the positions, in the persons frame, of the persons it lists."""

    name: str
    rows: np.ndarray


def plan(units: pd.Series, capacity: int | None = None) -> list[Part]:
    """Cut the detail into sheets: one when everyone fits, else one per unit, a unit too large cut into parts."""
    capacity = EXCEL_ROWS - FRAME_ROWS if capacity is None else capacity
    everyone = np.arange(len(units))
    if len(units) <= capacity:
        return [Part(SHEET_NAME, everyone)]
    codes, names = pd.factorize(units.fillna("").astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    parts, taken = [], set()
    for code, unit in enumerate(names):
        rows = order[bounds[code]:bounds[code + 1]]
        pieces = range(0, len(rows), capacity)
        for number, start in enumerate(pieces, 1):
            suffix = str(number) if len(pieces) > 1 else ""
            parts.append(Part(_sheet_name(unit or "未注明单位", suffix, taken), rows[start:start + capacity]))
    return parts


def _sheet_name(unit: str, suffix: str, taken: set[str]) -> str:
    """Name a unit's sheet 对象明细（湖坊镇）1, shortened to Excel's 31 characters and never used twice."""
    unit = _BAD_NAME.sub("_", unit).strip("'")
    room = NAME_CHARS - len(SHEET_NAME) - 2 - len(suffix)
    name = f"{SHEET_NAME}（{unit[:room]}）{suffix}"
    n = 1
    while name.lower() in taken:
        n += 1
        tag = f"~{n}"
        name = f"{SHEET_NAME}（{unit[:room - len(tag)]}{tag}）{suffix}"
    taken.add(name.lower())
    return name


@dataclass
class PersonSheets:
    """The detail sheets of one workbook: laid out by xlsxwriter, then filled with the persons' rows."""

    persons: pd.DataFrame
    mask: Callable[[str], str] | None       # None: names and IDs in full, as contracts.md allows on this sheet
    row_limit: int | None = None            # rows in one sheet; None: EXCEL_ROWS
    kept: object = None                     # unit_parts.UnitParts: rows kept from the last run, by roster file
    blocks: tuple[tuple[str | None, int], ...] = ()     # Benefits.parts: each roster file's key and persons
    parts: list[Part] = field(default_factory=list)
    sheets: list[Worksheet] = field(default_factory=list)

    def lay_out(self, wb: Workbook, fmts: Formats, title: Callable[[str], str]) -> None:
        """Add every detail sheet with its title, header, template row, 合计 row, filter and ID-check colour."""
        units = self.persons["unit"] if "unit" in self.persons else pd.Series([None] * len(self.persons))
        self.parts = plan(units, None if self.row_limit is None else self.row_limit - FRAME_ROWS)
        worksheet_class = None if self.mask is not None else Worksheet
        for part in self.parts:
            ws = start_sheet(wb, fmts, part.name, title(part.name), COLUMNS, freeze_cols=4,
                             worksheet_class=worksheet_class)
            n = len(part.rows)
            if n:
                for c, col in enumerate(COLUMNS):
                    # Filled cells take this template cell's style, so they look as if xlsxwriter wrote them.
                    ws.write_blank(FIRST_ROW - 1, c, None, fmts.get(col.kind))
                ws.conditional_format(2, ID_CHECK, n + 1, ID_CHECK,
                                      {"type": "text", "criteria": "not containing", "value": "正确",
                                       "format": fmts.light(Light.RED)})
            finish_table(ws, COLUMNS, n + 1)
            write_total(ws, fmts, COLUMNS, 2 + min(n, 1), self._total(part))
            self.sheets.append(ws)

    def _total(self, part: Part) -> list:
        sums = {f: int(pd.to_numeric(self.persons[f].iloc[part.rows], errors="coerce").fillna(0).sum())
                if f in self.persons else 0 for f in FEN_FIELDS}
        return ["合计", "", "", f"{len(part.rows)}人", "", "", "", "", "", *(yuan(sums[f]) for f in FEN_FIELDS),
                "差额按户计在该户第一行", "", ""]

    def fill(self, package: BytesIO, path: Path, wb: Workbook) -> None:
        """Copy the workbook xlsxwriter wrote into `package` to `path`, streaming the persons into their sheets."""
        # xlsxwriter stores the n-th worksheet as xl/worksheets/sheet<n>.xml.
        entries = {f"xl/worksheets/sheet{wb.worksheets().index(ws) + 1}.xml": part
                   for ws, part in zip(self.sheets, self.parts)}
        package.seek(0)
        with zipfile.ZipFile(package) as src, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL) as out:
            for info in src.infolist():
                part = entries.get(info.filename)
                if part is None or not len(part.rows):
                    out.writestr(info, src.read(info))
                    continue
                head, template, total, tail = _split_sheet(src.read(info).decode("utf-8"))
                n = len(part.rows)
                last = n + FRAME_ROWS
                head = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"/>', rf'<dimension ref="A1:\g<1>{last}"/>', head,
                              count=1)
                total = re.sub(r'(<row r="|<c r="[A-Z]+)\d+"', rf'\g<1>{last}"', total)
                with out.open(info.filename, "w", force_zip64=True) as fh:
                    _write_through(fh, chain([head.encode()], self._rows(part, _styles(template)),
                                             [(total + tail).encode()]))

    def _rows(self, part: Part, styles: list[str]) -> Iterator[bytes | memoryview]:
        """Yield the part's rows as UTF-8 sheet XML, a chunk of persons at a time."""
        if self.kept is not None and len(self.parts) == 1 and sum(n for _, n in self.blocks) == len(self.persons):
            yield from self._kept_rows(styles)
            return
        table = _source_table(self.persons)
        if len(self.parts) > 1:
            table = table.take(pa.array(part.rows))
        for start in range(0, table.num_rows, CHUNK_ROWS):
            yield _rows_xml(table.slice(start, CHUNK_ROWS), styles, FIRST_ROW + start, self.mask)

    def _kept_rows(self, styles: list[str]) -> Iterator[bytes | memoryview]:
        """Yield the one sheet's rows roster file by roster file, each chunk kept from the last run or made anew.

        A chunk's XML is the same whichever rows are built with it, so the sheet is byte for byte what one pass writes.
        """
        at = 0
        for digest, count in self.blocks:
            for start in range(0, count, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, count)
                rows = slice(at + start, at + stop)
                yield self.kept.detail_rows(
                    digest, (start, stop), FIRST_ROW + rows.start, styles, self.mask,
                    lambda: _rows_xml(_source_table(self.persons.iloc[rows]), styles, FIRST_ROW + rows.start,
                                      self.mask))
            at += count


def _source_table(persons: pd.DataFrame) -> pa.Table:
    """Take the columns the detail shows, as Arrow arrays (shared, not copied, when pandas keeps them in Arrow)."""
    n = len(persons)

    def column(name: str, numeric: bool) -> pa.Array | pa.ChunkedArray:
        if name not in persons:
            return pa.nulls(n, pa.float64() if numeric else pa.string())
        s = persons[name]
        if numeric:
            return pa.array(pd.to_numeric(s, errors="coerce").astype("float64"), from_pandas=True)
        return _text(s)

    arrays = {f.source: column(f.source, f.value != "text") for f in FIELDS if f.source != "id_check"}
    status, reason = column("id_status", False), column("id_reason", False)
    arrays["id_check"] = pc.if_else(pc.fill_null(pc.equal(status, "ok"), False), "正确", reason)
    return pa.table(arrays)


def _text(s: pd.Series) -> pa.ChunkedArray | pa.Array:
    """Return a column as Arrow strings; a value that is not text (a number in 户编号) is written as its text."""
    if isinstance(s.dtype, pd.StringDtype):
        return pa.array(s, from_pandas=True)
    return pa.array([None if is_missing(v) else (v if isinstance(v, str) else str(v)) for v in s], type=pa.string())


def _rows_xml(chunk: pa.Table, styles: list[str], first: int, mask) -> memoryview:
    """Build `<row>` elements for a chunk of persons, row numbers from `first`, a few Arrow kernels per column."""
    n = chunk.num_rows
    r = pa.array(np.arange(first, first + n, dtype=np.int64)).cast(pa.string())
    pieces: list = ['<row r="', r, f'" spans="1:{len(FIELDS)}">']
    for c, (f, s) in enumerate(zip(FIELDS, styles)):
        ref = f'<c r="{xl_col_to_name(c)}'
        values = chunk.column(f.source).combine_chunks()
        if f.value == "text":
            # Most columns repeat a few words (unit, category, file): each distinct word is masked and escaped once.
            words = values.dictionary_encode()
            text, open_t = _words(words.dictionary.cast(pa.string()), mask)
            text = pc.take(text, words.indices)
            open_t = open_t if isinstance(open_t, str) else pc.take(open_t, words.indices)
            cell = [ref, r, f'" s="{s}" t="inlineStr"><is>', open_t, text, "</t></is></c>"]
        else:
            number = _yuan_text(values) if f.value == "yuan" else values.cast(pa.string())
            cell = [ref, r, f'" s="{s}"><v>', number, "</v></c>"]
        if cell[-2].null_count:
            # A blank keeps its style, as xlsxwriter's write_blank with a format does.
            cell = [pc.coalesce(pc.binary_join_element_wise(*cell, ""),
                                pc.binary_join_element_wise(ref, r, f'" s="{s}"/>', ""))]
        pieces += cell
    return _concatenated(pc.binary_join_element_wise(*pieces, "</row>", ""))


# Leading or trailing white space that XML would drop without xml:space="preserve" (xlsxwriter's own test).
_EDGE_SPACE = r"^[\s\x{85}\p{Z}]|[\s\x{85}\p{Z}]$"
# Text Excel stores with an _xHHHH_ escape (control characters, and a literal _xHHHH_ itself), or that is longer
# than a cell holds; rare, so those values go through xlsxwriter's own rules one by one. U+FFFE and U+FFFF are
# escaped too: xlsxwriter would pass them through, and XML forbids them.
_RARE = r"[\x{00}-\x{08}\x{0B}-\x{1F}\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f\ufffe\uffff])")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
CELL_CHARS = 32767              # UTF-16 code units in a cell; xlsxwriter cuts longer text the same way


def _words(words: pa.Array, mask: Callable[[str], str] | None) -> tuple[pa.Array, pa.Array | str]:
    """Mask and escape distinct words; an empty one becomes blank. Return them with their <t> tags."""
    if mask is not None:
        words = pa.array([mask(w) for w in words.to_pylist()], type=pa.string())
    words = _escape(words)
    words = pc.if_else(pc.equal(words, ""), pa.scalar(None, pa.string()), words)
    edge = pc.match_substring_regex(words, _EDGE_SPACE)
    return words, pc.if_else(edge, '<t xml:space="preserve">', "<t>") if pc.any(edge).as_py() else "<t>"


def _escape(text: pa.Array) -> pa.Array:
    """Escape text for a <t> element: &, < and >, control characters as _xHHHH_, over-long text cut."""
    rare = pc.fill_null(pc.or_(pc.match_substring_regex(text, _RARE),
                               pc.greater(pc.utf8_length(text), CELL_CHARS // 2)), False)
    if pc.any(rare).as_py():
        values = text.to_pylist()
        for i in np.flatnonzero(rare.to_numpy(zero_copy_only=False)):
            values[i] = _rare_text(values[i])
        text = pa.array(values, type=pa.string())
    if pc.any(pc.match_substring_regex(text, "[&<>]")).as_py():
        for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, raw, entity)
    return text


def _rare_text(value: str) -> str:
    utf16 = value.encode("utf-16-le")
    if len(utf16) > 2 * CELL_CHARS:
        value = utf16[:2 * CELL_CHARS].decode("utf-16-le", errors="ignore")
    value = _ESCAPED.sub(r"_x005F\1", value)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)


def _yuan_text(fen: pa.Array) -> pa.Array:
    """Write fen as yuan: the same double as money.yuan, printed as its shortest exact decimal (2613.5)."""
    return pc.divide(fen.cast(pa.float64()), 100.0).cast(pa.string())


def _concatenated(rows: pa.Array) -> memoryview:
    """Return the strings of an Arrow string array back to back: its data buffer between the first and last offset."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1 + rows.offset)[rows.offset:]
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


_TEMPLATE = re.compile(rf'<row r="{FIRST_ROW}"[ >].*?</row>', re.S)


def _split_sheet(xml: str) -> tuple[str, str, str, str]:
    """Split xlsxwriter's detail sheet into what precedes the template row, the template, the 合计 row and the rest."""
    template = _TEMPLATE.search(xml)
    total_end = xml.index("</row>", template.end()) + len("</row>")
    return xml[:template.start()], template.group(0), xml[template.end():total_end], xml[total_end:]


def _styles(template: str) -> list[str]:
    """Read each column's style index off xlsxwriter's template row."""
    found = dict(re.findall(rf'<c r="([A-Z]+){FIRST_ROW}" s="(\d+)"', template))
    return [found[xl_col_to_name(c)] for c in range(len(FIELDS))]


def _write_through(fh, pieces: Iterable[bytes | memoryview]) -> None:
    """Write byte pieces to a zip member while the next one is built: zlib releases the GIL, so the two overlap."""
    queue: Queue = Queue(maxsize=2)
    failed: list[BaseException] = []

    def drain() -> None:
        while (piece := queue.get()) is not None:
            if not failed:
                try:
                    fh.write(piece)
                except BaseException as exc:       # handed back to the caller below
                    failed.append(exc)

    writer = threading.Thread(target=drain, name="jiekun-detail-writer")
    writer.start()
    try:
        for piece in pieces:
            if failed:
                break
            queue.put(piece)
    finally:
        queue.put(None)
        writer.join()
    if failed:
        raise failed[0]
