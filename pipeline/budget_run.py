"""The `jiekun budget` entry point: read the newest roster and the quarters before it, project the year, and write
资金测算-<year>.html, .xlsx, .docx and budget.json into output/资金测算-<year>/ atomically, masked."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .budget import Budget, BudgetContext, four_quarters, project, year_rates
from .budget_reform import apply, parse_growth, parse_reform
from .dispatch import Session, masker_for
from .folders import require_reports, resolve_period
from .output import Staging, guard
from .period import Period
from .reading import ProgressFn, parse_cache
from .workspace import open_workspace


@dataclass(frozen=True)
class _Listed:
    """The names a roster lists, in the shape masker_for takes them."""

    names: frozenset[str]


@dataclass(frozen=True)
class BudgetResult:
    budget: Budget
    output_dir: Path
    written: tuple[str, ...]
    seconds: float


def folder_name(year: int) -> str:
    return f"资金测算-{year}"


def run_budget(*, year: int, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
               output_dir: Path | str | None = None, from_period: str | Period | None = None,
               reforms: tuple[str, ...] = (), growth: str | None = None, issued: date | None = None,
               on_file: ProgressFn | None = None, cache: bool = True) -> BudgetResult:
    """Project `year` from the roster of `from_period` (default: the newest quarter) and write the budget's outputs."""
    from .report.budget_document import write_docx_file, write_html_file
    from .report.budget_json import budget_json
    from .report.budget_xlsx import write_budget_xlsx

    started = time.perf_counter()
    ws = open_workspace(config_path, input_dir, output_dir)
    config, matrix, source, out_root = ws.config, ws.matrix, ws.input_dir, ws.output_dir
    guard(source, out_root)
    changes = tuple(parse_reform(text, year) for text in reforms)
    rate = parse_growth(growth)
    # Every standard the year needs, baseline and reform, is there before anything is read.
    year_rates(config.parameters, year)
    if changes:
        year_rates(apply(config.parameters, changes), year)
    chosen, folder = resolve_period(source, from_period)
    session = Session(config, matrix, source, on_file, parse_cache(config, source, out_root, cache))
    quarters = four_quarters(chosen)
    session.read_ahead(quarters)
    require_reports(chosen, folder, session.files(chosen))
    quarter, current = session.money(chosen)          # type: ignore[misc]
    paid = {p: money[1] for p in quarters if (money := session.money(p)) is not None}
    session.close()
    budget = project(quarter.roster, config.parameters, year, chosen, current, paid, changes, rate)
    ctx = BudgetContext(budget, config.office, matrix.title, matrix.document, issued, config.imprint)
    names = frozenset(n for n in quarter.roster["name"].dropna().unique() if isinstance(n, str)) \
        if "name" in quarter.roster else frozenset()
    target = out_root / folder_name(year)
    stem = folder_name(year)
    with Staging(target, masker_for(config, matrix, [_Listed(names)])) as staging:
        staging.write_text(f"{stem}.html", write_html_file(ctx, config.paths["templates"]))
        staging.write_with(f"{stem}.xlsx", lambda p: write_budget_xlsx(ctx, p, staging.mask))
        staging.write_with(f"{stem}.docx", lambda p: write_docx_file(ctx, p, staging.mask))
        staging.write_text("budget.json", budget_json(ctx))
        written = tuple(staging.written)
        staging.commit()
    return BudgetResult(budget, target, written, time.perf_counter() - started)
