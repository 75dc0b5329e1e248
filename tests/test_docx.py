"""The official-document model and its Word writer: a document built here, written to .docx, read back with python-docx,
and printed to PDF by a headless LibreOffice, whose pages are counted with poppler.

The LibreOffice tests skip without soffice and poppler, except under CI (CI=true), which must install them (.ci/run).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from test_browser import require

from pipeline.config import Imprint
from pipeline.report.document import (
    Annex,
    Cell,
    Column,
    DocNumber,
    Document,
    Heading,
    Note,
    PageBreak,
    Paragraph,
    Table,
    cn_numeral,
    format_doc_number,
    heading_labels,
)
from pipeline.report.docx_writer import TYPE_WIDTH, column_widths, docx_bytes, write_docx

IMPRINT = Imprint(("区委办公室", "区政府办公室"), "青山湖区城镇贫困群众脱贫解困工作领导小组办公室", date(2019, 7, 2))
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice") or "/usr/bin/soffice"
ISSUER = "青山湖区城镇贫困群众脱贫解困工作领导小组办公室"
TITLE = "关于2019年上半年青山湖区城镇贫困群众\n脱贫解困工作情况的通报"
TASKS = Table(
    columns=(Column("编号", "center", 0.08), Column("政策措施"), Column("报送\n情况", "center", 0.1),
             Column("金额（元）", "num", 0.18)),
    rows=tuple((str(n), f"第{n}项政策措施，落实情况良好。" * 2, Cell("逾期", strong=True) if n % 7 == 0 else "按时",
                f"{n * 1234.5:,.2f}") for n in range(1, 60)),
    caption="（一）重点任务一览")


def bulletin(number: int | None = 3, **changes) -> Document:
    """A half-year bulletin in miniature: three heading levels, paragraphs, a 59-row table and two annexes."""
    body = (
        Paragraph("根据《青山湖区城镇贫困群众脱贫解困工作重点任务分工方案》（湖城字〔2019〕1号）的要求，现将有关情况通报如下。"),
        Heading(1, "基本情况"), Paragraph("上半年各单位报送进展情况。"),
        Heading(2, "报送情况"), Heading(3, "按时报送"), Paragraph("按时报送的单位31个。"), Heading(3, "逾期报送"),
        Paragraph("逾期报送的单位1个。"), Heading(2, "任务推进"), TASKS, Note("注：“逾期”为填报日期晚于截止日。"),
        Heading(1, "下步要求"), Heading(2, "按时报送"), Paragraph("请各单位于每季度末20日前报送。"),
    )
    annexes = (Annex("主要指标对比", (Table((Column("指标"), Column("一季度", "num"), Column("二季度", "num")),
                                           (("已报送单位", "33", "32"),)),)),
               Annex("连续两个季度红灯任务", (Paragraph("没有连续两个季度亮红灯的任务。"),)))
    fields = dict(issuer=ISSUER, title=TITLE, body=body, signature=ISSUER, date=date(2019, 7, 1),
                  doc_number=DocNumber("湖脱贫办", 2019, number), addressee="各镇（街道、园区），区直有关单位：",
                  annexes=annexes, annex_label="附表", imprint=IMPRINT)
    return Document(**{**fields, **changes})


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docx")
    out = {"numbered": folder / "numbered.docx", "blank": folder / "blank.docx", "plain": folder / "plain.docx"}
    write_docx(bulletin(3), out["numbered"])
    write_docx(bulletin(None), out["blank"])
    write_docx(bulletin(doc_number=None, annexes=(), imprint=None), out["plain"])
    return out


def styled(word, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


def east_asian_font(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def border(paragraph, edge: str) -> dict | None:
    p_pr = paragraph._p.pPr
    line = None if p_pr is None or p_pr.find(qn("w:pBdr")) is None else p_pr.find(qn("w:pBdr")).find(qn(f"w:{edge}"))
    return None if line is None else {k.split("}")[1]: v for k, v in line.attrib.items()}


def test_doc_number_is_written_with_the_number_or_a_visible_blank():
    assert format_doc_number("湖脱贫办", 2019, 3) == "湖脱贫办〔2019〕3号"
    assert DocNumber("湖脱贫办", 2019, 12).text == "湖脱贫办〔2019〕12号"
    blank = DocNumber("湖脱贫办", 2019).text
    assert blank == "湖脱贫办〔2019〕\u3000\u3000号"
    assert not re.search(r"\d号", blank)   # no number is ever invented
    with pytest.raises(ValueError):
        format_doc_number("湖脱贫办", 2019, 0)


def test_headings_are_numbered_by_level_and_restart_under_their_parent():
    blocks = (Heading(1, "a"), Heading(2, "b"), Heading(3, "c"), Paragraph("x"), Heading(3, "d"), Heading(4, "e"),
              Heading(2, "f"), Heading(3, "g"), Heading(1, "h"), Heading(2, "i"))
    assert heading_labels(blocks) == ["一、", "（一）", "1.", None, "2.", "（1）", "（二）", "1.", "二、", "（一）"]
    assert [cn_numeral(n) for n in (1, 10, 12, 20, 21, 99)] == ["一", "十", "十二", "二十", "二十一", "九十九"]
    with pytest.raises(ValueError):
        Heading(5, "too deep")


def test_a_table_row_must_fill_its_columns():
    with pytest.raises(ValueError):
        Table((Column("a"), Column("b")), (("only one",),))


def test_page_is_a4_with_the_standard_margins_and_a_22_line_grid(written):
    word = docx.Document(written["numbered"])
    section = word.sections[0]
    got = [round(v.mm, 1) for v in (section.page_width, section.page_height, section.top_margin,
                                    section.bottom_margin, section.left_margin, section.right_margin)]
    assert got == [210, 297, 37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"     # 225 mm / 22 lines = 28.95 pt
    normal = word.styles["Normal"]
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.font.size == Pt(16) and east_asian_font(normal) == "仿宋_GB2312"


def test_banner_is_the_office_in_red_over_a_red_rule_and_the_doc_number(written):
    word = docx.Document(written["numbered"])
    first, second = word.paragraphs[:2]
    assert first.text == ISSUER and first.style.name == "Issuer"
    assert first.style.font.color.rgb == RGBColor(0xFF, 0, 0)
    assert east_asian_font(first.style) == "方正小标宋简体"
    assert second.text == "湖脱贫办〔2019〕3号" and second.style.name == "Doc Number"
    assert border(second, "bottom")["color"] == "FF0000"
    assert border(first, "bottom") is None

    blank = docx.Document(written["blank"]).paragraphs[1]
    assert blank.text == "湖脱贫办〔2019〕\u3000\u3000号"
    # Without a 文号 line the red rule runs under the office's name, and the title follows.
    plain = docx.Document(written["plain"])
    assert border(plain.paragraphs[0], "bottom")["color"] == "FF0000"
    assert plain.paragraphs[1].style.name == "Doc Title"
    assert not any("〔" in p.text and p.text.endswith("号") for p in plain.paragraphs[:3])


def test_title_addressee_signature_and_date(written):
    word = docx.Document(written["numbered"])
    titles = styled(word, "Doc Title")
    assert titles[0] == TITLE   # the line break is kept where the builder put it
    assert word.styles["Doc Title"].font.size == Pt(22)
    assert east_asian_font(word.styles["Doc Title"]) == "方正小标宋简体"
    assert styled(word, "Addressee") == ["各镇（街道、园区），区直有关单位："]
    assert styled(word, "Signature") == [ISSUER, "2019年7月1日"]


def test_headings_carry_their_numbers_and_the_standard_fonts(written):
    word = docx.Document(written["numbered"])
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "一、基本情况"), ("Heading 2", "（一）报送情况"), ("Heading 3", "1.按时报送"),
                        ("Heading 3", "2.逾期报送"), ("Heading 2", "（二）任务推进"), ("Heading 1", "二、下步要求"),
                        ("Heading 2", "（一）按时报送")]
    fonts = {level: east_asian_font(word.styles[f"Heading {level}"]) for level in (1, 2, 3)}
    assert fonts == {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312"}
    for level in (1, 2, 3):
        style = word.styles[f"Heading {level}"]
        assert style.font.size == Pt(16) and not style.font.bold and style.font.color.rgb == RGBColor(0, 0, 0)


def test_tables_repeat_their_header_row_and_fill_the_type_area(written):
    word = docx.Document(written["numbered"])
    table = word.tables[0]
    assert len(table.rows) == 60
    assert [c.text for c in table.rows[0].cells] == ["编号", "政策措施", "报送\n情况", "金额（元）"]
    flags = [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in table.rows]
    assert flags == [True] + [False] * 59
    assert table.rows[7].cells[2].text == "逾期" and table.rows[7].cells[2].paragraphs[0].runs[0].bold
    assert table.rows[59].cells[3].text == "72,835.50"
    assert sum(column_widths(TASKS)) == pytest.approx(TYPE_WIDTH, abs=10)
    assert [round(w / TYPE_WIDTH, 2) for w in column_widths(TASKS)] == [0.08, 0.64, 0.1, 0.18]
    # Fractions that claim the whole width still leave the other columns a share.
    crowded = Table((Column("a", width=0.7), Column("b", width=0.5), Column("c")), ())
    assert [round(w / TYPE_WIDTH, 2) for w in column_widths(crowded)] == [0.46, 0.33, 0.22]


def test_annexes_follow_the_signature_each_on_a_new_page(written):
    word = docx.Document(written["numbered"])
    texts = [p.text for p in word.paragraphs]
    assert "附表：1. 主要指标对比" in texts and "2. 连续两个季度红灯任务" in texts
    labels = [p for p in word.paragraphs if p.style.name == "Annex Label"]
    assert [p.text for p in labels] == ["附表1", "附表2"]
    assert all(p.paragraph_format.page_break_before for p in labels)
    assert texts.index("附表1") > texts.index("2019年7月1日")
    assert "抄送：区委办公室，区政府办公室。" in texts


def after_signature(path: Path) -> list[tuple[str, str]]:
    """Return (style, text) of every paragraph after the 成文日期, the second of the two 落款 paragraphs."""
    paragraphs = docx.Document(path).paragraphs
    date_line = max(i for i, p in enumerate(paragraphs) if p.style.name == "Signature")
    return [(p.style.name, p.text) for p in paragraphs[date_line + 1:]]


def test_nothing_follows_the_signature_but_the_annexes_and_the_imprint(written):
    after = after_signature(written["numbered"])
    # The annexes open with their label; whatever follows the last of them closes with the 版记, and nothing else.
    assert after[0] == ("Annex Label", "附表1")
    assert after[-2:] == [("Copy To", "抄送：区委办公室，区政府办公室。"),
                          ("Copy To", "青山湖区城镇贫困群众脱贫解困工作领导小组办公室\t2019年7月2日印发")]
    assert not [t for _, t in after if "自动生成" in t or "不含个人信息" in t]
    # Without annexes and 版记 the 成文日期 is the last thing in the document.
    assert after_signature(written["plain"]) == []


def test_amounts_get_columns_wide_enough_to_stay_on_one_line():
    from pipeline.report.docx_writer import table_layout
    money = Table((Column("单位"), *(Column(f"第{n}列", "num") for n in range(1, 7))),
                  (("区民政局", *["9,362,432.00"] * 6),))
    widths, pt = table_layout(money)
    assert sum(widths) <= TYPE_WIDTH + 10
    # Six amounts of twelve characters do not fit the type area at 5号; the table is set smaller instead of breaking them.
    assert pt < 10.5 and all(w >= Pt(pt * 6.3) for w in widths[1:])
    narrow = Table((Column("单位", width=0.9), Column("金额", "num")), (("区民政局", "12,345,678.90"),))
    widths, pt = table_layout(narrow)
    assert pt == 10.5 and widths[1] >= Pt(10.5 * 6.9)


def test_footer_numbers_pages_with_a_page_field_between_dashes(written):
    word = docx.Document(written["numbered"])
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        assert footer.paragraphs[0].text == "— 1 —"   # the field's cached result between GB/T 9704's dashes


def test_text_is_kept_literally_and_bytes_do_not_depend_on_the_clock():
    odd = bulletin(body=(Paragraph("=SUM(A1:A3) <b>&amp; 1\x07"), Table((Column("值"),), (("+1\x0b2",),))))
    blob = docx_bytes(odd)
    word = docx.Document(io.BytesIO(blob))
    body = [p.text for p in word.paragraphs]
    assert "=SUM(A1:A3) <b>&amp; 1" in body   # nothing escaped twice, nothing evaluated; the bell is dropped
    assert word.tables[0].rows[1].cells[0].text == "+12"
    assert docx_bytes(odd) == blob
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert not any("thumbnail" in n for n in z.namelist())
    assert word.core_properties.created.date() == date(2019, 7, 1)


# ---- LibreOffice prints the .docx ------------------------------------------------------------------------------

def to_pdf(docs: list[Path], folder: Path, profile: str) -> list[Path]:
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists())
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(folder), *map(str, docs)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [folder / f"{d.stem}.pdf" for d in docs]


def pdf_info(pdf: Path) -> dict[str, str]:
    require("pdfinfo (poppler-utils)", shutil.which("pdfinfo") is not None)
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_pages(pdf: Path) -> list[str]:
    require("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def grid_document() -> Document:
    """Two pages of one-line paragraphs of exactly 28 characters after a page break: a 22 × 28 grid fills each."""
    def line(n: int) -> str:
        mark = f"第{cn_numeral(n)}行"
        return mark + "文" * (28 - len(mark))
    lines = tuple(Paragraph(line(n), indent=False) for n in range(1, 45))
    return bulletin(body=(Paragraph("正文。"), PageBreak(), *lines), annexes=(), imprint=None)


@pytest.fixture(scope="module")
def printed(written, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docx-pdf")
    grid = folder / "grid.docx"
    write_docx(grid_document(), grid)
    docs = [written["numbered"], written["blank"], grid]
    pdfs = to_pdf(docs, folder, tmp_path_factory.mktemp("lo-profile-docx").as_uri())
    return {d.stem: p for d, p in zip(docs, pdfs)}


def test_libreoffice_prints_the_docx_on_numbered_a4_pages_with_repeated_headers(printed):
    for name in ("numbered", "blank"):
        info = pdf_info(printed[name])
        pages = pdf_pages(printed[name])
        assert int(info["Pages"]) == len(pages) >= 4, name
        w, h = re.search(r"([\d.]+) x ([\d.]+)", info["Page size"]).groups()
        assert abs(float(w) - 595) <= 2 and abs(float(h) - 842) <= 2, name
        numbers = [re.search(r"—\s*(\d+)\s*—", p) for p in pages]
        assert [int(m.group(1)) if m else None for m in numbers] == list(range(1, len(pages) + 1)), name
        flat = [re.sub(r"\s+", "", p) for p in pages]
        assert "湖脱贫办〔2019〕" in flat[0] and ISSUER in flat[0]
        # The 59-task table runs over several pages; each of them starts the table with its header row.
        with_rows = [p for p in flat if re.search(r"第\d+项政策措施", p)]
        assert len(with_rows) >= 2 and all("编号政策措施" in p for p in with_rows), name
        # Each annex opens its own page, after the page with the signature.
        lines = [[re.sub(r"\s+", "", ln) for ln in p.splitlines() if ln.strip()] for p in pages]
        tops = [next((ln for ln in page if not re.fullmatch(r"—\d+—", ln)), "") for page in lines]
        assert tops[-2:] == ["附表1", "附表2"], name
    assert "湖脱贫办〔2019〕3号" in re.sub(r"\s+", "", pdf_pages(printed["numbered"])[0])


def test_libreoffice_sets_22_lines_of_28_characters_a_page(printed):
    pages = [[ln.strip() for ln in p.splitlines() if ln.strip().startswith("第") and ln.strip().endswith("文")]
             for p in pdf_pages(printed["grid"])]
    filled = [p for p in pages if p]
    assert [len(p) for p in filled] == [22, 22], pages
    assert all(len(re.sub(r"\s+", "", ln)) == 28 for p in filled for ln in p)
    assert filled[0][0].startswith("第一行") and filled[1][0].startswith("第二十三行")
    assert int(pdf_info(printed["grid"])["Pages"]) == len(pdf_pages(printed["grid"])) == 4


def test_libreoffice_prints_every_amount_of_a_wide_money_table_on_one_line(tmp_path_factory):
    """The bulletin's 附表2 in miniature: a unit column, two quarters, three categories and the sum, in 元."""
    columns = (Column("单位"), *(Column(h, "num") for h in ("第三季度", "第四季度", "低保", "特困", "支出型", "累计")))
    amounts = [f"{n * 1_234_567.89 % 9_999_999:,.2f}" for n in range(1, 7)] + ["9,362,432.00"]
    rows = tuple((f"第{n}单位", *amounts[n % 7:], *amounts[:n % 7])[:7] for n in range(1, 15))
    doc = bulletin(body=(Paragraph("正文。"), Table(columns, rows)), annexes=(), imprint=None)
    folder = tmp_path_factory.mktemp("money-pdf")
    path = folder / "money.docx"
    write_docx(doc, path)
    [pdf] = to_pdf([path], folder, tmp_path_factory.mktemp("lo-profile-money").as_uri())
    text = "\n".join(pdf_pages(pdf))
    for amount in {a for row in rows for a in row[1:]}:
        assert amount in text, amount     # pdftotext keeps a line's words; a number broken over two lines is not found
