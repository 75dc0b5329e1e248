"""Load config.toml: paths, the office, the deadline rule, dated parameters, vocabulary, lights, units, scoring."""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from . import parameters as params_mod
from .errors import StopRun
from .parameters import Parameters, check_year
from .period import Period
from .reader.limits import LIMITS, SETTINGS, Limits
from .resources import templates_dir
from .scoring import Method, parse_method
from .units import KINDS, Registry, Unit, normalize_name
from .vocab import Status


@dataclass(frozen=True)
class Office:
    """The issuing office, as documents name it."""

    district: str
    name: str
    short_name: str
    city: str = ""


@dataclass(frozen=True)
class Deadline:
    """When a quarter's progress report is due: day `day` of the quarter's `month_of_quarter`-th month (inclusive)."""

    month_of_quarter: int
    day: int
    source: str

    def of(self, period: Period) -> date:
        """Return the last on-time reporting date of the quarter."""
        return date(period.year, period.months[self.month_of_quarter - 1], self.day)

    @property
    def text(self) -> str:
        """Say the rule in words: 每季度末月20日前."""
        month = "末月" if self.month_of_quarter == 3 else f"第{self.month_of_quarter}个月"
        return f"每季度{month}{self.day}日前"


@dataclass(frozen=True)
class LightRules:
    """The traffic-light rule's settings (see lights.py)."""

    schedule_per_quarter: float     # percentage points of progress expected per quarter
    tolerance: float                # points behind schedule before a cell turns yellow
    red_share: float
    yellow_share: float
    no_problem_words: frozenset[str]

    def expected(self, quarter: int) -> float:
        """Return the progress (0–100) a task in progress should have reached by the end of the quarter."""
        return min(100.0, self.schedule_per_quarter * quarter)


@dataclass(frozen=True)
class Imprint:
    """The 版记 of a 公文: 抄送 units, the 印发机关 and the 印发日期 (None leaves a blank to fill in)."""

    copy_to: tuple[str, ...] = ()
    printed_by: str = ""
    printed_on: date | None = None


@dataclass(frozen=True)
class Issue:
    """How one document goes out: its 发文字号 number and 成文日期, each None until the office gives it, and its 版记
    (None: the office configured none, so the document has no 版记)."""

    number: int | None = None
    date: date | None = None
    imprint: Imprint | None = None


@dataclass(frozen=True)
class CacheSettings:
    """How much of the parse cache (output/.cache) to keep: what the last `runs_kept` runs used, at most `max_mb`."""

    runs_kept: int = 3
    max_mb: int = 512


@dataclass(frozen=True)
class Config:
    path: Path
    paths: dict[str, Path]
    office: Office
    deadline: Deadline
    parameters: Parameters
    status_words: dict[str, Status]
    lights: LightRules
    registry: Registry
    assessment: Method | None
    documents: dict[str, Issue] = field(default_factory=dict)    # by period key: 2019Q2, 2019H1, 2019
    imprint: Imprint | None = None      # [documents] copy_to and printed_by: the 版记 of every numbered document
    limits: Limits = LIMITS
    changes_share: float = 0.2          # a household's monthly amount changing by more than this share is listed
    mask_person_detail: bool = False
    link_key: str = ""                   # [privacy] link_key: the city-wide key of the Parquet detail's person_key
    cache: CacheSettings = CacheSettings()


def read_toml(path: Path, label: str, missing_hint: str) -> dict:
    """Read a TOML file the run depends on; stop with a plain sentence when it is absent or malformed."""
    if not path.is_file():
        raise StopRun(f"找不到{label} {path}，{missing_hint}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StopRun(f"{label} {path.name} 格式有误（{exc}），请按 TOML 格式改正。") from exc


def load_config(path: str | Path) -> Config:
    """Read and validate config.toml; stop the run with a sentence naming the key when anything is unusable."""
    path = Path(path)
    data = read_toml(path, "配置文件", "请在工作文件夹中运行，或用 --dir 指定工作文件夹；"
                                            "还没有工作文件夹的，先用 jiekun init 新建一个。")
    name = path.name
    base = path.resolve().parent
    paths = {k: (base / _text(_table(data, "paths", name), k, "paths", name)) for k in _table(data, "paths", name)}
    if "matrix" not in paths:
        raise StopRun(f"配置文件 {name} 的 [paths] 缺少 matrix，请补上。")
    paths.setdefault("templates", templates_dir())
    office = _table(data, "office", name)
    district = str(office.get("district", ""))
    privacy = _table(data, "privacy", name)
    return Config(
        path=path,
        paths=paths,
        office=Office(district, str(office.get("name", f"{district}城镇贫困群众脱贫解困工作领导小组办公室")),
                      str(office.get("short_name", "")), str(office.get("city", ""))),
        deadline=_deadline(_table(data, "deadline", name), name),
        parameters=params_mod.load(_table(data, "parameters", name), _table(data, "plan_floors", name), name),
        status_words=_status_words(_table(data, "status_words", name), name),
        lights=_lights(_table(data, "lights", name), name),
        registry=_registry(data.get("units", []), name, (str(office.get("province", "")), str(office.get("city", "")),
                                                         district)),
        assessment=parse_method(data["assessment"], name) if "assessment" in data else None,
        documents=_documents(_table(data, "documents", name), name),
        imprint=_imprint(_table(data, "documents", name), name),
        limits=_limits(_table(data, "limits", name), name),
        changes_share=_number(_table(data, "changes", name), "payment_share", "changes", name, 0.2, high=10),
        mask_person_detail=_flag(privacy, "mask_person_detail", "privacy", name),
        link_key=_text(privacy, "link_key", "privacy", name),
        cache=_cache(_table(data, "cache", name), name),
    )


def _table(data: dict, key: str, name: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise StopRun(f"配置文件 {name} 的 {key} 须是一节 [{key}]，请改正。")
    return value


def _number(table: dict, key: str, section: str, name: str, default: float, *, low: float = 0,
            high: float = math.inf) -> float:
    """Read a number in [low, high]; stop naming the key when it is not one."""
    value = table.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not low <= value <= high):
        bounds = f"{low:g} 到 {high:g} 之间的数" if math.isfinite(high) else f"不小于 {low:g} 的数"
        raise StopRun(f"配置文件 {name} 的 {section}.{key} 须为{bounds}，现为“{value}”，请改正。")
    return float(value)


def _text(table: dict, key: str, section: str, name: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise StopRun(f"配置文件 {name} 的 {section}.{key} 须为文字，请改正。")
    return value


def _flag(table: dict, key: str, section: str, name: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise StopRun(f"配置文件 {name} 的 {section}.{key} 须为 true 或 false，请改正。")
    return value


def _deadline(table: dict, name: str) -> Deadline:
    month = _number(table, "month_of_quarter", "deadline", name, 3, low=1, high=3)
    day = _number(table, "day", "deadline", name, 20, low=1, high=31)
    if not (month.is_integer() and day.is_integer()):
        raise StopRun(f"配置文件 {name} 的 [deadline] 中月份和日期须为整数，请改正。")
    deadline = Deadline(int(month), int(day), str(table.get("source", "")))
    for q in range(1, 5):
        try:
            deadline.of(Period(2019, q))
        except ValueError:
            raise StopRun(f"配置文件 {name} 的 [deadline] 在第{q}季度不是有效日期（该月没有{int(day)}日），请改正。") from None
    return deadline


def _lights(table: dict, name: str) -> LightRules:
    words = table.get("no_problem_words", ["无"])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise StopRun(f"配置文件 {name} 的 lights.no_problem_words 须为文字列表，如 [\"无\", \"暂无\"]，请改正。")
    shares = {key: _number(table, key, "lights", name, default, high=1)
              for key, default in (("red_share", 0.5), ("yellow_share", 0.25))}
    for key, color in (("red_share", "红灯"), ("yellow_share", "黄灯")):
        if shares[key] == 0:
            # A task turns red (yellow) when at least this share of its units is: at 0 every task would, reported
            # or not.
            raise StopRun(f"配置文件 {name} 的 lights.{key} 须大于 0（为 0 时每项任务都亮{color}），请改正。")
    return LightRules(
        schedule_per_quarter=_number(table, "schedule_points_per_quarter", "lights", name, 25, high=100),
        tolerance=_number(table, "schedule_tolerance_points", "lights", name, 25, high=100),
        red_share=shares["red_share"],
        yellow_share=shares["yellow_share"],
        no_problem_words=frozenset(w.strip() for w in words),
    )


def _limits(table: dict, name: str) -> Limits:
    """Read [limits]: what reading one file may cost, each a whole number within its range (see SETTINGS)."""
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise StopRun(f"配置文件 {name} 的 [limits] 中 {'、'.join(unknown)} 不是可设置的上限，只能是 {'、'.join(SETTINGS)}，请改正。")
    values = {}
    for key, value in table.items():
        s = SETTINGS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not s.low <= value <= s.high:
            raise StopRun(f"配置文件 {name} 的 limits.{key} 须为 {s.low} 到 {s.high} 之间的整数（{s.unit}），现为“{value}”，"
                          "请改正或删去这一行用默认值。")
        values[s.field] = type(getattr(LIMITS, s.field))(value * s.scale)
    return replace(LIMITS, **values)


def _cache(table: dict, name: str) -> CacheSettings:
    """Read [cache]: runs_kept and max_mb, each a positive whole number."""
    unknown = sorted(set(table) - {"runs_kept", "max_mb"})
    if unknown:
        raise StopRun(f"配置文件 {name} 的 [cache] 中 {'、'.join(unknown)} 不是可设置的项，只能是 runs_kept、max_mb，请改正。")
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise StopRun(f"配置文件 {name} 的 cache.{key} 须为正整数，现为“{value}”，请改正。")
    return CacheSettings(**table)


IMPRINT_KEYS = ("copy_to", "printed_by")


def _imprint(table: dict, name: str) -> Imprint | None:
    """Read the 版记 of [documents]: copy_to = ["区委办公室"], printed_by = "…办公室"; None when neither is given."""
    copy_to = table.get("copy_to", [])
    if not isinstance(copy_to, list) or not all(isinstance(u, str) and u.strip() for u in copy_to):
        raise StopRun(f"配置文件 {name} 的 documents.copy_to 须写成 [\"区委办公室\", \"区政府办公室\"]（抄送单位），请改正。")
    printed_by = _text(table, "printed_by", "documents", name).strip()
    if not copy_to and not printed_by:
        return None
    return Imprint(tuple(u.strip() for u in copy_to), printed_by)


def _documents(table: dict, name: str) -> dict[str, Issue]:
    """Read [documents]: "2019H1" = { number = 3, date = 2019-07-05, printed = 2019-07-06 }, keyed by quarter,
    half-year or year; each carries the 版记, with the 印发日期 when one is given."""
    out = {}
    imprint = _imprint(table, name)
    for key, spec in table.items():
        if key in IMPRINT_KEYS:
            continue
        where = f"documents.{key}"
        if not isinstance(spec, dict) or set(spec) - {"number", "date", "printed"}:
            raise StopRun(f"配置文件 {name} 的 {where} 须写成 {{ number = 3, date = 2019-07-05 }}，请改正。")
        if not (Period.try_parse(key) or _half(key) or (len(key) == 4 and key.isdigit())):
            raise StopRun(f"配置文件 {name} 的 {where} 不是季度、半年或年份（如 2019Q2、2019H1、2019），请改正。")
        check_year(int(key[:4]), f"配置文件 {name} 的 {where}", "年份")
        number = spec.get("number")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 9999):
            raise StopRun(f"配置文件 {name} 的 {where}.number 须为 1 到 9999 之间的整数（文号中的序号），"
                          f"现为“{number}”，请改正。")
        issued = _issue_date(spec.get("date"), f"{where}.date", name)
        if issued is not None:
            check_year(issued.year, f"配置文件 {name} 的 {where}.date")
        printed = _issue_date(spec.get("printed"), f"{where}.printed", name)
        if printed is not None:
            check_year(printed.year, f"配置文件 {name} 的 {where}.printed")
        if printed is not None and imprint is None:
            raise StopRun(f"配置文件 {name} 的 {where}.printed 是版记的印发日期，须同时在 [documents] 写明 printed_by"
                          "（印发机关），请补上。")
        out[key] = Issue(number, issued, imprint and replace(imprint, printed_on=printed))
    return out


def _half(key: str) -> bool:
    return len(key) == 6 and key[:4].isdigit() and key[4:] in ("H1", "H2")


def _issue_date(value: object, where: str, name: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StopRun(f"配置文件 {name} 的 {where} 不是有效日期，请写成 2019-07-05。") from None


def _status_words(table: dict, name: str) -> dict[str, Status]:
    """Map every word units write to its status; a word may belong to one status only (each status to itself)."""
    canonical = {s.value: s for s in Status}
    words: dict[str, Status] = dict(canonical)
    for status, variants in table.items():
        if status not in canonical:
            raise StopRun(f"配置文件 {name} 的 [status_words] 中“{status}”不是标准状态，"
                          f"只能是{'、'.join(canonical)}之一。")
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise StopRun(f"配置文件 {name} 的 status_words.{status} 须为文字列表，请改正。")
        for word in (v.strip() for v in variants):
            if not word:
                raise StopRun(f"配置文件 {name} 的 status_words.{status} 中有空白的用语，请删去。")
            if words.setdefault(word, canonical[status]) != canonical[status]:
                raise StopRun(f"配置文件 {name} 的 [status_words] 中“{word}”同时列在“{words[word].value}”和“{status}”之下，"
                              "一个用语只能对应一种状态，请删去其中一处。")
    return words


def _registry(entries: list, name: str, places: tuple[str, ...]) -> Registry:
    """Read [[units]]; every name and alias must denote one unit only."""
    if not isinstance(entries, list) or not entries:
        raise StopRun(f"配置文件 {name} 没有单位名录（[[units]]），请补上。")
    units = []
    owner: dict[str, str] = {}          # normalized name or alias → the unit it denotes
    for entry in entries:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in KINDS or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            shown = entry.get("name", "?") if isinstance(entry, dict) else entry
            raise StopRun(f"配置文件 {name} 中单位“{shown}”的 kind 须为 {'/'.join(KINDS)}，name 须为文字。")
        unit = entry["name"].strip()
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise StopRun(f"配置文件 {name} 的 [[units]] 中“{unit}”的 aliases 须为文字列表，请改正。")
        reports = entry.get("reports", True)
        if not isinstance(reports, bool):
            raise StopRun(f"配置文件 {name} 的 [[units]] 中“{unit}”的 reports 须为 true 或 false，请改正。")
        if normalize_name(unit) in owner and owner[normalize_name(unit)] == unit:
            raise StopRun(f"配置文件 {name} 的 [[units]] 中“{unit}”出现了两次，请只保留一处。")
        for key in dict.fromkeys([unit, *aliases]):
            other = owner.setdefault(normalize_name(key), unit)
            if other != unit:
                raise StopRun(f"配置文件 {name} 的 [[units]] 中“{key}”既是“{other}”又是“{unit}”的名称或别名，"
                              "请只留给其中一个单位。")
        units.append(Unit(unit, kind, reports, tuple(aliases)))
    return Registry.build(units, places)
