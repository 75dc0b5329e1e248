"""Runs that should stop, stop with one sentence; folders named like a quarter are found or named; every file the
totals leave out is listed on the terminal; a full disk, a read-only output or a vanished input says what to do."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROSTER_HEADER, full_progress_rows, valid_id

from pipeline import StopRun, check
from pipeline.cli import main
from pipeline.period import Period


@pytest.fixture
def cli(project):
    cwd = os.getcwd()
    os.chdir(project)
    yield CliRunner()
    os.chdir(cwd)


def check_newest(project: Path, period: str | None = None):
    return check(config_path=project / "config.toml", input_dir=project / "input", period=period)


def household(unit: str, name: str = "王大明", seq: int = 11) -> list:
    """Return one 低保 household of one person, paid from 2019-01."""
    row = dict.fromkeys(ROSTER_HEADER)
    row.update({"户编号": f"H{seq}", "姓名": name, "公民身份号码": valid_id(seq=seq), "与户主关系": "户主", "所属镇街": unit,
                "社区": "东社区", "救助类别": "低保", "家庭月人均收入": 200, "享受起始年月": "2019-01"})
    return [row[h] for h in ROSTER_HEADER]


# --- an empty quarter stops before anything is written ------------------------------------------------------------

def test_an_empty_quarter_stops_the_run_writing_nothing(cli, project):
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip() == ("2019年第二季度的文件夹 input/2019Q2 中没有读到任何进展情况表或救助对象台账（文件夹是空的），"
                                     "未生成报告；请确认报表已放入该文件夹。")
    assert not (project / "output" / "2019Q2").exists()
    assert cli.invoke(main, ["check"]).exit_code == 2


def test_a_quarter_of_files_that_give_no_report_names_them(project, quarter_dir, book):
    (quarter_dir / "a.xlsx").write_bytes(b"PK\x03\x04 cut off")
    (quarter_dir / "b.pdf").write_bytes(b"%PDF-1.4\n")
    book.save("说明.xlsx", [["填报说明"], ["请于6月20日前报送"]])
    for n in range(4):
        (quarter_dir / f"c{n}.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(StopRun) as stop:
        check_newest(project)
    message = stop.value.message
    assert "共 7 个文件：a.xlsx 无法打开，b.pdf 不是表格，c0.xlsx" in message and "等7个" in message
    assert "说明.xlsx" not in message            # five are named, the rest counted
    assert not (project / "output" / "2019Q2").exists()


def test_a_quarter_with_one_report_runs(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    (project / "input" / "2019Q2" / "b.pdf").write_bytes(b"%PDF-1.4\n")
    assert check_newest(project).period == Period(2019, 2)


# --- quarter folders as people name them -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["2019Q3", "2019q3", "2019-Q3", "2019 Q3", "2019_Q3", "2019年第三季度", "2019年第3季度",
                                  "2019年三季度", "2019年3季度", "２０１９Ｑ３"])
def test_a_quarter_is_read_however_it_is_written(name):
    assert Period.parse(name) == Period(2019, 3) and Period.try_parse(name) == Period(2019, 3)


@pytest.mark.parametrize("name", ["三季度", "第三季度", "Q3", "2019年三、四季度", "2019年7月", "2019Q5", "2019年第五季度"])
def test_a_name_that_is_not_one_quarter_is_none(name):
    assert Period.try_parse(name) is None


def test_a_folder_named_in_chinese_is_found_as_the_newest_quarter(cli, project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    shutil.copytree(project / "input" / "2019Q2", project / "input" / "2019年第三季度")
    assert check_newest(project).period == Period(2019, 3)
    result = cli.invoke(main, ["check", "--period", "2019年第二季度"])
    assert result.exit_code == 1 and result.output.startswith("2019年第二季度：")


def test_folders_that_look_like_a_quarter_are_named_in_a_warning(cli, project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    for name in ("三季度", "2019年7月", "2019年三、四季度"):
        (project / "input" / name).mkdir()
    (project / "input" / "旧文件").mkdir()            # not named like a quarter: no warning
    found = [f for f in check_newest(project).findings if f.code == "unknown-folder"]
    assert sorted(f.file for f in found) == ["2019年7月/", "2019年三、四季度/", "三季度/"]
    assert all(f.severity == "warning" and "本次按能识别的最新季度2019年第二季度运行" in f.message for f in found)
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 0, result.output
    assert "未读取的文件夹  三季度/" in result.output
    assert (project / "output" / "2019Q2" / "findings.csv").read_text(encoding="utf-8-sig").count("unknown-folder") == 3


def test_an_older_quarter_looking_folder_is_not_said_to_be_newer(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    (project / "input" / "2018年7月").mkdir()
    [found] = [f for f in check_newest(project).findings if f.code == "unknown-folder"]
    assert "本次按" not in found.message and "2018年7月" in found.message


def test_two_folders_of_one_quarter_stop_the_run_naming_both(project, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    (project / "input" / "2019年第二季度").mkdir()
    with pytest.raises(StopRun, match="“2019Q2”、“2019年第二季度”"):
        check_newest(project)


def test_no_readable_quarter_folder_names_the_folders_skipped(project):
    (project / "input" / "2019Q2").rmdir()
    (project / "input" / "三季度").mkdir()
    with pytest.raises(StopRun, match="没有季度文件夹（文件夹“三季度”看不出是哪个季度）"):
        check_newest(project)


# --- every file not counted is listed on the terminal, last before 调度完成 ----------------------------------------

def test_the_terminal_lists_every_file_not_counted_before_the_last_line(cli, project, book, quarter_dir):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    book.roster("湖坊镇-台账.xlsx", "湖坊镇", [household("湖坊镇")])
    book.progress("某单位.xlsx", "京冬镇", "2019-06-18", full_progress_rows([1]))
    book.save("王大明的说明.xlsx", [["说明"], ["这一户的情况"]])
    (quarter_dir / "坏文件.xlsx").write_bytes(b"not a workbook")
    (quarter_dir / "~$湖坊镇.xlsx").write_bytes(b"lock")
    book.progress("区民政局.xlsx", "区民政局", "2019-06-18", full_progress_rows([1]), header=["编号", "工作任务"])
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"2019年第二季度调度完成，报告已写入 {project / 'output' / '2019Q2'}/"
    start = next(i for i, line in enumerate(lines) if line.startswith("未计入汇总（5 项"))
    assert lines[start - 1].startswith("发现问题：")
    listed = lines[start + 1:-1]
    assert [line.split()[0] for line in listed] == ["已跳过", "全部未采用", "无法打开", "单位未识别", "无法识别的表"]
    assert "~$湖坊镇.xlsx：Excel/WPS 打开表格时留下的锁定文件，已跳过" in listed[0]
    assert "区民政局.xlsx：读取 1 行，全部列入问题、未计入（缺少必填列）" in listed[1]
    assert "坏文件.xlsx：" in listed[2]
    assert "某单位.xlsx：无法识别填报单位“京冬镇”（最接近的是：京东镇），本表未计入汇总" in listed[3]
    assert "王*明的说明.xlsx：既不是进展情况表也不是救助对象台账" in listed[4] and "王大明" not in result.output
    checked = cli.invoke(main, ["check"])
    assert checked.output.strip().splitlines()[-5:] == listed


def test_a_clean_quarter_says_every_file_was_counted(cli, book):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    lines = cli.invoke(main, ["run"]).output.strip().splitlines()
    assert lines[-2:-1] == ["读取文件：1 个，全部计入汇总"] and "调度完成" in lines[-1]


# --- a full disk, a read-only output, a vanished input: one sentence each ------------------------------------------

def refuse(code: int):
    def fail(self, name, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(self.dir / name))
    return fail


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_one_sentence_and_keeps_the_previous_output(cli, project, book, monkeypatch, code):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    assert cli.invoke(main, ["run"]).exit_code == 0
    before = (project / "output" / "2019Q2" / "summary.json").read_bytes()
    monkeypatch.setattr("pipeline.output.Staging.write_bytes", refuse(code))
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 2 and result.output.startswith("磁盘已满，报告未能写入 ") and "意外错误" not in result.output
    assert result.output.strip().count("\n") == 0
    assert (project / "output" / "2019Q2" / "summary.json").read_bytes() == before
    assert sorted(p.name for p in (project / "output").iterdir()) == [".cache", "2019Q2"]


def test_a_full_disk_inside_a_workbook_writer_is_the_same_sentence(cli, book, monkeypatch):
    from xlsxwriter.exceptions import FileCreateError
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))

    def close(self):
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr("xlsxwriter.workbook.Workbook.close", close)
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 2 and result.output.startswith("磁盘已满")


@pytest.mark.parametrize("how", ["chmod", "patched"])
def test_a_read_only_output_is_one_sentence(cli, project, book, monkeypatch, how):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    out = project / "output"
    out.mkdir()
    if how == "chmod":
        if os.geteuid() == 0:
            pytest.skip("root writes through a read-only mode; the patched case covers it")
        out.chmod(0o500)
    else:
        monkeypatch.setattr("pipeline.output.Staging.write_bytes", refuse(errno.EROFS))
    try:
        result = cli.invoke(main, ["run", "--no-cache"])
    finally:
        out.chmod(0o700)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith(f"输出目录 {out} 无法写入（只读或没有写入权限）")


def test_an_input_folder_removed_during_the_run_is_one_sentence(cli, project, book, monkeypatch):
    import pipeline.reading as reading
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    listed = reading.list_entries

    def list_then_remove(folder):
        entries = listed(folder)
        shutil.rmtree(folder)
        return entries
    monkeypatch.setattr(reading, "list_entries", list_then_remove)
    result = cli.invoke(main, ["run"])
    assert result.exit_code == 2
    assert result.output.strip() == ("输入文件夹 input/2019Q2 在运行中被移走或删除，未生成报告；请把它放回原处，运行期间不要移动或删除"
                                     "输入文件夹，然后重新运行。")
    assert not (project / "output" / "2019Q2").exists()
