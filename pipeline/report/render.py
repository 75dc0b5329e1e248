"""Render every artefact of a quarter into a staging folder."""
from __future__ import annotations

from ..config import Config
from ..context import Context
from ..output import Staging
from . import feedback, summary


def render_all(ctx: Context, config: Config, staging: Staging) -> None:
    """Write the workbook, the HTML report, summary.json and findings.csv from the one context."""
    from .excel import write_workbook
    from .html import render_html

    staging.write_with(f"调度报告-{ctx.period}.xlsx", lambda p: write_workbook(ctx, p))
    staging.write_text(f"调度报告-{ctx.period}.html", render_html(ctx, config.paths["templates"]))
    staging.write_text("summary.json", summary.summary_json(ctx))
    staging.write_bytes("findings.csv", summary.findings_csv(ctx))
    for unit in feedback.feedback_units(ctx):
        staging.write_with(feedback.file_name(unit), lambda p, u=unit: feedback.write_feedback(ctx, u, p))
