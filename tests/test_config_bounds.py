"""Impossible settings in config.toml and matrix.toml stop the run with one sentence naming the key, before any money
is computed: amounts beyond any standard, limits no file can pass, dates outside the plan's decade, a matrix that
names a unit or a task twice, a status word under two statuses."""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner
from conftest import set_parameter

from pipeline import StopRun, check
from pipeline.cli import main


def edit(project, file: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the project's `file` with `new`."""
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def stops(project, words: str) -> None:
    """Assert that checking the project stops the run with a message containing `words`."""
    with pytest.raises(StopRun) as stopped:
        check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2")
    assert words in stopped.value.message, stopped.value.message
    assert "\n" not in stopped.value.message


DIBAO = '[parameters.dibao_standard]\n"2019-01-01" = {{ value = {}, source = "x" }}\n'


@pytest.mark.parametrize("table, words", [
    (DIBAO.format("92233720368547758"), 'parameters.dibao_standard."2019-01-01" 的数值 92233720368547758 超过每人每月 100000 元'),
    (DIBAO.format("1e300"), 'parameters.dibao_standard."2019-01-01" 的数值 1e+300 超过每人每月 100000 元'),
    (DIBAO.format("100000.01"), 'parameters.dibao_standard."2019-01-01" 的数值 100000.01 超过每人每月 100000 元'),
    ('[parameters.min_wage]\n"1900-01-01" = { value = 1680, source = "x" }\n',
     'parameters.min_wage."1900-01-01" 的日期不在 2009 至 2030 年之间'),
    ('[parameters.min_wage]\n"2018-01-01" = { value = 1680, source = "x" }\n"9999-01-01" = { value = 1850, source = "x" }\n',
     'parameters.min_wage."9999-01-01" 的日期不在 2009 至 2030 年之间'),
])
def test_an_impossible_parameter_stops_the_run_naming_the_key(project, table, words):
    name = re.search(r"\[parameters\.(\w+)\]", table).group(1)
    set_parameter(project, name, table)
    stops(project, words)


@pytest.mark.parametrize("old, new, words", [
    ("[plan_floors.2018]", "[plan_floors.1900]", "plan_floors.1900 的年份不在 2009 至 2030 年之间"),
    ("[plan_floors.2020]", "[plan_floors.9999]", "plan_floors.9999 的年份不在 2009 至 2030 年之间"),
    ('avg_subsidy = { value = 440,', 'avg_subsidy = { value = 1e300,', "plan_floors.2019.avg_subsidy 的数值 1e+300 超过每人每月 100000 元"),
    ('tekun_ratio = { value = 1.3, source = "湖城字〔2019〕1号 任务3：不低于低保标准的1.3倍" }\ndisability_living_allowance = '
     '{ value = 60, source = "湖城字〔2019〕1号 任务2：', 'tekun_ratio = { value = 1e16, source = "x" }\ndisability_living_allowance = '
     '{ value = 60, source = "湖城字〔2019〕1号 任务2：', "plan_floors.2018.tekun_ratio 是倍数，须在 0 到 10 之间"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', '"2019H1" = { number = 3, date = 1900-01-01 }',
     "documents.2019H1.date 的日期不在 2009 至 2030 年之间"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', '"2019H1" = { number = 3, date = 9999-01-01 }',
     "documents.2019H1.date 的日期不在 2009 至 2030 年之间"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', '"9999H1" = { number = 3 }',
     "documents.9999H1 的年份不在 2009 至 2030 年之间"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', '"2019H1" = { number = 92233720368547758 }',
     "documents.2019H1.number 须为 1 到 9999 之间的整数"),
    ('# copy_to = ["区委办公室", "区政府办公室"]', 'copy_to = "区委办公室"', "documents.copy_to 须写成"),
    ('# copy_to = ["区委办公室", "区政府办公室"]', 'copy_to = ["区委办公室", ""]', "documents.copy_to 须写成"),
    ('# printed_by = "青山湖区', 'printed_by = 3 # "', "documents.printed_by 须为文字"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', '"2019H1" = { number = 3, printed = 2019-07-06 }',
     "documents.2019H1.printed 是版记的印发日期，须同时在 [documents] 写明"),
    ('# "2019H1" = { number = 3, date = 2019-07-05 }', 'printed_by = "办"\n"2019H1" = { printed = 9999-01-01 }',
     "documents.2019H1.printed 的日期不在 2009 至 2030 年之间"),
])
def test_an_impossible_floor_or_document_stops_the_run_naming_the_key(project, old, new, words):
    edit(project, "config.toml", old, new)
    stops(project, words)


@pytest.mark.parametrize("line, words", [
    ("sheets = 0.5", "limits.sheets 须为 1 到 4096 之间的整数"),
    ("sheets = 0", "limits.sheets 须为 1 到 4096 之间的整数"),
    ("sheets = -1", "limits.sheets 须为 1 到 4096 之间的整数"),
    ("sheets = true", "limits.sheets 须为 1 到 4096 之间的整数"),
    ('sheets = "10"', "limits.sheets 须为 1 到 4096 之间的整数"),
    ("memory_gb = 0.0001", "limits.memory_gb 须为 2 到 64 之间的整数（GB）"),
    ("memory_gb = 1", "limits.memory_gb 须为 2 到 64 之间的整数（GB）"),
    ("memory_gb = 100000", "limits.memory_gb 须为 2 到 64 之间的整数（GB）"),
    ("file_mb = 0.5", "limits.file_mb 须为 1 到 4096 之间的整数（MB）"),
    ("seconds = 1", "limits.seconds 须为 10 到 3600 之间的整数（秒）"),
    ("sheet_rows = 1e300", "limits.sheet_rows 须为 100 到 16777216 之间的整数"),
])
def test_an_impossible_limit_stops_the_run_naming_the_key(project, line, words):
    edit(project, "config.toml", "[limits]\n", f"[limits]\n{line}\n")
    stops(project, words)


@pytest.mark.parametrize("old, new, words", [
    ('"推进中" = ["推进中", "正在推进"', '"推进中" = ["推进中", "完成", "正在推进"',
     "[status_words] 中“完成”同时列在“已完成”和“推进中”之下"),
    ('"未启动" = ["未启动", "尚未开展"', '"未启动" = ["未启动", "已完成", "尚未开展"',
     "[status_words] 中“已完成”同时列在“已完成”和“未启动”之下"),
    ('"未启动" = ["未启动", "尚未开展"', '"未启动" = ["未启动", " ", "尚未开展"', "status_words.未启动 中有空白的用语"),
    ("red_share = 0.5", "red_share = 0", "lights.red_share 须大于 0"),
    ('"优秀" = 90', '"优秀" = 900', "assessment.grades 中“优秀”的分数线 900 超过满分 100"),
    ('"良好" = 80', '"良好" = 90', "[assessment.grades] 须从优秀到较差依次降低"),
    ('name = "京东镇"', 'name = "湖坊镇"', "[[units]] 中“湖坊镇”出现了两次"),
])
def test_an_impossible_word_light_grade_or_unit_stops_the_run(project, old, new, words):
    edit(project, "config.toml", old, new)
    stops(project, words)


def test_an_alias_of_two_units_stops_the_run_naming_both(project):
    edit(project, "config.toml", 'name = "区财政局"\nkind = "department"\n',
         'name = "区财政局"\nkind = "department"\naliases = ["民政局"]\n')
    stops(project, "[[units]] 中“民政局”既是“区民政局”又是“区财政局”的名称或别名")


def test_a_reports_flag_that_is_not_true_or_false_stops_the_run(project):
    edit(project, "config.toml", 'name = "区委"\nkind = "department"\nreports = false',
         'name = "区委"\nkind = "department"\nreports = "false"')
    stops(project, "[[units]] 中“区委”的 reports 须为 true 或 false")


@pytest.mark.parametrize("old, new, words", [
    (None, "", "matrix.toml 中没有任何任务"),
    ('tasks = "9-12"\ncategory = "切实拓宽就业创业致富渠道"\nlead = ["区人社局"]',
     'tasks = "9-12"\ncategory = "切实拓宽就业创业致富渠道"\nlead = ["区人社局", "区人力资源和社会保障局"]',
     '[[group]] tasks = "9-12" 的 lead 把“区人社局”列了两次'),
    ('tasks = "29-31"\ncategory = "切实强化临时救助制度作用"\nlead = ["区民政局", "区财政局"]\nresponsible = ["各镇、街道、园区"]',
     'tasks = "29-31"\ncategory = "切实强化临时救助制度作用"\nlead = ["区民政局", "区财政局"]\nresponsible = ["湖坊镇", "各镇、街道、园区"]',
     '[[group]] tasks = "29-31" 的 responsible 把“湖坊镇”列了两次'),
    ('tasks = "13-20"', 'tasks = "12-20"', '第12条既在 tasks = "9-12" 又在 tasks = "12-20" 中'),
    ('tasks = "58-59"', 'tasks = "58-60"', "第60条超出 [plan] task_count = 59"),
    ('tasks = "58-59"', 'tasks = "58-五十九"', '[[group]] tasks = "58-五十九" 不是任务编号'),
    ('tasks = "36-37"\ncategory = "加强组织协调"\nlead = ["区民政局", "区总工会"]\nresponsible = ["各镇、街道、园区"]',
     'tasks = "36-37"\ncategory = "加强组织协调"\nlead = []\nresponsible = []', '[[group]] tasks = "36-37" 没有列出任何牵头单位或责任单位'),
    ('tasks = "36-37"\ncategory = "加强组织协调"\n', 'tasks = "36-37"\n', '[[group]] tasks = "36-37" 缺少 category'),
    ('issued = "2019-03-30"', 'issued = "1900-03-30"', "plan.issued 的日期不在 2009 至 2030 年之间"),
    ("task_count = 59", "task_count = 1e300", "plan.task_count 须为 1 到 999 之间的整数"),
])
def test_an_impossible_matrix_stops_the_run_naming_the_key(project, old, new, words):
    if old is None:
        (project / "matrix.toml").write_text(new, encoding="utf-8")
    else:
        edit(project, "matrix.toml", old, new)
    stops(project, words)


def test_the_command_line_says_one_sentence_for_an_absurd_standard(project):
    set_parameter(project, "dibao_standard", DIBAO.format("1e300"))
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["run"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert 'parameters.dibao_standard."2019-01-01"' in result.output and "100000 元" in result.output



def test_a_roll_beyond_the_int64_headroom_stops_the_run(project, book, monkeypatch):
    from conftest import valid_id

    import pipeline.benefits
    rows = [[f"00{i}", f"张{i}", valid_id(seq=11 + 2 * i), "户主", "湖坊镇", "东社区", "低保", 300, None, None, None, None,
             None, None, "否", "2018-01", None] for i in range(3)]
    book.roster("湖坊镇台账.xlsx", "湖坊镇", rows)
    monkeypatch.setattr(pipeline.benefits, "MAX_PERSONS", 2)     # the real bound is 50 million (parameters.py)
    stops(project, "本季度台账共 3 人，超过一次运行能精确计算的 2 人")
