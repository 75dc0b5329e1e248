"""Random messy sheets, written as real workbooks: reading never fails and every row is used or reported."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from conftest import ROOT, TODAY, valid_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ERROR_CODES

from pipeline.cells import is_blank
from pipeline.ids import OK, check_id
from pipeline.reader.schema import PROGRESS_FIELDS, ROSTER_FIELDS

# JIEKUN_EXAMPLES=2000 runs a long hunt; the default keeps the suite fast on two cores.
EXAMPLES = int(os.environ.get("JIEKUN_EXAMPLES", "40"))
# Sheets are big draws by design; a slow or large example is expected, not a bug in the strategy.
RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=RELAXED)
SHEET_LEVEL = ("missing-column", "duplicate-submission")
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

JUNK = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["", "无", "—", "NA", "n/a", "=SUM(A1)", "#N/A", "见附件", "1,234.50", "￥20,280元", "'0", "#7", "合计说明"]),
    st.integers(-10 ** 20, 10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2030, 12, 31)),
    st.just(valid_id(born="19750505", seq=901)),
)
DAMAGED_IDS = st.sampled_from(["int", "sci", "short", "lower", "ok", "ok", "ok", "spaced"])
TOTAL_LABELS = st.sampled_from(["合计", "合 计", "小计", "总计", "全镇合计"])


def _damage(id_: str, how: str) -> object:
    return {"int": int(id_.replace("X", "0")), "sci": "3.60111E+17", "short": id_[:17], "lower": id_.lower(),
            "spaced": f"{id_[:6]} {id_[6:]}"}.get(how, id_)


@st.composite
def headers(draw, fields, required_names):
    """Pick columns (all required, some optional), spell each header some way, and shuffle them."""
    optional = [f for f in fields if f.name not in required_names]
    chosen = [f for f in fields if f.name in required_names] + draw(st.lists(st.sampled_from(optional), unique_by=lambda f: f.name))
    spelled = {}
    for f in chosen:
        text = draw(st.sampled_from((f.label, *f.aliases)))
        style = draw(st.sampled_from(["plain", "spaced", "star", "newline", "unit"]))
        if style == "spaced":
            text = " ".join(text)
        elif style == "star":
            text += "*"
        elif style == "newline" and len(text) > 1:
            text = text[:1] + "\n" + text[1:]
        elif style == "unit" and not text.endswith(("）", ")")):
            text += draw(st.sampled_from(["（人）", "(元)", "（万元）"]))
        spelled[f.name] = text
    extra = draw(st.lists(st.sampled_from(["备用列", "领导批示", "ＸＹ"]), unique=True, max_size=2))
    # Entirely blank columns, header included, anywhere in the table.
    blanks = [f"!{i}" for i in range(draw(st.integers(0, 2)))]
    order = draw(st.permutations([f.name for f in chosen] + [f"?{e}" for e in extra] + blanks))
    return order, {**spelled, **{f"?{e}": e for e in extra}, **{b: None for b in blanks}}


@dataclass
class Sheet:
    """A generated sheet: its grid, merges, and what the test knows about it."""

    lines: list[list] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    data_rows: list[int] = field(default_factory=list)       # 1-based rows holding data
    note_rows: list[int] = field(default_factory=list)       # 1-based rows of note, heading and sign-off lines
    keyed_rows: list[int] = field(default_factory=list)      # data rows no junk touched: each must be read as a record
    header_row: int = 0                                       # 1-based last header row
    junk_columns: set[str] = field(default_factory=set)       # fields that received junk
    total_row: int | None = None
    total_wrong: bool = False
    total_checks: tuple[str, ...] = ()
    name: str = "表.xlsx"


def _reads_blank(value: object) -> bool:
    """Say whether a cell comes back empty: a blank word, a formula with no cached value, or an error literal."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    return (len(value) > 1 and value.startswith("=")) or value in ERROR_CODES or is_blank(value)


# Lines a clerk puts between a table's rows. Words alone are a heading only away from the 姓名 column.
NOTE_LINES = st.sampled_from(["备注：以下为本季度新增对象", "说明：本表金额单位为元", "注：以上数据截至6月", "填报人：张三"])
HEADINGS = st.sampled_from(["以下为本季度新增对象", "一、切实筑牢基本生活保障底线", "（二）新增救助对象"])


def _layout(draw, title_lines: list[list], header: list[str], body: list[tuple[str, list]], *, clean: set[int] = frozenset(),
            name_column: int | None = None) -> Sheet:
    """Stack title lines, the header (one row, or two under a merged group cell) and body rows with random blank rows.

    Note lines and headings go between body rows; `clean` lists the body rows no junk touched.
    """
    sheet = Sheet(lines=[*title_lines, header])
    i = draw(st.integers(0, len(header) - 2)) if len(header) >= 2 else 0
    j = draw(st.integers(i + 2, len(header))) if len(header) >= 2 else 0
    # Two header rows: a group label merged across a span of at least two labelled columns, every other header cell
    # merged down. (One label under a group reads as a note line, as a clerk's lone remark would.)
    if sum(h is not None for h in header[i:j]) >= 2 and draw(st.integers(0, 3)) == 0:
        top, sub = len(title_lines) + 1, len(title_lines) + 2
        upper = [draw(st.sampled_from(["完成情况", "家庭情况", "基本情况"])) if c == i else None if i < c < j else h
                 for c, h in enumerate(header)]
        lower = [h if i <= c < j else None for c, h in enumerate(header)]
        sheet.lines[-1:] = [upper, lower]
        letter = openpyxl.utils.get_column_letter
        sheet.merges.append(f"{letter(i + 1)}{top}:{letter(j)}{top}")
        sheet.merges += [f"{letter(c + 1)}{top}:{letter(c + 1)}{sub}" for c in range(len(header)) if not i <= c < j]
    sheet.header_row = len(sheet.lines)
    for i, (kind, line) in enumerate(body):
        while draw(st.integers(0, 9)) == 0:
            sheet.lines.append([])
        while draw(st.integers(0, 6)) == 0:
            if draw(st.booleans()):
                sheet.lines.append([draw(NOTE_LINES)])
            else:
                at = next(c for c in range(len(header) + 1) if c != name_column)
                sheet.lines.append([None] * at + [draw(HEADINGS)])
            sheet.note_rows.append(len(sheet.lines))
        sheet.lines.append(line)
        if kind == "data" and not all(_reads_blank(v) for v in line):
            sheet.data_rows.append(len(sheet.lines))
            if i in clean:
                sheet.keyed_rows.append(len(sheet.lines))
        elif kind == "total":
            sheet.total_row = len(sheet.lines)
    if draw(st.booleans()):
        sheet.lines += [[], ["填报人：张三", None, "联系电话：0791-8888888"]]
        sheet.note_rows.append(len(sheet.lines))
    return sheet


def filled_rows(sheet: Sheet) -> list[int]:
    """Return the 1-based rows under the header holding anything, counted from what the test wrote."""
    return [r for r, line in enumerate(sheet.lines, start=1)
            if r > sheet.header_row and not all(_reads_blank(v) for v in line)]


def _titles(draw, unit_line: str) -> list[list]:
    depth = draw(st.integers(0, 8))
    lines = [[f"标题或说明第{i + 1}行"] for i in range(depth)]
    if depth and draw(st.integers(0, 5)):
        lines[-1] = [unit_line, None, None, "填报日期：2019年6月18日"]
    return lines


def _junk(draw, rows: list[list], names: list[str]) -> tuple[set[str], set[int]]:
    """Put junk in a few cells (never in the blank columns); return the fields and the rows it hit."""
    hit, hit_rows = set(), set()
    columns = [c for c, name in enumerate(names) if not name.startswith("!")]
    for _ in range(draw(st.integers(0, 4))):
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        c = draw(st.sampled_from(columns))
        rows[i][c] = draw(JUNK)
        hit.add(names[c])
        hit_rows.add(i)
    return hit, hit_rows


@st.composite
def progress_sheets(draw) -> Sheet:
    order, spelled = draw(headers(PROGRESS_FIELDS, {"task", "status"}))
    n = draw(st.integers(1, 8))
    values = {
        "task": lambda i: draw(st.sampled_from([i + 1, f"{i + 1}、", f"第{i + 1}条", f"（{i + 1}）", float(i + 1)])),
        "status": lambda i: draw(st.sampled_from(["已完成", "推进中", "未启动", "正在推进", "已落实", "尚未开展", "已完成。"])),
        "progress": lambda i: draw(st.sampled_from([80, "80%", 0.8, 100, "", "无"])),
        "beneficiaries": lambda i: draw(st.integers(0, 500)),
        "funds": lambda i: Decimal(draw(st.integers(0, 100000))) / 100,
    }
    records = [{name: values[name](i) if name in values else "文字" for name in order if not name.startswith("?")} for i in range(n)]
    for r in records:
        if isinstance(r.get("funds"), Decimal) and draw(st.booleans()):
            r["funds"] = f"{r['funds']:,}"
    rows = [[None if name.startswith("!") else float(v) if isinstance(v, Decimal) else v
             for name, v in ((name, r.get(name, "x")) for name in order)] for r in records]
    junk, junk_rows = _junk(draw, rows, order)
    body = [("data", row) for row in rows]
    total_wrong, checks = False, tuple(c for c in ("beneficiaries", "funds") if c in order)
    # The label leads a total line; a sheet whose first column is a sum column gets none.
    if checks and order[0] not in checks and draw(st.booleans()):
        total_wrong = draw(st.booleans())
        line = [None] * len(order)
        line[0] = draw(TOTAL_LABELS)
        for c in checks:
            s = sum(Decimal(str(r[c]).replace(",", "")) for r in records)
            line[order.index(c)] = float(s + (7 if total_wrong else 0))
        body.append(("total", line))
    unit = draw(st.sampled_from(["湖坊镇", "湖坊镇人民政府", "青山湖区民政局", "塘山镇（盖章）", "某某办"]))
    sheet = _layout(draw, _titles(draw, f"填报单位：{unit}"), [spelled[name] for name in order], body,
                    clean=set(range(len(rows))) - junk_rows)
    sheet.junk_columns, sheet.total_wrong, sheet.total_checks = junk, total_wrong, checks
    sheet.name = draw(st.sampled_from(["湖坊镇进展.xlsx", "进展.xlsx"]))
    return sheet


@st.composite
def roster_sheets(draw) -> Sheet:
    order, spelled = draw(headers(ROSTER_FIELDS, {"name", "id_number", "category", "start_month"}))
    names = [n for n in order if not n.startswith("?")]
    merged = "household_no" in names and draw(st.integers(0, 3)) > 0
    rows: list[list] = []
    starts: list[tuple[int, int]] = []
    seq = 1
    for h in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, 3))
        category = draw(st.sampled_from(["低保", "城市低保", "特困", "特困供养人员", "支出型", "支出型贫困低收入家庭"]))
        household = {"household_no": f"{h + 1:03d}", "unit": draw(st.sampled_from(["湖坊镇", "湖坊镇人民政府", "塘山", "", "某某村"])),
                     "community": "东社区", "category": category,
                     "income": draw(st.sampled_from([300, "1,234.50", "￥20,280元", "无", 0])),
                     "rigid_spending": draw(st.sampled_from(["", 100, "无"])), "household_size": size,
                     "start_month": draw(st.sampled_from(["2019-01", "2019年1月", 201901, "2019.01", datetime(2019, 1, 1)])),
                     "stop_month": draw(st.sampled_from(["", "无", "2019-06", "—"]))}
        starts.append((len(rows), size))
        for m in range(size):
            id_ = _damage(valid_id(born=f"19{60 + h}0{1 + m}01", seq=seq), draw(DAMAGED_IDS))
            seq += 2
            relation = "户主" if m == 0 else draw(st.sampled_from(["配偶", "子", "女"]))
            person = {"name": f"成员{h}{m}", "id_number": id_, "relation": relation,
                      "disability_grade": draw(st.sampled_from(["", "无", "一级", "肢体二级", 3, "四级残疾"])),
                      "care_need": draw(st.sampled_from(["", "全失能", "半失能", "自理", "—"])),
                      "support_mode": "", "work_ability": draw(st.sampled_from(["有", "无", ""])),
                      "employment": draw(st.sampled_from(["已就业", "未就业", "灵活就业", ""])), "orphan": "否"}
            line = []
            for name in order:
                if name.startswith("?"):
                    line.append("备")
                elif name.startswith("!"):
                    line.append(None)
                elif name in household:
                    line.append(None if merged and m > 0 else household[name])
                else:
                    line.append(person[name])
            rows.append(line)
    junk, junk_rows = _junk(draw, rows, order)
    body = [("data", row) for row in rows]
    total_wrong = False
    if draw(st.booleans()):
        total_wrong = draw(st.booleans())
        line = [None] * len(order)
        line[0] = f"{draw(TOTAL_LABELS)}：{len(rows) + (1 if total_wrong else 0)}人"
        body.append(("total", line))
    sheet = _layout(draw, _titles(draw, "填报单位：湖坊镇"), [spelled[name] for name in order], body,
                    clean=set(range(len(rows))) - junk_rows, name_column=order.index("name"))
    if merged:
        col = {name: i for i, name in enumerate(order)}
        for start, size in starts:
            top, bottom = sheet.data_rows[start], sheet.data_rows[start + size - 1]
            if size > 1 and bottom - top == size - 1:
                for name in ("household_no", "unit", "category", "income", "start_month"):
                    if name in col:
                        letter = openpyxl.utils.get_column_letter(col[name] + 1)
                        sheet.merges.append(f"{letter}{top}:{letter}{bottom}")
    sheet.junk_columns, sheet.total_wrong, sheet.total_checks = junk, total_wrong, ("persons", "household_size")
    sheet.name = draw(st.sampled_from(["湖坊镇台账.xlsx", "台账.xlsx"]))
    return sheet


def save(sheet: Sheet, path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, line in enumerate(sheet.lines, start=1):
        for c, value in enumerate(line, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for rng in sheet.merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def context(file: str):
    from pipeline.reader import ReadContext
    config = _config()
    return ReadContext(file=file, registry=config.registry, status_words=config.status_words, today=TODAY)


_CONFIG = []


def _config():
    if not _CONFIG:
        from pipeline.config import load_config
        _CONFIG.append(load_config(ROOT / "config.toml"))
    return _CONFIG[0]


def leaks(findings) -> list[str]:
    """Return the full valid IDs that any finding shows unmasked."""
    out = []
    for f in findings:
        for text in (f.message, f.value):
            out += [m for m in _ID_LIKE.findall(text or "") if check_id(m, today=TODAY).status == OK]
    return out


def assert_every_unused_row_is_reported(frame, findings, kind: str) -> None:
    """Each row left out has an error on its row, on its household's rows, or on the whole sheet."""
    if frame.empty or any(f.code in SHEET_LEVEL or (f.code == "unknown-unit" and kind == "progress") for f in findings):
        return
    reported = {f.row for f in findings if f.severity == "error" or f.code == "duplicate-task"}
    for _, row in frame[~frame["used"].astype(bool)].iterrows():
        rows = {row["_row"]}
        if kind == "roster":
            rows = set(frame.loc[frame["_household_row"] == row["_household_row"], "_row"])
        assert rows & reported, f"row {row['_row']} left out without a finding: {findings}"


def check_sheet(sheet: Sheet, read, kind: str) -> None:
    assert read.kind == kind, (read.kind, read.findings)
    # Rows read are the sheet's own non-empty rows, and each is a record, a note or a total, never two of them.
    written = filled_rows(sheet)
    assert read.read_rows.tolist() == written
    records, notes, totals = set(read.rows["_row"]), set(read.notes), set(read.totals)
    assert records | notes | totals == set(written) and not records & notes and not (records | notes) & totals
    assert len(read.rows) == len(records)
    # Every data row junk left alone is read as a record, every note line the test put in is set aside, and no line
    # written as data is taken for a note unless it holds no record a unit could mean.
    assert set(sheet.keyed_rows) <= records, (sheet.keyed_rows, sorted(records))
    assert set(sheet.note_rows) <= notes, (sheet.note_rows, sorted(notes))
    assert totals == ({sheet.total_row} if sheet.total_row else set())
    assert_every_unused_row_is_reported(read.rows, read.findings, kind)
    assert leaks(read.findings) == []
    mismatches = [f for f in read.findings if f.code == "total-mismatch"]
    assert all(f.row == sheet.total_row for f in mismatches)
    if sheet.total_row and sheet.total_checks and not (set(sheet.total_checks) & sheet.junk_columns):
        assert bool(mismatches) == sheet.total_wrong, (sheet.total_wrong, mismatches)


@SETTINGS
@given(progress_sheets())
def test_any_progress_sheet_reads_and_accounts_for_every_row(sheet):
    from pipeline.reader import read_file
    with tempfile.TemporaryDirectory() as tmp:
        fr = read_file(save(sheet, Path(tmp) / sheet.name), context(sheet.name))
    assert len(fr.sheets) == 1
    check_sheet(sheet, fr.sheets[0], "progress")


@SETTINGS
@given(roster_sheets())
def test_any_roster_reads_and_accounts_for_every_row(sheet):
    from pipeline.reader import read_file
    with tempfile.TemporaryDirectory() as tmp:
        fr = read_file(save(sheet, Path(tmp) / sheet.name), context(sheet.name))
    assert len(fr.sheets) == 1
    check_sheet(sheet, fr.sheets[0], "roster")


@settings(max_examples=max(6, EXAMPLES // 8), deadline=None, suppress_health_check=RELAXED)
@given(st.lists(progress_sheets(), min_size=1, max_size=2), st.lists(roster_sheets(), min_size=1, max_size=2))
def test_a_whole_messy_quarter_checks_and_balances(progress, rosters):
    from pipeline import check
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("config.toml", "matrix.toml"):
            shutil.copy(ROOT / name, project / name)
        folder = project / "input" / "2019Q2"
        folder.mkdir(parents=True)
        written = {f"{i}{sheet.name}": sheet for i, sheet in [*enumerate(progress), *enumerate(rosters)]}
        for name, sheet in written.items():
            save(sheet, folder / name)
        result = check(config_path=project / "config.toml", input_dir=project / "input", period="2019Q2")
    assert leaks(result.findings) == []
    rows = result.context.inputs
    assert {r.file: r.rows_read for r in rows} == {name: len(filled_rows(sheet)) for name, sheet in written.items()}
    # Rows reported are counted from the findings that name them, so this holds only if every row left out has one.
    assert all(r.reconciled and 0 <= r.rows_used <= r.rows_read for r in rows)
    assert [f for f in result.findings if f.code == "rows-unaccounted"] == []
    for kind, frame in (("progress", result.quarter.progress), ("roster", result.quarter.roster)):
        for (file, sheet_name), part in frame.groupby(["_file", "_sheet"]):
            mine = [f for f in result.findings if f.file == file and f.sheet == sheet_name]
            assert_every_unused_row_is_reported(part, mine, kind)
