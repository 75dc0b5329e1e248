"""Outputs as data: each is a `Report` that says when it is due and writes itself into the staging folder.

Every report renders from the same contexts, so numbers and reasons cannot drift between them. Adding one is a new
module with a `REPORT` (or a few) and one line in `REPORTS` (see catalogue.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..assessment import AnnualContext
    from ..bulletin import HalfYearContext
    from ..config import Config
    from ..context import Context
    from ..output import Staging
    from ..period import Period
    from ..unit_parts import UnitParts


class Due(Enum):
    """When a report is written: every quarter, at Q2 and Q4 (半年一通报), or at Q4 (全年一考核)."""

    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR_END = "year_end"

    def applies(self, period: "Period") -> bool:
        return (self is Due.QUARTER or (self is Due.HALF_YEAR and period.quarter in (2, 4))
                or (self is Due.YEAR_END and period.quarter == 4))


@dataclass(frozen=True)
class Bundle:
    """What the due reports render from: the quarter's context, and the half-year or annual one when due."""

    quarter: "Context"
    config: "Config"
    half_year: "HalfYearContext | None" = None
    annual: "AnnualContext | None" = None
    # The year's quarters up to this one (None where its folder is absent): what a new cadence's report rolls up.
    quarters: "dict[Period, Context | None]" = field(default_factory=dict)
    # Where the person detail's rows are kept between runs (unit_parts.UnitParts); None: every row is written afresh.
    parts: "UnitParts | None" = None


@dataclass(frozen=True)
class Report:
    """One output: its name (for progress and timings), when it is due, and how it writes itself."""

    name: str
    due: Due
    write: Callable[[Bundle, "Staging"], None]


def bundle_for(due: "list[Report]", quarter: "Context", quarters: "dict[Period, Context | None]", config: "Config",
               issues: dict) -> Bundle:
    """Build what the due reports render from: the half-year and annual contexts only when a report of theirs is due.

    `quarters` are the year's quarters up to this one; `issues` the 成文日期 and 文号 of each document, by key.
    """
    from .. import assessment, bulletin

    period, half_year, annual = quarter.period, None, None
    if any(r.due is Due.HALF_YEAR for r in due):
        half_year = bulletin.build_half(quarters, period.year, period.half, config,
                                        issues[f"{period.year}H{period.half}"])
    if any(r.due is Due.YEAR_END for r in due):
        annual = assessment.build_annual(quarters, period.year, config, issues[str(period.year)])
    return Bundle(quarter, config, half_year, annual, dict(sorted(quarters.items())))


def three_forms(label: str, due: Due, context_of: Callable[[Bundle], object], stem: Callable[[object], str],
                html: Callable, document: Callable, xlsx: Callable) -> tuple[Report, Report, Report]:
    """Register a document the office issues as a web page, a workbook and a Word file, all from one context.

    `html(context, templates_dir)` returns the page, `document(context)` the Document the Word file prints, and
    `xlsx(context, path, mask)` writes the workbook.
    """
    def write_html(bundle: Bundle, staging) -> None:
        c = context_of(bundle)
        staging.write_text(f"{stem(c)}.html", html(c, bundle.config.paths["templates"]))

    def write_xlsx(bundle: Bundle, staging) -> None:
        c = context_of(bundle)
        staging.write_with(f"{stem(c)}.xlsx", lambda p: xlsx(c, p, staging.mask))

    def write_docx(bundle: Bundle, staging) -> None:
        from .document import map_text
        from .docx_writer import write_docx

        c = context_of(bundle)
        doc = map_text(document(c), staging.mask)
        staging.write_with(f"{stem(c)}.docx", lambda p: write_docx(doc, p))

    return (Report(f"{label}（网页）", due, write_html), Report(f"{label}（工作簿）", due, write_xlsx),
            Report(f"{label}（Word）", due, write_docx))
