"""The README starts with the two commands and documents every finding code."""
from __future__ import annotations

from pathlib import Path

from pipeline.findings import CODES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_begins_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert "make run" in head and "make test" in head


def test_readme_finding_table_lists_every_code_with_its_fix(config, matrix):
    for code in CODES.values():
        line = next((row for row in README.splitlines() if row.startswith(f"| `{code.code}` |")), None)
        assert line is not None, code.code
        assert code.fix_text(config.deadline.text, len(matrix)) in line
