"""summary.json has one typed model (pipeline/summary_model.py): the writer builds it, the roll-up reads through it."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline import StopRun, run
from pipeline.district_summary import read_summary

REFUSED = "，该区的汇总结果不可信，已停止；请让该区重新运行 jiekun run 后再报送。"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, frozenset[int]]:
    """Run the shipped 2019Q2 (its Q1 is there, so the changes' households are written too)."""
    result = run(config_path=ROOT / "config.toml", input_dir=ROOT / "input",
                 output_dir=tmp_path_factory.mktemp("out"), period="2019Q2", cache=False)
    return result.output_dir / "summary.json", frozenset(result.matrix.numbers)


def round_trip(path: Path, tasks: frozenset[int]) -> str:
    from pipeline import typed_json

    return typed_json.dumps(read_summary(path, tasks))


def test_a_written_summary_reads_back_through_the_model_unchanged(written):
    path, tasks = written
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["changes"]["entered_households"], "the run should write every part of the model"
    assert round_trip(path, tasks) == text


def test_the_round_trip_sees_a_field_the_model_drops(written, monkeypatch):
    """What the first test holds: were the model to drop a field, the document read back would lack it."""
    from pipeline import summary_model, typed_json

    fields = typed_json._fields
    monkeypatch.setattr(typed_json, "_fields", lambda cls: tuple(
        f for f in fields(cls) if (cls, f[1]) != (summary_model.Unit, "exemplary")))
    path, tasks = written
    text = path.read_text(encoding="utf-8")
    again = round_trip(path, tasks)
    assert again != text and '"exemplary"' in text and '"exemplary"' not in again


def _edited(path: Path, tmp: Path, change) -> Path:
    copy = shutil.copytree(path.parent, tmp / "东湖区" / path.parent.name)
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    change(summary)
    (copy / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return copy / "summary.json"


@pytest.mark.parametrize(("change", "field", "problem"), [
    (lambda s: s["units"][0].update(completeness="97.5"), r"units\[0\]\.completeness", "应是数字，却是文字 “97.5”"),
    (lambda s: s["inputs"][2].update(rows_read=True), r"inputs\[2\]\.rows_read", "应是整数，却是真假值 true"),
    (lambda s: s["changes"]["moves"].append({"from": "湖坊镇", "to": "京东镇", "months": [4], "paid_twice": "670"}),
     r"changes\.moves\[\d+\]\.paid_twice", "应是金额（数字），却是文字 “670”"),
    (lambda s: s["tasks"][5].update(reason=3), r"tasks\[5\]\.reason", "应是文字，却是数字 3"),
], ids=["float-as-text", "count-as-bool", "money-as-text", "enum-as-number"])
def test_a_district_summary_with_a_wrong_typed_field_is_refused_naming_it(written, tmp_path, change, field, problem):
    """Fields the city does not add up are held to their type too: the model reads the whole document."""
    path, tasks = written
    edited = _edited(path, tmp_path, change)
    with pytest.raises(StopRun) as stopped:
        read_summary(edited, tasks)
    assert re.fullmatch(rf"{re.escape(str(edited))} 中 {field} {problem}{REFUSED}", stopped.value.message)
