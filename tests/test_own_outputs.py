"""jiekun's own outputs dropped back into the input are skipped with one line each, its forms are still read, and an
unknown unit's name is answered with the closest known ones."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, TODAY, full_progress_rows, run_check
from test_browser import demo_outputs
from test_runstop import household

from pipeline.outbox import write_forms
from pipeline.reader import ReadContext, read_file
from pipeline.reader.own_outputs import OUTPUT, own_output
from pipeline.units import closest_units


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    return demo_outputs(tmp_path_factory)


def drop_outputs(outputs: dict[str, Path], folder: Path) -> list[str]:
    """Copy every output of the demo runs (the quarter, the year-end and the city roll-up) under `folder`."""
    names = []
    for run, out in outputs.items():
        for path in sorted(out.rglob("*")):
            if path.is_file():
                target = folder / "旧输出" / run / path.relative_to(out)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
                names.append(target.relative_to(folder).as_posix())
    return names


def test_every_output_dropped_into_the_input_is_one_skipped_line(outputs, project, book, quarter_dir):
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1, 2, 3]))
    alone = run_check(project)
    dropped = drop_outputs(outputs, quarter_dir)
    assert {"调度报告-2019Q2.xlsx", "半年通报-2019H1.xlsx", "年度考核-2019.xlsx", "半年通报-2019H2.docx", "summary.json",
            "manifest.json", "findings.csv", "对象明细-2019Q2.parquet", "调度报告-2019Q2.html"} <= \
        {Path(n).name for n in dropped}
    assert any("/退回/" in n for n in dropped) and any("市级汇总" in n for n in dropped)
    result = run_check(project)
    lines = {i.file: i for i in result.context.inputs if i.file in dropped}
    assert set(lines) == set(dropped)
    assert {i.kind for i in lines.values()} == {OUTPUT} and all("jiekun 生成的" in i.note for i in lines.values())
    assert not [f for f in result.findings if f.file in dropped]
    assert (result.errors, result.context.total_fen) == (alone.errors, alone.context.total_fen)


@pytest.mark.parametrize("sheets, skipped", [
    (["总览", "任务进展", "问题清单", "读取核对"], True),
    (["问题反馈"], True),
    (["主要指标对比", "资金累计", "单位排名"], True),
    (["考核得分", "季度明细", "考核办法"], True),
    (["总览"], False),                       # a unit's own overview sheet is read as usual
    (["问题反馈", "进展情况"], False),
])
def test_an_older_unstamped_output_is_known_by_its_sheets(tmp_path, sheets, skipped):
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    wb.save(tmp_path / "旧.xlsx")
    assert (own_output(tmp_path / "旧.xlsx") is not None) == skipped


def test_a_form_from_jiekun_forms_is_read_back_as_a_report(project, config):
    shutil.copytree(ROOT / "input" / "2019Q2", project / "input" / "2019Q2", dirs_exist_ok=True)
    folder = write_forms(config_path=project / "config.toml", input_dir=project / "input",
                         output_dir=project / "output", today=TODAY).folder
    progress = next(folder.rglob("*进展情况表.xlsx"))
    roster = next(folder.rglob("*救助对象台账.xlsx"))
    for form, kind in ((progress, "progress"), (roster, "roster")):
        assert "jiekun_output" in openpyxl.load_workbook(form).custom_doc_props.names    # stamped as a form
        assert own_output(form) is None
        read = read_file(form, ReadContext(form.name, config.registry, config.status_words, TODAY))
        assert read.kind == "file" and kind in {s.kind for s in read.sheets}


def test_the_closest_known_units_are_offered(config):
    reg = config.registry
    assert closest_units(reg, "京冬镇") == ("京东镇",)
    assert closest_units(reg, "湖方镇") == ("湖坊镇",)
    assert closest_units(reg, "区卫建委") == ("区卫健委",)
    assert closest_units(reg, "某某公司") == ()
    assert len(closest_units(reg, "街道")) <= 3


def test_an_unknown_unit_names_the_closest_one(project, book):
    book.progress("某单位.xlsx", "京冬镇", "2019-06-18", full_progress_rows([1]))
    book.roster("台账.xlsx", "不知名", [household("京冬镇")])
    book.progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    messages = {f.message for f in run_check(project).findings if f.code == "unknown-unit"}
    assert messages == {"无法识别填报单位“京冬镇”（最接近的是：京东镇），本表未计入汇总。",
                        "无法识别所属镇街“京冬镇”（最接近的是：京东镇），该户（第4行）未计入汇总；请在“所属镇街”列或表头上方“填报单位”写明镇街名称。"}
