"""Write a `Document` to .docx in the GB/T 9704-2012 layout, with python-docx (page and styles: docx_styles.py).

The red 版头 and rule, the 发文字号 under it, the title, the numbered headings, tables whose header row repeats on
every page, the 附件说明, the 落款 and 成文日期, the annexes each on a new page, and the 抄送 line.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt

from .document import (
    Annex,
    Block,
    Cell,
    Document,
    Figure,
    Heading,
    Note,
    PageBreak,
    Paragraph,
    Table,
    annex_name,
    heading_labels,
    issuer_pt,
)
from .docx_styles import BODY_PT, LINE_PITCH, TYPE_WIDTH, element, set_up

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
    set_up(word, doc)
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
        # python-docx's style setter walks every style of the document to find the default; a table sets the ids.
        style_ids = (self.word.styles["Table Header"].style_id, self.word.styles["Table Text"].style_id)
        for col, width in zip(grid.columns, widths):
            col.width = width
        for r, row in enumerate(grid.rows):
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(element("w:cantSplit"))
            if r == 0 and t.repeat_header:
                tr_pr.append(element("w:tblHeader"))
            values = [c.header for c in t.columns] if r == 0 else t.rows[r - 1]
            for cell, value, column, width in zip(row.cells, values, t.columns, widths):
                cell.width = width
                text, strong = (value.text, value.strong) if isinstance(value, Cell) else (value, False)
                p = cell.paragraphs[0]
                p._p.get_or_add_pPr().style = style_ids[0] if r == 0 else style_ids[1]
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


def _run(paragraph, text: str, *, strong: bool = False):
    run = paragraph.add_run(_NOT_XML.sub("", text))
    if strong:
        run.bold = True
    return run


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
