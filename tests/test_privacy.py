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
from conftest import ROSTER_HEADER, TODAY, valid_id

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
                 period="2019Q2", today=TODAY)
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
                 period="2019Q2", today=TODAY)
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
