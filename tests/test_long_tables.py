"""Tables longer than a sheet go on in further sheets: every finding, input and change exactly once, never cut off.

The row limit is a parameter, so a sheet of a dozen rows stands in for Excel's 1,048,576.
"""
from __future__ import annotations

import dataclasses
from collections import Counter

import openpyxl
import pytest
from test_report_render import config, ctx  # noqa: F401  (fixtures)

from pipeline.changes import Changes, Household, UnitChanges
from pipeline.context import InputRow
from pipeline.findings import finding, ordered
from pipeline.period import Period
from pipeline.privacy import Masker
from pipeline.report.excel import write_workbook
from pipeline.report.feedback import write_feedback
from pipeline.report.sheet_parts import NAME_CHARS, sheet_parts
from pipeline.vocab import Category

FINDINGS, INPUTS, ENTERED, LEFT = 25, 23, 9, 4
LIMIT = 12                                              # rows in a sheet, title and header included


def long_ctx(ctx):
    """Return the hand-built context with 25 findings, 23 inputs and 13 households that came or went."""
    found = ordered(finding("bad-value", f"第{i}条问题。", unit="湖坊镇" if i % 3 else "区民政局", file="a.xlsx",
                            sheet="台账", row=i + 3, column="家庭月人均收入", value=f"v{i}") for i in range(FINDINGS))
    inputs = tuple(InputRow(f"文件{i}.xlsx", "台账", "roster", "湖坊镇", i + 2, i + 1, 1) for i in range(INPUTS))

    def household(i: int, unit: str) -> Household:
        return Household(f"k{i}", unit, "东社区", f"HH{i:03d}", Category.DIBAO, "王小明", "", 2, 30000, 0, 74000 + i,
                         222000, 0, 0, 67000)

    entered = tuple(household(i, "湖坊镇" if i % 2 else "京东镇") for i in range(ENTERED))
    left = tuple(household(100 + i, "湖坊镇") for i in range(LEFT))
    units = (UnitChanges("湖坊镇", 4, 0, LEFT, 0, 0), UnitChanges("京东镇", 5, 0, 0, 0, 0))
    changes = Changes(Period(2019, 1), True, 0.2, entered, left, (), units, (), (), (Period(2019, 1), Period(2019, 2)))
    return dataclasses.replace(ctx, findings=found, inputs=inputs, changes=changes)


@pytest.fixture(scope="module")
def split(ctx, tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("long") / "调度报告-2019Q2.xlsx"
    write_workbook(long_ctx(ctx), path, Masker(), row_limit=LIMIT)
    return openpyxl.load_workbook(path)


def sheets(wb, name: str) -> list:
    return [ws for ws in wb if ws.title == name or ws.title.startswith(name + "（")]


def test_sheet_parts_keep_a_table_that_fits_whole_and_cut_a_longer_one_exactly():
    assert [(p.name, p.start, p.stop) for p in sheet_parts("问题清单", 10, 10)] == [("问题清单", 0, 10)]
    assert [(p.name, p.start, p.stop) for p in sheet_parts("问题清单", 0, 10)] == [("问题清单", 0, 0)]
    parts = sheet_parts("问题清单", 25, 10)
    assert [(p.name, p.start, p.stop, p.number, p.count) for p in parts] == [
        ("问题清单（1–10）", 0, 10, 1, 3), ("问题清单（11–20）", 10, 20, 2, 3), ("问题清单（21–25）", 20, 25, 3, 3)]
    assert parts[1].title("标题") == "标题（第2张，共3张：第11–20条，共25条）"
    huge = sheet_parts("问题清单", 5_000_000_000, 1_048_574)
    assert all(len(p.name) <= NAME_CHARS for p in huge) and len({p.name for p in huge}) == len(huge)
    assert sum(p.stop - p.start for p in huge) == 5_000_000_000
    with pytest.raises(ValueError):
        sheet_parts("问题清单", 3, 0)


def test_every_finding_is_on_exactly_one_findings_sheet_named_and_titled_with_its_rows(split):
    parts = sheets(split, "问题清单")
    assert [ws.title for ws in parts] == ["问题清单（1–10）", "问题清单（11–20）", "问题清单（21–25）"]
    seen = []
    for ws, (first, last) in zip(parts, [(1, 10), (11, 20), (21, 25)]):
        assert ws.max_row <= LIMIT
        assert ws["A1"].value.endswith(f"· 问题清单（第{parts.index(ws) + 1}张，共3张：第{first}–{last}条，共{FINDINGS}条）")
        assert [c.value for c in ws[2]][:3] == ["问题代码", "问题名称", "严重程度"]
        message = [c.value for c in ws[2]].index("说明")
        rows = [r[message] for r in ws.iter_rows(min_row=3, values_only=True)]
        assert len(rows) == last - first + 1
        seen += rows
    assert Counter(seen) == Counter(f"第{i}条问题。" for i in range(FINDINGS))
    overview = {r[0]: r[3] for r in split["总览"].iter_rows(min_row=3, values_only=True)}
    assert overview["数据问题：错误（条）"] == "详见以“问题清单”开头的3张表"


def test_every_input_is_listed_once_and_each_sheet_adds_up_its_own_rows(split):
    parts = sheets(split, "读取核对")
    assert [ws.title for ws in parts] == ["读取核对（1–9）", "读取核对（10–18）", "读取核对（19–23）"]
    files = []
    for ws in parts:
        assert ws.max_row <= LIMIT
        *rows, total = ws.iter_rows(min_row=3, values_only=True)
        files += [r[0] for r in rows]
        assert total[0] == f"本表合计（{len(rows)}项）"
        assert list(total[4:7]) == [sum(r[c] for r in rows) for c in (4, 5, 6)]
    assert files == [f"文件{i}.xlsx" for i in range(INPUTS)]
    assert parts[2]["A1"].value.endswith(f"（第3张，共3张：第19–23项，共{INPUTS}项）")


def test_every_household_that_came_or_went_is_listed_once_and_the_year_closes_the_last_sheet(split):
    parts = sheets(split, "变动情况")
    assert len(parts) == 3 and parts[0].title == "变动情况（1–5）"
    households, year = [], []
    for ws in parts:
        assert ws.max_row <= LIMIT
        assert ws["A3"].value.startswith(f"与2019年第一季度相比：新增{ENTERED}户，退出{LEFT}户")
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        households += [r[2] for r in rows if r[2]]
        year += [r[0] for r in rows if r[0] and str(r[0]).startswith("本年已收到的季度")]
    listed = [f"HH{i:03d}" for i in range(ENTERED)] + [f"HH{100 + i:03d}" for i in range(LEFT)]
    assert Counter(households) == Counter(listed)
    assert len(year) == 1 and "本年已收到的季度" in str([c.value for c in parts[-1]["A"]])


def test_a_workbook_that_fits_keeps_its_sheet_names(ctx, tmp_path):
    path = tmp_path / "w.xlsx"
    write_workbook(long_ctx(ctx), path, Masker())
    assert openpyxl.load_workbook(path).sheetnames == ["总览", "任务进展", "进展汇编", "单位报送", "资金测算", "变动情况",
                                                       "对象明细", "问题清单", "读取核对"]


def test_a_unit_feedback_workbook_goes_on_in_further_sheets_numbering_every_finding_once(ctx, tmp_path):
    long = long_ctx(ctx)
    mine = [f for f in long.findings if f.unit == "湖坊镇"]
    path = tmp_path / "湖坊镇.xlsx"
    write_feedback(long, "湖坊镇", path, Masker(), row_limit=8)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["问题反馈（1–4）", "问题反馈（5–8）", "问题反馈（9–12）", "问题反馈（13–16）"]
    numbers, messages = [], []
    for ws in wb:
        assert ws.max_row <= 8
        assert "脱贫解困工作报送问题反馈单（第" in ws["A1"].value and f"共{len(mine)}条）" in ws["A1"].value
        rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
        numbers += [r[0] for r in rows]
        messages += [r[7] for r in rows]
        assert ws.cell(ws.max_row, 1).value.startswith(f"共 {len(mine)} 条")
    assert numbers == list(range(1, len(mine) + 1))
    assert messages == [f.message for f in mine]
    one = tmp_path / "one.xlsx"
    write_feedback(long, "湖坊镇", one, Masker())
    assert openpyxl.load_workbook(one).sheetnames == ["问题反馈"]

