"""The unit registry: canonical unit names, their kinds, and matching of loose names."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

KINDS = ("town", "subdistrict", "park", "department")

# Plan shorthand for groups of units, as the seed writes them.
GROUPS = {
    "各镇、街道、园区": ("town", "subdistrict", "park"),
    "各街道、园区": ("subdistrict", "park"),
}

_SUFFIXES = ("人民政府", "街道办事处", "办事处", "党工委", "管委会", "管理委员会", "（盖章）", "(盖章)", "盖章")
_SPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Fold width and remove spaces, so 湖坊 镇 and ＱＱ compare as typed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    reports: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        """Towns, subdistricts and the park keep rosters and pay benefits."""
        return self.kind in ("town", "subdistrict", "park")


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]
    _keys: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Place names units put before their own (江西省, 南昌市, the district, 中共…): stripped when matching.
    prefixes: tuple[str, ...] = ("中共",)

    @classmethod
    def build(cls, units: list[Unit], places: tuple[str, ...] = ()) -> "Registry":
        """Index every canonical name, alias and derived loose form; reject ambiguous ones."""
        keys: dict[str, str] = {}
        ambiguous: set[str] = set()
        for unit in units:
            for key in _derived_keys(unit):
                if key in keys and keys[key] != unit.name:
                    ambiguous.add(key)
                keys.setdefault(key, unit.name)
        for key in ambiguous:
            keys.pop(key, None)
        # Exact canonical names and declared aliases always win over derived forms.
        for unit in units:
            for key in (unit.name, *unit.aliases):
                keys[normalize_name(key)] = unit.name
        places = tuple(p for p in places if p)
        return cls(tuple(units), keys, (*places, *(f"中共{p}" for p in places), "中共"))

    def __iter__(self):
        return iter(self.units)

    def get(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)

    @property
    def reporting(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.reports)

    def of_kinds(self, kinds: tuple[str, ...]) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.kind in kinds)

    def match(self, text: object) -> Unit | None:
        """Return the unit a loosely written name denotes, or None when it is unknown."""
        if text is None:
            return None
        raw = normalize_name(text)
        if not raw:
            return None
        for candidate in _loose_forms(raw, self.prefixes):
            name = self._keys.get(candidate)
            if name:
                return self.get(name)
        return None


def _derived_keys(unit: Unit) -> set[str]:
    name = normalize_name(unit.name)
    keys = {name}
    if unit.kind == "department" and name.startswith("区") and len(name) > 2:
        keys.add(name[1:])
    if unit.kind == "town" and name.endswith("镇"):
        keys.add(name[:-1])
    if unit.kind == "subdistrict" and name.endswith("街道"):
        keys.add(name[:-2])
    if unit.kind == "park" and name.endswith("园区"):
        keys.add(name[:-2] + "区")
    return keys


def _loose_forms(raw: str, prefixes: tuple[str, ...]):
    """Yield the name, then the name without its place prefixes and office suffix."""
    yield raw
    text = raw
    for prefix in prefixes:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    yield text
    yield "区" + text


def find_unit_in(registry: Registry, text: str) -> Unit | None:
    """Return the unit whose name or alias appears inside free text such as a file name (longest wins)."""
    haystack = normalize_name(text)
    best: tuple[int, str] | None = None
    for key, name in registry._keys.items():
        if len(key) >= 2 and key in haystack and (best is None or len(key) > best[0]):
            best = (len(key), name)
    return registry.get(best[1]) if best else None


# How alike a written name and a known one must be to be offered as "the closest": 京冬镇 and 京东镇 are 0.67 alike.
_NEAR = 0.6


@lru_cache(maxsize=4096)
def closest_units(registry: Registry, text: str, limit: int = 3) -> tuple[str, ...]:
    """Return up to `limit` known units whose name or alias is close to a name no unit matched, closest first."""
    forms = [f for f in dict.fromkeys(_loose_forms(normalize_name(text), registry.prefixes)) if f]
    scores: dict[str, float] = {}
    for key, name in registry._keys.items():
        score = max((SequenceMatcher(None, form, key).ratio() for form in forms), default=0.0)
        if score >= _NEAR and score > scores.get(name, 0.0):
            scores[name] = score
    best = max(scores.values(), default=0.0)
    # Only names about as close as the best: a far second guess (区委 for 区卫建委) misleads more than it helps.
    return tuple(sorted((n for n in scores if scores[n] >= best - 0.05), key=lambda n: (-scores[n], n))[:limit])


def closest_hint(registry: Registry, text: str) -> str:
    """Return （最接近的是：京东镇） for an unknown unit name, or "" when no known unit is close."""
    near = closest_units(registry, text) if text else ()
    return f"（最接近的是：{'、'.join(near)}）" if near else ""
