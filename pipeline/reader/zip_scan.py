"""Scan xlsx/xlsm/ods zip parts for their true extent before calamine allocates it."""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections import Counter
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
_SST = re.compile(rb"""<(?:[\w.-]+:)?sst\s[^>]*?\buniqueCount\s*=\s*["']\s*\+?([0-9]+)""")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
# Every shared string takes at least "<si/>"; calamine reserves room for uniqueCount strings before reading one.
_MIN_SHARED_STRING_BYTES = 5
# Excel and LibreOffice drop strings no cell uses when they save, so a string table holds at most one string per
# cell. Up to a million strings (about 60 MB in calamine) are let through whatever the cells, for writers that keep
# a few unused ones; past that, strings beyond the cells are built to exhaust memory.
_FREE_SHARED_STRINGS = 1_000_000
# End tags matter only for whole tables; leaving the others out halves the matches.
_ODS_TOKEN = re.compile(rb"<(?:table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)|(/table:table))>")
# calamine reads a repeat count with either quote, spaces around '=' and a leading '+' (Rust's parse accepts it).
_ODS_ROWS = re.compile(rb"""number-rows-repeated\s*=\s*["']\+?([0-9]+)""")
_ODS_COLS = re.compile(rb"""number-columns-repeated\s*=\s*["']\+?([0-9]+)""")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
# The attributes of a cell that hold no value: a self-closed cell with only these is padding calamine skips.
_ODS_PADDING = frozenset({b"table:style-name", b"table:number-columns-repeated", b"table:content-validation-name",
                          b"table:number-columns-spanned", b"table:number-rows-spanned"})
_XML_ATTR_NAME = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"[^"]*"|'[^']*')""")
# <text:s text:c="n"/> stands for n spaces, which calamine writes out in full.
_ODS_SPACES = re.compile(rb"""<text:s\s[^>]*?text:c\s*=\s*["']\+?([0-9]+)""")
# No writer spells out more spaces than the part has bytes, beyond a clerk's long run of spaces.
_FREE_SPACES = 1 << 20
# Each cell a writer spells out costs at least 20 bytes of XML; a repeat count makes copies of a valued cell for
# nothing, and calamine and Python pay some 120 bytes for each. LibreOffice repeats a value only for identical
# neighbours, so past a million such cells, or 16 per byte of the part, the copies are built to exhaust memory.
_FREE_VALUED = 1 << 20
_VALUED_PER_BYTE = 16
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


def refuse_duplicates(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip that holds two parts of one name: the scan would check one copy and the parser may read another."""
    # Part names are compared case-insensitively, as the packaging standard does.
    counts = Counter(info.filename.casefold() for info in infos)
    name, n = counts.most_common(1)[0] if counts else ("", 0)
    if n > 1:
        shown = next(i.filename for i in infos if i.filename.casefold() == name)
        raise Unreadable(f"文件内有 {n} 个同名部件“{shown[:80]}”，不是 Excel 或 WPS 保存的正常表格（可能已损坏或是恶意构造的文件）")


def _xlsx_sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, list[str]]:
    """Map worksheet part names to the names of the sheets that point at each, one entry per sheet.

    A part two sheets point at is read twice by calamine, so it counts twice towards the file's cells.
    """
    try:
        book = zip_head(zf, "xl/workbook.xml", 1 << 20).decode("utf-8", errors="replace")
        rels = zip_head(zf, "xl/_rels/workbook.xml.rels", 1 << 20).decode("utf-8", errors="replace") \
            if "xl/_rels/workbook.xml.rels" in names else ""
    except (KeyError, zipfile.BadZipFile, zlib.error):
        return {}
    targets: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        targets[attrs.get("Id", "")] = _part_names(html.unescape(attrs.get("Target", "")), names)
    out: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", book):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        for part in targets.get(rid, ()):
            out.setdefault(part, []).append(html.unescape(attrs.get("name", "")))
    return out


def _part_names(target: str, names: set[str]) -> list[str]:
    """Return every part of the zip a relationship's target may mean, however a reader resolves it."""
    bare = target.lstrip("/")
    spellings = {bare, "xl/" + bare, posixpath.normpath(bare), posixpath.normpath("xl/" + bare)}
    return sorted(name for name in spellings if name in names)


def scan_xlsx(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], tally: Tally) -> None:
    """Decompress every part once, which verifies sizes and CRCs, and find each worksheet's extent.

    The shared strings come last, to be held to the number of cells the worksheets hold.
    """
    sheet_names = _xlsx_sheet_names(zf, {i.filename for i in infos})
    cells = 0
    for info in sorted(infos, key=_is_shared_strings):
        # A worksheet can live anywhere its relationship points to, under any name.
        if not (info.filename.endswith(".xml") or info.filename in sheet_names):
            _drain(zf, info)
        elif _is_shared_strings(info):
            _scan_shared_strings(zf, info, max(cells, _FREE_SHARED_STRINGS))
        else:
            cells += _scan_sheet(zf, info, sheet_names.get(info.filename, [info.filename]), tally)


def _is_shared_strings(info: zipfile.ZipInfo) -> bool:
    # calamine reads the table at this one name.
    return info.filename.casefold() == "xl/sharedstrings.xml"


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheets: list[str], tally: Tally) -> int:
    """Add a part's extent to the tally once for each sheet that points at it; return how many cell tags it has."""
    rows = cols = found = 0
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
            tags = len(_XLSX_ANY_CELL.findall(chunk))
            bare = bare or tags != len(_XLSX_REF_CELL.findall(chunk))
            found += tags - len(cells)
        found += len(cells)
        if cells:
            rows = max(rows, max(map(int, map(_SECOND, cells))))
            cols = max(cols, max(map(_column_number, set(map(_FIRST, cells)))))
    if bare:
        # Some writers leave out a cell's reference; calamine then places cells one after another.
        rows, cols = _xlsx_positional_extent(zf, info)
    if rows or cols:
        for sheet in sheets:
            tally.add(sheet, rows, cols)
    return found


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _check_shared_strings(head: bytes, size: int, max_cells: int) -> None:
    """Refuse a string table whose declared count its own size cannot hold: calamine would reserve it all."""
    m = _SST.search(head[:4096])
    if m and int(m.group(1)) > min(size // _MIN_SHARED_STRING_BYTES, max_cells):
        raise Unreadable(CORRUPT)


def _scan_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> None:
    """Refuse a shared-string table with more strings, declared or present, than the workbook could use."""
    count = 0
    for i, chunk in enumerate(_chunks(zf, info)):
        m = _SST.search(chunk[:4096]) if i == 0 else None
        if m and int(m.group(1)) > min(info.file_size // _MIN_SHARED_STRING_BYTES, most):
            raise Unreadable(_too_many_strings(int(m.group(1))))
        count += sum(1 for _ in _SHARED_STRING.finditer(chunk))
        if count > most:
            # Stop at once: the rest of the part is not inflated.
            raise Unreadable(_too_many_strings(count, at_least=True))


def _too_many_strings(count: int, at_least: bool = False) -> str:
    return (f"文件的共享文本表有{'超过 ' if at_least else ' '}{count} 条文本，远超各工作表能用到的数量，"
            "不是正常保存的表格（可能已损坏或是恶意构造的文件）")


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
        spaces = 0
        repeat, valued = 1, 0       # the present row's repeat count; valued cells so far, repeats spelled out
        most = max(_FREE_VALUED, _VALUED_PER_BYTE * info.file_size)
        for chunk in _chunks(zf, info):
            if b"text:c" in chunk:
                spaces += sum(int(n) for n in _ODS_SPACES.findall(chunk))
                if spaces > info.file_size + _FREE_SPACES:
                    raise Unreadable(f"文件中的单元格声明了 {spaces} 个空格，远超文件本身的大小，不是正常保存的表格"
                                     "（可能已损坏或是恶意构造的文件）")
            for tag, attrs, end in _ODS_TOKEN.findall(chunk):
                if tag == b"table-cell" or tag == b"covered-table-cell":
                    found = _ODS_COLS.search(attrs) if b"repeated" in attrs else None
                    col += int(found.group(1)) if found else 1
                    # LibreOffice pads every sheet with huge repeated runs of empty cells; only valued ones count.
                    if not _is_padding(attrs):
                        rows, cols = max(rows, row), max(cols, col)
                        valued += (int(found.group(1)) if found else 1) * repeat
                elif tag == b"table-row":
                    tally.check(name, rows, cols)
                    if valued > most:
                        raise Unreadable(f"文件以“重复”的写法声明了 {valued} 个有内容的单元格，远超文件本身的大小，"
                                         "不是正常保存的表格（可能已损坏或是恶意构造的文件）")
                    found = _ODS_ROWS.search(attrs) if b"repeated" in attrs else None
                    repeat = int(found.group(1)) if found else 1
                    row += repeat
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
        if valued > most:
            raise Unreadable(f"文件以“重复”的写法声明了 {valued} 个有内容的单元格，远超文件本身的大小，"
                             "不是正常保存的表格（可能已损坏或是恶意构造的文件）")
        if is_open:
            tally.add(name, rows, cols)


def _is_padding(attrs: bytes) -> bool:
    """Say whether a cell tag is an empty self-closed cell, with no attribute that could give it a value."""
    if attrs.rstrip()[-1:] != b"/":
        return False
    return all(name in _ODS_PADDING for name in _XML_ATTR_NAME.findall(attrs))
