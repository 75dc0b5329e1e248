"""Each due document's 成文日期 and 文号: the run's options first, then config.toml [documents]."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from .config import Config, Issue
from .errors import StopRun
from .period import Period


def resolve_issues(config: Config, period: Period, due, issued: date | None,
                   numbers: dict[str, int]) -> dict[str, Issue]:
    """Decide each due document's 成文日期 and 文号 number: the run's options first, then config.toml [documents]."""
    from .report import Due  # the reports' cadences; imported late, as the renderers are

    keys = [str(period)] + ([f"{period.year}H{period.half}"] if any(r.due is Due.HALF_YEAR for r in due) else []) \
        + ([str(period.year)] if any(r.due is Due.YEAR_END for r in due) else [])
    numbered = keys[1:]
    numbers = dict(numbers)
    if "" in numbers:
        if len(numbered) != 1:
            what = "、".join(numbered) or "无"
            raise StopRun(f"本次运行须编文号的文件是：{what}；请用 --doc-no {numbered[0] if numbered else '2019H1'}=3 这样的写法"
                          "逐个指定，不能只写一个数字。")
        numbers[numbered[0]] = numbers.pop("")
    unknown = [k for k in numbers if k not in numbered]
    if unknown:
        raise StopRun(f"--doc-no 中的 {'、'.join(unknown)} 不是本次运行生成的文件（本次为 {'、'.join(numbered) or '季度调度报告，不编文号'}），"
                      "请改正。")
    out = {}
    for key in keys:
        base = config.documents.get(key, Issue(imprint=config.imprint))
        day = issued or base.date
        # The 印发日期 is the one [documents] gave, else the 成文日期 this run settles on.
        imprint = base.imprint and replace(base.imprint, printed_on=base.imprint.printed_on or day)
        out[key] = Issue(numbers.get(key, base.number), day, imprint)
    return out
