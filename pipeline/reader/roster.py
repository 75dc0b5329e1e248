"""Read a household roster sheet (救助对象台账) into one typed row per person, grouped into households.

The body is read column by column (columns.py): Python runs once per distinct value and once per finding, never
once per person, so a roster of 100,000 persons reads in about the time calamine takes to open it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..cells import BLANK_WORDS, shown
from ..findings import finding
from ..ids import BLANK, OK, check_id, check_plain_ids
from ..privacy import mask_id
from ..units import find_unit_in
from .columns import Cells, Column
from .grid import Grid
from .households import MEMBERS, HouseholdCells, Households, Keyed, group, parse_households, span
from .layout import Layout, metadata, title
from .lines import split_body
from .progress import match_unit
from .schema import LABELS, ROSTER
from .sheet import ReadContext, SheetRead
from .totals import check_roster
from .vocabulary import ABILITY, CARE, EMPLOYMENT, SUPPORT, YES_NO_WORDS, is_head, parse_grade, word

COLUMNS = ["household_key", "household_no", "name", "id_number", "id_status", "id_reason", "relation", "unit",
           "community", "category", "income_fen", "rigid_fen", "household_size", "disability_grade", "care_need",
           "support_mode", "work_ability", "employment", "orphan", "start_key", "stop_key", "_row", "_household_row",
           "used"]
# The person-level cells after the ID, in the order their findings are listed: parser, and what an unreadable
# cell becomes.
PERSON_FIELDS = {
    "disability_grade": (parse_grade, None),
    "care_need": (lambda raw: word(CARE, raw, blank=""), ""),
    "support_mode": (lambda raw: word(SUPPORT, raw, blank=""), ""),
    "work_ability": (lambda raw: word(ABILITY, raw, blank=""), ""),
    "employment": (lambda raw: word(EMPLOYMENT, raw, blank=""), ""),
    "orphan": (lambda raw: word(YES_NO_WORDS, raw, blank=False), False),
}


def read_roster(grid: Grid, layout: Layout, ctx: ReadContext) -> SheetRead:
    """Parse person rows, fill household cells from the household's first row, and report what cannot be read."""
    head = grid.head(layout.header_rows[0])
    cells = Cells(grid.cells, layout.data_start)
    body = split_body(cells, layout, ctx.status_words)
    meta = metadata(head, layout.header_rows[0])
    hit = match_unit(ctx.registry, meta["unit"][0]) if "unit" in meta else None
    if hit is None:
        hit = find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
    sheet_unit = hit.name if hit else None

    def where(r: int, name: str) -> dict:
        return {"file": ctx.file, "sheet": grid.name, "row": int(r) + 1,
                "column": layout.headers.get(name, LABELS[name])}

    rows = body.data
    positions = rows - cells.start

    columns: dict[str, Column] = {}

    def column(name: str) -> Column:
        """Return a field's column over the data rows."""
        if name not in columns:
            columns[name] = cells.column(layout.columns.get(name)).at(positions)
        return columns[name]

    households = group(column, body, layout)

    household_columns: dict[str, Column] = {}

    def first_rows(name: str) -> Column:
        """Return a household field's column over each household's first row only."""
        if name not in household_columns:
            c = layout.columns.get(name)
            household_columns[name] = (columns[name].at(households.first) if name in columns
                                       else Column.empty(len(households)) if c is None
                                       else Column(cells.block[positions[households.first], c]))
        return household_columns[name]

    hh = parse_households(first_rows, households, rows, sheet_unit, ctx.registry, where)
    ids = layout.columns.get("id_number")
    raw_ids = cells.block[positions, ids] if ids is not None else np.full(len(rows), "", dtype=object)
    people, money_bad, keyed = _people(column, raw_ids, households, hh, rows, where, ctx)
    found = [f for _, f in sorted(hh.findings + keyed, key=lambda item: item[0])]

    of_row = households.of_row
    computable = hh.ok.copy()
    computable[of_row[money_bad]] = False
    key = np.where(hh.number != "", hh.number, _head_ids(column, households, people["id_number"]))
    blank_key = np.flatnonzero(key == "")
    key[blank_key] = np.char.add("行", (rows[households.first[blank_key]] + 1).astype(str)).astype(object)
    frame = _frame({
        "household_key": (f"{ctx.file}|{grid.name}|" + key)[of_row], "household_no": hh.number_shown[of_row],
        **{name: people[name] for name in ("name", "id_number", "id_status", "id_reason", "relation")},
        "unit": hh.paying_unit[of_row], "community": hh.community[of_row],
        "category": hh.category[of_row], "income_fen": hh.income[of_row], "rigid_fen": hh.rigid[of_row],
        "household_size": hh.size[of_row], **{name: people[name] for name in PERSON_FIELDS},
        "start_key": hh.start[of_row], "stop_key": hh.stop[of_row], "_row": rows + 1,
        "_household_row": rows[households.first][of_row] + 1, "used": computable[of_row],
    })
    for name in layout.missing:
        found.append(finding("missing-column", f"缺少必填列“{LABELS[name]}”，本表未计入汇总。", unit=sheet_unit or "",
                             file=ctx.file, sheet=grid.name, row=layout.header_rows[-1] + 1, column=LABELS[name],
                             left_out=tuple(int(r) + 1 for r in rows)))
    if layout.missing:
        frame["used"] = False
    found += check_roster(grid.cells, body, layout, rows[households.first], households.size, hh.size,
                          hh.size_unreadable, {"file": ctx.file, "sheet": grid.name}, sheet_unit or "")
    return SheetRead(ctx.file, grid.name, ROSTER, sheet_unit, None, title(head, layout.header_rows[0]), frame,
                     tuple(found), notes=tuple(int(r) + 1 for r in body.notes),
                     totals=tuple(t.row + 1 for t in body.totals))


def _people(column, raw_ids: np.ndarray, households: Households, hh: HouseholdCells, rows: np.ndarray, where,
            ctx: ReadContext) -> tuple[dict[str, np.ndarray], np.ndarray, list[Keyed]]:
    """Parse the person-level cells of every data row; say which rows stop their household's amount."""
    of_row = households.of_row
    people = {"name": column("name").clean(), "relation": column("relation").clean()}
    people["id_number"], people["id_status"], people["id_reason"] = _check_ids(raw_ids, ctx)
    unit = hh.paying_unit[of_row]
    last_rows = rows[households.first + households.size - 1]

    def members(i: int) -> tuple[int, ...]:
        """Return the rows of row i's household as Excel shows them."""
        k = of_row[i]
        return tuple(int(r) + 1 for r in rows[households.first[k]:households.first[k] + households.size[k]])

    def span_of(i: int) -> str:
        k = of_row[i]
        return span(rows[households.first[k]], last_rows[k])

    found: list[Keyed] = []
    for i in np.flatnonzero(people["id_status"] != OK):
        status, text = people["id_status"][i], people["id_number"][i]
        if status == BLANK:
            f = finding("id-invalid", "身份证号码为空，请补填。", unit=unit[i], value="", **where(rows[i], "id_number"))
        else:
            code = "id-damaged" if status == "damaged" else "id-invalid"
            f = finding(code, f"{people['id_reason'][i]}。", unit=unit[i], value=mask_id(text),
                        **where(rows[i], "id_number"))
        found.append(((int(of_row[i]), MEMBERS, int(rows[i]), 0), f))
    # The grade decides the disability allowances of every category; the care need only the 特困 care fee.
    pays = {"disability_grade": np.ones(len(rows), dtype=bool),
            "care_need": ((hh.category == "特困") | pd.isna(hh.category))[of_row]}
    money_bad = np.zeros(len(rows), dtype=bool)
    for order, (name, (parse, fallback)) in enumerate(PERSON_FIELDS.items(), start=1):
        cells = column(name)
        values, failed = cells.parse(parse, (ValueError, KeyError))
        values[failed] = fallback
        people[name] = values
        money = failed & pays.get(name, False)
        money_bad |= money
        raws = cells.raw
        for i in np.flatnonzero(failed):
            tail = f"；该户（{span_of(i)}）未计入金额。" if money[i] else "。"
            found.append(((int(of_row[i]), MEMBERS, int(rows[i]), order), finding(
                "bad-value", f"{LABELS[name]}“{shown(raws[i])}”无法识别{tail}", unit=unit[i], value=shown(raws[i]),
                left_out=members(i) if money[i] else (), **where(rows[i], name))))
    return people, money_bad, found


def _check_ids(raw: np.ndarray, ctx: ReadContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check every ID cell: plain 18-character IDs in bulk, the rest one distinct value at a time."""
    at, texts, statuses, reasons = check_plain_ids(raw, today=ctx.today)
    out = tuple(np.empty(len(raw), dtype=object) for _ in range(3))
    rest = np.ones(len(raw), dtype=bool)
    rest[at] = False
    others = Column(raw[rest])
    # 无, — or NA in the ID column is a missing ID, not a one-character one.
    blank = np.fromiter(map(BLANK_WORDS.__contains__, others.clean_uniques), dtype=bool, count=len(others.uniques))
    checked = [check_id("" if b else v, today=ctx.today) for v, b in zip(others.uniques, blank)]
    for array, bulk, attr in zip(out, (texts, statuses, reasons), ("text", "status", "reason")):
        array[at] = bulk
        array[rest] = np.array([getattr(c, attr) for c in checked], dtype=object)[others.codes]
    return out


def _head_ids(column, households: Households, id_numbers: np.ndarray) -> np.ndarray:
    """Return each household's first 户主 ID, or "" when it lists none."""
    heads = np.flatnonzero(column("relation").map(is_head, clean=True).astype(bool) & (id_numbers != ""))
    out = np.full(len(households), "", dtype=object)
    owners, first = np.unique(households.of_row[heads], return_index=True)
    out[owners] = id_numbers[heads[first]]
    return out


def _frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Build the sheet's frame with the dtypes pandas would infer from one record per person."""
    if not len(columns["_row"]):
        frame = pd.DataFrame([], columns=COLUMNS)
        frame["used"] = frame["used"].astype(bool)
        return frame
    typed = {}
    for name in COLUMNS:
        values = columns[name]
        if name in _TEXT:
            typed[name] = pd.array(values, dtype="str")
        elif name in _WHOLE:
            typed[name] = _whole(values)
        elif name == "category":
            typed[name] = values if pd.isna(values).all() else pd.array(values, dtype="str")
        else:
            typed[name] = np.asarray(values, dtype=bool if name in ("orphan", "used") else np.int64)
    return pd.DataFrame(typed, columns=COLUMNS)


_TEXT = frozenset({"household_key", "household_no", "name", "id_number", "id_status", "id_reason", "relation", "unit",
                   "community", "care_need", "support_mode", "work_ability", "employment"})
_WHOLE = frozenset({"income_fen", "household_size", "disability_grade", "start_key", "stop_key"})


def _whole(values: np.ndarray) -> np.ndarray:
    """Type whole numbers that may be missing: int64, float64 with NaN for the missing, or None throughout."""
    missing = pd.isna(values)
    if missing.all():
        return values
    if missing.any():
        return np.where(missing, np.nan, values).astype(np.float64)
    return values.astype(np.int64)
