"""Resident identity numbers (GB 11643-1999): normalising, checking, detecting Excel damage."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import numpy as np

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE][+]?\d+$")
_DIGITS17 = re.compile(r"^\d{17}[\dX]$")
_SPACES = re.compile(r"[\s\u3000\-]+")

OK, INVALID, DAMAGED, BLANK = "ok", "invalid", "damaged", "blank"
_TRUNCATED = "身份证号码末三位为000，像是被 Excel 截断"
_NO_SUCH_BIRTH_DATE = "身份证号码中的出生日期不存在"
_WRONG_CHECK = "身份证号码末位校验码不对"
_CHECK_CODES = np.array([ord(c) for c in _CHECK], dtype=np.uint32)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True)
class IdCheck:
    """The normalised ID text, its status, and the reason in Chinese when it is not ok."""

    text: str
    status: str
    reason: str = ""


def check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def birth_date(id_text: str) -> date | None:
    """Return the birth date encoded in an 18-character ID, or None when it is not a date."""
    try:
        return date(int(id_text[6:10]), int(id_text[10:12]), int(id_text[12:14]))
    except (ValueError, IndexError):
        return None


def check_id(raw: object, *, today: date | None = None) -> IdCheck:
    """Normalise a cell holding an ID and say whether it is valid, invalid or damaged by Excel."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return IdCheck("", BLANK, "身份证号码为空")
    if isinstance(raw, bool):
        return IdCheck(str(raw), INVALID, "不是身份证号码")
    if isinstance(raw, (int, float)):
        # Excel keeps 15 significant digits: an 18-digit number has already lost its tail.
        text = f"{raw:.0f}" if isinstance(raw, float) else str(raw)
        return IdCheck(text, DAMAGED, "身份证号码被存成了数字，后几位已丢失")
    text = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("'‘’`#")
    text = _SPACES.sub("", text).upper()
    if not text:
        return IdCheck("", BLANK, "身份证号码为空")
    if _SCIENTIFIC.match(text):
        return IdCheck(text, DAMAGED, "身份证号码变成了科学计数法")
    if re.fullmatch(r"\d{18}\.0+", text):
        text = text.split(".")[0]
        return IdCheck(text, DAMAGED, "身份证号码被存成了数字，后几位已丢失")
    if not _DIGITS17.match(text):
        return IdCheck(text, INVALID, f"身份证号码应为18位，现为{len(text)}位" if len(text) != 18 else "身份证号码含有非法字符")
    born = birth_date(text)
    valid_check = check_char(text[:17]) == text[17]
    if not valid_check and text.endswith("000"):
        return IdCheck(text, DAMAGED, _TRUNCATED)
    if born is None or born.year < 1890 or (today is not None and born > today):
        return IdCheck(text, INVALID, _NO_SUCH_BIRTH_DATE)
    if not valid_check:
        return IdCheck(text, INVALID, _WRONG_CHECK)
    return IdCheck(text, OK)

def check_plain_ids(values: np.ndarray, *, today: date | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run check_id in bulk over the cells that are 18 plain ASCII characters (digits, then a digit or X).

    Return those cells' positions with their texts, statuses and reasons; every other cell needs check_id itself.
    """
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    strs = np.flatnonzero(kinds == str)
    lengths = np.fromiter(map(len, values[strs]), dtype=np.int64, count=len(strs))
    candidates = strs[lengths == 18]
    codes = np.array(values[candidates].tolist(), dtype="U18").view(np.uint32).reshape(-1, 18)
    digits = (codes >= 48) & (codes <= 57)
    plain = digits[:, :17].all(axis=1) & (digits[:, 17] | (codes[:, 17] == 88) | (codes[:, 17] == 120))
    at, codes = candidates[plain], codes[plain]
    d = codes[:, :17].astype(np.int64) - 48
    last = np.where(codes[:, 17] == 120, 88, codes[:, 17])          # a lowercase x reads as X
    valid_check = _CHECK_CODES[(d * np.array(_WEIGHTS)).sum(axis=1) % 11] == last
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    born_ok = (year >= 1890) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    if today is not None:
        born_ok &= year * 10000 + month * 100 + day <= today.year * 10000 + today.month * 100 + today.day
    truncated = ~valid_check & (codes[:, 15:] == 48).all(axis=1)
    texts = values[at]
    lower = np.flatnonzero(codes[:, 17] == 120)
    texts[lower] = [t.upper() for t in texts[lower]]
    statuses = np.full(len(at), OK, dtype=object)
    reasons = np.full(len(at), "", dtype=object)
    # Written from the last rule check_id tries to the first, so that the first rule that applies wins.
    for mask, status, reason in ((~valid_check, INVALID, _WRONG_CHECK), (~born_ok, INVALID, _NO_SUCH_BIRTH_DATE),
                                 (truncated, DAMAGED, _TRUNCATED)):
        statuses[mask], reasons[mask] = status, reason
    return at, texts, statuses, reasons
