"""Words the half-year bulletin uses in its text and its workbook alike: what is missing, who did what."""
from __future__ import annotations

from ..bulletin import Fault, FaultKind, HalfYearContext
from ..vocab import Submission
from .labels import SUBMISSION
from .wording import title


def missing_note(h: HalfYearContext) -> str:
    """Say plainly which quarter was not received; '' when both were."""
    if not h.absent:
        return ""
    gone = "、".join(q.period.quarter_label for q in h.absent)
    got = "、".join(q.period.quarter_label for q in h.present)
    return f"{gone}未收到报表，本通报仅反映{got}情况。"


def state_text(h: HalfYearContext, i: int, submission: Submission | None) -> str:
    """Word a unit's submission in quarter i: 按时 / 逾期 / 未报送, 未收到 for a quarter not received, — otherwise."""
    if not h.quarters[i].present:
        return "未收到"
    return "—" if submission is None else SUBMISSION[submission]


def fault_text(f: Fault) -> str:
    """Word one fault: 第二季度逾期4天报送."""
    q = f.period.quarter_label
    if f.kind is FaultKind.MISSING:
        return f"{q}未报送进展情况"
    if f.kind is FaultKind.LATE:
        return f"{q}逾期{f.days}天报送"
    if f.kind is FaultKind.MISSING_TASKS:
        return f"{q}漏报第{'、'.join(map(str, f.tasks))}条任务"
    if f.kind is FaultKind.STALE_TASKS:
        return f"{q}第{'、'.join(map(str, f.tasks))}条任务进展未更新"
    total = sum(n for _, n in f.errors)
    detail = title(f.errors[0][0]) if len(f.errors) == 1 else "、".join(f"{title(c)}{n}条" for c, n in f.errors)
    return f"{q}报表有错误{total}条（{detail}）"


def faults_text(faults: tuple[Fault, ...]) -> str:
    """Join a unit's faults, one clause per quarter: 第一季度逾期2天报送、漏报第16条任务；第二季度…"""
    by_quarter: dict = {}
    for f in faults:
        by_quarter.setdefault(f.period, []).append(fault_text(f))
    return "；".join(clauses[0] + "".join("、" + c.removeprefix(p.quarter_label) for c in clauses[1:])
                    for p, clauses in by_quarter.items())
