"""The ways clerks write numbers, dates, months, task labels and percentages."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pipeline.cells import is_blank, parse_date, parse_fen, parse_month, parse_percent, parse_task


@pytest.mark.parametrize("raw, task", [(1, 1), ("1、", 1), ("第3条", 3), ("（5）", 5), (7.0, 7), ("7.0", 7),
                                       ("(12)", 12), ("第十二条", 12), (" 9 ", 9)])
def test_task_labels(raw, task):
    assert parse_task(raw) == task


@pytest.mark.parametrize("raw", ["甲", "1.5", "见附件"])
def test_bad_task_labels(raw):
    with pytest.raises(ValueError):
        parse_task(raw)


@pytest.mark.parametrize("raw", ["2019年3月18日", "2019-03-18", "2019.3.18", "2019/3/18", 43542, datetime(2019, 3, 18),
                                 "20190318", "2019-03-18 00:00:00"])
def test_dates(raw):
    assert parse_date(raw) == date(2019, 3, 18)


@pytest.mark.parametrize("raw", ["2019-01", "2019年1月", "201901", 201901, "2019.1", "2019/01", date(2019, 1, 5)])
def test_months(raw):
    assert parse_month(raw) == (2019, 1)


@pytest.mark.parametrize("raw, pct", [(80, 80.0), ("80%", 80.0), (0.8, 80.0), ("0.8", 80.0), ("１００％", 100.0)])
def test_percentages(raw, pct):
    assert parse_percent(raw) == pct


def test_percent_out_of_range_is_an_error():
    with pytest.raises(ValueError):
        parse_percent(180)


@pytest.mark.parametrize("raw, fen", [("￥20,280元", 2028000), ("1,234.50", 123450), (260.5, 26050), ("333.335", 33334),
                                      (0.1 + 0.2, 30), ("#500", 50000)])
def test_money_to_fen_half_up(raw, fen):
    assert parse_fen(raw) == fen


@pytest.mark.parametrize("raw", ["", "无", "—", "NA", "n/a", None, "  "])
def test_blank_words(raw):
    assert is_blank(raw)
