"""Render every artefact of a quarter into a staging folder."""
from __future__ import annotations

from ..assessment import AnnualContext
from ..bulletin import HalfYearContext
from ..config import Config
from ..context import Context
from ..output import Staging
from . import feedback, summary


def render_all(ctx: Context, config: Config, staging: Staging, *, half_year: HalfYearContext | None = None,
               annual: AnnualContext | None = None) -> None:
    """Write the workbook, the HTML report, summary.json and findings.csv, and the bulletin and assessment if given."""
    from .excel import write_workbook
    from .html import render_html

    staging.write_with(f"调度报告-{ctx.period}.xlsx", lambda p: write_workbook(ctx, p))
    staging.write_text(f"调度报告-{ctx.period}.html", render_html(ctx, config.paths["templates"]))
    staging.write_text("summary.json", summary.summary_json(ctx))
    staging.write_bytes("findings.csv", summary.findings_csv(ctx))
    for unit in feedback.feedback_units(ctx):
        staging.write_with(feedback.file_name(unit), lambda p, u=unit: feedback.write_feedback(ctx, u, p))
    templates = config.paths["templates"]
    if half_year is not None:
        from . import half_year as half_mod

        stem = half_mod.file_stem(half_year)
        staging.write_text(f"{stem}.html", half_mod.render_bulletin_html(half_year, templates))
        staging.write_with(f"{stem}.xlsx", lambda p: half_mod.write_bulletin_xlsx(half_year, p))
    if annual is not None:
        from . import annual as annual_mod

        stem = annual_mod.file_stem(annual)
        staging.write_text(f"{stem}.html", annual_mod.render_assessment_html(annual, templates))
        staging.write_with(f"{stem}.xlsx", lambda p: annual_mod.write_assessment_xlsx(annual, p))
