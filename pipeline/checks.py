"""Checks: small generators over one quarter's facts, each yielding findings. All are listed in CHECKS."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

import pandas as pd

from .benefits import Benefits
from .config import PARAMETER_LABELS, Config
from .findings import Finding, finding
from .ids import OK, birth_date, mask_id
from .matrix import Matrix
from .money import fmt, fmt_param
from .quarter import Quarter


@dataclass(frozen=True)
class Facts:
    quarter: Quarter
    matrix: Matrix
    config: Config
    benefits: Benefits


def _at(row: pd.Series, column: str) -> dict:
    return {"file": row["_file"], "sheet": row["_sheet"], "row": int(row["_row"]), "column": column}


def missing_submission(f: Facts) -> Iterator[Finding]:
    for unit in f.config.registry.reporting:
        if f.quarter.submission_of(unit.name) is None:
            yield finding("missing-submission", f"{unit.name}本季度未报送进展情况表。", unit=unit.name)


def late_submission(f: Facts) -> Iterator[Finding]:
    subs = f.quarter.submissions
    for s in subs[subs["chosen"]].itertuples():
        where = {"unit": s.unit, "file": s.file, "sheet": s.sheet, "column": "填报日期"}
        if s.reported_on is None or pd.isna(s.reported_on):
            yield finding("bad-value", "未找到填报日期，无法判断是否按时报送；请在表头上方写明“填报日期：2019年3月18日”。", **where)
        elif s.reported_on > f.quarter.deadline:
            days = (s.reported_on - f.quarter.deadline).days
            yield finding("late-submission", f"填报日期 {s.reported_on:%Y-%m-%d}，晚于报送截止日 {f.quarter.deadline:%Y-%m-%d}（逾期{days}天）。",
                          value=f"{s.reported_on:%Y-%m-%d}", **where)


def duplicate_submission(f: Facts) -> Iterator[Finding]:
    subs = f.quarter.submissions
    for s in subs[~subs["chosen"]].itertuples():
        yield finding("duplicate-submission", f"本季度收到{s.unit}多份进展情况表：已采用“{s.superseded_by}”（填报日期较晚），本份“{s.file}”未采用。",
                      unit=s.unit, file=s.file, sheet=s.sheet, value=str(s.reported_on or ""))


def missing_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    for s in f.quarter.submissions[f.quarter.submissions["chosen"]].itertuples():
        reported = set(p.loc[(p["unit"] == s.unit) & p["used"], "task"].dropna().astype(int))
        for task in f.matrix.tasks_of(s.unit):
            if task not in reported:
                role = "牵头" if s.unit in f.matrix.task(task).lead else "负责"
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
                      unit=row["unit"], value=row["task_text"], **_at(row, "任务编号"))


def duplicate_task(f: Facts) -> Iterator[Finding]:
    p = f.quarter.progress
    for _, row in p[p["superseded"]].iterrows():
        later = p[(p["unit"] == row["unit"]) & (p["task"] == row["task"]) & p["used"]]
        kept = int(later["_row"].iloc[0]) if len(later) else "后"
        yield finding("duplicate-task", f"第{int(row['task'])}条任务重复填报，已采用第{kept}行，本行未计入。",
                      unit=row["unit"], value=row["task_text"], **_at(row, "任务编号"))


def person_duplicate(f: Facts) -> Iterator[Finding]:
    r = f.quarter.roster
    if r.empty:
        return
    valid = r[(r["id_status"] == OK)]
    dup = valid[valid.duplicated("id_number", keep="first")]
    firsts = valid.drop_duplicates("id_number").set_index("id_number")
    for _, row in dup.iterrows():
        first = firsts.loc[row["id_number"]]
        yield finding("person-duplicate",
                      f"该身份证号码已在“{first['_file']}”第{int(first['_row'])}行（{first['unit']}）出现，同一人重复列入台账；本季度按列出的记录计发，请核实后删除重复记录。",
                      unit=row["unit"], value=mask_id(row["id_number"]), **_at(row, "公民身份号码"))


def income_above_standard(f: Facts) -> Iterator[Finding]:
    hh = f.benefits.households
    if hh.empty:
        return
    std = fmt_param(f.benefits.rates.params["dibao_standard"].value)
    rows = hh[hh["category"].isin(["低保", "支出型"]) & (hh["gap_monthly_fen"] <= 0) & (hh["months_active"] > 0)]
    for _, h in rows.iterrows():
        yield finding("income-above-standard",
                      f"{h['category']}家庭人均收入 {fmt(int(h['income_fen']))} 元{'（扣减刚性支出后）' if h['category'] == '支出型' else ''}不低于低保标准 {std} 元，差额为0。",
                      unit=h["unit"], file=h["_file"], sheet=h["_sheet"], row=int(h["_household_row"]),
                      column="家庭月人均收入", value=fmt(int(h["income_fen"])))


def zero_employment(f: Facts) -> Iterator[Finding]:
    r = f.quarter.roster
    if r.empty or "work_ability" not in r:
        return
    people = r[r["used"] & r["category"].isin(["低保", "支出型"])]
    able = people[people["work_ability"] == "有"]
    for key, group in able.groupby("household_key", sort=False):
        if (group["employment"] == "未就业").all():
            first = people[people["household_key"] == key].iloc[0]
            yield finding("zero-employment",
                          f"该户{'唯一有劳动能力的成员' if len(group) == 1 else f'有劳动能力的{len(group)}名成员均'}未就业，属零就业家庭（任务9要求至少1人就业）。",
                          unit=first["unit"], file=first["_file"], sheet=first["_sheet"],
                          row=int(first["_household_row"]), column="就业状况", value=f"户编号 {first['household_no']}")


_FLOOR_CHECKS = ("dibao_standard", "tekun_standard", "disability_living_allowance",
                 "severe_disability_care_allowance", "care_rate_full", "care_rate_partial")


def standard_below_floor(f: Facts) -> Iterator[Finding]:
    year = f.quarter.period.year
    params = f.benefits.rates.params
    where = {"file": f.config.path.name, "sheet": f"parameters.{year}"}
    for name in _FLOOR_CHECKS:
        floor = f.config.floor(year, name)
        if floor is not None and params[name].value < floor.value:
            yield finding("standard-below-floor",
                          f"{year}年{PARAMETER_LABELS[name]}配置为 {fmt_param(params[name].value)}，低于方案下限 {fmt_param(floor.value)}（{floor.source}）。",
                          column=name, value=fmt_param(params[name].value), **where)
    ratio = f.config.floor(year, "tekun_ratio")
    if ratio is not None:
        need = params["dibao_standard"].value * ratio.value
        if params["tekun_standard"].value < need:
            yield finding("standard-below-floor",
                          f"{year}年特困人员供养标准 {fmt_param(params['tekun_standard'].value)} 低于低保标准的{fmt_param(ratio.value)}倍（{fmt_param(need)}）。",
                          column="tekun_standard", value=fmt_param(params["tekun_standard"].value), **where)


def avg_subsidy_below_floor(f: Facts) -> Iterator[Finding]:
    avg = f.benefits.avg_subsidy_fen
    floor = f.config.floor(f.quarter.period.year, "avg_subsidy")
    if avg is not None and floor is not None and avg < int(floor.value * 100):
        yield finding("avg-subsidy-below-floor",
                      f"本季度人均补差 {fmt(avg)} 元，低于方案下限 {fmt_param(floor.value)} 元（{floor.source}）。",
                      value=fmt(avg))


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
    duplicate_task, person_duplicate, income_above_standard, zero_employment, standard_below_floor,
    avg_subsidy_below_floor, orphan_over_age,
)


def run_checks(facts: Facts) -> list[Finding]:
    """Run every check in CHECKS and collect their findings."""
    return [item for check in CHECKS for item in check(facts)]
