"""Read a household roster sheet (救助对象台账) into one typed row per person, grouped into households."""
from __future__ import annotations

import re

import pandas as pd

from ..cells import clean_text, is_blank, parse_fen, parse_int, parse_month
from ..findings import Finding, finding
from ..ids import BLANK, OK, check_id, mask_id
from ..period import month_key
from ..units import find_unit_in
from .files import Grid
from .layout import Layout, is_blank_row, is_footer, metadata, title
from .schema import LABELS, ROSTER, household_fields
from .sheet import ReadContext, SheetRead

CATEGORY_WORDS = {
    "低保": ("低保", "城市低保", "城镇低保", "低保户", "最低生活保障", "城镇最低生活保障", "城市最低生活保障", "低保对象"),
    "特困": ("特困", "特困供养", "特困人员", "城市特困", "城镇特困", "特困供养人员", "城市三无", "三无人员"),
    "支出型": ("支出型", "支出型贫困", "支出型贫困家庭", "支出型贫困低收入家庭", "支出型低收入家庭", "支出型贫困低收入"),
}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4}
CARE_WORDS = {
    "全失能": ("全失能", "完全失能", "失能", "完全不能自理", "全护理", "不能自理", "生活不能自理"),
    "半失能": ("半失能", "部分失能", "半自理", "部分自理", "部分不能自理", "半护理"),
    "": ("自理", "能自理", "生活自理", "完全自理", "有自理能力", "全自理"),
}
SUPPORT_WORDS = {"集中": ("集中", "集中供养", "机构供养"), "分散": ("分散", "分散供养", "居家供养")}
ABILITY_WORDS = {"有": ("有", "有劳动能力", "具备劳动能力", "能", "是", "部分丧失劳动能力", "部分劳动能力"),
                 "无": ("无", "无劳动能力", "丧失劳动能力", "完全丧失劳动能力", "否", "没有")}
EMPLOYMENT_WORDS = {"已就业": ("已就业", "就业", "在职", "务工", "稳定就业", "是"),
                    "灵活就业": ("灵活就业", "零工", "打零工", "个体", "自主创业", "个体经营"),
                    "未就业": ("未就业", "失业", "无业", "待业", "否", "无工作")}
YES_NO = {True: ("是", "Y", "y", "√", "1", "yes"), False: ("否", "N", "n", "×", "0", "no")}
# Cells that mean "not applicable" in a person-level column where blank is a real answer.
_EMPTY_ANSWERS = frozenset({"", "—", "——", "-", "--", "/", "／", "NA", "N/A", "na", "n/a", "null", "None", "无"})
_GRADE = re.compile(r"^(?:残疾)?(?:[^\d一二三四壹贰叁肆]{0,4})([1-4一二三四壹贰叁肆])\s*级?(?:残疾)?$")

COLUMNS = ["household_key", "household_no", "name", "id_number", "id_status", "id_reason", "relation", "unit",
           "community", "category", "income_fen", "rigid_fen", "household_size", "disability_grade", "care_need",
           "support_mode", "work_ability", "employment", "orphan", "start_key", "stop_key", "_row", "_household_row",
           "used"]


def _vocab(table: dict) -> dict[str, object]:
    return {clean_text(w): key for key, words in table.items() for w in words}


_CATEGORY, _CARE, _SUPPORT = _vocab(CATEGORY_WORDS), _vocab(CARE_WORDS), _vocab(SUPPORT_WORDS)
_ABILITY, _EMPLOYMENT, _YES_NO = _vocab(ABILITY_WORDS), _vocab(EMPLOYMENT_WORDS), _vocab(YES_NO)


def parse_category(raw: object) -> str | None:
    """Read 低保 / 特困 / 支出型 from the words rosters use; raise ValueError when unknown."""
    text = clean_text(raw)
    if is_blank(text):
        return None
    if text in _CATEGORY:
        return _CATEGORY[text]
    raise ValueError(raw)


def parse_grade(raw: object) -> int | None:
    """Read a disability grade 一级–四级 or 1–4; None when not disabled."""
    text = clean_text(raw)
    if text in _EMPTY_ANSWERS or text in {"否", "非残疾", "无残疾"}:
        return None
    m = _GRADE.match(text)
    if not m:
        raise ValueError(raw)
    return GRADE_WORDS[m.group(1)]


def _word(table: dict[str, object], raw: object, *, blank=None):
    text = clean_text(raw)
    if text in _EMPTY_ANSWERS and text not in table:
        return blank
    if text in table:
        return table[text]
    raise ValueError(raw)


def read_roster(grid: Grid, layout: Layout, ctx: ReadContext) -> SheetRead:
    """Parse person rows, fill household cells from the household's first row, and report what cannot be read."""
    rows = grid.rows
    meta = metadata(rows, layout.header_rows[0])
    found: list[Finding] = []
    sheet_unit = None
    if "unit" in meta:
        hit = ctx.registry.match(meta["unit"][0])
        sheet_unit = hit.name if hit else None
    if sheet_unit is None:
        hit = find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
        sheet_unit = hit.name if hit else None

    def where(r: int, name: str) -> dict:
        return {"file": ctx.file, "sheet": grid.name, "row": r + 1, "column": layout.headers.get(name, LABELS[name])}

    def get(row, name):
        c = layout.columns.get(name)
        return row[c] if c is not None and c < len(row) else ""

    data_rows = []
    for r in range(layout.data_start, len(rows)):
        if is_blank_row(rows[r]):
            continue
        if is_footer(rows[r]):
            break
        data_rows.append(r)

    # Group rows into households: by 户编号 when there is one, else each 户主 row starts a household.
    households: list[list[int]] = []
    has_no = "household_no" in layout.columns
    current_no = None
    for r in data_rows:
        no = clean_text(get(rows[r], "household_no")) if has_no else ""
        is_head = clean_text(get(rows[r], "relation")) == "户主"
        if has_no:
            starts = not households or (bool(no) and no != current_no) or (not no and is_head)
            if no:
                current_no = no
        else:
            starts = is_head or not households
        if starts:
            households.append([r])
        else:
            households[-1].append(r)

    records = []
    for members in households:
        first = members[0]
        hh = {name: get(rows[first], name) for name in household_fields()}
        unit_cell = clean_text(hh["unit"])
        unit = sheet_unit
        if unit_cell:
            hit = ctx.registry.match(unit_cell)
            if hit is not None:
                unit = hit.name
        hh_findings, parsed, computable = _household(hh, first, unit or "", where)
        found.extend(hh_findings)
        if unit is None:
            found.append(finding("unknown-unit", f"无法识别所属镇街“{unit_cell or '（未填写）'}”，该户未计入汇总。",
                                 value=unit_cell, **where(first, "unit")))
            computable = False
        for r in members:
            person, person_findings, ok = _person(rows[r], r, get, unit or "", where, ctx)
            found.extend(person_findings)
            computable = computable and ok
            person.update(parsed)
            person.update({"unit": unit or "", "_row": r + 1, "_household_row": first + 1,
                           "household_no": clean_text(hh["household_no"])})
            records.append(person)
        head_id = next((p["id_number"] for p in records[-len(members):] if p["relation"] == "户主" and p["id_number"]), "")
        key = clean_text(hh["household_no"]) or head_id or f"行{first + 1}"
        for p in records[-len(members):]:
            p["household_key"] = f"{ctx.file}|{grid.name}|{key}"
            p["used"] = computable
        size = parsed.get("household_size")
        if size is not None and size != len(members):
            found.append(finding("household-size-mismatch", f"家庭人口填{size}人，但列出了{len(members)}名成员；按列出的成员计发。",
                                 unit=unit or "", value=str(size), **where(first, "household_size")))

    frame = pd.DataFrame(records, columns=COLUMNS)
    for name in layout.missing:
        found.append(finding("missing-column", f"缺少必填列“{LABELS[name]}”，本表未计入汇总。", unit=sheet_unit or "",
                             file=ctx.file, sheet=grid.name, row=layout.header_rows[-1] + 1, column=LABELS[name]))
    if layout.missing:
        frame["used"] = False
    return SheetRead(ctx.file, grid.name, ROSTER, sheet_unit, None, title(rows, layout.header_rows[0]), frame, tuple(found))


def _household(hh: dict, r: int, unit: str, where) -> tuple[list[Finding], dict, bool]:
    """Parse the household-level cells; say whether the household's amount can be computed."""
    out: list[Finding] = []
    ok = True

    def bad(name, message, raw):
        out.append(finding("bad-value", message, unit=unit, value=clean_text(raw), **where(r, name)))

    parsed: dict = {"community": clean_text(hh["community"])}
    try:
        parsed["category"] = parse_category(hh["category"])
    except ValueError:
        parsed["category"] = None
    if parsed["category"] is None:
        bad("category", f"救助类别“{clean_text(hh['category']) or '（空）'}”无法识别，请填 低保、特困 或 支出型；该户未计入金额。", hh["category"])
        ok = False
    for name, label in (("income", "家庭月人均收入"), ("rigid_spending", "家庭月刚性支出")):
        raw = hh[name]
        # On an income line 无 means "no income", not "unknown".
        text = clean_text(raw)
        try:
            value = 0 if text in ("无", "无收入", "0") else parse_fen(raw)
        except ValueError:
            value = None
            if parsed["category"] in ("低保", "支出型"):
                bad(name, f"{label}“{text}”无法识别，请填数字（元）；该户未计入金额。", raw)
                ok = False
        parsed["income_fen" if name == "income" else "rigid_fen"] = value
    if parsed["category"] in ("低保", "支出型") and parsed["income_fen"] is None and ok:
        bad("income", "低保、支出型家庭须填家庭月人均收入；该户未计入金额。", hh["income"])
        ok = False
    if parsed["rigid_fen"] is None:
        parsed["rigid_fen"] = 0
    for name, label in (("start_month", "享受起始年月"), ("stop_month", "停发年月")):
        raw = hh[name]
        try:
            ym = parse_month(raw)
        except ValueError:
            ym = "bad"
        if ym == "bad" or (ym is None and name == "start_month"):
            bad(name, f"{label}“{clean_text(raw) or '（空）'}”无法识别，请写成 2019-01 或 2019年1月；该户未计入金额。", raw)
            ok = False
            ym = None
        parsed["start_key" if name == "start_month" else "stop_key"] = month_key(*ym) if ym else None
    try:
        parsed["household_size"] = parse_int(hh["household_size"])
    except ValueError:
        parsed["household_size"] = None
    return out, parsed, ok


def _person(row, r: int, get, unit: str, where, ctx: ReadContext) -> tuple[dict, list[Finding], bool]:
    out: list[Finding] = []
    ok = True
    raw_id = get(row, "id_number")
    checked = check_id(raw_id, today=ctx.today)
    if checked.status not in (OK, BLANK):
        code = "id-damaged" if checked.status == "damaged" else "id-invalid"
        out.append(finding(code, f"{checked.reason}。", unit=unit, value=mask_id(checked.text), **where(r, "id_number")))
    elif checked.status == BLANK:
        out.append(finding("id-invalid", "身份证号码为空，请补填。", unit=unit, value="", **where(r, "id_number")))
    person = {"name": clean_text(get(row, "name")), "id_number": checked.text, "id_status": checked.status,
              "id_reason": checked.reason, "relation": clean_text(get(row, "relation"))}
    for name, parse, money in (("disability_grade", parse_grade, True),
                               ("care_need", lambda v: _word(_CARE, v, blank=""), True),
                               ("support_mode", lambda v: _word(_SUPPORT, v, blank=""), False),
                               ("work_ability", lambda v: _word(_ABILITY, v, blank=""), False),
                               ("employment", lambda v: _word(_EMPLOYMENT, v, blank=""), False),
                               ("orphan", lambda v: _word(_YES_NO, v, blank=False), False)):
        raw = get(row, name)
        try:
            person[name] = parse(raw)
        except (ValueError, KeyError):
            person[name] = None if name == "disability_grade" else ("" if name != "orphan" else False)
            tail = "；该户未计入金额。" if money else "。"
            out.append(finding("bad-value", f"{LABELS[name]}“{clean_text(raw)}”无法识别{tail}", unit=unit,
                               value=clean_text(raw), **where(r, name)))
            ok = ok and not money
    return person, out, ok
