"""Every workbook a demo run writes opens in LibreOffice and prints: the office's workbook, the per-unit feedback
forms (退回/) and the half-year and annual workbooks, converted to PDF by a headless LibreOffice.

Needs LibreOffice (soffice) and poppler's pdftotext. Without them the tests skip, except under CI (CI=true), which
must install them (.ci/run).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_browser import demo_outputs, require

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice") or "/usr/bin/soffice"
TIMEOUT = 600      # seconds for one folder of workbooks; a cold LibreOffice profile alone can take half a minute
TITLE = "青山湖区城镇贫困群众脱贫解困工作季度调度（"


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Convert every .xlsx of every run to PDF; map run/relative-name to (workbook, pdf)."""
    require(f"LibreOffice ({SOFFICE})", Path(SOFFICE).exists())
    # A private profile, so parallel runs and a clerk's own LibreOffice never share a lock.
    profile = tmp_path_factory.mktemp("lo-profile").as_uri()
    out = {}
    for period, folder in demo_outputs(tmp_path_factory).items():
        books = sorted(folder.rglob("*.xlsx"))
        for source in sorted({b.parent for b in books}):
            target = tmp_path_factory.mktemp(f"pdf-{period}")
            batch = [b for b in books if b.parent == source]
            done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                                   "--convert-to", "pdf", "--outdir", str(target), *map(str, batch)],
                                  capture_output=True, text=True, timeout=TIMEOUT)
            assert done.returncode == 0, done.stderr
            assert "Error" not in done.stderr, done.stderr
            for book in batch:
                out[f"{period}/{book.relative_to(folder)}"] = (book, target / f"{book.stem}.pdf")
    return out


def pdf_pages(pdf: Path) -> list[str]:
    require("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_every_workbook_converts_to_a_non_empty_pdf(converted):
    names = set(converted)
    for period in ("2019Q2", "2019Q4"):
        assert f"{period}/调度报告-{period}.xlsx" in names
        assert any(n.startswith(f"{period}/退回/") for n in names)
    for name, (book, pdf) in converted.items():
        assert pdf.exists() and pdf.stat().st_size > 1000, name
        assert pdf.read_bytes().startswith(b"%PDF"), name


def test_office_workbook_prints_its_title_and_row_labels_on_every_page(converted):
    _, pdf = converted["2019Q2/调度报告-2019Q2.xlsx"]
    pages = pdf_pages(pdf)
    assert len(pages) > 7   # at least a page per sheet
    # The repeated title rows put the sheet's own title on top of each page, and the footer numbers the pages.
    tops = [re.sub(r"\s+", "", next(line for line in p.splitlines() if line.strip())) for p in pages]
    assert all(t.startswith(TITLE) for t in tops)
    assert all(f"第{i}页，共{len(pages)}页" in re.sub(r"\s+", "", p) for i, p in enumerate(pages, 1))
    matrix = [p for t, p in zip(tops, pages) if "·任务进展" in t]
    # Two pages across: the 编号 and 政策措施 columns repeat on each, and all 59 tasks are printed.
    assert len(matrix) >= 2 and all("编号" in p and "政策措施" in p for p in matrix)
    printed = {int(m) for p in matrix for m in re.findall(r"^\s*(\d{1,2})\s", p, re.M)}
    assert set(range(1, 60)) <= printed
