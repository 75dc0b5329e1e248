"""Recognise jiekun's own outputs dropped back into a quarter folder, by content, before anything parses them.

Every workbook jiekun writes carries the custom document property `jiekun_output` (its Word documents carry
`jiekun_output=…` in core.xml, its web pages a generator meta tag). The fill-in forms say `form`: units fill them in
and send them back, so they are read like any report. Older, unstamped workbooks are known by their sheet names.
Only small bounded parts of a file are read here; anything unexpected means "not ours" and the reader decides.
"""
from __future__ import annotations

import html
import os
import re
import stat
import struct
import zipfile
from pathlib import Path

OUTPUT = "output"              # the kind of an entry that is one of jiekun's outputs
STAMP = "jiekun_output"
FORM = "form"
LABELS = {"dispatch-workbook": "调度报告工作簿", "feedback": "问题反馈单", "bulletin": "半年通报工作簿",
          "assessment": "年度考核工作簿", "city-workbook": "市级汇总工作簿", "matrix": "任务分工表", "document": "公文（Word）",
          "report": "网页报告", "summary": "结果文件 summary.json", "manifest": "读取清单 manifest.json",
          "findings": "问题清单 findings.csv",
          "detail": "对象明细（Parquet）"}
# Sheets that together name an older workbook of jiekun's; the feedback sheet must be the workbook's only one.
_SIGNATURES = ((frozenset({"总览", "问题清单", "读取核对"}), "dispatch-workbook"),
               (frozenset({"主要指标对比", "资金累计"}), "bulletin"),
               (frozenset({"考核得分", "考核办法"}), "assessment"),
               (frozenset({"总览", "人均补差", "问题统计"}), "city-workbook"))
_HEAD = 64 * 1024
_PART = 1 << 20
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_CUSTOM = re.compile(rb'name="' + STAMP.encode() + rb'"[^>]*>\s*<vt:lpwstr>([^<]{1,40})</vt:lpwstr>')
_CORE = re.compile(STAMP.encode() + rb"=([\w-]{1,40})")
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"')
_JSON = re.compile(r'^\{\s*"(?:period"\s*:\s*"\d{4}Q[1-4]"|jiekun"\s*:\s*")')
_FINDINGS_HEADER = "code,severity,unit,file,sheet,row,column,message,value"


def own_output(path: Path) -> str | None:
    """Return why the file is skipped as one of jiekun's outputs, or None when it is anything else."""
    kind = _kind(path)
    if kind is None or kind == FORM:
        return None
    return f"这是 jiekun 生成的{LABELS.get(kind, '报告')}，不是单位报送的报表，已跳过"


def _kind(path: Path) -> str | None:
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size < 4:
                return None
            head = fh.read(_HEAD)
            if head.startswith(b"PK\x03\x04"):
                return _zip_kind(fh, info.st_size)
            if head.startswith(b"PAR1"):
                fh.seek(max(0, info.st_size - _PART))
                return "detail" if b"person_key" in fh.read(_PART) else None
        except Exception:  # noqa: BLE001 - a file this glance cannot make out is the reader's to judge, never a crash
            return None
    return _text_kind(head)


def _zip_kind(fh, size: int) -> str | None:
    """Read the stamp, else the sheet names, of a zip package whose central directory is small."""
    fh.seek(max(0, size - _HEAD))
    tail = fh.read(_HEAD)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return None
    entries, directory = struct.unpack("<HI", tail[end + 10:end + 16])
    if entries > 10_000 or directory > 4 * _PART:
        return None      # not a package jiekun writes; the reader's own scan judges it
    with zipfile.ZipFile(fh) as zf:
        names = set(zf.namelist())

        def part(name: str) -> bytes:
            return zf.open(name).read(_PART) if name in names else b""
        found = _CUSTOM.search(part("docProps/custom.xml")) or _CORE.search(part("docProps/core.xml"))
        if found:
            return found.group(1).decode("ascii", "replace")
        if "xl/workbook.xml" not in names:
            return None
        sheets = {html.unescape(n.decode("utf-8", "replace")) for n in _SHEET.findall(part("xl/workbook.xml"))}
    if sheets == {"问题反馈"}:
        return "feedback"
    return next((kind for signature, kind in _SIGNATURES if signature <= sheets), None)


def _text_kind(head: bytes) -> str | None:
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "ignore").lstrip()
    if _JSON.match(text):
        return "manifest" if text.lstrip("{ \r\n\t").startswith('"jiekun"') else "summary"
    if text.split("\n", 1)[0].strip() == _FINDINGS_HEADER:
        return "findings"
    if re.search(r'<meta name="generator" content="jiekun"', text[:4096]):
        return "report"
    return None
