"""The parse cache: a rerun reads nothing again, a changed file or setting is read afresh, a damaged entry is a miss."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY, demo_project

from pipeline import run


def rerun(root: Path, **options):
    return run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
               period="2019Q1", today=TODAY, **options)


@pytest.fixture
def cached(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    first = rerun(root)
    return root, first


def files_in(root: Path) -> int:
    return sum(1 for p in (root / "input" / "2019Q1").rglob("*") if p.is_file())


def test_a_rerun_takes_every_file_from_the_cache_and_says_the_same(cached):
    root, first = cached
    assert (first.cache_hits, first.cache_misses) == (0, files_in(root))
    summary = (first.output_dir / "summary.json").read_bytes()
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root), 0)
    assert (again.output_dir / "summary.json").read_bytes() == summary
    assert json.loads((again.output_dir / "manifest.json").read_text(encoding="utf-8"))["parse_cache"]["hits"] == \
        files_in(root)


def test_a_resubmitted_file_alone_is_read_again(cached):
    root, _ = cached
    roster = next((root / "input" / "2019Q1").glob("湖坊镇-救助对象台账*"))
    import openpyxl
    wb = openpyxl.load_workbook(roster)
    ws = wb.active
    ws.cell(ws.max_row + 1, 2, "新来人")      # a changed byte is a changed file
    wb.save(roster)
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root) - 1, 1)


def test_a_changed_setting_reads_every_file_again(cached):
    root, _ = cached
    text = (root / "config.toml").read_text(encoding="utf-8").replace('"推进中" = ["推进中",', '"推进中" = ["推进中", "推进ing",')
    (root / "config.toml").write_text(text, encoding="utf-8")
    assert rerun(root).cache_hits == 0


def test_a_damaged_entry_is_a_miss_never_an_error(cached):
    root, first = cached
    entries = sorted((root / "output" / ".cache").rglob("*.pickle"))
    assert len(entries) == files_in(root)
    entries[0].write_bytes(b"\x80\x04not a pickle")
    entries[1].write_bytes(b"")
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root) - 2, 2)
    assert again.context.total_fen == first.context.total_fen


def test_no_cache_reads_everything_and_writes_no_cache(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    result = rerun(root, cache=False)
    assert (result.cache_hits, result.cache_misses) == (0, 0)
    assert not (root / "output" / ".cache").exists()


def test_an_entry_from_another_version_of_the_reading_code_is_never_used(cached, monkeypatch):
    import pipeline.cache
    root, _ = cached
    monkeypatch.setattr(pipeline.cache, "__version__", "9.9.9")
    assert rerun(root).cache_hits == 0
