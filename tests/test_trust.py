"""What jiekun promises besides the numbers: bad settings stop the run by name, the output never eats the input,
killed runs leave nothing behind, and the same inputs give the same bytes."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import demo_project, set_parameter

from pipeline import StopRun, check, run
from pipeline.cli import main


def replace_line(project: Path, start: str, line: str) -> None:
    """Replace the config.toml line beginning with `start`."""
    text = (project / "config.toml").read_text(encoding="utf-8")
    i = text.index(f"\n{start}") + 1
    j = text.index("\n", i)
    (project / "config.toml").write_text(text[:i] + line + text[j:], encoding="utf-8")


@pytest.mark.parametrize("table, words", [
    ('"2018-01-01" = { value = -1680, source = "x" }', "parameters.min_wage.\"2018-01-01\" 的数值 -1680 是负数"),
    ('"2018-01-01" = { value = nan, source = "x" }', "parameters.min_wage.\"2018-01-01\" 的数值“nan”不是数字"),
    ('"2018-01-01" = { value = "一千", source = "x" }', "parameters.min_wage.\"2018-01-01\" 的数值“一千”不是数字"),
    ('"2019-13-01" = { value = 1680, source = "x" }', "parameters.min_wage.\"2019-13-01\" 不是有效日期"),
    ('"2018-01-01" = { value = 1680 }', "缺少 source"),
])
def test_a_bad_parameter_stops_the_run_naming_the_key(project, table, words):
    set_parameter(project, "min_wage", f"[parameters.min_wage]\n{table}\n")
    with pytest.raises(StopRun, match=words.replace("(", r"\(").replace(".", r"\.")):
        check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2")


def test_a_rate_outside_zero_to_one_stops_the_run(project):
    set_parameter(project, "care_rate_full", '[parameters.care_rate_full]\n"2018-01-01" = { value = 80, source = "x" }\n')
    with pytest.raises(StopRun, match=r"care_rate_full.*0 到 1 之间"):
        check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2")


@pytest.mark.parametrize("line, words", [
    ('schedule_tolerance_points = "二十五"', "lights.schedule_tolerance_points"),
    ("red_share = 1.5", "lights.red_share"),
    ("day = 32", "deadline.day"),
])
def test_a_bad_setting_stops_the_run_naming_the_key(project, line, words):
    replace_line(project, line.split(" ")[0], line)
    with pytest.raises(StopRun, match=words):
        check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2")


def test_the_command_line_says_one_sentence_for_a_bad_parameter(project):
    set_parameter(project, "min_wage", '[parameters.min_wage]\n"2018-01-01" = { value = -1, source = "x" }\n')
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["run"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0 and "min_wage" in result.output and "负数" in result.output


def tree(folder: Path) -> dict[str, str]:
    """Return every file under `folder` with its sha256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_an_output_folder_that_overlaps_the_input_is_refused_before_anything_is_touched(project, book, where):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", [[1, "", "", "推进中", 60, "", "无", "", 1, 1]])
    inputs = project / "input"
    output, source = {"same": (inputs, inputs), "inside": (inputs / "out", inputs),
                      "around": (project, inputs)}[where]
    before = tree(project)
    with pytest.raises(StopRun, match="输出目录|输入目录"):
        run(config_path=project / "config.toml", input_dir=source, output_dir=output, period="2019Q2")
    assert tree(project) == before


def test_staging_folders_left_by_a_killed_run_are_cleaned_up(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", [[1, "", "", "推进中", 60, "", "无", "", 1, 1]])
    out = project / "output"
    dead = 2 ** 22 + 12345          # above Linux's default pid_max, so no process has it
    (out / f".2019Q2.{dead}.tmp").mkdir(parents=True)
    (out / f".2019Q2.{dead}.tmp" / "half-written.xlsx").write_bytes(b"PK")
    (out / f".2019Q1.{dead}.tmp").mkdir()           # another period's leftovers are that period's business
    run(config_path=project / "config.toml", input_dir=project / "input", output_dir=out, period="2019Q2")
    assert sorted(p.name for p in out.iterdir()) == [f".2019Q1.{dead}.tmp", ".cache", "2019Q2"]


def test_an_output_set_aside_by_a_killed_commit_is_restored(project, book):
    from pipeline.output import clean_stale
    out = project / "output"
    dead = 2 ** 22 + 12346
    (out / f".2019Q2.{dead}.old").mkdir(parents=True)
    (out / f".2019Q2.{dead}.old" / "summary.json").write_text("{}", encoding="utf-8")
    clean_stale(out, "2019Q2")
    assert (out / "2019Q2" / "summary.json").read_text(encoding="utf-8") == "{}"


def test_a_rerun_keeps_the_forms_folder_the_office_sent_out(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", [[1, "", "", "推进中", 60, "", "无", "", 1, 1]])
    forms = project / "output" / "2019Q2" / "表格"
    forms.mkdir(parents=True)
    (forms / "湖坊镇-进展情况表.xlsx").write_bytes(b"form")
    run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
        period="2019Q2")
    assert (forms / "湖坊镇-进展情况表.xlsx").read_bytes() == b"form"
    assert (project / "output" / "2019Q2" / "summary.json").is_file()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run the demo's 2019Q2 twice into two output folders."""
    root = demo_project(tmp_path_factory.mktemp("twice"), quarters=2)
    outs = []
    for i in range(2):
        result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / f"out{i}",
                     period="2019Q2")
        outs.append(result.output_dir)
    return outs


def test_the_same_inputs_give_byte_identical_outputs(two_runs):
    first, second = (tree(folder) for folder in two_runs)
    assert set(first) == set(second)
    assert "manifest.json" in first and any(name.endswith(".xlsx") for name in first)
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ == ["manifest.json"]           # the one output that carries a time


def test_the_manifest_accounts_for_every_input_with_its_hash(two_runs):
    import json
    folder = two_runs[0]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    source = folder.parent.parent / "input" / "2019Q2"
    files = {p.relative_to(source).as_posix(): p for p in source.rglob("*") if p.is_file()}
    listed = {i["file"]: i for i in manifest["inputs"]}
    assert set(listed) == set(files)
    for name, path in files.items():
        assert listed[name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert listed[name]["size"] == path.stat().st_size
    config = folder.parent.parent / "config.toml"
    assert manifest["config"]["sha256"] == hashlib.sha256(config.read_bytes()).hexdigest()
    assert {(p["name"], p["start"]) for p in manifest["parameters"]} >= {("dibao_standard", "2019-01-01"),
                                                                          ("min_wage", "2018-01-01")}
    assert manifest["started"] <= manifest["finished"] and manifest["period"] == "2019Q2"


def _broken_reader(monkeypatch, how: str):
    """Make the reading step lose one roster row without a finding, as a bug in a reader would."""
    import dataclasses

    import pipeline.reading
    original = pipeline.reading.read_files

    def read_files(*args, **kwargs):
        out = []
        for fr in original(*args, **kwargs):
            sheets = []
            for s in fr.sheets:
                if s.kind == "roster" and len(s.rows) > 1:
                    rows = s.rows.copy()
                    if how == "unused":
                        rows.loc[rows.index[1], "used"] = False      # left out of the money, no finding says so
                    else:
                        rows = rows.drop(index=rows.index[1])        # gone from the records altogether
                    s = dataclasses.replace(s, rows=rows)
                sheets.append(s)
            out.append(dataclasses.replace(fr, sheets=tuple(sheets)))
        return out
    monkeypatch.setattr(pipeline.reading, "read_files", read_files)


@pytest.mark.parametrize("how", ["unused", "dropped"])
def test_a_row_lost_without_a_finding_shows_as_unaccounted(project, book, monkeypatch, how):
    from conftest import valid_id
    rows = [[f"00{i}", f"张{i}", valid_id(seq=11 + 2 * i), "户主", "湖坊镇", "东社区", "低保", 300, None, None, None, None,
             None, None, "否", "2018-01", None] for i in range(3)]
    book.roster("湖坊镇台账.xlsx", "湖坊镇", rows)
    clean = check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2",
                  cache=False)
    assert [i.reconciled for i in clean.context.inputs] == [True]
    _broken_reader(monkeypatch, how)
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2", cache=False)
    lost = [f for f in result.findings if f.code == "rows-unaccounted"]
    assert [(f.file, f.severity) for f in lost] == [("湖坊镇台账.xlsx", "error")]
    row = next(i for i in result.context.inputs if i.file == "湖坊镇台账.xlsx")
    assert (row.rows_read, row.rows_used, row.rows_reported, row.reconciled) == (3, 2, 0, False)
    import openpyxl
    ws = openpyxl.load_workbook(result.output_dir / "调度报告-2019Q2.xlsx")["读取核对"]
    header = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    check_col = header.index("核对")
    assert ("湖坊镇台账.xlsx", "不符") in {(r[0], r[check_col]) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert "第5行" in lost[0].message and lost[0].row == 5      # the row that vanished is named, not just counted
