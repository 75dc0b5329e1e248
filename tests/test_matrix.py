"""The task-division matrix as we read the seed: 59 tasks, 33 reporting units, the pinned expansion."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_59_tasks_and_33_reporting_units(matrix, config):
    assert [t.number for t in matrix.tasks] == list(range(1, 60))
    reporting = {u.name for u in config.registry.reporting}
    assigned = set(matrix.assignments()["unit"]) & reporting
    assert len(reporting) == 33 and assigned == reporting


def test_group_expansion_pins(matrix, config):
    for unit in config.registry.of_kinds(("subdistrict", "park")):
        assert len(matrix.tasks_of(unit.name)) == 59, unit.name
    for unit in config.registry.of_kinds(("town",)):
        assert len(matrix.tasks_of(unit.name)) == 46, unit.name
        assert not set(range(13, 26)) & set(matrix.tasks_of(unit.name))
    assert len(matrix.tasks_of("区民政局")) == 51
    assert matrix.tasks_of("区科工局") == [38]


def test_lead_units_and_interpretation_notes(matrix):
    assert matrix.task(50).lead == ("区财政局", "区审计局")
    assert matrix.task(38).lead == ("区民政局", "区总工会")
    assert "区总工会" not in matrix.task(38).responsible   # a lead unit is counted once, as lead
    assert matrix.task(21).responsible[0] == "青山路街道" and matrix.task(21).note
    assert matrix.task(12).category == "切实拓宽就业创业致富渠道"
    assert matrix.task(1).measure.startswith("城镇最低生活保障标准")


def test_non_reporting_units_are_named_but_file_nothing(config, matrix):
    assert not config.registry.get("区委").reports
    assert "区委" in matrix.task(45).responsible


@pytest.mark.parametrize("loose, canonical", [
    ("湖坊", "湖坊镇"), ("湖坊镇人民政府", "湖坊镇"), ("青山湖区湖坊镇", "湖坊镇"), ("青山湖区民政局", "区民政局"),
    ("民政局", "区民政局"), ("高新区", "高新园区"), ("青山路街道办事处", "青山路街道"), ("南钢", "南钢街道"),
    ("区人力资源和社会保障局", "区人社局"), ("湖坊 镇", "湖坊镇"),
])
def test_loose_unit_names_match(config, loose, canonical):
    assert config.registry.match(loose).name == canonical


def test_unknown_names_do_not_match(config):
    assert config.registry.match("某某办") is None
    assert config.registry.match("") is None


def test_matrix_export_round_trips(tmp_path, matrix):
    import openpyxl

    from pipeline.report.matrix_export import write_matrix_xlsx
    path = tmp_path / "m.xlsx"
    write_matrix_xlsx(matrix, path)
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 59 and rows[49][0] == 50 and rows[49][3] == "区财政局、区审计局"
