"""Dated policy parameters, as OpenFisca keeps them: each is a table of values, each value in force from a date.

One table of specs (`SPECS`) names every parameter the rules pay with or check against: its Chinese label, unit,
kind (money or rate), the plan floor it is checked against and the rule that uses it. Loading validates every value
and date and stops the run with a sentence naming the key; nothing else in the package repeats the names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from .errors import StopRun
from .period import Period, month_key


class Kind(StrEnum):
    MONEY = "money"     # yuan per month
    RATE = "rate"       # a share between 0 and 1
    FACTOR = "factor"   # a multiplier, such as 1.3 times the 低保 standard


@dataclass(frozen=True)
class ParamSpec:
    """What one parameter is: its name in config.toml, Chinese label, unit, kind, floor and the rule using it."""

    name: str
    label: str
    unit: str
    kind: Kind
    rule: str
    paid: bool = True          # False: a plan floor only, never paid (人均补差, the 1.3 ratio)


SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("dibao_standard", "城镇低保标准", "元/月", Kind.MONEY, "低保、支出型差额（任务1、7）"),
    ParamSpec("tekun_standard", "特困人员供养标准", "元/月", Kind.MONEY, "特困供养（任务3）"),
    ParamSpec("disability_living_allowance", "困难残疾人生活补贴", "元/月", Kind.MONEY, "残疾人生活补贴（任务2）"),
    ParamSpec("severe_disability_care_allowance", "重度残疾人护理补贴", "元/月", Kind.MONEY, "重度残疾人护理补贴（任务2）"),
    ParamSpec("min_wage", "最低工资标准", "元/月", Kind.MONEY, "特困人员照料护理费（任务4）"),
    ParamSpec("care_rate_full", "全失能照料护理费比例", "", Kind.RATE, "特困人员照料护理费（任务4）"),
    ParamSpec("care_rate_partial", "半失能照料护理费比例", "", Kind.RATE, "特困人员照料护理费（任务4）"),
    ParamSpec("avg_subsidy", "人均补差标准", "元/月", Kind.MONEY, "人均补差（任务1）", paid=False),
    ParamSpec("tekun_ratio", "特困供养标准与低保标准之比", "倍", Kind.FACTOR, "特困供养（任务3）", paid=False),
)
SPEC = {s.name: s for s in SPECS}
PAID = tuple(s.name for s in SPECS if s.paid)

# Sane ranges, stated once. The plan (湖城字〔2019〕1号) runs 2019–2020. A date anywhere in config.toml or matrix.toml
# (an effective date, a floor's year, a document's date or number year, the plan's issue date) more than a decade
# either side is a slip such as 1900 or 9999: it would leave quarters unpaid, or pay a stray value, without a word.
PLAN_YEARS = (2019, 2020)
YEARS = range(PLAN_YEARS[0] - 10, PLAN_YEARS[1] + 10 + 1)          # 2009–2030
# No standard comes near 100,000 元 per person-month (the plan's 2020 低保 floor is 730 元): a larger value is a typo,
# and a bound here is what keeps the integer sums in benefits.py from overflowing (see MAX_PERSONS).
MONEY_CEILING = Decimal(100_000)
FACTOR_CEILING = Decimal(10)        # a multiplier such as 1.3 × the 低保 standard; ten times is no policy
# Headroom, in fen. benefits.py sums int64, and sums each household's members with np.bincount, whose float64 weights
# stay exact only below 2**53 ≈ 9.007e15 — the tighter bound. With every money parameter at the ceiling (10**7 fen):
#   a person-month pays at most 3 of them: 特困 = 供养 + 护理费 (min_wage × a rate ≤ 1) + 重度护理补贴;
#   低保/支出型 member = a share of the 差额 (≤ the 低保 standard, as income ≥ 0) + 2 allowances → ≤ 3 × 10**7 fen;
#   a quarter is 3 months → ≤ 9 × 10**7 fen per person;
#   MAX_PERSONS = 5 × 10**7 persons → ≤ 4.5 × 10**15 fen < 2**53 < 2**63 - 1 ≈ 9.2 × 10**18.
# Files per run are not bounded by [limits], so benefits.compute checks the person count itself.
MAX_PERSONS = 50_000_000            # about six times China's whole urban 低保 roll of 2019 (8.6 million)
PERSON_QUARTER_FEN = 3 * 3 * int(MONEY_CEILING) * 100
assert MAX_PERSONS * PERSON_QUARTER_FEN < 2**53


def check_year(year: int, where: str, what: str = "日期") -> None:
    """Stop the run when a configured date or year lies outside YEARS; `where` names the file and the key."""
    if year not in YEARS:
        raise StopRun(f"{where} 的{what}不在 {YEARS[0]} 至 {YEARS[-1]} 年之间（方案执行期 {PLAN_YEARS[0]}–{PLAN_YEARS[1]} "
                      f"年前后各十年），现为 {year} 年，请核对后改正。")


def label(name: str) -> str:
    return SPEC[name].label if name in SPEC else name


@dataclass(frozen=True)
class Value:
    """One value of a parameter, in force from `start` (a change on another day than the 1st pays from next month)."""

    name: str
    start: date
    value: Decimal
    source: str

    @property
    def first_month(self) -> int:
        """Return the month key of the first month paid with this value: the month whose 1st it is in force on."""
        key = month_key(self.start.year, self.start.month)
        return key if self.start.day == 1 else key + 1

    @property
    def label(self) -> str:
        return label(self.name)


@dataclass(frozen=True)
class Floor:
    """One plan floor (不少于): per calendar year, from the plan, not the office's to change."""

    name: str
    year: int
    value: Decimal
    source: str

    @property
    def label(self) -> str:
        return label(self.name)


@dataclass(frozen=True)
class Parameters:
    """Every paid parameter's dated values, oldest first, and the plan's floors per year."""

    values: dict[str, tuple[Value, ...]]
    floors: dict[int, dict[str, Floor]]
    file: str = "config.toml"

    def at_month(self, name: str, key: int) -> Value | None:
        """Return the value in force on the first day of the month `key` (year*12+month-1), or None."""
        found = None
        for v in self.values.get(name, ()):
            if v.first_month <= key:
                found = v
        return found

    def for_period(self, period: Period, names: tuple[str, ...] = PAID) -> dict[str, tuple[Value, Value, Value]]:
        """Return, for each named parameter, the value paid in each month of the quarter; stop naming any gap."""
        out: dict[str, tuple[Value, Value, Value]] = {}
        gaps = []
        for name in names:
            months = [self.at_month(name, k) for k in period.month_keys]
            missing = [m for m, v in zip(period.months, months) if v is None]
            if missing:
                gaps.append((name, f"{label(name)}（{name}）{period.year}年{'、'.join(f'{m}月' for m in missing)}"))
                continue
            out[name] = tuple(months)  # type: ignore[assignment]
        if gaps:
            tables = "、".join(f"[parameters.{name}]" for name, _ in gaps)
            raise StopRun(f"配置文件 {self.file} 中以下参数在这些月份没有执行的数值：{'；'.join(t for _, t in gaps)}。"
                          f"请在 {tables} 中按文件依据补上自该月起执行的数值后再运行。")
        return out

    def floor(self, year: int, name: str) -> Floor | None:
        return self.floors.get(year, {}).get(name)


def load(raw_values: dict, raw_floors: dict, file: str) -> Parameters:
    """Read [parameters.*] (dated or older per-year tables) and [plan_floors.<year>]; validate every value."""
    if any(_is_year(k) for k in raw_values):
        values = _legacy_values(raw_values, file)
    else:
        values = {}
        for name, table in raw_values.items():
            if name not in SPEC or not SPEC[name].paid:
                known = "、".join(PAID)
                raise StopRun(f"配置文件 {file} 的 [parameters.{name}] 不是可配置的参数，只能是 {known} 之一，请改正。")
            if not isinstance(table, dict):
                raise StopRun(f"配置文件 {file} 的 parameters.{name} 须写成一张表："
                              f"\"2019-01-01\" = {{ value = …, source = \"文件依据\" }}，请改正。")
            dated = []
            for key, spec in table.items():
                if key == "label":
                    continue
                where = f"parameters.{name}.\"{key}\""
                start = _date(key, where, file)
                check_year(start.year, f"配置文件 {file} 的 {where}")
                dated.append(Value(name, start, _value(spec, name, where, file), _source(spec, where, file)))
            values[name] = _ordered(name, dated, file)
    floors: dict[int, dict[str, Floor]] = {}
    for year_text, table in raw_floors.items():
        if not _is_year(year_text) or not isinstance(table, dict):
            raise StopRun(f"配置文件 {file} 的 [plan_floors.{year_text}] 不是年份，请改为如 [plan_floors.2019]。")
        year = int(year_text)
        check_year(year, f"配置文件 {file} 的 plan_floors.{year_text}", "年份")
        floors[year] = {}
        for name, spec in table.items():
            where = f"plan_floors.{year}.{name}"
            if name not in SPEC:
                raise StopRun(f"配置文件 {file} 的 {where} 不是已知的参数，请改正。")
            floors[year][name] = Floor(name, year, _value(spec, name, where, file), _source(spec, where, file))
    return Parameters(values, floors, file)


def _is_year(text: object) -> bool:
    return isinstance(text, str) and len(text) == 4 and text.isdigit()


def _legacy_values(raw: dict, file: str) -> dict[str, tuple[Value, ...]]:
    """Read the older per-year form ([parameters.2019] name = {value, source}): each value in force from 1 January."""
    dated: dict[str, list[Value]] = {}
    for year_text, table in raw.items():
        if not _is_year(year_text) or not isinstance(table, dict):
            raise StopRun(f"配置文件 {file} 的 [parameters.{year_text}] 不是年份，请改为如 [parameters.2019]，"
                          "或改用按日期执行的写法 [parameters.<参数名>]。")
        check_year(int(year_text), f"配置文件 {file} 的 parameters.{year_text}", "年份")
        for name, spec in table.items():
            where = f"parameters.{year_text}.{name}"
            if name not in SPEC or not SPEC[name].paid:
                raise StopRun(f"配置文件 {file} 的 {where} 不是可配置的参数，请改正。")
            dated.setdefault(name, []).append(Value(name, date(int(year_text), 1, 1), _value(spec, name, where, file),
                                                    _source(spec, where, file)))
    return {name: _ordered(name, vs, file) for name, vs in dated.items()}


def _ordered(name: str, values: list[Value], file: str) -> tuple[Value, ...]:
    values = sorted(values, key=lambda v: v.start)
    for a, b in zip(values, values[1:]):
        if a.first_month == b.first_month:
            raise StopRun(f"配置文件 {file} 中 parameters.{name} 的 {a.start} 和 {b.start} 两个数值自同一个月起执行，"
                          "请只保留一个。")
    return tuple(values)


def _date(text: str, where: str, file: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise StopRun(f"配置文件 {file} 的 {where} 不是有效日期，请写成 \"2019-01-01\" 这样的执行日期。") from None


def _value(spec: object, name: str, where: str, file: str) -> Decimal:
    if not isinstance(spec, dict) or "value" not in spec:
        raise StopRun(f"配置文件 {file} 的 {where} 须写成 {{ value = …, source = \"文件依据\" }}，请补上数值和依据。")
    return check_value(spec["value"], name, f"配置文件 {file} 的 {where}")


def check_value(raw: object, name: str, place: str) -> Decimal:
    """Validate one value of parameter `name` as config.toml's are; `place` says where it was written."""
    if (isinstance(raw, bool) or not isinstance(raw, (int, float))
            or (isinstance(raw, float) and not math.isfinite(raw))):
        raise StopRun(f"{place} 的数值“{raw}”不是数字，请改正。")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise StopRun(f"{place} 的数值“{raw}”不是数字，请改正。") from None
    if value < 0:
        raise StopRun(f"{place} 的数值 {raw} 是负数，请改正。")
    if SPEC[name].kind == Kind.RATE and value > 1:
        raise StopRun(f"{place} 是比例，须在 0 到 1 之间（如 0.8），现为 {raw}，请改正。")
    if SPEC[name].kind == Kind.FACTOR and value > FACTOR_CEILING:
        raise StopRun(f"{place} 是倍数，须在 0 到 {FACTOR_CEILING} 之间（如 1.3），现为 {raw}，请改正。")
    if SPEC[name].kind == Kind.MONEY and value > MONEY_CEILING:
        raise StopRun(f"{place} 的数值 {raw} 超过每人每月 {MONEY_CEILING} 元的上限，"
                      "请核对金额（以元为单位）后改正。")
    if SPEC[name].kind == Kind.MONEY and value != value.quantize(Decimal("0.01")):
        raise StopRun(f"{place} 的金额 {raw} 超过两位小数（分），请改正。")
    return value


def _source(spec: dict, where: str, file: str) -> str:
    source = spec.get("source")
    if not isinstance(source, str) or not source.strip():
        raise StopRun(f"配置文件 {file} 的 {where} 缺少 source（文件依据），请写明数值出自哪份文件。")
    return source.strip()
