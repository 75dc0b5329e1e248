"""A run is the declared list dispatch.STAGES, walked in order; `check` walks dispatch.CHECKING."""
from __future__ import annotations

from dataclasses import replace

from conftest import full_progress_rows

from pipeline import check, dispatch, run
from pipeline.report.catalogue import REPORTS

NAMES = ["read", "assemble", "compute", "check", "compare", "contextualise", "render", "commit"]


def traced(stages, walked: list):
    """Return the stages, each noting (its name, the quarter) as it starts."""
    def wrap(stage):
        def do(session, p):
            walked.append((stage.name, str(p.period)))
            stage.do(session, p)
        return replace(stage, do=do)
    return tuple(wrap(s) for s in stages)


def test_run_walks_the_declared_stages_in_order_and_times_each(project, book, matrix, monkeypatch):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    walked: list = []
    monkeypatch.setattr(dispatch, "STAGES", traced(dispatch.STAGES, walked))
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2")
    assert [s.name for s in dispatch.STAGES] == NAMES
    assert [name for name, period in walked if period == "2019Q2"] == NAMES
    due = [r.name for r in REPORTS if r.due.applies(result.period)]
    assert list(result.timings) == NAMES + due
    assert all(seconds >= 0 for seconds in result.timings.values())


def test_a_stage_added_to_the_list_is_walked_where_it_stands(project, book, matrix, monkeypatch):
    """`run` takes its steps from STAGES alone: a stage put in the list runs, between its neighbours."""
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    seen = []
    toy = dispatch.Stage("toy", lambda session, p: seen.append(len(p.findings)))
    stages = list(dispatch.STAGES)
    stages.insert(NAMES.index("contextualise"), toy)
    monkeypatch.setattr(dispatch, "STAGES", tuple(stages))
    result = run(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                 period="2019Q2")
    assert seen == [len(result.findings)]
    assert list(result.timings)[:len(stages)] == [s.name for s in stages]


def test_check_walks_the_checking_stages_only(project, book, matrix):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows(matrix.tasks_of("湖坊镇")))
    result = check(config_path=project / "config.toml", input_dir=project / "input", output_dir=project / "output",
                   period="2019Q2")
    assert list(result.timings) == ["read", "assemble", "compute", "check", "contextualise"]
    assert result.context.changes is None
    assert not (project / "output" / "2019Q2").exists()
