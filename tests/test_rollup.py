"""`jiekun rollup`: three districts' quarters, each run on its own, added up into one city workbook and report.

The three districts are demo projects with their own office and their own seed, so their people and money differ.
Every expected figure is computed here from the districts' own summary.json, in fen.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, demo_project

from pipeline import StopRun, rollup, run
from pipeline.cli import main
from pipeline.money import fmt_grouped

DISTRICTS = {"青山湖区": 1000, "东湖区": 1001, "西湖区": 1002}
PERIOD = "2019Q1"
CONFIG = ROOT / "config.toml"       # the city's own config: [office] city = 南昌市
SHEETS = ["总览", "单位报送", "资金测算", "人均补差", "任务灯色", "问题统计"]
LIGHT_WORDS = {"green": "绿", "yellow": "黄", "red": "红"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Run each district's 2019Q1 on its own project; return each district's output/2019Q1 folder."""
    out = {}
    for district, seed in DISTRICTS.items():
        root = demo_project(tmp_path_factory.mktemp(district), 1, district=district, seed=seed)
        result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                     period=PERIOD, today=date(2019, 4, 2))
        out[district] = result.output_dir
    return out


@pytest.fixture(scope="module")
def summaries(folders) -> dict[str, dict]:
    return {d: json.loads((f / "summary.json").read_text(encoding="utf-8"), parse_float=Decimal)
            for d, f in folders.items()}


@pytest.fixture(scope="module")
def rolled(folders, tmp_path_factory):
    return rollup(list(folders.values()), output_dir=tmp_path_factory.mktemp("city"), config_path=CONFIG,
                  detail=True)


def fen(yuan: Decimal | int) -> int:
    cents = Decimal(yuan) * 100
    assert cents == cents.to_integral_value(), yuan     # summary.json money has at most two decimals
    return int(cents)


def half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def category_sums(summary: dict) -> dict[str, dict[str, int]]:
    """Add a district's by_unit rows up per category, in fen."""
    out: dict[str, dict[str, int]] = {}
    for row in summary["benefits"]["by_unit"]:
        acc = out.setdefault(row["category"], {"households": 0, "persons": 0, "person_months": 0, "amount": 0})
        for key in ("households", "persons", "person_months"):
            acc[key] += row[key]
        acc["amount"] += fen(row["amount"])
    return out


def test_the_three_districts_differ(summaries):
    assert len({fen(s["benefits"]["total"]) for s in summaries.values()}) == 3
    assert [s["district"] for s in summaries.values()] == list(DISTRICTS)


def test_city_totals_are_the_sums_of_the_district_summaries_in_fen(rolled, summaries):
    city = rolled.city
    assert city.total.amount_fen == sum(fen(s["benefits"]["total"]) for s in summaries.values())
    for key in ("households", "persons", "person_months"):
        assert getattr(city.total, key) == sum(s["benefits"][key] for s in summaries.values())
    expected = {}
    for s in summaries.values():
        for category, sums in category_sums(s).items():
            acc = expected.setdefault(category, dict.fromkeys(sums, 0))
            for key, value in sums.items():
                acc[key] += value
    got = {c.value: {"households": t.households, "persons": t.persons, "person_months": t.person_months,
                     "amount": t.amount_fen} for c, t in city.categories}
    assert got == expected
    written = json.loads((rolled.output_dir / "summary.json").read_text(encoding="utf-8"), parse_float=Decimal)
    assert fen(written["benefits"]["total"]) == city.total.amount_fen
    assert {r["category"]: fen(r["amount"]) for r in written["benefits"]["by_category"]} == \
        {c: v["amount"] for c, v in expected.items()}


def test_each_district_row_is_its_own_summary(rolled, summaries):
    assert rolled.city.names == tuple(DISTRICTS)
    for d in rolled.city.districts:
        s = summaries[d.name]
        assert d.office == s["office"] and d.office.startswith(d.name)
        assert d.total.amount_fen == fen(s["benefits"]["total"])
        assert {c.value: t.amount_fen for c, t in d.categories} == {c: v["amount"] for c, v in category_sums(s).items()}
        states = [u["submission"] for u in s["units"]]
        assert (d.submissions.units, d.submissions.on_time, d.submissions.late, d.submissions.missing) == \
            (len(states), states.count("on_time"), states.count("late"), states.count("missing"))
        lights = [t["light"] for t in s["tasks"]]
        assert (d.lights.green, d.lights.yellow, d.lights.red) == \
            (lights.count("green"), lights.count("yellow"), lights.count("red"))
        assert (d.findings.errors, d.findings.warnings, d.findings.by_code) == \
            (s["findings"]["errors"], s["findings"]["warnings"], s["findings"]["by_code"])
        assert d.avg_subsidy_fen == fen(s["benefits"]["avg_subsidy_per_person"])


def test_task_lights_count_the_districts_per_task(rolled, summaries):
    city = rolled.city
    assert len(city.tasks) == 59
    for row in city.tasks:
        lights = [next(t["light"] for t in s["tasks"] if t["task"] == row.task) for s in summaries.values()]
        assert [light.value for light in row.lights] == lights
        assert (row.counts.red, row.counts.yellow, row.counts.green) == \
            (lights.count("red"), lights.count("yellow"), lights.count("green"))


def test_city_avg_subsidy_is_recomputed_from_the_parts_not_averaged(rolled, summaries):
    gap = sum(fen(s["benefits"]["gap"]) for s in summaries.values())
    months = sum(s["benefits"]["gap_person_months"] for s in summaries.values())
    expected = half_up(gap, months)
    averaged = half_up(sum(fen(s["benefits"]["avg_subsidy_per_person"]) for s in summaries.values()), len(summaries))
    assert expected != averaged          # so an average of the districts' averages would fail the next line
    assert rolled.city.avg_subsidy_fen == expected
    written = json.loads((rolled.output_dir / "summary.json").read_text(encoding="utf-8"), parse_float=Decimal)
    assert fen(written["benefits"]["avg_subsidy_per_person"]) == expected
    assert (fen(written["benefits"]["gap"]), written["benefits"]["gap_person_months"]) == (gap, months)
    html = (rolled.output_dir / f"市级汇总-{PERIOD}.html").read_text(encoding="utf-8")
    assert f"{fmt_grouped(gap)}元 ÷ {months}人·月 = {fmt_grouped(expected)}元/人·月" in html


def rows_of(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=3, values_only=True)]


def test_workbook_has_the_sheets_and_values_and_no_formula(rolled, summaries):
    city = rolled.city
    assert rolled.written[:3] == (f"市级汇总-{PERIOD}.xlsx", f"市级汇总-{PERIOD}.html", "summary.json")
    wb = openpyxl.load_workbook(rolled.output_dir / f"市级汇总-{PERIOD}.xlsx")
    assert wb.sheetnames == SHEETS
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not str(cell.value or "").startswith("="), (ws.title, cell.coordinate)
    money = {(r[0], r[1]): r for r in rows_of(wb["资金测算"])}
    for name, s in summaries.items():
        for category, sums in category_sums(s).items():
            row = money[name, category]
            assert (row[2], row[3], row[4]) == (sums["households"], sums["persons"], sums["person_months"])
            assert fen(Decimal(str(row[-1]))) == sums["amount"]
    assert money["全市合计", None][-1] == pytest.approx(city.total.amount_fen / 100, abs=1e-9)
    avg = {r[0]: r for r in rows_of(wb["人均补差"]) if r[0] in (*DISTRICTS, "全市")}
    assert fen(Decimal(str(avg["全市"][3]))) == city.avg_subsidy_fen
    assert avg["全市"][2] == sum(s["benefits"]["gap_person_months"] for s in summaries.values())
    for name, s in summaries.items():
        assert fen(Decimal(str(avg[name][3]))) == fen(s["benefits"]["avg_subsidy_per_person"])
    units = {r[0]: r for r in rows_of(wb["单位报送"])}
    assert units["全市"][1:6] == (city.submissions.units, city.submissions.submitted, city.submissions.on_time,
                                  city.submissions.late, city.submissions.missing)
    lights = {r[0]: r for r in rows_of(wb["任务灯色"])}
    for task in range(1, 60):
        assert list(lights[task][2:5]) == [LIGHT_WORDS[next(t["light"] for t in s["tasks"] if t["task"] == task)]
                                           for s in summaries.values()]
    assert lights["红灯（项）"][2:6] == (*(d.lights.red for d in city.districts), city.lights.red)


def test_html_is_offline_escaped_and_holds_no_personal_data(rolled, folders):
    html = (rolled.output_dir / f"市级汇总-{PERIOD}.html").read_text(encoding="utf-8")
    assert "南昌市城镇贫困群众脱贫解困工作领导小组办公室" in html
    assert all(f'<th class="c">{name}</th>' in html for name in DISTRICTS)
    assert not re.search(r"\d{17}[\dXx]", html)
    ids = set()
    for folder in folders.values():
        persons = pd.read_parquet(folder / f"对象明细-{PERIOD}.parquet", columns=["id_number", "name"])
        ids |= {i for i in persons["id_number"].dropna() if len(i) >= 15}
        assert not any(n in html for n in persons["name"].dropna() if len(n) >= 3)
    assert ids and not any(i in html for i in ids)
    assert not re.search(r"https?:|<script|<link|<img|@import|url\(|src=", html, re.I)


def test_html_escapes_what_a_summary_says(folders, tmp_path):
    folder = shutil.copytree(folders["东湖区"], tmp_path / "东湖区")
    text = (folder / "summary.json").read_text(encoding="utf-8")
    (folder / "summary.json").write_text(text.replace('"district": "东湖区"', '"district": "<b>东湖区</b>"', 1),
                                         encoding="utf-8")
    result = rollup([folders["青山湖区"], folder], output_dir=tmp_path / "city", config_path=CONFIG)
    html = (result.output_dir / f"市级汇总-{PERIOD}.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;东湖区&lt;/b&gt;" in html and "<b>东湖区" not in html


def test_detail_holds_every_person_of_the_three_districts_with_their_district(rolled, folders):
    merged = pd.read_parquet(rolled.output_dir / f"对象明细-{PERIOD}-汇总.parquet")
    assert list(merged.columns[:2]) == ["district", "period"]
    parts = {d: pd.read_parquet(f / f"对象明细-{PERIOD}.parquet") for d, f in folders.items()}
    assert len(merged) == rolled.detail_rows == sum(len(p) for p in parts.values())
    for district, part in parts.items():
        mine = merged[merged["district"] == district]
        assert sorted(mine["id_number"].dropna()) == sorted(part["id_number"].dropna())
        assert int(mine["amount_fen"].sum()) == int(part["amount_fen"].sum())
    assert int(merged["amount_fen"].sum()) == rolled.city.total.amount_fen


def test_without_detail_the_parquet_is_never_read(folders, tmp_path):
    bare = shutil.copytree(folders["西湖区"], tmp_path / "西湖区")
    (bare / f"对象明细-{PERIOD}.parquet").unlink()
    result = rollup([folders["东湖区"], bare], output_dir=tmp_path / "city", config_path=CONFIG)
    assert result.detail_rows is None and not list(result.output_dir.glob("*.parquet"))
    with pytest.raises(StopRun, match="西湖区.*没有对象明细"):
        rollup([folders["东湖区"], bare], output_dir=tmp_path / "city2", config_path=CONFIG, detail=True)


def test_the_same_districts_give_the_same_bytes(rolled, folders, tmp_path):
    again = rollup(list(folders.values()), output_dir=tmp_path, config_path=CONFIG, detail=True)
    for name in rolled.written:
        assert (again.output_dir / name).read_bytes() == (rolled.output_dir / name).read_bytes(), name


def test_cli_prints_the_city_figures(folders, rolled, tmp_path):
    result = CliRunner().invoke(main, ["rollup", *map(str, folders.values()), "--output", str(tmp_path),
                                       "--config", str(CONFIG)])
    assert result.exit_code == 0, result.output
    city = rolled.city
    assert f"2019年第一季度3个区汇总完成，报告已写入 {tmp_path / f'{PERIOD}-汇总'}/" in result.output
    assert f"资金测算：{fmt_grouped(city.total.amount_fen)} 元，{city.total.households} 户 {city.total.persons} 人" \
        in result.output
    assert f"= {fmt_grouped(city.avg_subsidy_fen)} 元（各区：青山湖区 " in result.output


def _edit_summary(folder: Path, old: str, new: str) -> None:
    text = (folder / "summary.json").read_text(encoding="utf-8")
    assert old in text
    (folder / "summary.json").write_text(text.replace(old, new, 1), encoding="utf-8")


def _other_period(folders, tmp):
    copy = shutil.copytree(folders["东湖区"], tmp / "东湖区" / "2019Q2")
    _edit_summary(copy, '"period": "2019Q1"', '"period": "2019Q2"')
    return [folders["青山湖区"], copy], tmp / "out"


def _no_summary(folders, tmp):
    (tmp / "西湖区" / PERIOD).mkdir(parents=True)
    return [folders["青山湖区"], tmp / "西湖区" / PERIOD], tmp / "out"


def _twice(folders, tmp):
    return [folders["青山湖区"], shutil.copytree(folders["青山湖区"], tmp / "copy")], tmp / "out"


def _inside(folders, tmp):
    return [folders["青山湖区"], folders["东湖区"]], folders["东湖区"] / "汇总"


def _tampered(folders, tmp):
    copy = shutil.copytree(folders["西湖区"], tmp / "西湖区")
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    _edit_summary(copy, f'"total": {summary["benefits"]["total"]}', '"total": 1.0')
    return [folders["青山湖区"], copy], tmp / "out"


@pytest.mark.parametrize(("make", "words"), [
    (_other_period, r"季度不一致：青山湖区 2019Q1.*东湖区 2019Q2"),
    (_no_summary, r"西湖区/2019Q1 中没有 summary\.json"),
    (_twice, r"青山湖区出现了两次"),
    (_inside, r"输出目录 .*东湖区.* 就是要汇总的文件夹 .* 或在它里面"),
    (_tampered, r"西湖区 的 summary\.json 中各单位金额之和 [\d,.]+ 元与总额 1\.00 元不符"),
], ids=["periods-differ", "no-summary", "same-district-twice", "output-inside-a-district", "parts-do-not-add-up"])
def test_a_bad_roll_up_stops_with_one_plain_sentence(folders, tmp_path, make, words):
    inputs, output = make(folders, tmp_path)
    result = CliRunner().invoke(main, ["rollup", *map(str, inputs), "--output", str(output), "--config", str(CONFIG)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert re.search(words, result.output), result.output
    assert not (output / f"{PERIOD}-汇总").exists()
