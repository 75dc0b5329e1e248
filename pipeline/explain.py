"""Write each household's amount as arithmetic a clerk can redo by hand, split where a standard changed mid-quarter.

`差额 (670 − 260.00) × 3人 × 2个月（4–5月）＋ (700 − 260.00) × 3人 × 1个月（6月） = 3780.00`
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .money import fmt, fmt_param

if TYPE_CHECKING:
    from .benefits import Trace

Span = tuple[int, int]      # month indexes [start, end) within the quarter


def spans(keys: tuple, start: int, end: int) -> list[Span]:
    """Split the active months [start, end) where the parameter values in `keys` (one per month) change."""
    out, s = [], start
    for i in range(start + 1, end):
        if keys[i] != keys[i - 1]:
            out.append((s, i))
            s = i
    if end > start:
        out.append((s, end))
    return out


def months_text(months: tuple[int, int, int], span: Span, alone: bool) -> str:
    """Say a span of months: 3个月 for a whole quarter on its own, else 2个月（5–6月）."""
    n = span[1] - span[0]
    if alone and n == 3:
        return "3个月"
    first, last = months[span[0]], months[span[1] - 1]
    return f"{n}个月（{first}月）" if n == 1 else f"{n}个月（{first}–{last}月）"


def _one(values) -> str:
    return fmt_param(values[0].value)


def _wage_share(values) -> str:
    wage, share = values
    return f"{fmt_param(wage.value)} × {fmt_param(share.value * 100)}%"


# How each person rule of the trace is worded: its label and a month's rate from that month's parameter values.
WORDS = {
    "tekun": ("特困供养", _one),
    "care_full": ("护理费（全失能）", _wage_share),
    "care_partial": ("护理费（半失能）", _wage_share),
    "living": ("残疾人生活补贴", _one),
    "care": ("重度残疾人护理补贴", _one),
}


def explain(hh: pd.DataFrame, trace: Trace) -> list[str]:
    """Word the trace of each household row of `hh`, in order: the rules that paid it, at the values they used."""
    months = trace.period.months
    active = trace.active
    rules = [r for r in trace.rules if r.rule in WORDS]
    gap_rule = trace.rule("gap")

    def person_items(window: Span, ns: tuple[int, ...]) -> list[str]:
        parts = []
        for rule, n in zip(rules, ns):
            if not n:
                continue
            label, word = WORDS[rule.rule]
            pieces = spans(rule.values, *window)
            terms = [f"{word(rule.values[s[0]])} × {n}人 × {months_text(months, s, len(pieces) == 1)}" for s in pieces]
            total = sum(n * rule.fen[s[0]] * (s[1] - s[0]) for s in pieces)
            parts.append(f"{label}{'' if label.endswith('）') else ' '}{'＋ '.join(terms)} = {fmt(total)}")
        return parts

    # Households fall into few shapes (which months, which months short of the standard, how many persons of each
    # kind); each shape is worded once and only the household's own figures are filled in.
    n_active = active.sum(axis=1)
    shape = pd.DataFrame({
        "start": np.argmax(active, axis=1), "months": n_active,
        "gap": trace.households["gap"].to_numpy() & (n_active > 0),
        "short": ((hh[["gap_m0", "gap_m1", "gap_m2"]].to_numpy() > 0) * (1, 2, 4)).sum(axis=1),
        **{r.rule: trace.households[r.rule].to_numpy() for r in rules},
    })
    gap_rows = shape["gap"].to_numpy()
    # Only 低保 and 支出型 households, which always carry an income, have it worded.
    fen = {col: hh[col].fillna(0).to_numpy(np.int64) for col in ("income_fen", "rigid_fen", "members")}
    income = _income_text(fen["income_fen"], fen["rigid_fen"], fen["members"],
                          gap_rows & trace.households["rigid"].to_numpy(), trace.households["rigid_exceeds"].to_numpy())
    members = pd.Series(fen["members"]).astype(_TEXT)
    gap_fen, amount = fmt_column(hh["gap_fen"].to_numpy(np.int64)), fmt_column(hh["amount_fen"].to_numpy(np.int64))
    out = np.full(len(hh), "本季度不在享受期，0.00", dtype=object)
    for (start, n, is_gap, short, *ns), rows in shape.groupby(list(shape.columns), sort=False).indices.items():
        if not n:
            continue
        window = (int(start), int(start + n))
        persons = person_items(window, tuple(ns))
        fixed = "；".join(persons)
        parts = int(is_gap) + len(persons)
        if is_gap:
            body = _gap(income.iloc[rows], members.iloc[rows], gap_fen.iloc[rows],
                        spans(gap_rule.values, *window), short, [_one(v) for v in gap_rule.values], months)
            body = body + f"；{fixed}" if fixed else body
        else:
            body = pd.Series(fixed, index=rows, dtype=_TEXT)
        if parts > 1:
            body = body + "；合计 " + amount.iloc[rows]
        out[rows] = body.to_numpy(object)
    return out.tolist()


_TEXT = "string[pyarrow]"      # Arrow strings concatenate a whole column in C


def fmt_column(fen: np.ndarray) -> pd.Series:
    """Format a column of fen as money.fmt does, 1234.50, all at once."""
    whole = pd.Series(np.abs(fen) // 100).astype(_TEXT)
    cents = pd.Series(np.abs(fen) % 100).astype(_TEXT).str.pad(2, fillchar="0")
    return pd.Series(np.where(fen < 0, "-", ""), dtype=_TEXT) + whole + "." + cents


def _income_text(inc: np.ndarray, rig: np.ndarray, m: np.ndarray, adjusted: np.ndarray,
                 exceeds: np.ndarray) -> pd.Series:
    """Word each household's income per person: after rigid expenses where the trace deducted them, 0 when nothing
    was left."""
    text = fmt_column(inc)
    if adjusted.any():
        net = "(" + text[adjusted] + " − " + fmt_column(rig[adjusted]).set_axis(text.index[adjusted]) + "÷" \
            + pd.Series(m[adjusted], index=text.index[adjusted]).astype(_TEXT)
        below = pd.Series(exceeds[adjusted], index=net.index)
        text[adjusted] = net.where(~below, "0（" + net.str.slice(1) + " 不足0按0计）").where(below, net + ")")
    return text


def _gap(income: pd.Series, m: pd.Series, gap_fen: pd.Series, pieces: list[Span], short: int, standard: list[str],
         months) -> pd.Series:
    """Word the 差额: each span with a shortfall as a product; spans at or above the standard named as 0."""
    paid = [s for s in pieces if short >> s[0] & 1]
    if not paid:
        stds = "、".join(dict.fromkeys(standard[s[0]] for s in pieces))
        return "差额 0（人均收入 " + income + f" 不低于标准 {stds}）"
    text = None
    for s in paid:
        term = f"({standard[s[0]]} − " + income + ") × " + m + f"人 × {months_text(months, s, len(pieces) == 1)}"
        text = "差额 " + term if text is None else text + "＋ " + term
    text = text + " = " + gap_fen
    zero = [s for s in pieces if not short >> s[0] & 1]
    if zero:
        text = text + ("（" + "、".join(months_text(months, s, False).split("（")[1].rstrip("）") for s in zero)
                       + "人均收入不低于标准，差额为0）")
    return text
