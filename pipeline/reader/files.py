"""Find the input files of a quarter and open each as plain grids of cells, whatever its format.

Files are recognised by their content, not their extension: units rename freely, and many government systems
export CSV, tab-separated text or an HTML table under an .xls name. Every check that bounds time and memory runs
before python-calamine sees the bytes, because calamine allocates a sheet's whole rectangle at once and aborts
the process (not raises) when that allocation fails.
"""
from __future__ import annotations

import codecs
import csv
import html
import io
import re
import struct
import sys
import zipfile
import zlib
from array import array
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import pandas as pd

from .html_table import BadHtml, decode_html, parse_tables

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES + (".csv",)
# A unit's real file is a few MB and well under 100k rows; these limits are far above that and far below harm.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 200_000
MAX_CELLS = 5_000_000           # a sheet's rectangle from A1 to its last cell, which is what gets allocated
# Folders and files an operating system leaves behind; they are hidden on the clerk's own machine.
OS_LITTER = frozenset({"thumbs.db", "desktop.ini", "__macosx", "$recycle.bin", "system volume information"})

CORRUPT = "文件已损坏，无法打开"
TRUNCATED = "文件不完整或已损坏（可能没有传完或拷贝中断）"
ENCRYPTED = "文件设置了打开密码（已加密）"
_MB = 1024 * 1024


class Unreadable(Exception):
    """The file cannot be opened as a spreadsheet; `reason` is a plain Chinese phrase."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grid:
    """One sheet as rows of raw cell values; rows[0] is the sheet's row 1 as Excel shows it."""

    name: str
    rows: list[list[object]]


def discover(folder: Path) -> list[Path]:
    """List a quarter's input files in a stable order, skipping lock files, hidden files and system litter."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "~$")) or part.lower() in OS_LITTER for part in rel.parts):
            continue
        if path.is_file():
            found.append(path)
    return found


def is_accepted(path: Path) -> bool:
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def load_grids(path: Path) -> list[Grid]:
    """Open a spreadsheet or CSV and return its sheets as grids; raise Unreadable when it cannot be read."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise Unreadable("文件是空的（0 字节）")
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"文件有 {size // _MB} MB，超出 {MAX_FILE_BYTES // _MB} MB 的上限，不像是一份报表")
        # One read, then everything works on the bytes: the file is open only for an instant and never locked.
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable("文件无法读取（可能正被其他程序占用，或没有读取权限）") from exc
    try:
        if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return _read_zip(raw)
        if raw.startswith(_OLE_MAGIC):
            return _read_ole(raw)
        _refuse_known_binary(raw)
        return _read_text(raw, path)
    except (struct.error, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, IndexError, KeyError,
            ValueError, RuntimeError, OverflowError) as exc:
        # A malformed file trips the parsers in many ways; each one is this file's problem, not the run's.
        raise Unreadable(CORRUPT) from exc


def _calamine(raw: bytes) -> list[Grid]:
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, dtype=object, na_filter=False,
                               engine="calamine")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # calamine raises many kinds, and a panic in its Rust code arrives as a BaseException; each means
        # "cannot open" for this one file.
        raise Unreadable(_reason(exc)) from exc
    grids = []
    for name, df in sheets.items():
        _check_extent(str(name), *df.shape)
        grids.append(Grid(str(name), df.values.tolist()))
    return grids


def _reason(exc: Exception) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if "password" in text or "encrypt" in text:
        return ENCRYPTED
    return CORRUPT


def _check_extent(sheet: str, rows: int, cols: int) -> None:
    """Refuse a sheet whose rectangle from A1 is beyond any report, naming it so the clerk can find it."""
    label = f"工作表“{sheet}”" if sheet else "有一个工作表"
    if rows > MAX_ROWS:
        raise Unreadable(f"{label}有 {rows} 行，超出 {MAX_ROWS} 行的上限（可能在很远的行误填了内容）")
    if rows * cols > MAX_CELLS:
        raise Unreadable(f"{label}的数据范围达 {rows} 行 × {cols} 列，超出上限（可能在很远的单元格误填了内容）")


# --- zip containers: xlsx, xlsm, ods ---------------------------------------------------------------------------

# The common case, every cell tag written <c r="A1" …> as Excel, LibreOffice and openpyxl do, is counted with
# byte counts and one simple pattern; anything else takes the careful patterns below.
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]{1,4})([0-9]{1,10})"[^>]*(?<!/)>')
_ODD_CELL_TAG = re.compile(rb"<c[\t\n\r>/]")
_XLSX_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br=["']([A-Za-z]{1,4})([0-9]{1,10})["'][^>]*(?<!/)>""")
_XLSX_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_XLSX_REF_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br=["']""")
_XLSX_TOKEN = re.compile(rb"""<(?:[\w.-]+:)?(row|c)((?:\s[^>]*?)?)(/?)>""")
_ROW_ATTR = re.compile(rb"""\br=["']([A-Za-z]{0,4})([0-9]{1,10})["']""")
_SST = re.compile(rb"""<(?:[\w.-]+:)?sst\s[^>]*?\buniqueCount=["']([0-9]+)["']""")
# Every shared string takes at least "<si/>"; calamine reserves room for uniqueCount strings before reading one.
_MIN_SHARED_STRING_BYTES = 5
# End tags matter only for whole tables; leaving the others out halves the matches.
_ODS_TOKEN = re.compile(rb"<(?:table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)|(/table:table))>")
_ODS_ROWS = re.compile(rb'number-rows-repeated="([0-9]{1,9})"')
_ODS_COLS = re.compile(rb'number-columns-repeated="([0-9]{1,9})"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*["']([^"']*)["']""")
_CHUNK = 1 << 20


def _read_zip(raw: bytes) -> list[Grid]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        # A zip whose central directory at the end is missing is almost always a cut-off copy or download.
        raise Unreadable(TRUNCATED) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise Unreadable(f"文件内含 {len(infos)} 个部件，不像是一份报表")
        # Declared sizes are checked before anything is inflated; _chunks then holds every part to its size.
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNZIPPED_BYTES:
            raise Unreadable(f"文件解压后超过 {MAX_UNZIPPED_BYTES // _MB} MB，不像是一份报表（可能已损坏或是恶意文件）")
        if any(i.flag_bits & 0x1 for i in infos):
            raise Unreadable(ENCRYPTED)
        kind = _zip_kind(zf, {i.filename for i in infos})
        if kind == "ods":
            _scan_ods(zf, infos)
        else:
            _scan_xlsx(zf, infos)
    return _calamine(raw)


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    """Say whether a zip is a workbook calamine can read; raise Unreadable naming what it is instead."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise Unreadable("文件是 Excel 二进制工作簿（.xlsb）格式，暂不支持（请另存为 .xlsx）")
    if "mimetype" in names:
        mime = _head(zf, "mimetype", 100).decode("ascii", errors="replace").strip()
        if mime == "application/vnd.oasis.opendocument.spreadsheet":
            manifest = _head(zf, "META-INF/manifest.xml", 1 << 20) if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise Unreadable(ENCRYPTED)
            return "ods"
        if "opendocument.text" in mime:
            raise Unreadable("文件是 ODF 文字文档，不是表格")
    if "word/document.xml" in names:
        raise Unreadable("文件是 Word 文档，不是表格")
    if "ppt/presentation.xml" in names:
        raise Unreadable("文件是 PowerPoint 演示文稿，不是表格")
    raise Unreadable("文件是压缩包，不是表格")


def _head(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _drain(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate a part and throw it away; zipfile stops at the declared size and checks the CRC on the way."""
    with zf.open(info) as fh:
        while fh.read(_CHUNK):
            pass


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Yield an XML part's bytes in pieces that end just before a '<', so no tag is ever split."""
    carry = b""
    with zf.open(info) as fh:
        while block := fh.read(_CHUNK):
            data = carry + block
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
                continue
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


def _xlsx_sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Map worksheet part names to the sheet names Excel shows, for messages only."""
    try:
        book = _head(zf, "xl/workbook.xml", 1 << 20).decode("utf-8", errors="replace")
        rels = _head(zf, "xl/_rels/workbook.xml.rels", 1 << 20).decode("utf-8", errors="replace") \
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


def _scan_xlsx(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
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
                _check_shared_strings(chunk, info.file_size)
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
            _check_extent(sheet_names.get(info.filename, info.filename), rows, cols)


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _check_shared_strings(head: bytes, size: int) -> None:
    """Refuse a string table whose declared count its own size cannot hold: calamine would reserve it all."""
    m = _SST.search(head[:4096])
    if m and int(m.group(1)) > min(size // _MIN_SHARED_STRING_BYTES, MAX_CELLS * 2):
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


def _scan_ods(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Verify every part, and follow content.xml's repeated rows and cells to find each table's extent."""
    for info in infos:
        if info.filename != "content.xml":
            _drain(zf, info)
            continue
        name, row, rows, cols, col = "", 0, 0, 0, 0
        for chunk in _chunks(zf, info):
            for tag, attrs, end in _ODS_TOKEN.findall(chunk):
                if tag == b"table-cell" or tag == b"covered-table-cell":
                    found = _ODS_COLS.search(attrs) if b"repeated" in attrs else None
                    col += int(found.group(1)) if found else 1
                    # LibreOffice pads every sheet with huge repeated runs of empty cells; only valued ones count.
                    if b"value-type" in attrs or attrs[-1:] != b"/":
                        rows, cols = max(rows, row), max(cols, col)
                elif tag == b"table-row":
                    _check_extent(name, rows, cols)
                    found = _ODS_ROWS.search(attrs) if b"repeated" in attrs else None
                    row += int(found.group(1)) if found else 1
                    col = 0
                elif tag == b"table":
                    found = _ODS_NAME.search(attrs)
                    name = html.unescape(found.group(1).decode("utf-8", errors="replace")) if found else ""
                    row, rows, cols, col = 0, 0, 0, 0
                if end:
                    _check_extent(name, rows, cols)


# --- OLE compound files: .xls (BIFF8) and Excel's encrypted xlsx ------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NO_SECTOR = (0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC)
_BIFF_MULRK = 0x00BD
# NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA (BIFF8 and BIFF4), RSTRING, MULRK: the records that hold a value.
_BIFF_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x0406, 0x00D6, _BIFF_MULRK})
_U16_PAIR = struct.Struct("<HH")
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
_BIFF_DIMENSIONS = 0x0200
_BIFF_MAX_ROWS, _BIFF_MAX_COLS = 65536, 256


class _Ole:
    """Just enough of the Compound File Binary format to list streams and read one, with bounded work."""

    def __init__(self, raw: bytes):
        if len(raw) < 512:
            raise Unreadable(TRUNCATED)
        self.raw = raw
        shift, mini_shift = struct.unpack_from("<HH", raw, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise Unreadable(CORRUPT)
        self.size = 1 << shift
        n_fat, dir_start = struct.unpack_from("<II", raw, 0x2C)
        self.cutoff, self.minifat_start, _, difat_start, n_difat = struct.unpack_from("<IIIII", raw, 0x38)
        self.n_sectors = (len(raw) - 1) // self.size
        difat = list(struct.unpack_from("<109I", raw, 0x4C))
        sector = difat_start
        for _ in range(min(n_difat, self.n_sectors)):
            if sector in _NO_SECTOR:
                break
            entries = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        # No real file needs more table than it has sectors; a damaged count must not make us read more.
        fat_sectors = [s for s in difat if s not in _NO_SECTOR][:min(n_fat, self.n_sectors * 4 // self.size + 1)]
        self.fat = _u32(b"".join(self._sector(s) for s in fat_sectors))
        self.entries = self._directory(dir_start)

    def _sector(self, n: int) -> bytes:
        if n >= self.n_sectors:
            raise Unreadable(TRUNCATED)
        start = (n + 1) * self.size
        return self.raw[start:start + self.size].ljust(self.size, b"\0")

    def _chain(self, start: int, fat: array) -> list[int]:
        chain = []
        n = start
        while n not in _NO_SECTOR:
            if n >= len(fat) or len(chain) > len(fat):
                raise Unreadable(CORRUPT)  # a chain that leaves the table or loops
            chain.append(n)
            n = fat[n]
        return chain

    def _directory(self, start: int) -> dict[str, tuple[int, int, int]]:
        data = b"".join(self._sector(s) for s in self._chain(start, self.fat))
        entries = {}
        for off in range(0, len(data) - 127, 128):
            name_len = min(struct.unpack_from("<H", data, off + 64)[0], 64)
            kind = data[off + 66]
            if kind not in (1, 2, 5) or name_len < 2:
                continue
            name = data[off:off + name_len - 2].decode("utf-16-le", errors="replace")
            first, size = struct.unpack_from("<IQ", data, off + 116)
            if self.size == 512:
                size &= 0xFFFFFFFF   # version 3 files leave the high half undefined
            entries[name.casefold()] = (kind, first, size)
        return entries

    def names(self) -> set[str]:
        return set(self.entries)

    def read(self, name: str) -> bytes:
        kind, first, size = self.entries[name.casefold()]
        if size > len(self.raw):
            raise Unreadable(CORRUPT)
        if size >= self.cutoff:
            data = b"".join(self._sector(s) for s in self._chain(first, self.fat))
            return data[:size]
        root = next((e for e in self.entries.values() if e[0] == 5), None)
        if root is None:
            raise Unreadable(CORRUPT)
        container = b"".join(self._sector(s) for s in self._chain(root[1], self.fat))
        minifat = _u32(b"".join(self._sector(s) for s in self._chain(self.minifat_start, self.fat)))
        data = b"".join(container[s * 64:(s + 1) * 64] for s in self._chain(first, minifat))
        return data[:size]


def _u32(data: bytes) -> array:
    """Read little-endian 32-bit sector numbers compactly: a table can hold millions of them."""
    table = array("I")
    table.frombytes(data[:len(data) - len(data) % 4])
    if sys.byteorder == "big":
        table.byteswap()
    return table


def _read_ole(raw: bytes) -> list[Grid]:
    ole = _Ole(raw)
    names = ole.names()
    if {"encryptioninfo", "encryptedpackage"} & names:
        # This is how Excel stores an xlsx that has an open password.
        raise Unreadable(ENCRYPTED)
    stream = next((n for n in ("workbook", "book") if n in names), None)
    if stream is None:
        if "worddocument" in names:
            raise Unreadable("文件是 Word 文档，不是表格")
        if "powerpoint document" in names:
            raise Unreadable("文件是 PowerPoint 演示文稿，不是表格")
        raise Unreadable("文件不是可识别的表格格式")
    for sheet, rows, cols in _biff_extents(ole.read(stream)):
        _check_extent(sheet, rows, cols)
    return _calamine(raw)


def _biff_extents(stream: bytes) -> list[tuple[str, int, int]]:
    """Walk the BIFF records once and return each substream's extent from A1, with its sheet name."""
    pair = _U16_PAIR.unpack_from      # bound once: this loop runs once per cell
    names: dict[int, str] = {}
    extents: list[list] = []          # [offset of BOF, rows, cols]
    open_streams: list[list] = []     # a chart inside a sheet is a substream nested in the sheet's
    current = None
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, length = pair(stream, pos)
        body = pos + 4
        if body + length > end:
            break
        if rtype in _BIFF_CELLS:
            if current is not None and length >= 4:
                row, col = pair(stream, body)
                if rtype == _BIFF_MULRK and length >= 6:
                    col = pair(stream, body + length - 4)[1]
                if row >= current[1]:
                    current[1] = row + 1
                if col >= current[2]:
                    current[2] = col + 1
        elif rtype == _BIFF_BOF:
            current = [pos, 0, 0]
            extents.append(current)
            open_streams.append(current)
        elif rtype == _BIFF_EOF and open_streams:
            open_streams.pop()
            current = open_streams[-1] if open_streams else None
        elif rtype == _BIFF_DIMENSIONS and length in (10, 14):
            # calamine reserves (last row - first row) x (last col - first col) cells from this record as
            # written, so a damaged one asks for terabytes and aborts the process. Within the format's own
            # limits the reservation is harmless: it is never touched, and the cells really present are
            # checked from their own records.
            layout = "<IIHH" if length == 14 else "<HHHH"
            first_row, last_row, first_col, last_col = struct.unpack_from(layout, stream, body)
            if not (first_row <= last_row <= _BIFF_MAX_ROWS and first_col <= last_col <= _BIFF_MAX_COLS):
                raise Unreadable(CORRUPT)
        elif rtype == _BIFF_FILEPASS:
            # Everything after this record is encrypted with the workbook's open password.
            raise Unreadable(ENCRYPTED)
        elif rtype == _BIFF_BOUNDSHEET and length >= 8:
            names[struct.unpack_from("<I", stream, body)[0]] = _biff_name(stream[body + 6:body + length])
        pos = body + length
    return [(names.get(offset, ""), rows, cols) for offset, rows, cols in extents]


def _biff_name(data: bytes) -> str:
    if len(data) < 2:
        return ""
    count, flags = data[0], data[1]
    if flags & 0x1:
        return data[2:2 + 2 * count].decode("utf-16-le", errors="replace")
    return data[2:2 + count].decode("latin-1")


# --- everything else: known non-spreadsheets, HTML tables, delimited text ---------------------------------------

_MAGIC = (
    (b"%PDF", "文件是 PDF，不是表格"),
    (b"\x89PNG", "文件是图片，不是表格"),
    (b"\xff\xd8\xff", "文件是图片，不是表格"),
    (b"GIF8", "文件是图片，不是表格"),
    (b"Rar!", "文件是 RAR 压缩包，不是表格"),
    (b"7z\xbc\xaf\x27\x1c", "文件是 7z 压缩包，不是表格"),
    (b"\x1f\x8b", "文件是压缩包，不是表格"),
    (b"{\\rtf", "文件是 RTF 文档，不是表格"),
)
_HTML_HINTS = (b"<table", b"<html", b"<!doctype html", b"<tr", b"<td")


def _refuse_known_binary(raw: bytes) -> None:
    for magic, reason in _MAGIC:
        if raw.startswith(magic):
            raise Unreadable(reason)
    if raw[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and len(raw) > 4:
        raise Unreadable("文件是 Excel 4.0 或更早版本的旧格式，暂不支持（请另存为 .xlsx）")


def _read_text(raw: bytes, path: Path) -> list[Grid]:
    head = _ascii_head(raw)
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<workbook" in head:
            raise Unreadable("文件是 Excel 2003 XML 表格格式，暂不支持（请用 Excel 打开后另存为 .xlsx）")
        if any(hint in head for hint in _HTML_HINTS):
            return _read_html(raw, path)
        raise Unreadable("文件是网页或 XML 格式，但其中没有表格")
    if stripped.startswith(b"mime-version:") or b"multipart/related" in head[:2048]:
        raise Unreadable("文件是网页存档（.mht）格式，暂不支持（请用 Excel 打开后另存为 .xlsx）")
    return [Grid(path.stem, _read_csv(raw, named_csv=path.suffix.lower() == ".csv"))]


def _ascii_head(raw: bytes) -> bytes:
    """Return the first 64 KB lower-cased as ASCII-compatible bytes, whatever the text encoding."""
    head = raw[:65536]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):len(head) - (len(head) - len(bom)) % 2].decode(encoding, errors="replace")
            return text.encode("utf-8", errors="replace").lower()
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    return head.lower()


def _read_html(raw: bytes, path: Path) -> list[Grid]:
    try:
        tables = parse_tables(decode_html(raw), max_rows=MAX_ROWS, max_cells=MAX_CELLS)
    except BadHtml as exc:
        raise Unreadable(exc.reason) from exc
    if not tables:
        raise Unreadable("文件是网页格式，但其中没有表格")
    # Excel names the one sheet of an opened web page after the file; several tables get numbered.
    if len(tables) == 1:
        return [Grid(path.stem, tables[0])]
    return [Grid(f"{path.stem}（表{i}）", rows) for i, rows in enumerate(tables, start=1)]


_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
# Text never holds these; bytes that decode to them are a binary file that happened to decode.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _read_csv(raw: bytes, *, named_csv: bool = True) -> list[list[object]]:
    """Parse delimited text (comma or tab); under another name, text must look like a table to be read as one."""
    unknown = "文件不是可识别的表格格式（已损坏或格式不明）"
    if b"\x00" in raw[:65536] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable(unknown if not named_csv else "文件不是文本格式的 CSV")
    try:
        text = decode_text(raw)
    except Unreadable:
        if named_csv:
            raise
        raise Unreadable(unknown) from None
    if _CONTROL.search(text[:65536]):
        raise Unreadable(unknown if not named_csv else "文件不是文本格式的 CSV")
    delimiter, hits = _delimiter(text)
    if not named_csv and hits < 2:
        raise Unreadable("文件内容是纯文本，不是表格")
    rows: list[list[object]] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= MAX_ROWS:
                raise Unreadable(f"文件超过 {MAX_ROWS} 行的上限，不像是一份报表")
            cells += len(row)
            if cells > MAX_CELLS:
                raise Unreadable(f"文件超过 {MAX_CELLS} 个单元格的上限，不像是一份报表")
            # ="0123" is how exporters keep Excel from turning IDs into numbers.
            rows.append([_unwrap(v) for v in row])
    except csv.Error as exc:
        raise Unreadable("CSV 文件格式有误") from exc
    return rows


def _unwrap(value: str) -> str:
    m = _EXCEL_TEXT.match(value)
    return m.group(1) if m else value


def _delimiter(text: str) -> tuple[str, int]:
    """Pick comma or tab by how many of the first lines use it; return it with that count."""
    lines = text[:65536].splitlines()[:50]
    counts = {d: sum(1 for line in lines if d in line) for d in (",", "\t")}
    best = "\t" if counts["\t"] > counts[","] else ","
    return best, counts[best]


def decode_text(raw: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or else GB18030, the superset of GBK."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    # Excel's "Unicode text" is UTF-16 with a BOM.
    if raw.startswith(codecs.BOM_UTF16_LE):
        return raw[2:].decode("utf-16-le", errors="replace")
    if raw.startswith(codecs.BOM_UTF16_BE):
        return raw[2:].decode("utf-16-be", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise Unreadable("无法识别文件编码（请另存为 UTF-8 或 GBK 编码的 CSV）") from exc
