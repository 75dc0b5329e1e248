"""Each command imports only the libraries it uses, so `jiekun --help` answers at once and check writes no report."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pyarrow", "numpy", "python_calamine", "xlsxwriter", "jinja2", "docx", "openpyxl")


def loaded(*modules: str) -> set[str]:
    """Return the heavy libraries a fresh interpreter holds after importing `modules`."""
    probe = (f"import json, sys; import {', '.join(modules)}; "
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return set(json.loads(out))


def test_the_command_line_loads_no_library_until_a_command_runs():
    assert loaded("pipeline.cli") == set()


def test_the_package_loads_its_entry_points_on_first_use():
    assert loaded("pipeline") == set()
    probe = "import pipeline; print(pipeline.run.__module__, pipeline.StopRun.__module__, pipeline.Period.__module__)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert out == ["pipeline.dispatch", "pipeline.errors", "pipeline.period"]


@pytest.mark.parametrize("command, modules", [
    ("check", ("pipeline.dispatch", "pipeline.report.terminal")),
    ("forms", ("pipeline.outbox",)),
])
def test_check_and_forms_load_no_renderer(command, modules):
    assert not loaded(*modules) & {"xlsxwriter", "jinja2", "docx", "openpyxl"}


def test_a_quarter_without_word_reports_loads_no_word_writer():
    held = loaded("pipeline.dispatch", "pipeline.report.catalogue")
    assert "docx" not in held and {"xlsxwriter", "jinja2"} <= held
