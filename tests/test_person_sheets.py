"""The office workbook's person detail: one sheet while everyone fits, split by unit at the sheet's row limit, every
person exactly once, totals adding up, cells reading back as xlsxwriter would have written them, and LibreOffice
reading every person of a split detail."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_browser import require
from test_report_render import ROSTER_FILE, config, ctx, make_id  # noqa: F401  (fixtures)
from xlsxwriter.worksheet import Worksheet

from pipeline.context import money_sum
from pipeline.money import yuan
from pipeline.privacy import Masker
from pipeline.report import person_sheets
from pipeline.report.excel import write_workbook
from pipeline.report.person_sheets import COLUMNS, plan
from pipeline.report.xlsx_formats import Col, Formats, new_workbook, put, start_sheet
from pipeline.vocab import ITEM_FIELDS, Item

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice") or "/usr/bin/soffice"
HEADERS = [c.header for c in COLUMNS]
FEN = [*ITEM_FIELDS.values(), "amount_fen"]
YUAN_HEADERS = [*(i.value for i in Item), "金额合计"]
# Units interleaved as rosters of several files can list them: each unit's sheet keeps its persons' order.
UNITS = ["湖坊镇", "上海路街道", "湖坊镇", "京东镇", "湖坊镇", "上海路街道", "湖坊镇", "湖坊镇", "上海路街道", "湖坊镇"]


def roster(units: list[str]) -> pd.DataFrame:
    """One person per unit listed, in that order, with amounts that do not add up to round yuan."""
    rows = []
    for i, unit in enumerate(units):
        head = i % 2 == 0
        rows.append({"unit": unit, "community": "东社区", "household_no": f"H{i // 2:03d}", "name": f"王{'一二三四五六七八九十'[i % 10]}明",
                     "id_number": make_id("19700101", 100 + i), "id_status": "ok" if i != 3 else "bad",
                     "id_reason": "" if i != 3 else "校验码不对", "relation": "户主" if head else "子女",
                     "category": "低保", "months_paid": 3, "gap_fen": 123407 + i if head else 0,
                     "tekun_fen": 0, "care_fee_fen": 0, "living_allowance_fen": 18000 if head else 0,
                     "care_allowance_fen": 7 * i, "explanation": f"差额 第{i // 2}户", "file": ROSTER_FILE, "row": 4 + i})
    df = pd.DataFrame(rows)
    df["amount_fen"] = df[list(ITEM_FIELDS.values())].sum(axis=1)
    return df


def with_persons(ctx, persons: pd.DataFrame):
    return dataclasses.replace(ctx, persons=persons, names=frozenset(persons["name"]))


def detail_sheets(path: Path) -> dict[str, list[tuple]]:
    """Return each detail sheet's rows below its title and header, in workbook order."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(min_row=3, values_only=True)) for ws in wb if ws.title.startswith("对象明细")}


@pytest.fixture
def limit(monkeypatch):
    """Shrink a sheet to `capacity` persons under the title and header rows, with the 合计 row below."""
    def set_capacity(capacity: int) -> None:
        monkeypatch.setattr(person_sheets, "EXCEL_ROWS", capacity + person_sheets.FRAME_ROWS)
    return set_capacity


@pytest.mark.parametrize("capacity, expected", [
    (10, [("对象明细", 10)]),
    (9, [("对象明细（湖坊镇）", 6), ("对象明细（上海路街道）", 3), ("对象明细（京东镇）", 1)]),
    (4, [("对象明细（湖坊镇）1", 4), ("对象明细（湖坊镇）2", 2), ("对象明细（上海路街道）", 3), ("对象明细（京东镇）", 1)]),
])
def test_detail_is_one_sheet_while_everyone_fits_and_splits_by_unit_past_the_row_limit(ctx, limit, tmp_path,
                                                                                       capacity, expected):
    limit(capacity)
    path = tmp_path / "w.xlsx"
    write_workbook(with_persons(ctx, roster(UNITS)), path, Masker())
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[names.index("变动情况") + 1:names.index("问题清单")] == [name for name, _ in expected]
    for name, persons in expected:
        ws = wb[name]
        assert ws.max_row == persons + person_sheets.FRAME_ROWS <= person_sheets.EXCEL_ROWS
        assert ws["A1"].value.endswith("· " + name)
        assert [c.value for c in ws[2]] == HEADERS
        assert ws.freeze_panes == "E3"
        assert ws.auto_filter.ref == f"A2:R{persons + 2}"
        (checked,) = [cf.sqref for cf in ws.conditional_formatting]
        assert "F3" in checked and f"F{persons + 2}" in checked and f"F{persons + 3}" not in checked
        assert ws.cell(persons + 3, 1).value == "合计" and ws.cell(persons + 3, 4).value == f"{persons}人"


def test_every_person_appears_once_in_unit_order_and_the_totals_add_up(ctx, limit, tmp_path):
    limit(4)
    persons = roster(UNITS)
    path = tmp_path / "w.xlsx"
    write_workbook(with_persons(ctx, persons), path, Masker())
    sheets = detail_sheets(path)
    id_col, unit_col = HEADERS.index("公民身份号码"), HEADERS.index("单位")
    listed = [row for rows in sheets.values() for row in rows[:-1]]
    assert Counter(r[id_col] for r in listed) == Counter(persons["id_number"])
    for unit in set(UNITS):
        assert [r[id_col] for r in listed if r[unit_col] == unit] == list(persons.loc[persons["unit"] == unit, "id_number"])
    grand = Counter()
    for name, rows in sheets.items():
        data, total = rows[:-1], rows[-1]
        for header in YUAN_HEADERS:
            c = HEADERS.index(header)
            in_fen = [round(r[c] * 100) for r in data]
            assert round(total[c] * 100) == sum(in_fen), (name, header)
            grand[header] += sum(in_fen)
    assert [grand[h] for h in YUAN_HEADERS] == [int(persons[f].sum()) for f in FEN]


def test_detail_cells_are_text_ids_exact_yuan_and_never_formulas(ctx, limit, tmp_path):
    limit(4)
    persons = roster(UNITS)
    path = tmp_path / "w.xlsx"
    write_workbook(with_persons(ctx, persons), path, Masker())
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    ws = wb["对象明细（湖坊镇）1"]
    ids = [ws.cell(r, HEADERS.index("公民身份号码") + 1) for r in range(3, 7)]
    assert [c.value for c in ids] == list(persons.loc[persons["unit"] == "湖坊镇", "id_number"][:4])
    assert all(c.data_type == "s" for c in ids)
    gap = ws.cell(3, HEADERS.index("差额") + 1)
    # The same double money.yuan gives, shown with the column's number format.
    assert gap.value == yuan(123407) and gap.data_type == "n" and gap.number_format == "#,##0.00"
    assert ws.cell(3, HEADERS.index("行号") + 1).value == 4
    assert ws.cell(5, HEADERS.index("身份证核验") + 1).value == "正确"
    assert wb["对象明细（京东镇）"].cell(3, HEADERS.index("身份证核验") + 1).value == "校验码不对"


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "+1", "a & b < c > d", "<script>alert(1)</script>",
           " leading", "trailing ", "\u3000全角空格", "line\nbreak", "tab\there", "bell\x07", "cr\rlf",
           "_x0041_ literal", "_x00e9_\x01", "😀 emoji", "", None, "x" * 40_000, "长" * 32_766 + "😀"]


def hostile_persons() -> pd.DataFrame:
    persons = roster(["湖坊镇"] * len(HOSTILE))
    persons["name"] = HOSTILE
    persons["gap_fen"] = [7, 10, 99, 100, 123456789012, 0, -250] + [1] * (len(HOSTILE) - 7)
    persons.loc[5, "community"] = None
    return persons


def reference(persons: pd.DataFrame, path: Path, **options) -> None:
    """Write 姓名, 社区 and 差额 cell by cell through xlsxwriter, the way the detail was written before it was streamed."""
    wb = new_workbook(path, Masker(), date(2019, 7, 5), output="dispatch-workbook", **options)
    fmts = Formats(wb)
    cols = [Col("姓名", 10), Col("社区", 12), Col("差额", 14, "yuan")]
    ws = start_sheet(wb, fmts, "对象明细", "", cols, worksheet_class=Worksheet)
    for r, (name, community, fen) in enumerate(zip(persons["name"], persons["community"], persons["gap_fen"]), 2):
        put(ws, r, 0, name, fmts.get("text"))
        put(ws, r, 1, community, fmts.get("text"))
        put(ws, r, 2, yuan(fen), fmts.get("yuan"))
    wb.close()


def name_community_gap(path: Path) -> list[tuple]:
    """Return 姓名, 社区 and 差额 of every detail row (the 合计 row left out), from either layout."""
    ws = openpyxl.load_workbook(path)["对象明细"]
    header = [c.value for c in ws[2]]
    cols = [header.index(h) for h in ("姓名", "社区", "差额")]
    return [tuple(row[c] for c in cols) for row in ws.iter_rows(min_row=3, values_only=True) if row[0] != "合计"]


def test_hostile_text_reads_back_as_xlsxwriter_writes_it(ctx, tmp_path):
    persons = hostile_persons()
    write_workbook(with_persons(ctx, persons), tmp_path / "streamed.xlsx", Masker())
    # Inline strings, as the streamed detail writes them: the same escapes, so any reader sees the same text.
    reference(persons, tmp_path / "reference.xlsx", constant_memory=True)
    got = name_community_gap(tmp_path / "streamed.xlsx")
    assert got == name_community_gap(tmp_path / "reference.xlsx")
    # Cut at the 32,767 UTF-16 units a cell holds, never inside a character.
    assert got[-2][0] == "x" * 32_767 and got[-1][0] == "长" * 32_766
    assert [g[2] for g in got[:7]] == [0.07, 0.1, 0.99, 1, 1234567890.12, 0, -2.5]


def test_characters_xml_forbids_are_escaped_as_excel_does(ctx, tmp_path):
    persons = roster(["湖坊镇"])
    persons["name"] = "甲\ufffe乙\uffff"
    write_workbook(with_persons(ctx, persons), tmp_path / "w.xlsx", Masker())
    assert name_community_gap(tmp_path / "w.xlsx")[0][0] == "甲_xFFFE_乙_xFFFF_"


def test_masked_detail_masks_every_name_and_id(ctx, limit, tmp_path):
    limit(4)
    persons = roster(UNITS)
    path = tmp_path / "w.xlsx"
    write_workbook(with_persons(ctx, persons), path, Masker(persons["name"]), full_detail=False)
    text = "\n".join(str(v) for rows in detail_sheets(path).values() for row in rows for v in row if v is not None)
    assert not [n for n in persons["name"] if n in text]
    assert not [i for i in persons["id_number"] if i in text]
    assert f"{persons['id_number'][0][:4]}**********{persons['id_number'][0][-4:]}" in text and "王*明" in text


def test_an_empty_detail_is_one_sheet_with_a_zero_total(ctx, tmp_path):
    path = tmp_path / "w.xlsx"
    write_workbook(dataclasses.replace(ctx, persons=pd.DataFrame(), total=money_sum(())), path, Masker())
    assert detail_sheets(path) == {"对象明细": [("合计", None, None, "0人", None, None, None, None, None,
                                              *([0] * len(YUAN_HEADERS)), "差额按户计在该户第一行", None, None)]}


def test_sheet_names_stay_within_excel_rules_and_never_repeat():
    long_a, long_b = "青山湖区" + "甲" * 30 + "一镇", "青山湖区" + "甲" * 30 + "二镇"
    units = pd.Series([long_a, long_b, "a/b:c*d?[e]", "'引号'", None, long_a, long_b])
    parts = plan(units, capacity=1)
    names = [p.name for p in parts]
    assert len(set(n.lower() for n in names)) == len(names) == 7
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") for n in names)
    assert names[4:] == ["对象明细（a_b_c_d__e_）", "对象明细（引号）", "对象明细（未注明单位）"]
    assert sorted(i for p in parts for i in p.rows) == list(range(len(units)))


def libreoffice_copy(paths: list[Path], tmp_path: Path) -> Path:
    """Open workbooks in a headless LibreOffice and save them again as .xlsx; return the folder of the copies."""
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists())
    out = tmp_path / "lo"
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--norestore", "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "Error" not in done.stderr, done.stderr
    return out


def test_libreoffice_reads_every_person_of_a_split_detail_and_hostile_text_as_xlsxwriter_wrote_it(ctx, limit,
                                                                                                  tmp_path):
    limit(4)
    split, streamed, shared = tmp_path / "split.xlsx", tmp_path / "streamed.xlsx", tmp_path / "shared.xlsx"
    write_workbook(with_persons(ctx, roster(UNITS)), split, Masker())
    limit(len(HOSTILE))
    write_workbook(with_persons(ctx, hostile_persons()), streamed, Masker())
    # Shared strings, as xlsxwriter writes by default: LibreOffice must read the same text from either.
    reference(hostile_persons(), shared)
    copies = libreoffice_copy([split, streamed, shared], tmp_path)
    assert detail_sheets(copies / split.name) == detail_sheets(split)
    assert name_community_gap(copies / streamed.name) == name_community_gap(copies / shared.name)
