"""Resident identity numbers: the GB 11643 check, quiet normalisation, and Excel damage."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.ids import DAMAGED, INVALID, OK, check_char, check_id
from pipeline.privacy import mask_id, mask_name


def test_the_standards_example_is_valid():
    assert check_char("11010519491231002") == "X"
    assert check_id("11010519491231002X").status == OK


@pytest.mark.parametrize("raw", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X",
                                 "'11010519491231002X", " 11010519491231002X "])
def test_normalisation_is_not_an_error(raw):
    result = check_id(raw)
    assert (result.text, result.status) == ("11010519491231002X", OK)


@pytest.mark.parametrize("raw", [360111199001011234, 3.60111199001011e17, "3.60111E+17", "360111199001011000",
                                 "360111199001011234.0"])
def test_excel_damage_is_detected(raw):
    assert check_id(raw).status == DAMAGED


@pytest.mark.parametrize("raw, why", [("110105194912310021", "校验码"), ("1101051949123100", "18位"),
                                      ("110105194913310024", "出生日期"), ("11010519491231002Y", "非法字符")])
def test_invalid_ids_say_why(raw, why):
    result = check_id(raw)
    assert result.status == INVALID and why in result.reason


def test_birth_date_in_the_future_is_invalid():
    body = "36011120300101123"
    assert check_id(body + check_char(body), today=date(2019, 7, 1)).status == INVALID


def test_masking():
    assert mask_id("36011119800101123X") == "3601**********123X"
    assert mask_name("张三明") == "张*明" and mask_name("李四") == "李*" and mask_name("欧阳小明") == "欧**明"
