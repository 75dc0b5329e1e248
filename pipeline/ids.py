"""Resident identity numbers (GB 11643-1999): normalising, checking, detecting Excel damage."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE][+]?\d+$")
_DIGITS17 = re.compile(r"^\d{17}[\dX]$")
_SPACES = re.compile(r"[\s\u3000\-]+")

OK, INVALID, DAMAGED, BLANK = "ok", "invalid", "damaged", "blank"


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
        return IdCheck(text, DAMAGED, "身份证号码末三位为000，像是被 Excel 截断")
    if born is None or born.year < 1890 or (today is not None and born > today):
        return IdCheck(text, INVALID, "身份证号码中的出生日期不存在")
    if not valid_check:
        return IdCheck(text, INVALID, "身份证号码末位校验码不对")
    return IdCheck(text, OK)

