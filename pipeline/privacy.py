"""Personal data: one way to mask ID numbers and names, applied where text leaves for an output.

IDs are found by meaning: 18 characters that make a valid ID (GB 11643), whatever stands between them (spaces, tabs,
line breaks, punctuation, zero-width or full-width forms) and wherever they stand, glued to other digits or not; and,
as before, ID-shaped text of 15 or 18 characters even when damaged. Names are the persons the quarter's rosters list,
of any length or script. Every output except the office workbook's person detail goes through a `Masker` (output.py).
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_D = "[0-9０-９]"
_SEP = "[ \u3000\u00a0\\-－—‐_]{0,2}"
# 15 or 18 ID characters, possibly spaced or dashed, not inside a longer run of digits: damaged IDs too.
_ID = re.compile(rf"(?<![0-9０-９])[1-9１-９](?:{_SEP}{_D}){{13}}(?:(?:{_SEP}{_D}){{3}}{_SEP}[0-9０-９XxＸｘ]|{_SEP}{_D})"
                 rf"(?![0-9０-９XxＸｘ])")
_SEPARATORS = re.compile("[ \u3000\u00a0\\-－—‐_]")
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_CJK = re.compile(r"[\u3400-\u9fff]")
_PLAIN_NAME = re.compile(r"[\u3400-\u9fff]{2,}")
_HTML_SPECIAL = re.compile("[&<>\"']")

# Digits joined by anything that is neither a letter nor a digit (\W matches spaces, punctuation, zero-width and
# full-width forms alike), then perhaps a check character X. Letters, Chinese ones included, end a run.
_RUN = re.compile(r"\d(?:[\W_]*+\d)*+(?:[\W_]*+[XxＸｘ])?")
_ID_CHAR = re.compile(r"\d|[XxＸｘ]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province codes of GB/T 2260, 71 Taiwan, 81–83 Hong Kong, Macao and Taiwan residents, 91 foreign permanent
# residents: a run of digits starting otherwise is no ID.
_PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                        53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FEWEST_DIGITS = 15         # the shortest ID-shaped text the masker knows (a 15-digit first-generation ID)

# Written between the parts of a name (阿依古丽·买买提艾力) in its place: dots, bullets, dashes, spaces. Folded
# one character for one, so a position in the folded text is the same position in the text.
_NAME_JOINERS = "·.•‧∙⋅・･．-－‐‑–— \u3000\u00a0\t"
_FOLD = str.maketrans({c: "·" for c in _NAME_JOINERS})
_SPACES = re.compile(r"\s+")
_DOT_RUN = re.compile("·+")
# Words a clerk writes in a name cell when there is no name to give: a clerk's own words, not a person's.
NOT_NAMES = frozenset({"不详", "待核实", "待核", "待查", "待查实", "待定", "待补", "待补充", "待确认", "核实中", "未知",
                       "暂无", "同上", "见附件", "无名", "无名氏", "空白", "未填", "未填写", "不清楚", "姓名", "户主"})


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


def mask_name(name: object) -> str:
    """Mask a personal name: 李*, 张*明, 欧**明; a longer one keeps its first and last character (阿********力)."""
    s = "" if name is None else str(name).strip()
    if len(s) <= 1:
        return s
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]


def _is_id(d: list[int], i: int, last: int) -> bool:
    """Say whether d[i:i+17] and the check value `last` (10 for X) make a valid ID: region, birth, checksum."""
    if d[i] * 10 + d[i + 1] not in _PROVINCES:
        return False
    year = d[i + 6] * 1000 + d[i + 7] * 100 + d[i + 8] * 10 + d[i + 9]
    month, day = d[i + 10] * 10 + d[i + 11], d[i + 12] * 10 + d[i + 13]
    if not (1890 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month]):
        return False
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return False
    return _CHECK[sum(d[i + k] * w for k, w in enumerate(_WEIGHTS)) % 11] == ("X" if last == 10 else str(last))


def valid_id_spans(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, ID) of every valid ID in the text, however its characters are spaced, joined or glued."""
    found = []
    for run in _RUN.finditer(text):
        chars = list(_ID_CHAR.finditer(text, run.start(), run.end()))
        if len(chars) < 18:         # 17 digits and no check character
            continue
        d = [10 if c.group() in "XxＸｘ" else int(c.group()) for c in chars]
        i = 0
        while i + 18 <= len(d):
            last = d[i + 17]
            if 10 not in d[i:i + 17] and _is_id(d, i, last):
                ident = "".join(map(str, d[i:i + 17])) + ("X" if last == 10 else str(last))
                found.append((chars[i].start(), chars[i + 17].end(), ident))
                i += 18
            else:
                i += 1
    return found


def mask_ids(text: str) -> str:
    """Mask every ID inside free text: valid ones however written or glued, ID-shaped ones spaced or dashed."""
    if len(text) < _FEWEST_DIGITS:
        return text
    # Every ID lies within one run of digits and what may stand between them; the regex engine finds the runs,
    # and only a run 15 characters long or more is looked at again.
    out, last = [], 0
    for run in _RUN.finditer(text):
        if run.end() - run.start() >= _FEWEST_DIGITS and (masked := _mask_run(run.group())) != run.group():
            out += [text[last:run.start()], masked]
            last = run.end()
    return "".join(out) + text[last:] if out else text


def _mask_run(run: str) -> str:
    """Mask the IDs of one run: ID-shaped ones (15 or 18 characters, even damaged), then valid ones however written."""
    # ID-shaped text first: a valid ID glued to a phone number must not leave the phone number's digits looking
    # like the start of another one.
    run = _ID.sub(lambda m: mask_id(m.group(0)), run)
    for start, end, ident in reversed(valid_id_spans(run)):
        run = run[:start] + mask_id(ident) + run[end:]
    return run


def name_form(raw: object) -> str | None:
    """Return the form a roster name is looked for in (· for any dot or space between parts), or None for no name."""
    # A name has at least two letters and starts with one (张三, 阿依古丽·买买提艾力, ALIM·TURSUN); a number, a
    # formula or a lone character is no one's name that could be told apart in ordinary text.
    if not isinstance(raw, str):
        return None
    if _PLAIN_NAME.fullmatch(raw):
        return raw              # most names: Chinese characters only, nothing to fold
    s = unicodedata.normalize("NFKC", raw).strip()
    squeezed = _SPACES.sub("", s)
    if len(squeezed) <= 4 and all(_CJK.match(c) for c in squeezed):
        s = squeezed            # 王  五: a short name padded with spaces to line up in the column
    s = _DOT_RUN.sub("·", s.translate(_FOLD)).strip("·")
    if len(s) < 2 or not s[0].isalpha() or sum(c.isalpha() for c in s) < 2:
        return None
    return s


def _substrings(texts: Iterable[str], shortest: int, longest: int) -> frozenset[str]:
    """Return every substring of the texts within the length bounds: a set lookup per name, not a text scan."""
    return frozenset(t[i:i + n] for t in texts for n in range(shortest, longest + 1) for i in range(len(t) - n + 1))


class Masker:
    """Mask IDs and the quarter's listed names in any text bound for an output."""

    def __init__(self, names: Iterable[object] = (), keep: Iterable[str] = ()):
        # A name that is also a word of the plan, a unit's name or a clerk's word (a person called 高新, a name cell
        # saying 不详) cannot be told from that word; masking it would deface every report, so such words are kept.
        keep = [k for k in keep if isinstance(k, str)] + sorted(NOT_NAMES)
        kept, every_word = _substrings(keep, 2, 6), "\n".join(keep)
        forms = set()
        for raw in set(names):
            form = name_form(raw)
            if form is None:
                continue
            forms.add(form)
            if "·" in form:     # the parts of 阿依古丽·买买提艾力 too: a clerk may write the given name alone
                forms.update(p for p in form.split("·") if len(p) >= 2 and p[0].isalpha())
        forms -= kept
        forms = {f for f in forms if len(f) <= 6 or f not in every_word}
        self.names = frozenset(forms)
        # A name as it may stand in an HTML text, escaped, and the name it stands for.
        self._escaped = {e: f for f in forms if _HTML_SPECIAL.search(f)
                         for e in (html.escape(f), html.escape(f).replace("&#x27;", "&#39;"))}
        self._forms = forms | self._escaped.keys()
        self._fold = any("·" in f for f in forms)
        wide = {f for f in self._forms if not f[0].isascii()}
        self._lengths = sorted({len(f) for f in wide}, reverse=True)
        firsts = "".join(sorted({f[0] for f in wide}))
        self._starts = re.compile(f"[{re.escape(firsts)}]") if firsts else None
        # A name in Latin letters is a whole word: ALI is not masked inside ALIBABA.
        latin = sorted(self._forms - wide, key=len, reverse=True)
        self._latin = re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(map(re.escape, latin))})(?![A-Za-z0-9])") \
            if latin else None

    def __call__(self, text: str) -> str:
        """Return `text` with every ID and every listed name masked."""
        return self.mask_names(mask_ids(text))

    def mask_names(self, text: str) -> str:
        """Return `text` with every listed name masked."""
        if not self._forms or not text:
            return text
        folded = text.translate(_FOLD) if self._fold else text
        spans = []
        if self._starts is not None:
            pos = 0
            while (m := self._starts.search(folded, pos)) is not None:
                i = m.start()
                hit = next((n for n in self._lengths if folded[i:i + n] in self._forms), 0)
                if hit:
                    spans.append((i, i + hit, folded[i:i + hit]))
                pos = i + (hit or 1)
        if self._latin is not None:
            spans += [(m.start(), m.end(), m.group()) for m in self._latin.finditer(folded)]
            spans.sort()
        if not spans:
            return text
        out, last = [], 0
        for start, end, form in spans:
            if start >= last:
                out += [text[last:start], mask_name(self._escaped.get(form, form))]
                last = end
        return "".join(out) + text[last:]

    def words(self, values: list) -> list:
        """Mask many texts, most of which hold nothing personal: a bulk test first, the careful scan for the rest."""
        texts = pa.array([v if isinstance(v, str) else None for v in values], type=pa.large_string())
        # An ID needs 15 digits in one run once what may stand between them is removed. A name needs a character
        # beyond ASCII (Chinese) or, when Latin names are listed, a Latin letter. Texts with neither (HF0012) pass.
        squeezed = pc.replace_substring_regex(texts, r"[^\p{L}\p{N}]+", "")
        ids = pc.fill_null(pc.match_substring_regex(squeezed, rf"\p{{Nd}}{{{_FEWEST_DIGITS}}}"), False)
        names = pc.invert(pc.string_is_ascii(texts))
        if self._latin is not None:
            names = pc.or_(names, pc.match_substring_regex(texts, "[A-Za-z]"))
        names = pc.fill_null(names, False)
        ids, names = ids.to_numpy(zero_copy_only=False), names.to_numpy(zero_copy_only=False)
        out = list(values)
        for i in np.flatnonzero(ids | names):
            out[i] = self.mask_names(mask_ids(values[i]) if ids[i] else values[i])
        return out
