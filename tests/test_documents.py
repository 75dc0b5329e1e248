"""The bulletin and the assessment as the office sends them out: Word files in the GB/T 9704 layout with the 文号 the
office gives (or a visible blank), the same text as the HTML, and printable by LibreOffice."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from conftest import demo_project
from docx.oxml.ns import qn
from test_browser import require

from pipeline import StopRun, run
from pipeline.report.docx_styles import RED

TODAY = date(2020, 1, 5)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice") or "/usr/bin/soffice"


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The four-quarter demo, with [documents] numbering the H1 bulletin, dating the assessment, giving a 版记."""
    root = demo_project(tmp_path_factory.mktemp("documents"), quarters=4)
    text = (root / "config.toml").read_text(encoding="utf-8")
    text = text.replace('short_name = "区脱贫解困办"', 'short_name = "湖脱贫办"')
    text = text.replace("\n[documents]\n", '\n[documents]\n"2019H1" = { number = 3 }\n"2019" = { number = 9, date = 2020-01-10 }\n'
                        'copy_to = ["区委办公室", "区政府办公室"]\nprinted_by = "青山湖区脱贫解困办"\n')
    (root / "config.toml").write_text(text, encoding="utf-8")
    out = {}
    for q in ("2019Q2", "2019Q4"):
        out[q] = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                     period=q)
    return root, out


def paragraphs(path: Path) -> list:
    return docx.Document(str(path)).paragraphs


def test_word_files_are_written_beside_the_html_when_due(year):
    _, out = year
    assert {"半年通报-2019H1.docx"} <= set(out["2019Q2"].written) and "年度考核-2019.docx" not in out["2019Q2"].written
    assert {"半年通报-2019H2.docx", "年度考核-2019.docx"} <= set(out["2019Q4"].written)


@pytest.mark.parametrize("period, name, number", [("2019Q2", "半年通报-2019H1", "湖脱贫办〔2019〕3号"),
                                                  ("2019Q4", "半年通报-2019H2", "湖脱贫办〔2019〕\u3000\u3000号"),
                                                  ("2019Q4", "年度考核-2019", "湖脱贫办〔2019〕9号")])
def test_each_document_has_the_standard_page_banner_number_and_headings(year, period, name, number):
    _, out = year
    path = out[period].output_dir / f"{name}.docx"
    word = docx.Document(str(path))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] \
        == [37, 35, 28, 26]
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    office = "青山湖区城镇贫困群众脱贫解困工作领导小组办公室"
    assert texts[0] == office and texts[1] == number
    banner = word.paragraphs[0]
    assert (banner.runs[0].font.color.rgb or banner.style.font.color.rgb) == RED
    html = (out[period].output_dir / f"{name}.html").read_text(encoding="utf-8")
    assert number in html
    # The same Document makes both: every heading of the Word file, numbered, is a heading of the page.
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings and all(re.sub(r"\s", "", h) in re.sub(r"\s", "", html) for h in headings)
    assert {p.style.name for p in word.paragraphs if p.style.name.startswith("Heading")} >= {"Heading 1", "Heading 2"}
    # Tables repeat their header row on every page.
    assert word.tables and all(t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
                               for t in word.tables)


def test_the_date_is_the_offices_or_a_blank_never_the_clock(year):
    _, out = year
    annual = [p.text for p in paragraphs(out["2019Q4"].output_dir / "年度考核-2019.docx")]
    bulletin = [p.text for p in paragraphs(out["2019Q2"].output_dir / "半年通报-2019H1.docx")]
    assert "2020年1月10日" in annual
    assert any(re.fullmatch(r"\u3000+年\u3000+月\u3000+日", t) for t in bulletin)
    assert "2020年1月5日" not in "".join(annual + bulletin)      # the run's own date appears nowhere


def test_the_imprint_closes_each_document_with_the_date_it_was_printed(year):
    _, out = year
    for path, day in ((out["2019Q4"].output_dir / "年度考核-2019.docx", "2020年1月10日"),
                      (out["2019Q2"].output_dir / "半年通报-2019H1.docx", "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日")):
        tail = [(p.style.name, p.text) for p in paragraphs(path)][-2:]
        assert tail == [("Copy To", "抄送：区委办公室，区政府办公室。"), ("Copy To", f"青山湖区脱贫解困办\t{day}印发")], path.name
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        assert html.index('class="imprint"') > html.index('class="signature"')
        assert f"<span>{day}印发</span>" in html


def test_doc_no_on_the_command_numbers_a_document_and_a_bare_number_must_be_unambiguous(year, tmp_path):
    root, _ = year
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=tmp_path, period="2019Q2", doc_numbers={"": 7}, issued=date(2019, 7, 8))
    texts = [p.text for p in paragraphs(result.output_dir / "半年通报-2019H1.docx")]
    assert "湖脱贫办〔2019〕7号" in texts and "2019年7月8日" in texts
    with pytest.raises(StopRun, match="2019H2=3"):
        run(config_path=root / "config.toml", input_dir=root / "input", output_dir=tmp_path, period="2019Q4", doc_numbers={"": 7})
    with pytest.raises(StopRun, match="2019H2"):
        run(config_path=root / "config.toml", input_dir=root / "input", output_dir=tmp_path, period="2019Q2", doc_numbers={"2019H2": 7})


def test_libreoffice_prints_each_word_file_on_numbered_a4_pages(year, tmp_path):
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists() and shutil.which("pdfinfo") is not None)
    _, out = year
    files = [out["2019Q2"].output_dir / "半年通报-2019H1.docx", out["2019Q4"].output_dir / "年度考核-2019.docx"]
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, files)], check=True, capture_output=True, timeout=240)
    for f in files:
        pdf = tmp_path / f"{f.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert 4 <= pages <= 30, (f.name, pages)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        numbers = [int(m) for m in re.findall(r"—\s*(\d+)\s*—", text)]
        assert numbers == list(range(1, pages + 1)), f.name
    # Every amount of the bulletin's tables (附表2 has seven columns of them) prints whole, on one line.
    amounts = {c.text for t in docx.Document(str(files[0])).tables for r in t.rows for c in r.cells
               if re.fullmatch(r"[\d,]+\.\d\d", c.text)}
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{files[0].stem}.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert len(amounts) > 100 and [a for a in amounts if a not in text] == []
