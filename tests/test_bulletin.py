"""The half-year bulletin of a four-quarter demo year, held against the quarters' own summary.json and findings.csv."""
from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import demo_project

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2020, 1, 5)
HALVES = {"2019Q2": ("2019H1", ("2019Q1", "2019Q2")), "2019Q4": ("2019H2", ("2019Q3", "2019Q4"))}
_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Write the four-quarter demo once and run every quarter of it; return the project folder and the results."""
    from pipeline import run
    root = demo_project(tmp_path_factory.mktemp("year"), quarters=4)
    results = {q: run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                      period=q) for q in ("2019Q1", "2019Q2", "2019Q3", "2019Q4")}
    return root, results


@pytest.fixture(scope="module")
def without_q1(year):
    """Run 2019Q2 over a copy of the input whose 2019Q1 folder is gone."""
    from pipeline import run
    root, _ = year
    shutil.copytree(root / "input" / "2019Q2", root / "input-noq1" / "2019Q2")
    return run(config_path=root / "config.toml", input_dir=root / "input-noq1", output_dir=root / "output-noq1",
               period="2019Q2")


def summary(root: Path, period: str) -> dict:
    return json.loads((root / "output" / period / "summary.json").read_text(encoding="utf-8"))


def findings(root: Path, period: str) -> list[dict]:
    with open(root / "output" / period / "findings.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sheet_rows(path: Path, sheet: str) -> tuple[list, list[list]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


def test_bulletins_are_written_at_q2_and_q4_only(year):
    root, results = year
    for period in ("2019Q1", "2019Q3"):
        names = {p.name for p in (root / "output" / period).iterdir()}
        assert not any(n.startswith(("半年通报", "年度考核")) for n in names), names
        assert results[period].half_year is None
    for period, (half, _) in HALVES.items():
        folder = root / "output" / period
        assert (folder / f"半年通报-{half}.html").is_file() and (folder / f"半年通报-{half}.xlsx").is_file()
        assert f"半年通报-{half}.html" in results[period].written
    assert not (root / "output" / "2019Q2" / "年度考核-2019.html").exists()


@pytest.mark.parametrize("period", HALVES)
def test_cumulative_money_is_the_sum_of_the_two_quarters_summaries(year, period):
    root, results = year
    half, quarters = HALVES[period]
    summaries = [summary(root, q) for q in quarters]
    want = sum(Decimal(str(s["benefits"]["total"])) for s in summaries)
    header, rows = sheet_rows(root / "output" / period / f"半年通报-{half}.xlsx", "资金累计")
    total = rows[-1]
    assert total[0] == "合计"
    assert Decimal(str(total[header.index("累计金额")])) == want
    first, second = (header.index(h) for h in header if h.endswith("季度发放"))
    assert [Decimal(str(total[first])), Decimal(str(total[second]))] == [Decimal(str(s["benefits"]["total"])) for s in summaries]
    per_unit = {}
    for s in summaries:
        for b in s["benefits"]["by_unit"]:
            per_unit[b["unit"]] = per_unit.get(b["unit"], Decimal(0)) + Decimal(str(b["amount"]))
    assert {r[0]: Decimal(str(r[header.index("累计金额")])) for r in rows[:-1]} == per_unit
    html = (root / "output" / period / f"半年通报-{half}.html").read_text(encoding="utf-8")
    units = html.split("（一）分单位")[1].split("</table>")[0]
    total = re.sub(r"<[^>]+>", " ", re.split(r"<td[^>]*>合计", units)[1].split("</tr>")[0]).split()
    assert total[-1] == f"{want:,.2f}"
    assert results[period].half_year.total_fen == int(want * 100)


@pytest.mark.parametrize("period", HALVES)
def test_tasks_that_stayed_red_are_exactly_those_red_in_both_summaries(year, period):
    root, results = year
    half, quarters = HALVES[period]
    red = [{t["task"] for t in summary(root, q)["tasks"] if t["light"] == "red"} for q in quarters]
    want = red[0] & red[1]
    if period == "2019Q2":
        assert want, "the demo leaves task 26 red in both quarters of the first half"
    _, rows = sheet_rows(root / "output" / period / f"半年通报-{half}.xlsx", "连续红灯任务")
    assert {r[0] for r in rows if isinstance(r[0], int)} == want
    assert {t.task for t in results[period].half_year.persistent_red} == want
    html = (root / "output" / period / f"半年通报-{half}.html").read_text(encoding="utf-8")
    assert (f"{len(want)}项任务连续两个季度亮红灯" if want else "没有连续两个季度亮红灯的任务") in html


def expected_verdicts(root: Path, quarters: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """Derive praise and criticism from the quarters' summary.json and findings.csv alone."""
    praised, criticised = None, set()
    for q in quarters:
        errors = {f["unit"] for f in findings(root, q) if f["severity"] == "error" and f["unit"]}
        clean = set()
        for u in summary(root, q)["units"]:
            bad = not u["submitted"] or not u["on_time"] or u["missing_tasks"] or u["unit"] in errors
            (criticised.add if bad else clean.add)(u["unit"])
        praised = clean if praised is None else praised & clean
    return praised, criticised


@pytest.mark.parametrize("period", HALVES)
def test_praise_and_criticism_are_named_from_the_data(year, period):
    from pipeline.demo import PROGRESS_PLANTS
    root, _ = year
    half, quarters = HALVES[period]
    want_praised, want_criticised = expected_verdicts(root, quarters)
    _, rows = sheet_rows(root / "output" / period / f"半年通报-{half}.xlsx", "表扬与批评")
    got = {verdict: {r[1] for r in rows if r[0] == verdict} for verdict in ("表扬", "批评")}
    assert got == {"表扬": want_praised, "批评": want_criticised}
    # The demo's planted late and missing units are criticised, each for what it did.
    numbers = [int(q[-1]) for q in quarters]
    late = {PROGRESS_PLANTS[n]["late"][0]: (n, PROGRESS_PLANTS[n]["late"][1]) for n in numbers}
    missing = {PROGRESS_PLANTS[n]["missing"] for n in numbers} - {None}
    reasons = {r[1]: r[2] for r in rows if r[0] == "批评"}
    labels = "一二三四"
    for unit, (n, days) in late.items():
        assert f"第{labels[n - 1]}季度逾期{days}天报送" in reasons[unit]
    for unit in missing:
        assert "未报送进展情况" in reasons[unit]
    assert not (set(late) | missing) & got["表扬"]
    # A unit with no finding of any kind in either quarter is praised, never criticised.
    noted = {f["unit"] for q in quarters for f in findings(root, q)}
    spotless = sorted(want_praised - noted)
    assert spotless and spotless[0] in got["表扬"] and spotless[0] not in got["批评"]
    html = (root / "output" / period / f"半年通报-{half}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "予以通报表扬" in text and "予以通报批评" in text
    for unit in want_criticised:
        assert re.search(rf"\d+\.{unit}：", text), unit


@pytest.mark.parametrize("period", HALVES)
def test_bulletin_html_is_an_official_self_contained_document_without_personal_data(year, period):
    root, results = year
    half, _ = HALVES[period]
    html = (root / "output" / period / f"半年通报-{half}.html").read_text(encoding="utf-8")
    headings = [html.index(h) for h in ("一、基本情况", "二、主要成效", "三、存在问题", "四、下步要求")]
    assert headings == sorted(headings)
    assert f"关于{results[period].half_year.label}" in html and 'class="red-rule"' in html
    assert "<script" not in html.lower() and not re.search(r"(?:src|href)\s*=", html) and "http" not in html
    assert "<svg" in html
    assert not _ID_LIKE.search(html)
    persons = results[period].context.persons
    roster_names = {n for n in persons["name"].dropna() if isinstance(n, str) and len(n) == 3}
    assert roster_names and not [n for n in roster_names if n in html]


def test_bulletin_workbook_is_frozen_filtered_printable_and_formula_free(year):
    root, _ = year
    wb = openpyxl.load_workbook(root / "output" / "2019Q2" / "半年通报-2019H1.xlsx")
    assert wb.sheetnames == ["主要指标对比", "资金累计", "单位排名", "连续红灯任务", "表扬与批评", "填报惠及人数和投入资金"]
    for ws in wb:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("3"), ws.title
        assert ws.auto_filter.ref and ws.print_title_rows == "$1:$2", ws.title
        assert int(ws.page_setup.paperSize) == 9   # A4
        assert ws["A1"].value.startswith("青山湖区城镇贫困群众脱贫解困工作2019年上半年通报")
        assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"], ws.title
    trend = {r[0]: r for r in sheet_rows(root / "output" / "2019Q2" / "半年通报-2019H1.xlsx", "主要指标对比")[1]}
    q1, q2 = summary(root, "2019Q1"), summary(root, "2019Q2")
    reds = [sum(t["light"] == "red" for t in s["tasks"]) for s in (q1, q2)]
    assert trend["红灯任务"][2:] == [*reds, reds[1] - reds[0]]
    submitted = [sum(u["submitted"] for u in s["units"]) for s in (q1, q2)]
    assert trend["已报送单位"][2:4] == submitted
    assert [Decimal(str(v)) for v in trend["发放救助资金"][2:4]] == [Decimal(str(s["benefits"]["total"])) for s in (q1, q2)]


def test_a_missing_quarter_is_stated_and_the_run_still_succeeds(year, without_q1):
    root, _ = year
    folder = without_q1.output_dir
    assert (folder / "半年通报-2019H1.html").is_file() and (folder / "调度报告-2019Q2.html").is_file()
    html = (folder / "半年通报-2019H1.html").read_text(encoding="utf-8")
    assert "第一季度未收到报表，本通报仅反映第二季度情况" in html
    assert "未收到2019年第一季度的报表，无法与上季度比较" in html and "无法判断" not in html
    h = without_q1.half_year
    assert not h.persistent_known and h.persistent_red == ()
    assert h.total_fen == without_q1.context.total_fen
    header, rows = sheet_rows(folder / "半年通报-2019H1.xlsx", "资金累计")
    assert "第一季度发放（未收到）" in header
    assert rows[-1][header.index("第一季度发放（未收到）")] is None
    assert Decimal(str(rows[-1][header.index("累计金额")])) == Decimal(str(summary(root, "2019Q2")["benefits"]["total"]))
    trend = {r[0]: r for r in sheet_rows(folder / "半年通报-2019H1.xlsx", "主要指标对比")[1]}
    assert trend["红灯任务"][2] is None and trend["红灯任务"][4] is None   # no invented first quarter, no change
    # Praise now rests on the one quarter received, and says so.
    assert "两个季度均" not in html.split("附表：")[0]


def section_texts(path: Path) -> dict[str, str]:
    """Split a bulletin .docx into its four parts by their 一、…四、 headings, up to the 落款."""
    import docx
    parts: dict[str, str] = {}
    current = None
    for p in docx.Document(path).paragraphs:
        if p.style.name == "Signature":
            break
        if p.style.name == "Heading 1":
            current = p.text[2:]
            parts[current] = ""
        elif current:
            parts[current] += p.text + "\n"
    return parts


def test_a_declining_quarter_is_a_problem_not_an_achievement(year):
    root, results = year
    h = results["2019Q4"].half_year
    green = next(r for r in h.trend if r.key == "tasks_green")
    assert green.change < 0 and green in h.declines and green not in h.gains     # the demo's H2 has fewer green tasks
    before, after = green.values
    parts = section_texts(root / "output" / "2019Q4" / f"半年通报-{h.name}.docx")
    assert f"绿灯任务由第三季度的{before}项减少到第四季度的{after}项" in parts["存在问题"]
    assert "部分指标比上季度下降" in parts["存在问题"]
    assert "减少" not in parts["主要成效"] and not re.search("(?<!不)低于", parts["主要成效"])
    html = (root / "output" / "2019Q4" / f"半年通报-{h.name}.html").read_text(encoding="utf-8")
    problems = html.split("存在问题")[1]
    assert f"绿灯任务由第三季度的{before}项减少到第四季度的{after}项" in problems
    assert "减少" not in html.split("主要成效")[1].split("存在问题")[0]


@pytest.mark.parametrize("name", ["2019Q2/半年通报-2019H1", "2019Q4/半年通报-2019H2", "2019Q4/年度考核-2019"])
def test_nothing_but_annexes_follows_the_signature_of_a_real_document(year, name):
    import docx
    root, _ = year
    paragraphs = docx.Document(root / "output" / f"{name}.docx").paragraphs
    date_line = max(i for i, p in enumerate(paragraphs) if p.style.name == "Signature")
    after = paragraphs[date_line + 1:]
    # The demo config gives no 版记: a bulletin ends with its 附表, the assessment with its 成文日期.
    assert [p.style.name for p in after[:1]] == (["Annex Label"] if "通报" in name else [])
    assert not [p.text for p in paragraphs if "自动生成" in p.text or "自动计算" in p.text]
