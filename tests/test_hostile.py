"""Hostile inputs: no file or folder entry can stop the run, cost unbounded time or memory, or change the money.

Every hostile file is built here. Bounds are proved with small limits rather than stopwatches: a file read under
a cap of 512 MB and 30 s per file that comes back with its pre-scan's reason, not with the memory or the time
limit's, was refused within both.
"""
from __future__ import annotations

import ctypes
import faulthandler
import io
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY, run_check, shipped_project
from python_calamine import CalamineWorkbook

from pipeline.errors import StopRun
from pipeline.reader import Entry, FileRead, Limits, ReadContext, list_entries, read_file
from pipeline.reader.html_table import parse_tables
from pipeline.reader.sandbox import read_files
from pipeline.reader.zip_scan import _CHUNK, _chunks

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and symlinks as on Linux")

MB = 1024 * 1024
TIGHT = Limits(memory_bytes=512 * MB, seconds=30, seconds_per_mb=0)
VICTIM = "受害.xlsx"


# --- hostile files ------------------------------------------------------------------------------------------------

def note_book(path: Path, sheets: dict[str, dict[str, str]]) -> Path:
    """Save a workbook of note sheets, each given as {cell: text}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, cells in sheets.items():
        ws = wb.create_sheet(name)
        for ref, text in cells.items():
            ws[ref] = text
    wb.save(path)
    return path


def with_part(path: Path, member: str, pieces) -> Path:
    """Rewrite an xlsx in place with one part replaced by (or added as) the byte pieces, written as a stream."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info.filename, src.read(info))
        with dst.open(member, "w") as out:
            for piece in pieces:
                out.write(piece)
    return path


def allocation_bomb(path: Path) -> Path:
    """A 1.5 KB workbook whose second cell, XFD0001048576, makes calamine reserve 1,048,576 x 16,384 cells (512 GB)."""
    note_book(path, {"说明": {"A1": "填报说明", "B2": "x"}})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    return with_part(path, "xl/worksheets/sheet1.xml", [xml.replace(b'r="B2"', b'r="XFD0001048576"')])


def hostile_quarter(quarter: Path, outside: Path) -> None:
    """Drop one of each hostile entry into a quarter folder that already holds the demo's real files."""
    allocation_bomb(quarter / "分配炸弹.xlsx")
    # 40 sparse sheets, each within the per-sheet cap, 1.26 billion cells (40 GB in calamine) in all.
    note_book(quarter / "稀疏多表.xlsx", {f"表{i}": {"A1": "说明", "AD1048576": "x"} for i in range(40)})
    # 256 MB of whitespace in a part calamine never reads: only a linear pre-scan gets through it in time.
    with_part(note_book(quarter / "空白填充.xlsx", {"说明": {"A1": "请按时报送"}}), "customXml/item1.xml",
              [b"<root>"] + [b" " * MB] * 256 + [b"</root>"])
    # 17 MB of whitespace inside one tag: no writer makes a tag that long.
    with_part(note_book(quarter / "标签内空白.xlsx", {"说明": {"A1": "请按时报送"}}), "customXml/item1.xml",
              [b'<root a="1"'] + [b" " * MB] * 17 + [b"/>"])
    # Rows of 16,000 rowspan cells, nearly as wide as Excel allows, each over a row that the spans cover.
    (quarter / "网页跨行.xls").write_text(
        "<table>" + ("<tr>" + '<td rowspan="2">甲</td>' * 16_000 + "</tr><tr><td>乙</td></tr>") * 8 + "</table>",
        encoding="utf-8")
    (quarter / "嵌套表格.xls").write_text("<table><tr><td>" * 1000, encoding="utf-8")
    os.mkfifo(quarter / "管道.xlsx")
    (quarter / "文件夹.xlsx" / "xl").mkdir(parents=True)
    (quarter / "文件夹.xlsx" / "xl" / "workbook.xml").write_text("<workbook/>", encoding="utf-8")
    # A copy of a real roster kept elsewhere: followed, it would pay 湖坊镇's households twice.
    shutil.copy(quarter / "湖坊镇-救助对象台账-2019Q2.xlsx", outside / "台账副本.xlsx")
    (quarter / "外部台账.xlsx").symlink_to(outside / "台账副本.xlsx")
    (quarter / "口令.csv").symlink_to("/etc/passwd")
    (quarter / "湖坊镇台账 - 快捷方式.lnk").write_bytes(b"L\0\0\0\x01\x14\x02\0" + bytes(68))
    (quarter / "丢失.xlsx").symlink_to(quarter / "不存在.xlsx")
    (quarter / "循环甲.xlsx").symlink_to(quarter / "循环乙.xlsx")
    (quarter / "循环乙.xlsx").symlink_to(quarter / "循环甲.xlsx")
    (quarter / "链接-京东镇进展.xlsx").symlink_to("京东镇-2019Q2进展情况.xlsx")
    (quarter / "子目录").mkdir()
    (quarter / "子目录链接").symlink_to("子目录")
    shutil.copy(quarter / "京东镇-2019Q2进展情况.xlsx", quarter / "~$京东镇-2019Q2进展情况.xlsx")
    (quarter / ".~lock.京东镇-2019Q2进展情况.xlsx#").write_text("lock", encoding="utf-8")


# Each hostile entry: the finding code and a phrase of its reason, or None for an entry that is read as a file.
REFUSED = {
    "分配炸弹.xlsx": ("unreadable-file", "1048576 行 × 16384 列"),
    "稀疏多表.xlsx": ("unreadable-file", "合计超出"),
    "标签内空白.xlsx": ("unreadable-file", "已损坏"),
    "嵌套表格.xls": ("too-many-sheets", "其余 744 个未读取"),
    "管道.xlsx": ("not-a-file", "命名管道"),
    "文件夹.xlsx": ("not-a-file", "文件夹"),
    "外部台账.xlsx": ("not-a-file", "以外的链接"),
    "口令.csv": ("not-a-file", "以外的链接"),
    "湖坊镇台账 - 快捷方式.lnk": ("not-a-file", "快捷方式"),
    "丢失.xlsx": ("not-a-file", "不存在"),
    "循环甲.xlsx": ("not-a-file", "循环"),
    "循环乙.xlsx": ("not-a-file", "循环"),
}
SKIPPED = {"子目录链接": "link", "~$京东镇-2019Q2进展情况.xlsx": "lock", ".~lock.京东镇-2019Q2进展情况.xlsx#": "lock"}
READ = {"空白填充.xlsx": "unknown", "网页跨行.xls": "unknown", "链接-京东镇进展.xlsx": "progress"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A project with the shipped demo quarter, checked as it is, then again with every hostile entry added."""
    root = shipped_project(tmp_path_factory.mktemp("hostile"), "2019Q2")
    quarter = root / "input" / "2019Q2"
    clean = run_check(root)
    outside = root / "elsewhere"
    outside.mkdir()
    hostile_quarter(quarter, outside)
    return root, clean, run_check(root)


def ctx_for(config, rel: str) -> ReadContext:
    return ReadContext(file=rel, registry=config.registry, status_words=config.status_words, today=TODAY)


def make_ctx(config):
    return lambda entry: ctx_for(config, entry.file)


def digest(reads: list[FileRead]) -> list[tuple]:
    """What a read yielded, in comparable form: sheets with their rows, and findings."""
    return [(r.file, r.kind, r.skipped_reason,
             [(s.sheet, s.kind, s.unit, s.rows.to_csv()) for s in r.sheets],
             [(f.code, f.sheet, f.row, f.column, f.message) for f in r.all_findings]) for r in reads]


# --- the whole quarter ------------------------------------------------------------------------------------------------

def test_hostile_entries_leave_the_money_of_the_other_files_unchanged(demo):
    _, clean, hostile = demo
    assert hostile.benefits.total_fen == clean.benefits.total_fen > 0
    assert hostile.benefits.by_unit.equals(clean.benefits.by_unit)
    assert hostile.quarter.roster["_file"].nunique() == clean.quarter.roster["_file"].nunique()


def test_every_hostile_entry_is_one_finding_or_one_line(demo):
    _, clean, hostile = demo
    by_file = {r.file: r for r in hostile.files}
    for name, (code, phrase) in REFUSED.items():
        found = [(f.code, f.message) for f in by_file[name].all_findings if f.code != "unknown-sheet"]
        assert len(found) == 1 and found[0][0] == code and phrase in found[0][1], (name, found)
    for name, kind in SKIPPED.items():
        assert by_file[name].kind == kind and by_file[name].skipped_reason and not by_file[name].findings, name
    for name, kind in READ.items():
        assert [s.kind for s in by_file[name].sheets] == [kind], name
    # Nothing inside the folder named like a workbook is read or reported on its own.
    assert not [r.file for r in hostile.files if r.file.startswith("文件夹.xlsx/")]
    # The demo's own files read exactly as before.
    assert digest([by_file[r.file] for r in clean.files]) == digest(list(clean.files))


def test_hostile_files_are_refused_within_small_limits(demo, config):
    root, _, _ = demo
    entries = [e for e in list_entries(root / "input" / "2019Q2") if e.file in REFUSED or e.file in READ]
    reads = {r.file: r for r in read_files(entries, make_ctx(config), limits=TIGHT)}
    for name, (code, phrase) in REFUSED.items():
        assert [f.code for f in reads[name].findings] == [code] and phrase in reads[name].findings[0].message, name
    for name, kind in READ.items():
        assert [s.kind for s in reads[name].sheets] == [kind], name


# --- the sandbox --------------------------------------------------------------------------------------------------

def dump_into_the_test_s_stderr() -> None:
    """Send the worker's fatal-error dump to the test's captured stderr.

    A forked worker inherits pytest's fault handler, which writes to the terminal pytest started on: a deliberate
    crash would print a stack dump into the test log as if the suite had crashed.
    """
    faulthandler.enable(file=sys.stderr)


def aborting_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Abort on the victim, as python-calamine does when an allocation fails."""
    if ctx.file == VICTIM:
        dump_into_the_test_s_stderr()
        os.abort()
    return read_file(path, ctx, limits)


def unchecked_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Hand the victim to calamine with no pre-scan, as a bomb that every pre-scan misses would reach it."""
    if ctx.file == VICTIM:
        dump_into_the_test_s_stderr()
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return read_file(path, ctx, limits)


def hoarding_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Reserve more than the memory limit for the victim; without the limit this would succeed."""
    if ctx.file == VICTIM:
        bytearray(limits.memory_bytes + 64 * MB)
    return read_file(path, ctx, limits)


def crashing_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Crash on the victim with a segmentation fault."""
    if ctx.file == VICTIM:
        dump_into_the_test_s_stderr()
        ctypes.string_at(0)
    return read_file(path, ctx, limits)


def hanging_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Never finish the victim."""
    if ctx.file == VICTIM:
        time.sleep(3600)
    return read_file(path, ctx, limits)


def buggy_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Fail on the victim as a reader bug would."""
    if ctx.file == VICTIM:
        raise KeyError("列")
    return read_file(path, ctx, limits)


@pytest.fixture(scope="module")
def sample(demo, config):
    """A few of the demo's files, a victim listed first, and what the others read as without any victim."""
    root, _, _ = demo
    quarter = root / "input" / "2019Q2"
    names = ["湖坊镇-救助对象台账-2019Q2.xlsx", "湖坊镇-2019Q2进展情况.xlsx", "区审计局-2019Q2进展情况.csv"]
    others = [Entry(name, quarter / name) for name in names]
    victim = Entry(VICTIM, allocation_bomb(root / VICTIM))
    expected = digest([read_file(e.path, ctx_for(config, e.file)) for e in others])
    return [victim, *others], expected, make_ctx(config)


@pytest.mark.parametrize("reader, reason, dump", [
    (aborting_reader, "占用内存超过每个文件 0.25 GB 的上限", "Fatal Python error: Aborted"),
    (unchecked_reader, "占用内存超过每个文件 0.25 GB 的上限", "Fatal Python error: Aborted"),
    (hoarding_reader, "占用内存超过每个文件 0.25 GB 的上限", None),
    (crashing_reader, "程序异常退出", "Fatal Python error: Segmentation fault"),
    (buggy_reader, "程序出错（KeyError）", None),
])
def test_a_worker_that_dies_costs_its_file_one_finding_and_is_replaced(sample, reader, reason, dump, capfd):
    entries, expected, ctx = sample
    # One worker: the files after the victim are read by its replacement.
    victim, *others = read_files(entries, ctx, limits=Limits(memory_bytes=256 * MB), jobs=1, reader=reader)
    assert [(f.code, f.file) for f in victim.findings] == [("unreadable-file", VICTIM)]
    assert reason in victim.findings[0].message
    assert digest(others) == expected
    # The worker really died the way named, and said so where the test keeps it, not in the test log.
    err = capfd.readouterr().err
    assert (dump in err) if dump else "Fatal Python error" not in err


def test_a_file_that_hangs_is_stopped_at_its_time_limit(sample):
    entries, expected, ctx = sample
    victim, *others = read_files(entries, ctx, limits=Limits(seconds=4, seconds_per_mb=0), jobs=2,
                                 reader=hanging_reader)
    assert [f.code for f in victim.findings] == ["unreadable-file"]
    assert "读取超过 4 秒仍未完成" in victim.findings[0].message
    assert digest(others) == expected


def test_the_sandbox_runs_with_spawn_as_on_windows(sample):
    entries, expected, ctx = sample
    victim, *others = read_files(entries, ctx, limits=Limits(memory_bytes=256 * MB), jobs=2, reader=aborting_reader,
                                 start_method="spawn")
    assert [f.code for f in victim.findings] == ["unreadable-file"]
    assert digest(others) == expected


def test_a_worker_that_cannot_start_stops_the_run(sample, tmp_path, monkeypatch):
    entries, _, ctx = sample
    (tmp_path / "vanishing_reader.py").write_text(
        "from pipeline.reader import read_file\n\n\ndef read(path, ctx, limits):\n    return read_file(path, ctx, limits)\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "vanishing_reader", raising=False)
    import vanishing_reader
    # A spawned worker cannot import the reader: every file would fail alike, so that is no file's finding.
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    with pytest.raises(StopRun, match="工作进程无法启动"):
        read_files(entries, ctx, jobs=1, reader=vanishing_reader.read, start_method="spawn")


# --- the pieces -------------------------------------------------------------------------------------------------------

def test_a_zip_part_is_scanned_in_pieces_that_never_split_a_tag(tmp_path):
    # '>' inside an attribute value right before a block boundary, then a far cell: the tag must reach the scan whole.
    lead = b'<r a="' + b"x" * (_CHUNK - 10) + b'>" '
    parts = {"spaces.xml": [b" " * MB] * 8, "tag.xml": [b"<c"] + [b" " * MB] * 3 + [b' r="A1"/>'],
             "quoted.xml": [lead, b'b="1"/><c r="XFD1048576">']}
    with zipfile.ZipFile(tmp_path / "a.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, pieces in parts.items():
            zf.writestr(name, b"".join(pieces))
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        for info in zf.infolist():
            pieces = list(_chunks(zf, info))
            assert b"".join(pieces) == b"".join(parts[info.filename])
            # No piece ever holds more than a block and one open tag: no carry grows with the part.
            assert max(map(len, pieces)) <= _CHUNK + 4 * MB, info.filename
            if info.filename == "quoted.xml":
                assert [p for p in pieces if p.startswith(b'<r a="') and p.endswith(b'<c r="XFD1048576">')] == pieces


def test_rowspans_from_above_push_the_next_rows_cells_right():
    [rows] = parse_tables('<table><tr><td rowspan="2">甲</td><td>乙</td><td rowspan="3">丙</td></tr>'
                          "<tr><td>丁</td></tr><tr><td>戊</td><td>己</td></tr></table>", max_rows=10, max_cells=100)
    assert rows == [["甲", "乙", "丙"], ["", "丁"], ["戊", "己"]]


def test_sheets_past_the_limit_are_reported_not_read(tmp_path, config):
    path = note_book(tmp_path / "多表.xlsx", {f"说明{i}": {"A1": "请按时报送"} for i in range(5)})
    read = read_file(path, ctx_for(config, "多表.xlsx"), Limits(sheets=3))
    assert [s.sheet for s in read.sheets] == ["说明0", "说明1", "说明2"]
    assert [(f.code, f.file) for f in read.findings] == [("too-many-sheets", "多表.xlsx")]
    assert "其余 2 个未读取" in read.findings[0].message
