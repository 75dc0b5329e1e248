"""The progress form (进展情况表): the unit's tasks pre-filled and locked, its status, numbers and text to fill."""
from __future__ import annotations

from datetime import date, timedelta

from ..config import Office
from ..forms import CARRIED_MARK, STATUSES, ProgressForm
from .form_sheets import (
    CARRIED,
    PROTECTION,
    Column,
    header_row,
    list_rule,
    notes_sheet,
    page_setup,
    row_height,
    title_rows,
    validate,
    workbook,
)
from .labels import ROLE, cn_date
from .xlsx_formats import put

PREVIOUS_MARK = CARRIED_MARK
COLUMNS = (
    Column("任务编号", 6, "center"), Column("工作任务", 14, "wrap"), Column("政策措施", 36, "wrap"),
    Column("分工", 6, "center"), Column("完成状态", 10, "center"), Column("完成进度（%）", 9, "int"),
    Column("进展情况", 34, "wrap"), Column("存在问题", 18, "wrap"), Column("下步计划", 18, "wrap"),
    Column("惠及人数", 9, "int"), Column("投入资金（万元）", 10, "num"),
)
STATUS, PERCENT, TEXT, PEOPLE, FUNDS = 4, 5, 6, 9, 10   # 完成状态 and every column right of it is the unit's to fill
HEADER = 4   # 0-based: title, 填报单位 and 填报日期, the deadline, the carried-over note, then the header


def write_progress_form(form: ProgressForm, path: str, office: Office, today: date) -> None:
    """Write one unit's progress form with its tasks pre-filled and its input cells validated."""
    title = f"{office.district}城镇贫困群众脱贫解困工作重点任务进展情况表（{form.period.label}）"
    wb, fmts = workbook(path, f"{form.unit} {title}", office, today)
    last_col = len(COLUMNS) - 1
    ws = title_rows(wb, fmts, "进展情况", title, form.unit, last_col, unit_cols=3)
    # The reader takes the date from the cell right of 填报日期：, so nothing else may stand on this row after it.
    ws.write_string(1, STATUS, "填报日期：", fmts.plain("line"))
    ws.merge_range(1, PERCENT, 1, TEXT, None, fmts.plain("date"))
    start = date(form.period.year, form.period.months[0], 1)
    ws.data_validation(1, PERCENT, 1, TEXT, {
        "validate": "date", "criteria": "between", "minimum": start, "maximum": start + timedelta(days=365),
        "ignore_blank": True, "error_type": "stop", "input_title": "填报日期",
        "input_message": f"请填写报送当天的日期，如 {form.deadline:%Y-%m-%d}。报送截止：{cn_date(form.deadline)}。",
        "error_title": "填报日期填写有误", "error_message": f"请填写{form.period.label}开始以后的日期，如 {form.deadline:%Y-%m-%d}。"})
    ws.merge_range(2, 0, 2, last_col, f"报送要求：请于{cn_date(form.deadline)}前报送。灰底单元格已预填并锁定，白底单元格请填写；"
                   "完成状态请从下拉列表中选择。详见“填表说明”表。", fmts.plain("line"))
    if form.previous is not None:
        ws.merge_range(3, 0, 3, last_col, f"浅黄底单元格是本单位{form.previous.label}报送的完成状态和进展情况，"
                       f"仅作填写起点，请按本季度实际情况修改，并删去“{PREVIOUS_MARK}”字样。", fmts.plain("note"))
    header_row(ws, fmts, HEADER, COLUMNS)
    first = HEADER + 1
    for r, task in enumerate(form.tasks, start=first):
        for c, value in enumerate((task.number, task.category, task.measure, ROLE[task.role])):
            put(ws, r, c, value, fmts.cell(COLUMNS[c].kind, locked=True))
        text = f"{PREVIOUS_MARK}{task.previous_text}" if task.previous_text else ""
        carried = {STATUS: task.previous_status, TEXT: text}
        for c in range(STATUS, len(COLUMNS)):
            value = carried.get(c, "")
            put(ws, r, c, value, fmts.cell(COLUMNS[c].kind, locked=False, fill=CARRIED if value else None))
        row_height(ws, r, [(task.category, COLUMNS[1].width), (task.measure, COLUMNS[2].width),
                           (text, COLUMNS[TEXT].width)], minimum=2)
    last = first + len(form.tasks) - 1
    _validation(ws, first, last)
    sign = last + 2
    ws.write_string(sign, 0, "填报人：", fmts.plain("line"))
    ws.merge_range(sign, 1, sign, 2, None, fmts.plain("input_line"))
    ws.write_string(sign, STATUS, "联系电话：", fmts.plain("line"))
    ws.merge_range(sign, PERCENT, sign, TEXT, None, fmts.plain("input_line"))
    ws.freeze_panes(first, 1)
    page_setup(ws, HEADER)
    ws.print_area(0, 0, sign, last_col)
    ws.protect("", PROTECTION)
    ws.activate()
    notes_sheet(wb, fmts, progress_notes(form, office))
    wb.close()


def _validation(ws, first: int, last: int) -> None:
    """Put the status drop-down and the number rules on the task rows."""
    validate(ws, first, last, STATUS, list_rule("完成状态", STATUSES))
    validate(ws, first, last, PERCENT, {
        "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100, "input_title": "完成进度（%）",
        "input_message": "填0到100的整数，如 80 表示完成80%。",
        "error_title": "完成进度填写有误", "error_message": "完成进度须为0到100之间的整数。"})
    validate(ws, first, last, PEOPLE, {
        "validate": "integer", "criteria": ">=", "value": 0, "input_title": "惠及人数",
        "input_message": "填不小于0的整数（人），没有可不填。",
        "error_title": "惠及人数填写有误", "error_message": "惠及人数须为不小于0的整数。"})
    validate(ws, first, last, FUNDS, {
        "validate": "decimal", "criteria": ">=", "value": 0, "input_title": "投入资金（万元）",
        "input_message": "填不小于0的数字，单位为万元，没有可不填。",
        "error_title": "投入资金填写有误", "error_message": "投入资金须为不小于0的数字（万元）。"})


def progress_notes(form: ProgressForm, office: Office) -> list[str]:
    """Return the 填表说明 of a progress form, in plain Chinese."""
    lines = [
        f"本表是{form.unit}{form.period.label}脱贫解困工作重点任务进展情况表，已按《重点任务分工方案》列出本单位牵头或负责的"
        f"全部{len(form.tasks)}项任务，每项一行。“分工”一列写明本单位是牵头单位还是责任单位。",
        "灰底单元格（表头、任务编号、工作任务、政策措施、分工）已预填并锁定，不能修改；白底单元格请本单位填写。",
        f"填报日期：填写报送当天的日期，如 {form.deadline:%Y-%m-%d}。请于{cn_date(form.deadline)}前报送，晚于这一天的记为逾期报送。",
        f"完成状态：每项任务都要填，从下拉列表中选择“{'”“'.join(STATUSES)}”之一。",
        "完成进度（%）：填0到100之间的整数，表示该项任务全年的完成程度，如 80 表示完成80%。",
        "进展情况、存在问题、下步计划：用文字简要填写；没有问题的，存在问题填“无”。",
        "惠及人数填不小于0的整数（人）；投入资金填不小于0的数字，单位为万元。没有的可以不填。",
        "请不要增删行、改动表头或工作表名称。不属于本单位分工的工作不要另起一行，可写在相关任务的进展情况中。",
        "表格保护没有设置密码，只为防止误改表头和预填内容，一般不需要撤销。",
        f"填好后直接保存（用 WPS 也可以），按原文件报送{office.short_name or office.name}。",
    ]
    if form.previous is not None:
        lines.insert(6, f"浅黄底单元格是本单位{form.previous.label}报送的完成状态和进展情况，只是填写起点，请按本季度实际情况修改，"
                        f"并删去进展情况前的“{PREVIOUS_MARK}”字样。")
    return lines
