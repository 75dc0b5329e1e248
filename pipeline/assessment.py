"""The annual assessment (全年考核): score every reporting unit over the year's quarters, by config.toml [assessment].

Pure: it reads only the quarters' computed contexts and the configuration. Scores are exact fractions until the
end, where each item is rounded half-up to 0.01 point; the total is the sum of the rounded items, so a reader
can add the printed items and get the printed total.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .config import Config
from .context import Context
from .errors import StopRun
from .findings import CODES, ERROR, WARNING
from .lights import GREEN, RED, YELLOW
from .period import Period

ITEMS = (("timeliness", "报送及时性"), ("completeness", "报送完整性"), ("task_completion", "任务完成情况"),
         ("data_quality", "数据质量"))
ITEM_LABELS = dict(ITEMS)
GRADES = ("优秀", "良好", "一般", "较差")
MISSING_RULES = ("exclude", "zero")
BASES = ("mean", "last")
CN_QUARTER = "一二三四"
ABSENT = "未收到"   # the state of a quarter whose folder is absent: nobody's fault, nobody's report


@dataclass(frozen=True)
class Method:
    """The scoring method as configured: weights, shares per outcome, deductions, grade thresholds."""

    weights: dict[str, Decimal]
    timeliness: dict[str, Decimal]        # on_time / late / missing → share of the item's points
    light_shares: dict[str, Decimal]      # green / yellow / red → share
    completion_basis: str                 # mean | last
    per_error: Decimal
    per_warning: Decimal
    exclude_codes: tuple[str, ...]
    missing_quarter: str                  # exclude | zero
    grades: tuple[tuple[str, Decimal], ...]   # highest minimum first

    @property
    def full_marks(self) -> Decimal:
        return sum(self.weights.values(), Decimal(0))

    def grade(self, total: Decimal) -> str:
        """Return the first grade, from the top, whose minimum the total reaches."""
        return next((name for name, low in self.grades if total >= low), self.grades[-1][0])


@dataclass(frozen=True)
class AnnualContext:
    """Everything the annual assessment shows, computed once."""

    year: int
    today: date
    office: dict
    plan_title: str
    plan_document: str
    method: Method
    rules: list[dict]            # item, label, weight, text: the method in words, from the config
    general_rules: list[str]     # missing quarters, totals, grades
    quarters: list[dict]         # period, label, present
    missing_note: str
    units: list[dict]            # ranked: unit, kind_label, items, total, grade, rank, quarters
    grade_counts: dict[str, int]
    light_rule: str


def parse_method(config: Config) -> Method:
    """Read [assessment] from config.toml; stop the run with a plain sentence naming what is wrong."""
    raw = config.raw.get("assessment")
    name = config.path.name
    if not isinstance(raw, dict):
        raise StopRun(f"配置文件 {name} 缺少 [assessment]（全年考核办法），第四季度无法生成年度考核，请按说明补上后再运行。")

    def table(key: str) -> dict:
        value = raw.get(key)
        if not isinstance(value, dict):
            raise StopRun(f"配置文件 {name} 缺少 [assessment.{key}]，请补上。")
        return value

    def number(section: str, key: str, *, share: bool = False) -> Decimal:
        value = table(section).get(key)
        try:
            d = Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        except InvalidOperation:
            d = None
        if d is None or d < 0 or (share and d > 1):
            limit = "0 到 1 之间的小数" if share else "不小于 0 的数"
            raise StopRun(f"配置文件 {name} 的 assessment.{section}.{key} 须为{limit}，请改正。")
        return d

    weights = {k: number(k, "weight") for k, _ in ITEMS}
    if sum(weights.values()) != 100:
        raise StopRun(f"配置文件 {name} 的 [assessment] 各项权重之和为 {_num(sum(weights.values()))}，须为 100，请改正。")
    basis = table("task_completion").get("basis", "mean")
    missing_quarter = raw.get("missing_quarter", "exclude")
    if basis not in BASES:
        raise StopRun(f"配置文件 {name} 的 assessment.task_completion.basis 只能是 mean 或 last，请改正。")
    if missing_quarter not in MISSING_RULES:
        raise StopRun(f"配置文件 {name} 的 assessment.missing_quarter 只能是 exclude 或 zero，请改正。")
    excluded = tuple(str(c) for c in table("data_quality").get("exclude_codes", []))
    unknown = [c for c in excluded if c not in CODES]
    if unknown:
        raise StopRun(f"配置文件 {name} 的 assessment.data_quality.exclude_codes 中 {'、'.join(unknown)} 不是问题代码，请改正。")
    grades = []
    for grade in GRADES:
        if grade not in table("grades"):
            raise StopRun(f"配置文件 {name} 的 [assessment.grades] 缺少“{grade}”的分数线，请补上。")
        grades.append((grade, number("grades", grade)))
    if [g for _, g in grades] != sorted((g for _, g in grades), reverse=True) or grades[-1][1] != 0:
        raise StopRun(f"配置文件 {name} 的 [assessment.grades] 须从优秀到较差依次降低，且较差为 0，请改正。")
    return Method(
        weights=weights,
        timeliness={k: number("timeliness", k, share=True) for k in ("on_time", "late", "missing")},
        light_shares={k: number("task_completion", k, share=True) for k in (GREEN, YELLOW, RED)},
        completion_basis=basis, per_error=number("data_quality", "per_error"),
        per_warning=number("data_quality", "per_warning"), exclude_codes=excluded,
        missing_quarter=missing_quarter, grades=tuple(grades))


def build_annual(contexts: dict[Period, Context | None], year: int, config: Config) -> AnnualContext:
    """Score every reporting unit over the year's four quarters; a quarter that is None was not received."""
    method = parse_method(config)
    periods = [Period(year, q) for q in range(1, 5)]
    present = [p for p in periods if contexts.get(p) is not None]
    if not present:
        raise StopRun(f"{year}年没有任何季度的报表，无法进行年度考核。")
    latest = contexts[present[-1]]
    # The units obliged to report are scored; one that files without being obliged is not.
    units = [{**_score_unit(u.name, periods, contexts, method), "kind_label": u.kind_label}
             for u in config.registry.reporting]
    units.sort(key=lambda u: -u["total"])   # stable: equal totals keep the registry's order
    for u in units:
        # Equal totals share a rank, as a published ranking does.
        u["rank"] = 1 + sum(1 for v in units if v["total"] > u["total"])
    missing = [p for p in periods if p not in present]
    return AnnualContext(
        year=year, today=latest.today, office=latest.office, plan_title=latest.plan_title,
        plan_document=latest.plan_document, method=method, rules=rule_texts(method, config),
        general_rules=general_texts(method), missing_note=missing_note(missing, present, method),
        quarters=[{"period": str(p), "label": f"第{CN_QUARTER[p.quarter - 1]}季度", "present": p in present}
                  for p in periods],
        units=units, grade_counts={g: sum(1 for u in units if u["grade"] == g) for g in GRADES},
        light_rule=latest.light_rule)


def _score_unit(name: str, periods: list[Period], contexts: dict[Period, Context | None], method: Method) -> dict:
    quarters = []
    for p in periods:
        ctx = contexts.get(p)
        u = None if ctx is None else next((x for x in ctx.units if x["unit"] == name), None)
        quarters.append(_quarter_shares(p, ctx, u, method))
    counted = [q for q in quarters if q["present"] or method.missing_quarter == "zero"]
    items = {}
    for key, _ in ITEMS:
        if key == "task_completion" and method.completion_basis == "last":
            shares = [next(q for q in reversed(quarters) if q["present"])["shares"][key]]
        else:
            shares = [q["shares"][key] for q in counted]
        mean = sum(shares, Fraction(0)) / len(shares)
        items[key] = round_points(Fraction(method.weights[key]) * mean)
    total = sum(items.values(), Decimal(0))
    return {"unit": name, "items": items, "total": total, "grade": method.grade(total), "quarters": quarters}


def _quarter_shares(period: Period, ctx: Context | None, u: dict | None, method: Method) -> dict:
    """Return one unit's facts and item shares (0–1, exact) for one quarter."""
    base = {"period": str(period), "label": f"第{CN_QUARTER[period.quarter - 1]}季度"}
    if ctx is None or u is None:
        # Not received at all: under "zero" it scores nothing; under "exclude" it is left out of the averages.
        zero = {k: Fraction(0) for k, _ in ITEMS}
        return {**base, "present": False, "state": ABSENT, "completeness": None, "lights": None, "errors": 0,
                "warnings": 0, "deduction": Decimal(0), "shares": zero}
    submitted = bool(u["submitted"])
    state = "按时" if submitted and u["on_time"] else ("逾期" if submitted else "未报送")
    timeliness = Fraction(method.timeliness["on_time" if state == "按时" else "late" if state == "逾期" else "missing"])
    assigned = u["assigned_tasks"]
    completeness = (Fraction(u["reported_tasks"], assigned) if assigned else Fraction(1)) if submitted else Fraction(0)
    lights = u["lights"]
    cells = sum(lights.values())
    if cells:
        completion = sum((Fraction(method.light_shares[k]) * lights[k] for k in (GREEN, YELLOW, RED)), Fraction(0)) / cells
    else:
        completion = Fraction(1 if submitted else 0)
    errors, warnings = _finding_counts(ctx, u["unit"], method.exclude_codes)
    deduction = method.per_error * errors + method.per_warning * warnings
    weight = method.weights["data_quality"]
    # Nothing was checked for a quarter without a report, so there is nothing to earn quality points for.
    quality_points = max(Decimal(0), weight - deduction) if submitted else Decimal(0)
    quality = Fraction(quality_points) / Fraction(weight) if weight else Fraction(0)
    return {**base, "present": True, "state": state, "completeness": u["completeness"], "lights": dict(lights),
            "errors": errors, "warnings": warnings, "deduction": deduction,
            "shares": {"timeliness": timeliness, "completeness": completeness, "task_completion": completion,
                       "data_quality": quality}}


def _finding_counts(ctx: Context, unit: str, excluded: tuple[str, ...]) -> tuple[int, int]:
    f = ctx.findings
    if f.empty:
        return 0, 0
    mine = f[(f["unit"] == unit) & ~f["code"].isin(excluded)]
    return int((mine["severity"] == ERROR).sum()), int((mine["severity"] == WARNING).sum())


def round_points(value: Fraction) -> Decimal:
    """Round non-negative points half-up to 0.01."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def rule_texts(method: Method, config: Config) -> list[dict]:
    """Say each item's rule in plain Chinese, from the configured numbers."""
    t, s, w = method.timeliness, method.light_shares, method.weights
    deadline = (f"季度末月{config.deadline_day}日前" if config.deadline_month == 3
                else f"季度第{config.deadline_month}个月{config.deadline_day}日前")
    excluded = "、".join(CODES[c].title for c in method.exclude_codes)
    basis = ("全年取各季度平均" if method.completion_basis == "mean" else "以全年最后一个季度的灯色为准")
    texts = {
        "timeliness": f"每季度于{deadline}报送进展情况表的得{_share(t['on_time'])}，逾期报送的得{_share(t['late'])}，"
                      f"未报送的得{_share(t['missing'])}；全年取各季度平均。",
        "completeness": "每季度按已报送任务数占本单位应报任务数（牵头和责任任务）的比例得分，未报送的季度得0分；全年取各季度平均。",
        "task_completion": f"每季度按本单位承担的各项任务灯色计分，绿灯得{_share(s[GREEN])}、黄灯得{_share(s[YELLOW])}、"
                           f"红灯（未报送或未启动）得{_share(s[RED])}，取各项任务平均；{basis}。",
        "data_quality": f"每季度从{_num(w['data_quality'])}分起，核查发现本单位报表每条错误扣{_num(method.per_error)}分、"
                        f"每条警告扣{_num(method.per_warning)}分，扣完为止；未报送的季度得0分"
                        + (f"；{excluded}已在前两项计分，不重复扣分" if excluded else "") + "；全年取各季度平均。",
    }
    return [{"item": k, "label": label, "weight": w[k], "text": texts[k]} for k, label in ITEMS]


def general_texts(method: Method) -> list[str]:
    """Say how missing quarters, totals and grades are handled."""
    missing = ("输入目录中没有某季度的报表（该季度材料未收到）时，该季度不计分，各项按已收到季度的平均计算，不因此扣分。"
               if method.missing_quarter == "exclude" else
               "输入目录中没有某季度的报表（该季度材料未收到）时，该季度各项均按0分计入平均。")
    bands = []
    for i, (name, low) in enumerate(method.grades):
        if i == 0:
            bands.append(f"{_num(low)}分及以上为{name}")
        elif i == len(method.grades) - 1:
            bands.append(f"{_num(method.grades[i - 1][1])}分以下为{name}")
        else:
            bands.append(f"{_num(low)}分（含）至{_num(method.grades[i - 1][1])}分为{name}")
    return [f"总分为四项得分之和，满分{_num(method.full_marks)}分；各项得分四舍五入保留两位小数。", missing,
            "等次：" + "，".join(bands) + "。", "总分相同的单位名次并列。"]


def missing_note(missing: list[Period], present: list[Period], method: Method) -> str:
    """Say plainly which quarters were not received and how they were scored; '' when all four arrived."""
    if not missing:
        return ""
    gone = "、".join(f"第{CN_QUARTER[p.quarter - 1]}季度" for p in missing)
    got = "、".join(f"第{CN_QUARTER[p.quarter - 1]}季度" for p in present)
    rule = ("按已收到季度的平均计分" if method.missing_quarter == "exclude" else "未收到的季度各项按0分计")
    return f"{gone}未收到报表，本考核仅依据{got}的报送情况，{rule}。"


def _share(value: Decimal) -> str:
    if value == 1:
        return "满分"
    if value == 0:
        return "0分"
    return f"{_num(value * 100)}%"


def _num(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text
