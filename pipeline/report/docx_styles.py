"""The GB/T 9704-2012 page and paragraph styles of the Word documents, and the OOXML python-docx has no API for.

A4 with the standard's margins, a 22-line × 28-character grid of 3号仿宋, styles for the 版头, 发文字号, title (2号小标宋),
headings (黑体 / 楷体 / 仿宋), tables, 落款, and `— 1 —` page numbers (odd pages right, even pages left). Every font is
named in its east-Asian slot too, so Word uses the office's fonts; LibreOffice, which lacks them, substitutes a CJK
face (Noto CJK on Debian) rather than a Latin one.
"""
from __future__ import annotations

from datetime import date, datetime, time

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..reader.own_outputs import STAMP
from .document import Document

# A fixed file date for a document with neither a 成文日期 nor a data date, so equal documents give equal bytes.
FALLBACK_DATE = date(2019, 1, 1)
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


def set_up(word: docx.document.Document, doc: Document) -> None:
    """Set the page (A4, margins, 22-line grid), the styles, the page-number footers and fixed file properties."""
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
    props.identifier = f"{STAMP}=document"      # known as jiekun's own when dropped back into the input
    props.created = props.modified = datetime.combine(doc.date or doc.as_of or FALLBACK_DATE, time())
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
    normal.element.get_or_add_rPr().append(element("w:spacing", CONDENSE))
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
        p_pr.append(element("w:snapToGrid", "0"))
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


def element(tag: str, value: str | None = None):
    el = OxmlElement(tag)
    if value is not None:
        el.set(qn("w:val"), value)
    return el


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
