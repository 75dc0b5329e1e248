"""Find the input files of a quarter and open each as plain grids of cells, whatever its format."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ACCEPTED_SUFFIXES = SPREADSHEET_SUFFIXES + (".csv",)
# Refuse to parse anything bigger: a real unit's file is well under this.
MAX_FILE_BYTES = 200 * 1024 * 1024


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
    """List a quarter's input files in a stable order, skipping lock files, hidden files and other types."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts):
            continue
        if path.is_file():
            found.append(path)
    return found


def is_accepted(path: Path) -> bool:
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def load_grids(path: Path) -> list[Grid]:
    """Open a spreadsheet or CSV and return its sheets as grids; raise Unreadable when it cannot be read."""
    size = path.stat().st_size
    if size == 0:
        raise Unreadable("文件是空的（0 字节）")
    if size > MAX_FILE_BYTES:
        raise Unreadable("文件过大，不像是一份报表")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [Grid(path.stem, _read_csv(path))]
    return _read_workbook(path)


def _read_workbook(path: Path) -> list[Grid]:
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.suffix.lower() in (".xlsx", ".xlsm"):
        # An OLE container named .xlsx is what Excel writes for a password-protected workbook.
        raise Unreadable("文件已加密或不是 xlsx 格式（可能设置了打开密码）")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods") and not zipfile.is_zipfile(path):
        raise Unreadable("文件已损坏或不是有效的表格文件")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, na_filter=False, engine="calamine")
    except Exception as exc:  # calamine raises many kinds; every one means "cannot open"
        raise Unreadable(_reason(exc)) from exc
    return [Grid(str(name), df.values.tolist()) for name, df in sheets.items()]


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return "文件已加密，请去掉打开密码后重新报送"
    return "文件已损坏或不是有效的表格文件"


def _read_csv(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    text = decode_text(raw)
    if "\x00" in text:
        raise Unreadable("文件不是文本格式的 CSV")
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise Unreadable("CSV 文件格式有误") from exc


def decode_text(raw: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM) or else GB18030, the superset of GBK."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise Unreadable("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV") from exc
