"""Write a `Document` to .docx in the GB/T 9704-2012 layout, with python-docx.

A4 with the standard's margins, a 22-line × 28-character grid of 3号仿宋, a red 版头 and rule, the 发文字号 under it,
the title in 2号小标宋, headings in 黑体 / 楷体 / 仿宋, tables whose header row repeats, the 落款 and 成文日期, and
`— 1 —` page numbers (odd pages right, even pages left). Fonts are named with their east-Asian slot set, so Word uses
the office's fonts and LibreOffice substitutes a CJK serif or sans without falling back to a Latin face.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, time
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from .document import (Annex, Block, Cell, Document, Figure, Heading, Note, PageBreak, Paragraph, Table, annex_name,
                       heading_labels, issuer_pt)

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}   # GB/T 9704-2012 5.2.1: a 156 × 225 mm type area
TYPE_WIDTH = Mm(PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"])
BODY_PT = 16                      # 3号
TITLE_PT = 22                     # 2号
TABLE_PT = 10.5                   # 5号, as the HTML tables
NOTE_PT = 12                      # 小4号
PAGE_NUMBER_PT = 14               # 4号
# 22 lines of 225 mm: a pitch of 28.95 pt (579 twentieths). 28 characters of 156 mm leave 15.79 pt for each 16 pt
# character: the body is condensed by 0.25 pt (5 twentieths). Word's own character grid (linesAndChars with a
# negative charSpace) would do the same in Word, but LibreOffice then gives each character two cells, 14 a line.
LINE_PITCH = Pt(28.95)
GRID = {"type": "lines", "linePitch": "579"}
CONDENSE = "-5"
TWO_CHARS = Pt(2 * BODY_PT)
# Text that XML 1.0 cannot hold (control characters other than tab and line breaks, lone surrogates) is dropped;
# python-docx turns \t and \n into tabs and line breaks itself.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_docx(doc: Document, path: Path) -> None:
    """Write the document to `path` as a .docx whose bytes depend only on the document."""
    Path(path).write_bytes(docx_bytes(doc))


def docx_bytes(doc: Document) -> bytes:
    """Lay the document out and return the .docx file's bytes, with fixed dates so equal documents give equal bytes."""
    word = docx.Document()
    _set_up(word, doc)
    writer = _Writer(word)
    writer.banner(doc)
    writer.blocks(doc.body)
    writer.annex_list(doc)
    writer.signature(doc)
    for n, annex in enumerate(doc.annexes, 1):
        writer.annex(annex_name(doc, n), annex)
    writer.copy_to(doc.copy_to)
    writer.remarks(doc.remarks)
    buffer = io.BytesIO()
    word.save(buffer)
    return _fixed_zip(buffer.getvalue())


class _Writer:
    """Append paragraphs and tables to a python-docx document, carrying a pending page break to the next block."""

    def __init__(self, word: docx.document.Document) -> None:
        self.word = word
        self.break_pending = False

    def paragraph(self, text: str = "", style: str = "Normal", *, strong: bool = False):
        p = self.word.add_paragraph(style=style)
        if text:
            _run(p, text, strong=strong)
        if self.break_pending:
            p.paragraph_format.page_break_before = True
            self.break_pending = False
        return p

    def banner(self, doc: Document) -> None:
        issuer = self.paragraph(doc.issuer, "Issuer")
        issuer.runs[0].font.size = Pt(issuer_pt(doc.issuer))
        # The red rule runs under the 发文字号, or under the office's name when the document has no number.
        ruled = self.paragraph(doc.doc_number.text, "Doc Number") if doc.doc_number else issuer
        _red_rule(ruled)
        self.paragraph(doc.title, "Doc Title")
        if doc.addressee:
            self.paragraph(doc.addressee, "Addressee")

    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for block, label in zip(blocks, heading_labels(blocks)):
            if isinstance(block, Heading):
                self.paragraph(f"{label}{block.text}", f"Heading {block.level}")
            elif isinstance(block, Paragraph):
                p = self.paragraph(block.text, strong=block.strong)
                if not block.indent:
                    p.paragraph_format.first_line_indent = Pt(0)
            elif isinstance(block, Note):
                self.paragraph(block.text, "Note")
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, PageBreak):
                self.break_pending = True
            elif not isinstance(block, Figure):   # a chart's numbers are in its table; Word cannot draw the SVG
                raise TypeError(f"cannot write a {type(block).__name__} to Word")

    def table(self, t: Table) -> None:
        if t.caption:
            self.paragraph(t.caption, "Table Caption")
        elif self.break_pending:
            self.paragraph(style="Table Text")
        grid = self.word.add_table(rows=1 + len(t.rows), cols=len(t.columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        widths = column_widths(t)
        for col, width in zip(grid.columns, widths):
            col.width = width
        for r, row in enumerate(grid.rows):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_on("w:cantSplit"))
            if r == 0 and t.repeat_header:
                tr_pr.append(_on("w:tblHeader"))
            values = [c.header for c in t.columns] if r == 0 else t.rows[r - 1]
            for cell, value, column, width in zip(row.cells, values, t.columns, widths):
                cell.width = width
                text, strong = (value.text, value.strong) if isinstance(value, Cell) else (value, False)
                p = cell.paragraphs[0]
                p.style = self.word.styles["Table Header" if r == 0 else "Table Text"]
                p.alignment = {"num": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}.get(
                    column.kind, WD_ALIGN_PARAGRAPH.LEFT)
                if text:
                    _run(p, text, strong=strong)
                if r == 0:
                    _shade(cell, "F0F0F0")

    def annex_list(self, doc: Document) -> None:
        """Write the 附件说明 under the body: 附件：1. title, the later titles aligned under the first."""
        if not doc.annexes:
            return
        head = f"{doc.annex_label}："
        for n, annex in enumerate(doc.annexes, 1):
            number = f"{n}. " if len(doc.annexes) > 1 else ""
            p = self.paragraph((head if n == 1 else "") + number + annex.title)
            if n == 1:
                p.paragraph_format.space_before = LINE_PITCH
            else:
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.left_indent = Pt(BODY_PT * (2 + len(head)))

    def signature(self, doc: Document) -> None:
        """Write the 落款 and, under it, the 成文日期 two characters from the right, the name centred over the date."""
        day = doc.date_text
        offset = (_width(day) - _width(doc.signature)) / 2
        date_right, name_right = (2, 2 + offset) if offset > -2 else (-offset, 0)
        name = self.paragraph(doc.signature, "Signature")
        name.paragraph_format.right_indent = Pt(BODY_PT * name_right)
        when = self.paragraph(day, "Signature")
        when.paragraph_format.right_indent = Pt(BODY_PT * date_right)
        when.paragraph_format.space_before = Pt(0)

    def annex(self, name: str, annex: Annex) -> None:
        self.break_pending = True
        self.paragraph(name, "Annex Label")
        self.paragraph(annex.title, "Doc Title").paragraph_format.space_before = LINE_PITCH
        self.blocks(annex.blocks)

    def copy_to(self, units: tuple[str, ...]) -> None:
        """Write the 版记's 抄送 line between two rules."""
        if units:
            p = self.paragraph(f"抄送：{'，'.join(units)}。", "Copy To")
            for edge in ("top", "bottom"):
                _border(p, edge, color="000000", size=8, space=1)

    def remarks(self, lines: tuple[str, ...]) -> None:
        for n, line in enumerate(lines):
            p = self.paragraph(line, "Note")
            if n == 0:
                p.paragraph_format.space_before = LINE_PITCH
                _border(p, "top", color="444444", size=4, space=4)


def column_widths(t: Table) -> list[Emu]:
    """Share the type area: a column's `width` is its fraction of the table; columns without one share the rest.

    Fractions that leave nothing for the other columns give each of those an average share, then all are scaled to fit.
    """
    given = sum(c.width for c in t.columns if c.width is not None)
    free = sum(c.width is None for c in t.columns)
    share = (1.0 - given) / free if free and given < 1 else 1.0 / len(t.columns)
    weights = [share if c.width is None else c.width for c in t.columns]
    total = sum(weights) or 1.0
    return [Emu(int(TYPE_WIDTH * w / total)) for w in weights]


def _set_up(word: docx.document.Document, doc: Document) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    # The page number's dash sits 7 mm under the type area; a 4号 line is about 6 mm high.
    section.header_distance, section.footer_distance = Mm(15), Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    for key, value in GRID.items():
        grid.set(qn(f"w:{key}"), value)
    _styles(word)
    word.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    _drop_thumbnail(word)
    props = word.core_properties
    props.title, props.author, props.last_modified_by = doc.title.replace("\n", ""), doc.issuer, doc.issuer
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = datetime.combine(doc.date, time())
    props.revision = 1


def _styles(word: docx.document.Document) -> None:
    """Define every style the writer uses: fonts with their east-Asian slot, sizes, spacing on the line grid."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr, FANGSONG)
    # The character grid's pitch is counted from the default size, so the default is the body's 3号.
    for tag in ("w:sz", "w:szCs"):
        r_pr.find(qn(tag)).set(qn("w:val"), str(2 * BODY_PT))
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    font_lang = word.settings.element.find(qn("w:themeFontLang"))
    if font_lang is not None:
        font_lang.set(qn("w:val"), "zh-CN")
        font_lang.set(qn("w:eastAsia"), "zh-CN")

    normal = _style(word, "Normal", FANGSONG, BODY_PT)
    normal_lang = OxmlElement("w:lang")
    normal_lang.set(qn("w:val"), "en-US")
    normal_lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(normal_lang)
    normal.element.get_or_add_rPr().append(_on("w:spacing", CONDENSE))
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = TWO_CHARS
    fmt.widow_control = True
    _style(word, "Issuer", XIAOBIAOSONG, 26, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, grid=False,
           line=Pt(40), indent=0)
    _style(word, "Doc Number", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=2 * LINE_PITCH, indent=0)
    _style(word, "Doc Title", XIAOBIAOSONG, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, before=2 * LINE_PITCH,
           after=LINE_PITCH, line=Pt(36), grid=False, indent=0, keep=True)
    _style(word, "Addressee", FANGSONG, BODY_PT, indent=0)
    for level, font in ((1, HEITI), (2, KAITI), (3, FANGSONG), (4, FANGSONG)):
        _style(word, f"Heading {level}", font, BODY_PT, keep=True)
    _style(word, "Table Caption", KAITI, BODY_PT, indent=0, keep=True)
    _style(word, "Table Text", FANGSONG, TABLE_PT, line=None, grid=False, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(word, "Table Header", HEITI, TABLE_PT, line=None, grid=False, indent=0, keep=True)
    _style(word, "Note", FANGSONG, NOTE_PT, line=None, grid=False, indent=0, color=RGBColor(0x33, 0x33, 0x33))
    _style(word, "Signature", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE_PITCH, indent=0)
    _style(word, "Annex Label", HEITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, keep=True)
    _style(word, "Copy To", FANGSONG, 14, indent=0, before=LINE_PITCH)
    _style(word, "Footer", SONGTI, PAGE_NUMBER_PT, line=None, grid=False, indent=0)


def _style(word, name: str, font: str, size: float, *, align=None, color: RGBColor = BLACK, before=Pt(0),
           after=Pt(0), line: Pt | None = LINE_PITCH, grid: bool = True, indent: int | None = None, keep: bool = False):
    """Create or reset a paragraph style; `line` None means single spacing, `grid` False frees it from the line grid."""
    styles = word.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    r_pr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:b", "w:bCs", "w:i", "w:iCs"):
        for old in r_pr.findall(qn(tag)):
            r_pr.remove(old)
    _fonts(r_pr, font)
    style.font.size = Pt(size)
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = color
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = before, after
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = line
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Pt(indent)
    if keep:
        fmt.keep_with_next = True
    p_pr = style.element.get_or_add_pPr()
    for old in p_pr.findall(qn("w:snapToGrid")):
        p_pr.remove(old)
    if not grid:
        p_pr.append(_on("w:snapToGrid", "0"))
    return style


def _fonts(r_pr, font: str) -> None:
    """Name one font for every script slot, dropping theme fonts, which would otherwise win over an explicit name."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for key in list(fonts.attrib):
        fonts.attrib.pop(key)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text: str, *, strong: bool = False):
    run = paragraph.add_run(_NOT_XML.sub("", text))
    if strong:
        run.bold = True
    return run


def _on(tag: str, value: str | None = None):
    el = OxmlElement(tag)
    if value is not None:
        el.set(qn("w:val"), value)
    return el


def _red_rule(paragraph) -> None:
    """Draw the 版头's red rule 4 mm under the paragraph, across the type area."""
    _border(paragraph, "bottom", color="FF0000", size=12, space=11)


def _border(paragraph, edge: str, *, color: str, size: int, space: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr sits before shd, tabs, spacing, ind and jc in pPr's schema order; python-docx keeps the rest in order.
        p_pr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                   "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                                   "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                                   "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc")
    line = OxmlElement(f"w:{edge}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", str(space)), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shd.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shd)


def _page_number(paragraph, align) -> None:
    """Write `— n —` with a PAGE field, one character in from the outer edge, as GB/T 9704 places page numbers."""
    paragraph.style = "Footer"
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)
    paragraph.add_run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —")


def _drop_thumbnail(word: docx.document.Document) -> None:
    """Remove python-docx's template thumbnail, a picture of some other document."""
    rels = word.part.package.rels
    for key in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[key]


def _width(text: str) -> float:
    """Measure text in body characters: a CJK character is one, a digit or Latin letter half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _fixed_zip(blob: bytes) -> bytes:
    """Rewrite the package with a fixed timestamp on every member, so the bytes do not carry the time of the run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, _ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
