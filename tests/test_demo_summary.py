"""summary.json of a full demo run, held against totals this test computes on its own from the workbooks.

The independent calculation reads the rosters with openpyxl and applies contracts.md's rules with Decimal,
sharing no code with the pipeline's reader or benefit rules.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import demo_project

ROOT = Path(__file__).resolve().parent.parent
STD, TEKUN, WAGE, LIVING, CARE = Decimal(670), Decimal(871), Decimal(1680), Decimal(60), Decimal(70)
CATEGORY = {"低保": "低保", "城镇低保": "低保", "城市低保": "低保", "特困": "特困", "特困供养": "特困", "特困人员": "特困",
            "支出型": "支出型", "支出型贫困低收入家庭": "支出型"}
HOUSEHOLD = ("户编号", "所属镇街", "救助类别", "家庭月人均收入", "家庭月刚性支出", "享受起始年月", "停发年月")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from pipeline import run
    root = demo_project(tmp_path_factory.mktemp("demo"), quarters=2)
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period="2019Q2")
    return root, result


def month(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.year * 12 + value.month - 1
    m = re.match(r"(\d{4})\D*?(\d{1,2})", str(value)) if not re.fullmatch(r"\d{6}", str(value)) else re.match(r"(\d{4})(\d{2})", str(value))
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def grade(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    return {"一": 1, "二": 2, "三": 3, "四": 4}.get(text[0], None) or int(text[0])


def read_roster(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if "公民身份号码" in r)
    header = rows[top]
    people, current = [], {}
    for r in rows[top + 1:]:
        if all(v in (None, "") for v in r):
            continue
        if str(r[0] or "").startswith(("填报人", "联系电话")):
            break
        rec = dict(zip(header, r))
        if rec["户编号"] not in (None, ""):
            current = {k: rec[k] for k in HOUSEHOLD}
        else:
            rec.update(current)
        people.append(rec)
    return people


def expected(folder: Path) -> dict:
    q_months = [2019 * 12 + m - 1 for m in (4, 5, 6)]
    households = defaultdict(list)
    for path in sorted(folder.glob("*台账*.xlsx")):
        for p in read_roster(path):
            households[(path.name, p["户编号"])].append(p)
    out = defaultdict(lambda: {"amount": Decimal(0), "households": 0, "persons": 0, "person_months": 0})
    gap_total, gap_pm = Decimal(0), 0
    for members in households.values():
        head = members[0]
        cat = CATEGORY[str(head["救助类别"])]
        try:
            income = Decimal(str(head["家庭月人均收入"])) if cat != "特困" else Decimal(0)
        except ArithmeticError:
            continue                      # unreadable income: left out, as the contract says
        rigid = Decimal(str(head["家庭月刚性支出"] or 0))
        start, stop = month(head["享受起始年月"]), month(head["停发年月"])
        active = [m for m in q_months if start <= m and (stop is None or m < stop)]
        n = len(members)
        if cat in ("低保", "支出型"):
            adj = income - rigid / n if cat == "支出型" else income
            adj = max(adj, Decimal(0))
            gap = max(Decimal(0), ((STD - adj) * n).quantize(Decimal("0.01"), ROUND_HALF_UP))
            allow = sum((LIVING if grade(p["残疾等级"]) else 0) + (CARE if grade(p["残疾等级"]) in (1, 2) else 0) for p in members)
            monthly = gap + allow
            paid = len(active) if monthly > 0 else 0
            entry = out[(head["所属镇街"], cat)]
            entry["amount"] += monthly * len(active)
            if paid:
                entry["households"] += 1
                entry["persons"] += n
                entry["person_months"] += n * paid
            if gap > 0:
                gap_total += gap * len(active)
                gap_pm += n * len(active)
        else:
            entry = out[(head["所属镇街"], cat)]
            for p in members:
                care = {"全失能": WAGE * Decimal("0.8"), "半失能": WAGE * Decimal("0.2")}.get(p["失能情况"] or "", 0)
                monthly = TEKUN + care + (CARE if grade(p["残疾等级"]) in (1, 2) else 0)
                entry["amount"] += monthly * len(active)
                entry["persons"] += 1 if active else 0
                entry["person_months"] += len(active)
            entry["households"] += 1 if active else 0
    avg = (gap_total / gap_pm).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {"by_unit": dict(out), "avg": avg}


def test_summary_matches_an_independent_calculation(demo_run):
    root, result = demo_run
    summary = json.loads((result.output_dir / "summary.json").read_text(encoding="utf-8"))
    want = expected(root / "input" / "2019Q2")
    got = {(b["unit"], b["category"]): b for b in summary["benefits"]["by_unit"]}
    assert set(got) == set(want["by_unit"])
    for key, w in want["by_unit"].items():
        g = got[key]
        assert Decimal(str(g["amount"])) == w["amount"], key
        assert (g["households"], g["persons"], g["person_months"]) == (w["households"], w["persons"], w["person_months"]), key
    assert Decimal(str(summary["benefits"]["total"])) == sum(w["amount"] for w in want["by_unit"].values())
    assert Decimal(str(summary["benefits"]["avg_subsidy_per_person"])) == want["avg"]


def test_summary_holds_the_shared_contract(demo_run):
    """shared/tools/check_summary.py when it is beside this checkout, else the repository's own reader: never a skip."""
    from pipeline.district_summary import read_summary

    _, result = demo_run
    checker = ROOT.parent / "shared" / "tools" / "check_summary.py"
    if checker.exists():
        out = subprocess.run([sys.executable, str(checker), str(result.output_dir)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout
    summary = read_summary(result.output_dir / "summary.json", frozenset(result.matrix.numbers))
    assert summary.benefits.total_fen == result.context.total_fen


def test_planted_problems_are_found_and_nothing_else(demo_run):
    from pipeline.demo import PROGRESS_PLANTS  # noqa: F401 - the plant list lives with the generator
    _, result = demo_run
    by_code = defaultdict(set)
    for f in result.findings:
        by_code[f.code].add(f.unit)
    assert dict(by_code) == {
        "missing-submission": {"区项目办"}, "late-submission": {"站东街道"}, "missing-task": {"湖坊镇"},
        "unexpected-task": {"京东镇"}, "unknown-task": {"南钢街道"}, "duplicate-task": {"区民政局"},
        "bad-value": {"高新园区", "南钢街道"}, "id-invalid": {"罗家镇"}, "id-damaged": {"上海路街道", "站东街道"},
        "person-duplicate": {"湖坊镇", "塘山镇"}, "income-above-standard": {"京东镇"},
        "zero-employment": {"青山路街道", "高新园区"}, "moved-without-stop": {"京东镇"}, "moved-in": {"湖坊镇"},
    }
    # The move is one story told to both towns: the payer hears the months and the amount paid twice.
    moved = next(f for f in result.findings if f.code == "moved-without-stop")
    assert "两处都发放" in moved.message and "元" in moved.message
    assert result.context.moves and result.context.paid_twice_fen > 0


def test_accounting_identity_holds_for_every_file(demo_run):
    _, result = demo_run
    summary = json.loads((result.output_dir / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["inputs"]) == 32 + 9
    for entry in summary["inputs"]:
        assert entry["rows_read"] == entry["rows_used"] + entry["rows_reported"] + entry["rows_set_aside"], entry
        assert entry["reconciled"]
    # Every progress report signs off under its table (填报人…); that line is set aside, the rosters have none.
    aside = {e["file"]: e["rows_set_aside"] for e in summary["inputs"]}
    assert {n for f, n in aside.items() if "进展" in f} == {1} and {n for f, n in aside.items() if "台账" in f} == {0}
    reported = {e["file"]: e["rows_reported"] for e in summary["inputs"] if e["rows_reported"]}
    assert set(reported) == {"南钢街道-2019Q2进展情况.xlsx", "区民政局 二季度进展.xlsx", "南钢街道-救助对象台账-2019Q2.xlsx"}
