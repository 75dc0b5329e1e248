"""Write a realistic synthetic input set: progress reports and household rosters, with planted problems.

Every quarter folder ``<year>Q<n>/`` holds one progress report (进展情况表) per reporting unit and
one roster (救助对象台账) per town, subdistrict and park. Everything is clean except these plants,
so a run over the demo should report exactly them.

Progress reports (per quarter; Q1 and Q2 are what ``jiekun demo`` writes):

- missing-submission: Q2 区项目办, Q3 区文广新旅局, Q4 区项目办 send no report (Q1: none).
- late-submission: Q1 罗家镇 dated 03-22, Q2 站东街道 dated 06-24, Q3 塘山镇 09-23, Q4 南钢街道 12-26.
- missing-task: Q1 上海路街道 omits task 16, Q2 湖坊镇 omits 30, Q3 区财政局 omits 50, Q4 京东镇 omits 9.
- unexpected-task: Q1 塘山镇 reports 21, Q2 京东镇 reports 23, Q3 区医保局 reports 21, Q4 区税务局 reports 13.
- unknown-task: a row numbered 60 from Q1 区人社局, Q2 南钢街道, Q3 罗家镇, Q4 湖坊镇.
- duplicate-task: Q1 青山路街道 lists task 9 twice, Q2 区民政局 29, Q3 上海路街道 40, Q4 区住建局 26.
- bad-value: 完成状态 "见附件" in Q1 区卫健委 task 14, Q2 高新园区 task 40, Q3 区教体局 21, Q4 站东街道 1.
- No stale-progress: every 进展情况 names its quarter (截至6月，…), so no unit repeats last quarter's text, and every
  推进中 row has a 完成进度.

Rosters (the same households every quarter, so each plant appears in every quarter):

- id-invalid: 罗家镇, the last member of one 低保 household has a wrong check character.
- id-damaged: 上海路街道, one head's ID is an Excel number (15 digits then 000).
- id-damaged: 站东街道, one head's ID is the text "3.60111E+17".
- person-duplicate: a working member of a 湖坊镇 低保 household is also the head of a one-person
  低保 household in 塘山镇 (same name and ID), in every quarter: filed against both towns.
- moved-without-stop (Q2 only, the first quarter with a previous one): the head of a one-person 京东镇 低保
  household also heads a 湖坊镇 household that enters in May or June; 京东镇 fills in no 停发年月 until July, so
  Q2 pays the person twice: an error for 京东镇 with the months and amount, and a moved-in note for 湖坊镇. Only
  who heads the entering household changes, so the Q1 and Q2 money is what it was without the plant.
- income-above-standard: 京东镇, one 低保 household with income per member = standard + 30 (700 in 2019).
- zero-employment: 青山路街道 and 高新园区, one 低保 household each whose able members are all 未就业.
- bad-value: 南钢街道, one 低保 household's 家庭月人均收入 is "待核实".

Variants that must NOT become findings: an ID ending in lowercase x (湖坊镇) and an ID with spaces
(高新园区); loose unit names (湖坊镇人民政府, 青山湖区民政局, 高新区); task labels 1、/第1条/（1）;
status words from config.toml; 完成进度 as 80, "80%" or 0.8; dates in five forms including an Excel
date (区医保局); CSV reports (区审计局, 区统计局 with BOM, 区纪委监委, 区委宣传部); household cells
merged vertically (塘山镇, 南钢街道); category aliases 城镇低保/特困供养/支出型贫困低收入家庭 (京东镇);
two orphans (孤儿=是) in 低保 households (罗家镇, 上海路街道).
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.writer.excel import ExcelWriter

from .config import Config
from .demo_people import Household, build_population, month_cell, plant_roster_problems, random_name
from .matrix import Matrix
from .period import Period

PROGRESS_HEADER = ("任务编号", "工作任务", "政策措施", "完成状态", "完成进度", "进展情况", "存在问题", "下步计划",
                   "惠及人数", "投入资金（万元）")
ROSTER_HEADER = ("户编号", "姓名", "公民身份号码", "与户主关系", "所属镇街", "社区", "救助类别", "家庭月人均收入",
                 "家庭月刚性支出", "残疾等级", "失能情况", "供养方式", "劳动能力", "就业状况", "孤儿", "享受起始年月", "停发年月")
HOUSEHOLD_COLUMNS = (0, 4, 5, 6, 7, 8, 15, 16)
BAD_STATUS = "见附件"
OTHER_WORK = "配合做好困难群众节日慰问工作，走访{h}户"
UNKNOWN_TASK = 60
PROGRESS_PLANTS = {
    1: {"missing": None, "late": ("罗家镇", 2), "omit": ("上海路街道", 16), "extra": ("塘山镇", 21),
        "unknown": "区人社局", "duplicate": ("青山路街道", 9), "bad_status": ("区卫健委", 14)},
    2: {"missing": "区项目办", "late": ("站东街道", 4), "omit": ("湖坊镇", 30), "extra": ("京东镇", 23),
        "unknown": "南钢街道", "duplicate": ("区民政局", 29), "bad_status": ("高新园区", 40)},
    3: {"missing": "区文广新旅局", "late": ("塘山镇", 3), "omit": ("区财政局", 50), "extra": ("区医保局", 21),
        "unknown": "罗家镇", "duplicate": ("上海路街道", 40), "bad_status": ("区教体局", 21)},
    4: {"missing": "区项目办", "late": ("南钢街道", 6), "omit": ("京东镇", 9), "extra": ("区税务局", 13),
        "unknown": "湖坊镇", "duplicate": ("区住建局", 26), "bad_status": ("站东街道", 1)},
}
LOOSE_UNIT_NAMES = {"湖坊镇": "湖坊镇人民政府", "区民政局": "青山湖区民政局", "高新园区": "高新区"}
TASK_LABELS = {"区住建局": "{}、", "罗家镇": "第{}条", "区妇联": "（{}）"}
FILE_NAMES = {"区民政局": "区民政局 {cn}季度进展.xlsx", "区财政局": "青山湖区财政局{year}年第{cn}季度脱贫解困工作进展情况.xlsx",
              "区残联": "附件2 进展情况表（区残联）{period}.xlsx", "高新园区": "高新区{period}进展.xlsx"}
CSV_UNITS = {"区审计局": "utf-8", "区统计局": "utf-8-sig", "区纪委监委": "utf-8", "区委宣传部": "utf-8"}
DATE_CELL_UNIT = "区医保局"
MERGED_UNITS = ("塘山镇", "南钢街道")
CATEGORY_ALIASES = {"京东镇": {"低保": "城镇低保", "特困": "特困供养", "支出型": "支出型贫困低收入家庭"}}
DISABILITY_CELLS = {0: None, 1: "一级", 2: "二级", 3: 3, 4: "四级"}
CN_QUARTER = "一二三四"
FIXED_TIME = datetime(2019, 3, 30)

STATUS_WORDS = {"已完成": ["已完成"] * 6 + ["已落实", "完成", "全面完成"],
                "推进中": ["推进中"] * 6 + ["正在推进", "持续推进", "进行中", "稳步推进"],
                "未启动": ["未启动", "未启动", "尚未开展"]}
PROGRESS_TEXT = {
    (1, 1): ["按新标准足额发放低保金，入户核查低保家庭{h}户", "完成低保标准提标调整，人均补差按月发放到位"],
    (2, 2): ["困难残疾人生活补贴和重度残疾人护理补贴按月发放，惠及{p}人", "核实残疾人两项补贴对象{p}人，按新标准发放"],
    (3, 5): ["特困人员供养金按月足额发放，走访特困人员{h}人", "完成特困人员生活自理能力评估{h}人，照料护理费按档发放",
             "区社会福利中心集中供养特困人员{h}人，落实康复护理"],
    (6, 6): ["孤儿基本生活费按月发放，走访孤儿{n}名", "建立孤儿信息台账，按标准发放基本生活费"],
    (7, 7): ["审核支出型贫困低收入家庭{h}户，扣减刚性支出后纳入低保{n}户", "对因病、因学支出家庭逐户核算刚性支出{h}户"],
    (8, 8): ["对因病因残等陷入困境的{h}户家庭落实对应帮扶政策", "摸排短期困难家庭{h}户，逐户建立帮扶台账"],
    (9, 12): ["开展就业技能培训{n}期，培训困难群众{p}人次", "举办专场招聘会{n}场，帮助{p}名困难群众实现就业",
              "走访低保家庭{h}户，逐户登记就业意愿，落实就业援助"],
    (13, 16): ["为{p}名城镇贫困群众全额代缴城乡居民医保个人缴费", "落实医疗救助{p}人次，救助比例提高5个百分点",
               "为{p}名城镇贫困群众购买重大疾病医疗补充保险"],
    (17, 19): ["实施疾病应急救助{n}例", "“一站式”结算平台运行正常，先诊疗后付费惠及{p}人次"],
    (20, 20): ["组织城镇贫困妇女两癌免费检查{p}人", "两癌免费检查有序开展，确诊患者均已落实救助"],
    (21, 22): ["摸排在校困难家庭学生{p}人，建立学生资助信息台账", "落实城镇贫困家庭学生资助{p}人次"],
    (23, 24): ["为{p}名困难群众代缴居民基本养老保险费", "督促{n}家企业补缴社会保险费，做好困难职工社保接续"],
    (25, 25): ["受理助学贷款申请{n}笔，已全部审核上报", "开展助学贷款政策宣传{n}场"],
    (26, 28): ["受理住房救助申请{h}户，发放租赁补贴{h}户", "棚户区改造安置房建设按计划推进，完成入户调查{h}户"],
    (29, 31): ["实施临时救助{h}户次，均在规定时限内办结", "临时救助备用金制度运行正常，审批发放{n}笔",
               "民政协理员主动走访困难家庭{h}户"],
    (32, 35): ["开展“春风行动”等帮扶活动{n}次，帮扶困难职工{p}人", "对接{n}家社会组织参与慈善救助，惠及{p}人"],
    (36, 38): ["召开领导小组会议{n}次，研究部署脱贫解困工作", "已成立脱贫解困工作领导小组，明确专人负责日常工作"],
    (39, 44): ["组织干部结对帮扶困难家庭{h}户", "社区完成入户调查{h}户，建立对象台账", "动员{n}家规模以上企业参与帮扶"],
    (45, 49): ["通过居民家庭经济状况核对平台核对{h}户", "推行“一次不跑”，精简审批材料{n}项",
               "委托第三方机构核查家庭收入{h}户"],
    (50, 52): ["及时拨付救助资金，开展资金使用自查{n}次", "落实特困人员失能护理资金，按季拨付到位"],
    (53, 57): ["开展督导检查{n}次，发现问题均已督促整改", "按季度完成脱贫解困工作调度，报送进展情况"],
    (58, 59): ["在微信公众号等平台发布宣传信息{n}篇", "发放政策宣传资料{p}份，开展政策宣讲{n}场"],
}
PROBLEMS = ["部分对象家庭收入核查难度较大", "社区工作力量不足，入户核查进度偏慢", "部分困难群众就业意愿不强",
            "专项资金尚未全部到位", "部门间数据共享不够顺畅", "个别对象外出务工，联系困难"]
PLANS = ["继续按序时推进，确保按期完成", "加强与区民政局对接，做好数据比对", "加大入户核查力度，做到应保尽保",
         "强化跟踪问效，巩固工作成效", "完善工作台账，实行动态管理", "做好下季度资金拨付工作"]


def write_demo(out_dir: Path, config: Config, matrix: Matrix, *, quarters: int = 2, year: int = 2019,
               seed: int = 20190330, households: int | None = None) -> list[Path]:
    """Write a realistic synthetic input set into out_dir/<year>Q<n>/ and return the files written.

    `households` is how many households each town, subdistrict and park lists from before the year; None keeps
    the shipped sample's size (about 144).
    """
    if not 1 <= quarters <= 4:
        raise ValueError(f"quarters must be 1..4, not {quarters}")
    if households is not None and households < 8:
        raise ValueError(f"households must be at least 8, not {households}")
    standard = float(config.parameters.for_period(Period(year, 1), ("dibao_standard",))["dibao_standard"][0].value)
    local = [u.name for u in config.registry.units if u.is_local]
    reporting = [u.name for u in config.registry.reporting]
    population = build_population(local, year, seed, standard, households)
    plant_roster_problems(population, year, seed, standard)
    # Progress for all four quarters is drawn up front so Q1 does not depend on how many are written.
    progress = {u: _trajectories(random.Random(f"{seed}:progress:{u}"), matrix.tasks_of(u)) for u in reporting}
    written: list[Path] = []
    for quarter in range(1, quarters + 1):
        period = Period(year, quarter)
        folder = Path(out_dir) / str(period)
        folder.mkdir(parents=True, exist_ok=True)
        for unit in reporting:
            if PROGRESS_PLANTS[quarter]["missing"] != unit:
                rng = random.Random(f"{seed}:{period}:{unit}")
                written.append(_write_progress(folder, config, matrix, period, unit, progress[unit], rng, seed))
        for unit in local:
            written.append(_write_roster(folder, period, unit, [h for h in population if h.unit == unit]))
    return written


def _trajectories(rng: random.Random, tasks: list[int]) -> dict[int, list[int]]:
    """Draw a rising 完成进度 for each task over the four quarters; 100 means done and stays done."""
    out = {}
    for task in tasks:
        r = rng.random()
        p = 100 if r < 0.12 else 0 if r < 0.17 else rng.randrange(15, 50, 5)
        values = [p]
        for _ in range(3):
            p = min(100, p + rng.randrange(15, 40, 5))
            values.append(p)
        out[task] = values
    return out


def _progress_rows(config: Config, matrix: Matrix, period: Period, unit: str, progress: dict[int, list[int]],
                   rng: random.Random, style: str) -> list[list]:
    """Return the unit's data rows for the quarter, with this quarter's plants applied."""
    plants = PROGRESS_PLANTS[period.quarter]
    tasks = list(progress)
    if plants["omit"][0] == unit and plants["omit"][1] in tasks:
        tasks.remove(plants["omit"][1])
    if plants["extra"][0] == unit:
        tasks = sorted({*tasks, plants["extra"][1]})
    label = TASK_LABELS.get(unit, "{}")
    rows = []
    for task in tasks:
        value = progress[task][period.quarter - 1] if task in progress else rng.randrange(20, 60, 5)
        rows.append(_task_row(config, matrix, rng, period, task, value, style, label))
        if plants["bad_status"] == (unit, task):
            rows[-1][3] = BAD_STATUS
    if plants["duplicate"][0] == unit and plants["duplicate"][1] in progress:
        task = plants["duplicate"][1]
        value = min(100, progress[task][period.quarter - 1] + 5)
        rows.append(_task_row(config, matrix, rng, period, task, value, style, label))
        rows[-1][5] = "（补报）" + rows[-1][5]
    if plants["unknown"] == unit:
        rows.append(_task_row(config, matrix, rng, period, UNKNOWN_TASK, 50, style, label))
    return rows


def _task_row(config: Config, matrix: Matrix, rng: random.Random, period: Period, task: int, value: int,
              style: str, label: str) -> list:
    """Return one progress row whose words, numbers and status agree with the task and its progress."""
    status = "已完成" if value >= 100 else "未启动" if value == 0 else "推进中"
    words = [w for w in STATUS_WORDS[status] if config.status_words.get(w) == status] or [status]
    known = task in matrix.numbers
    category, measure = (matrix.task(task).category, matrix.task(task).measure) if known else ("", "")
    templates = next((t for (lo, hi), t in PROGRESS_TEXT.items() if lo <= task <= hi), [OTHER_WORK])
    q, month = period.quarter, period.months[-1]
    numbers = {"h": rng.randint(8, 60) * q, "p": rng.randint(20, 300) * q, "n": rng.randint(1, 3) + q}
    # Every prefix names the quarter, so a unit never repeats last quarter's text word for word (stale-progress).
    prefix = rng.choice([f"截至{month}月，", f"{CN_QUARTER[q - 1]}季度", f"{period.year}年1–{month}月，", f"{month}月底前，"])
    if status == "未启动":
        text, problem = f"截至{month}月，该项工作尚未启动，待区级配套方案出台后实施。", rng.choice(["上级配套政策尚未出台", "无"])
    else:
        text = prefix + rng.choice(templates).format(**numbers) + ("，该项工作已全面完成。" if status == "已完成" else "。")
        problem = rng.choice(PROBLEMS) if rng.random() < 0.1 else rng.choice(["无", "无", "无", "暂无"])
    plan = "巩固工作成果，实行常态化管理" if status == "已完成" else rng.choice(PLANS)
    people = numbers["p"] if task <= 35 and value > 0 else None
    spends = (task <= 35 or 50 <= task <= 52) and value > 0 and rng.random() < 0.8
    funds = round(rng.uniform(0.5, 60) * q, 2) if spends else None
    percent = {"int": value, "text": f"{value}%", "fraction": value / 100}[style]
    return [label.format(task) if label != "{}" else task, category, measure, rng.choice(words), percent,
            text, problem, plan, people, funds]


def _report_date(config: Config, period: Period, unit: str, rng: random.Random) -> date:
    deadline = config.deadline.of(period)
    late = PROGRESS_PLANTS[period.quarter]["late"]
    if late[0] == unit:
        return deadline + timedelta(days=late[1])
    return deadline - timedelta(days=rng.randint(0, 10))


def _date_text(day: date, style: str) -> str:
    return {"cn": f"{day.year}年{day.month}月{day.day}日", "iso": day.isoformat(),
            "dot": f"{day.year}.{day.month}.{day.day}", "slash": f"{day.year}/{day.month}/{day.day}"}[style]


def _write_progress(folder: Path, config: Config, matrix: Matrix, period: Period, unit: str,
                    progress: dict[int, list[int]], rng: random.Random, seed: int) -> Path:
    """Write one unit's progress report as .xlsx, or .csv for the CSV units, and return its path."""
    # A unit's habits (date form, blank row, percent form) come from a seed without the quarter, so they persist.
    habits = random.Random(f"{seed}:habits:{unit}")
    date_style = habits.choices(("cn", "iso", "dot", "slash"), (50, 20, 15, 15))[0]
    date_style = "cell" if unit == DATE_CELL_UNIT else date_style
    blank_row = habits.random() < 0.8
    percent_style = habits.choices(("int", "text", "fraction"), (70, 20, 10))[0]
    day = _report_date(config, period, unit, rng)
    title = f"{config.office.district}城镇贫困群众脱贫解困工作重点任务进展情况表（{period.label}）"
    unit_text = f"填报单位：{LOOSE_UNIT_NAMES.get(unit, unit)}"
    rows = _progress_rows(config, matrix, period, unit, progress, rng, percent_style)
    footer = f"填报人：{random_name(rng, rng.random() < 0.5)}  联系电话：0791-88{rng.randint(0, 999999):06d}"
    cn = CN_QUARTER[period.quarter - 1]
    if unit in CSV_UNITS:
        path = folder / f"{unit}-{period}进展情况.csv"
        meta = [unit_text, "", "", "", "", f"填报日期：{_date_text(day, date_style)}"]
        lines = [[title], meta] + ([[]] if blank_row else []) + [list(PROGRESS_HEADER)] + rows + [[], [footer]]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in lines])
        path.write_bytes(buf.getvalue().encode(CSV_UNITS[unit]))
        return path
    name = FILE_NAMES.get(unit, "{unit}-{period}进展情况.xlsx").format(unit=unit, period=period, cn=cn, year=period.year)
    wb = Workbook()
    ws = wb.active
    ws.title = "进展情况"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PROGRESS_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"] = unit_text
    if date_style == "cell":
        ws["F2"], ws["G2"] = "填报日期：", datetime(day.year, day.month, day.day)
        ws["G2"].number_format = 'yyyy"年"m"月"d"日"'
    else:
        ws["F2"] = f"填报日期：{_date_text(day, date_style)}"
    header_row = 4 if blank_row else 3
    for col, text in enumerate(PROGRESS_HEADER, start=1):
        ws.cell(header_row, col, text).font = Font(bold=True)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, value)
            if c == 5 and isinstance(value, float):
                cell.number_format = "0%"
    ws.cell(header_row + len(rows) + 2, 1, footer)
    for col, width in zip("ABCDEFGHIJ", (9, 18, 40, 10, 10, 46, 24, 28, 10, 14)):
        ws.column_dimensions[col].width = width
    path = folder / name
    _save(wb, path)
    return path


def _write_roster(folder: Path, period: Period, unit: str, households: list[Household]) -> Path:
    """Write one unit's roster for the quarter, merging household cells where the unit does so."""
    keys = period.month_keys
    wb = Workbook()
    ws = wb.active
    ws.title = "救助对象台账"
    ws.append([f"{unit}城镇困难群众救助对象台账（{period.label}）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ROSTER_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"填报单位：{unit}"
    ws.append(list(ROSTER_HEADER))
    aliases = CATEGORY_ALIASES.get(unit, {})
    merged = unit in MERGED_UNITS
    r = 4
    for h in (h for h in households if h.on_roster(keys)):
        stop = month_cell(h.stop, h.month_style) if h.stop is not None and h.stop <= keys[-1] else None
        shared = [h.number, unit, h.community, aliases.get(h.category, h.category), _number(h.income),
                  _number(h.rigid), month_cell(h.start, h.month_style), stop]
        for i, p in enumerate(h.members):
            values = [None, p.name, p.cell, p.relation, None, None, None, None, None, DISABILITY_CELLS[p.disability],
                      p.care or None, p.support or None, p.able, p.job or None, p.orphan, None, None]
            if i == 0 or not merged:
                for col, value in zip(HOUSEHOLD_COLUMNS, shared):
                    values[col] = value
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r + i, c, value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm"
        if merged and len(h.members) > 1:
            for col in HOUSEHOLD_COLUMNS:
                _merge(ws, r, r + len(h.members) - 1, col + 1)
        r += len(h.members)
    for col, width in zip("ABCDEFG", (10, 10, 22, 10, 12, 12, 10)):
        ws.column_dimensions[col].width = width
    path = folder / f"{unit}-救助对象台账-{period}.xlsx"
    _save(wb, path)
    return path


def _merge(ws, first_row: int, last_row: int, column: int) -> None:
    """Merge cells down one column, as ws.merge_cells does but without its scan of every earlier range.

    That scan makes a roster of many households quadratic; the ranges merged here never overlap.
    """
    merged = MergedCellRange(ws, CellRange(min_col=column, min_row=first_row, max_col=column, max_row=last_row).coord)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


def _number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _save(wb: Workbook, path: Path) -> None:
    """Save with fixed timestamps inside and on the zip entries, so equal seeds give equal bytes."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "jiekun demo"
    buf = io.BytesIO()
    # ExcelWriter, unlike Workbook.save, leaves `modified` alone.
    ExcelWriter(wb, ZipFile(buf, "w", ZIP_DEFLATED)).save()
    with ZipFile(buf) as src, ZipFile(path, "w", ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename), compress_type=ZIP_DEFLATED)
