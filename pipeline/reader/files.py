"""Open one input file as plain grids of cells, whatever its format.

Files are recognised by their content, not their extension: units rename freely, and many government systems
export CSV, tab-separated text or an HTML table under an .xls name. Every check that bounds time and memory runs
before python-calamine sees the bytes, because calamine allocates a sheet's whole rectangle at once and aborts
the process (not raises) when that allocation fails; what no check foresees, the worker process running this
module contains (see sandbox.py).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum

from .grid import Grid
from .html_table import BadHtml, decode_html, parse_tables
from .limits import _MB, CORRUPT, ENCRYPTED, LIMITS, TRUNCATED, Limits, Tally, Unreadable
from .ole_scan import OLE_MAGIC, Ole, biff_extents
from .zip_scan import refuse_duplicates, scan_ods, scan_xlsx, zip_head

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES + (".csv",)
# Never wait on a pipe swapped in after the folder was listed, never follow a link swapped in, never translate.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class Book:
    """The sheets read from one file, and how many more it holds beyond the limit on sheets per file."""

    grids: list[Grid]
    unread: int = 0


def is_accepted(path: Path) -> bool:
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def open_book(path: Path, limits: Limits = LIMITS) -> Book:
    """Open a spreadsheet or CSV and return its sheets as grids; raise Unreadable when it cannot be read."""
    raw = _read_bytes(path, limits)
    tally = Tally(limits)
    try:
        if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return _read_zip(raw, tally)
        if raw.startswith(OLE_MAGIC):
            return _read_ole(raw, tally)
        _refuse_known_binary(raw)
        return _read_text(raw, path, limits)
    except (struct.error, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, IndexError, KeyError,
            ValueError, RuntimeError, OverflowError) as exc:
        # A malformed file trips the parsers in many ways; each one is this file's problem, not the run's.
        raise Unreadable(CORRUPT) from exc


def _read_bytes(path: Path, limits: Limits) -> bytes:
    """Read the whole file at once, so it is open only for an instant and never locked; refuse what is no file."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise Unreadable("文件无法读取（可能正被其他程序占用，或没有读取权限）") from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("不是普通文件")
        if info.st_size == 0:
            raise Unreadable("文件是空的（0 字节）")
        if info.st_size > limits.file_bytes:
            raise Unreadable(f"文件有 {info.st_size // _MB} MB，超出 {limits.file_bytes // _MB} MB 的上限，不像是一份报表")
        try:
            # Exactly the size seen: asking for more makes Python reserve that much memory up front.
            return fh.read(info.st_size)
        except OSError as exc:
            raise Unreadable("文件无法读取（可能正被其他程序占用，或没有读取权限）") from exc


def _calamine(raw: bytes, limits: Limits) -> Book:
    """Read the first worksheets up to the limit with calamine, one at a time, with cells as pandas shows them."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        grids = [Grid.from_calamine(str(name), book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                 for name in names[:limits.sheets]]
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise       # running out of memory is the worker's to report, with the limit it hit
    except BaseException as exc:
        # calamine raises many kinds, and a panic in its Rust code arrives as a BaseException; each means
        # "cannot open" for this one file.
        raise Unreadable(_reason(exc)) from exc
    # A pre-scan can miss what the parser finds; the sheets it returned are held to the limits as well.
    tally = Tally(limits)
    for grid in grids:
        tally.add(grid.name, *grid.cells.shape)
    return Book(grids, max(0, len(names) - limits.sheets))


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if "password" in text or "encrypt" in text:
        return ENCRYPTED
    return CORRUPT


# --- zip containers: xlsx, xlsm, ods ---------------------------------------------------------------------------

def _read_zip(raw: bytes, tally: Tally) -> Book:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        # A zip whose central directory at the end is missing is almost always a cut-off copy or download.
        raise Unreadable(TRUNCATED) from exc
    with zf:
        infos = zf.infolist()
        limits = tally.limits
        if len(infos) > limits.zip_entries:
            raise Unreadable(f"文件内含 {len(infos)} 个部件，不像是一份报表")
        # Declared sizes are checked before anything is inflated; _chunks then holds every part to its size.
        declared = sum(i.file_size for i in infos)
        if declared > limits.unzipped_bytes:
            raise Unreadable(f"文件解压后超过 {limits.unzipped_bytes // _MB} MB，不像是一份报表（可能已损坏或是恶意文件）")
        if any(i.flag_bits & 0x1 for i in infos):
            raise Unreadable(ENCRYPTED)
        refuse_duplicates(infos)
        kind = _zip_kind(zf, {i.filename for i in infos})
        if kind == "ods":
            scan_ods(zf, infos, tally)
        else:
            scan_xlsx(zf, infos, tally)
    return _calamine(raw, limits)


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    """Say whether a zip is a workbook calamine can read; raise Unreadable naming what it is instead."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise Unreadable("文件是 Excel 二进制工作簿（.xlsb）格式，暂不支持（请另存为 .xlsx）")
    if "mimetype" in names:
        mime = zip_head(zf, "mimetype", 100).decode("ascii", errors="replace").strip()
        if mime == "application/vnd.oasis.opendocument.spreadsheet":
            manifest = zip_head(zf, "META-INF/manifest.xml", 1 << 20) if "META-INF/manifest.xml" in names else b""
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


# --- OLE compound files: .xls (BIFF8) and Excel's encrypted xlsx ------------------------------------------------

def _read_ole(raw: bytes, tally: Tally) -> Book:
    ole = Ole(raw)
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
    for sheet, rows, cols in biff_extents(ole.read(stream)):
        tally.add(sheet, rows, cols)
    return _calamine(raw, tally.limits)


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


def _read_text(raw: bytes, path: Path, limits: Limits) -> Book:
    head = _ascii_head(raw)
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<workbook" in head:
            raise Unreadable("文件是 Excel 2003 XML 表格格式，暂不支持（请用 Excel 打开后另存为 .xlsx）")
        if any(hint in head for hint in _HTML_HINTS):
            return _read_html(raw, path, limits)
        raise Unreadable("文件是网页或 XML 格式，但其中没有表格")
    if stripped.startswith(b"mime-version:") or b"multipart/related" in head[:2048]:
        raise Unreadable("文件是网页存档（.mht）格式，暂不支持（请用 Excel 打开后另存为 .xlsx）")
    rows = _read_csv(raw, named_csv=path.suffix.lower() == ".csv", limits=limits)
    return Book([Grid.from_rows(path.stem, rows, Tally(limits))])


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


def _read_html(raw: bytes, path: Path, limits: Limits) -> Book:
    try:
        tables = parse_tables(decode_html(raw), max_rows=limits.sheet_rows, max_cols=limits.sheet_cols,
                              max_cells=limits.book_cells)
    except BadHtml as exc:
        raise Unreadable(exc.reason) from exc
    if not tables:
        raise Unreadable("文件是网页格式，但其中没有表格")
    # Excel names the one sheet of an opened web page after the file; several tables get numbered.
    if len(tables) == 1:
        return Book([Grid.from_rows(path.stem, tables[0], Tally(limits))])
    kept, tally = tables[:limits.sheets], Tally(limits)
    return Book([Grid.from_rows(f"{path.stem}（表{i}）", rows, tally) for i, rows in enumerate(kept, start=1)],
                len(tables) - len(kept))


_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
# Text never holds these; bytes that decode to them are a binary file that happened to decode.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _read_csv(raw: bytes, *, named_csv: bool, limits: Limits) -> list[list[object]]:
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
        count = _records(text, delimiter) if text.count("\n") >= limits.sheet_rows else 0
        if count > limits.sheet_rows:
            raise Unreadable(f"文件有 {count} 行，超过 {limits.sheet_rows} 行的上限，不像是一份报表")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= limits.sheet_rows:
                raise Unreadable(f"文件超过 {limits.sheet_rows} 行的上限，不像是一份报表")
            if len(row) > limits.sheet_cols:
                raise Unreadable(f"文件第 {len(rows) + 1} 行超过 {limits.sheet_cols} 列的上限，不像是一份报表")
            cells += len(row)
            if cells > limits.sheet_cells:
                raise Unreadable(f"文件超过 {limits.sheet_cells} 个单元格的上限，不像是一份报表")
            # ="0123" is how exporters keep Excel from turning IDs into numbers.
            rows.append([_unwrap(v) for v in row])
    except csv.Error as exc:
        raise Unreadable("CSV 文件格式有误") from exc
    return rows


def _records(text: str, delimiter: str) -> int:
    """Count the records of delimited text without keeping any, so rows past the cap are refused cheaply.

    Lines are handed over as slices of the text: a StringIO would hold a second copy four bytes to a character.
    Return 0 when the text does not parse this way; the reading that follows says why, or finds the rows itself.
    """
    if '"' not in text:
        # Without quotes no record spans lines: the records are the lines.
        return text.count("\n") + (not text.endswith("\n"))
    def lines():
        start = 0
        while (end := text.find("\n", start)) >= 0:
            yield text[start:end + 1]
            start = end + 1
        if start < len(text):
            yield text[start:]
    try:
        return sum(1 for _ in csv.reader(lines(), delimiter=delimiter))
    except csv.Error:
        return 0


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
