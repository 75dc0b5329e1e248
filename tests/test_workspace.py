"""A clerk's working folder: jiekun init, the Windows launcher, jiekun alone, --dir, and a quarter run the Windows way."""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from click.testing import CliRunner
from conftest import ROOT

from pipeline import working_folder as workspace
from pipeline.cli import main
from pipeline.folders import scan
from pipeline.period import Period
from pipeline.reader import sandbox
from pipeline.reader.folder import list_entries, readable

SHIPPED_TOTAL = 4699200.5          # the shipped sample's 2019Q2 total, in 元
GBK_NAME = "湖坊镇-2019Q2进展情况.xlsx"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def laid_out(folder: Path) -> Path:
    """Lay out a working folder with jiekun init and the shipped 2019Q2 sample in its input/."""
    assert CliRunner().invoke(main, ["init", str(folder)]).exit_code == 0
    shutil.copytree(ROOT / "input" / "2019Q2", folder / "input" / "2019Q2")
    return folder


def total(out: Path) -> float:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["benefits"]["total"]


# --- jiekun init ----------------------------------------------------------------------------------------------------

def test_init_lays_out_a_working_folder(runner, tmp_path):
    folder = tmp_path / "办公 文件" / "解困 工作"
    result = runner.invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["input", "output", "config.toml", "matrix.toml", "使用说明.txt", "双击运行.bat"])
    assert (folder / "input").is_dir() and (folder / "output").is_dir()
    for name in ("config.toml", "matrix.toml"):
        assert (folder / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert (folder / "双击运行.bat").read_bytes() == workspace.launcher_text().encode("utf-8")
    assert "下一步：把各单位的报表放进 input/2019Q2" in result.output and "或双击 双击运行.bat" in result.output


def test_init_refuses_to_overwrite_and_writes_nothing(runner, tmp_path):
    folder = tmp_path / "解困工作"
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    (folder / "config.toml").write_text("# 已改过的配置\n", encoding="utf-8")
    (folder / "使用说明.txt").unlink()
    result = runner.invoke(main, ["init", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "已有 config.toml、matrix.toml、双击运行.bat，为免覆盖已停止" in result.output
    assert (folder / "config.toml").read_text(encoding="utf-8") == "# 已改过的配置\n"
    assert not (folder / "使用说明.txt").exists()


def test_init_in_the_current_folder(runner, tmp_path):
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "config.toml").is_file() and (tmp_path / "双击运行.bat").is_file()


# --- the launcher and the guide --------------------------------------------------------------------------------------

def test_the_launcher_is_crlf_and_ascii_until_chcp():
    raw = workspace.launcher_text().encode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")                     # a BOM would break the first command
    assert raw.count(b"\n") == raw.count(b"\r\n") > 5
    lines = raw.decode("utf-8").split("\r\n")
    chcp = lines.index("chcp 65001 >nul")
    assert all(line.isascii() for line in lines[:chcp + 1])
    assert lines[0] == "@echo off" and 'cd /d "%~dp0"' in lines
    commands = [line.strip() for line in lines if re.match(r"\s*(jiekun|py -m pipeline) ", line)]
    assert commands == ["jiekun run --open", "py -m pipeline run --open"]
    assert lines[-2:] == ["pause", ""]


def test_the_guide_writes_paths_the_way_the_folder_s_system_does():
    windows = workspace.guide_text(PureWindowsPath(r"D:\办公 文件\解困工作"))
    assert r"input\2019Q2" in windows and r"output\2019Q2" in windows and "input/2019Q2" not in windows
    assert windows.startswith("\ufeff") and windows.count("\n") == windows.count("\r\n")
    posix = workspace.guide_text(PurePosixPath("/home/办事员/解困工作"))
    assert "input/2019Q2" in posix and "input\\" not in posix


def test_the_launcher_s_commands_run_the_newest_quarter_and_open_its_report(tmp_path):
    """Run what 双击运行.bat runs, as it runs it: from the working folder, through python -m pipeline."""
    folder = laid_out(tmp_path / "办公 文件" / "解困 工作")
    # Unpacked on Linux, a zip made on a Chinese Windows names its files in GBK.
    quarter = os.fsencode(folder / "input" / "2019Q2")
    os.rename(os.path.join(quarter, GBK_NAME.encode()), os.path.join(quarter, GBK_NAME.encode("gbk")))
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    args = workspace.LAUNCH_ARGS.split()
    env = {**os.environ, "BROWSER": f"{browser} %s", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = folder / "output" / "2019Q2"
    assert "2019年第二季度调度完成" in done.stdout and total(out) == SHIPPED_TOTAL
    assert opened.read_text(encoding="utf-8") == (out / "调度报告-2019Q2.html").as_uri()
    inputs = json.loads((out / "summary.json").read_text(encoding="utf-8"))["inputs"]
    assert GBK_NAME in [i["file"] for i in inputs]


def test_a_whole_quarter_runs_with_spawned_workers_as_on_windows(runner, tmp_path, monkeypatch):
    folder = laid_out(tmp_path / "解困工作")
    started = []
    real = multiprocessing.get_context
    monkeypatch.setattr(sandbox.multiprocessing, "get_context", lambda method=None: started.append(method) or
                        real(method))
    monkeypatch.setenv("JIEKUN_START_METHOD", "spawn")
    result = runner.invoke(main, ["run", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert started and set(started) == {"spawn"}
    assert total(folder / "output" / "2019Q2") == SHIPPED_TOTAL


# --- names a zip from Windows brings ---------------------------------------------------------------------------------

def test_a_gbk_name_reads_as_written_and_any_other_name_passes_through():
    assert readable(os.fsdecode(GBK_NAME.encode("gbk"))) == GBK_NAME
    assert readable(GBK_NAME) == GBK_NAME
    assert readable(os.fsdecode(b"\xff\xfe.xlsx")).endswith(".xlsx")
    assert readable(os.fsdecode(b"\xff\xfe.xlsx")).encode("utf-8")


def test_gbk_named_files_and_quarter_folders_are_listed_by_their_chinese_names(tmp_path):
    quarter = os.path.join(os.fsencode(tmp_path), "2019年第二季度".encode("gbk"))
    os.mkdir(quarter)
    with open(os.path.join(quarter, GBK_NAME.encode("gbk")), "wb") as f:
        f.write(b"x")
    found = scan(tmp_path)
    assert found.periods == [Period(2019, 2)]
    assert [e.file for e in list_entries(found.folder(Period(2019, 2)))] == [GBK_NAME]


# --- jiekun alone, python -m pipeline, --dir ------------------------------------------------------------------------

def test_jiekun_alone_shows_the_commands_and_the_next_step(runner, tmp_path):
    result = runner.invoke(main, [])
    assert result.exit_code == 0
    assert "jiekun init 文件夹" in result.output and "jiekun run" in result.output
    assert "下一步：当前文件夹不是 jiekun 工作文件夹，先用 jiekun init" in result.output
    runner.invoke(main, ["init"])
    assert "下一步：把各单位的报表放进" in runner.invoke(main, []).output
    (tmp_path / "input" / "2019年第一季度").mkdir()
    (tmp_path / "input" / "2019Q2").mkdir()
    assert "下一步：运行 jiekun run 或双击 双击运行.bat，处理最新的季度 2019Q2" in runner.invoke(main, []).output


def test_python_m_pipeline_is_the_jiekun_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pipeline"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("解困（jiekun）") and "下一步" in done.stdout


def test_a_command_works_from_any_folder_against_the_folder_it_is_pointed_at(runner, tmp_path):
    folder = tmp_path / "解困工作"
    runner.invoke(main, ["init", str(folder)])
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    assert "共 59 条任务" in runner.invoke(main, ["matrix", "--dir", str(folder)]).output
    missing = runner.invoke(main, ["matrix"])
    assert missing.exit_code == 2 and "先用 jiekun init 新建一个" in missing.output
