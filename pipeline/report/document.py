"""A neutral model of an official document (公文, GB/T 9704-2012) that both the HTML and the Word renderers draw.

Builders emit a `Document`; renderers lay it out. Headings carry their text without a number: `heading_labels`
numbers them (一、 （一） 1. （1）) for every renderer, so the numbering cannot drift between HTML and Word.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from typing import Callable, ClassVar, Literal, TypeVar

from ..config import Imprint

# Two ideographic spaces: wide enough to write a number in by hand, and kept by HTML, which collapses plain spaces.
BLANK_NUMBER = "\u3000\u3000"
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"
# The 版心 is 156 mm = 442 pt wide; the issuing office's name stays on one line of it, at most 26 pt.
ISSUER_MAX_PT = 26
TYPE_AREA_PT = 440
_CN_DIGITS = "零一二三四五六七八九"

ColumnKind = Literal["text", "num", "center"]


@dataclass(frozen=True)
class DocNumber:
    """The 发文字号: the issuer's short name, the year and the running number (None leaves a blank to fill in)."""

    short_name: str
    year: int
    number: int | None = None

    @property
    def text(self) -> str:
        return format_doc_number(self.short_name, self.year, self.number)


@dataclass(frozen=True)
class Heading:
    """A heading of level 1 (一、), 2 (（一）), 3 (1.) or 4 (（1）); `text` is without the number."""

    kind: ClassVar[str] = "heading"

    level: int
    text: str

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3, 4):
            raise ValueError(f"heading level must be 1–4, not {self.level}")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: first line indented two characters unless `indent` is False."""

    kind: ClassVar[str] = "paragraph"

    text: str
    strong: bool = False
    indent: bool = True


@dataclass(frozen=True)
class Note:
    """A small-print remark under a table or figure, never indented."""

    kind: ClassVar[str] = "note"

    text: str


@dataclass(frozen=True)
class Cell:
    """A table cell that needs more than its text: `strong` marks it as HTML's `.bad` does."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class Column:
    """A table column: its header (`\\n` breaks the line), alignment, share of the table's width (None: the rest)."""

    header: str
    kind: ColumnKind = "text"
    width: float | None = None
    lead: bool = False          # on a phone, where each row is a card, shown first: the unit, its total, its grade


@dataclass(frozen=True)
class Table:
    """A table whose header row repeats on every page; cells are final text, formatted by the builder."""

    kind: ClassVar[str] = "table"

    columns: tuple[Column, ...]
    rows: tuple[tuple[str | Cell, ...], ...]
    caption: str = ""
    repeat_header: bool = True

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows, 1):
            if len(row) != len(self.columns):
                raise ValueError(f"table row {i} has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True)
class Figure:
    """A chart as inline SVG markup (a markupsafe.Markup, as the chart functions return): HTML shows it; Word, which
    cannot draw it, leaves it out, so a chart's numbers must also be in a table or the text."""

    kind: ClassVar[str] = "figure"

    svg: str


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""

    kind: ClassVar[str] = "page_break"


Block = Heading | Paragraph | Note | Table | Figure | PageBreak


@dataclass(frozen=True)
class Annex:
    """An attachment (附件) after the 成文日期, on its own page, listed in the 附件说明 by its title."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """An official document: 版头, 发文字号, 标题, 主送, 正文, 附件说明, 落款, 成文日期, 附件, 版记.

    `title` may hold `\\n` where the title should break. Nothing but the 附件 and the 版记 follows the 落款: how the
    document was made and the rules behind it belong in an 附件 or the workbook.
    """

    issuer: str
    title: str
    body: tuple[Block, ...]
    signature: str
    date: date | None                 # 成文日期; None leaves a blank for the clerk, never the clock's date
    doc_number: DocNumber | None = None
    addressee: str = ""
    annexes: tuple[Annex, ...] = ()
    annex_label: str = "附件"
    imprint: Imprint | None = None    # 版记: 抄送, 印发机关 and 印发日期; None prints none
    as_of: date | None = None         # the day the data stands at: the file's own date when there is no 成文日期

    @property
    def date_text(self) -> str:
        return BLANK_DATE if self.date is None else cn_date(self.date)

    @property
    def printed_text(self) -> str:
        """Write the 版记's 印发日期 line end: 2019年7月5日印发, or a blank to fill in."""
        day = self.imprint.printed_on if self.imprint else None
        return (BLANK_DATE if day is None else cn_date(day)) + "印发"

    def parts(self) -> list[list[tuple[Block, str | None]]]:
        """Split the body at its page breaks into parts of (block, heading label), numbered across the whole body."""
        out: list[list[tuple[Block, str | None]]] = [[]]
        for block, label in zip(self.body, heading_labels(self.body)):
            if isinstance(block, PageBreak):
                out.append([])
            else:
                out[-1].append((block, label))
        return [part for part in out if part] or [[]]

    def annex_parts(self) -> list[tuple[str, Annex, list[tuple[Block, str | None]]]]:
        """List each annex with its name (附件1) and its blocks paired with their heading labels."""
        return [(annex_name(self, n), a, list(zip(a.blocks, heading_labels(a.blocks))))
                for n, a in enumerate(self.annexes, 1)]


def format_doc_number(short_name: str, year: int, number: int | None) -> str:
    """Write the 发文字号 as 湖脱贫办〔2019〕3号, or with a visible blank for the number when there is none."""
    if number is not None and number < 1:
        raise ValueError(f"a document number is a positive integer, not {number}")
    return f"{short_name}〔{year}〕{BLANK_NUMBER if number is None else number}号"


def cn_date(day: date) -> str:
    """Write the 成文日期 with Arabic numerals, as GB/T 9704-2012 asks: 2019年7月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_numeral(n: int) -> str:
    """Write 1–99 in Chinese numerals: 1 → 一, 12 → 十二, 21 → 二十一."""
    if not 1 <= n <= 99:
        raise ValueError(f"cannot number a heading {n} in Chinese numerals")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """Label the n-th heading of a level: 一、 （一） 1. （1）."""
    return {1: f"{cn_numeral(n)}、", 2: f"（{cn_numeral(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]


def heading_labels(blocks: Sequence[Block]) -> list[str | None]:
    """Number the headings of a block sequence, one label per block (None for a block that is not a heading).

    A heading restarts the count of every deeper level, so （一） follows each 一、 afresh.
    """
    counts = [0, 0, 0, 0]
    labels: list[str | None] = []
    for block in blocks:
        if not isinstance(block, Heading):
            labels.append(None)
            continue
        counts[block.level - 1] += 1
        counts[block.level:] = [0] * (4 - block.level)
        labels.append(heading_label(block.level, counts[block.level - 1]))
    return labels


def annex_name(doc: Document, n: int) -> str:
    """Name the n-th annex as the 附件说明 and its own page do: 附件1, or 附件 when it is the only one."""
    return doc.annex_label if len(doc.annexes) == 1 else f"{doc.annex_label}{n}"


def issuer_pt(issuer: str) -> int:
    """Size the 发文机关标志 so that the name stays on one line of the type area: at most 26 pt."""
    return min(ISSUER_MAX_PT, TYPE_AREA_PT // max(len(issuer), 1))


T = TypeVar("T")


def map_text(item: T, fn: Callable[[str], str]) -> T:
    """Return a copy of a document (or any part of one) with `fn` applied to every text it holds, charts excepted."""
    if isinstance(item, Figure):
        return item
    if isinstance(item, str):
        return fn(item)
    if isinstance(item, tuple):
        return tuple(map_text(x, fn) for x in item)  # type: ignore[return-value]
    if is_dataclass(item) and not isinstance(item, type):
        return replace(item, **{f.name: map_text(getattr(item, f.name), fn) for f in fields(item)})
    return item
