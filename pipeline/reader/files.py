"""Find the input files of a quarter and open each as plain grids of cells, whatever its format.

Files are recognised by their content, not their extension: units rename freely, and many government systems
export CSV, tab-separated text or an HTML table under an .xls name. Every check that bounds time and memory runs
before python-calamine sees the bytes, because calamine allocates a sheet's whole rectangle at once and aborts
the process (not raises) when that allocation fails.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import python_calamine

from .grid import Grid
from .html_table import BadHtml, decode_html, parse_tables
from .limits import (CORRUPT, ENCRYPTED, MAX_CELLS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES, OS_LITTER, TRUNCATED,
                     Unreadable, _MB, check_extent)
from .ole_scan import OLE_MAGIC, Ole, biff_extents
from .zip_scan import scan_ods, scan_xlsx, zip_head

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES + (".csv",)


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
        if raw.startswith(OLE_MAGIC):
            return _read_ole(raw)
        _refuse_known_binary(raw)
        return _read_text(raw, path)
    except (struct.error, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, IndexError, KeyError,
            ValueError, RuntimeError, OverflowError) as exc:
        # A malformed file trips the parsers in many ways; each one is this file's problem, not the run's.
        raise Unreadable(CORRUPT) from exc


def _calamine(raw: bytes) -> list[Grid]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = {s.name: book.get_sheet_by_name(s.name).to_python(skip_empty_area=False)
                  for s in book.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # calamine raises many kinds, and a panic in its Rust code arrives as a BaseException; each means
        # "cannot open" for this one file.
        raise Unreadable(_reason(exc)) from exc
    grids = []
    for name, rows in sheets.items():
        grid = Grid.from_calamine(str(name), rows)
        check_extent(grid.name, *grid.cells.shape)
        grids.append(grid)
    return grids


def _reason(exc: Exception) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if "password" in text or "encrypt" in text:
        return ENCRYPTED
    return CORRUPT


# --- zip containers: xlsx, xlsm, ods ---------------------------------------------------------------------------

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
            scan_ods(zf, infos)
        else:
            scan_xlsx(zf, infos)
    return _calamine(raw)


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

def _read_ole(raw: bytes) -> list[Grid]:
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
        check_extent(sheet, rows, cols)
    return _calamine(raw)


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
    return [Grid.from_rows(path.stem, _read_csv(raw, named_csv=path.suffix.lower() == ".csv"))]


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
        return [Grid.from_rows(path.stem, tables[0])]
    return [Grid.from_rows(f"{path.stem}（表{i}）", rows) for i, rows in enumerate(tables, start=1)]


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
