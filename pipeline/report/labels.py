"""Chinese labels for the domain's enums: the one place where meaning becomes words for readers."""
from __future__ import annotations

from collections.abc import Sequence

from ..vocab import CellReason, ChangeReason, Light, Role, Severity, StaleReason, Status, Submission
from .document import cn_date as cn_date  # re-exported: every report dates the same way
from .document import cn_numeral

SEVERITY = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
LIGHT = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}
LIGHT_SHORT = {Light.GREEN: "绿", Light.YELLOW: "黄", Light.RED: "红"}
# A sheet's light column is coloured by these words (conditional formats, first match winning).
LIGHT_RULES = [(LIGHT_SHORT[light], light) for light in (Light.RED, Light.YELLOW, Light.GREEN)]
LIGHT_COLOURS = {Light.GREEN: "#2e7d32", Light.YELLOW: "#d89b00", Light.RED: "#c62828"}
ROLE = {Role.LEAD: "牵头", Role.RESPONSIBLE: "责任"}
SUBMISSION = {Submission.ON_TIME: "按时", Submission.LATE: "逾期", Submission.MISSING: "未报送"}
# The short word a task × unit matrix cell shows.
STATUS_SHORT = {Status.DONE: "完成", Status.IN_PROGRESS: "推进", Status.NOT_STARTED: "未启动"}
# Headings of the groups of units behind a yellow or red task, in the order a leader reads them.
CELL_REASON = {CellReason.NOT_REPORTED: "未报送", CellReason.NOT_STARTED: "未启动",
               CellReason.BEHIND_SCHEDULE: "进度滞后", CellReason.PROBLEMS_REPORTED: "存在问题",
               CellReason.UNREADABLE_STATUS: "状态不明", CellReason.DONE: "已完成", CellReason.ON_SCHEDULE: "按序时推进",
               CellReason.STALE_PROGRESS: "进展未更新"}
STALE = {StaleReason.CARRIED: "仍是上季度预填内容", StaleReason.REPEATED: "与上季度所填相同",
         StaleReason.NO_PROGRESS: "推进中未填完成进度"}
KIND = {"town": "镇", "subdistrict": "街道", "park": "园区", "department": "部门"}
SHEET_KIND = {"progress": "进展情况表", "roster": "救助对象台账", "unknown": "未识别（已忽略）", "unreadable": "无法打开",
              "empty": "空白工作表", "reference": "填表说明（不计入）", "headerless": "找不到表头（未读取）", "hidden": "隐藏文件（已跳过）",
              "lock": "锁定文件（已跳过）", "system": "系统文件（已跳过）", "folder": "文件夹（未读取）",
              "link": "链接（未跟随）", "special": "特殊文件（未读取）", "output": "jiekun 生成的报告（已跳过）"}
CHANGE_REASON = {ChangeReason.CATEGORY: "救助类别变化", ChangeReason.MEMBERS: "家庭人口变化",
                 ChangeReason.INCOME: "收入或刚性支出变化", ChangeReason.STANDARD: "保障标准调整",
                 ChangeReason.DISABILITY: "残疾补贴变化", ChangeReason.CARE: "护理费变化", ChangeReason.OTHER: "其他原因"}
LEAD_MARK = "★"
UNIT_LIST_LIMIT = 8


def names(units: Sequence[str], limit: int = UNIT_LIST_LIMIT) -> str:
    """Join unit names with 、, cutting long lists to `limit` names and a count."""
    shown = "、".join(units[:limit])
    return shown if len(units) <= limit else f"{shown}等{len(units)}个单位"


def cn_number(n: int) -> str:
    """Write a heading number in Chinese numerals: 1 → 一, 12 → 十二."""
    return cn_numeral(n)
