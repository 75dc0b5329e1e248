"""Write a `Document` to .docx in the GB/T 9704-2012 layout, with python-docx (page and styles: docx_styles.py).

The red 版头 and rule, the 发文字号 under it, the title, the numbered headings, tables whose header row repeats on
every page, the 附件说明, the 落款 and 成文日期, the annexes each on a new page, and the 版记. Nothing else follows the
落款: a document carries no machine notes.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
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
from .docx_styles import BODY_PT, LINE_PITCH, TABLE_PT, TYPE_WIDTH, element, set_up

# Text that XML 1.0 cannot hold (control characters other than tab and line breaks, lone surrogates) is dropped;
# python-docx turns \t and \n into tabs and line breaks itself.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# A table whose numbers do not fit at 5号 is set in 小五, then 六号-ish sizes, rather than break a number.
SMALLER_PT = (9.0, 8.0, 7.5)
# Word's default cell margins, 0.19 cm each side, and a little for the rule.
CELL_PADDING_PT = 12.0


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
    writer.imprint(doc)
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
        widths, pt = table_layout(t)
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
                    run = _run(p, text, strong=strong)
                    if pt != TABLE_PT:
                        run.font.size = Pt(pt)
                if r == 0:
                    _shade(cell, "F0F0F0")
                elif column.kind == "num":
                    # Belt and braces: a reader that lays the columns out afresh still keeps the number whole.
                    cell._tc.get_or_add_tcPr().append(element("w:noWrap"))

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

    def imprint(self, doc: Document) -> None:
        """Write the 版记: 抄送 between rules, then the 印发机关 at the left and the 印发日期 at the right."""
        if doc.imprint is None:
            return
        first = None
        if doc.imprint.copy_to:
            first = self.paragraph(f"抄送：{'，'.join(doc.imprint.copy_to)}。", "Copy To")
            first.paragraph_format.left_indent = Pt(14)
            first.paragraph_format.right_indent = Pt(14)
        printed = self.paragraph(style="Copy To")
        _run(printed, doc.imprint.printed_by)
        printed.add_run("\t")
        _run(printed, doc.printed_text)
        printed.paragraph_format.tab_stops.add_tab_stop(TYPE_WIDTH - Pt(14), WD_TAB_ALIGNMENT.RIGHT)
        printed.paragraph_format.left_indent = Pt(14)
        if first is not None:
            printed.paragraph_format.space_before = Pt(0)
        # GB/T 9704: the first and last rules of the 版记 are thicker than the one between its lines.
        _border(first or printed, "top", color="000000", size=8, space=1)
        if first is not None:
            _border(first, "bottom", color="000000", size=4, space=1)
        _border(printed, "bottom", color="000000", size=8, space=1)


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


def table_layout(t: Table) -> tuple[list[Emu], float]:
    """Size the columns so that no amount breaks inside its number: widen every number column to its longest cell,
    taking the room from the other columns, at the table's size or, when the numbers need more than the type area,
    at the largest smaller size at which they fit."""
    for pt in (TABLE_PT, *SMALLER_PT):
        widths = _fit(t, pt)
        if widths is not None:
            return widths, pt
    return column_widths(t), SMALLER_PT[-1]


def _fit(t: Table, pt: float) -> list[Emu] | None:
    widths = [int(w) for w in column_widths(t)]
    # A number column needs its longest cell on one line; a text column can wrap down to two characters.
    need = [int(Pt(_cell_em(t, i) * pt + CELL_PADDING_PT)) if c.kind == "num" else int(Pt(2 * pt + CELL_PADDING_PT))
            for i, c in enumerate(t.columns)]
    if sum(need) > TYPE_WIDTH:
        return None
    short = sum(max(n - w, 0) for w, n in zip(widths, need))
    spare = sum(max(w - n, 0) for w, n in zip(widths, need))
    return [Emu(n if w <= n else w - (w - n) * short // spare) for w, n in zip(widths, need)]


def _cell_em(t: Table, i: int) -> float:
    """Measure the longest line of column i's cells in ems of the table's font; digits are a little over half."""
    lines = [line for row in t.rows for line in (row[i].text if isinstance(row[i], Cell) else row[i]).split("\n")]
    return max((sum(1.0 if ord(ch) >= 0x2E80 else 0.3 if ch in ",.:;" else 0.6 for ch in line) for line in lines),
               default=0.0)


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
