"""The task-division matrix: 59 numbered tasks, each with lead and responsible units."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .cells import _TASK_MAX as TASK_MAX  # the most a progress report's task number may be
from .config import read_toml
from .errors import StopRun
from .parameters import check_year
from .units import GROUPS, Registry


@dataclass(frozen=True)
class Task:
    number: int
    category: str
    measure: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    responsible_text: str
    note: str = ""

    @property
    def units(self) -> tuple[str, ...]:
        return self.lead + self.responsible


@dataclass(frozen=True)
class Matrix:
    tasks: tuple[Task, ...]
    title: str
    document: str

    def __len__(self) -> int:
        return len(self.tasks)

    def task(self, number: int) -> Task:
        return self.tasks[number - 1]

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(t.number for t in self.tasks)

    @property
    def categories(self) -> list[str]:
        seen: list[str] = []
        for t in self.tasks:
            if t.category not in seen:
                seen.append(t.category)
        return seen

    def assignments(self) -> pd.DataFrame:
        """Return one row per (task, unit) with the unit's role, lead taking precedence."""
        rows = [
            {"task": t.number, "unit": u, "role": "lead" if u in t.lead else "responsible"}
            for t in self.tasks
            for u in t.units
        ]
        return pd.DataFrame(rows, columns=["task", "unit", "role"])

    def tasks_of(self, unit: str) -> list[int]:
        return [t.number for t in self.tasks if unit in t.units]

    def frame(self) -> pd.DataFrame:
        """Return the matrix as a table, one row per task, for printing and export."""
        return pd.DataFrame(
            [
                {
                    "task": t.number,
                    "category": t.category,
                    "measure": t.measure,
                    "lead": "、".join(t.lead),
                    "responsible": "、".join(t.responsible),
                    "responsible_as_written": t.responsible_text,
                    "note": t.note,
                }
                for t in self.tasks
            ]
        )


def load_matrix(path: str | Path, registry: Registry) -> Matrix:
    """Read matrix.toml and expand unit groups through the registry; each task and each unit of a task appears once."""
    path = Path(path)
    data = read_toml(path, "任务分工表", "请检查 config.toml 中 [paths] 的 matrix 一项。")
    plan = data.get("plan", {})
    groups = data.get("group", [])
    if not isinstance(plan, dict) or not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise StopRun(f"任务分工表 {path.name} 须由 [plan] 和若干 [[group]] 组成，请按原样式改正。")
    if not groups:
        raise StopRun(f"任务分工表 {path.name} 中没有任何任务（[[group]]），请按分工方案补上每条任务及其牵头、责任单位。")
    expected = _task_count(plan, path)
    if "issued" in plan:
        check_year(_issued(plan["issued"], path).year, f"任务分工表 {path.name} 的 plan.issued")
    measures = _measures(data.get("measures", {}), path)
    tasks: dict[int, Task] = {}
    home: dict[int, str] = {}               # task number → the [[group]] tasks text that lists it
    for group in groups:
        spec = str(group.get("tasks", ""))
        where = f"[[group]] tasks = \"{spec}\""
        if not isinstance(group.get("category"), str) or not group["category"].strip():
            raise StopRun(f"任务分工表 {path.name} 中 {where} 缺少 category（类别），请补上。")
        lead = _expand(group.get("lead", []), registry, path, f"{where} 的 lead")
        responsible = tuple(u for u in _expand(group.get("responsible", []), registry, path, f"{where} 的 responsible")
                            if u not in lead)   # a unit both lead and responsible counts as lead (task 38 does this)
        if not lead and not responsible:
            raise StopRun(f"任务分工表 {path.name} 中 {where} 没有列出任何牵头单位或责任单位，请按分工方案补上。")
        for number in _numbers(spec, path, where):
            if number in tasks:
                raise StopRun(f"任务分工表 {path.name} 中第{number}条既在 tasks = \"{home[number]}\" 又在 tasks = \"{spec}\" 中，"
                              "每条任务只能列一处，请删去其中一处。")
            if expected is not None and number > expected:
                raise StopRun(f"任务分工表 {path.name} 中 {where} 的第{number}条超出 [plan] task_count = {expected}，"
                              "请改正任务编号或 task_count。")
            home[number] = spec
            tasks[number] = Task(
                number=number,
                category=group["category"].strip(),
                measure=measures.get(number, ""),
                lead=lead,
                responsible=responsible,
                responsible_text=" ".join(map(str, group.get("responsible", []))),
                note=str(group.get("note", "")),
            )
    gaps = [n for n in range(1, (expected or max(tasks)) + 1) if n not in tasks]
    if gaps:
        raise StopRun(f"任务分工表 {path.name} 缺少第{'、'.join(map(str, gaps))}条，请补上。")
    return Matrix(tuple(tasks[n] for n in sorted(tasks)), str(plan.get("title", "")), str(plan.get("document", "")))


def _task_count(plan: dict, path: Path) -> int | None:
    """Return [plan] task_count, or None when absent: a whole number no larger than a report's task number may be."""
    count = plan.get("task_count")
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= TASK_MAX:
        raise StopRun(f"任务分工表 {path.name} 的 plan.task_count 须为 1 到 {TASK_MAX} 之间的整数（方案的任务条数），"
                      f"现为“{count}”，请改正。")
    return count


def _issued(value: object, path: Path) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StopRun(f"任务分工表 {path.name} 的 plan.issued 不是有效日期，请写成 \"2019-03-30\"。") from None


def _measures(table: object, path: Path) -> dict[int, str]:
    if not isinstance(table, dict) or not all(str(k).isdigit() for k in table):
        raise StopRun(f"任务分工表 {path.name} 的 [measures] 须按任务编号写成 1 = \"政策措施原文\"，请改正。")
    return {int(k): str(v) for k, v in table.items()}


def _numbers(spec: str, path: Path, where: str) -> list[int]:
    """Read a task list such as "1-8" or "9, 11-12"; stop naming the group when it is not one."""
    out: list[int] = []
    try:
        for part in spec.replace("，", ",").replace("–", "-").split(","):
            part = part.strip()
            lo, _, hi = part.partition("-")
            if part:
                first, last = int(lo), int(hi or lo)
                if not 1 <= first <= last <= TASK_MAX:
                    raise ValueError(part)
                out.extend(range(first, last + 1))
    except ValueError:
        out = []
    if not out:
        raise StopRun(f"任务分工表 {path.name} 中 {where} 不是任务编号（1 到 {TASK_MAX} 之间），"
                      "请写成如 \"1-8\" 或 \"9, 11-12\"。")
    return out


def _expand(names: object, registry: Registry, path: Path, where: str) -> tuple[str, ...]:
    """Resolve a lead or responsible list to canonical units; a unit named twice (directly or by a group) stops."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise StopRun(f"任务分工表 {path.name} 中 {where} 须为单位名称列表，请改正。")
    out: list[str] = []
    for name in names:
        if name in GROUPS:
            members = [u.name for u in registry.of_kinds(GROUPS[name])]
        else:
            unit = registry.match(name)
            if unit is None:
                raise StopRun(f"任务分工表 {path.name} 中的单位“{name}”不在 config.toml 的单位名录中，请补上。")
            members = [unit.name]
        for member in members:
            if member in out:
                raise StopRun(f"任务分工表 {path.name} 中 {where} 把“{member}”列了两次（其中一处写作“{name}”），"
                              "请只保留一处。")
            out.append(member)
    return tuple(out)
