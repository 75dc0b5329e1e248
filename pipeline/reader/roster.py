"""Read a household roster sheet (救助对象台账) into one typed row per person, grouped into households."""
from __future__ import annotations

import re

import pandas as pd

from ..cells import clean_text, is_blank, parse_fen, parse_int, parse_month, shown
from ..findings import Finding, finding
from ..ids import BLANK, OK, check_id
from ..period import month_key
from ..privacy import mask_id
from ..units import find_unit_in
from .files import Grid
from .layout import Layout, metadata, title
from .progress import match_unit
from .schema import LABELS, ROSTER, household_fields
from .sheet import ReadContext, SheetRead
from .totals import check_roster, split_body

CATEGORY_WORDS = {
    "低保": ("低保", "城市低保", "城镇低保", "低保户", "最低生活保障", "城镇最低生活保障", "城市最低生活保障", "低保对象",
           "低保家庭", "城市低保户", "城镇低保户", "城市低保家庭", "城镇低保家庭", "城市居民最低生活保障", "城镇居民最低生活保障"),
    "特困": ("特困", "特困供养", "特困人员", "城市特困", "城镇特困", "特困供养人员", "城市三无", "三无人员", "特困户",
           "特困对象", "城市特困人员", "城镇特困人员", "特困供养对象", "集中供养特困", "分散供养特困"),
    "支出型": ("支出型", "支出型贫困", "支出型贫困家庭", "支出型贫困低收入家庭", "支出型低收入家庭", "支出型贫困低收入",
            "支出型贫困户", "支出型困难家庭", "支出型贫困对象"),
}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4,
               "I": 1, "II": 2, "III": 3, "IV": 4}
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
# What 无, — and NA mean is decided per column, never by pandas' NA guessing:
#   家庭月人均收入  无 = no income (0); —, NA, blank = not filled (bad-value for 低保 and 支出型)
#   家庭月刚性支出  any of them = 0          停发年月  any = still paid     享受起始年月  any = missing (bad-value)
#   残疾等级        any = not disabled       失能情况  any = self-caring    孤儿          any = 否
#   劳动能力        无 = no ability; —, NA = unknown                         就业状况, 供养方式  any = unknown
#   公民身份号码    any = a missing ID (id-invalid)                          家庭人口      any = not given
# Cells that mean "not applicable" in a person-level column where blank is a real answer.
_EMPTY_ANSWERS = frozenset({"", "—", "——", "-", "--", "/", "／", "NA", "N/A", "na", "n/a", "null", "None", "无"})
# 一级, 1级, 肢体二级, 视力残疾三级, 二级（肢体）, Ⅱ级 (NFKC makes it II).
_GRADE = re.compile(r"^(?:[^\d一二三四壹贰叁肆IV]{0,6}?)(IV|I{1,3}|[1-4一二三四壹贰叁肆])级?(?:残疾|伤残)?(?:[（(/][^\d]{0,6}[)）]?)?$")
_HEAD_WORDS = frozenset({"户主", "本人", "户主本人", "申请人"})
_SPACES = re.compile(r"\s+")
_BRACKET_TAIL = re.compile(r"[（(][^）)]*[)）]$")

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
    text = _SPACES.sub("", clean_text(raw))
    if is_blank(text):
        return None
    for candidate in (text, _BRACKET_TAIL.sub("", text)):
        if candidate in _CATEGORY:
            return _CATEGORY[candidate]
    raise ValueError(raw)


def parse_grade(raw: object) -> int | None:
    """Read a disability grade 一级–四级 or 1–4; None when not disabled."""
    text = _SPACES.sub("", clean_text(raw)).upper()
    if text in _EMPTY_ANSWERS or text.lower() in _EMPTY_ANSWERS or text in {"否", "非残疾", "无残疾", "0"}:
        return None
    m = _GRADE.match(text)
    if not m:
        raise ValueError(raw)
    return GRADE_WORDS[m.group(1)]


def is_head(relation: object) -> bool:
    """Say whether a 与户主关系 cell marks the head of the household."""
    return _SPACES.sub("", clean_text(relation)) in _HEAD_WORDS


def _word(table: dict[str, object], raw: object, *, blank=None):
    text = _SPACES.sub("", clean_text(raw))
    if text in _EMPTY_ANSWERS and text not in table:
        return blank
    if text in table:
        return table[text]
    raise ValueError(raw)


def read_roster(grid: Grid, layout: Layout, ctx: ReadContext) -> SheetRead:
    """Parse person rows, fill household cells from the household's first row, and report what cannot be read."""
    rows = grid.rows
    body = split_body(rows, layout.data_start)
    meta = metadata(rows, layout.header_rows[0])
    found: list[Finding] = []
    hit = match_unit(ctx.registry, meta["unit"][0]) if "unit" in meta else None
    if hit is None:
        hit = find_unit_in(ctx.registry, ctx.file) or find_unit_in(ctx.registry, grid.name)
    sheet_unit = hit.name if hit else None

    def where(r: int, name: str) -> dict:
        return {"file": ctx.file, "sheet": grid.name, "row": r + 1, "column": layout.headers.get(name, LABELS[name])}

    def get(row, name):
        c = layout.columns.get(name)
        return row[c] if c is not None and c < len(row) else ""

    households = _group(rows, body, layout, get)
    records = []
    for members in households:
        first = members[0]
        span = f"第{first + 1}行" if len(members) == 1 else f"第{first + 1}–{members[-1] + 1}行"
        hh = {name: get(rows[first], name) for name in household_fields()}
        unit_cell = clean_text(hh["unit"])
        unit = sheet_unit
        if unit_cell:
            cell_hit = match_unit(ctx.registry, unit_cell)
            if cell_hit is not None:
                unit = cell_hit.name
        hh_findings, parsed, computable = _household(hh, first, unit or "", where, span)
        found.extend(hh_findings)
        if unit is None:
            found.append(finding("unknown-unit", f"无法识别所属镇街“{shown(unit_cell) or '（未填写）'}”，该户（{span}）未计入汇总；"
                                 "请在“所属镇街”列或表头上方“填报单位”写明镇街名称。",
                                 value=shown(unit_cell), **where(first, "unit")))
            computable = False
        people = []
        for r in members:
            person, person_findings, ok = _person(rows[r], r, get, unit or "", where, ctx, span, parsed["category"])
            found.extend(person_findings)
            computable = computable and ok
            person.update(parsed)
            person.update({"unit": unit or "", "_row": r + 1, "_household_row": first + 1,
                           "household_no": shown(hh["household_no"])})  # some units use the head's ID as 户编号
            people.append(person)
        head_id = next((p["id_number"] for p in people if is_head(p["relation"]) and p["id_number"]), "")
        key = clean_text(hh["household_no"]) or head_id or f"行{first + 1}"
        for p in people:
            p["household_key"] = f"{ctx.file}|{grid.name}|{key}"
            p["used"] = computable
        records.extend(people)
        size = parsed.get("household_size")
        if size is not None and size != len(members):
            found.append(finding("household-size-mismatch",
                                 f"家庭人口填{size}人，但列出了{len(members)}名成员（{span}）；按列出的成员计发。",
                                 unit=unit or "", value=str(size), **where(first, "household_size")))

    frame = pd.DataFrame(records, columns=COLUMNS)
    frame["used"] = frame["used"].astype(bool)
    for name in layout.missing:
        found.append(finding("missing-column", f"缺少必填列“{LABELS[name]}”，本表未计入汇总。", unit=sheet_unit or "",
                             file=ctx.file, sheet=grid.name, row=layout.header_rows[-1] + 1, column=LABELS[name]))
    if layout.missing:
        frame["used"] = False
    found += check_roster(rows, body, layout, households, {"file": ctx.file, "sheet": grid.name}, sheet_unit or "")
    return SheetRead(ctx.file, grid.name, ROSTER, sheet_unit, None, title(rows, layout.header_rows[0]), frame, tuple(found))


def _group(rows, body, layout: Layout, get) -> list[list[int]]:
    """Group data rows into households (lists of 0-based rows).

    With a 户编号 column a new number starts a household and a blank one continues it (a merged cell);
    without one, each 户主 row starts a household. With neither 户编号 nor 与户主关系, each row stands alone.
    A 合计 or 小计 line always closes the household above it.
    """
    has_no = "household_no" in layout.columns
    has_relation = "relation" in layout.columns
    breaks = {t.covers[-1] for t in body.totals if t.covers}
    households: list[list[int]] = []
    current_no = None
    closed = True
    for r in body.data:
        no = clean_text(get(rows[r], "household_no")) if has_no else ""
        head = is_head(get(rows[r], "relation"))
        if has_no:
            starts = (bool(no) and no != current_no) or (not no and head)
        else:
            starts = head or not has_relation
        if starts or closed:
            households.append([r])
            current_no = no or None
        else:
            households[-1].append(r)
        closed = r in breaks
    return households


def _household(hh: dict, r: int, unit: str, where, span: str) -> tuple[list[Finding], dict, bool]:
    """Parse the household-level cells; say whether the household's amount can be computed."""
    out: list[Finding] = []
    ok = True
    left_out = f"该户（{span}）未计入金额。"

    def bad(name, message, raw):
        out.append(finding("bad-value", message, unit=unit, value=shown(raw), **where(r, name)))

    parsed: dict = {"community": clean_text(hh["community"])}
    try:
        parsed["category"] = parse_category(hh["category"])
    except ValueError:
        parsed["category"] = None
    if parsed["category"] is None:
        bad("category", f"救助类别“{shown(hh['category']) or '（空）'}”无法识别，请填 低保、特困 或 支出型；{left_out}", hh["category"])
        ok = False
    needs_income = parsed["category"] in ("低保", "支出型")
    for name, label in (("income", "家庭月人均收入"), ("rigid_spending", "家庭月刚性支出")):
        raw = hh[name]
        text = _SPACES.sub("", clean_text(raw))
        try:
            # On an income line 无 means "no income", not "unknown"; —, NA and blank stay blank.
            value = 0 if text in ("无", "无收入", "0") else parse_fen(raw)
            if value is not None and value < 0:
                raise ValueError(raw)
        except ValueError:
            value = None
            if needs_income:
                bad(name, f"{label}“{shown(raw)}”无法识别，请填不小于0的数字（元）；{left_out}", raw)
                ok = False
        parsed["income_fen" if name == "income" else "rigid_fen"] = value
    if needs_income and parsed["income_fen"] is None and ok:
        bad("income", f"低保、支出型家庭须填家庭月人均收入（无收入填0）；{left_out}", hh["income"])
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
            bad(name, f"{label}“{shown(raw) or '（空）'}”无法识别，请写成 2019-01 或 2019年1月；{left_out}", raw)
            ok = False
            ym = None
        parsed["start_key" if name == "start_month" else "stop_key"] = month_key(*ym) if ym else None
    try:
        parsed["household_size"] = parse_int(hh["household_size"])
    except ValueError:
        parsed["household_size"] = None
    return out, parsed, ok


def _person(row, r: int, get, unit: str, where, ctx: ReadContext, span: str, category: str | None
            ) -> tuple[dict, list[Finding], bool]:
    """Parse one member's cells; say whether the household's amount can still be computed."""
    out: list[Finding] = []
    ok = True
    raw_id = get(row, "id_number")
    # 无, — or NA in the ID column is a missing ID, not a one-character one.
    checked = check_id("" if is_blank(raw_id) else raw_id, today=ctx.today)
    if checked.status not in (OK, BLANK):
        code = "id-damaged" if checked.status == "damaged" else "id-invalid"
        out.append(finding(code, f"{checked.reason}。", unit=unit, value=mask_id(checked.text), **where(r, "id_number")))
    elif checked.status == BLANK:
        out.append(finding("id-invalid", "身份证号码为空，请补填。", unit=unit, value="", **where(r, "id_number")))
    person = {"name": clean_text(get(row, "name")), "id_number": checked.text, "id_status": checked.status,
              "id_reason": checked.reason, "relation": clean_text(get(row, "relation"))}
    # The grade decides the disability allowances of every category; the care need only the 特困 care fee.
    care_pays = category in ("特困", None)
    for name, parse, money in (("disability_grade", parse_grade, True),
                               ("care_need", lambda v: _word(_CARE, v, blank=""), care_pays),
                               ("support_mode", lambda v: _word(_SUPPORT, v, blank=""), False),
                               ("work_ability", lambda v: _word(_ABILITY, v, blank=""), False),
                               ("employment", lambda v: _word(_EMPLOYMENT, v, blank=""), False),
                               ("orphan", lambda v: _word(_YES_NO, v, blank=False), False)):
        raw = get(row, name)
        try:
            person[name] = parse(raw)
        except (ValueError, KeyError):
            person[name] = None if name == "disability_grade" else ("" if name != "orphan" else False)
            tail = f"；该户（{span}）未计入金额。" if money else "。"
            out.append(finding("bad-value", f"{LABELS[name]}“{shown(raw)}”无法识别{tail}", unit=unit,
                               value=shown(raw), **where(r, name)))
            ok = ok and not money
    return person, out, ok
