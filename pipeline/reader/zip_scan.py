"""Scan xlsx/xlsm/ods zip parts for their true extent before calamine allocates it."""
from __future__ import annotations

import html
import re
import zipfile
import zlib
from operator import itemgetter

from .limits import CORRUPT, Tally, Unreadable

# The common case, every cell tag written <c r="A1" …> as Excel, LibreOffice and openpyxl do, is counted with
# byte counts and one simple pattern; anything else takes the careful patterns below. References take any number
# of letters and digits, because calamine reads r="A0001048576" and r="A99999999999" too, and allocates for them.
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"[^>]*(?<!/)>')
_ODD_CELL_TAG = re.compile(rb"<c[\t\n\r>/]")
_REF = rb"""(?<![\w:.-])r\s*=\s*["']"""
_XLSX_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?""" + _REF + rb"""([A-Za-z]+)([0-9]+)["'][^>]*(?<!/)>""")
_XLSX_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_XLSX_REF_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?""" + _REF)
_XLSX_TOKEN = re.compile(rb"""<(?:[\w.-]+:)?(row|c)((?:\s[^>]*?)?)(/?)>""")
_ROW_ATTR = re.compile(_REF + rb"""([A-Za-z]*)([0-9]+)["']""")
_SST = re.compile(rb"""<(?:[\w.-]+:)?sst\s[^>]*?\buniqueCount=["']([0-9]+)["']""")
# Every shared string takes at least "<si/>"; calamine reserves room for uniqueCount strings before reading one.
_MIN_SHARED_STRING_BYTES = 5
# End tags matter only for whole tables; leaving the others out halves the matches.
_ODS_TOKEN = re.compile(rb"<(?:table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)|(/table:table))>")
_ODS_ROWS = re.compile(rb'number-rows-repeated="([0-9]+)"')
_ODS_COLS = re.compile(rb'number-columns-repeated="([0-9]+)"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*["']([^"']*)["']""")
_CHUNK = 1 << 20
# One whole tag; '>' may stand inside a quoted attribute value, '<' may not.
_TAG = re.compile(rb"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
# No writer puts megabytes inside one tag; a part that does is damaged or built to exhaust the scan.
_MAX_TAG = 16 << 20


def zip_head(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _drain(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate a part and throw it away; zipfile stops at the declared size and checks the CRC on the way."""
    with zf.open(info) as fh:
        while fh.read(_CHUNK):
            pass


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Yield an XML part's bytes in pieces that never split a tag, in time linear in the part's size.

    A '<' never occurs inside a tag, so a piece may end before any '<'. Only a tag still open at the end of a
    block is carried into the next one; text after a closed tag is passed on at once, however long it is.
    """
    carry = b""                 # the last tag of the blocks so far, begun with '<' and not closed yet
    with zf.open(info) as fh:
        while block := fh.read(_CHUNK):
            if carry and b"<" not in block and b">" not in block:
                carry += block                       # still inside the carried tag: nothing to look for
                if len(carry) > _MAX_TAG:
                    raise Unreadable(CORRUPT)
                continue
            data = carry + block if carry else block
            cut = data.rfind(b"<")
            if cut < 0 or _TAG.match(data, cut):
                carry = b""
                yield data
                continue
            if cut:
                yield data[:cut]
            carry = data[cut:]
            if len(carry) > _MAX_TAG:
                raise Unreadable(CORRUPT)
    if carry:
        yield carry


def _xlsx_sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Map worksheet part names to the sheet names Excel shows, for messages only."""
    try:
        book = zip_head(zf, "xl/workbook.xml", 1 << 20).decode("utf-8", errors="replace")
        rels = zip_head(zf, "xl/_rels/workbook.xml.rels", 1 << 20).decode("utf-8", errors="replace") \
            if "xl/_rels/workbook.xml.rels" in names else ""
    except (KeyError, zipfile.BadZipFile, zlib.error):
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attrs.get("Id", "")] = target
    out = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", book):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        if rid in targets:
            out[targets[rid]] = html.unescape(attrs.get("name", ""))
    return out


def scan_xlsx(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], tally: Tally) -> None:
    """Decompress every part once, which verifies sizes and CRCs, and find each worksheet's extent."""
    sheet_names = _xlsx_sheet_names(zf, {i.filename for i in infos})
    for info in infos:
        # A worksheet can live anywhere its relationship points to, under any name.
        if not (info.filename.endswith(".xml") or info.filename in sheet_names):
            _drain(zf, info)
            continue
        rows = cols = 0
        bare = False
        first = True
        for chunk in _chunks(zf, info):
            if first:
                _check_shared_strings(chunk, info.file_size, tally.limits.book_cells)
                first = False
            if _plain_cells(chunk):
                cells = _PLAIN_CELL.findall(chunk)
            else:
                cells = _XLSX_CELL.findall(chunk)
                bare = bare or len(_XLSX_ANY_CELL.findall(chunk)) != len(_XLSX_REF_CELL.findall(chunk))
            if cells:
                rows = max(rows, max(map(int, map(_SECOND, cells))))
                cols = max(cols, max(map(_column_number, set(map(_FIRST, cells)))))
        if bare:
            # Some writers leave out a cell's reference; calamine then places cells one after another.
            rows, cols = _xlsx_positional_extent(zf, info)
        if rows or cols:
            tally.add(sheet_names.get(info.filename, info.filename), rows, cols)


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _check_shared_strings(head: bytes, size: int, max_cells: int) -> None:
    """Refuse a string table whose declared count its own size cannot hold: calamine would reserve it all."""
    m = _SST.search(head[:4096])
    if m and int(m.group(1)) > min(size // _MIN_SHARED_STRING_BYTES, max_cells):
        raise Unreadable(CORRUPT)


def _plain_cells(chunk: bytes) -> bool:
    """Say whether every cell tag in the chunk is an unprefixed <c r="…" with the reference first."""
    # ":c" also catches prefixed tags such as <x:c; a stray ":c" elsewhere only costs the careful path.
    if b":c" in chunk or _ODD_CELL_TAG.search(chunk):
        return False
    return chunk.count(b"<c ") == chunk.count(b'<c r="')


def _xlsx_positional_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    rows = cols = 0
    r = c = 0
    for chunk in _chunks(zf, info):
        for m in _XLSX_TOKEN.finditer(chunk):
            tag, attrs, closed = m.groups()
            ref = _ROW_ATTR.search(attrs)
            if tag == b"row":
                r = int(ref.group(2)) if ref else r + 1
                c = 0
                continue
            if ref and ref.group(1):
                r, c = int(ref.group(2)), _column_number(ref.group(1))
            else:
                c += 1
            if not closed:
                rows, cols = max(rows, r), max(cols, c)
    return rows, cols


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch & 0xDF) - 64
    return n


def scan_ods(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], tally: Tally) -> None:
    """Verify every part, and follow content.xml's repeated rows and cells to find each table's extent."""
    for info in infos:
        if info.filename != "content.xml":
            _drain(zf, info)
            continue
        name, row, rows, cols, col = "", 0, 0, 0, 0
        is_open = False
        for chunk in _chunks(zf, info):
            for tag, attrs, end in _ODS_TOKEN.findall(chunk):
                if tag == b"table-cell" or tag == b"covered-table-cell":
                    found = _ODS_COLS.search(attrs) if b"repeated" in attrs else None
                    col += int(found.group(1)) if found else 1
                    # LibreOffice pads every sheet with huge repeated runs of empty cells; only valued ones count.
                    if b"value-type" in attrs or attrs[-1:] != b"/":
                        rows, cols = max(rows, row), max(cols, col)
                elif tag == b"table-row":
                    tally.check(name, rows, cols)
                    found = _ODS_ROWS.search(attrs) if b"repeated" in attrs else None
                    row += int(found.group(1)) if found else 1
                    col = 0
                elif tag == b"table":
                    if is_open:
                        tally.add(name, rows, cols)
                    found = _ODS_NAME.search(attrs)
                    name = html.unescape(found.group(1).decode("utf-8", errors="replace")) if found else ""
                    row, rows, cols, col = 0, 0, 0, 0
                    is_open = True
                if end and is_open:
                    tally.add(name, rows, cols)
                    is_open = False
        if is_open:
            tally.add(name, rows, cols)
