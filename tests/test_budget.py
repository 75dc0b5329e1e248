"""资金测算 (issue 22): a projected year is four quarters of pay to the fen, a reform changes exactly the households its
rule reaches, a known 停发年月 ends pay, a bad --set is refused in one sentence, and the outputs say their assumptions."""
from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import Book, full_progress_rows, run_check, set_parameter, valid_id

from pipeline.budget_run import run_budget
from pipeline.cli import main

UNIT, COMMUNITY = "湖坊镇", "东社区"


def person(no, name, seq, relation, category=None, income=None, rigid=None, grade=None, care=None, start="2018-01",
           stop=None, born="19700101"):
    head = category is not None
    return [no, name, valid_id(born=born, seq=seq), relation, UNIT if head else None, COMMUNITY if head else None,
            category, income, rigid, grade, care, "分散" if care or category == "特困" else None, None, None, "否",
            start if head else None, stop]


# 低保 3 persons at 260; 特困 fully disabled; 支出型 2 persons with rigid spending; 低保 at 740 (above 730, below 760);
# 低保 at 800 (above both); 低保 with a grade-1 disabled member.
ROSTER = [
    person("001", "张一", 1, "户主", "低保", 260), person(None, "张二", 3, "配偶"), person(None, "张三", 5, "子女", born="20100101"),
    person("002", "孙一", 7, "户主", "特困", care="全失能", born="19400101"),
    person("003", "李一", 9, "户主", "支出型", 900, 700), person(None, "李二", 11, "配偶"),
    person("004", "王一", 13, "户主", "低保", 740),
    person("005", "赵一", 15, "户主", "低保", 800),
    person("006", "钱一", 17, "户主", "低保", 500, grade=1),
]


def roster_in(project, quarters, rows=ROSTER):
    for q in quarters:
        folder = project / "input" / q
        folder.mkdir(parents=True, exist_ok=True)
        Book(folder).roster(f"{UNIT}-救助对象台账-{q}.xlsx", UNIT, rows)


def budget(project, year, **options):
    return run_budget(year=year, config_path=project / "config.toml", input_dir=project / "input",
                      output_dir=project / "output", cache=False, **options)


def household_year(scenario, number):
    """Return a household's month-by-month amounts in fen, found by its 户编号."""
    hh = scenario.quarters[0].households
    key = hh.loc[hh["household_no"] == number, "household_key"].iloc[0]
    return scenario.household_months.loc[key, [f"m{m}" for m in range(1, 13)]].tolist()


def test_a_year_at_unchanged_standards_is_four_quarters_of_actual_pay_to_the_fen(project):
    quarters = ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    roster_in(project, quarters)
    paid = [run_check(project, q).benefits for q in quarters]
    result = budget(project, 2019, from_period="2019Q4")
    base = result.budget.baseline
    assert base.total_fen == sum(b.total_fen for b in paid)
    assert [q.total_fen for q in result.budget.paid] == [b.total_fen for b in paid]
    assert result.budget.paid_total_fen == base.total_fen
    for item in ("gap_fen", "tekun_fen", "care_fee_fen", "living_allowance_fen", "care_allowance_fen"):
        assert int(base.by_unit[item].sum()) == sum(int(b.by_unit[item].sum()) for b in paid), item
    assert base.gap_fen == sum(b.gap_fen for b in paid)
    summary = json.loads((result.output_dir / "budget.json").read_text(encoding="utf-8"))
    assert summary["paid"]["complete"] and summary["paid"]["difference"] == 0


def test_a_reform_changes_exactly_the_households_its_rule_reaches_by_the_rules_amount(project):
    roster_in(project, ["2019Q2"])
    result = budget(project, 2020, reforms=("dibao_standard=760@2020-07-01",))
    b = result.budget
    changed = {h.household_no: h.year_fen - h.base_year_fen for h in (*b.reform_changes.rises, *b.reform_changes.falls)}
    # 30 元 more a person-month for the six months from July, where the household falls short of the standard:
    # 001 (3 persons at 260), 003 (支出型: (900 − 700÷2) = 550 a person, 2 persons), 006 (500, 1 person);
    # 004 at 740 was above 730 and is short of 760 by 20 for 1 person; 005 at 800 and the 特困 002 stay.
    assert changed == {"001": 30 * 3 * 6 * 100, "003": 30 * 2 * 6 * 100, "006": 30 * 6 * 100, "004": 20 * 6 * 100}
    assert [h.household_no for h in b.reform_changes.gap_positive] == ["004"]
    assert b.reform_changes.gap_positive[0].gap_month == 7
    assert b.reform.total_fen - b.baseline.total_fen == sum(changed.values())
    assert household_year(b.reform, "004")[5:7] == [0, 2000]


def test_a_person_whose_stop_month_is_march_is_paid_two_months(project):
    rows = [person("001", "张一", 1, "户主", "低保", 260, stop="2020-03"), person("002", "王一", 13, "户主", "低保", 300)]
    roster_in(project, ["2019Q2"], rows)
    b = budget(project, 2020).budget
    assert household_year(b.baseline, "001") == [47000, 47000] + [0] * 10      # (730 − 260) × 1, January and February
    assert b.population.stops_in_year == 1
    assert [(h.household_no, h.leaves) for h in b.changes.zero] == [("001", 2020 * 12 + 2)]


def test_a_projected_household_is_explained_as_a_quarter_explains_it(project):
    roster_in(project, ["2019Q2"])
    b = budget(project, 2020).budget
    row = next(h for h in b.changes.rises if h.household_no == "001")
    assert (row.explained_quarter, row.explanation) == (4, "差额 (730 − 260.00) × 3人 × 3个月 = 4230.00")


@pytest.mark.parametrize("value, says", [
    ("dibao_standard=abc", "的数值“abc”不是数字"),
    ("dibao_standard=100001@2020-01-01", "超过每人每月 100000 元的上限"),
    ("care_rate_full=1.5", "是比例，须在 0 到 1 之间"),
    ("avg_subsidy=500", "不是可调整的标准"),
    ("dibao_standard=760@2020-13-01", "不是有效日期"),
    ("dibao_standard760", "的写法不对"),
])
def test_a_bad_set_is_refused_with_one_sentence(project, value, says):
    roster_in(project, ["2019Q2"])
    result = CliRunner().invoke(main, ["budget", "--year", "2020", "--set", value, "--config", str(project / "config.toml"),
                                       "--input", str(project / "input"), "--output", str(project / "output")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and value.split("=")[0] in lines[0]
    assert "Traceback" not in result.output and not (project / "output" / "资金测算-2020").exists()


def test_a_year_without_a_standard_stops_naming_it(project):
    roster_in(project, ["2019Q2"])
    set_parameter(project, "tekun_standard", '[parameters.tekun_standard]\n"2021-01-01" = { value = 950, source = "x" }')
    with pytest.raises(Exception) as stop:
        budget(project, 2020)
    assert "特困人员供养标准（tekun_standard）2020年1月、2月" in stop.value.message


def test_a_quarter_without_a_roster_stops_with_a_sentence(project, book):
    book.progress("区民政局-2019Q2进展情况.xlsx", "区民政局", "2019-06-10", full_progress_rows([1, 2]))
    result = CliRunner().invoke(main, ["budget", "--year", "2020", "--config", str(project / "config.toml"),
                                       "--input", str(project / "input"), "--output", str(project / "output")])
    assert result.exit_code == 2 and "没有可计发的救助对象台账" in result.output


def test_growth_scales_each_month_by_the_compounded_rate(project):
    roster_in(project, ["2019Q2"])
    s = budget(project, 2020, growth="0.01").budget.baseline
    # January 2020 is 7 months after June 2019.
    jan = s.month_totals()[0]
    assert int(s.grown.loc[s.grown["month"] == 1, "amount_fen"].sum()) == round(jan * 1.01 ** 7)
    assert s.grown_total_fen > s.total_fen


def test_outputs_state_the_assumptions_first_and_mask_names(project):
    roster_in(project, ["2019Q2"])
    out = budget(project, 2020, reforms=("dibao_standard=760",)).output_dir
    html = (out / "资金测算-2020.html").read_text(encoding="utf-8")
    assert html.index("测算假设") < html.index("测算结果") and "年内不新增对象" in html.split("测算结果")[0]
    with zipfile.ZipFile(out / "资金测算-2020.docx") as z:
        docx = z.read("word/document.xml").decode("utf-8")
    assert "测算假设" in docx and "年内不新增对象" in docx and "调整方案" in docx
    wb = openpyxl.load_workbook(out / "资金测算-2020.xlsx")
    assert wb.sheetnames[0] == "测算假设" and "年内不新增对象" in wb["测算假设"]["A3"].value
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.startswith("=") for c in cells)
    texts = [html, docx, *cells, (out / "budget.json").read_text(encoding="utf-8")]
    assert not any(n in t for n in ("张一", "王一", "钱一") for t in texts)
    assert not any(valid_id(seq=1) in t for t in texts)
    assert any("张*" in c for c in cells)        # the head's name is listed, masked


def test_the_budgets_files_are_known_as_jiekuns_own_if_dropped_into_input(project):
    from pipeline.reader.own_outputs import own_output
    roster_in(project, ["2019Q2"])
    out = budget(project, 2020).output_dir
    assert all(own_output(f) is not None for f in out.iterdir())


def test_the_budget_command_prints_the_years_totals(project):
    roster_in(project, ["2019Q2"])
    result = CliRunner().invoke(main, ["budget", "--year", "2020", "--config", str(project / "config.toml"),
                                       "--input", str(project / "input"), "--output", str(project / "output")])
    assert result.exit_code == 0, result.output
    assert "2020年现行标准：" in result.output and "不足四个季度，未比较" in result.output
