"""Every format units really send, read end to end from the committed fixtures; and a folder of junk.

The fixtures are made by tests/data/make_formats.py (LibreOffice for .xls, .ods and .xlsm); the tests only read them.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import run_check

from pipeline.reader.files import Unreadable, open_book
from pipeline.reader.html_table import BadHtml, decode_html, parse_tables
from pipeline.reader.limits import Limits
from pipeline.reader.ole_scan import Ole

DATA = Path(__file__).resolve().parent / "data"
FORMATS = DATA / "formats"
JUNK = DATA / "junk"

UNIT = "湖坊镇"
STATUSES = {1: "已完成", 2: "推进中", 3: "未启动", 4: "推进中", 5: "已完成"}
PROGRESS = {1: 100.0, 2: 80.0, 3: 0.0, 4: 50.0, 5: 100.0}
# 2019: 低保标准 670, 特困供养标准 871, 最低工资 1680. The quarter is April to June.
EXPECTED_FEN = {
    "H001": (670 - 260) * 3 * 3 * 100,                  # 低保, 3 members, whole quarter: 3690.00
    "H002": (871 + 1680 * 8 // 10) * 3 * 100,           # 特困, 全失能 care fee 80 % of min wage: 6645.00
    "H003": (670 - (500 - 300 // 2)) * 2 * 2 * 100,     # 支出型, rigid spending 300 over 2 members, from May: 1280.00
}
IDS = {"36011119650312021X", "36011119670805042X", "360111199201170135", "360111194809230359",
       "360111197511300573", "36011120050606008X"}

PROGRESS_FILES = [
    "进展-湖坊镇.xls", "进展-湖坊镇.ods", "进展-湖坊镇.xlsm",
    "进展-湖坊镇-utf8.csv", "进展-湖坊镇-bom.csv", "进展-湖坊镇-gbk.csv",
    "进展-湖坊镇-网页utf8.xls", "进展-湖坊镇-网页gbk.xls",
    "进展-湖坊镇-实为xlsx.xls", "进展-湖坊镇-实为xls.xlsx", "进展-湖坊镇-实为csv.xls",
]
ROSTER_FILES = [
    "台账-湖坊镇.xls", "台账-湖坊镇.ods", "台账-湖坊镇.xlsm",
    "台账-湖坊镇-utf8.csv", "台账-湖坊镇-bom.csv", "台账-湖坊镇-gbk.csv", "台账-湖坊镇-等号.csv",
    "台账-湖坊镇-网页.xls", "台账-湖坊镇-另存网页.xls", "台账-湖坊镇-制表符.xls",
]
MULTI_FILES = ["多表-湖坊镇.xlsx", "多表-湖坊镇.xlsm", "多表-湖坊镇.xls", "多表-湖坊镇.ods"]
# The plain-Chinese reason each junk file is refused with.
JUNK_REASONS = {
    "随机字节.xlsx": "不是可识别的表格格式",
    "空文件.xlsx": "空的",
    "压缩包.xlsx": "压缩包",
    "加密-密码.xlsx": "密码",
    "加密-密码.xls": "密码",
    "加密-密码.ods": "密码",
    "截断.xlsx": "不完整",
    "解压超限.xlsx": "解压后超过",
    "大小不符.xlsx": "损坏",
    "通知.docx": "不是表格",
    "通知-改名.xlsx": "Word",
    "系统提示.xls": "纯文本",
    "网页无表格.xls": "没有表格",
    "扫描件.xls": "PDF",
    "远处单元格.xlsx": "单元格的上限",
    "重复行.ods": "单元格的上限",
    "维度损坏.xls": "损坏",
    "字符串表损坏.xlsx": "损坏",
}
# Files that python-calamine, given them unchecked, answers by aborting the whole process.
ABORTS_CALAMINE = ["远处单元格.xlsx", "重复行.ods", "维度损坏.xls", "字符串表损坏.xlsx"]
# Junk a clerk's folder holds that is not theirs to fix: never a finding.
SILENT = {"~$进展-湖坊镇.xlsx", ".DS_Store", "Thumbs.db", "空表.xlsx"}


def check_one(project: Path, quarter_dir: Path, name: str):
    shutil.copy(FORMATS / name, quarter_dir / name)
    return run_check(project)


def reading_findings(result) -> list:
    """Findings about reading cells, as opposed to what the data says about the quarter."""
    codes = {"unreadable-file", "bad-value", "id-invalid", "id-damaged", "missing-column", "unknown-unit"}
    return [(f.code, f.sheet, f.row, f.column, f.value) for f in result.findings if f.code in codes]


def assert_progress_read(result) -> None:
    sub = result.quarter.submission_of(UNIT)
    assert sub is not None
    assert sub["reported_on"] == date(2019, 6, 18)
    rows = result.quarter.progress
    rows = rows[rows["used"]]
    assert {int(t): s for t, s in zip(rows["task"], rows["status"])} == STATUSES
    assert {int(t): p for t, p in zip(rows["task"], rows["progress"])} == PROGRESS


def assert_roster_read(result) -> None:
    hh = result.benefits.households
    assert dict(zip(hh["household_no"], hh["amount_fen"].astype(int))) == EXPECTED_FEN
    assert set(result.benefits.persons["id_number"]) == IDS
    assert (result.quarter.roster["unit"] == UNIT).all()


def rewrite_sheet_xml(src_path: Path, dst_path: Path, change) -> Path:
    """Copy an xlsx, passing its first sheet's XML through `change`, as odd exporters write it."""
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return dst_path


@pytest.mark.parametrize("name", PROGRESS_FILES)
def test_progress_report_in_every_format(project, quarter_dir, name):
    result = check_one(project, quarter_dir, name)
    assert reading_findings(result) == []
    assert_progress_read(result)


@pytest.mark.parametrize("name", ROSTER_FILES)
def test_roster_in_every_format(project, quarter_dir, name):
    result = check_one(project, quarter_dir, name)
    # IDs stay text in every format, so none is reported damaged and the X check character survives.
    assert reading_findings(result) == []
    assert_roster_read(result)


@pytest.mark.parametrize("name", MULTI_FILES)
def test_each_sheet_of_a_workbook_is_recognised_by_its_header(project, quarter_dir, name):
    result = check_one(project, quarter_dir, name)
    [read] = result.files
    assert [(s.sheet, s.kind) for s in read.sheets] == [
        ("填报说明", "unknown"), ("进展情况", "progress"), ("台账", "roster"), ("Sheet3", "empty")]
    assert [(f.code, f.sheet) for f in result.findings if f.code == "unknown-sheet"] == [("unknown-sheet", "填报说明")]
    assert reading_findings(result) == []
    assert_progress_read(result)
    assert_roster_read(result)


@pytest.mark.parametrize("name", ABORTS_CALAMINE)
def test_files_that_would_abort_calamine_are_refused_first(name):
    # In a child process, so that a regression fails this test instead of killing the test run.
    code = ("import sys; from pathlib import Path; from pipeline.reader.files import Unreadable, open_book\n"
            "try:\n    open_book(Path(sys.argv[1]))\nexcept Unreadable as exc:\n    print(exc.reason)\n")
    done = subprocess.run([sys.executable, "-c", code, str(JUNK / name)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-500:]
    assert JUNK_REASONS[name] in done.stdout


def test_junk_is_one_finding_per_file_and_the_run_goes_on(project, quarter_dir):
    for path in JUNK.iterdir():
        shutil.copy(path, quarter_dir / path.name)
    (quarter_dir / "__MACOSX").mkdir()
    (quarter_dir / "__MACOSX" / "._进展-湖坊镇.xlsx").write_bytes(b"\0\5\26\7")
    shutil.copy(FORMATS / "进展-湖坊镇.xls", quarter_dir / "进展-湖坊镇.xls")
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in quarter_dir.rglob("*")}

    started = time.perf_counter()
    result = run_check(project)
    elapsed = time.perf_counter() - started

    unreadable = [f for f in result.findings if f.code == "unreadable-file"]
    assert Counter(f.file for f in unreadable) == Counter(set(JUNK_REASONS))
    for f in unreadable:
        assert JUNK_REASONS[f.file] in f.message, (f.file, f.message)
    read = {r.file for r in result.files if not r.skipped_reason}
    assert not read & (SILENT - {"空表.xlsx"}) and not any(name.startswith("__MACOSX") for name in read)
    # Skipped, never silently: each has a line with its reason, and none is a finding.
    skipped = {r.file: r.kind for r in result.files if r.skipped_reason}
    assert skipped == {"~$进展-湖坊镇.xlsx": "lock", ".DS_Store": "hidden", "Thumbs.db": "system", "__MACOSX": "system"}
    assert [s.kind for r in result.files if r.file == "空表.xlsx" for s in r.sheets] == ["empty"]
    assert not [f for f in result.findings if f.file in SILENT - {"空表.xlsx"}]
    # A workbook whose sheets are all empty is a template sent back blank: one info line, not an error.
    assert [(f.code, f.severity) for f in result.findings if f.file == "空表.xlsx"] == [("empty-file", "info")]
    # The good report among the junk is still read.
    assert_progress_read(result)
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in quarter_dir.rglob("*")} == before
    assert elapsed < 30, f"reading the junk folder took {elapsed:.1f} s"


def test_every_fixture_is_listed_in_a_test():
    listed = set(PROGRESS_FILES) | set(ROSTER_FILES) | set(MULTI_FILES)
    assert {p.name for p in FORMATS.iterdir()} == listed
    assert {p.name for p in JUNK.iterdir()} == set(JUNK_REASONS) | SILENT


# --- the readers on their own ------------------------------------------------------------------------------------

def test_html_spans_leave_the_value_in_the_top_left_cell_only():
    html = """<p>填报单位：湖坊镇</p>
    <table>
      <tr><td colspan="3">标题 &amp; 说明</td></tr>
      <tr><th rowspan="2">户编号</th><th>姓名</th><th>身份证号</th></tr>
      <tr><td><b>张</b>三</td><td>36011119650312021X</td></tr>
      <tr><td>H002</td><td colspan=2>王<br>福</td></tr>
      <tr><td>a<table><tr><td>内表</td></tr></table></td><td/><td>&lt;空&gt;&nbsp;</td></tr>
    </table><script>var x = "<table><tr><td>no</td></tr></table>";</script>"""
    outer, inner = parse_tables(html, max_rows=100, max_cells=1000)
    assert outer == [
        ["填报单位：湖坊镇"],
        ["标题 & 说明", "", ""],
        ["户编号", "姓名", "身份证号"],
        ["", "张三", "36011119650312021X"],
        ["H002", "王\n福", ""],
        ["a", "", "<空>"],
    ]
    assert inner == [["内表"]]


def test_html_limits_are_reasons_not_crashes():
    many_rows = "<table>" + "<tr><td>1</td></tr>" * 50 + "</table>"
    with pytest.raises(BadHtml):
        parse_tables(many_rows, max_rows=10, max_cells=1000)
    with pytest.raises(BadHtml):
        parse_tables('<table><tr><td colspan=1000 rowspan=60000>x</td></tr></table>', max_rows=100_000, max_cells=1000)


def test_html_charset_from_bom_meta_or_content():
    text = "<table><tr><td>湖坊镇</td></tr></table>"
    gbk_meta = b'<meta charset="gb2312">' + text.encode("gbk")
    mislabelled = b'<meta charset="utf-8">' + text.encode("gbk")
    assert "湖坊镇" in decode_html(gbk_meta)
    assert "湖坊镇" in decode_html(mislabelled)
    assert "湖坊镇" in decode_html(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert "湖坊镇" in decode_html("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))


def test_xlsx_cells_without_references_are_placed_in_order(tmp_path):
    # Some exporters leave out each cell's r="A1"; calamine then places cells one after another.
    wb = openpyxl.Workbook()
    for r in range(1, 4):
        for c in range(1, 4):
            wb.active.cell(r, c, f"{r}-{c}")
    wb.save(tmp_path / "a.xlsx")
    bare = rewrite_sheet_xml(tmp_path / "a.xlsx", tmp_path / "bare.xlsx", lambda xml: re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", xml))
    [grid] = open_book(bare).grids
    assert grid.rows == [[f"{r}-{c}" for c in range(1, 4)] for r in range(1, 4)]


def test_a_sheet_past_the_row_limit_is_refused_by_name(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "台账"
    wb.active["A1"] = "姓名"
    wb.active.cell(1001, 1, "误填")
    wb.save(tmp_path / "big.xlsx")
    with pytest.raises(Unreadable, match="工作表“台账”有 1001 行"):
        open_book(tmp_path / "big.xlsx", Limits(sheet_rows=1000))


def test_a_far_cell_is_found_whatever_the_attribute_order(tmp_path):
    # calamine would allocate A1:XFD1048576 for this and abort the whole process, so it must never see it.
    wb = openpyxl.Workbook()
    wb.active["A1"] = "填报说明"
    wb.active["XFD1048576"] = "误填"
    wb.save(tmp_path / "a.xlsx")
    reordered = rewrite_sheet_xml(tmp_path / "a.xlsx", tmp_path / "reordered.xlsx",
                                  lambda xml: re.sub(rb'<c r="([A-Z]+[0-9]+)" t="(\w+)"', rb'<c t="\2" r="\1"', xml))
    with zipfile.ZipFile(reordered) as zf:
        assert b'<c r="' not in zf.read("xl/worksheets/sheet1.xml")
    with pytest.raises(Unreadable, match="1048576 行 × 16384 列"):
        open_book(reordered)


def test_small_ole_streams_are_read_from_the_mini_stream():
    # A tiny .xls keeps its Workbook stream there; the summary stream of any .xls is a small one to check with.
    ole = Ole((FORMATS / "多表-湖坊镇.xls").read_bytes())
    assert {"workbook", "\x05summaryinformation"} <= ole.names()
    summary = ole.read("\x05SummaryInformation")
    assert len(summary) < 4096 and summary[:2] == b"\xfe\xff"


def test_excel_unicode_text_saved_as_xls_is_read(tmp_path):
    # Excel's "Unicode text" is UTF-16 with a BOM and tabs; systems hand it out under an .xls name.
    text = "姓名\t公民身份号码\r\n张建国\t36011119650312021X\r\n"
    (tmp_path / "a.xls").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert open_book(tmp_path / "a.xls").grids[0].rows == [["姓名", "公民身份号码"], ["张建国", "36011119650312021X"]]


def test_csv_without_delimiters_is_a_table_only_under_a_csv_name(tmp_path):
    (tmp_path / "a.csv").write_text("填报说明\n请按时报送\n", encoding="utf-8")
    (tmp_path / "a.xls").write_text("填报说明\n请按时报送\n", encoding="utf-8")
    assert open_book(tmp_path / "a.csv").grids[0].rows == [["填报说明"], ["请按时报送"]]
    with pytest.raises(Unreadable, match="纯文本"):
        open_book(tmp_path / "a.xls")
