"""The annual assessment's scoring method, read from config.toml [assessment] when the config is loaded."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import StopRun
from .findings import CODES
from .money import fmt_param
from .vocab import Grade, Light

ITEMS = ("timeliness", "completeness", "task_completion", "data_quality")
MISSING_RULES = ("exclude", "zero")
BASES = ("mean", "last")


@dataclass(frozen=True)
class Method:
    """The scoring method as configured: weights, shares per outcome, deductions, grade thresholds."""

    weights: dict[str, Decimal]
    timeliness: dict[str, Decimal]        # on_time / late / missing → share of the item's points
    light_shares: dict[Light, Decimal]    # green / yellow / red → share
    completion_basis: str                 # mean | last
    per_error: Decimal
    per_warning: Decimal
    exclude_codes: tuple[str, ...]
    missing_quarter: str                  # exclude | zero
    grades: tuple[tuple[Grade, Decimal], ...]   # highest minimum first

    @property
    def full_marks(self) -> Decimal:
        return sum(self.weights.values(), Decimal(0))

    def grade(self, total: Decimal) -> Grade:
        """Return the first grade, from the top, whose minimum the total reaches."""
        return next((g for g, low in self.grades if total >= low), self.grades[-1][0])


def parse_method(raw: object, name: str) -> Method:
    """Read [assessment]; stop the run with a plain sentence naming what is wrong."""
    if not isinstance(raw, dict):
        raise StopRun(f"配置文件 {name} 的 [assessment]（全年考核办法）须是一节表格，请按说明改正。")

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
        if d is None or not d.is_finite() or d < 0 or (share and d > 1):
            limit = "0 到 1 之间的小数" if share else "不小于 0 的数"
            raise StopRun(f"配置文件 {name} 的 assessment.{section}.{key} 须为{limit}，请改正。")
        return d

    weights = {k: number(k, "weight") for k in ITEMS}
    if sum(weights.values()) != 100:
        raise StopRun(f"配置文件 {name} 的 [assessment] 各项权重之和为 {fmt_param(sum(weights.values()))}，须为 100，请改正。")
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
    for grade in Grade:
        if grade.value not in table("grades"):
            raise StopRun(f"配置文件 {name} 的 [assessment.grades] 缺少“{grade.value}”的分数线，请补上。")
        grades.append((grade, number("grades", grade.value)))
        if grades[-1][1] > 100:
            raise StopRun(f"配置文件 {name} 的 assessment.grades 中“{grade.value}”的分数线 {fmt_param(grades[-1][1])} "
                          "超过满分 100，没有单位能达到，请改正。")
    # Strictly: two equal thresholds would leave the lower grade to no one.
    lows = [g for _, g in grades]
    if any(a <= b for a, b in zip(lows, lows[1:])) or lows[-1] != 0:
        raise StopRun(f"配置文件 {name} 的 [assessment.grades] 须从优秀到较差依次降低，且较差为 0，请改正。")
    timeliness = {k: number("timeliness", k, share=True) for k in ("on_time", "late", "missing")}
    light_shares = {light: number("task_completion", light.value, share=True) for light in Light}
    # A late report scoring above an on-time one, or a red light above a green one, rewards the failure.
    if not timeliness["on_time"] >= timeliness["late"] >= timeliness["missing"]:
        raise StopRun(f"配置文件 {name} 的 [assessment.timeliness] 须 on_time ≥ late ≥ missing（按时报送得分不低于逾期，"
                      "逾期不低于未报送），请改正。")
    if not light_shares[Light.GREEN] >= light_shares[Light.YELLOW] >= light_shares[Light.RED]:
        raise StopRun(f"配置文件 {name} 的 [assessment.task_completion] 须 green ≥ yellow ≥ red（绿灯得分不低于黄灯，"
                      "黄灯不低于红灯），请改正。")
    return Method(
        weights=weights,
        timeliness=timeliness,
        light_shares=light_shares,
        completion_basis=basis, per_error=number("data_quality", "per_error"),
        per_warning=number("data_quality", "per_warning"), exclude_codes=excluded,
        missing_quarter=missing_quarter, grades=tuple(grades))

