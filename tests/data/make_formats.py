"""Re-create the committed fixtures of tests/test_formats.py: one small report in every format units send, and junk.

Run from the project root with the project's venv: `.venv/bin/python tests/data/make_formats.py`.
Needs LibreOffice (`soffice`) for .xls, .ods and .xlsm, and Debian's /usr/bin/python3 with the `uno` module for the
password-protected .xls and .ods. The tests only read the committed files, so CI needs neither.
"""
from __future__ import annotations

import csv
import io
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FORMATS = HERE / "formats"
JUNK = HERE / "junk"

UNIT = "湖坊镇"
REPORTED = date(2019, 6, 18)
TITLE = "青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第二季度）"
PROGRESS_HEADER = ["任务编号", "工作任务", "政策措施", "完成状态", "完成进度", "进展情况", "存在问题", "下步计划", "惠及人数",
                   "投入资金（万元）"]
# Task labels written the ways clerks write them.
PROGRESS_ROWS = [
    [1, "切实筑牢基本生活保障底线", "提高城市低保标准", "已完成", 100, "已按670元/月执行", "无", "继续落实", 1200, 35.5],
    ["2、", "切实筑牢基本生活保障底线", "残疾人两项补贴", "推进中", 80, "按月发放", "部分人员未认定", "加快认定", 300, 4.2],
    ["第3条", "切实筑牢基本生活保障底线", "提高特困供养标准", "未启动", 0, "", "", "三季度启动", "", ""],
    ["（4）", "切实筑牢基本生活保障底线", "失能特困人员护理", "推进中", "50%", "已摸底", "无", "签订协议", 40, 1.1],
    [5, "切实筑牢基本生活保障底线", "临时救助", "已完成", 1, "及时救助", "无", "常态化开展", 56, 8],
]
ROSTER_HEADER = ["户编号", "姓名", "公民身份号码", "与户主关系", "所属镇街", "社区", "救助类别", "家庭月人均收入", "家庭月刚性支出",
                 "残疾等级", "失能情况", "供养方式", "劳动能力", "就业状况", "孤儿", "享受起始年月", "停发年月"]
# Six persons in three households; household cells are written on the first row only (merged in workbooks).
ROSTER_ROWS = [
    ["H001", "张建国", "36011119650312021X", "户主", UNIT, "东社区", "低保", 260, "", "", "", "", "有", "未就业", "否", "2018-01", ""],
    ["", "李秀英", "36011119670805042X", "配偶", "", "", "", "", "", "", "", "", "有", "灵活就业", "否", "", ""],
    ["", "张小明", "360111199201170135", "子女", "", "", "", "", "", "", "", "", "有", "已就业", "否", "", ""],
    ["H002", "王福", "360111194809230359", "户主", UNIT, "西社区", "特困", "", "", "", "全失能", "分散", "无", "未就业", "否",
     datetime(2019, 1, 1), ""],
    ["H003", "刘强", "360111197511300573", "户主", UNIT, "南社区", "支出型", 500, 300, "", "", "", "有", "灵活就业", "否", "2019年5月", ""],
    ["", "刘欣", "36011120050606008X", "子女", "", "", "", "", "", "", "", "", "无", "未就业", "否", "", ""],
]
HOUSEHOLD_COLUMNS = [0, 4, 5, 6, 7, 8, 15, 16]
HOUSEHOLD_SPANS = [(0, 3), (3, 1), (4, 2)]      # (first data row, rows) of each household


def progress_lines(reported: object = REPORTED) -> list[list]:
    return [[TITLE], [f"填报单位：{UNIT}", None, None, None, "填报日期：", reported], PROGRESS_HEADER, *PROGRESS_ROWS]


def roster_lines() -> list[list]:
    return [[f"{UNIT}城镇困难群众救助对象台账"], [f"填报单位：{UNIT}"], ROSTER_HEADER, *ROSTER_ROWS]


def write_sheet(ws, lines: list[list], *, merge_households: bool = False) -> None:
    """Write rows from A1; dates as dates, IDs as text-formatted cells, household cells merged down if asked."""
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            if value not in (None, ""):
                ws.cell(r, c, value)
            if isinstance(value, (date, datetime)):
                ws.cell(r, c).number_format = "yyyy-mm-dd"
            if isinstance(value, str) and len(value) == 18 and value[:17].isdigit():
                ws.cell(r, c).number_format = "@"    # the form asks for IDs in a text-formatted column
    if merge_households:
        first = 4   # sheet row of the first data row
        for start, count in HOUSEHOLD_SPANS:
            if count > 1:
                for c in HOUSEHOLD_COLUMNS:
                    ws.merge_cells(start_row=first + start, end_row=first + start + count - 1, start_column=c + 1, end_column=c + 1)


def build_xlsx(folder: Path) -> dict[str, Path]:
    out = {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "进展情况"
    write_sheet(ws, progress_lines())
    out["progress"] = folder / "进展-湖坊镇.xlsx"
    wb.save(out["progress"])

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    write_sheet(ws, roster_lines(), merge_households=True)
    out["roster"] = folder / "台账-湖坊镇.xlsx"
    wb.save(out["roster"])

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报说明"
    write_sheet(ws, [["填报说明"], ["1. 请于每季度末20日前报送。"], ["2. 身份证号码请设为文本格式。"]])
    write_sheet(wb.create_sheet("进展情况"), progress_lines())
    write_sheet(wb.create_sheet("台账"), roster_lines(), merge_households=True)
    wb.create_sheet("Sheet3")
    out["multi"] = folder / "多表-湖坊镇.xlsx"
    wb.save(out["multi"])

    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    out["blank"] = folder / "空表.xlsx"
    wb.save(out["blank"])
    return out


def soffice(fmt: str, files: list[Path], outdir: Path, profile: Path) -> None:
    # A private profile keeps this from clashing with any other LibreOffice running on the machine.
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def csv_bytes(lines: list[list], encoding: str, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for line in lines:
        writer.writerow(["" if v is None else _text(v) for v in line])
    return buf.getvalue().encode(encoding)


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def progress_html(charset: str | None) -> str:
    """An OA export: a table with a spanned title, a meta row, <th> headers, markup and entities in cells."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    rows = []
    for row in PROGRESS_ROWS:
        cells = []
        for i, v in enumerate(row):
            text = _text(v)
            if i == 5 and text:
                text = f"<span style='color:red'>{text}</span><br>（截至6月&nbsp;15日）"
            cells.append(f"<td x:str>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in PROGRESS_HEADER)
    return (f"<html><head>{meta}<title>导出</title><style>td {{ mso-number-format:'\\@'; }}</style></head><body>\n"
            f"<table border=1>\n<tr><td colspan=10 align=center><b>{TITLE}</b></td></tr>\n"
            f"<tr><td colspan=4>填报单位：{UNIT}</td><td colspan=6>填报日期：2019年6月18日</td></tr>\n"
            f"<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table></body></html>\n")


def roster_html() -> str:
    """A civil-affairs export: metadata above the table, household cells merged with rowspan, IDs as text."""
    rows = []
    for i, row in enumerate(ROSTER_ROWS):
        spans = {start: count for start, count in HOUSEHOLD_SPANS}
        cells = []
        for c, v in enumerate(row):
            if c in HOUSEHOLD_COLUMNS:
                if i not in spans:
                    continue   # covered by the rowspan above
                span = f" rowspan={spans[i]}" if spans[i] > 1 else ""
                cells.append(f"<td{span}>{_text(v)}</td>")
            else:
                cells.append(f"<td style=\"mso-number-format:'\\@'\">{_text(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<td>{h}</td>" for h in ROSTER_HEADER)
    return ("\ufeff<h2>" + f"{UNIT}城镇困难群众救助对象台账</h2>\n<p>填报单位：{UNIT}&nbsp;&nbsp;导出时间：2019-06-18</p>\n"
            f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n")


# --- junk -------------------------------------------------------------------------------------------------------

def ole_file(streams: dict[str, bytes]) -> bytes:
    """Write a minimal compound file (version 3, 512-byte sectors) holding the given streams at its root."""
    size = 512
    streams = {name: data.ljust(4096, b"\0") if len(data) < 4096 else data for name, data in streams.items()}
    fat: list[int] = [0xFFFFFFFD, 0xFFFFFFFE]     # sector 0 holds the FAT, sector 1 the directory
    starts = []
    body = b""
    for data in streams.values():
        n = -(-len(data) // size)
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + n))
        fat.append(0xFFFFFFFE)
        body += data.ljust(n * size, b"\0")
    assert len(fat) <= size // 4
    fat_sector = struct.pack(f"<{size // 4}I", *(fat + [0xFFFFFFFF] * (size // 4 - len(fat))))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, length: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1) + struct.pack("<III", left, right, child)
                + b"\0" * 36 + struct.pack("<IQ", start, length))

    none = 0xFFFFFFFF
    entries = [entry("Root Entry", 5, none, none, 1, 0xFFFFFFFE, 0)]
    names = list(streams)
    for i, name in enumerate(names):
        entries.append(entry(name, 2, none, i + 2 if i + 1 < len(names) else none, none, starts[i], len(streams[name])))
    directory = b"".join(entries).ljust(size, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", 0, *([0xFFFFFFFF] * 108)))
    return header + fat_sector + directory + body


def encrypted_xlsx() -> bytes:
    """What Excel writes for an xlsx with an open password: an OLE container with the package encrypted inside."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" blockSize="16" '
        'keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
        'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>').encode()
    rng = random.Random(7)
    package = struct.pack("<Q", 8000) + bytes(rng.getrandbits(8) for _ in range(8192))
    return ole_file({"EncryptionInfo": info, "EncryptedPackage": package})


def patch_declared_size(xlsx: bytes, member: str, new_size: int) -> bytes:
    """Rewrite one member's uncompressed size in the central directory, as a zip bomb or a damaged file has it."""
    name = member.encode()
    at = xlsx.index(b"PK\x01\x02", 0)
    while at >= 0:
        name_len = struct.unpack_from("<H", xlsx, at + 28)[0]
        if xlsx[at + 46:at + 46 + name_len] == name:
            return xlsx[:at + 24] + struct.pack("<I", new_size) + xlsx[at + 28:]
        at = xlsx.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)


def rewrite_member(book: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """Return a copy of a zip workbook with one text replaced inside one of its parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                assert old in data
                data = data.replace(old, new, 1)
            dst.writestr(info.filename, data)
    return buf.getvalue()


def damage_dimensions(xls: bytes) -> bytes:
    """Corrupt the first sheet's DIMENSIONS record so its first row lies after its last, as a bad disk sector can."""
    at = xls.find(b"\x00\x02\x0e\x00")     # BIFF8 DIMENSIONS: type 0x0200, length 14
    assert at > 0
    return xls[:at + 7] + b"\x21" + xls[at + 8:]


def ods_bomb() -> bytes:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               '<office:spreadsheet><table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="1000000">'
               '<table:table-cell table:number-columns-repeated="99" office:value-type="string"><text:p>x</text:p>'
               '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                                        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>关于报送的通知</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


UNO_SCRIPT = r'''
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p
src, xls, ods, profile = sys.argv[1:5]
pipe = "jiekun_fixtures_%d" % os.getpid()
office = subprocess.Popen(["soffice", "-env:UserInstallation=" + profile, "--headless", "--invisible", "--norestore",
                           "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    doc.storeToURL(uno.systemPathToFileUrl(xls), (prop("FilterName", "MS Excel 97"), prop("Password", "secret")))
    doc.storeToURL(uno.systemPathToFileUrl(ods), (prop("FilterName", "calc8"), prop("Password", "secret")))
    doc.close(True)
finally:
    office.terminate()
    office.wait(timeout=60)
'''


def password_protected(src: Path, xls: Path, ods: Path, profile: Path) -> bool:
    """Save real password-protected .xls and .ods through LibreOffice's UNO API; say whether it worked."""
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return False
    result = subprocess.run([python, "-c", UNO_SCRIPT, str(src), str(xls), str(ods), profile.as_uri()], timeout=300)
    return result.returncode == 0 and xls.exists() and ods.exists()


def main() -> None:
    if shutil.which("soffice") is None:
        sys.exit("LibreOffice (soffice) is needed to make the .xls, .ods and .xlsm fixtures.")
    for folder in (FORMATS, JUNK):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        profile = tmp / "profile"
        src = build_xlsx(tmp)
        converted = tmp / "converted"
        books = [src["progress"], src["roster"], src["multi"]]
        for fmt in ("xls", "ods", "xlsm"):
            soffice(fmt, books, converted, profile)
        for book in books:
            for suffix in (".xls", ".ods", ".xlsm"):
                shutil.copy(converted / (book.stem + suffix), FORMATS / (book.stem + suffix))
        shutil.copy(src["multi"], FORMATS / src["multi"].name)

        # Text exports: CSV in each encoding units use, and an Excel-style ="…" ID in one of them.
        for stem, lines in (("进展-湖坊镇", progress_lines("2019年6月18日")), ("台账-湖坊镇", roster_lines())):
            (FORMATS / f"{stem}-utf8.csv").write_bytes(csv_bytes(lines, "utf-8"))
            (FORMATS / f"{stem}-bom.csv").write_bytes(csv_bytes(lines, "utf-8-sig"))
            (FORMATS / f"{stem}-gbk.csv").write_bytes(csv_bytes(lines, "gbk"))
        wrapped = [list(row) for row in roster_lines()]
        for row in wrapped[3:]:
            row[2] = f'="{row[2]}"'
        (FORMATS / "台账-湖坊镇-等号.csv").write_bytes(csv_bytes(wrapped, "gbk"))

        # HTML tables saved as .xls, the way OA and civil-affairs systems export.
        (FORMATS / "进展-湖坊镇-网页utf8.xls").write_bytes(b"\xef\xbb\xbf" + progress_html(None).encode("utf-8"))
        (FORMATS / "进展-湖坊镇-网页gbk.xls").write_bytes(progress_html("gb2312").encode("gbk"))
        (FORMATS / "台账-湖坊镇-网页.xls").write_bytes(roster_html().encode("utf-8"))
        # A workbook saved as a web page and renamed, with merged cells as rowspans, as office suites write it.
        soffice("html", [src["roster"]], converted, profile)
        shutil.copy(converted / "台账-湖坊镇.html", FORMATS / "台账-湖坊镇-另存网页.xls")

        # Content that does not match the extension.
        shutil.copy(src["progress"], FORMATS / "进展-湖坊镇-实为xlsx.xls")
        shutil.copy(converted / "进展-湖坊镇.xls", FORMATS / "进展-湖坊镇-实为xls.xlsx")
        (FORMATS / "进展-湖坊镇-实为csv.xls").write_bytes(csv_bytes(progress_lines("2019-06-18"), "gbk"))
        (FORMATS / "台账-湖坊镇-制表符.xls").write_bytes(csv_bytes(roster_lines(), "gbk", delimiter="\t"))

        # Junk: each file but the lock, hidden and system files and the blank workbook is one unreadable-file.
        rng = random.Random(20190618)
        (JUNK / "随机字节.xlsx").write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
        (JUNK / "空文件.xlsx").write_bytes(b"")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("说明.txt", "这是一个普通压缩包。")
        (JUNK / "压缩包.xlsx").write_bytes(buf.getvalue())
        (JUNK / "加密-密码.xlsx").write_bytes(encrypted_xlsx())
        if not password_protected(src["progress"], JUNK / "加密-密码.xls", JUNK / "加密-密码.ods", profile):
            print("warning: /usr/bin/python3 with uno is missing; kept no password-protected .xls/.ods", file=sys.stderr)
        whole = src["progress"].read_bytes()
        (JUNK / "截断.xlsx").write_bytes(whole[:len(whole) // 2])
        (JUNK / "解压超限.xlsx").write_bytes(patch_declared_size(whole, "xl/worksheets/sheet1.xml", 3 * 1024 ** 3))
        (JUNK / "大小不符.xlsx").write_bytes(patch_declared_size(whole, "xl/worksheets/sheet1.xml", 100))
        shutil.copy(src["blank"], JUNK / "空表.xlsx")
        (JUNK / "通知.docx").write_bytes(docx())
        (JUNK / "通知-改名.xlsx").write_bytes(docx())
        (JUNK / "~$进展-湖坊镇.xlsx").write_bytes(b"\x0c" + "湖坊镇".encode("utf-16-le").ljust(161, b" "))
        (JUNK / ".DS_Store").write_bytes(b"\0\0\0\1Bud1" + b"\0" * 100)
        (JUNK / "Thumbs.db").write_bytes(ole_file({"Catalog": b"\0" * 64}))
        (JUNK / "系统提示.xls").write_bytes("登录已超时，请重新登录后再导出。".encode("gbk"))
        (JUNK / "网页无表格.xls").write_bytes("<html><body><p>没有查询到数据</p></body></html>".encode("utf-8"))
        (JUNK / "扫描件.xls").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        wb = openpyxl.Workbook()
        wb.active["A1"] = "填报说明"
        wb.active["XFD1048576"] = "误填"
        wb.save(JUNK / "远处单元格.xlsx")
        (JUNK / "重复行.ods").write_bytes(ods_bomb())
        xlsm = (converted / "进展-湖坊镇.xlsm").read_bytes()
        (JUNK / "字符串表损坏.xlsx").write_bytes(
            rewrite_member(xlsm, "xl/sharedStrings.xml", b'uniqueCount="', b'uniqueCount="4000000000" x="'))
        (JUNK / "维度损坏.xls").write_bytes(damage_dimensions((converted / "进展-湖坊镇.xls").read_bytes()))
    for folder in (FORMATS, JUNK):
        for path in sorted(folder.iterdir()):
            print(f"{path.relative_to(HERE)}  {path.stat().st_size} B")


if __name__ == "__main__":
    main()
