"""The task-division matrix: 59 numbered tasks, each with lead and responsible units."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import read_toml
from .errors import StopRun
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
    """Read matrix.toml and expand unit groups through the registry."""
    path = Path(path)
    data = read_toml(path, "任务分工表", "请检查 config.toml 中 [paths] 的 matrix 一项。")
    measures = {int(k): str(v) for k, v in data.get("measures", {}).items()}
    tasks: dict[int, Task] = {}
    for group in data.get("group", []):
        lead = _expand(group.get("lead", []), registry, path)
        responsible = tuple(u for u in _expand(group.get("responsible", []), registry, path) if u not in lead)
        for number in _numbers(str(group["tasks"])):
            if number in tasks:
                raise StopRun(f"任务分工表 {path.name} 中第{number}条出现了两次，请只保留一处。")
            tasks[number] = Task(
                number=number,
                category=str(group["category"]),
                measure=measures.get(number, ""),
                lead=lead,
                responsible=responsible,
                responsible_text=" ".join(group.get("responsible", [])),
                note=str(group.get("note", "")),
            )
    expected = int(data.get("plan", {}).get("task_count", len(tasks)))
    gaps = [n for n in range(1, expected + 1) if n not in tasks]
    if gaps:
        raise StopRun(f"任务分工表 {path.name} 缺少第{'、'.join(map(str, gaps))}条，请补上。")
    plan = data.get("plan", {})
    return Matrix(tuple(tasks[n] for n in sorted(tasks)), str(plan.get("title", "")), str(plan.get("document", "")))


def _numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.replace("，", ",").split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            out.extend(range(int(lo), int(hi) + 1))
        elif part:
            out.append(int(part))
    return out


def _expand(names: list[str], registry: Registry, path: Path) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name in GROUPS:
            members = [u.name for u in registry.of_kinds(GROUPS[name])]
        else:
            unit = registry.match(name)
            if unit is None:
                raise StopRun(f"任务分工表 {path.name} 中的单位“{name}”不在 config.toml 的单位名录中，请补上。")
            members = [unit.name]
        out.extend(m for m in members if m not in out)
    return tuple(out)
