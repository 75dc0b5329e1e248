"""Write each household's amount as arithmetic a clerk can redo by hand, split where a standard changed mid-quarter.

`差额 (670 − 260.00) × 3人 × 2个月（4–5月）＋ (700 − 260.00) × 3人 × 1个月（6月） = 3780.00`
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .benefits import GAP_CATEGORIES, Rates
from .money import fmt, fmt_param
from .vocab import Category

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


def _counts(people: pd.DataFrame, codes: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Count, per household, the persons behind each person item (eligibility, whatever the month)."""
    tekun = (people["category"] == Category.TEKUN).to_numpy()
    need = people["care_need"].to_numpy()
    grade = pd.to_numeric(people["disability_grade"], errors="coerce").to_numpy()
    flags = {
        "tekun": tekun,
        "full": tekun & (need == "全失能"),
        "partial": tekun & (need == "半失能"),
        "living": people["category"].isin(GAP_CATEGORIES).to_numpy() & people["disability_grade"].notna().to_numpy(),
        "care": (grade == 1) | (grade == 2),
    }
    return {k: np.bincount(codes, weights=v.astype(np.int64), minlength=n).astype(np.int64) for k, v in flags.items()}


def explain(hh: pd.DataFrame, people: pd.DataFrame, codes: np.ndarray, active: np.ndarray, rates: Rates) -> list[str]:
    """Return one explanation per household row of `hh`, in order."""
    v = rates.values
    months = rates.period.months
    counts = _counts(people, codes, len(hh))
    fee = {need: rates.care_fee(need) for need in ("全失能", "半失能")}
    money = {name: rates.fen(name) for name in ("tekun_standard", "disability_living_allowance",
                                                 "severe_disability_care_allowance")}
    text = {name: [fmt_param(x.value) for x in v[name]] for name in v}
    percent = {name: [fmt_param(x.value * 100) for x in v[name]] for name in ("care_rate_full", "care_rate_partial")}
    keys = {
        "gap": v["dibao_standard"], "tekun": v["tekun_standard"],
        "full": tuple(zip(v["min_wage"], v["care_rate_full"])), "partial": tuple(zip(v["min_wage"], v["care_rate_partial"])),
        "living": v["disability_living_allowance"], "care": v["severe_disability_care_allowance"],
    }
    layouts: dict[Span, dict[str, list[Span]]] = {}
    start = np.argmax(active, axis=1)
    n_active = active.sum(axis=1)
    gaps = hh[["gap_m0", "gap_m1", "gap_m2"]].to_numpy()
    out = []
    for i, h in enumerate(hh[["category", "income_fen", "rigid_fen", "members", "gap_fen", "amount_fen"]].itertuples(index=False)):
        if not n_active[i]:
            out.append("本季度不在享受期，0.00")
            continue
        window = (int(start[i]), int(start[i] + n_active[i]))
        if window not in layouts:
            layouts[window] = {k: spans(key, *window) for k, key in keys.items()}
        layout = layouts[window]
        parts = []
        m = int(h.members)
        if h.category in GAP_CATEGORIES:
            parts.append(_gap(h, m, layout["gap"], gaps[i], text["dibao_standard"], months))

        def person_item(label: str, key: str, rate_text, fen_of, n: int) -> None:
            if not n:
                return
            pieces = layout[key]
            terms = [f"{rate_text(s)} × {n}人 × {months_text(months, s, len(pieces) == 1)}" for s in pieces]
            total = sum(n * int(fen_of(s)) * (s[1] - s[0]) for s in pieces)
            parts.append(f"{label}{' ' if not label.endswith('）') else ''}{'＋ '.join(terms)} = {fmt(total)}")

        person_item("特困供养", "tekun", lambda s: text["tekun_standard"][s[0]], lambda s: money["tekun_standard"][s[0]],
                    counts["tekun"][i])
        person_item("护理费（全失能）", "full", lambda s: f"{text['min_wage'][s[0]]} × {percent['care_rate_full'][s[0]]}%",
                    lambda s: fee["全失能"][s[0]], counts["full"][i])
        person_item("护理费（半失能）", "partial",
                    lambda s: f"{text['min_wage'][s[0]]} × {percent['care_rate_partial'][s[0]]}%",
                    lambda s: fee["半失能"][s[0]], counts["partial"][i])
        person_item("残疾人生活补贴", "living", lambda s: text["disability_living_allowance"][s[0]],
                    lambda s: money["disability_living_allowance"][s[0]], counts["living"][i])
        person_item("重度残疾人护理补贴", "care", lambda s: text["severe_disability_care_allowance"][s[0]],
                    lambda s: money["severe_disability_care_allowance"][s[0]], counts["care"][i])
        joined = "；".join(parts)
        out.append(joined + (f"；合计 {fmt(int(h.amount_fen))}" if len(parts) > 1 else ""))
    return out


def _gap(h, m: int, pieces: list[Span], gap: np.ndarray, standard: list[str], months) -> str:
    """Word the 差额: each span with a shortfall as a product; spans at or above the standard named as 0."""
    inc, rig = int(h.income_fen), int(h.rigid_fen)
    if h.category == Category.EXPENSE and rig:
        income = f"0（{fmt(inc)} − {fmt(rig)}÷{m} 不足0按0计）" if inc * m <= rig else f"({fmt(inc)} − {fmt(rig)}÷{m})"
    else:
        income = fmt(inc)
    paid = [s for s in pieces if gap[s[0]] > 0]
    if not paid:
        stds = "、".join(dict.fromkeys(standard[s[0]] for s in pieces))
        return f"差额 0（人均收入 {income} 不低于标准 {stds}）"
    terms = [f"({standard[s[0]]} − {income}) × {m}人 × {months_text(months, s, len(pieces) == 1)}" for s in paid]
    text = f"差额 {'＋ '.join(terms)} = {fmt(int(h.gap_fen))}"
    zero = [s for s in pieces if gap[s[0]] <= 0]
    if zero:
        text += "（" + "、".join(months_text(months, s, False).split("（")[1].rstrip("）") for s in zero) \
                + "人均收入不低于标准，差额为0）"
    return text

