"""Round trip: forms from `jiekun forms`, filled the way a clerk fills them, read back by `jiekun run` and `check`.

Filled well, every form reads back with no finding at all; filled badly, it gives exactly the findings the mistakes
call for, at their rows; saved through LibreOffice, it still reads back clean and keeps its validation.
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import TODAY, Book, valid_id
from form_filling import (
    HOUSEHOLDS,
    LATE,
    PERIOD,
    PREVIOUS,
    fill_progress,
    forms_of,
    previous_quarter,
    roster_rows,
    task_rows,
    type_household,
    write,
)
from test_browser import demo_outputs, require

from pipeline import check, run
from pipeline.cells import clean_text
from pipeline.outbox import write_forms
from pipeline.reader import ReadContext, read_file

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice") or "/usr/bin/soffice"
NEW_ID = valid_id(born="19580218", seq=51)
NEW_HOUSEHOLD = [  # typed by 京东镇's clerk into its blank roster form
    ["J001", "陈新", NEW_ID, "户主", None, "新村社区", "低保", 120, None, "一级", None, None, "无", None, None,
     datetime(2019, 7, 1), None],
]


def forms_for(project: Path) -> Path:
    """Write the quarter's forms into the project's output and return the 表格 folder."""
    return write_forms(config_path=project / "config.toml", input_dir=project / "input",
                       output_dir=project / "output", today=TODAY).folder


def fill_all(folder: Path) -> None:
    """Fill every progress form on time; type one new household into 京东镇's blank roster."""
    for name, path in forms_of(folder).items():
        if name.endswith("进展情况表.xlsx"):
            fill_progress(path)
    type_household(forms_of(folder)[f"京东镇-{PERIOD}救助对象台账.xlsx"], NEW_HOUSEHOLD)


def hand_in(folder: Path, project: Path) -> Path:
    """Drop the returned forms into the quarter's input folder, one sub-folder per unit as they came."""
    target = project / "input" / PERIOD
    shutil.copytree(folder, target)
    return target


def money_by_unit(result) -> list[dict]:
    frame = result.benefits.by_unit.sort_values(["unit", "category"]).reset_index(drop=True)
    return frame.to_dict("records")


@pytest.fixture
def previous(book, matrix):
    return previous_quarter(book, matrix)


def test_forms_filled_by_a_clerk_read_back_with_no_findings(project, previous, config, matrix, tmp_path):
    folder = forms_for(project)
    fill_all(folder)
    hand_in(folder, project)
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period=PERIOD)
    assert result.findings == ()
    units = result.context.units
    assert len(units) == len(config.registry.reporting)
    assert all(u.submitted and u.on_time and u.reported_tasks == u.assigned_tasks for u in units)
    # 湖坊镇 kept last quarter's statuses, wrote this quarter's text over the carried one, and it reads back as written.
    hufang = result.quarter.progress[result.quarter.progress["unit"] == "湖坊镇"]
    assert (hufang["progress_text"] == hufang["task"].map(lambda t: f"第{t}条本季度按计划推进")).all()
    assert len(hufang) == len(matrix.tasks_of("湖坊镇"))
    assert not hufang["progress_text"].str.contains(clean_text("（上季度）"), regex=False).any()
    # The office workbook lists the forms' instructions as set aside, and reads the stopped households as a roster.
    accounting = openpyxl.load_workbook(project / "output" / PERIOD / f"调度报告-{PERIOD}.xlsx")["读取核对"]
    kinds = {(r[1], r[2]) for r in accounting.iter_rows(min_row=3, values_only=True)}
    assert {("填表说明", "填表说明（不计入）"), ("已停发户", "救助对象台账"), ("进展情况", "进展情况表")} <= kinds

    # The same households straight from last quarter's files, plus the new one as its own roster, paid for this quarter.
    same = tmp_path / "same"
    (same / "input" / PERIOD).mkdir(parents=True)
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(project / name, same / name)
    for roster in (project / "input" / PREVIOUS).glob("*台账*"):
        shutil.copy(roster, same / "input" / PERIOD / roster.name)
    typed = [*NEW_HOUSEHOLD[0]]
    typed[4], typed[15] = "京东镇", "2019-07"
    Book(same / "input" / PERIOD).roster("京东镇.xlsx", "京东镇", [typed])
    expected = check(config_path=same / "config.toml", input_dir=same / "input", period=PERIOD)
    assert money_by_unit(result) == money_by_unit(expected)
    assert result.context.total_fen == expected.context.total_fen > 0
    carried = {row[2] for no, (_, rows) in HOUSEHOLDS.items() if no not in ("H004", "T002") for row in rows} | {NEW_ID}
    stopped = {row[2] for no in ("H004", "T002") for row in HOUSEHOLDS[no][1]}
    roster = result.quarter.roster
    assert set(roster["id_number"]) == carried | stopped
    # The stopped households are read from their own sheet and paid nothing, as their 停发年月 says.
    assert set(roster.loc[roster["_sheet"] == "已停发户", "id_number"]) == stopped
    paid = result.benefits.households
    assert (paid.loc[paid["household_no"].isin(["H004", "T002"]), "months_paid"] == 0).all()


def test_forms_filled_badly_give_exactly_the_expected_findings(project, previous, matrix):
    folder = forms_for(project)
    fill_all(folder)
    forms = forms_of(folder)
    tasks = matrix.tasks_of("湖坊镇")
    wrong, dropped = tasks[2], tasks[5]

    progress = forms[f"湖坊镇-{PERIOD}进展情况表.xlsx"]
    wb = openpyxl.load_workbook(progress)
    ws = wb["进展情况"]
    write(ws, 2, 6, datetime(LATE.year, LATE.month, LATE.day))
    write(ws, task_rows(ws)[wrong], 5, "差不多了")
    # A unit that lifts the protection (it has no password) and deletes a task's row.
    ws.protection.sheet = False
    ws.delete_rows(task_rows(ws)[dropped])
    wrong_row = task_rows(ws)[wrong]
    wb.save(progress)

    roster = forms[f"湖坊镇-{PERIOD}救助对象台账.xlsx"]
    wb = openpyxl.load_workbook(roster)
    ws = wb["救助对象台账"]
    damaged_row = roster_rows(ws)[1]
    write(ws, damaged_row, 3, int(ws.cell(damaged_row, 3).value[:15] + "000"))   # pasted as a number
    wb.save(roster)

    hand_in(folder, project)
    result = check(config_path=project / "config.toml", input_dir=project / "input", period=PERIOD)
    found = sorted(((f.row, f.column, f.code) for f in result.findings), key=str)
    assert found == sorted([(wrong_row, "完成状态", "bad-value"), (None, "填报日期", "late-submission"),
                            (None, "任务编号", "missing-task"), (damaged_row, "公民身份号码", "id-damaged")], key=str)
    assert {f.file for f in result.findings} == {f"湖坊镇/{progress.name}", f"湖坊镇/{roster.name}"}
    assert next(f for f in result.findings if f.code == "missing-task").value == str(dropped)
    assert "差不多了" in next(f for f in result.findings if f.code == "bad-value").message


def soffice_to_xlsx(paths: list[Path], out: Path, profile: Path) -> None:
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def read_back(path: Path, config):
    return read_file(path, ReadContext(file=path.name, registry=config.registry, status_words=config.status_words,
                                       today=TODAY))


def test_a_form_saved_by_libreoffice_reads_back_clean_and_keeps_its_validation(project, previous, config, tmp_path):
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists())
    folder = forms_for(project)
    fill_all(folder)
    forms = forms_of(folder)
    chosen = [forms[f"湖坊镇-{PERIOD}进展情况表.xlsx"], forms[f"湖坊镇-{PERIOD}救助对象台账.xlsx"],
              forms[f"京东镇-{PERIOD}救助对象台账.xlsx"]]
    out = tmp_path / "saved"
    soffice_to_xlsx(chosen, out, tmp_path / "profile")
    for original in chosen:
        saved = out / original.name
        before, after = read_back(original, config), read_back(saved, config)
        assert after.all_findings == []
        assert [(s.sheet, s.kind, s.unit, s.reported_on) for s in after.sheets] == [
            (s.sheet, s.kind, s.unit, s.reported_on) for s in before.sheets]
        assert after.sheets[0].rows.drop(columns="household_key", errors="ignore").equals(
            before.sheets[0].rows.drop(columns="household_key", errors="ignore"))
        kept = openpyxl.load_workbook(saved).worksheets[0]
        made = openpyxl.load_workbook(original).worksheets[0]
        assert kept.protection.sheet
        assert sorted((v.type, v.formula1, str(v.sqref)) for v in kept.data_validations.dataValidation) == sorted(
            (v.type, v.formula1, str(v.sqref)) for v in made.data_validations.dataValidation)
    roster = openpyxl.load_workbook(out / chosen[1].name)["救助对象台账"]
    assert all(roster.cell(r, 3).data_type == "s" for r in roster_rows(roster))


def test_forms_print_on_a4_in_libreoffice(project, previous, tmp_path):
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists())
    require("pdfinfo (poppler-utils)", shutil.which("pdfinfo") is not None)
    forms = forms_of(forms_for(project))
    chosen = [forms[f"湖坊镇-{PERIOD}进展情况表.xlsx"], forms[f"湖坊镇-{PERIOD}救助对象台账.xlsx"]]
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                           "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, chosen)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for form in chosen:
        info = subprocess.run(["pdfinfo", str(tmp_path / f"{form.stem}.pdf")], capture_output=True, text=True,
                              check=True).stdout
        assert "(A4)" in info and "841.89 x 595.3" in info, info


def test_roster_forms_from_the_demo_carry_exactly_the_demo_roster_problems(tmp_path_factory, tmp_path):
    # The demo project the browser and LibreOffice tests run, read here and never written to.
    demo = demo_outputs(tmp_path_factory)["2019Q2"].parent.parent
    folder = write_forms(config_path=demo / "config.toml", input_dir=demo / "input", output_dir=tmp_path / "output",
                         today=TODAY).folder
    (tmp_path / "input" / PERIOD).mkdir(parents=True)
    for name, path in forms_of(folder).items():
        if name.endswith("救助对象台账.xlsx"):
            shutil.copy(path, tmp_path / "input" / PERIOD / name)
    result = check(config_path=demo / "config.toml", input_dir=tmp_path / "input", period=PERIOD)
    assert {f.unit for f in result.findings if f.code == "missing-submission"} == {
        u.name for u in result.config.registry.reporting}
    # The demo plants its roster problems in the households, which are carried over, so each comes back once, in
    # the same unit (pipeline/demo.py lists them); the forms add none of their own. Without the second quarter's
    # reports beside them the planted move is no story, so the person on two rosters is a duplicate for both.
    assert sorted((f.unit, f.code, f.column) for f in result.findings if f.code != "missing-submission") == sorted([
        ("罗家镇", "id-invalid", "公民身份号码"), ("上海路街道", "id-damaged", "公民身份号码"),
        ("站东街道", "id-damaged", "公民身份号码"), ("湖坊镇", "person-duplicate", "公民身份号码"),
        ("塘山镇", "person-duplicate", "公民身份号码"), ("湖坊镇", "person-duplicate", "公民身份号码"),
        ("京东镇", "person-duplicate", "公民身份号码"),
        ("京东镇", "income-above-standard", "家庭月人均收入"), ("青山路街道", "zero-employment", "就业状况"),
        ("高新园区", "zero-employment", "就业状况"), ("南钢街道", "bad-value", "家庭月人均收入")])


def test_a_stop_undone_on_the_stopped_households_sheet_is_paid(project, previous):
    folder = forms_for(project)
    fill_all(folder)
    path = forms_of(folder)[f"湖坊镇-{PERIOD}救助对象台账.xlsx"]
    wb = openpyxl.load_workbook(path)
    ws = wb["已停发户"]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "H004")
    ws.cell(first, 17).value = None        # the clerk finds the stop was a mistake and clears it, in place
    wb.save(path)
    hand_in(folder, project)
    result = check(config_path=project / "config.toml", input_dir=project / "input", period=PERIOD)
    paid = result.benefits.households.set_index("household_no")
    assert paid.loc["H004", "months_paid"] == 3 and paid.loc["H004", "monthly_fen"] > 0
    assert all(i.reconciled for i in result.context.inputs)
