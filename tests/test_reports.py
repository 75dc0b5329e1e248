"""Every output of REPORTS, in every quarter it is due: written, holding the summary contract, leaking no one.

The four-quarter demo is run once per quarter with each report's writes recorded, so a report added to REPORTS is
scanned here without anyone listing it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, demo_project

from pipeline import run
from pipeline.district_summary import read_summary
from pipeline.ids import OK
from pipeline.report import Due, Report
from pipeline.report.catalogue import REPORTS
from pipeline.typed_json import dumps

QUARTERS = ("2019Q1", "2019Q2", "2019Q3", "2019Q4")
CHECKER = ROOT.parent / "shared" / "tools" / "check_summary.py"
# The one place full names and IDs belong: the office workbook's person detail sheets.
DETAIL_SHEET = "对象明细"


def recorded(reports, log: dict[str, list[str]]):
    """Wrap each report so that what it writes into the staging folder is logged under its name."""
    def wrap(report: Report) -> Report:
        def write(bundle, staging) -> None:
            before = len(staging.written)
            report.write(bundle, staging)
            log[report.name] = staging.written[before:]
        return replace(report, write=write)
    return tuple(wrap(r) for r in reports)


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory):
    """Run each quarter of the four-quarter demo; return {quarter: (result, {report name: files written})}."""
    root = demo_project(tmp_path_factory.mktemp("year"), quarters=4)
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        for q in QUARTERS:
            log: dict[str, list[str]] = {}
            mp.setattr("pipeline.report.catalogue.REPORTS", recorded(REPORTS, log))
            result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                         period=q, cache=False)
            out[q] = (result, log)
    return out


def text_of(path: Path) -> str:
    """Return what a reader of the file meets: each sheet but the person detail, a document's XML, values, text."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb if not ws.title.startswith(DETAIL_SHEET)
                         for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str).to_csv(index=False)
    return path.read_bytes().decode("utf-8", "replace")


def test_every_report_is_written_in_each_quarter_it_is_due_and_only_then(demo_year):
    for q, (result, log) in demo_year.items():
        due = {r.name for r in REPORTS if r.due.applies(result.period)}
        assert set(log) == due, q
        assert all(log[name] for name in due), q
    assert {name for _, log in demo_year.values() for name in log} == {r.name for r in REPORTS}


def test_no_report_of_any_quarter_shows_a_full_name_or_id(demo_year):
    for q, (result, log) in demo_year.items():
        persons = result.context.persons
        ids = set(persons.loc[persons["id_status"] == OK, "id_number"])
        # Two-character names can be ordinary words in a task's text; three and more are a person.
        names = {n for n in persons["name"].dropna() if len(n) >= 3}
        assert ids and names
        for name, files in log.items():
            for file in files:
                text = text_of(result.output_dir / file)
                folded = unicodedata.normalize("NFKC", text).replace(" ", "")
                found = sorted({i for i in ids if i in folded} | {n for n in names if n in text})
                assert found == [], (q, name, file)


def test_the_detail_sheet_the_scan_leaves_out_does_list_people(demo_year):
    result, _ = demo_year["2019Q2"]
    wb = openpyxl.load_workbook(result.output_dir / "调度报告-2019Q2.xlsx", read_only=True)
    detail = "\n".join(str(v) for ws in wb if ws.title.startswith(DETAIL_SHEET)
                       for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    persons = result.context.persons
    assert set(persons.loc[persons["id_status"] == OK, "id_number"]) <= set(detail.split("\n"))


def test_every_quarters_summary_holds_the_contract(demo_year):
    """The repository's own reader of summary.json (the roll-up's) always; shared/tools/check_summary.py too when
    it is beside this checkout, and under CI it must be, or the repository's reader alone decides."""
    for q, (result, _) in demo_year.items():
        summary = read_summary(result.output_dir / "summary.json", frozenset(result.matrix.numbers))
        assert summary.benefits.total_fen == result.context.total_fen, q
        # Read through the writer's model and written again, the document is the same to the byte.
        assert dumps(summary) == (result.output_dir / "summary.json").read_text(encoding="utf-8"), q
        if CHECKER.exists():
            out = subprocess.run([sys.executable, str(CHECKER), str(result.output_dir)], capture_output=True,
                                 text=True)
            assert out.returncode == 0, (q, out.stdout)
        elif os.environ.get("CI") == "true":
            print(f"{CHECKER} is not beside this checkout: the repository's reader of summary.json decided")


def test_a_report_added_to_REPORTS_is_written_with_nothing_else_changed(project, book, monkeypatch, matrix):
    from conftest import full_progress_rows

    def write_toy(bundle, staging) -> None:
        staging.write_text("toy.txt", f"{bundle.quarter.period} {bundle.quarter.total_fen}\n")

    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    monkeypatch.setattr("pipeline.report.catalogue.REPORTS", (*REPORTS, Report("toy", Due.QUARTER, write_toy)))
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2")
    assert "toy.txt" in result.written
    assert (result.output_dir / "toy.txt").read_text(encoding="utf-8") == "2019Q2 0\n"
    assert "toy" in result.timings
