"""Each hand-off between stages is declared once (frames.py) and checked where the stage returns it."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, full_progress_rows, run_check, valid_id

from pipeline import benefits, context, frames, quarter

PERSON_ROW = ["001", "张一", valid_id(seq=1), "户主", "湖坊镇", "东社区", "低保", 260, None, None, None, None, None,
              None, "否", "2018-01", None]


@pytest.fixture
def small(book, matrix):
    """A quarter of one progress report and one roster, to run check() on."""
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    book.roster("湖坊镇台账.xlsx", "湖坊镇", [PERSON_ROW])
    return book.folder.parent.parent


@pytest.mark.parametrize("module, name, stage", [
    (quarter, "PROGRESS_READ", "read"), (quarter, "PERSON_READ", "read"),
    (quarter, "PROGRESS_FRAME", "assemble"), (quarter, "PERSON", "assemble"),
    (benefits, "HOUSEHOLD", "compute"), (benefits, "PAID_PERSON", "compute"),
    (context, "SHOWN_PERSON", "context"), (context, "SHOWN_HOUSEHOLD", "context"),
])
def test_a_stage_handing_on_a_frame_without_a_declared_column_stops_naming_the_stage_and_column(
        small, monkeypatch, module, name, stage):
    declared = getattr(module, name)
    monkeypatch.setattr(module, name, declared.extend(declared.name, frames.Column("not_there", frames.FEN, "测试")))
    with pytest.raises(frames.FrameError) as exc:
        run_check(small)
    message = str(exc.value)
    assert f"环节“{stage}”" in message and "not_there" in message and declared.name in message


def test_a_column_of_the_wrong_kind_is_named_with_its_kind(small, monkeypatch):
    declared = benefits.HOUSEHOLD.extend("救助户（测算）", frames.Column("explanation", frames.FEN, "测试"),
                                         drop=("explanation",))
    monkeypatch.setattr(benefits, "HOUSEHOLD", declared)
    with pytest.raises(frames.FrameError, match="列 explanation（测试）应为 fen"):
        run_check(small)


def test_every_stage_of_a_real_quarter_hands_on_its_declared_columns(small):
    r = run_check(small)
    assert r.benefits.total_fen == (670 - 260) * 3 * 100
    for frame, declared in ((r.quarter.progress, frames.PROGRESS), (r.quarter.roster, frames.PERSON),
                            (r.benefits.persons, frames.PAID_PERSON), (r.benefits.households, frames.HOUSEHOLD),
                            (r.context.persons, frames.SHOWN_PERSON), (r.context.households, frames.SHOWN_HOUSEHOLD)):
        assert set(declared.names) <= set(frame.columns)


def test_an_empty_roster_still_hands_on_declared_frames(book, matrix):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    r = run_check(book.folder.parent.parent)
    assert len(r.context.persons) == 0 and set(frames.SHOWN_PERSON.names) <= set(r.context.persons.columns)


def test_renderers_see_no_reader_private_column(small):
    r = run_check(small)
    for frame in (r.context.persons, r.context.households):
        assert [c for c in frame.columns if c.startswith("_")] == []
    # The location columns reach a renderer only under their shown names.
    private = re.compile(r"""["'](_file|_sheet|_row|_household_row)["']""")
    offenders = [p.name for p in (ROOT / "pipeline" / "report").rglob("*.py") if private.search(p.read_text("utf-8"))]
    assert offenders == []
