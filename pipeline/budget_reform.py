"""Reforms and growth for a budget projection: `--set name=value@date` checked as config.toml's values are, and the
monthly growth rate of `--growth`. A bad one stops the run with one sentence naming what was written."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import StopRun
from .parameters import PAID, SPEC, Parameters, Value, check_value, check_year

# A monthly rate beyond ±10 % (a population tripling or vanishing within a year) is a slip such as 5 for 5 %.
GROWTH_LIMIT = Decimal("0.1")


@dataclass(frozen=True)
class Reform:
    """One changed standard: the parameter, the value and the day it is in force from, as on the command line."""

    name: str
    start: date
    value: Decimal
    text: str

    @property
    def label(self) -> str:
        return SPEC[self.name].label

    @property
    def unit(self) -> str:
        return SPEC[self.name].unit

    @property
    def as_value(self) -> Value:
        return Value(self.name, self.start, self.value, f"测算假设（--set {self.text}）")


def parse_reform(text: str, year: int) -> Reform:
    """Read `dibao_standard=760@2020-01-01` (the date defaults to 1 January of `year`); stop naming what is wrong."""
    place = f"--set {text}"
    name, eq, rest = text.partition("=")
    name = name.strip()
    if not eq or not name or not rest.strip():
        raise StopRun(f"“{place}”的写法不对，请写成 --set 参数名=数值@执行日期，如 --set dibao_standard=760@{year}-01-01。")
    if name not in SPEC or not SPEC[name].paid:
        raise StopRun(f"{place} 中的 {name} 不是可调整的标准，只能是 {'、'.join(PAID)} 之一，请改正。")
    raw_value, at, raw_date = rest.partition("@")
    start = date(year, 1, 1)
    if at:
        try:
            start = date.fromisoformat(raw_date.strip())
        except ValueError:
            raise StopRun(f"{place} 的执行日期“{raw_date.strip()}”不是有效日期，请写成 {year}-01-01 这样的日期。") from None
        check_year(start.year, place)
        if start.year > year:
            raise StopRun(f"{place} 的执行日期 {start} 在测算年度 {year} 年之后，对测算没有影响，请改正。")
    return Reform(name, start, check_value(_number(raw_value.strip()), name, place), text.strip())


def _number(text: str) -> object:
    """Return the text as the int or float TOML would read, or the text itself for check_value to refuse."""
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if kind is int or math.isfinite(value) else text
    return text


def apply(parameters: Parameters, reforms: tuple[Reform, ...]) -> Parameters:
    """Return the parameters with each reform's value in force from its date, replacing a value dated the same month."""
    values = dict(parameters.values)
    seen: dict[tuple[str, int], Reform] = {}
    for r in reforms:
        new = r.as_value
        other = seen.setdefault((r.name, new.first_month), r)
        if other is not r:
            raise StopRun(f"--set {other.text} 和 --set {r.text} 自同一个月起调整同一项标准，请只保留一个。")
        kept = [v for v in values.get(r.name, ()) if v.first_month != new.first_month]
        values[r.name] = tuple(sorted([*kept, new], key=lambda v: v.first_month))
    return replace(parameters, values=values)


def parse_growth(text: str | None) -> Decimal | None:
    """Read `--growth` as a monthly rate such as 0.005 (0.5 % a month); None when not given."""
    if text is None:
        return None
    try:
        rate = Decimal(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or abs(rate) > GROWTH_LIMIT:
        raise StopRun(f"--growth 须为每月增长率，在 -{GROWTH_LIMIT} 到 {GROWTH_LIMIT} 之间（如 0.005 或 0.5% 即每月增长千分之五），"
                      f"现为“{text}”，请改正。")
    return rate
