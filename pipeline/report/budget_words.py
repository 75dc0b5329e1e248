"""The budget's sentences, shared by its page, workbook and Word file so that the three say the same thing."""
from __future__ import annotations

from decimal import Decimal

from ..budget import Budget, FloorCheck, Scenario, months_text
from ..budget_households import HouseholdRow
from ..money import fmt_grouped, fmt_param
from ..period import Period


def month_of(key: int) -> str:
    """Say a month key as 2020年3月."""
    return f"{key // 12}年{key % 12 + 1}月"


def quarters_text(periods: list[Period]) -> str:
    return "、".join(p.label for p in periods)


def growth_text(g: Decimal) -> str:
    return f"{fmt_param(g)}（{fmt_param(g * 100)}%）"


def assumptions(b: Budget) -> list[str]:
    """State every assumption the figures rest on, in the order the reader needs them."""
    p = b.population
    y = b.year
    grow = "；另按第三条的增长率推算全年合计" if b.growth is not None else ""
    out = [(f"测算对象保持不变：以{b.from_period.label}救助对象台账在册的{p.households}户{p.persons}人为{y}年全年的测算对象，"
            f"年内不新增对象{grow}。")]
    if p.stops_known:
        out.append(f"已知停发按期退出：台账填有停发年月的{p.stops_known}人自停发年月起不再发放（停发年月当月不发），"
                   f"其中{p.stops_in_year}人在{y}年内停发，{p.stopped_before}人在{y}年以前已停发。")
    else:
        out.append("已知停发按期退出：台账中没有填写停发年月的对象，全年按在册对象发放。")
    if b.growth is None:
        out.append("增长率：未设增长率（--growth），不推算新增对象，人数和金额不作增长调整。")
    else:
        out.append(f"增长率：按每月{growth_text(b.growth)}复合增长推算：{y}年某月距{b.from_period.label}末月m个月，"
                   f"该月各单位、各类别的金额和人·月数按(1+{fmt_param(b.growth)})^m倍计，金额四舍五入到分；"
                   "分项目金额和所列各户仍是在册对象的测算，不含增长。")
    standards = "执行标准：每月按 config.toml 所列自该月1日起执行的标准计发（见附表4），计算规则与季度调度相同。"
    if b.reforms:
        standards += "调整方案另按 --set 所设：" + "；".join(
            f"{r.label}自{r.start.year}年{r.start.month}月{r.start.day}日起为{fmt_param(r.value)}{r.unit}"
            for r in b.reforms) + "。"
    out.append(standards)
    out.append(paid_text(b))
    out.append(f"户月发放额比较：各户{b.changes.before}的月发放额与{y}年12月的月发放额相比。")
    return out


def paid_text(b: Budget) -> str:
    """Say which quarters of actual pay the projection is compared with, and why not when some are missing."""
    present = [q.period for q in b.paid if q.total_fen is not None]
    missing = [q.period for q in b.paid if q.total_fen is None]
    if not missing:
        return (f"与实际发放比较：{quarters_text(present)}四个季度按当季台账和标准实际计发"
                f"{fmt_grouped(b.paid_total_fen or 0)}元。")
    have = f"只收到{quarters_text(present)}的报表" if present else "没有收到任何季度的报表"
    return (f"与实际发放比较：{have}，缺少{quarters_text(missing)}，不足四个季度，未计算测算与实际发放的差额，"
            "也不以部分季度推算全年。")


def scenario_sentence(s: Scenario, y: int) -> str:
    by_cat = "、".join(f"{c}{fmt_grouped(v)}元" for c, v in s.by("category").items())
    grown = f"；按增长率推算为{fmt_grouped(s.grown_total_fen)}元" if s.grown_total_fen is not None else ""
    return (f"按{s.name}，{y}年全年需救助资金{fmt_grouped(s.total_fen)}元，月均{fmt_grouped(s.total_fen // 12)}元"
            + (f"，其中{by_cat}" if by_cat else "") + grown + "。")


def difference(a: int, b: int) -> str:
    """Say b − a with its sign: +1,234.00 or −1,234.00 (0.00 when equal)."""
    d = b - a
    return "0.00" if d == 0 else ("+" if d > 0 else "−") + fmt_grouped(abs(d))


def reform_sentence(b: Budget) -> str:
    d = (b.reform.total_fen if b.reform else b.baseline.total_fen) - b.baseline.total_fen
    change = "持平" if d == 0 else f"{'增加' if d > 0 else '减少'}{fmt_grouped(abs(d))}元"
    c = b.reform_changes
    n = 0 if c is None else len(c.rises) + len(c.falls) + len(c.zero)
    return f"调整方案比现行标准{change}，涉及{n}户。"


def floor_line(f: FloorCheck) -> str:
    verdict = {True: "达到", False: "低于", None: "无法核对"}[f.ok]
    months = f"（{months_text(f.short_months)}）" if f.short_months else ""
    return f"{f.label}：方案要求不低于{fmt_param(f.floor)}，测算为{f.checked}，{verdict}方案下限{months}。"


def reason(h: HouseholdRow, year: int) -> str:
    """Say why a household's December amount differs from the one it is compared with."""
    if h.leaves is not None and h.leaves <= year * 12 + 11:
        return f"{month_of(h.leaves)}起停发"
    if h.members_leaving:
        return f"{h.members_leaving}人停发"
    return "标准调整"


def explanation(h: HouseholdRow) -> str:
    return f"第{'一二三四'[h.explained_quarter - 1]}季度：{h.explanation}"
