"""Load config.toml: paths, dated policy parameters, the plan's floors, vocabulary and units."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import StopRun
from .units import KINDS, Registry, Unit

# Chinese names of the parameters, for messages and reports.
PARAMETER_LABELS = {
    "dibao_standard": "城镇低保标准",
    "avg_subsidy": "人均补差标准",
    "tekun_standard": "特困人员供养标准",
    "tekun_ratio": "特困供养标准与低保标准之比",
    "disability_living_allowance": "困难残疾人生活补贴",
    "severe_disability_care_allowance": "重度残疾人护理补贴",
    "min_wage": "最低工资标准",
    "care_rate_full": "全失能照料护理费比例",
    "care_rate_partial": "半失能照料护理费比例",
}

CANONICAL_STATUSES = ("已完成", "推进中", "未启动")


@dataclass(frozen=True)
class Param:
    """One dated policy value with the document it comes from."""

    name: str
    year: int
    value: Decimal
    source: str
    effective: date | None = None

    @property
    def label(self) -> str:
        return PARAMETER_LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class Config:
    path: Path
    paths: dict[str, Path]
    office: dict[str, str]
    deadline_month: int
    deadline_day: int
    deadline_source: str
    floors: dict[int, dict[str, Param]]
    parameters: dict[int, dict[str, Param]]
    status_words: dict[str, str]
    schedule_tolerance: float
    red_share: float
    yellow_share: float
    no_problem_words: frozenset[str]
    registry: Registry
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def params(self, year: int, names: tuple[str, ...]) -> dict[str, Param]:
        """Return the named parameters of `year`; stop the run naming any that are missing."""
        table = self.parameters.get(year, {})
        missing = [n for n in names if n not in table]
        if missing:
            labels = "、".join(f"{PARAMETER_LABELS.get(n, n)}（{n}）" for n in missing)
            raise StopRun(
                f"配置文件 {self.path.name} 缺少 {year} 年的参数：{labels}，"
                f"请在 [parameters.{year}] 中按文件依据填写后再运行。"
            )
        return {n: table[n] for n in names}

    def floor(self, year: int, name: str) -> Param | None:
        return self.floors.get(year, {}).get(name)


def read_toml(path: Path, label: str, missing_hint: str) -> dict:
    """Read a TOML file the run depends on; stop with a plain sentence when it is absent or malformed."""
    if not path.is_file():
        raise StopRun(f"找不到{label} {path}，{missing_hint}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StopRun(f"{label} {path.name} 格式有误（{exc}），请按 TOML 格式改正。") from exc


def load_config(path: str | Path) -> Config:
    """Read and validate config.toml; stop the run with a plain sentence if it is unusable."""
    path = Path(path)
    data = read_toml(path, "配置文件", "请在项目目录下运行，或用 --config 指定配置文件。")
    base = path.resolve().parent
    paths = {k: (base / v) for k, v in data.get("paths", {}).items()}
    for key in ("matrix", "templates"):
        if key not in paths:
            raise StopRun(f"配置文件 {path.name} 的 [paths] 缺少 {key}，请补上。")
    deadline = data.get("deadline", {})
    lights = data.get("lights", {})
    return Config(
        path=path,
        paths=paths,
        office={k: str(v) for k, v in data.get("office", {}).items()},
        deadline_month=int(deadline.get("month_of_quarter", 3)),
        deadline_day=int(deadline.get("day", 20)),
        deadline_source=str(deadline.get("source", "")),
        floors=_params(data.get("plan_floors", {}), path, "plan_floors"),
        parameters=_params(data.get("parameters", {}), path, "parameters"),
        status_words=_status_words(data.get("status_words", {}), path),
        schedule_tolerance=float(lights.get("schedule_tolerance_points", 25)),
        red_share=float(lights.get("red_share", 0.5)),
        yellow_share=float(lights.get("yellow_share", 0.25)),
        no_problem_words=frozenset(str(w) for w in lights.get("no_problem_words", ["无"])),
        registry=_registry(data.get("units", []), path),
        raw=data,
    )


def _params(tables: dict, path: Path, section: str) -> dict[int, dict[str, Param]]:
    out: dict[int, dict[str, Param]] = {}
    for year_text, table in tables.items():
        try:
            year = int(year_text)
        except ValueError:
            raise StopRun(f"配置文件 {path.name} 的 [{section}.{year_text}] 不是年份，请改为如 [{section}.2019]。")
        out[year] = {}
        for name, spec in table.items():
            if not isinstance(spec, dict) or "value" not in spec or not spec.get("source"):
                raise StopRun(
                    f"配置文件 {path.name} 的 {section}.{year}.{name} 须写成 "
                    f"{{ value = …, source = \"文件依据\" }}，请补上数值和依据。"
                )
            try:
                value = Decimal(str(spec["value"]))
            except InvalidOperation:
                raise StopRun(f"配置文件 {path.name} 的 {section}.{year}.{name} 不是数字，请改正。")
            effective = spec.get("effective")
            if isinstance(effective, str):
                effective = date.fromisoformat(effective)
            out[year][name] = Param(name, year, value, str(spec["source"]), effective)
    return out


def _status_words(table: dict, path: Path) -> dict[str, str]:
    words: dict[str, str] = {}
    for status, variants in table.items():
        if status not in CANONICAL_STATUSES:
            raise StopRun(
                f"配置文件 {path.name} 的 [status_words] 中“{status}”不是标准状态，"
                f"只能是{'、'.join(CANONICAL_STATUSES)}之一。"
            )
        for word in [status, *variants]:
            words[str(word).strip()] = status
    for status in CANONICAL_STATUSES:
        words.setdefault(status, status)
    return words


def _registry(entries: list, path: Path) -> Registry:
    if not entries:
        raise StopRun(f"配置文件 {path.name} 没有单位名录（[[units]]），请补上。")
    units = []
    for entry in entries:
        kind = entry.get("kind")
        if kind not in KINDS or not entry.get("name"):
            raise StopRun(f"配置文件 {path.name} 中单位“{entry.get('name', '?')}”的 kind 须为 {'/'.join(KINDS)}。")
        units.append(Unit(str(entry["name"]), kind, bool(entry.get("reports", True)), tuple(entry.get("aliases", ()))))
    return Registry.build(units)
