"""IDs and names planted everywhere a clerk might type them never leave in full, except in the office workbook's
person detail (and not even there when config.toml asks)."""
from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROSTER_HEADER, valid_id

from pipeline import run
from pipeline.cli import main

HEAD, SPACED, WRONG = valid_id(born="19700101", seq=11), valid_id(born="19800101", seq=23), valid_id(seq=35)
WRONG = WRONG[:-1] + ("0" if WRONG[-1] != "0" else "1")         # a wrong check character: an id-invalid finding
NAMES = ("张三丰", "李四光", "王五", "欧阳小明")
FULL_WIDTH = HEAD.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


def spaced(text: str) -> str:
    return f"{text[:6]} {text[6:14]} {text[14:]}"


def dashed(text: str) -> str:
    return f"{text[:6]}-{text[6:14]}-{text[14:]}"


def roster_row(**cells) -> list:
    base = dict(zip(ROSTER_HEADER, ["", "", "", "户主", "湖坊镇", "东社区", "低保", 300, None, None, None, None, None,
                                    None, "否", "2018-01", None]))
    base.update(cells)
    return [base[h] for h in ROSTER_HEADER]


@pytest.fixture
def planted(book, project):
    """A quarter where a clerk typed IDs and names into file and sheet names, free text, 户编号 and coded columns."""
    book.roster("湖坊镇-张三丰等台账.xlsx", "湖坊镇", [
        roster_row(户编号=dashed(HEAD), 姓名="张三丰", 公民身份号码=HEAD),
        roster_row(户编号="002", 姓名="李四光", 公民身份号码=spaced(SPACED)),
        roster_row(户编号="003", 姓名="王五", 公民身份号码=WRONG),
        roster_row(户编号="004", 姓名="欧阳小明", 公民身份号码=valid_id(seq=47), 残疾等级="张三丰"),
    ])
    # The sheet itself is named after a person, as clerks name sheets after the first household.
    wb = openpyxl.load_workbook(book.folder / "湖坊镇-张三丰等台账.xlsx")
    wb.active.title = "李四光户"
    wb.save(book.folder / "湖坊镇-张三丰等台账.xlsx")
    problems = f"户主张三丰（身份证{FULL_WIDTH}）家庭困难，李四光 {spaced(SPACED)} 待核实"
    rows = [[1, "", "", "推进中", 60, f"走访王五，身份证{dashed(HEAD)}", problems, "", 1, 1],
            ["欧阳小明", "", "", "推进中", 60, "", "", "", 1, 1]]
    book.progress("湖坊镇-2019Q2进展情况（联系人张三丰）.xlsx", "湖坊镇", "2019-06-18", rows)
    return project


def texts_of(path: Path) -> str:
    """Return a file's text as a reader of it would meet it: every XML part of a zip, or the file decoded."""
    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))
    return path.read_bytes().decode("utf-8", "replace")


def leaks(text: str) -> list[str]:
    """Name every planted ID (in the form planted or folded to plain digits) and name found in full in `text`."""
    folded = unicodedata.normalize("NFKC", text)
    found = [n for n in NAMES if n in text]
    for id_ in (HEAD, SPACED, WRONG):
        forms = {id_, spaced(id_), dashed(id_), FULL_WIDTH if id_ == HEAD else id_}
        found += [f for f in forms if f in text or f in folded]
        found += [id_ for f in (id_,) if f in folded.replace(" ", "").replace("-", "")]
    return sorted(set(found))


def parquet_text(path: Path) -> str:
    """Return every value of the Parquet person detail as text."""
    import pandas as pd
    return pd.read_parquet(path).astype(str).to_csv(index=False)


def office_sheets(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
            for ws in wb}


def test_no_id_or_name_leaves_except_in_the_person_detail(planted):
    result = run(config_path=planted / "config.toml", input_dir=planted / "input", output_dir=planted / "output",
                 period="2019Q2")
    out = result.output_dir
    office, detail = out / "调度报告-2019Q2.xlsx", out / "对象明细-2019Q2.parquet"
    files = [p for p in sorted(out.rglob("*")) if p.is_file() and p != office]
    assert {p.name for p in files} >= {"调度报告-2019Q2.html", "summary.json", "findings.csv", "manifest.json", "湖坊镇.xlsx"}
    assert {p.name: leaks(texts_of(p)) for p in files} == {p.name: [] for p in files}
    assert leaks(parquet_text(detail)) == []          # the Parquet detail too, read value by value
    sheets = office_sheets(office)
    assert {name: leaks(text) for name, text in sheets.items() if name != "对象明细"} == \
        {name: [] for name in sheets if name != "对象明细"}
    # The scan does find them where they belong: the person detail lists every person paid in full (欧阳小明's
    # household is left out for its unreadable 残疾等级).
    assert {"张三丰", "李四光", "王五", HEAD, SPACED, WRONG} <= set(leaks(sheets["对象明细"]))
    # And what was masked still says where to look and what is wrong.
    html = (out / "调度报告-2019Q2.html").read_text(encoding="utf-8")
    assert "张*丰" in html and "3601**********" in html


def test_the_switch_masks_the_person_detail_too(planted):
    text = (planted / "config.toml").read_text(encoding="utf-8").replace("mask_person_detail = false",
                                                                         "mask_person_detail = true")
    (planted / "config.toml").write_text(text, encoding="utf-8")
    result = run(config_path=planted / "config.toml", input_dir=planted / "input", output_dir=planted / "output",
                 period="2019Q2")
    sheets = office_sheets(result.output_dir / "调度报告-2019Q2.xlsx")
    assert {name: leaks(text) for name, text in sheets.items()} == {name: [] for name in sheets}
    assert leaks(parquet_text(result.output_dir / "对象明细-2019Q2.parquet")) == []


def test_the_terminal_masks_what_check_prints(planted):
    cwd = os.getcwd()
    os.chdir(planted)
    try:
        result = CliRunner().invoke(main, ["check", "--period", "2019Q2"])
    finally:
        os.chdir(cwd)
    assert "湖坊镇" in result.output and "id-invalid" not in result.output and "身份证号码有误" in result.output
    assert leaks(result.output) == []


# --- masking by meaning: IDs however they are written, names whatever their length or script --------------------

def _id(n: int) -> str:
    """Return the n-th planted ID: checksum-valid, each born on a different day so a leak names its spelling."""
    return valid_id(born=f"1979{(n % 12) + 1:02d}{(n % 27) + 1:02d}", seq=100 + n)


WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
# Each spelling a clerk or a hostile tester used, with its own ID.
SPELLINGS = {
    "three spaces": lambda i: f"{i[:6]}   {i[6:14]}   {i[14:]}",
    "tab": lambda i: f"{i[:6]}\t{i[6:14]}\t{i[14:]}",
    "newline": lambda i: f"{i[:6]}\n{i[6:14]}\n{i[14:]}",
    "dots": lambda i: f"{i[:6]}.{i[6:10]}.{i[10:14]}.{i[14:]}",
    "slashes": lambda i: f"{i[:6]}/{i[6:14]}/{i[14:]}",
    "ideographic space and dash": lambda i: f"{i[:6]}\u3000－\u3000{i[6:14]}\u3000－\u3000{i[14:]}",
    "zero-width space": lambda i: "\u200b".join((i[:4], i[4:9], i[9:13], i[13:])),
    "glued after digits": lambda i: f"13907910086{i}",
    "glued before digits": lambda i: f"{i}20190618",
    "full width": lambda i: i.translate(WIDE),
}
IDS = {how: _id(n) for n, how in enumerate(SPELLINGS)}
ID_TEXT = {how: SPELLINGS[how](IDS[how]) for how in SPELLINGS}
# Names of 2 to 12 characters; those with · are also written with the variants clerks type for it.
LONG_NAMES = ("梁德", "金喜善", "欧阳小明", "爱新觉罗恒", "阿依古丽娜扎", "买买提·吐尔逊", "热依拉·吐尔洪",
              "阿依古丽·买买提艾力", "古丽米热·阿不都热依木", "穆罕默德·阿卜杜拉·艾力")
DOTS = ("·", ".", "•", "-", "・")


def dotted(name: str, dot: str) -> str:
    return name.replace("·", dot)


def visible(text: str) -> str:
    """Return what a reader of a file sees: markup dropped, entities decoded, NFKC-folded."""
    import html
    import re
    return unicodedata.normalize("NFKC", html.unescape(re.sub(r"<[^>]*>", "", text)))


def hostile_leaks(text: str) -> list[str]:
    """Name every planted ID (whatever stands between or around its characters) and listed name found in full."""
    import re
    seen = visible(text)
    plain = re.sub(r"[\W_]+", "", seen)
    found = [f"ID {how}" for how, id_ in IDS.items() if id_ in plain]
    found += [n for n in LONG_NAMES if any(dotted(n, d) in seen or dotted(n, d) in text for d in DOTS)]
    return sorted(found)


def hostile_roster_row(**cells) -> list:
    base = dict(zip(ROSTER_HEADER, ["", "", "", "子女", "湖坊镇", "东社区", "低保", 300, None, None, None, None, None,
                                    None, "否", "2018-01", None]))
    base.update(cells)
    return [base[h] for h in ROSTER_HEADER]


@pytest.fixture
def hostile(book, project):
    """A quarter with IDs in every spelling and long names in names, relations, free text, file and sheet names."""
    t = ID_TEXT
    people = [  # 户编号, 姓名, 公民身份号码, 与户主关系
        ("HF001", "梁德", _id(40), "户主"),
        ("HF001", "阿依古丽·买买提艾力", _id(41), f"子女(梁德,{t['three spaces']})"),
        ("HF001", "穆罕默德·阿卜杜拉·艾力", f"{_id(42)[:6]}\t{_id(42)[6:]}", f"孙子女（{t['tab']}）"),
        ("HF002", "金喜善", _id(43), "户主"),
        ("HF002", "欧阳小明", _id(44), f"配偶 {t['newline']}"),
        ("HF002", "热依拉•吐尔洪", _id(45), f"子女，户主证号{t['zero-width space']}"),
        ("HF003", "爱新觉罗恒", _id(46), "户主"),
        ("HF003", "阿依古丽娜扎", _id(47), f"子女/{t['slashes']}"),
        ("HF003", "买买提·吐尔逊", _id(48), f"孙子女 古丽米热·阿不都热依木之子 {t['glued after digits']}"),
        ("HF004", "古丽米热·阿不都热依木", _id(49), "户主"),
    ]
    book.roster("湖坊镇-梁德等台账.xlsx", "湖坊镇",
                [hostile_roster_row(户编号=no, 姓名=name, 公民身份号码=id_, 与户主关系=rel) for no, name, id_, rel in people])
    wb = openpyxl.load_workbook(book.folder / "湖坊镇-梁德等台账.xlsx")
    wb.active.title = "阿依古丽·买买提艾力户"
    wb.save(book.folder / "湖坊镇-梁德等台账.xlsx")
    done = (f"走访阿依古丽.买买提艾力（{t['ideographic space and dash']}）、热依拉·吐尔洪，"
            f"核对身份证{t['full width']}")
    # 进展情况 reaches no output today; 存在问题 reaches the HTML and 任务进展, so it holds every spelling again.
    problems = (f"穆罕默德-阿卜杜拉-艾力 {t['dots']} 待核实；欧阳小明、爱新觉罗恒、阿依古丽娜扎、金喜善家庭困难，"
                f"电话{t['glued before digits']}；买买提•吐尔逊、古丽米热・阿不都热依木未就业；{done}")
    rows = [[1, "", "", "推进中", 60, done, problems, "", 1, 1]]
    name = f"湖坊镇-2019Q2进展（穆罕默德·阿卜杜拉·艾力 {SPELLINGS['dots'](_id(50))}）.xlsx"
    book.progress(name, "湖坊镇", "2019-06-18", rows)
    wb = openpyxl.load_workbook(book.folder / name)
    wb.active.title = SPELLINGS["dots"](_id(51))
    wb.save(book.folder / name)
    IDS.update({"dots in a file name": _id(50), "dots in a sheet name": _id(51)})
    return project


def every_output(folder: Path, office: Path | None = None) -> dict[str, list[str]]:
    """Scan every file of an output folder: xlsx and docx unzipped, text decoded, Parquet value by value."""
    import pandas as pd
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p != office):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            values = [str(c) for c in frame.columns] + [str(v) for col in frame for v in frame[col].unique()]
            out[path.name] = sorted({leak for v in values for leak in hostile_leaks(v)})
        else:
            out[path.name] = hostile_leaks(texts_of(path))
        out[path.name] += hostile_leaks(path.name)
    return out


def test_ids_in_any_spelling_and_names_of_any_length_never_leave(hostile, tmp_path):
    import pandas as pd

    from pipeline import rollup
    result = run(config_path=hostile / "config.toml", input_dir=hostile / "input", output_dir=hostile / "output",
                 period="2019Q2")
    out = result.output_dir
    office = out / "调度报告-2019Q2.xlsx"
    found = every_output(out, office)
    assert {"调度报告-2019Q2.html", "对象明细-2019Q2.parquet", "summary.json", "findings.csv", "manifest.json",
            "湖坊镇.xlsx", "半年通报-2019H1.docx"} <= set(found)
    assert found == {name: [] for name in found}
    sheets = office_sheets(office)
    assert {name: hostile_leaks(name + "\n" + text) for name, text in sheets.items() if name != "对象明细"} == \
        {name: [] for name in sheets if name != "对象明细"}
    # The scan finds what it looks for where contracts.md allows it: the person detail lists every person in full.
    assert set(LONG_NAMES) <= set(hostile_leaks(sheets["对象明细"]))
    assert "ID three spaces" in hostile_leaks(sheets["对象明细"])
    # What was masked still says where to look: the masked forms keep the first and last character.
    html = (out / "调度报告-2019Q2.html").read_text(encoding="utf-8")
    assert "穆**********力" in html and f"{IDS['dots'][:4]}**********{IDS['dots'][-4:]}" in html

    # The city roll-up, with a district Parquet that carries an extra column and relations in full (an old or
    # hand-edited file): only the contract's columns go on, masked.
    detail = out / "对象明细-2019Q2.parquet"
    frame = pd.read_parquet(detail)
    contract = list(frame.columns)
    frame["公民身份号码"] = [IDS["three spaces"]] * len(frame)
    frame["relation"] = [f"子女(梁德,{ID_TEXT['tab']})"] * len(frame)
    frame["name"] = [LONG_NAMES[i % len(LONG_NAMES)] for i in range(len(frame))]
    frame["row"] = int(IDS["three spaces"])             # an ID stored as a number
    frame["id_number"] = int(IDS["tab"])
    frame.to_parquet(detail, index=False)
    city = rollup([out], output_dir=tmp_path / "city", config_path=hostile / "config.toml", detail=True)
    merged = pd.read_parquet(city.output_dir / "对象明细-2019Q2-汇总.parquet")
    assert list(merged.columns) == ["district", *contract]
    found = every_output(city.output_dir)
    assert found and found == {name: [] for name in found}


# --- masking only what is personal -----------------------------------------------------------------------------

@pytest.fixture
def clerks_words(book, project):
    """A quarter whose roster cells and free text hold a clerk's own words, household numbers and a damaged ID."""
    head, other = valid_id(born="19700101", seq=11), valid_id(born="19750303", seq=13)
    book.roster("湖坊镇-台账.xlsx", "湖坊镇", [
        roster_row(户编号="QSL0122", 姓名="张三丰", 公民身份号码=head, 劳动能力="有", 就业状况="未就业"),
        roster_row(户编号="HF-0012", 姓名="李四光", 公民身份号码=other, 家庭月人均收入="待核实"),
        roster_row(户编号="HF-0013", 姓名="王五", 公民身份号码=valid_id(seq=35), 残疾等级="不详"),
        roster_row(户编号="HF-0014", 姓名="赵六", 公民身份号码="3.60111E+17"),
        # A clerk who did not know a name wrote so in the name cell: those words are not a person.
        roster_row(户编号="HF-0015", 姓名="不详", 公民身份号码=valid_id(seq=37)),
        roster_row(户编号="HF-0016", 姓名="待核实", 公民身份号码=valid_id(seq=39)),
    ])
    rows = [[1, "", "", "推进中", 60, "户编号QSL0122已走访，姓名不详", "两户收入待核实，张三丰户待复查", "", 1, 1]]
    book.progress("湖坊镇-2019Q2进展情况.xlsx", "湖坊镇", "2019-06-18", rows)
    return project


def test_a_clerks_words_and_household_numbers_are_shown_as_written(clerks_words):
    import csv
    result = run(config_path=clerks_words / "config.toml", input_dir=clerks_words / "input",
                 output_dir=clerks_words / "output", period="2019Q2")
    out = result.output_dir
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as f:
        values = {r["value"] for r in csv.DictReader(f)}
    # Words that name no one and a household number are what a unit needs to find the row; only the ID is masked.
    assert {"户编号 QSL0122", "待核实", "不详", "3.60***E+17"} <= values
    feedback = office_sheets(out / "退回" / "湖坊镇.xlsx")
    shown_there = "\n".join(feedback.values())
    for word in ("户编号 QSL0122", "家庭月人均收入“待核实”", "残疾等级“不详”", "3.60***E+17"):
        assert word in shown_there, word
    html = (out / "调度报告-2019Q2.html").read_text(encoding="utf-8")
    assert "两户收入待核实" in html and "张*丰户待复查" in html
    progress = office_sheets(out / "调度报告-2019Q2.xlsx")["任务进展"]
    assert "户编号QSL0122已走访，姓名不详" in progress or "两户收入待核实" in progress
    # And the person is still masked wherever a name or an ID stands.
    assert "张三丰" not in shown_there + html and "李四光" not in shown_there


# --- the masker's rules, one by one ----------------------------------------------------------------------------

@pytest.mark.parametrize("how", list(SPELLINGS))
def test_a_valid_id_is_masked_however_it_is_written(how):
    from pipeline.privacy import mask_id, mask_ids
    masked = mask_ids(f"核对：{ID_TEXT[how]}。")
    assert IDS[how] not in unicodedata.normalize("NFKC", masked).replace("\u200b", "")
    assert mask_id(IDS[how]) in masked


def test_numbers_that_are_no_id_stay_as_written():
    from pipeline.privacy import mask_ids
    for text in ("漏报第2、4、6、8、11、20、24、33、41、42、43、52、57、58条", "金额 12,345,678.90 元，合计 98,765,432.10 元",
                 "2019.06.18-2019.09.30", "3.60111E+17", "户编号 QSL0122", "电话 0791-88888888 / 13907910086",
                 "[1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987]"):
        assert mask_ids(text) == text
    # ID-shaped text is still masked when damaged, as before: a wrong check character, the Excel-truncated tail.
    assert mask_ids(f"号码 {WRONG} 有误") == f"号码 {WRONG[:4]}**********{WRONG[-4:]} 有误"
    assert mask_ids("号码 360111198001011000") == "号码 3601**********1000"


def test_names_of_any_length_are_masked_and_only_names():
    from pipeline.privacy import Masker
    mask = Masker(["王", "李四", "欧阳小明", "阿依古丽·买买提艾力", "穆罕默德·阿卜杜拉·艾力", "王  五", "不详", "待核实", "ALI",
                   "高新", "001", '=HYPERLINK("x")'], keep=["高新园区"])
    assert mask("李四、欧阳小明、王五") == "李*、欧**明、王*"
    assert mask("阿依古丽.买买提艾力、阿依古丽•买买提艾力、阿依古丽-买买提艾力") == "、".join(["阿********力"] * 3)
    assert mask("穆罕默德·阿卜杜拉·艾力") == "穆**********力"
    assert mask("阿依古丽家") == "阿**丽家"            # the given name alone
    # A one-character "name", a clerk's words in a name cell, a unit's name, a number: ordinary text stays.
    assert mask("王家村不详，待核实，高新园区户号001") == "王家村不详，待核实，高新园区户号001"
    # A Latin name is a whole word; an HTML-escaped name is masked too.
    assert mask("ALI and ALIBABA") == "A*I and ALIBABA"
    assert Masker(["O'Neil"])("O&#39;Neil") == "O****l"
