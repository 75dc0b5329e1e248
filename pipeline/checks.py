"""Checks: small generators over one quarter's facts, each yielding findings. All are listed in CHECKS."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import chain
from typing import Iterator

import numpy as np
import pandas as pd

from .accounting import InputRow, close
from .benefits import GAP_CATEGORIES, Benefits, active_months
from .config import Config
from .findings import Finding, capped, finding
from .ids import OK, birth_date
from .matrix import Matrix
from .money import fmt, fmt_param, to_fen
from .moves import Move, find_moves
from .privacy import mask_id
from .quarter import Quarter
from .stale import stale_reasons
from .vocab import Category, StaleReason


@dataclass(frozen=True)
class Facts:
    quarter: Quarter
    matrix: Matrix
    config: Config
    benefits: Benefits
    previous: Quarter | None = None      # the quarter before, when its folder arrived

    @cached_property
    def stale(self) -> pd.Series:
        """Why each progress row reports no new progress (None when it does); see stale.py."""
        return stale_reasons(self.quarter.progress, None if self.previous is None else self.previous.progress)

    @cached_property
    def moves(self) -> tuple[Move, ...]:
        """The quarter's moves between units, paid twice or handed over; see moves.py."""
        return find_moves(self.quarter.roster, self.benefits.persons,
                          None if self.previous is None else self.previous.roster, self.quarter.period)


def _at(row: pd.Series, column: str) -> dict:
    return {"file": row["_file"], "sheet": row["_sheet"], "row": int(row["_row"]), "column": column}


def missing_submission(f: Facts) -> Iterator[Finding]:
    subs = f.quarter.submissions
    submitted = set(subs.loc[subs["chosen"], "unit"]) if len(subs) else set()
    for unit in f.config.registry.reporting:
        if unit.name not in submitted:
            yield finding("missing-submission", f"{unit.name}本季度未报送进展情况表。", unit=unit.name)


def late_submission(f: Facts) -> Iterator[Finding]:
    subs = f.quarter.submissions
    for s in subs[subs["chosen"]].itertuples():
        where = {"unit": s.unit, "file": s.file, "sheet": s.sheet, "column": "填报日期"}
        if s.reported_on is None or pd.isna(s.reported_on):
            yield finding("bad-value", "未找到填报日期，无法判断是否按时报送；请在表头上方写明“填报日期：2019年3月18日”。", **where)
        elif s.reported_on > f.quarter.deadline:
            days = (s.reported_on - f.quarter.deadline).days
            yield finding("late-submission",
                          f"填报日期 {s.reported_on:%Y-%m-%d}，晚于报送截止日 {f.quarter.deadline:%Y-%m-%d}（逾期{days}天）。",
                          value=f"{s.reported_on:%Y-%m-%d}", **where)


def duplicate_submission(f: Facts) -> Iterator[Finding]:
    subs, p = f.quarter.submissions, f.quarter.progress
    rows = p.groupby(["_file", "_sheet"])["_row"].agg(tuple).to_dict() if len(p) else {}
    for s in subs[~subs["chosen"]].itertuples():
        yield finding("duplicate-submission", f"本季度收到{s.unit}多份进展情况表：已采用“{s.superseded_by}”（填报日期较晚），本份“{s.file}”未采用。",
                      unit=s.unit, file=s.file, sheet=s.sheet, value=str(s.reported_on or ""),
                      left_out=tuple(int(r) for r in rows.get((s.file, s.sheet), ())))


def missing_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    used = p[p["used"] & p["task"].notna()]
    by_unit = used.groupby("unit")["task"].agg(lambda t: set(t.astype(int))).to_dict() if len(used) else {}
    for s in f.quarter.submissions[f.quarter.submissions["chosen"]].itertuples():
        reported = by_unit.get(s.unit, set())
        for task in f.matrix.tasks_of(s.unit):
            if task not in reported:
                role = "牵头" if s.unit in f.matrix.task(task).lead else "责任"
                yield finding("missing-task", f"漏报第{task}条任务（本单位{role}）。", unit=s.unit, file=s.file,
                              sheet=s.sheet, column="任务编号", value=str(task))


def unexpected_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    rows = p[p["used"] & p["role"].isna() & p["task"].notna()]
    for _, row in rows.iterrows():
        yield finding("unexpected-task", f"第{int(row['task'])}条任务不在本单位分工内，已列入汇总但不计入任务灯色。",
                      unit=row["unit"], value=row["task_text"], **_at(row, "任务编号"))


def unknown_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    for _, row in p[p["unknown_task"]].iterrows():
        yield finding("unknown-task", f"任务编号“{row['task_text']}”不在方案的1–{len(f.matrix)}条之内，本行未计入。",
                      unit=row["unit"], value=row["task_text"], left_out=(int(row["_row"]),), **_at(row, "任务编号"))


def duplicate_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    for _, row in p[p["superseded"]].iterrows():
        later = p[(p["unit"] == row["unit"]) & (p["task"] == row["task"]) & p["used"]]
        kept = int(later["_row"].iloc[0]) if len(later) else "后"
        yield finding("duplicate-task", f"第{int(row['task'])}条任务重复填报，已采用第{kept}行，本行未计入。",
                      unit=row["unit"], value=row["task_text"], left_out=(int(row["_row"]),), **_at(row, "任务编号"))


def person_duplicate(f: Facts) -> Iterator[Finding]:
    """Report an ID listed twice: each repeat, and across units the first unit too, so every unit that pays hears."""
    r = f.quarter.roster
    if r.empty:
        return
    # Only the columns a finding names: filtering every column of a city's roster costs more than the check.
    valid = r.loc[r["id_status"] == OK, ["id_number", "unit", "_file", "_sheet", "_row"]]
    dup = valid[valid.duplicated("id_number", keep=False)]
    moved = {m.id_number for m in f.moves}      # one story told as a move instead (moved_without_stop)
    dup = dup[~dup["id_number"].isin(moved)]
    for id_number, group in dup.groupby("id_number", sort=False):
        rows = list(group.itertuples(index=False))
        first = rows[0]
        for row in rows[1:]:
            yield finding("person-duplicate",
                          f"该身份证号码已在“{first._2}”第{int(first._4)}行（{first.unit}）出现，同一人重复列入台账；"
                          "本季度按列出的记录计发，请核实后删除重复记录。",
                          unit=row.unit, value=mask_id(id_number), file=row._2, sheet=row._3, row=int(row._4),
                          column="公民身份号码")
        other = next((row for row in rows[1:] if row.unit != first.unit), None)
        if other is not None and all(row.unit != first.unit for row in rows[1:]):
            yield finding("person-duplicate",
                          f"该身份证号码又在“{other._2}”第{int(other._4)}行（{other.unit}）出现，同一人同时列入两个单位的台账；"
                          f"本季度两处都按列出的记录计发，请与{other.unit}核实后删除重复记录。",
                          unit=first.unit, value=mask_id(id_number), file=first._2, sheet=first._3,
                          row=int(first._4), column="公民身份号码")


def stale_progress(f: Facts) -> Iterator[Finding]:
    """Report a task row that reports no new progress; lights and completeness do not count it (stale.py)."""
    p = f.quarter.progress
    for i, reason in f.stale.dropna().items():
        row = p.loc[i]
        task = int(row["task"])
        if reason is StaleReason.CARRIED:
            text = f"第{task}条的进展情况仍是上季度预填的内容（带“（上季度）”字样），没有写本季度的进展"
        elif reason is StaleReason.REPEATED:
            text = f"第{task}条的进展情况与本单位上季度所填的一字不差，没有写本季度的进展"
        else:
            text = f"第{task}条完成状态为“推进中”，但没有填完成进度"
        column = "完成进度" if reason is StaleReason.NO_PROGRESS else "进展情况"
        shown = str(row["progress_text"] or "")
        yield finding("stale-progress", text + "；本行不计为已报送，请按本季度实际情况填写后重新报送。",
                      unit=row["unit"], value=shown if len(shown) <= 40 else shown[:39] + "…", **_at(row, column))


def income_above_standard(f: Facts) -> Iterator[Finding]:
    """Report a 低保 or 支出型 household whose 差额 is 0 in a month it is paid for, with that month's standard."""
    hh = f.benefits.households
    if hh.empty:
        return
    period = f.quarter.period
    active = active_months(hh["start_key"], hh["stop_key"], period)
    gap = hh[["gap_m0", "gap_m1", "gap_m2"]].to_numpy()
    zero = active & (gap <= 0) & hh["category"].isin(GAP_CATEGORIES).to_numpy()[:, None]
    standards = f.benefits.rates.values["dibao_standard"]
    for i in np.flatnonzero(zero.any(axis=1)):
        h = hh.iloc[i]
        month = int(np.argmax(zero[i]))
        adjusted = "（扣减刚性支出后）" if h["category"] == Category.EXPENSE else ""
        when = "" if zero[i].sum() == active[i].sum() else f"{period.months[month]}月"
        yield finding("income-above-standard",
                      f"{h['category']}家庭人均收入 {fmt(int(h['income_fen']))} 元{adjusted}不低于{when}低保标准 "
                      f"{fmt_param(standards[month].value)} 元，差额为0。",
                      unit=h["unit"], file=h["_file"], sheet=h["_sheet"], row=int(h["_household_row"]),
                      column="家庭月人均收入", value=fmt(int(h["income_fen"])))


def zero_employment(f: Facts) -> Iterator[Finding]:
    """Report a 低保 or 支出型 household whose members able to work are all unemployed (task 9)."""
    r = f.quarter.roster
    if r.empty or "work_ability" not in r:
        return
    people = r.loc[r["used"] & r["category"].isin(GAP_CATEGORIES),
                   ["household_key", "work_ability", "employment", "unit", "_file", "_sheet", "_household_row",
                    "household_no"]]
    able = people["work_ability"] == "有"
    g = people.assign(_able=able, _idle=able & (people["employment"] == "未就业")).groupby("household_key", sort=False)
    counts = pd.DataFrame({"able": g["_able"].sum(), "idle": g["_idle"].sum()})
    zero = counts[(counts["able"] > 0) & (counts["able"] == counts["idle"])]
    heads = people.drop_duplicates("household_key").set_index("household_key").loc[zero.index]
    for (key, first), n in zip(heads.iterrows(), zero["able"]):
        who = "唯一有劳动能力的成员" if n == 1 else f"有劳动能力的{int(n)}名成员均"
        yield finding("zero-employment", f"该户{who}未就业，属零就业家庭（任务9要求至少1人就业）。",
                      unit=first["unit"], file=first["_file"], sheet=first["_sheet"],
                      row=int(first["_household_row"]), column="就业状况", value=f"户编号 {first['household_no']}")


def standard_below_floor(f: Facts) -> Iterator[Finding]:
    """Check every value paid in the quarter against the plan floor of its month's year, and 特困 ≥ ratio × 低保."""
    period = f.quarter.period
    params = f.config.parameters
    values = f.benefits.rates.values
    where = {"file": f.config.path.name}
    seen = set()
    for name, months in values.items():
        for key, v in zip(period.month_keys, months):
            year = key // 12
            floor = params.floor(year, name)
            if floor is None or v.value >= floor.value or (v, year) in seen:
                continue
            seen.add((v, year))
            yield finding("standard-below-floor",
                          f"{year}年执行的{v.label}为 {fmt_param(v.value)}（{v.start}起），低于方案下限 "
                          f"{fmt_param(floor.value)}（{floor.source}）。",
                          sheet=f"parameters.{name}", column=str(v.start), value=fmt_param(v.value), **where)
    for key, dibao, tekun in zip(period.month_keys, values["dibao_standard"], values["tekun_standard"]):
        ratio = params.floor(key // 12, "tekun_ratio")
        if ratio is None or tekun.value >= dibao.value * ratio.value or (tekun, dibao, "ratio") in seen:
            continue
        seen.add((tekun, dibao, "ratio"))
        yield finding("standard-below-floor",
                      f"{key // 12}年执行的特困人员供养标准 {fmt_param(tekun.value)}（{tekun.start}起）低于同期低保标准 "
                      f"{fmt_param(dibao.value)} 的{fmt_param(ratio.value)}倍（{fmt_param(dibao.value * ratio.value)}）。",
                      sheet="parameters.tekun_standard", column=str(tekun.start), value=fmt_param(tekun.value), **where)


def avg_subsidy_below_floor(f: Facts) -> Iterator[Finding]:
    avg = f.benefits.avg_subsidy_fen
    floor = f.config.parameters.floor(f.quarter.period.year, "avg_subsidy")
    if avg is not None and floor is not None and avg < to_fen(floor.value):
        yield finding("avg-subsidy-below-floor",
                      f"本季度人均补差 {fmt(avg)} 元，低于方案下限 {fmt_param(floor.value)} 元（{floor.source}）。",
                      value=fmt(avg))


def moved_without_stop(f: Facts) -> Iterator[Finding]:
    """Tell both units of a move paid twice: the unit that still pays (an error) and the receiving unit (a note)."""
    for m in f.moves:
        if not m.paid_twice:
            continue        # the first unit stopped in time: a proper hand-over
        src, dst = m.source, m.target
        twice = f"{m.months_text}两处都发放，{src.unit}为其发放 {fmt(m.amount_fen)} 元，属重复发放"
        yield finding("moved-without-stop",
                      f"该人员本季度已列入{dst.unit}台账（“{dst.file}”第{dst.row}行），本单位台账未填停发年月，{twice}；"
                      f"请核实后填写停发年月，并追回重复发放的资金。",
                      unit=src.unit, file=src.file, sheet=src.sheet, row=src.row, column="停发年月",
                      value=mask_id(m.id_number))
        yield finding("moved-in",
                      f"该人员上季度在{src.unit}台账（“{src.file}”第{src.row}行）中，{src.unit}尚未停发，{twice}；"
                      f"已请{src.unit}填写停发年月，请本单位核实转入时间。",
                      unit=dst.unit, file=dst.file, sheet=dst.sheet, row=dst.row, column="享受起始年月",
                      value=mask_id(m.id_number))


def orphan_over_age(f: Facts) -> Iterator[Finding]:
    r = f.quarter.roster
    if r.empty or "orphan" not in r:
        return
    end = date(f.quarter.period.year, f.quarter.period.months[-1], 1)
    for _, row in r[(r["orphan"] == True) & (r["id_status"] == OK)].iterrows():  # noqa: E712
        born = birth_date(row["id_number"])
        if born and (end.year - born.year - ((end.month, end.day) < (born.month, born.day))) >= 18:
            yield finding("orphan-over-age", "该人员标为孤儿，但按身份证出生日期已满18周岁。",
                          unit=row["unit"], value=mask_id(row["id_number"]), **_at(row, "孤儿"))


CHECKS = (
    missing_submission, late_submission, duplicate_submission, missing_task, unexpected_task, unknown_task,
    duplicate_task, stale_progress, person_duplicate, income_above_standard, zero_employment, standard_below_floor,
    avg_subsidy_below_floor, orphan_over_age, moved_without_stop,
)


def run_checks(facts: Facts) -> Iterator[Finding]:
    """Run every check in CHECKS and yield their findings as they come."""
    for check in CHECKS:
        yield from check(facts)


def quarter_findings(facts: Facts, notes: Iterable[Finding]) -> tuple[list[Finding], list[InputRow]]:
    """Return every finding of the quarter (its folder's, its files', the checks') and its rows accounted for."""
    # Capped as they stream in, so no file's flood of one finding can grow the main process.
    found = capped(chain(notes, (f for fr in facts.quarter.files for f in fr.all_findings), run_checks(facts)))
    inputs, unaccounted = close(facts.quarter.ledger, found)
    return found + unaccounted, inputs
