"""`jiekun rollup`: three districts' quarters, each run on its own, added up into one city workbook and report.

The three districts are demo projects with their own office and their own seed, so their people and money differ.
Every expected figure is computed here from the districts' own summary.json, in fen.
"""
from __future__ import annotations

import json
import re
import shutil
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
                     period=PERIOD)
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
    (_tampered, r"西湖区/summary\.json 中 benefits\.total 为 1\.00 元，与 by_unit 各行金额之和 [\d,.]+ 元不符"),
], ids=["periods-differ", "no-summary", "same-district-twice", "output-inside-a-district", "parts-do-not-add-up"])
def test_a_bad_roll_up_stops_with_one_plain_sentence(folders, tmp_path, make, words):
    inputs, output = make(folders, tmp_path)
    result = CliRunner().invoke(main, ["rollup", *map(str, inputs), "--output", str(output), "--config", str(CONFIG)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert re.search(words, result.output), result.output
    assert not (output / f"{PERIOD}-汇总").exists()


# --- a district's summary.json is held to the contract before anything is merged ----------------------------------

REFUSED = "，该区的汇总结果不可信，已停止；请让该区重新运行 jiekun run 后再报送。"


def _changed(change):
    """Return an edit that loads summary.json, lets `change` alter the document, and writes it back as JSON."""
    def edit(path: Path) -> None:
        summary = json.loads(path.read_text(encoding="utf-8"))
        change(summary)
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return edit


def _replaced(old: str, new: str):
    def edit(path: Path) -> None:
        _edit_summary(path.parent, old, new)
    return edit


def _set(*path_and_value):
    *path, value = path_and_value

    def change(summary: dict) -> None:
        node = summary
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value(node[path[-1]]) if callable(value) else value
    return _changed(change)


def _written(data: bytes):
    return lambda path: path.write_bytes(data)


def _without_task(number: int):
    return _changed(lambda s: s.update(tasks=[t for t in s["tasks"] if t["task"] != number]))


def _duplicate_unit(s: dict) -> None:
    s["units"][1]["unit"] = s["units"][0]["unit"]


def _item_off_by_a_fen(s: dict) -> None:
    items = s["benefits"]["by_unit"][0]["items"]
    items["差额"] = round(items["差额"] + 0.01, 2)


@pytest.mark.parametrize(("edit", "field", "problem"), [
    (_set("benefits", "by_unit", 3, "amount", -120.0), r"benefits\.by_unit\[3\]\.amount", r"为负数（-120\.00）"),
    (_set("benefits", "by_unit", 1, "households", -5), r"benefits\.by_unit\[1\]\.households", r"为负数（-5）"),
    (_changed(_item_off_by_a_fen), r"benefits\.by_unit\[0\]\.items",
     r"各项之和 [\d,]+\.\d\d 元与 amount [\d,]+\.\d\d 元不符"),
    (_set("benefits", "by_unit", 0, "amount", 1.005), r"benefits\.by_unit\[0\]\.amount", r"为 1\.005，金额最多两位小数"),
    (_set("tasks", lambda tasks: tasks * 50), r"tasks\[59\]\.task", r"为第1条，与 tasks\[0\] 重复"),
    (_without_task(7), "tasks", r"列了 58 条任务，任务分工表（matrix\.toml）有 59 条，缺第7条"),
    (_set("tasks", 3, "task", 60), r"tasks\[3\]\.task", "为第60条，任务分工表（matrix.toml）中没有这一条"),
    (_set("tasks", 2, "light", "blue"), r"tasks\[2\]\.light", "为 “blue”，只能是 green、yellow、red 之一"),
    (_set("tasks", 0, "status_counts", "已完成", -1), r"tasks\[0\]\.status_counts\.已完成", r"为负数（-1）"),
    (_set("benefits", "total", "4663231.50"), r"benefits\.total", "应是金额（数字），却是文字 “4663231.50”"),
    (_set("benefits", "gap_person_months", "12"), r"benefits\.gap_person_months", "应是整数，却是文字 “12”"),
    (_set("units", 0, "assigned_tasks", True), r"units\[0\]\.assigned_tasks", "应是整数，却是真假值 true"),
    (_set("benefits", "by_unit", 2, "amount", False), r"benefits\.by_unit\[2\]\.amount", "应是金额（数字），却是真假值 false"),
    (_set("benefits", "total", float("nan")), r"benefits\.total", r"应是金额（数字），却是NaN（不是有效数字）"),
    (_set("benefits", "gap_person_months", float("inf")), r"benefits\.gap_person_months",
     r"应是整数，却是Infinity（不是有效数字）"),
    (_changed(_duplicate_unit), r"units\[1\]\.unit", r"为 “.+”，与 units\[0\] 重复，每个单位只能列一次"),
    (_set("period", "2019Q5"), "period", "为 “2019Q5”，不是 2019Q1 这样的季度"),
    (_set("benefits", "gap", lambda gap: round(gap + 1, 2)), r"benefits\.gap",
     r"为 [\d,.]+ 元，与 by_unit 各行差额之和 [\d,.]+ 元不符"),
    (_set("benefits", "by_unit", lambda rows: rows + rows[:1]), r"benefits\.by_unit\[\d+\]",
     r"与 benefits\.by_unit\[0\] 同为 “.+” 的.+，同一单位同一类别只能列一行"),
    (_set("findings", "by_code", "id-invalid", 99), r"findings\.by_code", r"各代码条数之和 \d+ 与 errors、warnings、infos 之和"),
    (_set("benefits", "by_unit", 0, "items", "特困供养", 1.0), r"benefits\.by_unit\[0\]\.items\.特困供养",
     "不是低保的救助项目"),
    (_set("benefits", "by_unit", "rows"), r"benefits\.by_unit", "应是列表，却是文字 “rows”"),
    (_changed(lambda s: s.pop("office")), "office", "缺失"),
    (_set("district", "东湖区" * 100), "district", "有 300 个字符，过长"),
    (_set("findings", "by_code", {f"code-{i}": 0 for i in range(10_001)}), r"findings\.by_code", "有 10001 项，超出合理范围"),
    (_replaced('"period": "2019Q1"', '"period": "2019Q1",\n  "period": "2019Q2"'), "period",
     "写了两次，无法确定该用哪一个"),
], ids=["negative-amount", "negative-count", "items-do-not-add-up", "three-decimals", "tasks-repeated-50-times",
        "task-count-differs", "task-not-in-matrix", "light-not-allowed", "negative-status-count", "string-as-money",
        "string-as-count", "bool-as-count", "bool-as-money", "nan", "infinity", "duplicate-unit", "bad-period",
        "gap-not-the-items", "by-unit-row-twice", "codes-do-not-add-up", "item-of-another-category",
        "list-not-a-list", "missing-field", "name-too-long", "too-many-codes",
        "key-written-twice"])
def test_a_district_summary_off_the_contract_is_refused_naming_the_file_and_field(folders, tmp_path, edit, field,
                                                                                  problem):
    copy = shutil.copytree(folders["东湖区"], tmp_path / "各区" / "东湖区" / PERIOD)
    edit(copy / "summary.json")
    result = CliRunner().invoke(main, ["rollup", str(folders["青山湖区"]), str(copy), "--output", str(tmp_path / "out"),
                                       "--config", str(CONFIG)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    file = re.escape(str(copy / "summary.json"))
    assert re.fullmatch(rf"{file} 中 {field} {problem}.*{REFUSED}", result.output.strip()), result.output
    assert "各区/东湖区/2019Q1/summary.json 中 " in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("content", "problem"), [
    ('[{"period": "2019Q1"}]', "的内容是列表（1项），不是 JSON 对象"),
    ('{"period": "2019Q1", "benefits": ', r"不是有效的 JSON（第 1 行第 \d+ 列：.+），可能已损坏"),
    ('{"period": "2019Q1", "n": 1' + "0" * 5000 + "}", r"不是有效的 JSON（数字位数过多或嵌套过深）"),
    ("[" * 100_000, r"不是有效的 JSON（数字位数过多或嵌套过深）"),
    ('{"period": "2019年第一季度"}'.encode("gbk"), r"不是 UTF-8 编码的文本（第 \d+ 个字节起无法解码）"),
], ids=["a-list", "cut-short", "huge-number", "deep-nesting", "gbk"])
def test_a_summary_that_is_not_a_json_object_in_utf8_is_refused(folders, tmp_path, content, problem):
    copy = shutil.copytree(folders["东湖区"], tmp_path / "东湖区")
    (copy / "summary.json").write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(StopRun) as stopped:
        rollup([folders["青山湖区"], copy], output_dir=tmp_path / "out", config_path=CONFIG)
    assert re.fullmatch(rf"{re.escape(str(copy / 'summary.json'))} {problem}{REFUSED}", stopped.value.message)


def test_a_summary_past_the_size_cap_is_refused_unread(folders, tmp_path, monkeypatch):
    from pipeline import district_summary
    copy = shutil.copytree(folders["东湖区"], tmp_path / "东湖区")
    monkeypatch.setattr(district_summary, "MAX_BYTES", (copy / "summary.json").stat().st_size - 1)
    with pytest.raises(StopRun, match=rf"东湖区/summary\.json 超过 0 MB，不像是 jiekun 写出的 summary\.json{REFUSED}"):
        rollup([folders["青山湖区"], copy], output_dir=tmp_path / "out", config_path=CONFIG)
