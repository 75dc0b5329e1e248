"""Benefit rules against hand-computed cases: 2019 parameters, 低保 670, 特困 871, 最低工资 1680."""
from __future__ import annotations

import pytest
from conftest import ROOT, run_check, set_parameter, valid_id

import pipeline.cache

HOUSE = dict(unit="湖坊镇", community="东社区")


def person(no, name, seq, relation, category=None, income=None, rigid=None, grade=None, care=None,
           start=None, stop=None, ability=None, employment=None, born="19700101"):
    return [no, name, valid_id(born=born, seq=seq), relation, HOUSE["unit"] if category else None,
            HOUSE["community"] if category else None, category, income, rigid, grade, care,
            "分散" if care or category == "特困" else None, ability, employment, "否", start, stop]


def household(result, no: str):
    hh = result.benefits.households
    return hh[hh["household_no"] == no].iloc[0]


@pytest.fixture
def roster(book):
    def make(*rows):
        book.roster("湖坊镇台账.xlsx", "湖坊镇", list(rows))
        return run_check(book.folder.parent.parent)
    return make


def test_dibao_full_quarter_pays_shortfall_times_members(roster):
    r = roster(person("001", "张一", 1, "户主", "低保", 260, start="2018-01"),
               person(None, "张二", 3, "配偶"), person(None, "张三", 5, "子女", born="20100101"))
    h = household(r, "001")
    # (670 − 260) × 3 × 3 = 3690
    assert h["amount_fen"] == 369000
    assert h["explanation"] == "差额 (670 − 260.00) × 3人 × 3个月 = 3690.00"


def test_mid_quarter_start_pays_from_the_start_month(roster):
    r = roster(person("001", "张一", 1, "户主", "低保", 260, start="2019-05"),
               person(None, "张二", 3, "配偶"), person(None, "张三", 5, "子女", born="20100101"))
    h = household(r, "001")
    assert h["months_active"] == 2
    assert h["amount_fen"] == (670 - 260) * 3 * 2 * 100
    assert h["explanation"] == "差额 (670 − 260.00) × 3人 × 2个月（5–6月） = 2460.00"


def test_stop_month_is_the_first_month_not_paid(roster):
    r = roster(person("001", "李一", 7, "户主", "低保", 400.5, start="2017年3月", stop="2019年6月"))
    h = household(r, "001")
    assert h["months_active"] == 2            # April and May, not June
    assert h["amount_fen"] == 2 * 26950       # (670 − 400.50) × 1 × 2


def test_household_that_left_before_the_quarter_is_not_paid(roster):
    r = roster(person("001", "李一", 7, "户主", "低保", 400, start="2017-03", stop="2019-04"),
               person("002", "李二", 9, "户主", "低保", 400, start="2017-03"))
    assert household(r, "001")["amount_fen"] == 0
    assert household(r, "001")["explanation"] == "本季度不在享受期，0.00"
    row = [b for b in r.context.benefits if b.category == "低保"][0]
    assert (row.households, row.persons, row.person_months) == (1, 1, 3)


def test_income_at_or_above_standard_pays_zero_and_is_reported(roster):
    r = roster(person("001", "王一", 11, "户主", "低保", 670, start="2018-01"),
               person("002", "王二", 13, "户主", "低保", 669.99, start="2018-01"))
    assert household(r, "001")["amount_fen"] == 0
    assert household(r, "001")["explanation"] == "差额 0（人均收入 670.00 不低于标准 670）"
    assert household(r, "002")["amount_fen"] == 3       # 0.01 × 1 × 3
    assert [(f.row, f.column, f.code) for f in r.findings if f.code == "income-above-standard"] == [(4, "家庭月人均收入", "income-above-standard")]


def test_expense_type_deducts_rigid_spending_per_member(roster):
    # adjusted income = 500 − 900 ÷ 2 = 50; (670 − 50) × 2 × 3 = 3720
    r = roster(person("001", "赵一", 15, "户主", "支出型", 500, 900, start="2018-01"), person(None, "赵二", 17, "配偶"))
    h = household(r, "001")
    assert h["amount_fen"] == 372000
    assert h["explanation"] == "差额 (670 − (500.00 − 900.00÷2)) × 2人 × 3个月 = 3720.00"


def test_expense_type_adjusted_income_never_goes_below_zero(roster):
    # 100 − 3000 ÷ 2 < 0, so income counts as 0: 670 × 2 × 3 = 4020
    r = roster(person("001", "赵一", 15, "户主", "支出型", 100, 3000, start="2018-01"), person(None, "赵二", 17, "配偶"))
    assert household(r, "001")["amount_fen"] == 402000
    assert household(r, "001")["explanation"] == "差额 (670 − 0（100.00 − 3000.00÷2 不足0按0计）) × 2人 × 3个月 = 4020.00"


def test_expense_type_with_fractional_deduction_is_exact_to_the_fen(roster):
    # 300 − 500 ÷ 3 = 133.333…; (670 − 133.333…) × 3 = 1610.00 exactly per month
    r = roster(person("001", "钱一", 19, "户主", "支出型", 300, 500, start="2018-01"),
               person(None, "钱二", 21, "配偶"), person(None, "钱三", 23, "子女", born="20080101"))
    assert household(r, "001")["amount_fen"] == 161000 * 3


def test_tekun_full_disability_adds_80_percent_of_minimum_wage(roster):
    r = roster(person("001", "孙一", 25, "户主", "特困", care="全失能", start="2016-01", born="19400101"))
    h = household(r, "001")
    assert h["amount_fen"] == (871 + 1344) * 3 * 100
    assert "护理费（全失能）1680 × 80% × 1人 × 3个月 = 4032.00" in h["explanation"]


def test_tekun_partial_disability_adds_20_percent_and_self_caring_adds_nothing(roster):
    r = roster(person("001", "孙一", 25, "户主", "特困", care="半失能", start="2016-01", born="19400101"),
               person("002", "孙二", 27, "户主", "特困", start="2016-01", born="19410101"))
    assert household(r, "001")["amount_fen"] == (871 + 336) * 3 * 100
    assert household(r, "002")["amount_fen"] == 871 * 3 * 100


def test_disabled_member_of_dibao_household_gets_living_allowance(roster):
    r = roster(person("001", "周一", 29, "户主", "低保", 500, start="2018-01"), person(None, "周二", 31, "配偶", grade="四级"))
    h = household(r, "001")
    assert h["living_allowance_fen"] == 60 * 3 * 100
    assert h["care_allowance_fen"] == 0
    assert h["amount_fen"] == ((670 - 500) * 2 * 3 + 60 * 3) * 100


def test_severe_disability_gets_both_allowances_and_tekun_only_the_care_allowance(roster):
    r = roster(person("001", "吴一", 33, "户主", "低保", 500, start="2018-01", grade="一级"),
               person("002", "吴二", 35, "户主", "特困", start="2018-01", grade="2", born="19450101"))
    dibao, tekun = household(r, "001"), household(r, "002")
    assert (dibao["living_allowance_fen"], dibao["care_allowance_fen"]) == (18000, 21000)
    assert dibao["explanation"] == ("差额 (670 − 500.00) × 1人 × 3个月 = 510.00；残疾人生活补贴 60 × 1人 × 3个月 = 180.00；"
                                    "重度残疾人护理补贴 70 × 1人 × 3个月 = 210.00；合计 900.00")
    assert tekun["explanation"] == "特困供养 871 × 1人 × 3个月 = 2613.00；重度残疾人护理补贴 70 × 1人 × 3个月 = 210.00；合计 2823.00"
    assert (tekun["living_allowance_fen"], tekun["care_allowance_fen"]) == (0, 21000)


def test_allowances_keep_a_household_paid_when_its_shortfall_is_zero(roster):
    r = roster(person("001", "郑一", 37, "户主", "低保", 700, start="2018-01", grade="三级"))
    row = [b for b in r.context.benefits if b.category == "低保"][0]
    assert row.items["差额"] == 0 and row.items["残疾人生活补贴"] == 18000
    assert (row.households, row.persons, row.person_months) == (1, 1, 3)
    # No 差额 above 0, so 人均补差 has no person-months to divide by.
    assert r.benefits.avg_subsidy_fen is None


def test_avg_subsidy_divides_shortfall_by_person_months_with_shortfall(roster):
    r = roster(person("001", "张一", 1, "户主", "低保", 260, start="2019-05"), person(None, "张二", 3, "配偶"),
               person("002", "李一", 7, "户主", "低保", 400, start="2018-01"),
               person("003", "王一", 11, "户主", "低保", 680, start="2018-01"))
    # (410×2×2 + 270×1×3) ÷ (2×2 + 1×3) = 2450 ÷ 7 = 350.00
    assert r.benefits.avg_subsidy_fen == 35000


def test_unreadable_income_leaves_household_out_and_reports_it(roster):
    r = roster(person("001", "冯一", 39, "户主", "低保", "待核实", start="2018-01"), person(None, "冯二", 41, "配偶"),
               person("002", "冯三", 43, "户主", "低保", 500, start="2018-01"))
    assert list(r.benefits.households["household_no"]) == ["002"]
    assert [(f.row, f.column, f.code) for f in r.findings if f.code == "bad-value"] == [(4, "家庭月人均收入", "bad-value")]
    roster_input = [i for i in r.context.inputs if i.kind == "roster"][0]
    assert (roster_input.rows_read, roster_input.rows_used, roster_input.rows_reported) == (3, 1, 2)


def test_a_finding_does_not_change_the_money(roster):
    bad = valid_id(seq=45)[:-1] + ("0" if valid_id(seq=45)[-1] != "0" else "1")
    r = roster(["001", "陈一", bad, "户主", "湖坊镇", "东社区", "低保", 500, None, None, None, None, None, None, "否", "2018-01", None])
    assert household(r, "001")["amount_fen"] == 170 * 3 * 100
    assert any(f.code == "id-invalid" for f in r.findings)


def test_merged_household_cells_take_the_first_row_value(book):
    path = book.roster("湖坊镇台账.xlsx", "湖坊镇", [
        person("001", "张一", 1, "户主", "低保", 260, start="2018-01"), person(None, "张二", 3, "配偶")])
    import openpyxl
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("G4:G5")
    wb.active.merge_cells("H4:H5")
    wb.save(path)
    r = run_check(book.folder.parent.parent)
    assert household(r, "001")["amount_fen"] == 410 * 2 * 3 * 100


def test_missing_parameter_stops_the_run_naming_it_and_the_month(project):
    from pipeline import StopRun
    set_parameter(project, "min_wage", """
[parameters.min_wage]
"2019-06-01" = { value = 1680, source = "测试" }
""")
    with pytest.raises(StopRun) as exc:
        run_check(project)
    message = exc.value.message
    assert "最低工资标准" in message and "min_wage" in message and "2019年4月、5月" in message and "6月" not in message


@pytest.fixture
def raised_mid_quarter(project, roster):
    """Raise the minimum wage from 1 May and the 低保 standard from 1 June 2019 (dated on another day: from July)."""
    set_parameter(project, "min_wage", """
[parameters.min_wage]
"2018-01-01" = { value = 1680, source = "江西省最低工资标准" }
"2019-05-01" = { value = 1850, source = "测试：5月起上调" }
""")
    set_parameter(project, "dibao_standard", """
[parameters.dibao_standard]
"2019-01-01" = { value = 670, source = "任务1" }
"2019-06-01" = { value = 700, source = "测试：6月起上调" }
"2019-06-15" = { value = 999, source = "测试：6月15日起，7月起执行" }
""")
    return roster


def test_a_mid_quarter_change_pays_each_month_at_the_value_in_force_on_its_first_day(raised_mid_quarter):
    r = raised_mid_quarter(person("001", "张一", 1, "户主", "低保", 260, start="2018-01"),
                           person(None, "张二", 3, "配偶"), person(None, "张三", 5, "子女", born="20100101"),
                           person("002", "孙一", 25, "户主", "特困", care="全失能", start="2016-01", born="19400101"))
    dibao, tekun = household(r, "001"), household(r, "002")
    # April, May: (670 − 260) × 3 = 1230; June: (700 − 260) × 3 = 1320. The 15 June change pays from July.
    assert dibao["amount_fen"] == (1230 * 2 + 1320) * 100
    assert dibao["explanation"] == ("差额 (670 − 260.00) × 3人 × 2个月（4–5月）＋ (700 − 260.00) × 3人 × 1个月（6月）"
                                    " = 3780.00")
    # Care fee: April 1680 × 0.8 = 1344; May, June 1850 × 0.8 = 1480.
    assert tekun["care_fee_fen"] == (1344 + 1480 * 2) * 100
    assert tekun["amount_fen"] == (871 * 3 + 1344 + 1480 * 2) * 100
    assert ("护理费（全失能）1680 × 80% × 1人 × 1个月（4月）＋ 1850 × 80% × 1人 × 2个月（5–6月） = 4304.00"
            in tekun["explanation"])


def test_a_month_at_or_above_a_changed_standard_is_named_as_zero(raised_mid_quarter):
    # 690 is above April's and May's 670 but below June's 700: only June is short.
    r = raised_mid_quarter(person("001", "张一", 1, "户主", "低保", 690, start="2018-01", grade="四级"))
    h = household(r, "001")
    assert h["amount_fen"] == (10 + 60 * 3) * 100
    assert h["explanation"] == ("差额 (700 − 690.00) × 1人 × 1个月（6月） = 10.00（4–5月人均收入不低于标准，差额为0）；"
                                "残疾人生活补贴 60 × 1人 × 3个月 = 180.00；合计 190.00")


def test_the_standards_table_lists_every_value_paid_with_its_months(raised_mid_quarter):
    r = raised_mid_quarter(person("001", "张一", 1, "户主", "低保", 260, start="2018-01"))
    rows = [(s.name, str(s.value), s.months) for s in r.context.standards if s.name in ("dibao_standard", "min_wage")]
    assert rows == [("dibao_standard", "670", (4, 5)), ("dibao_standard", "700", (6,)),
                    ("min_wage", "1680", (4,)), ("min_wage", "1850", (5, 6))]


def test_a_value_below_its_years_floor_in_one_month_is_reported_once(project, roster):
    set_parameter(project, "dibao_standard", """
[parameters.dibao_standard]
"2019-01-01" = { value = 670, source = "任务1" }
"2019-05-01" = { value = 660, source = "测试：低于下限" }
""")
    r = roster(person("001", "张一", 1, "户主", "低保", 260, start="2018-01"))
    below = [(f.sheet, f.column, f.value) for f in r.findings if f.code == "standard-below-floor"]
    assert below == [("parameters.dibao_standard", "2019-05-01", "660")]


def test_the_explanation_follows_a_rules_parameter_it_does_not_restate(roster, monkeypatch):
    """explain.py words the trace benefits.compute records: narrow the care allowance to 一级 and both follow."""
    from pipeline import benefits

    rows = (person("001", "吴一", 33, "户主", "低保", 500, start="2018-01", grade="二级"),)
    before = household(roster(*rows), "001")
    assert "重度残疾人护理补贴 70 × 1人 × 3个月" in before["explanation"]
    monkeypatch.setattr(benefits, "SEVERE_GRADES", (1,))
    monkeypatch.setattr(pipeline.cache, "__version__", "edited")     # as editing benefits.py changes the code key
    after = household(roster(*rows), "001")
    assert after["care_allowance_fen"] == 0
    assert after["explanation"] == "差额 (670 − 500.00) × 1人 × 3个月 = 510.00；残疾人生活补贴 60 × 1人 × 3个月 = 180.00；合计 690.00"


def test_the_explanation_follows_a_parameter_value(project, roster):
    set_parameter(project, "tekun_standard", """
[parameters.tekun_standard]
"2019-01-01" = { value = 901, source = "测试" }
""")
    r = roster(person("002", "吴二", 35, "户主", "特困", start="2018-01", born="19450101"))
    trace = r.benefits.trace
    assert [str(v[0].value) for v in trace.rule("tekun").values] == ["901"] * 3
    assert household(r, "002")["explanation"] == "特困供养 901 × 1人 × 3个月 = 2703.00"


def test_explain_imports_no_rule():
    import ast

    from pipeline import benefits, explain

    assert [n for n, v in vars(explain).items() if getattr(v, "__module__", None) == benefits.__name__] == []
    tree = ast.parse((ROOT / "pipeline" / "explain.py").read_text("utf-8"))
    runtime = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in runtime] == ["__future__", "typing", "money"]
