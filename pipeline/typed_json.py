"""Frozen dataclasses to JSON and back: one declaration writes a document and reads it, refusing what is off it.

A field's annotation says what its JSON value is: `Fen` money in fen, written in yuan with two decimals; `Count` a
whole number, not negative; `Name` and `Label` a bounded text (a name must not be blank); `Code` a finding code; plain
`str`, `float` and `bool`; `date` and `Period` as text; a `StrEnum` as its value; `tuple[X, ...]` a list; `dict[K, V]`
an object; `X | None` may be null; a dataclass an object of its own fields. A field without a default must be in the
document; one with a default may be absent (it is newer than the contract) and reads as its default. `key` names a
field's JSON key when it differs (a Python keyword, money held in fen); `OMIT` leaves a field out while it holds its
default. Reading walks the same fields, so a value of the wrong kind is refused with one sentence naming its path.
"""
from __future__ import annotations

import dataclasses
import json
import re
import types
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from .errors import StopRun
from .money import fmt_grouped, yuan
from .period import Period

Fen = Annotated[int, "fen"]
Count = Annotated[int, "count"]
Name = Annotated[str, "name"]
Label = Annotated[str, "label"]
Code = Annotated[str, "code"]

OMIT = {"omit": True}
# A list as long as the district's quarter (households, inputs): bounded by the file's size, not MAX_ENTRIES.
LONG = {"long": True}

# Far above any district's quarter, and low enough that the city's sums stay exact in int64 fen and in a float.
MAX_YUAN = Decimal(10) ** 12
MAX_COUNT = 10 ** 9
MAX_TEXT = 200                  # names and labels; a longer one would swamp the city's tables
MAX_ENTRIES = 10_000            # a district lists tens of units, 59 tasks, a few dozen codes
CENT = Decimal("0.01")
_PERIOD = re.compile(r"\d{4}Q[1-4]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def key(name: str) -> Any:
    """Declare a field written under the JSON key `name`."""
    return dataclasses.field(metadata={"key": name})


def keys_are(what: str) -> dict:
    """Say, for an object's keys that must be an enum's values, what they are in a clerk's words (完成状态)."""
    return {"keys": what}


# --- writing ----------------------------------------------------------------------------------------------------

def encode(value: object, hint: object = None) -> object:
    """Return the JSON value of `value`, read as its annotation `hint` says (a dataclass needs none)."""
    if value is None:
        return None
    if isinstance(value, Period):       # a dataclass, written as its text
        return str(value)
    if dataclasses.is_dataclass(value):
        out = {}
        for f, json_key, field_hint in _fields(type(value)):
            v = getattr(value, f.name)
            if not (f.metadata.get("omit") and v == f.default):
                out[json_key] = encode(v, field_hint)
        return out
    base, marker, _ = _parts(hint)
    if marker == "fen":
        return yuan(value)
    origin = get_origin(base)
    if origin is tuple:
        return [encode(v, get_args(base)[0]) for v in value]
    if origin is dict:
        return {_key_text(k): encode(v, get_args(base)[1]) for k, v in value.items()}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def dumps(value: object) -> str:
    """Return the document as jiekun writes JSON: UTF-8 text as is, two-space indent, a final newline."""
    return json.dumps(encode(value), ensure_ascii=False, indent=2) + "\n"


def _key_text(k: object) -> str:
    return k.value if isinstance(k, StrEnum) else str(k)


@cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field, str, object], ...]:
    hints = get_type_hints(cls, include_extras=True)
    return tuple((f, f.metadata.get("key", f.name), hints[f.name]) for f in dataclasses.fields(cls))


def _parts(hint: object) -> tuple[object, str | None, bool]:
    """Split an annotation into its type, its marker (fen, count…) and whether it may be null."""
    nullable = False
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        nullable, hint = len(args) < len(get_args(hint)), args[0]
    if get_origin(hint) is Annotated:
        base, marker = get_args(hint)
        return base, marker, nullable
    return hint, None, nullable


# --- reading ----------------------------------------------------------------------------------------------------

class Constant:
    """A NaN or Infinity literal, kept as written so that the field holding it can be named."""

    def __init__(self, text: str):
        self.text = text


class _Object(dict):
    """A JSON object that remembers the first key written twice (readers would disagree on which value counts)."""

    duplicate: str | None = None


def object_pairs(pairs: list[tuple[str, object]]) -> _Object:
    """Build a JSON object, noting a key written twice (json.loads' object_pairs_hook)."""
    obj = _Object()
    for k, value in pairs:
        if k in obj and obj.duplicate is None:
            obj.duplicate = k
        obj[k] = value
    return obj


def shown(value: object, limit: int = 40) -> str:
    """Quote a value for a message: JSON-escaped, so control characters stay visible, and cut short."""
    if isinstance(value, Constant):
        return value.text
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        text = text[1:-1]
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"“{text}”" if isinstance(value, str) else text


def described(value: object) -> str:
    """Say what a JSON value is, in the words of a clerk: 文字 "12", 列表, true."""
    if value is None:
        return "null（空值）"
    if isinstance(value, bool):
        return f"真假值 {shown(value)}"
    if isinstance(value, Constant):
        return f"{value.text}（不是有效数字）"
    if isinstance(value, str):
        return f"文字 {shown(value)}"
    if isinstance(value, list):
        return f"列表（{len(value)}项）"
    if isinstance(value, dict):
        return "对象"
    return f"数字 {shown(value)}"


class Node:
    """One value of a document and the field path that reached it; its readers refuse anything off the schema.

    `refusal(problem)` makes the sentence that stops the run, e.g. naming the file the document came from.
    """

    def __init__(self, value: object, path: str, refusal: Callable[[str], StopRun]):
        self.value, self.path, self.refusal = value, path, refusal

    def refuse(self, problem: str) -> StopRun:
        return self.refusal(f"中 {self.path} {problem}")

    def _expect(self, what: str) -> StopRun:
        return self.refuse(f"应是{what}，却是{described(self.value)}")

    def members(self) -> dict:
        if not isinstance(self.value, dict):
            raise self._expect("对象")
        if getattr(self.value, "duplicate", None) is not None:
            raise self.child(self.value.duplicate, None).refuse("写了两次，无法确定该用哪一个")
        return self.value

    def child(self, name: str, value: object) -> Node:
        label = name if name.isprintable() and len(name) <= 40 else shown(name)
        return Node(value, f"{self.path}.{label}" if self.path else label, self.refusal)

    def field(self, name: str) -> Node:
        obj = self.members()
        if name not in obj:
            raise self.child(name, None).refuse("缺失")
        return self.child(name, obj[name])

    def entries(self, long: bool = False) -> list[tuple[str, Node]]:
        return [(k, self.child(k, value)) for k, value in self._bounded(self.members(), long).items()]

    def elements(self, long: bool = False) -> list[Node]:
        if not isinstance(self.value, list):
            raise self._expect("列表")
        return [Node(v, f"{self.path}[{i}]", self.refusal) for i, v in enumerate(self._bounded(self.value, long))]

    def _bounded(self, value: dict | list, long: bool) -> dict | list:
        if not long and len(value) > MAX_ENTRIES:
            raise self.refuse(f"有 {len(value)} 项，超出合理范围")
        return value

    def text(self, *, blank: bool = True, bounded: bool = True) -> str:
        if not isinstance(self.value, str):
            raise self._expect("文字")
        if not blank and not self.value.strip():
            raise self.refuse("为空")
        if bounded and len(self.value) > MAX_TEXT:
            raise self.refuse(f"有 {len(self.value)} 个字符，过长")
        return self.value

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self._expect("true 或 false")
        return self.value

    def count(self) -> int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._expect("整数")
        if value < 0:
            raise self.refuse(f"为负数（{value}）")
        if value > MAX_COUNT:
            raise self.refuse(f"为 {value}，超出合理范围")
        return value

    def number(self) -> float:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self._expect("数字")
        return float(value)

    def fen(self) -> int:
        """Return a money amount in fen: a JSON number, not negative, with at most two decimals."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self._expect("金额（数字）")
        amount = Decimal(value)
        if abs(amount) > MAX_YUAN:
            raise self.refuse(f"为 {shown(value)}，超出合理范围")
        # Compared exactly: the quantized amount has at most 15 digits, within Decimal's precision.
        if amount != amount.quantize(CENT):
            raise self.refuse(f"为 {shown(value)}，金额最多两位小数")
        fen = int(amount * 100)
        if fen < 0:
            raise self.refuse(f"为负数（{fmt_grouped(fen)}）")
        return fen

    def day(self) -> date:
        text = self.text()
        if _DAY.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:      # 2019-02-30
                pass
        raise self.refuse(f"为 {shown(text)}，不是 2019-03-18 这样的日期")

    def period(self) -> Period:
        text = self.text()
        if not _PERIOD.fullmatch(text):
            raise self.refuse(f"为 {shown(text)}，不是 2019Q1 这样的季度")
        return Period.parse(text)

    def one_of(self, enum: type[StrEnum]) -> StrEnum:
        text = self.text()
        try:
            return enum(text)
        except ValueError:
            raise self.refuse(f"为 {shown(text)}，只能是 {'、'.join(e.value for e in enum)} 之一") from None


def decode(node: Node, hint: object, meta: Mapping = types.MappingProxyType({})) -> Any:
    """Read `node` as its annotation `hint` (and its field's metadata) say, refusing the first value off them."""
    base, marker, nullable = _parts(hint)
    if nullable and node.value is None:
        return None
    if dataclasses.is_dataclass(base) and base is not Period:
        return _instance(node, base)
    origin = get_origin(base)
    if origin is tuple:
        return tuple(decode(n, get_args(base)[0]) for n in node.elements(bool(meta.get("long"))))
    if origin is dict:
        key_hint, value_hint = get_args(base)
        return {_key(n, k, key_hint, meta): decode(n, value_hint) for k, n in node.entries(bool(meta.get("long")))}
    reader = _READERS.get(marker) or _READERS.get(base)
    if reader is not None:
        return reader(node)
    if isinstance(base, type) and issubclass(base, StrEnum):
        return node.one_of(base)
    raise TypeError(f"typed_json cannot read {hint!r}")     # a model annotated with a kind this module lacks


def _instance(node: Node, cls: type) -> Any:
    obj = node.members()
    values = {}
    for f, json_key, hint in _fields(cls):
        if json_key in obj:
            values[f.name] = decode(node.child(json_key, obj[json_key]), hint, f.metadata)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise node.child(json_key, None).refuse("缺失")
    return cls(**values)


def _key(node: Node, text: str, hint: object, meta: Mapping) -> Any:
    """Read an object's key: an enum's value or a finding code; any other key is text."""
    base, marker, _ = _parts(hint)
    if isinstance(base, type) and issubclass(base, StrEnum):
        if text not in {e.value for e in base}:
            raise node.refuse(f"不是{meta.get('keys', '可用的值')}（只能是 {'、'.join(e.value for e in base)}）")
        return base(text)
    if marker == "code" and not _CODE.fullmatch(text):
        raise node.refuse("不是问题代码（小写字母加连字符）")
    return text


_READERS: dict[object, Callable[[Node], Any]] = {
    "fen": Node.fen, "count": Node.count, "code": Node.text,
    "name": lambda n: n.text(blank=False), "label": Node.text,
    str: lambda n: n.text(bounded=False), float: Node.number, bool: Node.flag, date: Node.day, Period: Node.period,
}
