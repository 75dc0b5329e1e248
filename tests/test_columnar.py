"""Column-at-a-time reading: bulk helpers agree with the one-cell parsers, and a sheet reads as a row-by-row reading would."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import replace
from datetime import date, datetime

import numpy as np
import openpyxl
import pytest
from conftest import ROOT, ROSTER_HEADER, valid_id
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cells import clean_text
from pipeline.ids import check_char, check_id, check_plain_ids
from pipeline.reader.columns import clean_texts, factorize
from pipeline.reader.files import Unreadable, open_book
from pipeline.reader.limits import LIMITS


@pytest.fixture(scope="module")
def ctx():
    from pipeline.config import load_config
    from pipeline.reader import ReadContext
    config = load_config(ROOT / "config.toml")
    return ReadContext(file="", registry=config.registry, status_words=config.status_words, today=date(2019, 7, 1))


def read(tmp_path, name: str, lines: list[list], ctx):
    from pipeline.reader import read_file
    wb = openpyxl.Workbook()
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            if value is not None:
                wb.active.cell(r, c, value)
    wb.save(tmp_path / name)
    return read_file(tmp_path / name, replace(ctx, file=name)).sheets[0]


def findings(sheet) -> list[tuple]:
    """The sheet's findings as (row, column, code), in the order the reader gives them."""
    return [(f.row, f.column, f.code) for f in sheet.findings]


def person(**cells) -> list:
    row = dict.fromkeys(ROSTER_HEADER)
    row.update({"户编号": "001", "姓名": "张一", "公民身份号码": valid_id(seq=11), "与户主关系": "户主", "所属镇街": "湖坊镇",
                "救助类别": "低保", "家庭月人均收入": 300, "享受起始年月": "2018-01"})
    row.update(cells)
    return [row[h] for h in ROSTER_HEADER]


# --- bulk helpers against the one-cell functions ------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=8), st.sampled_from([" 'a", "'", "#", "‘x", "`1", "ＡＢ１", " 户主 ", "\u3000无", "a\nb", "Ⅱ级", "x "]),
    st.integers(-10 ** 20, 10 ** 20), st.floats(allow_infinity=False), st.booleans(), st.none(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_bulk_clean_text_is_clean_text(values):
    assert clean_texts(np.array(values, dtype=object)).tolist() == [clean_text(v) for v in values]


def _key(value: object) -> tuple:
    return (type(value), "nan" if isinstance(value, float) and math.isnan(value) else value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CELLS, st.sampled_from([1, True, 1.0, "1", 0, False, ""])), max_size=30))
def test_distinct_values_keep_their_types(values):
    # pandas takes 1, 1.0 and True for one value; a clerk's True is not a 1.
    codes, uniques = factorize(np.array(values, dtype=object))
    assert [_key(u) for u in uniques[codes]] == [_key(v) for v in values]
    assert len(uniques) == len({_key(v) for v in values})


ID_BODIES = st.builds(lambda region, born, seq: f"{region}{born}{seq:03d}",
                      st.sampled_from(["360111", "110105", "000000"]),
                      st.one_of(st.dates(date(1850, 1, 1), date(2100, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
                                st.text("0123456789", min_size=8, max_size=8)),
                      st.integers(0, 999))
IDS = st.one_of(
    st.builds(lambda body, last: body + (check_char(body) if last is None else last), ID_BODIES,
              st.one_of(st.none(), st.sampled_from(list("0123456789Xx")))),
    st.text("0123456789Xx٣１ ", min_size=17, max_size=19), st.integers(0, 10 ** 18), st.sampled_from(["", "3.60111E+17"]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(IDS, max_size=20), st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 1, 1))))
def test_ids_checked_in_bulk_agree_with_check_id(values, today):
    at, texts, statuses, reasons = check_plain_ids(np.array(values, dtype=object), today=today)
    for i, text, status, reason in zip(at, texts, statuses, reasons):
        one = check_id(values[i], today=today)
        assert (text, status, reason) == (one.text, one.status, one.reason)
    plain = {i for i, v in enumerate(values) if isinstance(v, str) and len(v) == 18 and v.isascii()
             and v[:17].isdigit() and v[17] in "0123456789Xx"}
    assert set(at.tolist()) == plain


# --- cells as the workbook holds them ---------------------------------------------------------------------------

def test_grid_cells_have_the_types_of_a_pandas_read(tmp_path):
    wb = openpyxl.Workbook()
    values = [3.0, 1.5, datetime(2019, 3, 1), datetime(2019, 3, 1, 10, 30), True, 1e20, "x"]
    for c, value in enumerate(values, start=1):
        wb.active.cell(1, c, value)
    wb.active.cell(2, 2, "下")
    wb.save(tmp_path / "a.xlsx")
    [grid] = open_book(tmp_path / "a.xlsx", LIMITS).grids
    assert [(type(v), v) for v in grid.rows[0]] == [
        (int, 3), (float, 1.5), (datetime, datetime(2019, 3, 1)), (datetime, datetime(2019, 3, 1, 10, 30)), (bool, True),
        (int, 10 ** 20), (str, "x")]
    assert grid.rows[1] == ["", "下", "", "", "", "", ""]


def test_ragged_csv_rows_are_padded_into_a_rectangle(tmp_path):
    (tmp_path / "a.csv").write_text("姓名,公民身份号码,备注\n\n张建国,36011119650312021X\n", encoding="utf-8")
    assert open_book(tmp_path / "a.csv", LIMITS).grids[0].rows == [["姓名", "公民身份号码", "备注"], ["", "", ""],
                                                      ["张建国", "36011119650312021X", ""]]


def test_a_csv_whose_rectangle_is_past_the_cell_limit_is_refused(tmp_path):
    limits = dataclasses.replace(LIMITS, sheet_cells=100_000)
    rows = limits.sheet_cells // 1000 + 1
    (tmp_path / "a.csv").write_text("," * 999 + "\n" + "姓名\n" * rows, encoding="utf-8")
    with pytest.raises(Unreadable, match="数据范围"):
        open_book(tmp_path / "a.csv", limits)


# --- a roster read column by column, as a row-by-row reading would --------------------------------------------------

def test_true_is_not_read_as_1_in_the_same_column(tmp_path, ctx):
    rows = [person(孤儿=1), person(户编号="002", 公民身份号码=valid_id(seq=13), 孤儿=True)]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", [["台账"], ROSTER_HEADER, *rows], ctx)
    assert sheet.rows["orphan"].tolist() == [True, False]
    assert findings(sheet) == [(4, "孤儿", "bad-value")] and "“True”" in sheet.findings[0].message


def test_household_numbers_relations_and_totals_make_households(tmp_path, ctx):
    ids = iter(valid_id(seq=s) for s in range(101, 200, 2))
    total = ["小计", *[None] * 16]
    rows = [person(与户主关系="户主"), person(户编号=None, 与户主关系="配偶"),
            person(户编号=None, 与户主关系="户主"),                     # a head without a number starts one
            person(户编号=None, 与户主关系="子"),
            person(户编号="001", 与户主关系="子"),                      # the number differs from the blank one above
            total,
            person(户编号="001", 与户主关系="配偶"),                    # the same number, but the total closed the last
            person(户编号="001", 与户主关系="子"),
            total,
            person(户编号=None, 与户主关系="子"),                       # no number and no head, but after a total
            person(户编号="002")]
    rows = [r if r is total else r[:2] + [next(ids)] + r[3:] for r in rows]
    sheet = read(tmp_path, "湖坊镇台账.xlsx", [["台账"], ROSTER_HEADER, *rows], ctx)
    assert sheet.rows["_household_row"].tolist() == [3, 3, 5, 5, 7, 9, 9, 12, 13]
    assert findings(sheet) == []


def test_a_household_s_findings_come_in_reading_order(tmp_path, ctx):
    header = ROSTER_HEADER + ["家庭人口"]
    good = valid_id(seq=11)
    wrong = good[:17] + next(c for c in "123456789" if c != good[-1])
    rows = [person(公民身份号码=wrong, 所属镇街="某某村", 救助类别="低收入", 享受起始年月="无") + [5],
            person(户编号=None, 姓名="李二", 公民身份号码=valid_id(seq=13), 与户主关系="配偶", 残疾等级="严重", 就业状况="上学")
            + [None]]
    sheet = read(tmp_path, "台账.xlsx", [["城镇困难群众救助对象台账"], header, *rows], ctx)
    assert findings(sheet) == [(3, "救助类别", "bad-value"), (3, "享受起始年月", "bad-value"), (3, "所属镇街", "unknown-unit"),
                               (3, "公民身份号码", "id-invalid"), (4, "残疾等级", "bad-value"), (4, "就业状况", "bad-value"),
                               (3, "家庭人口", "household-size-mismatch")]
    assert not sheet.rows["used"].any()


@pytest.mark.parametrize("sign_off", ["填 报 人：张三", "注：以上数据截至6月", "说明 1：金额单位为万元"])
def test_sign_off_and_note_lines_never_end_the_table_however_they_are_spaced(tmp_path, ctx, sign_off):
    from conftest import PROGRESS_HEADER, full_progress_rows
    rows = [*full_progress_rows([1]), ["注意事项", "", "", "推进中", 60], *full_progress_rows([2]), [sign_off],
            *full_progress_rows([3])]
    sheet = read(tmp_path, "湖坊镇.xlsx", [["填报单位：湖坊镇"], PROGRESS_HEADER, *rows], ctx)
    assert sheet.rows["_row"].tolist() == [3, 4, 5, 7] and sheet.notes == (6,)
    assert findings(sheet) == [(4, "任务编号", "bad-value")]
