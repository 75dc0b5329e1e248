"""Every output of a run, in the order it is written. Adding an output is one module and one line here."""
from __future__ import annotations

from . import annual, detail, excel, feedback, half_year, html, summary

REPORTS = (
    excel.REPORT,
    html.REPORT,
    summary.SUMMARY,
    summary.FINDINGS,
    feedback.REPORT,
    detail.REPORT,
    half_year.HTML,
    half_year.XLSX,
    half_year.DOCX,
    annual.HTML,
    annual.XLSX,
    annual.DOCX,
)
