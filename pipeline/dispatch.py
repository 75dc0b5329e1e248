"""The library entry points: read a quarter, check it, compute benefits, render every artefact."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from . import assessment, bulletin
from . import context as context_mod
from .benefits import Benefits, Rates, compute
from .checks import Facts, run_checks
from .config import Config, load_config
from .errors import StopRun
from .findings import ERROR, Finding
from .matrix import Matrix, load_matrix
from .output import Staging
from .period import Period
from .quarter import Quarter, assemble
from .reader import FileRead, ReadContext, list_entries
from .reader.sandbox import read_files

ProgressFn = Callable[[str], None]


@dataclass(frozen=True)
class CheckResult:
    period: Period
    config: Config
    matrix: Matrix
    files: tuple[FileRead, ...]
    quarter: Quarter
    benefits: Benefits
    findings: tuple[Finding, ...]
    context: "context_mod.Context"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)


@dataclass(frozen=True)
class RunResult(CheckResult):
    output_dir: Path = Path()
    written: tuple[str, ...] = field(default=())
    half_year: bulletin.HalfYearContext | None = None      # at Q2 and Q4
    annual: assessment.AnnualContext | None = None          # at Q4


def find_periods(input_dir: Path) -> list[Period]:
    """List the quarters that have a folder in the input directory, oldest first."""
    if not input_dir.is_dir():
        return []
    found = {Period.try_parse(p.name): p for p in input_dir.iterdir() if p.is_dir()}
    return sorted(k for k in found if k is not None)


def period_folder(input_dir: Path, period: Period) -> Path | None:
    for p in input_dir.iterdir() if input_dir.is_dir() else []:
        if p.is_dir() and Period.try_parse(p.name) == period:
            return p
    return None


def resolve_period(input_dir: Path, period: str | Period | None) -> tuple[Period, Path]:
    """Pick the requested quarter, or the newest one found; stop with a plain sentence when there is none."""
    if not input_dir.is_dir():
        raise StopRun(f"找不到输入目录 {input_dir}，请把各单位报表放到 {input_dir}/2019Q1 这样的季度文件夹中，或用 --input 指定目录。")
    if period is None:
        periods = find_periods(input_dir)
        if not periods:
            raise StopRun(f"输入目录 {input_dir} 中没有季度文件夹，请按 2019Q1、2019Q2 这样的名字建文件夹并放入报表。")
        chosen = periods[-1]
    else:
        chosen = period if isinstance(period, Period) else Period.parse(period)
    folder = period_folder(input_dir, chosen)
    if folder is None:
        raise StopRun(f"输入目录 {input_dir} 中没有 {chosen} 的文件夹，请先建好 {input_dir}/{chosen} 并放入报表。")
    return chosen, folder


def read_quarter(folder: Path, config: Config, today: date, on_file: ProgressFn | None = None) -> list[FileRead]:
    """Account for every entry of a quarter folder, reading its files in worker processes; keep the folder's order."""
    def make_ctx(rel: str) -> ReadContext:
        return ReadContext(file=rel, registry=config.registry, status_words=config.status_words, today=today)
    return read_files(list_entries(folder), make_ctx, on_file=on_file)


def accounting(files: list[FileRead], quarter: Quarter) -> list[dict]:
    """Per sheet: rows read = rows used + rows reported (excluded with a finding)."""
    used = {}
    for frame in (quarter.progress, quarter.roster):
        if len(frame):
            for (f, s), n in frame.groupby(["_file", "_sheet"])["used"].sum().items():
                used[(f, s)] = int(n)
    out = []
    for fr in files:
        if not fr.sheets:
            out.append({"file": fr.file, "sheet": "", "kind": "unreadable", "unit": "", "rows_read": 0, "rows_used": 0, "rows_reported": 0})
        for s in fr.sheets:
            n_used = used.get((s.file, s.sheet), 0)
            out.append({"file": s.file, "sheet": s.sheet, "kind": s.kind, "unit": s.unit or "", "rows_read": s.rows_read,
                        "rows_used": n_used, "rows_reported": s.rows_read - n_used})
    return out


def check(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
          period: str | Period | None = None, today: date | None = None, on_file: ProgressFn | None = None) -> CheckResult:
    """Read and check one quarter and compute its context, without writing anything."""
    today = today or date.today()
    config = load_config(config_path)
    matrix = load_matrix(config.paths["matrix"], config.registry)
    chosen, folder = resolve_period(_input_dir(config, input_dir), period)
    rates = Rates.for_year(config, chosen.year)
    files = read_quarter(folder, config, today, on_file)
    deadline = chosen.deadline(config.deadline_month, config.deadline_day)
    quarter = assemble(chosen, files, matrix, deadline)
    benefits = compute(quarter.roster, chosen, rates)
    findings = [f for fr in files for f in fr.all_findings]
    findings += run_checks(Facts(quarter, matrix, config, benefits))
    ctx = context_mod.build(quarter, matrix, config, benefits, findings, accounting(files, quarter), today)
    return CheckResult(chosen, config, matrix, tuple(files), quarter, benefits, tuple(findings), ctx)


def _input_dir(config: Config, input_dir: Path | str | None) -> Path:
    return Path(input_dir) if input_dir is not None else Path(config.paths.get("input", Path("input")))


def earlier_contexts(result: CheckResult, *, config_path: Path | str, input_dir: Path | str | None, today: date,
                     on_file: ProgressFn | None = None) -> dict[Period, context_mod.Context | None]:
    """Check the year's earlier quarters that the half-year bulletin or the annual assessment needs.

    A quarter whose folder is absent maps to None: the reports then say it was not received, never invent it.
    """
    period = result.period
    wanted = range(1, period.quarter) if period.quarter == 4 else range(period.quarter - 1, period.quarter)
    folder = _input_dir(result.config, input_dir)
    out: dict[Period, context_mod.Context | None] = {period: result.context}
    for q in wanted:
        p = Period(period.year, q)
        out[p] = (check(config_path=config_path, input_dir=folder, period=p, today=today, on_file=on_file).context
                  if period_folder(folder, p) is not None else None)
    return out


def run(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
        output_dir: Path | str | None = None, period: str | Period | None = None, today: date | None = None,
        on_file: ProgressFn | None = None) -> RunResult:
    """Run the whole quarter: read, check, compute and render into output/<period>/ atomically."""
    today = today or date.today()
    result = check(config_path=config_path, input_dir=input_dir, period=period, today=today, on_file=on_file)
    half_year = annual = None
    if result.period.quarter == 4:
        assessment.parse_method(result.config)   # a bad [assessment] stops the run before three more quarters are read
    if result.period.quarter in (2, 4):
        # 半年一通报、全年一考核: the bulletin at Q2 and Q4, the assessment at Q4, over the same input and config.
        contexts = earlier_contexts(result, config_path=config_path, input_dir=input_dir, today=today, on_file=on_file)
        half_year = bulletin.build_half(contexts, result.period.year, result.period.half, result.config)
        if result.period.quarter == 4:
            annual = assessment.build_annual(contexts, result.period.year, result.config)
    out_root = Path(output_dir) if output_dir is not None else result.config.paths.get("output", Path("output"))
    target = Path(out_root) / str(result.period)
    from .report import render  # rendering is the other edge; imported late to keep check() light

    with Staging(target) as staging:
        render.render_all(result.context, result.config, staging, half_year=half_year, annual=annual)
        written = tuple(staging.written)
        staging.commit()
    return RunResult(**{k: getattr(result, k) for k in CheckResult.__dataclass_fields__}, output_dir=target,
                     written=written, half_year=half_year, annual=annual)
