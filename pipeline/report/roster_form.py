"""The roster form (救助对象台账): last quarter's households carried over, drop-downs, text IDs, validated months."""
from __future__ import annotations

from datetime import date, datetime

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..config import Office
from ..forms import (
    CARE_NEEDS,
    CATEGORIES,
    EMPLOYMENTS,
    GRADES,
    SUPPORT_MODES,
    WORK_ABILITIES,
    YES_NO,
    Household,
    RosterForm,
)
from ..ids import DAMAGED, INVALID
from .form_sheets import (
    FLAGGED,
    PROTECTION,
    Column,
    Formats,
    header_row,
    list_rule,
    notes_sheet,
    page_setup,
    title_rows,
    validate,
    workbook,
)
from .xlsx_formats import put

COLUMNS = (
    Column("户编号", 8, "center"), Column("姓名", 8), Column("公民身份号码", 20, "id"), Column("与户主关系", 7, "center"),
    Column("所属镇街", 10), Column("社区", 10), Column("救助类别", 8, "center"), Column("家庭月人均收入", 9, "money"),
    Column("家庭月刚性支出", 9, "money"), Column("残疾等级", 7, "center"), Column("失能情况", 7, "center"),
    Column("供养方式", 7, "center"), Column("劳动能力", 7, "center"), Column("就业状况", 8, "center"),
    Column("孤儿", 5, "center"), Column("享受起始年月", 9, "month"), Column("停发年月", 9, "month"),
)
ID_COLUMN = 2
LISTS = {"救助类别": CATEGORIES, "残疾等级": GRADES, "失能情况": CARE_NEEDS, "供养方式": SUPPORT_MODES,
         "劳动能力": WORK_ABILITIES, "就业状况": EMPLOYMENTS, "孤儿": YES_NO}
LIST_NOTES = {"残疾等级": "不是残疾人的留空。", "失能情况": "生活能自理的选“自理”或留空。", "供养方式": "只对特困人员填写。",
              "孤儿": "不是孤儿的留空或选“否”。"}
HEADER = 3   # 0-based: title, 填报单位, where the rows come from, then the header
# Room for new households under the carried-over ones; more can be inserted, which the protection allows.
MIN_BLANK_ROWS, BLANK_SHARE = 30, 0.2
ROSTER_PROTECTION = {**PROTECTION, "insert_rows": True, "delete_rows": True}


def write_roster_form(form: RosterForm, path: str, office: Office, today: date) -> None:
    """Write one unit's roster form: last quarter's households carried over, room for new ones, drop-downs."""
    title = f"{form.unit}城镇困难群众救助对象台账（{form.period.label}）"
    wb, fmts = workbook(path, title, office, today)
    last_col = len(COLUMNS) - 1
    ws = title_rows(wb, fmts, "救助对象台账", title, form.unit, last_col, unit_cols=5)
    ws.set_row(2, 30)
    ws.merge_range(2, 0, 2, last_col, roster_intro(form), fmts.plain("note"))
    header_row(ws, fmts, HEADER, COLUMNS)
    first = HEADER + 1
    r = _households(ws, fmts, form.households, first, locked=False)
    blank = max(MIN_BLANK_ROWS, int(form.persons * BLANK_SHARE))
    for row in range(r, r + blank):
        for c, col in enumerate(COLUMNS):
            ws.write_blank(row, c, None, fmts.cell(col.kind, locked=False))
    _validation(ws, first, r + blank - 1)
    ws.freeze_panes(first, ID_COLUMN + 1)
    page_setup(ws, HEADER)
    ws.protect("", ROSTER_PROTECTION)
    ws.activate()
    if form.stopped:
        _stopped_sheet(wb, fmts, form)
    notes_sheet(wb, fmts, roster_notes(form, office))
    wb.close()


def _household_rows(h: Household) -> list[list[object]]:
    """Return one row per member; household cells only on the first row, 户编号 on every row so grouping holds."""
    rows = []
    for i, m in enumerate(h.members):
        first = i == 0
        rows.append([
            h.number, m.name, m.id_number, m.relation,
            h.unit if first else "", h.community if first else "", h.category if first else "",
            _yuan(h.income_fen) if first else None, _yuan(h.rigid_fen) if first else None,
            m.disability_grade, m.care_need, m.support_mode, m.work_ability, m.employment, m.orphan,
            _month(h.start) if first else None, _month(h.stop) if first else None,
        ])
    return rows


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _month(ym: tuple[int, int] | None) -> datetime | None:
    return None if ym is None else datetime(ym[0], ym[1], 1)


def _households(ws: Worksheet, fmts: Formats, households: tuple[Household, ...], r: int, *, locked: bool) -> int:
    """Write the households' member rows from row r; return the next free row."""
    for h in households:
        for member, values in zip(h.members, _household_rows(h)):
            for c, value in enumerate(values):
                # An ID last quarter's check found wrong is shown in red, so the unit knows which to correct.
                flagged = c == ID_COLUMN and member.id_status in (INVALID, DAMAGED)
                fmt = fmts.cell(COLUMNS[c].kind, locked=locked, fill=FLAGGED if flagged else None)
                if c != ID_COLUMN or not value:
                    put(ws, r, c, value, fmt)
                elif member.id_status == DAMAGED and value.isdigit():
                    # An ID Excel had already turned into a number goes back as that number: its lost digits cannot
                    # be made up, and the unit must see it as damaged, not as an ID with a wrong check character.
                    ws.write_number(r, c, float(value), fmt)
                else:
                    # The column is text, so an ID typed or carried over never becomes a number.
                    ws.write_string(r, c, value, fmt)
            r += 1
    return r


def _validation(ws: Worksheet, first: int, last: int) -> None:
    """Put the drop-downs, number rules and month rules on the roster's input rows."""
    index = {col.header: c for c, col in enumerate(COLUMNS)}
    for name, words in LISTS.items():
        validate(ws, first, last, index[name], list_rule(name, words, LIST_NOTES.get(name, "")))
    for name, note in (("家庭月人均收入", "单位：元/月。低保、支出型家庭必填，没有收入填0。"),
                       ("家庭月刚性支出", "单位：元/月。支出型家庭填写，其他可不填。")):
        validate(ws, first, last, index[name], {
            "validate": "decimal", "criteria": ">=", "value": 0, "input_title": name, "input_message": note,
            "error_title": f"{name}填写有误", "error_message": f"{name}须为不小于0的数字（元）。"})
    for name, note in (("享受起始年月", "开始享受救助的月份（含该月），如 2019-07。只填在该户第一行。"),
                       ("停发年月", "不再发放的第一个月：7月还发、8月起不发，填 2019-08。仍在享受的留空。")):
        validate(ws, first, last, index[name], {
            "validate": "date", "criteria": "between", "minimum": date(1980, 1, 1), "maximum": date(2099, 12, 31),
            "input_title": name, "input_message": note,
            "error_title": f"{name}填写有误", "error_message": "请填写年月，如 2019-07 或 2019年7月。"})
    validate(ws, first, last, ID_COLUMN, {
        "validate": "length", "criteria": "==", "value": 18, "input_title": "公民身份号码",
        "input_message": "填写完整的18位号码。本列为文本格式，不会被改成科学计数法。",
        "error_title": "公民身份号码填写有误", "error_message": "公民身份号码应为18位。"})


def _stopped_when(form: RosterForm) -> str:
    return f"{form.period.year}年{form.period.months[0]}月"


def roster_intro(form: RosterForm) -> str:
    """Return the line above a roster form's header saying where its rows come from."""
    if form.previous is None:
        return "未收到本单位上季度的台账，本表为空白表，请逐户填写。户一级的内容只需填在该户第一行。详见“填表说明”表。"
    text = (f"本表已带入本单位{form.previous.label}台账{len(form.households)}户{form.persons}人，请逐户核对更新，"
            "新增对象填在下方空行；对象停发请填停发年月，不要删除。")
    if form.stopped:
        text += f"停发年月不晚于{_stopped_when(form)}的{len(form.stopped)}户已移到“已停发户”表。"
    return text + "详见“填表说明”表。"


def roster_notes(form: RosterForm, office: Office) -> list[str]:
    """Return the 填表说明 of a roster form, in plain Chinese."""
    year, (m1, m2, _) = form.period.year, form.period.months
    office_name = office.short_name or office.name
    lines = [
        f"本表是{form.unit}{form.period.label}城镇困难群众救助对象台账，一人一行；同一户的成员连续排列，户编号相同。",
        (f"本表已带入本单位{form.previous.label}台账的{len(form.households)}户{form.persons}人，请逐户核对、更新，不必重新录入。"
         if form.previous is not None else "没有收到本单位上季度的台账，本表为空白表，请逐户填写。"),
        "户一级的内容（所属镇街、社区、救助类别、家庭月人均收入、家庭月刚性支出、享受起始年月、停发年月）只需填在该户第一行；"
        "户编号每一行都要填，同一户的户编号相同。",
        "公民身份号码：本列已设为文本格式，请填写完整的18位号码。不要把号码以数字形式粘贴进来，否则末三位会变成000，无法复原。"
        "红底的号码在上季度核查中有误，请对照户口簿改正。",
        "救助类别、残疾等级、失能情况、供养方式、劳动能力、就业状况、孤儿：从下拉列表中选择。残疾等级不适用的留空；"
        "失能情况留空表示生活能自理；供养方式只对特困人员填写。",
        "家庭月人均收入、家庭月刚性支出：单位为元/月。低保和支出型家庭必须填写收入，没有收入的填0；刚性支出只对支出型家庭填写。",
        f"享受起始年月：该户（特困人员为本人）开始享受救助的月份，从这个月起（含这个月）计发。例如从{m1}月起发放，填 {year}-{m1:02d}。",
        f"停发年月：不再发放的第一个月，这个月起不发。例如{m1}月还发、{m2}月起不发，填 {year}-{m2:02d}。仍在享受的留空。"
        "对象停发时请填写停发年月，不要删除该户；停发以后，下季度的表格会把它移到“已停发户”表。",
        f"年月可以写成 {year}-{m1:02d} 或 {year}年{m1}月，表格会显示为 {year}-{m1:02d}。",
        "新增对象填在表格下方的空行中；空行不够时，可以在表格中插入行。",
        f"本表含个人身份信息，仅限本单位和{office_name}使用，请勿外传。填好后直接保存，按原文件报送{office_name}。",
    ]
    if form.stopped:
        lines.insert(8, f"“已停发户”表列出上季度停发、停发年月不晚于{_stopped_when(form)}的户，本季度不再发放。"
                        "该表与台账一样计入汇总：如停发有误，请直接在该表改正停发年月（继续发放的清空），不要复制到本表。")
    return lines


def _stopped_sheet(wb: xlsxwriter.Workbook, fmts: Formats, form: RosterForm) -> None:
    """List the households that stopped last quarter; read back like the roster, so a wrong stop is undone here."""
    last_col = len(COLUMNS) - 1
    ws = title_rows(wb, fmts, "已停发户", f"{form.unit}已停发户（{form.period.label}）", form.unit, last_col, unit_cols=5)
    ws.set_row(2, 30)
    ws.merge_range(2, 0, 2, last_col, f"以下{len(form.stopped)}户的停发年月不晚于{_stopped_when(form)}，{form.period.label}"
                   "不再发放。本表与台账一样计入汇总：如停发有误，请直接在本表改正停发年月（继续发放的清空），不要再复制到台账。",
                   fmts.plain("note"))
    header_row(ws, fmts, HEADER, COLUMNS)
    last = _households(ws, fmts, form.stopped, HEADER + 1, locked=False) - 1
    _validation(ws, HEADER + 1, last)
    page_setup(ws, HEADER)
    ws.protect("", ROSTER_PROTECTION)
