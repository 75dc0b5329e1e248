"""The command line: thin over the library, plain Chinese errors, the right exit codes."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from conftest import full_progress_rows, set_parameter

from pipeline.cli import main


@pytest.fixture
def cli(project):
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(project)
    yield runner
    os.chdir(cwd)


def test_matrix_prints_the_59_tasks(cli):
    result = cli.invoke(main, ["matrix"])
    assert result.exit_code == 0
    assert "共 59 条任务" in result.output and "59." in result.output


def test_matrix_xlsx_export(cli, project):
    result = cli.invoke(main, ["matrix", "--xlsx", "分工.xlsx"])
    assert result.exit_code == 0 and (project / "分工.xlsx").stat().st_size > 0


def test_bad_period_is_one_chinese_sentence(cli):
    result = cli.invoke(main, ["run", "--period", "2019Q5"])
    assert result.exit_code == 2
    assert "2019Q5" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, sentence", [
    (["run", "--bogus"], "没有 --bogus 这个选项，请用 jiekun run --help 查看用法。"),
    (["runn"], "没有 runn 这个命令，请用 jiekun --help 查看全部命令。"),
    (["run", "--date", "2019-13-01"], "选项 --date 的值不对：应写成 年-月-日，如 2019-07-05，请用 jiekun run --help 查看用法。"),
    (["run", "--period"], "选项 --period 后面要写一个值，请用 jiekun run --help 查看用法。"),
    (["demo", "--quarters", "9"], "选项 --quarters 的值不对：应为 1 到 4 之间的整数，请用 jiekun demo --help 查看用法。"),
    (["rollup"], "缺少各区季度输出文件夹，请用 jiekun rollup --help 查看用法。"),
])
def test_a_mistyped_command_line_is_one_chinese_sentence(cli, args, sentence):
    result = cli.invoke(main, args, prog_name="jiekun")
    assert result.exit_code == 2
    assert result.output.strip() == sentence


def test_missing_quarter_folder(cli):
    result = cli.invoke(main, ["check", "--period", "2019Q3"])
    assert result.exit_code == 2 and "2019Q3" in result.output


def test_missing_config(cli):
    result = cli.invoke(main, ["run", "--config", "nope.toml"])
    assert result.exit_code == 2 and "找不到配置文件" in result.output


def test_missing_parameter_stops_the_run(cli, project):
    set_parameter(project, "dibao_standard", """
[parameters.dibao_standard]
"2019-06-01" = { value = 670, source = "测试" }
""")
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 2 and "城镇低保标准" in result.output and "2019年4月、5月" in result.output


def test_check_groups_findings_by_unit_and_exits_1_on_errors(cli, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-25", full_progress_rows([1, 2, 3]))
    result = cli.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "■ 湖坊镇" in result.output and "逾期报送" in result.output and "漏报任务" in result.output


def test_run_writes_the_reports_and_exits_0_despite_findings(cli, project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-25", full_progress_rows([1, 2, 3]))
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 0, result.output
    out = project / "output" / "2019Q2"
    names = {p.name for p in out.iterdir()}
    assert {"summary.json", "findings.csv", "调度报告-2019Q2.xlsx", "调度报告-2019Q2.html"} <= names
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == "2019Q2" and summary["findings"]["by_code"]["late-submission"] == 1


def test_failed_run_leaves_previous_output_intact(cli, project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    assert cli.invoke(main, ["run"]).exit_code == 0
    before = (project / "output" / "2019Q2" / "summary.json").read_bytes()
    # A templates folder of the office's own, named in config.toml, with a template that cannot render.
    (project / "templates").mkdir()
    (project / "templates" / "dispatch.html.j2").write_text("{{ no_such_value }}", encoding="utf-8")
    config = project / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[paths]\n", '[paths]\ntemplates = "templates"\n', 1),
                      encoding="utf-8")
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert (project / "output" / "2019Q2" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in (project / "output").iterdir()) == [".cache", "2019Q2"]   # no staging left


def test_input_files_are_never_modified(cli, project, book):
    path = book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    assert cli.invoke(main, ["run"]).exit_code == 0
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_feedback_workbook_per_unit_lists_its_own_findings(cli, project, book):
    import openpyxl
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-25", full_progress_rows([1, 2, 3]))
    assert cli.invoke(main, ["run"]).exit_code == 0
    path = project / "output" / "2019Q2" / "退回" / "湖坊镇.xlsx"
    ws = openpyxl.load_workbook(path).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    problems = {r[2] for r in rows}
    assert {"逾期报送", "漏报任务"} <= problems
    assert all(r[8] for r in rows)                    # every row says how to fix it
    assert (project / "output" / "2019Q2" / "退回" / "区民政局.xlsx").exists()   # missing submission


def test_matrix_reads_no_input_folder_and_says_so_when_given_one(cli):
    result = cli.invoke(main, ["matrix", "--input", "/nonexistent"])
    assert result.exit_code != 0
    assert result.output.startswith("没有 --input 这个选项，请用") and result.output.count("\n") == 1
