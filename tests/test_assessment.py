"""The annual assessment of a four-quarter demo year, recomputed by hand from the quarters' summaries and config.toml."""
from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
import tomllib
from datetime import date
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from conftest import demo_project

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2020, 1, 5)
QUARTERS = ("2019Q1", "2019Q2", "2019Q3", "2019Q4")
ITEMS = ("timeliness", "completeness", "task_completion", "data_quality")
HEADERS = ("报送及时性", "报送完整性", "任务完成情况", "数据质量")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Write the four-quarter demo once, run 2019Q4, and check the earlier quarters for the hand calculation."""
    from pipeline import check, run
    from pipeline.report.summary import summary
    root = demo_project(tmp_path_factory.mktemp("annual"), quarters=4)
    q4 = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
             period="2019Q4")
    contexts = {q: check(config_path=root / "config.toml", input_dir=root / "input", period=q).context
                for q in QUARTERS[:3]}
    contexts["2019Q4"] = q4.context
    # The quarters as a city office would see them: summary.json (Q4's from disk), findings, and the cell lights.
    facts = {q: {"summary": summary(ctx), "findings": ctx.findings} for q, ctx in contexts.items()}
    facts["2019Q4"]["summary"] = json.loads((q4.output_dir / "summary.json").read_text(encoding="utf-8"))
    return root, q4, contexts, facts


def method_config(root: Path, **changes) -> dict:
    raw = tomllib.loads((root / "config.toml").read_text(encoding="utf-8"))["assessment"]
    for path, value in changes.items():
        section, _, key = path.rpartition("__")
        (raw[section] if section else raw)[key] = value
    return raw


def half_up(value: Fraction) -> Fraction:
    return Fraction(math.floor(value * 100 + Fraction(1, 2)), 100)


def hand_scores(facts: dict, quarters: tuple[str, ...], m: dict, unit: str) -> dict[str, Fraction]:
    """Score one unit the way the [assessment] comments describe, with nothing from pipeline.assessment."""
    def f(x) -> Fraction:
        return Fraction(str(x))   # config floats read as written, 0.5 not 0.5000000001
    shares = {k: [] for k in ITEMS}
    for q in quarters:
        if q not in facts:
            if m["missing_quarter"] == "zero":
                for k in ITEMS:
                    shares[k].append(Fraction(0))
            continue
        u = next(x for x in facts[q]["summary"]["units"] if x["unit"] == unit)
        t = m["timeliness"]
        shares["timeliness"].append(f(t["on_time"] if u["submitted"] and u["on_time"] else t["late"] if u["submitted"]
                                      else t["missing"]))
        shares["completeness"].append(Fraction(u["reported_tasks"], u["assigned_tasks"]) if u["submitted"] else Fraction(0))
        lights = u["lights"]
        tc = m["task_completion"]
        shares["task_completion"].append(sum(f(tc[k]) * n for k, n in lights.items()) / sum(lights.values()))
        mine = [x for x in facts[q]["findings"] if x.unit == unit and x.code not in m["data_quality"]["exclude_codes"]]
        dq = m["data_quality"]
        weight = f(dq["weight"])
        points = max(Fraction(0), weight - f(dq["per_error"]) * sum(x.severity == "error" for x in mine)
                     - f(dq["per_warning"]) * sum(x.severity == "warning" for x in mine))
        shares["data_quality"].append(points / weight if u["submitted"] else Fraction(0))
    return {k: half_up(f(m[k]["weight"]) * sum(v) / len(v)) for k, v in shares.items()}


def hand_grade(total: Fraction, m: dict) -> str:
    return next(g for g, low in sorted(m["grades"].items(), key=lambda kv: -kv[1]) if total >= Fraction(str(low)))


def score_rows(path: Path) -> dict[str, dict]:
    ws = openpyxl.load_workbook(path)["考核得分"]
    header = [c.value for c in ws[2]]
    out = {}
    for r in ws.iter_rows(min_row=3, values_only=True):
        row = dict(zip(header, r))
        items = {k: Fraction(str(next(v for h, v in row.items() if h.startswith(label))))
                 for k, label in zip(ITEMS, HEADERS)}
        out[row["单位"]] = {"rank": row["排名"], "items": items, "grade": row["等次"],
                           "total": Fraction(str(next(v for h, v in row.items() if h.startswith("总分"))))}
    return out


def test_assessment_is_written_at_q4(year):
    _, q4, _, _ = year
    assert {"年度考核-2019.html", "年度考核-2019.xlsx"} <= set(q4.written)
    from pipeline.report.annual import missing_note
    assert q4.annual is not None and missing_note(q4.annual) == ""


def test_scores_recompute_by_hand_from_the_quarter_summaries_and_weights(year):
    root, q4, _, facts = year
    m = method_config(root)
    got = score_rows(q4.output_dir / "年度考核-2019.xlsx")
    assert len(got) == 33
    for unit, row in got.items():
        want = hand_scores(facts, QUARTERS, m, unit)
        assert row["items"] == want, unit
        assert row["total"] == sum(want.values()), unit
    # The demo's plants show in the items they belong to.
    assert got["区项目办"]["items"]["timeliness"] == Fraction(25, 2)        # two quarters missing: 25 × 2/4
    assert got["站东街道"]["items"]["timeliness"] == Fraction(2188, 100)    # late once: 25 × 3.5/4 = 21.875, half-up
    assert got["京东镇"]["items"]["completeness"] < 25 and got["区科工局"]["total"] == 100


def test_grades_follow_the_configured_thresholds_and_ranks_follow_totals(year):
    root, q4, _, _ = year
    m = method_config(root)
    got = score_rows(q4.output_dir / "年度考核-2019.xlsx")
    assert all(r["grade"] == hand_grade(r["total"], m) for r in got.values())
    assert len({r["grade"] for r in got.values()}) >= 3   # the demo spreads over several grades
    for r in got.values():
        assert r["rank"] == 1 + sum(1 for o in got.values() if o["total"] > r["total"])


def test_method_on_the_report_is_rendered_from_the_config(year):
    from pipeline.report.annual import general_texts, rule_texts
    _, q4, _, _ = year
    html = (q4.output_dir / "年度考核-2019.html").read_text(encoding="utf-8")
    for text in [t for _, _, t in rule_texts(q4.annual)] + general_texts(q4.annual.method):
        assert text in html
    assert "逾期报送的得50%" in html and "每条错误扣2分、每条警告扣0.5分" in html
    assert "90分及以上为优秀" in html and "60分以下为较差" in html
    ws = openpyxl.load_workbook(q4.output_dir / "年度考核-2019.xlsx")["考核办法"]
    sheet = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] in HEADERS}
    assert {k: (v[1], v[2]) for k, v in sheet.items()} == {label: (float(w), t) for label, w, t in rule_texts(q4.annual)}
    assert "<script" not in html.lower() and "http" not in html and "<svg" in html


def test_a_changed_method_changes_both_the_scores_and_the_words(year):
    from pipeline.assessment import build_annual
    from pipeline.period import Period
    from pipeline.report.annual import render_assessment_html
    from pipeline.scoring import parse_method
    root, q4, contexts, facts = year
    m = method_config(root, timeliness__weight=40, completeness__weight=10, timeliness__late=0.25,
                      data_quality__per_error=3, grades__优秀=99, grades__良好=95, grades__一般=90)
    config = dataclasses.replace(q4.config, assessment=parse_method(m, "config.toml"))
    annual = build_annual({Period.parse(q): c for q, c in contexts.items()}, 2019, config)
    got = {u.unit: u for u in annual.units}
    for unit in ("站东街道", "区项目办", "京东镇", "罗家镇"):
        want = hand_scores(facts, QUARTERS, m, unit)
        assert {k: Fraction(str(v)) for k, v in got[unit].items.items()} == want, unit
        assert got[unit].grade == hand_grade(sum(want.values()), m)
    html = render_assessment_html(annual, config.paths["templates"])
    assert "逾期报送的得25%" in html and "每条错误扣3分" in html and "（40分）" in html and "99分及以上为优秀" in html


def test_assessment_workbook_is_frozen_printable_and_formula_free(year):
    _, q4, _, _ = year
    wb = openpyxl.load_workbook(q4.output_dir / "年度考核-2019.xlsx")
    assert wb.sheetnames == ["考核得分", "季度明细", "考核办法"]
    for ws in wb:
        assert ws.freeze_panes and ws.auto_filter.ref and ws.print_title_rows == "$1:$2", ws.title
        assert ws["A1"].value.startswith("青山湖区城镇贫困群众脱贫解困工作2019年度考核")
        assert not [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"], ws.title
    detail = wb["季度明细"]
    rows = [r for r in detail.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 33 * 4
    assert ("区项目办", "第二季度", "未报送") == rows[[r[:2] for r in rows].index(("区项目办", "第二季度"))][:3]


def test_bad_assessment_config_stops_with_a_plain_sentence(year):
    from pipeline.assessment import build_annual
    from pipeline.errors import StopRun
    from pipeline.period import Period
    from pipeline.scoring import parse_method
    root, q4, contexts, _ = year
    for change, words in (({"timeliness__weight": 30}, "须为 100"), ({"task_completion__basis": "q4"}, "mean 或 last"),
                          ({"timeliness__late": 1.5}, "0 到 1")):
        with pytest.raises(StopRun, match=words):
            parse_method(method_config(root, **change), "config.toml")
    with pytest.raises(StopRun, match=r"\[assessment\]"):
        build_annual({Period.parse(q): c for q, c in contexts.items()}, 2019,
                     dataclasses.replace(q4.config, assessment=None))


def test_a_missing_quarter_is_stated_and_scored_by_the_configured_rule(year):
    from pipeline import run
    from pipeline.assessment import build_annual
    from pipeline.period import Period
    from pipeline.report.annual import general_texts, missing_note
    from pipeline.scoring import parse_method
    root, q4, contexts, facts = year
    for q in QUARTERS[1:]:
        shutil.copytree(root / "input" / q, root / "input-noq1" / q)
    result = run(config_path=root / "config.toml", input_dir=root / "input-noq1", output_dir=root / "output-noq1",
                 period="2019Q4")
    html = (result.output_dir / "年度考核-2019.html").read_text(encoding="utf-8")
    assert "第一季度未收到报表，本考核仅依据第二季度、第三季度、第四季度的报送情况，按已收到季度的平均计分" in html
    got = score_rows(result.output_dir / "年度考核-2019.xlsx")
    m = method_config(root)
    present = {q: f for q, f in facts.items() if q != "2019Q1"}
    for unit in ("罗家镇", "站东街道", "区项目办"):
        assert got[unit]["items"] == hand_scores(present, QUARTERS, m, unit), unit
    assert got["罗家镇"]["items"]["timeliness"] == 25       # late only in the quarter not received
    # Under "zero" the quarter not received counts 0 on every item.
    zero = method_config(root, missing_quarter="zero")
    config = dataclasses.replace(q4.config, assessment=parse_method(zero, "config.toml"))
    ctxs = {Period.parse(q): (None if q == "2019Q1" else c) for q, c in contexts.items()}
    annual = build_annual(ctxs, 2019, config)
    luojia = next(u for u in annual.units if u.unit == "罗家镇")
    assert Fraction(str(luojia.items["timeliness"])) == Fraction(75, 4)
    assert {k: Fraction(str(v)) for k, v in luojia.items.items()} == hand_scores(present, QUARTERS, zero, "罗家镇")
    assert "该季度各项均按0分计" in " ".join(general_texts(annual.method))
    assert re.search("未收到的季度各项按0分计", missing_note(annual))
