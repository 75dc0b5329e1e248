"""Personal data: one way to mask ID numbers and names, applied where text leaves for an output.

IDs are found in any spacing, dash or full-width form; names are the persons listed in the quarter's rosters.
Every output except the office workbook's person detail goes through a `Masker` (see output.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

_D = "[0-9０-９]"
_SEP = "[ \u3000\u00a0\\-－—‐_]{0,2}"
# 15 or 18 ID characters, possibly spaced or dashed, not inside a longer run of digits.
_ID = re.compile(rf"(?<![0-9０-９])[1-9１-９](?:{_SEP}{_D}){{13}}(?:(?:{_SEP}{_D}){{3}}{_SEP}[0-9０-９XxＸｘ]|{_SEP}{_D})"
                 rf"(?![0-9０-９XxＸｘ])")
_SEPARATORS = re.compile("[ \u3000\u00a0\\-－—‐_]")
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_CJK = re.compile(r"[\u3400-\u9fff]")


def mask_id(text: object) -> str:
    """Show only the first 4 and last 4 characters, as 3601**********123X."""
    s = "" if text is None else _SEPARATORS.sub("", str(text)).translate(_WIDE)
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_id_column(values: pd.Series) -> pd.Series:
    """Mask a column of IDs as mask_id does, slicing the plain ones in bulk (missing values stay missing)."""
    text = values.astype("string[pyarrow]")
    plain = text.str.fullmatch("[0-9A-Za-z]{9,}").fillna(False).astype(bool)
    n = text.str.len()
    stars = (n - 8).where(plain, 0).fillna(0).astype("int64")
    out = (text.str.slice(0, 4) + stars.map({k: "*" * k for k in stars.unique()}).astype("string[pyarrow]")
           + text.str.slice(-4)).where(plain, text)
    odd = ~plain & text.notna()
    out[odd] = [mask_id(v) for v in text[odd]]
    return out


def may_be_personal(values: pd.Series) -> np.ndarray:
    """Say which texts could hold an ID (15 characters or more) or a listed name (Chinese); others pass unmasked."""
    text = values.astype("string[pyarrow]")
    return ((text.str.len() >= 15) | text.str.contains(_CJK.pattern, regex=True)).fillna(False).to_numpy(bool)


def mask_name(name: object) -> str:
    """Mask a personal name: 张*明, 李*, 欧阳**."""
    s = "" if name is None else str(name).strip()
    if len(s) <= 1:
        return s
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]


def mask_ids(text: str) -> str:
    """Mask every ID number inside free text, however it is spaced, dashed or written in full width."""
    return _ID.sub(lambda m: mask_id(m.group(0)), text)


def mask_echo(value: object) -> str:
    """Mask a value echoed from a roster cell: an ID as an ID, any text with letters as a name (numbers stay)."""
    text = "" if value is None else str(value)
    masked = mask_ids(text)
    if masked != text:
        return masked
    return mask_name(text) if any(ch.isalpha() for ch in text) else text


def _substrings(texts: Iterable[str], shortest: int, longest: int) -> frozenset[str]:
    """Return every substring of the texts within the length bounds: a set lookup per name, not a text scan."""
    return frozenset(t[i:i + n] for t in texts for n in range(shortest, longest + 1) for i in range(len(t) - n + 1))


class Masker:
    """Mask IDs and the quarter's listed names in any text bound for an output."""

    def __init__(self, names: Iterable[object] = (), keep: Iterable[str] = ()):
        # A name that is also a word of the plan or a unit's name (a person called 高新) cannot be told from that
        # word; masking it would deface every report, so such words are kept.
        kept = _substrings(keep, 2, 6)
        found = {n.strip() for n in set(names) if isinstance(n, str)}
        self.names = frozenset(n for n in found if 2 <= len(n) <= 6 and _CJK.match(n) and n not in kept)
        self._lengths = sorted({len(n) for n in self.names}, reverse=True)
        firsts = "".join(sorted({n[0] for n in self.names}))
        self._starts = re.compile(f"[{re.escape(firsts)}]") if firsts else None

    def __call__(self, text: str) -> str:
        """Return `text` with every ID and every listed name masked."""
        text = mask_ids(text)
        if self._starts is None or not text:
            return text
        out, last = [], 0
        pos = 0
        while (m := self._starts.search(text, pos)) is not None:
            i = m.start()
            hit = next((n for n in self._lengths if text[i:i + n] in self.names), 0)
            if hit:
                out.append(text[last:i])
                out.append(mask_name(text[i:i + hit]))
                last = pos = i + hit
            else:
                pos = i + 1
        out.append(text[last:])
        return "".join(out)
