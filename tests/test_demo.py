"""Tests for the demo generator, reading its files back with openpyxl and csv (not the project's reader)."""
from __future__ import annotations

import csv
import functools
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pipeline.demo import BAD_STATUS, PROGRESS_HEADER, PROGRESS_PLANTS, ROSTER_HEADER, UNKNOWN_TASK, write_demo
from pipeline.ids import OK, birth_date, check_id
from pipeline.period import Period

ROOT = Path(__file__).parent.parent
CATEGORIES = {"低保": "低保", "城镇低保": "低保", "特困": "特困", "特困供养": "特困", "支出型": "支出型",
              "支出型贫困低收入家庭": "支出型"}
HOUSEHOLD_FIELDS = ("户编号", "所属镇街", "社区", "救助类别", "家庭月人均收入", "家庭月刚性支出", "享受起始年月", "停发年月")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, config, matrix):
    out = tmp_path_factory.mktemp("demo2")
    return out, write_demo(out, config, matrix)


@pytest.fixture(scope="module")
def demo4(tmp_path_factory, config, matrix):
    out = tmp_path_factory.mktemp("demo4")
    return out, write_demo(out, config, matrix, quarters=4)


@functools.lru_cache(maxsize=None)
def read_rows(path: Path) -> list[list]:
    """Return the first sheet's rows; cached because several tests read the same files."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [[v if v != "" else None for v in row] for row in csv.reader(fh)]
    ws = openpyxl.load_workbook(path).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def parse_day(cells: list) -> date:
    text = next(str(c) for c in cells if isinstance(c, str) and c.startswith("填报日期"))
    rest = text.split("：", 1)[1]
    if not rest:
        return next(c for c in cells if isinstance(c, datetime)).date()
    y, m, d = map(int, re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", rest).groups())
    return date(y, m, d)


def percent(value) -> float:
    if isinstance(value, str):
        return float(value.rstrip("%"))
    return value * 100 if value <= 1 else float(value)


def progress(config, folder: Path) -> dict[str, dict]:
    """Return each unit's report in the folder: file, title, date, data rows as dicts, footer."""
    out = {}
    for path in sorted(folder.iterdir()):
        rows = read_rows(path)
        if "进展情况表" not in str(rows[0][0]):
            continue
        unit = config.registry.match(rows[1][0].split("：", 1)[1]).name
        assert unit not in out, f"two reports for {unit}"
        h = next(i for i, r in enumerate(rows) if r and r[0] == "任务编号")
        end = next((i for i in range(h + 1, len(rows)) if not any(rows[i])), len(rows))
        data = [dict(zip(PROGRESS_HEADER, r)) for r in rows[h + 1:end]]
        for d in data:
            d["task"] = int(re.search(r"\d+", str(d["任务编号"])).group())
        footer = rows[end + 1][0] if end + 1 < len(rows) else None
        out[unit] = {"path": path, "title": rows[0][0], "day": parse_day(rows[1]), "header": rows[h][:10],
                     "rows": data, "footer": footer}
    return out


def roster(path: Path) -> list[dict]:
    """Return person rows, with merged or blank household cells taken from the household's first row."""
    rows = read_rows(path)
    assert rows[2][: len(ROSTER_HEADER)] == list(ROSTER_HEADER)
    out, last = [], {}
    for r in rows[3:]:
        d = dict(zip(ROSTER_HEADER, r))
        if d["户编号"] is None:
            d.update({k: last[k] for k in HOUSEHOLD_FIELDS})
        else:
            last = d
        out.append(d)
    return out


def rosters(folder: Path) -> dict[str, list[dict]]:
    return {p.name.split("-")[0]: roster(p) for p in sorted(folder.glob("*救助对象台账*.xlsx"))}


def households(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["户编号"], []).append(r)
    return out


def month(value) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.year, value.month)
    if isinstance(value, int):
        return divmod(value, 100)
    y, m = re.match(r"(\d{4})\D?(\d{1,2})", value).groups()
    return (int(y), int(m))


def test_progress_reports_cover_every_reporting_unit_except_the_missing_one(config, demo):
    out, _ = demo
    units = {u.name for u in config.registry.reporting}
    assert len(units) == 33
    assert set(progress(config, out / "2019Q1")) == units
    assert set(progress(config, out / "2019Q2")) == units - {"区项目办"}
    assert {p.suffix for p in (out / "2019Q1").iterdir()} == {".xlsx", ".csv"}


def test_progress_layout_follows_the_contract(config, demo):
    out, _ = demo
    for q in (1, 2):
        for unit, rep in progress(config, out / f"2019Q{q}").items():
            assert rep["title"] == f"青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（{Period(2019, q).label}）"
            assert rep["header"] == list(PROGRESS_HEADER)
            assert re.fullmatch(r"填报人：\S+  联系电话：0791-88\d{6}", rep["footer"]), unit


def test_reported_tasks_are_the_assigned_ones_plus_the_planted_errors(config, matrix, demo):
    out, _ = demo
    for q in (1, 2):
        plants = PROGRESS_PLANTS[q]
        for unit, rep in progress(config, out / f"2019Q{q}").items():
            expected = Counter(matrix.tasks_of(unit))
            if plants["omit"][0] == unit:
                expected -= Counter([plants["omit"][1]])
            for key in ("extra", "duplicate"):
                if plants[key][0] == unit:
                    expected[plants[key][1]] += 1
            if plants["unknown"] == unit:
                expected[UNKNOWN_TASK] += 1
            assert Counter(r["task"] for r in rep["rows"]) == expected, (q, unit)


def test_status_words_are_readable_except_the_planted_one(config, demo):
    out, _ = demo
    for q in (1, 2):
        bad = [(u, r["task"], r["完成状态"]) for u, rep in progress(config, out / f"2019Q{q}").items()
               for r in rep["rows"] if r["完成状态"] not in config.status_words]
        assert bad == [(*PROGRESS_PLANTS[q]["bad_status"], BAD_STATUS)]
    words = {r["完成状态"] for rep in progress(config, out / "2019Q1").values() for r in rep["rows"]}
    assert {"已完成", "推进中", "未启动"} <= words and len(words - {"已完成", "推进中", "未启动", BAD_STATUS}) >= 3


def test_dates_are_on_time_except_the_late_unit(config, demo):
    out, _ = demo
    for q in (1, 2):
        deadline = config.deadline.of(Period(2019, q))
        late = {u: rep["day"] for u, rep in progress(config, out / f"2019Q{q}").items() if rep["day"] > deadline}
        assert list(late) == [PROGRESS_PLANTS[q]["late"][0]]
    assert progress(config, out / "2019Q2")["站东街道"]["day"] == date(2019, 6, 24)


def test_loose_forms_appear(config, demo):
    out, _ = demo
    reps = progress(config, out / "2019Q1")
    labels = {type(r["任务编号"]) for rep in reps.values() for r in rep["rows"]}
    assert any(str(r["任务编号"]).startswith("第") for rep in reps.values() for r in rep["rows"])
    assert {int, str} <= labels
    kinds = {type(r["完成进度"]) for rep in reps.values() if rep["path"].suffix == ".xlsx" for r in rep["rows"]}
    assert {int, float, str} <= kinds
    assert any(rep["path"].suffix == ".csv" for rep in reps.values())
    first_cells = {read_rows(rep["path"])[1][0] for rep in reps.values()}
    assert {"填报单位：湖坊镇人民政府", "填报单位：青山湖区民政局", "填报单位：高新区"} <= first_cells


def test_progress_only_rises_between_quarters(config, demo):
    out, _ = demo
    q1, q2 = progress(config, out / "2019Q1"), progress(config, out / "2019Q2")
    compared = 0
    for unit in set(q1) & set(q2):
        # The later row of a duplicated task is the one kept.
        before = {r["task"]: r for r in q1[unit]["rows"]}
        after = {r["task"]: r for r in q2[unit]["rows"]}
        for task in set(before) & set(after) - {UNKNOWN_TASK}:
            a, b = before[task], after[task]
            if BAD_STATUS in (a["完成状态"], b["完成状态"]):
                continue
            assert percent(b["完成进度"]) >= percent(a["完成进度"]), (unit, task)
            if config.status_words[a["完成状态"]] == "已完成":
                assert config.status_words[b["完成状态"]] == "已完成", (unit, task)
            compared += 1
    assert compared > 800


def test_rosters_have_realistic_households(config, demo):
    out, _ = demo
    local = {u.name for u in config.registry.units if u.is_local}
    for q in (1, 2):
        found = rosters(out / f"2019Q{q}")
        assert set(found) == local and len(found) == 9
        for unit, rows in found.items():
            hh = households(rows)
            assert 130 <= len(hh) <= 170, (q, unit, len(hh))
            cats = Counter(CATEGORIES[m[0]["救助类别"]] for m in hh.values())
            assert set(cats) == {"低保", "特困", "支出型"}
            assert cats["低保"] > cats["特困"] > 0 and cats["支出型"] > 0
            assert all(len(m) == 1 for m in hh.values() if CATEGORIES[m[0]["救助类别"]] == "特困")
            assert {r["所属镇街"] for r in rows} == {unit}


def test_household_cells_are_merged_in_two_units(demo):
    out, _ = demo
    merged = set()
    for path in (out / "2019Q1").glob("*救助对象台账*.xlsx"):
        ws = openpyxl.load_workbook(path).active
        if any(rng.min_col == 1 and rng.min_row > 3 for rng in ws.merged_cells.ranges):
            merged.add(path.name.split("-")[0])
    assert merged == {"塘山镇", "南钢街道"}


def test_id_cells_are_text_except_the_planted_ones(demo):
    out, _ = demo
    for q in (1, 2):
        statuses, numbers, raw = Counter(), [], []
        for unit, rows in rosters(out / f"2019Q{q}").items():
            for r in rows:
                cell = r["公民身份号码"]
                if not isinstance(cell, str):
                    numbers.append((unit, cell))
                result = check_id(cell)
                statuses[(unit, result.status)] += 1
                raw.append(cell)
        # Excel keeps 15 significant digits of an 18-digit number.
        assert len(numbers) == 1 and numbers[0][0] == "上海路街道" and len(f"{numbers[0][1]:.0f}") == 18
        bad = {k: v for k, v in statuses.items() if k[1] != OK}
        assert bad == {("罗家镇", "invalid"): 1, ("上海路街道", "damaged"): 1, ("站东街道", "damaged"): 1}
        assert "3.60111E+17" in raw
        assert any(isinstance(c, str) and c.endswith("x") for c in raw)
        assert any(isinstance(c, str) and " " in c for c in raw)


def test_one_person_is_listed_in_two_units(demo):
    out, _ = demo
    for q in (1, 2):
        seen: dict[str, list[str]] = {}
        for unit, rows in rosters(out / f"2019Q{q}").items():
            for r in rows:
                result = check_id(r["公民身份号码"])
                if result.status == OK:
                    seen.setdefault(result.text, []).append(unit)
        dupes = {k: v for k, v in seen.items() if len(v) > 1}
        # From the second quarter a 京东镇 person also heads a household entering 湖坊镇 (the planted move).
        want = [["塘山镇", "湖坊镇"]] + ([["京东镇", "湖坊镇"]] if q == 2 else [])
        assert sorted(dupes.values()) == sorted(want)


def test_planted_household_problems_and_nothing_else(config, demo):
    out, _ = demo
    standard = float(config.parameters.for_period(Period(2019, 1))["dibao_standard"][0].value)
    for q in (1, 2):
        above, unreadable, zero_jobs = [], [], []
        for unit, rows in rosters(out / f"2019Q{q}").items():
            for number, members in households(rows).items():
                head = members[0]
                category = CATEGORIES[head["救助类别"]]
                able = [m for m in members if m["劳动能力"] == "有"]
                if able and all(m["就业状况"] == "未就业" for m in able):
                    zero_jobs.append(unit)
                if category == "特困":
                    continue
                if not isinstance(head["家庭月人均收入"], (int, float)):
                    unreadable.append((unit, head["家庭月人均收入"]))
                    continue
                income = head["家庭月人均收入"] - (head["家庭月刚性支出"] or 0) / len(members)
                if income >= standard:
                    above.append((unit, category, head["家庭月人均收入"]))
        assert above == [("京东镇", "低保", standard + 30)]
        assert unreadable == [("南钢街道", "待核实")]
        assert sorted(zero_jobs) == ["青山路街道", "高新园区"]


def test_orphans_are_minors_in_dibao_households(demo):
    out, _ = demo
    orphans = [(r, unit) for unit, rows in rosters(out / "2019Q1").items() for r in rows if r["孤儿"] == "是"]
    assert 1 <= len(orphans) <= 2
    for r, _ in orphans:
        born = birth_date(check_id(r["公民身份号码"]).text)
        assert (date(2019, 1, 1) - born).days < 18 * 365 and CATEGORIES[r["救助类别"]] == "低保"


def test_households_enter_and_leave_consistently(demo):
    out, _ = demo
    q1, q2 = rosters(out / "2019Q1"), rosters(out / "2019Q2")
    for unit in q1:
        h1, h2 = households(q1[unit]), households(q2[unit])
        left = {n for n, m in h1.items() if m[0]["停发年月"] is not None}
        entered = {n for n, m in h1.items() if month(m[0]["享受起始年月"]) in ((2019, 2), (2019, 3))}
        assert 3 <= len(left) <= 5 and 4 <= len(entered) <= 6, unit
        assert all(month(h1[n][0]["停发年月"]) in ((2019, 2), (2019, 3)) for n in left)
        assert not left & set(h2)
        assert entered <= set(h2)
        for n in set(h1) & set(h2):
            assert [m["公民身份号码"] for m in h1[n]] == [m["公民身份号码"] for m in h2[n]]
        new_in_q2 = {n for n in h2 if n not in h1}
        assert all(month(h2[n][0]["享受起始年月"]) in ((2019, 5), (2019, 6)) for n in new_in_q2)


def test_same_seed_gives_identical_files_and_four_quarters_work(demo, demo4):
    out2, files2 = demo
    out4, files4 = demo4
    assert sorted(p.name for p in out4.iterdir()) == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    assert all(p.exists() for p in files4) and len(files4) == len(set(files4))
    for path in files2:
        twin = out4 / path.relative_to(out2)
        assert twin.read_bytes() == path.read_bytes(), path.name
        if path.suffix == ".xlsx":
            assert read_rows(twin) == read_rows(path)


def test_another_seed_gives_other_data(tmp_path, config, matrix, demo):
    out2, _ = demo
    files = write_demo(tmp_path, config, matrix, quarters=1, seed=7)
    assert len(files) == 33 + 9
    path = next(p for p in files if "湖坊镇-救助对象台账" in p.name)
    assert read_rows(path) != read_rows(out2 / "2019Q1" / path.name)


def test_quarters_out_of_range_are_refused(tmp_path, config, matrix):
    for quarters in (0, 5):
        with pytest.raises(ValueError):
            write_demo(tmp_path, config, matrix, quarters=quarters)


def test_module_does_not_import_click():
    code = "import sys, pipeline.demo; print('click' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
