"""Helpers for the forms tests: a clean previous quarter to carry over, and a clerk who fills forms with openpyxl.

The clerk writes into input cells only: every write first checks that the cell is not locked by the sheet protection.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
from conftest import ROOT, ROSTER_HEADER, Book, valid_id

PREVIOUS, PERIOD = "2019Q2", "2019Q3"
ON_TIME, LATE = date(2019, 9, 18), date(2019, 9, 25)
HEADER_ROW = 5           # the progress form's header row, as Excel shows it
ROSTER_HEADER_ROW = 4


def person(no: str, name: str, id_: str, relation: str, unit: str, category: str | None = None, income=None, rigid=None,
           start: str | None = None, stop: str | None = None, **person_cells) -> list:
    """Return one roster row; household cells are given on the household's first row only."""
    row = dict.fromkeys(ROSTER_HEADER)
    row.update({"户编号": no, "姓名": name, "公民身份号码": id_, "与户主关系": relation, "所属镇街": unit if category else None,
                "社区": "东社区" if category else None, "救助类别": category, "家庭月人均收入": income, "家庭月刚性支出": rigid,
                "享受起始年月": start, "停发年月": stop})
    row.update(person_cells)
    return [row[h] for h in ROSTER_HEADER]


# The previous quarter's households: number -> (unit, rows). H004 and T002 stopped by the quarter, H005 stops inside it.
HOUSEHOLDS = {
    "H001": ("湖坊镇", [
        person("H001", "王大明", valid_id(born="19650312", seq=11), "户主", "湖坊镇", "低保", 200, start="2019-01",
               残疾等级="二级", 劳动能力="无"),
        person("H001", "李秀英", valid_id(born="19680520", seq=22), "配偶", "湖坊镇", 劳动能力="有", 就业状况="已就业"),
        person("H001", "王小明", valid_id(born="20100901", seq=13), "子女", "湖坊镇")]),
    "H002": ("湖坊镇", [
        person("H002", "赵守田", valid_id(born="19400101", seq=15), "户主", "湖坊镇", "特困", start="2018-06",
               失能情况="全失能", 供养方式="集中", 劳动能力="无")]),
    "H003": ("湖坊镇", [
        person("H003", "钱进", valid_id(born="19750707", seq=17), "户主", "湖坊镇", "支出型", 600, 800, start="2019年4月",
               劳动能力="有", 就业状况="灵活就业", 残疾等级="四级"),
        person("H003", "钱多多", valid_id(born="20080808", seq=24), "子女", "湖坊镇")]),
    "H004": ("湖坊镇", [
        person("H004", "孙停", valid_id(born="19500505", seq=19), "户主", "湖坊镇", "低保", 100, start="2018-01",
               stop="2019-06", 劳动能力="无")]),
    "H005": ("湖坊镇", [
        person("H005", "周末", valid_id(born="19700303", seq=31), "户主", "湖坊镇", "低保", 100, start="2018-03",
               stop="2019-08", 劳动能力="有", 就业状况="已就业"),
        person("H005", "吴月", valid_id(born="19720404", seq=42), "配偶", "湖坊镇", 劳动能力="无")]),
    "T001": ("塘山镇", [
        person("T001", "郑塘", valid_id(born="19600606", seq=33), "户主", "塘山镇", "低保", 150, start="2019年3月",
               劳动能力="无"),
        person("T001", "冯山", valid_id(born="19900909", seq=35), "子女", "塘山镇", 劳动能力="有", 就业状况="已就业", 孤儿="否")]),
    "T002": ("塘山镇", [   # stops with the quarter's first month: paid nothing in it
        person("T002", "褚七", valid_id(born="19550101", seq=37), "户主", "塘山镇", "低保", 200, start="2018-01",
               stop="2019年7月", 劳动能力="无")]),
}


def ids_of(unit: str, numbers: tuple[str, ...] | None = None) -> set[str]:
    return {row[2] for no, (u, rows) in HOUSEHOLDS.items() if u == unit and (numbers is None or no in numbers) for row in rows}


def reported(matrix) -> dict[str, dict[int, tuple[str, str]]]:
    """Return the status and 进展情况 that 湖坊镇 and 区民政局 reported for each of their tasks last quarter."""
    return {unit: {t: ("已完成" if t % 3 == 0 else "推进中", f"第{t}条二季度的进展") for t in matrix.tasks_of(unit)}
            for unit in ("湖坊镇", "区民政局")}


def previous_quarter(book: Book, matrix) -> None:
    """Write a clean previous quarter into the book's folder: two rosters and two progress reports."""
    for unit in ("湖坊镇", "塘山镇"):
        rows = [r for u, rs in HOUSEHOLDS.values() if u == unit for r in rs]
        book.roster(f"{unit}-救助对象台账-{PREVIOUS}.xlsx", unit, rows)
    for unit, statuses in reported(matrix).items():
        rows = [[t, "", "", s, 100 if s == "已完成" else 50, text, "无", "继续", 5, 1.0] for t, (s, text) in statuses.items()]
        book.progress(f"{unit}-{PREVIOUS}进展情况.xlsx", unit, "2019年6月18日", rows)


def scratch_project(root: Path, matrix) -> Path:
    """Lay out a project in root with the shipped config and the clean previous quarter; return root."""
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / name, root / name)
    (root / "input" / PREVIOUS).mkdir(parents=True)
    previous_quarter(Book(root / "input" / PREVIOUS), matrix)
    return root


def write(ws, row: int, col: int, value) -> None:
    """Type a value into a cell as a clerk can: only where the sheet protection leaves the cell unlocked."""
    cell = ws.cell(row, col)
    assert cell.protection.locked is False, f"{ws.title}!{cell.coordinate} is locked"
    cell.value = value


def task_rows(ws) -> dict[int, int]:
    """Map each task number of a progress form to its row as Excel shows it."""
    out = {}
    r = HEADER_ROW + 1
    while isinstance(ws.cell(r, 1).value, int):
        out[ws.cell(r, 1).value] = r
        r += 1
    return out


def fill_progress(path: Path, on: date = ON_TIME) -> None:
    """Fill a progress form as an honest clerk does: the date, every task row's numbers, and this quarter's own text
    in place of last quarter's; a carried status is kept."""
    wb = openpyxl.load_workbook(path)
    ws = wb["进展情况"]
    write(ws, 2, 6, datetime(on.year, on.month, on.day))
    for task, r in task_rows(ws).items():
        if not ws.cell(r, 5).value:
            write(ws, r, 5, "推进中")
        write(ws, r, 6, 60)
        write(ws, r, 7, f"第{task}条本季度按计划推进")
        write(ws, r, 8, "无")
        write(ws, r, 9, "继续推进")
        write(ws, r, 10, 12)
        write(ws, r, 11, 2.5)
    write(ws, task_rows(ws)[max(task_rows(ws))] + 2, 2, "张填表")
    wb.save(path)


def return_untouched(path: Path, on: date = ON_TIME) -> None:
    """Send a progress form back as a lazy clerk does: only the date is filled, every carried text left as it stands."""
    wb = openpyxl.load_workbook(path)
    write(wb["进展情况"], 2, 6, datetime(on.year, on.month, on.day))
    wb.save(path)


def roster_rows(ws) -> list[int]:
    """Return the rows of a roster form's sheet that hold a name, as Excel shows them."""
    return [r for r in range(ROSTER_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 2).value]


def type_household(path: Path, rows: list[list]) -> None:
    """Type a new household into the first blank rows of a roster form."""
    wb = openpyxl.load_workbook(path)
    ws = wb["救助对象台账"]
    start = max(roster_rows(ws), default=ROSTER_HEADER_ROW) + 1
    for i, values in enumerate(rows):
        for c, value in enumerate(values, start=1):
            if value is not None:
                write(ws, start + i, c, value)
    wb.save(path)


def forms_of(folder: Path) -> dict[str, Path]:
    """Map each form's file name to its path."""
    return {p.name: p for p in folder.rglob("*.xlsx")}
