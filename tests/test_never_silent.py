"""Never silently wrong: a roster or progress sheet damaged by hand is either read whole or names what it leaves out.

Each case builds a clean sheet and the same sheet damaged the way a clerk damages it, runs both quarters, and asserts
that the damaged one pays every person the clean one pays, or that the persons it does not pay are named, row by row,
in a finding; and that 读取核对 says 相符 exactly when one of the two holds.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import PROGRESS_HEADER, ROOT, ROSTER_HEADER, full_progress_rows, valid_id

from pipeline import StopRun, check

UNIT = "湖坊镇"


def household(no: int, members: int = 2) -> list[list]:
    """Return one 低保 household's member rows, household cells on every row."""
    rows = []
    for m in range(members):
        rows.append([f"H{no:03d}", f"成员{no}{m}", valid_id(born=f"19{50 + no}0{m + 1}01", seq=2 * no + 1),
                     "户主" if m == 0 else "子女", UNIT, "东社区", "低保", 300, None, None, None, None, "有", "已就业",
                     "否", "2018-01", None])
    return rows


def households(first: int, last: int) -> list[list]:
    return [row for no in range(first, last + 1) for row in household(no)]


TITLE = [f"{UNIT}城镇困难群众救助对象台账"]
META = [f"填报单位：{UNIT}"]


def quarter(root: Path, sheets: dict[str, list[list]], name: str = "台账.xlsx"):
    """Write one workbook of sheets into a fresh project's 2019Q2 and check the quarter."""
    root.mkdir()
    for f in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / f, root / f)
    folder = root / "input" / "2019Q2"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, lines in sheets.items():
        ws = wb.create_sheet(title)
        for r, line in enumerate(lines, start=1):
            for c, value in enumerate(line, start=1):
                if value is not None:
                    ws.cell(r, c, value)
    wb.save(folder / name)
    return check(config_path=root / "config.toml", input_dir=root / "input", period="2019Q2",
                 cache=False)


def paid(result) -> dict[str, tuple[int, int]]:
    """Return each paid person's ID with the months paid and the monthly amount of their household, in fen."""
    people = result.benefits.persons
    if people.empty:
        return {}
    monthly = result.benefits.households.set_index("household_key")["monthly_fen"]
    people = people[people["months_paid"] > 0]
    return dict(zip(people["id_number"], zip(people["months_paid"], monthly.loc[people["household_key"]])))


def named_rows(result, code: str) -> set[int]:
    return {r for f in result.findings if f.code == code for r in f.left_out}


def row_of(result) -> dict[str, int]:
    roster = result.quarter.roster
    return dict(zip(roster["id_number"], roster["_row"]))


def reconciled(result) -> bool:
    return all(i.reconciled for i in result.context.inputs) and not any(
        f.code == "rows-unaccounted" for f in result.findings)


@pytest.fixture
def clean(tmp_path):
    return quarter(tmp_path / "clean", {"台账": [TITLE, META, ROSTER_HEADER, *households(1, 6)]})


def test_the_clean_roster_pays_everyone(clean):
    assert len(paid(clean)) == 12 and all(v == (3, 74000) for v in paid(clean).values()) and reconciled(clean)


@pytest.mark.parametrize("note", ["备注：以下为本季度新增对象", "说明：以下各户于二季度纳入", "以下为本季度新增对象"])
def test_a_note_line_in_the_middle_of_a_roster_does_not_end_it(tmp_path, clean, note):
    lines = [TITLE, META, ROSTER_HEADER, *households(1, 3), [note], *households(4, 6)]
    result = quarter(tmp_path / "damaged", {"台账": lines})
    assert paid(result) == paid(clean) and reconciled(result)
    sheet = next(i for i in result.context.inputs if i.sheet == "台账")
    assert (sheet.rows_read, sheet.rows_used, sheet.rows_set_aside) == (13, 12, 1) and "第10行" in sheet.note


@pytest.mark.parametrize("number", ["联系人张三家", "备注户"])
def test_a_household_number_in_words_is_still_a_household(tmp_path, clean, number):
    rows = households(1, 6)
    for row in rows[6:8]:
        row[0] = number
    result = quarter(tmp_path / "damaged", {"台账": [TITLE, META, ROSTER_HEADER, *rows]})
    assert paid(result) == paid(clean) and reconciled(result)


@pytest.mark.parametrize("with_header", [True, False])
def test_households_right_of_a_blank_column_are_named_row_by_row(tmp_path, clean, with_header):
    left, right = households(1, 3), households(4, 6)
    lines = [TITLE, META, ROSTER_HEADER + [None] + (ROSTER_HEADER if with_header else [])]
    lines += [(left[i] if i < len(left) else [None] * len(ROSTER_HEADER)) + [None] + right[i] for i in range(len(right))]
    result = quarter(tmp_path / "damaged", {"台账": lines})
    unpaid = set(paid(clean)) - set(paid(result))
    assert len(unpaid) == 6 and set(paid(result)) == {r[2] for r in left}
    # Every person not paid is named: the rows of the block beside the table, each one.
    assert named_rows(result, "outside-table") == set(range(4, 4 + len(right)))
    (f,) = [f for f in result.findings if f.code == "outside-table"]
    assert f.severity == "error" and f.unit == UNIT and "身份证号码" in f.message
    assert f.column == ("S–AI列" if with_header else "S–AH列")      # 停发年月 is blank in every row, its header is not
    assert reconciled(result)


def test_a_note_beside_the_table_is_set_aside_not_an_error(tmp_path, clean):
    lines = [TITLE, META, ROSTER_HEADER, *households(1, 6)]
    lines[4] = lines[4] + [None, "备注：该户二季度复核"]
    result = quarter(tmp_path / "damaged", {"台账": lines})
    assert paid(result) == paid(clean) and reconciled(result)
    assert not [f for f in result.findings if f.code == "outside-table"]


def test_a_quarter_whose_only_roster_lost_its_header_stops_and_says_so(tmp_path):
    with pytest.raises(StopRun, match="台账.xlsx 像是报表但找不到表头"):
        quarter(tmp_path / "damaged", {"台账": [TITLE, META, *households(1, 6)]})


def test_a_roster_whose_header_was_deleted_is_an_error_naming_every_row(tmp_path, clean):
    # Another unit's report beside it, so the quarter holds something to report on.
    result = quarter(tmp_path / "damaged", {"台账": [TITLE, META, *households(1, 6)],
                                            "进展": [["填报单位：区民政局"], PROGRESS_HEADER, *full_progress_rows([1])]})
    assert paid(result) == {}
    (f,) = [f for f in result.findings if f.code == "missing-header"]
    assert (f.severity, f.unit, f.sheet, f.row) == ("error", UNIT, "台账", 3)
    assert set(f.left_out) == set(range(3, 15)) and "第3–14行" in f.message
    sheet = next(i for i in result.context.inputs if i.sheet == "台账")
    assert (sheet.kind, sheet.rows_read, sheet.rows_reported, sheet.rows_set_aside) == ("headerless", 14, 12, 2)
    assert reconciled(result)


def test_a_progress_sheet_whose_header_was_deleted_is_an_error_not_missing_tasks(tmp_path):
    lines = [["进展情况表"], [f"填报单位：{UNIT}", None, None, "填报日期：2019年6月18日"], *full_progress_rows([1, 2, 3, 4])]
    result = quarter(tmp_path / "damaged", {"进展": lines, "台账": [TITLE, META, ROSTER_HEADER, *households(1, 2)]},
                     name="湖坊镇进展.xlsx")
    (f,) = [f for f in result.findings if f.code == "missing-header"]
    assert f.unit == UNIT and set(f.left_out) == {3, 4, 5, 6} and "进展情况表" in f.message
    assert not [f for f in result.findings if f.code == "missing-task" and f.unit == UNIT]
    assert reconciled(result)


@pytest.mark.parametrize("depth", [16, 40, 150])
def test_a_header_below_row_15_is_found(tmp_path, clean, depth):
    above = [TITLE, META] + [[f"说明第{i}条：本表按民政部门要求填写。"] for i in range(depth - 2)]
    result = quarter(tmp_path / "damaged", {"台账": [*above, ROSTER_HEADER, *households(1, 6)]})
    assert paid(result) == paid(clean) and reconciled(result)
    assert row_of(result)[household(1)[0][2]] == depth + 2


def test_records_above_a_deep_header_are_named(tmp_path):
    stray = household(9, members=1)[0]
    above = [TITLE, META, stray] + [["说明"] for _ in range(20)]
    result = quarter(tmp_path / "damaged", {"台账": [*above, ROSTER_HEADER, *households(1, 6)]})
    assert stray[2] not in paid(result) and len(paid(result)) == 12
    assert named_rows(result, "outside-table") == {3} and reconciled(result)


def test_a_title_saying_read_only_does_not_stop_a_roster_being_read(tmp_path, clean):
    title = [f"{UNIT}救助对象台账（仅供阅读，不计入汇总）"]
    result = quarter(tmp_path / "damaged", {"台账": [title, META, ROSTER_HEADER, *households(1, 6)]})
    assert paid(result) == paid(clean) and reconciled(result)


def test_only_the_exact_instructions_sheet_is_set_aside(tmp_path, clean):
    notes = [["填表说明（仅供阅读，不计入汇总）"], ["1. 本表一人一行。"], ["2. 户编号每一行都要填。"]]
    planted = [row[:] for row in notes] + [household(9, members=1)[0]]
    result = quarter(tmp_path / "damaged", {"台账": [TITLE, META, ROSTER_HEADER, *households(1, 6)],
                                            "填表说明": notes, "填表说明2": planted})
    kinds = {i.sheet: i.kind for i in result.context.inputs}
    assert kinds == {"台账": "roster", "填表说明": "reference", "填表说明2": "headerless"}
    assert paid(result) == paid(clean) and named_rows(result, "missing-header") == {4} and reconciled(result)


@pytest.mark.parametrize("note", ["说明：以下任务由本单位牵头", "备注：第5条以后为责任任务", "（二）责任任务"])
def test_a_note_line_in_a_progress_sheet_does_not_end_it(tmp_path, matrix, note):
    tasks = matrix.tasks_of(UNIT)
    rows = full_progress_rows(tasks)
    rows.insert(3, [note])
    lines = [["进展情况表"], [f"填报单位：{UNIT}", None, None, "填报日期：2019年6月18日"], PROGRESS_HEADER, *rows]
    result = quarter(tmp_path / "damaged", {"进展": lines}, name="湖坊镇进展.xlsx")
    assert not [f for f in result.findings if f.unit == UNIT and f.code in ("missing-task", "bad-value")]
    assert result.context.unit(UNIT).reported_tasks == len(tasks) and reconciled(result)


def test_a_table_named_with_a_leading_dot_is_read(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    for f in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / f, root / f)
    folder = root / "input" / "2019Q2"
    folder.mkdir(parents=True)
    text = "\n".join(",".join(map(str, line)) for line in
                     [[f"填报单位：{UNIT}"], PROGRESS_HEADER, *full_progress_rows([1, 2])])
    (folder / "..湖坊镇进展.csv").write_text(text, encoding="utf-8")
    (folder / "._湖坊镇进展.csv").write_bytes(b"\x00\x05\x16\x07junk")     # what a Mac leaves beside a copied file
    result = check(config_path=root / "config.toml", input_dir=root / "input", period="2019Q2")
    kinds = {i.file: i.kind for i in result.context.inputs}
    assert kinds == {"..湖坊镇进展.csv": "progress", "._湖坊镇进展.csv": "system"}
    assert result.context.unit(UNIT).submitted


def test_an_income_no_month_can_hold_is_a_bad_value_not_an_overflow(tmp_path, clean):
    rows = households(1, 6)
    rows[0][7] = 92233720368547758          # 户 H001's income, typed into the wrong column or pasted as an ID
    result = quarter(tmp_path / "damaged", {"台账": [TITLE, META, ROSTER_HEADER, *rows]})
    assert [(f.row, f.column) for f in result.findings if f.code == "bad-value"] == [(4, "家庭月人均收入")]
    assert set(paid(clean)) - set(paid(result)) == {rows[0][2], rows[1][2]}
    assert 0 < result.context.total_fen < clean.context.total_fen and reconciled(result)
