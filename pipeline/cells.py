"""Parse the values clerks type into cells: blanks, numbers, money, dates, months, task labels, percentages."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .privacy import mask_ids

# Cells that mean "empty" on a clerk's form. Decided explicitly instead of pandas' NA guessing.
BLANK_WORDS = frozenset({"", "无", "—", "——", "-", "--", "－", "/", "／", "NA", "N/A", "n/a", "na", "null", "NULL", "None",
                         "nan", "NaN", "空"})

_EXCEL_EPOCH = date(1899, 12, 30)
_CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_TASK = re.compile(r"^(?:第)?[（(]?\s*(\d{1,3})(?:\.0+)?\s*[)）]?(?:条|项)?[、.．,，:：]?$")
_DATE_YMD = re.compile(r"^(\d{4})\s*[年\-/.．]\s*(\d{1,2})\s*[月\-/.．]\s*(\d{1,2})\s*[日号]?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_YM = re.compile(r"^(\d{4})\s*[年\-/.．]\s*(\d{1,2})\s*月?(?:份)?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_MONEY_NOISE = re.compile(r"[￥¥,，\s元]|人民币")
# Excel keeps 15 significant digits: a longer whole number is not what the clerk typed, and it would
# overflow the 64-bit sums downstream.
_MAX_DIGITS = 10 ** 15
# Task numbers run 1–59; three digits leave room for a longer plan without letting 1e20 through.
_TASK_MAX = 999
_CN_DATE = re.compile(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?$")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}


def clean_text(value: object) -> str:
    """Return the cell as stripped NFKC text, without a leading text-forcing ' or #."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text[:1] in ("'", "#", "‘", "`") and len(text) > 1:
        text = text[1:].strip()
    return text


def is_blank(value: object) -> bool:
    """Say whether a cell means empty, including 无, — and NA."""
    return clean_text(value) in BLANK_WORDS


def parse_number(value: object) -> float | None:
    """Read a number typed as a number or as text with separators; None when blank; raise ValueError when unreadable."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(value) from None
        if not math.isfinite(number) or abs(number) >= _MAX_DIGITS:
            raise ValueError(value)
        return number
    text = clean_text(value)
    if text in BLANK_WORDS:
        return None
    text = _MONEY_NOISE.sub("", text)
    if text.endswith("万"):
        raise ValueError(value)
    try:
        number = float(Decimal(text))
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None
    if not math.isfinite(number) or abs(number) >= _MAX_DIGITS:
        raise ValueError(value)
    return number


def parse_fen(value: object) -> int | None:
    """Read a yuan amount and return it in fen, rounded half-up; None when blank."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        text = repr(value)
    else:
        text = _MONEY_NOISE.sub("", clean_text(value))
        if clean_text(value) in BLANK_WORDS:
            return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not amount.is_finite() or abs(amount) >= _MAX_DIGITS / 100:
        raise ValueError(value)
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_int(value: object) -> int | None:
    """Read a whole number; raise ValueError for fractions or words."""
    number = parse_number(value)
    if number is None:
        return None
    if not float(number).is_integer() or abs(number) >= _MAX_DIGITS:
        raise ValueError(value)
    return int(number)


def parse_date(value: object) -> date | None:
    """Read a date in any common form, including Excel serials; None when blank."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = clean_text(value)
    if text in BLANK_WORDS:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    m = _DATE_YMD.match(text) or _DATE_COMPACT.match(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(value) from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_date(float(text))
    cn = _CN_DATE.match(text.replace(" ", ""))
    if cn and cn.group(3):
        try:
            year = int("".join(_CN_DIGIT[c] for c in cn.group(1)))
            return date(year, _chinese_number(cn.group(2)), _chinese_number(cn.group(3)))
        except (ValueError, KeyError):
            raise ValueError(value) from None
    raise ValueError(value)


def parse_month(value: object) -> tuple[int, int] | None:
    """Read a year-month (2019-01, 2019年1月, 201901, 2019.1, or a date) as (year, month)."""
    if isinstance(value, (datetime, date)):
        return (value.year, value.month)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 210012:
            text = str(int(value))
        elif 20000 < value < 80000:
            d = parse_date(value)
            return (d.year, d.month)
        else:
            # 2019.1 typed as a number is ambiguous with 2019.10; read it as written.
            text = repr(value)
    else:
        text = clean_text(value)
    if text in BLANK_WORDS:
        return None
    m = _MONTH_YM.match(text) or _MONTH_COMPACT.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return (year, month)
        raise ValueError(value)
    d = parse_date(value)
    if d is None:
        return None
    return (d.year, d.month)


def parse_task(value: object) -> int | None:
    """Read a task label such as 1, 1.0, 1、, 第1条, （1）; None when blank."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value <= _TASK_MAX and float(value).is_integer():
            return int(value)
        raise ValueError(value)
    text = clean_text(value).replace(" ", "")
    if text in BLANK_WORDS:
        return None
    m = _TASK.match(text)
    if m and int(m.group(1)) >= 1:
        return int(m.group(1))
    cn = re.fullmatch(r"第?([一二三四五六七八九十]{1,3})条?", text)
    if cn:
        return _chinese_number(cn.group(1))
    raise ValueError(value)


def parse_percent(value: object) -> float | None:
    """Read 80, 80%, 0.8 or 八成 as a percentage in 0..100; None when blank."""
    if isinstance(value, str):
        text = clean_text(value)
        if text in BLANK_WORDS:
            return None
        if text.endswith("%"):
            number = parse_number(text[:-1])
            return _check_percent(number, value)
        if text in {"完成", "已完成"}:
            return 100.0
    number = parse_number(value)
    if number is None:
        return None
    # A fraction of at most 1 is a share (0.8 = 80 %); 1 itself is read as 100 %.
    if 0 <= number <= 1:
        number *= 100
    return _check_percent(number, value)


def _check_percent(number: float | None, raw: object) -> float | None:
    if number is None:
        return None
    if not 0 <= number <= 100:
        raise ValueError(raw)
    return round(number, 2)


def _chinese_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_NUM[text[1]]
    if len(text) == 3 and text[1] == "十":
        return _CN_NUM[text[0]] * 10 + _CN_NUM[text[2]]
    if len(text) == 2 and text[1] == "十":
        return _CN_NUM[text[0]] * 10
    if len(text) == 1:
        return _CN_NUM[text]
    raise ValueError(text)


def shown(value: object) -> str:
    """Return cell text fit for a finding: cleaned, with any ID inside it masked."""
    return mask_ids(clean_text(value))

