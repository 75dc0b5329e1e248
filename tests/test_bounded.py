"""Bounded hostile files, a bounded main process and workers that never outlive it or speak to the clerk.

Every hostile file is built here by a small generator. Bounds are proved through the worker limits, not with
stopwatches: a file read under a 512 MB cap that comes back with its pre-scan's reason, not the memory limit's
or the time limit's, was refused before the parser allocated anything.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from functools import partial
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, run_check, shipped_project

from pipeline.findings import PER_FILE_AND_CODE, Flood, finding
from pipeline.reader import Entry, FileRead, Limits, ReadContext, read_file, sandbox
from pipeline.reader.sandbox import pool_size, read_files

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker limits and /proc as on Linux")

MB, GB = 1 << 20, 1 << 30
TIGHT = Limits(memory_bytes=512 * MB, seconds=60, seconds_per_mb=0)
VICTIM = "受害.xlsx"

# --- hostile files ------------------------------------------------------------------------------------------------

_NS = (b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _sheet(cells: dict[str, str]) -> bytes:
    rows: dict[int, list[str]] = {}
    for ref, text in cells.items():
        rows.setdefault(int("".join(filter(str.isdigit, ref))), []).append(
            f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + _NS + b"><sheetData>" + body.encode() + \
        b"</sheetData></worksheet>"


def xlsx(path: Path, sheets: list[str], targets: list[str], parts: list[tuple[str, object]]) -> Path:
    """Write a bare xlsx: sheets pointing at targets (relative to xl/), and the parts as (name, bytes or pieces)."""
    book = b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + _NS + b"><sheets>" + "".join(
        f'<sheet name="{s}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, s in enumerate(sheets)).encode() + \
        b"</sheets></workbook>"
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">' + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}" Target="{t}"/>'
                                             for i, t in enumerate(targets)) + "</Relationships>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        zf.writestr("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for name, data in parts:
            if isinstance(data, bytes):
                zf.writestr(name, data)
            else:
                with zf.open(name, "w") as out:
                    for piece in data:
                        out.write(piece)
    return path


def same_part(path: Path) -> Path:
    """256 sheets that all point at one worksheet part, a sheet just within the per-sheet cap (like samepart256)."""
    return xlsx(path, [f"表{i}" for i in range(256)], ["worksheets/sheet1.xml"] * 256,
                [("xl/worksheets/sheet1.xml", _sheet({"A1": "说明", "AF1048576": "x"}))])


def duplicate_parts(path: Path) -> Path:
    """One part name 256 times in the zip: a scan checks one copy, a parser may read another."""
    with pytest.warns(UserWarning, match="Duplicate name"):
        return xlsx(path, ["说明"], ["worksheets/sheet1.xml"],
                    [("xl/worksheets/sheet1.xml", _sheet({"A1": "说明", "B2": "x"}))] * 256)


def shared_strings(path: Path, count: int, declared: int | None = None) -> Path:
    """A one-cell workbook whose shared-string table holds `count` strings and declares `declared`."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main" count="{declared or count}" uniqueCount="{declared or count}">').encode()
    block = b"<si><t>x</t></si>" * 65536
    pieces = [head] + [block] * (count // 65536) + [b"<si><t>x</t></si>" * (count % 65536), b"</sst>"]
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + _NS +
             b'><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')
    return xlsx(path, ["说明"], ["worksheets/sheet1.xml"],
                [("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", pieces)])


def ods(path: Path, body: bytes) -> Path:
    """Write an ODS whose one table holds `body`."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               b'<office:spreadsheet><table:table table:name="Sheet1">' + body +
               b"</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                    b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                    b'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
        zf.writestr("content.xml", content)
    return path


# A cell calamine counts as valued, repeated 16,384 times in a row repeated 6,000 times (98 M cells), each
# written a way an earlier scan did not follow.
ODS_CELLS = {
    "value": b'<table:table-cell office:value="1" table:number-columns-repeated="16384"/>',
    "quote": b"<table:table-cell office:value-type='float' office:value='1' table:number-columns-repeated='16384'/>",
    "plus": b'<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="+16384"/>',
    "space": b'<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated = "16384"/>',
    "formula": b'<table:table-cell table:formula="of:=1" table:number-columns-repeated="16384"/>',
}


def ods_repeat(path: Path, variant: str) -> Path:
    return ods(path, b'<table:table-row table:number-rows-repeated="6000">' + ODS_CELLS[variant] +
               b"</table:table-row>")


def ods_spaces(path: Path) -> Path:
    """One cell of two billion spaces, in 700 bytes."""
    return ods(path, b'<table:table-row><table:table-cell office:value-type="string"><text:p>a'
                     b'<text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row>')


def progress_flood(path: Path, rows: int, unit: str = "湖坊镇") -> Path:
    """A progress report whose every row names a task number the matrix lacks: one finding per row."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第二季度）\n")
        fh.write(f"填报单位：{unit},,,,,填报日期：2019-06-14\n")
        fh.write("任务编号,工作任务,政策措施,完成状态,完成进度,进展情况,存在问题,下步计划,惠及人数,投入资金（万元）\n")
        fh.writelines(f"{1000 + i},任务,措施,已完成,100%,已完成,无,无,1,1\n" for i in range(rows))
    return path


# Each hostile file: its generator, and a phrase of the pre-scan's reason for refusing it.
HOSTILE = {
    "samepart256.xlsx": (same_part, "合计超出"),
    "dupparts.xlsx": (duplicate_parts, "256 个同名部件"),
    "sst_many.xlsx": (lambda p: shared_strings(p, 3_000_000), "共享文本表有 3000000 条"),
    # The same, declaring one string: the strings are counted as the part is inflated, and the rest left alone.
    "sst_hidden.xlsx": (lambda p: shared_strings(p, 3_000_000, declared=1), "共享文本表有超过"),
    "sst_declared.xlsx": (lambda p: shared_strings(p, 1, declared=400_000_000), "共享文本表有 400000000 条"),
    **{f"ods_repeat_{v}.ods": (partial(ods_repeat, variant=v), "6000 行 × 16384 列") for v in ODS_CELLS},
    # Within the cell caps (2,000 x 16,384 cells) but all copies of one cell: 120 s and 3.9 GB unbounded.
    "ods_within.ods": (lambda p: ods(p, b'<table:table-row table:number-rows-repeated="2000">' + ODS_CELLS["value"] +
                                     b"</table:table-row>"), "声明了 32768000 个有内容的单元格"),
    "ods_spaces.ods": (ods_spaces, "2000000000 个空格"),
    # 1.2 million finding-shaped rows, 63 MB: past Excel's row limit, so refused before one row is kept.
    "flood.csv": (lambda p: progress_flood(p, 1_200_000), "文件有 1200003 行"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bombs")
    for name, (make, _) in HOSTILE.items():
        make(folder / name)
    return folder


def ctx_for(config, rel: str) -> ReadContext:
    return ReadContext(file=rel, registry=config.registry, status_words=config.status_words, today=TODAY)


def test_each_hostile_file_is_refused_by_its_pre_scan_within_small_limits(hostile, config):
    entries = [Entry(name, hostile / name) for name in HOSTILE]
    reads = read_files(entries, lambda e: ctx_for(config, e.file), limits=TIGHT, jobs=2)
    for entry, read in zip(entries, reads):
        found = [(f.code, f.file) for f in read.all_findings]
        assert found == [("unreadable-file", entry.file)], (entry.file, read.all_findings)
        # The pre-scan's reason, not the memory or time limit's: refused before the parser allocated anything.
        assert HOSTILE[entry.file][1] in read.findings[0].message, (entry.file, read.findings[0].message)


def test_a_workbook_of_real_size_still_reads(tmp_path, config):
    # The shared-string bound leaves a workbook alone whose strings its cells use.
    path = shared_strings(tmp_path / "ok.xlsx", 3)
    read = read_file(path, ctx_for(config, "ok.xlsx"), TIGHT)
    assert [s.kind for s in read.sheets] == ["unknown"]
    padded = ods(tmp_path / "padded.ods", b'<table:table-row table:number-rows-repeated="1048575">'
                 b'<table:table-cell table:style-name="ce1" table:number-columns-repeated="1024"/></table:table-row>'
                 b'<table:table-row><table:table-cell office:value-type="string"><text:p>note</text:p>'
                 b"</table:table-cell></table:table-row>")
    # LibreOffice's padding of empty cells is not a valued extent, however far it runs.
    assert [s.kind for s in read_file(padded, ctx_for(config, "padded.ods"), TIGHT).sheets] == ["unknown"]


# --- a whole run on a folder of them ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(hostile, tmp_path_factory):
    """The shipped quarter checked as it is, then with every hostile file and a flood of findings added."""
    root = shipped_project(tmp_path_factory.mktemp("whole"), "2019Q2")
    quarter = root / "input" / "2019Q2"
    clean = run_check(root)
    for name in HOSTILE:
        shutil.copy(hostile / name, quarter / name)
    progress_flood(quarter / "区民政局-进展洪水.csv", PER_FILE_AND_CODE + 500, unit="区民政局")
    return clean, run_check(root)


def test_a_whole_run_refuses_each_hostile_file_and_pays_the_clean_units_right(runs):
    clean, hostile = runs
    assert hostile.benefits.total_fen == clean.benefits.total_fen > 0
    assert hostile.benefits.by_unit.equals(clean.benefits.by_unit)
    for name, (_, phrase) in HOSTILE.items():
        found = [f for f in hostile.findings if f.file == name]
        assert [(f.code, f.file) for f in found] == [("unreadable-file", name)] and phrase in found[0].message, name


def test_a_flood_of_one_finding_becomes_one_summary_and_every_row_stays_accounted(runs):
    _, hostile = runs
    flood = [f for f in hostile.findings if f.file == "区民政局-进展洪水.csv" and f.code == "bad-value"]
    # Rows 4 to 10,503 each name a task the matrix lacks; one summary names the count and the first rows.
    assert [(f.row, f.code) for f in flood] == [(4, "bad-value")]
    assert f"共有 {PER_FILE_AND_CODE + 500} 条" in flood[0].message and "见第 4、5、6" in flood[0].message
    assert flood[0].left_out == tuple(range(4, PER_FILE_AND_CODE + 504))
    assert not [f for f in hostile.findings if f.code == "rows-unaccounted"]


def test_the_cap_folds_findings_in_order_and_leaves_other_codes_and_files_alone():
    def row(file, code, r):
        return finding(code, f"第{r}行", file=file, row=r, left_out=(r,))
    stream = [row("甲.csv", "bad-value", r) for r in range(1, 8)] + [row("甲.csv", "id-invalid", 1),
                                                                   row("乙.csv", "bad-value", 1)]
    flood = Flood(cap=5)
    for item in stream:
        flood.add(item)
    kept = flood.findings()
    assert [(f.file, f.code, f.row) for f in kept] == [("甲.csv", "bad-value", 1), ("甲.csv", "id-invalid", 1),
                                                        ("乙.csv", "bad-value", 1)]
    assert "共有 7 条" in kept[0].message and kept[0].left_out == tuple(range(1, 8))


# --- the workers ------------------------------------------------------------------------------------------------

def test_the_pool_takes_at_most_half_the_memory(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: set(range(8)))
    for ram, configured, expect in [
            (8 * GB, 0, (2, 2 * GB)),           # an ordinary office PC: two workers of 2 GB, 4 GB in all
            (16 * GB, 0, (4, 2 * GB)),
            (64 * GB, 0, (8, 4 * GB)),
            (8 * GB, 4 * GB, (1, 4 * GB)),      # config.toml's memory_gb still decides each worker's share
            (4 * GB, 0, (1, 2 * GB))]:
        monkeypatch.setattr(sandbox, "_memory", lambda ram=ram: ram)
        limits, jobs, alone = pool_size(Limits(memory_bytes=configured))
        assert (jobs, limits.memory_bytes) == expect, ram
        assert jobs * limits.memory_bytes <= max(ram // 2, limits.memory_bytes) and alone <= max(ram // 2, 4 * GB)


def hoarding_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Reserve 3 GB on the victim (address space only: the pages are never touched), then read it."""
    if ctx.file == VICTIM:
        bytearray(3 * GB)
    return read_file(path, ctx, limits)


def test_a_file_past_a_workers_share_is_read_again_alone(tmp_path, config, monkeypatch):
    # An 8 GB PC: two workers of 2 GB; a file refused at 2 GB is read again alone with 4 GB.
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(sandbox, "_memory", lambda: 8 * GB)
    entries, expected, ctx = sample(tmp_path, config)
    victim, other = read_files(entries, ctx, reader=hoarding_reader)
    # Its second reading got past the hoard, to the pre-scan's own reason; the first would have said memory.
    assert [(f.code, f.file) for f in victim.findings] == [("unreadable-file", VICTIM)]
    assert "合计超出" in victim.findings[0].message
    assert other.all_findings == expected


def sample(tmp_path: Path, config):
    """A victim listed first and a small clean CSV, with what the CSV reads as on its own."""
    victim = same_part(tmp_path / VICTIM)
    other = progress_flood(tmp_path / "区审计局.csv", 3, unit="区审计局")
    expected = read_file(other, ctx_for(config, other.name)).all_findings
    return [Entry(VICTIM, victim), Entry(other.name, other)], expected, (lambda e: ctx_for(config, e.file))


def panicking_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Print a Rust panic and a Python traceback to fd 2 on the victim, then die."""
    if ctx.file == VICTIM:
        os.write(2, b"thread '<unnamed>' panicked at src/ods.rs:348:60:\nPyObject pointer is null\n"
                    b"Traceback (most recent call last):\n  File \"files.py\", line 92\n")
        os._exit(101)
    return read_file(path, ctx, limits)


def stuck_out_of_memory_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Fail an allocation in native code and then hang, as a Rust backtrace printed out of memory does."""
    if ctx.file == VICTIM:
        os.write(2, b"memory allocation of 4294967296 bytes failed\nstack backtrace:\n")
        time.sleep(3600)
    return read_file(path, ctx, limits)


def thread_out_of_memory_reader(path: Path, ctx: ReadContext, limits: Limits) -> FileRead:
    """Run out of memory in a helper thread while the reading thread waits for it forever."""
    if ctx.file == VICTIM:
        def grab():
            bytearray(limits.memory_bytes + 64 * MB)
        threading.Thread(target=grab).start()
        threading.Event().wait()
    return read_file(path, ctx, limits)


@pytest.mark.parametrize("reader, reason", [
    (panicking_reader, "表格解析组件出错"),
    (stuck_out_of_memory_reader, "占用内存超过每个文件 0.25 GB 的上限"),
    (thread_out_of_memory_reader, "占用内存超过每个文件 0.25 GB 的上限"),
])
def test_a_dying_worker_is_one_finding_and_nothing_reaches_the_terminal(tmp_path, config, capfd, reader, reason):
    entries, expected, ctx = sample(tmp_path, config)
    capfd.readouterr()
    # The time limit is far off: a worker stuck after running out of memory is ended at once, for memory.
    victim, other = read_files(entries, ctx, limits=Limits(memory_bytes=256 * MB, seconds=60), jobs=1,
                               reader=reader)
    assert [(f.code, f.file) for f in victim.findings] == [("unreadable-file", VICTIM)]
    assert reason in victim.findings[0].message
    assert other.all_findings == expected
    # No fatal-error dump, panic or traceback from the worker in the terminal (pytest's own faulthandler included).
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


_ABORT_RUN = """
import faulthandler, os, sys
sys.path.insert(0, {root!r})
from datetime import date
from pathlib import Path
from pipeline.config import load_config
from pipeline.reader import ReadContext, read_file
from pipeline.reader.folder import Entry
from pipeline.reader.sandbox import read_files

# As pytest does: a fatal error's dump goes to a copy of the terminal's stderr, which a worker inherits.
faulthandler.enable(file=os.fdopen(os.dup(2), "w"))
config = load_config({config!r})

def aborting_reader(path, ctx, limits):
    if ctx.file == "victim.csv":
        os.abort()      # as python-calamine does when an allocation fails
    return read_file(path, ctx, limits)

ctx = lambda e: ReadContext(file=e.file, registry=config.registry, status_words=config.status_words,
                            today=date(2019, 6, 30))
entries = [Entry("victim.csv", Path("victim.csv")), Entry("other.csv", Path("other.csv"))]
for read in read_files(entries, ctx, jobs=1, reader=aborting_reader):
    print(read.file, [f.message for f in read.findings])
"""


def test_an_aborting_worker_leaks_no_fatal_error_dump(tmp_path):
    script = tmp_path / "abort_run.py"
    script.write_text(_ABORT_RUN.format(root=str(ROOT), config=str(ROOT / "config.toml")), encoding="utf-8")
    progress_flood(tmp_path / "other.csv", 3, unit="区审计局")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0
    victim, other = done.stdout.splitlines()
    assert victim.startswith("victim.csv") and "占用内存超过每个文件" in victim
    assert other == "other.csv []"
    # Nothing technical reaches the terminal: no "Fatal Python error: Aborted", no stack dump.
    assert done.stderr == ""


_SLOW_RUN = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from pipeline.reader import sandbox, worker
from pipeline.reader.folder import Entry
worker.USE_PDEATHSIG = {pdeathsig}

def slow_reader(path, ctx, limits):
    time.sleep(3600)

entries = [Entry(f"{{i}}.csv", Path(f"{{i}}.csv")) for i in range(4)]
print("reading", flush=True)
sandbox.read_files(entries, lambda e: e, jobs=2, reader=slow_reader)
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("pdeathsig", [True, False], ids=["signal", "watchdog"])
def test_no_worker_outlives_a_killed_main_process(tmp_path, pdeathsig):
    script = tmp_path / "slow_run.py"
    script.write_text(_SLOW_RUN.format(root=str(ROOT), pdeathsig=pdeathsig), encoding="utf-8")
    main = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        assert main.stdout.readline() == "reading\n"
        for _ in range(300):
            workers = [pid for pid in _children(main.pid) if _alive(pid)]
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        time.sleep(0.5)     # both workers are in the middle of a file
        main.send_signal(signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 1.5
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        main.kill()
        main.wait()
        for pid in [pid for pid in workers if _alive(pid)]:
            os.kill(pid, signal.SIGKILL)


class _Planted:
    """A pickle that creates a file when unpickled: what a subverted worker could send."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_a_workers_answer_is_decoded_as_data_never_unpickled(tmp_path, config):
    import pickle

    from pipeline.reader.worker import from_wire, to_wire

    planted = tmp_path / "ran"
    for answer in (pickle.dumps(_Planted(planted)), b"F" + pickle.dumps(_Planted(planted)), b"F\x00\x00\x00\x09{", b""):
        with pytest.raises(ValueError):
            from_wire(answer)
    assert not planted.exists()
    # What a worker really sends comes back whole.
    roster = next((ROOT / "input" / "2019Q2").glob("*台账*"))
    read = read_file(roster, ctx_for(config, roster.name), Limits())
    back, fresh = from_wire(to_wire(read, False, roster.name))
    assert not fresh and back.file == read.file and back.sha256 == read.sha256
    assert [s.rows.equals(t.rows) for s, t in zip(back.sheets, read.sheets)] == [True] * len(read.sheets) != []
