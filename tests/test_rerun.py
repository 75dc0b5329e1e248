"""Warm reruns (unit_parts.py): after a unit resubmits, the matrix changes or a parameter changes, a rerun that takes
each roster file's benefits and rows of the person detail from output/.cache/parts/ writes every output byte for byte
as a cold run with no cache writes it, and an entry that is tampered with is never used.

Each test also says what the rerun took from the cache and what it made again, so that it cannot pass by reusing
nothing; each was seen to fail with a part of the key left out (docs/performance.md).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import shipped_project

import pipeline.report.person_sheets as person_sheets
import pipeline.unit_parts as unit_parts
from pipeline import run
from pipeline.benefits import Rates, compute
from pipeline.cache import MAGIC
from pipeline.cache_format import decode_value, encode_value, header_of
from pipeline.period import Period

PERIOD = "2019Q2"
CLOCKED = ("started", "finished", "timings", "parse_cache")     # the run's times and its record of cache use


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file of the quarter's run, manifest.json without the run's times and cache record."""
    found = {}
    for path in sorted((out / PERIOD).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "manifest.json":
                doc = json.loads(data)
                for key in CLOCKED:
                    doc.pop(key)
                data = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
            found[str(path.relative_to(out))] = data
    return found


def jiekun(root: Path, out: str = "output", cache: bool = True):
    return run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / out, period=PERIOD,
               cache=cache)


def rerun_as_cold(root: Path, made: dict[str, list]) -> dict[str, list]:
    """Rerun warm, then cold with no cache into another folder; every output must be the same, byte for byte.

    Return what the warm rerun computed and wrote afresh.
    """
    for seen in made.values():
        seen.clear()
    warm = outputs(jiekun(root).output_dir.parent)
    fresh = {k: list(v) for k, v in made.items()}
    cold = outputs(jiekun(root, "cold", cache=False).output_dir.parent)
    assert sorted(warm) == sorted(cold)
    differ = [name for name in cold if warm[name] != cold[name]]
    assert not differ, differ
    return fresh


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """The shipped project (config, matrix, both quarters) after one run with the cache: every part kept."""
    root = shipped_project(tmp_path_factory.mktemp("filled"))
    jiekun(root)
    return root


@pytest.fixture
def project(filled, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(filled, root)
    return root


@pytest.fixture
def made(monkeypatch) -> dict[str, list]:
    """Record what a run computes afresh: roster rows paid, rows of person-detail XML written."""
    seen: dict[str, list] = {"benefits": [], "detail": []}
    real_compute, real_rows = unit_parts.compute, person_sheets._rows_xml

    def computing(persons, period, rates):
        seen["benefits"].append((str(period), len(persons)))
        return real_compute(persons, period, rates)

    def writing(chunk, styles, first, mask):
        seen["detail"].append((first, chunk.num_rows))
        return real_rows(chunk, styles, first, mask)

    monkeypatch.setattr(unit_parts, "compute", computing)
    monkeypatch.setattr(person_sheets, "_rows_xml", writing)
    return seen


def roster_rows(path: Path) -> int:
    ws = openpyxl.load_workbook(path, read_only=True).active
    return sum(1 for row in ws.iter_rows(min_row=4, values_only=True) if row[0])


def parts(root: Path) -> list[Path]:
    return sorted((root / "output" / ".cache" / unit_parts.FOLDER).glob("*.jkc"))


# --- the parts add up to the whole ----------------------------------------------------------------------------------

@pytest.mark.parametrize("quarter", [1, 2])
def test_the_files_parts_put_together_are_the_whole_rosters_benefits(project, quarter):
    from pipeline.dispatch import Session
    from pipeline.reading import parse_cache
    from pipeline.workspace import open_workspace
    ws = open_workspace(project / "config.toml", project / "input", project / "output")
    session = Session(ws.config, ws.matrix, ws.input_dir, None, parse_cache(ws.config, ws.input_dir,
                                                                            ws.output_dir, True))
    period = Period(2019, quarter)
    rates = Rates.for_period(ws.config.parameters, period)
    quarter_, kept = session.money(period)
    assert (session.parts.reused, session.parts.computed) == (9, 0)
    assert_same(kept, compute(quarter_.roster, period, rates))
    assert [n for _, n in kept.parts] == list(kept.persons["_file"].value_counts(sort=False))
    # Another file widening a column widens every file's: no part kept under the old dtypes is used.
    wider = replace(quarter_, roster=quarter_.roster.astype({"disability_grade": object}))
    assert_same(session.parts.benefits(wider, rates), compute(wider.roster, period, rates))
    assert (session.parts.reused, session.parts.computed) == (9, 9)
    session.close()


def assert_same(kept, whole) -> None:
    for name in ("persons", "households", "by_unit"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(whole, name), check_exact=True)
    assert (kept.gap_fen, kept.gap_person_months) == (whole.gap_fen, whole.gap_person_months)
    pd.testing.assert_frame_equal(kept.trace.households, whole.trace.households, check_exact=True)
    assert np.array_equal(kept.trace.active, whole.trace.active) and kept.trace.rules == whole.trace.rules


# --- reruns ---------------------------------------------------------------------------------------------------------

def test_a_unit_resubmitting_changed_cells_is_computed_again_alone(project, made):
    roster = project / "input" / PERIOD / "湖坊镇-救助对象台账-2019Q2.xlsx"
    wb = openpyxl.load_workbook(roster)
    ws = wb.active
    header = [c.value for c in ws[3]]
    ws.cell(5, header.index("家庭月人均收入") + 1, 123.5)           # a household's income: its 差额 and wording
    ws.insert_rows(6)                                           # a new person: every later file's rows move down
    for c, value in enumerate([ws.cell(5, 1).value, "新来人", None, "子女", "湖坊镇", ws.cell(5, 6).value,
                               ws.cell(5, 7).value, 123.5, None, None, None, None, "无", None, "否", "2019年4月"], 1):
        ws.cell(6, c, value)
    wb.save(roster)
    fresh = rerun_as_cold(project, made)
    assert fresh["benefits"] == [(PERIOD, roster_rows(roster))]
    # The detail's rows from the changed file on are written again (they moved down); those before it are kept.
    assert fresh["detail"] and min(first for first, _ in fresh["detail"]) > person_sheets.FIRST_ROW


def test_a_changed_matrix_keeps_the_money_and_rewrites_what_it_masks(project, made):
    # With the detail masked, a plan's word that is also a listed name is no longer masked (privacy.Masker).
    config = project / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("mask_person_detail = false",
                                                                 "mask_person_detail = true"), encoding="utf-8")
    jiekun(project)                                             # the masked detail's rows kept
    matrix = project / "matrix.toml"
    matrix.write_text(matrix.read_text(encoding="utf-8").replace(
        'category = "切实筑牢基本生活保障底线"', 'category = "切实筑牢基本生活保障底线（熊国）"', 1), encoding="utf-8")
    fresh = rerun_as_cold(project, made)
    assert fresh["benefits"] == []                              # the money comes from the parts
    assert fresh["detail"]                                      # the masking changed: the rows are written again


def test_a_changed_parameter_computes_its_quarter_again(project, made):
    config = project / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '"2019-01-01" = { value = 670, source = "湖城字〔2019〕1号 任务1，按方案下限执行" }',
        '"2019-01-01" = { value = 670, source = "湖城字〔2019〕1号 任务1，按方案下限执行" }\n'
        '"2019-05-01" = { value = 700, source = "测试：五月起提标" }'), encoding="utf-8")
    fresh = rerun_as_cold(project, made)
    assert {p for p, _ in fresh["benefits"]} == {PERIOD}        # Q2 only: Q1's months keep their standard


def test_a_tampered_part_is_never_used(project, made):
    found = parts(project)
    tampered = {}
    for i, path in enumerate(found):
        data = path.read_bytes()
        if i % 3 == 0:                  # a flipped byte
            data = data[:-1] + bytes([data[-1] ^ 1])
        elif i % 3 == 1:                # more money, under a plain hash in place of the MAC
            head, blobs = header_of(data[len(MAGIC) + 32:])
            value = decode_value(head, blobs)
            if isinstance(value, dict) and value.get("paid"):
                value["persons"]["amount_fen"] += 100
                value["gap_fen"] += 100
            body = encode_value(value, head["key"], raw=True)
            data = MAGIC + hashlib.sha256(MAGIC + body).digest() + body
        else:                           # an authentic entry under another entry's name
            data = found[i - 1].read_bytes()
        path.write_bytes(data)
        tampered[path] = data
    fresh = rerun_as_cold(project, made)
    assert len(fresh["benefits"]) == 2                          # both quarters' money made again in one go each
    assert all(not p.exists() or p.read_bytes() != data for p, data in tampered.items())


# --- storage ----------------------------------------------------------------------------------------------------------

def set_cache(root: Path, body: str) -> None:
    config = root / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("runs_kept = 3\nmax_mb = 512", body),
                      encoding="utf-8")


@pytest.mark.skipif(os.name == "nt", reason="file modes are POSIX")
def test_parts_are_0600_in_a_0700_folder(project):
    folder = project / "output" / ".cache" / unit_parts.FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert parts(project) and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in parts(project))


def test_parts_and_reads_together_stay_under_max_mb(project):
    set_cache(project, "runs_kept = 3\nmax_mb = 1")
    jiekun(project)
    cache = project / "output" / ".cache"
    assert sum(p.stat().st_size for p in [*cache.glob("*.jkc"), *parts(project)]) <= 1 << 20


def test_parts_no_recent_run_used_are_evicted(project):
    set_cache(project, "runs_kept = 1\nmax_mb = 512")
    before = set(parts(project))
    config = project / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("value = 670, source", "value = 680, source"),
                      encoding="utf-8")
    jiekun(project)
    index = json.loads((project / "output" / ".cache" / unit_parts.FOLDER / "index.json").read_text())
    assert {p.name for p in parts(project)} == set(index["used"]) and set(index["used"].values()) == {index["run"]}
    assert not before & set(parts(project))       # the new standard pays every month of the year: nothing reused
