"""Quarters: parsing `2019Q2`, their months, and the reporting deadline."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import StopRun

# 2019Q3, 2019q3, 2019-Q3, 2019 Q3, 2019_Q3, and as people write it: 2019年第三季度, 2019年第3季度, 2019年三季度.
_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-_ ]?\s*[Qq]\s*([1-4])|年\s*第?\s*([1-4一二三四])\s*季度)\s*$")
_CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
_QUARTER_OF = {**{str(k): k for k in _CN_QUARTER}, **{v: k for k, v in _CN_QUARTER.items()}}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse `2019Q2`, `2019-Q2` or `2019年第二季度`; stop the run on anything else."""
        found = cls.try_parse(text)
        if found is None:
            raise StopRun(f"季度“{text}”的写法不对，请写成 2019Q2、2019-Q2 或 2019年第二季度 这样的格式。")
        return found

    @classmethod
    def try_parse(cls, text: str) -> "Period | None":
        """Return the period a folder name or option denotes, or None."""
        # NFKC folds the full-width digits and letters a Chinese input method types (２０１９Ｑ３).
        m = _PERIOD.match(unicodedata.normalize("NFKC", str(text)))
        return cls(int(m.group(1)), _QUARTER_OF[m.group(2) or m.group(3)]) if m else None

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        """Return 2019年第二季度."""
        return f"{self.year}年{self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        """Return 第二季度."""
        return f"第{_CN_QUARTER[self.quarter]}季度"

    @property
    def months(self) -> tuple[int, int, int]:
        """Return the three calendar months (1-12) of the quarter."""
        first = 3 * (self.quarter - 1) + 1
        return (first, first + 1, first + 2)

    @property
    def end(self) -> date:
        """Return the quarter's last day."""
        return date(self.year + self.quarter // 4, self.months[-1] % 12 + 1, 1) - timedelta(days=1)

    @property
    def month_keys(self) -> tuple[int, int, int]:
        """Return the months as year*12+month-1 integers, the form rosters are compared in."""
        return tuple(self.year * 12 + m - 1 for m in self.months)

    @property
    def half(self) -> int:
        return 1 if self.quarter <= 2 else 2

    def previous(self) -> "Period":
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def next(self) -> "Period":
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    @property
    def half_label(self) -> str:
        """Return 2019年上半年 or 2019年下半年."""
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年"


def month_key(year: int, month: int) -> int:
    """Encode a calendar month as one integer so months compare and subtract simply."""
    return year * 12 + month - 1
