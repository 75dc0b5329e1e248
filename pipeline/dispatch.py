"""The library entry points: a run is a declared list of stages (STAGES) that `run` and `check` walk in order.

Each stage is one step of a quarter's way from its folder to its reports: read, assemble, compute, check, compare,
contextualise, render, commit. A stage calls the module that does the work and keeps what it made on the quarter's
`Pass`; this module only sequences them and times each. Other quarters a run shows (the previous one, the year's
earlier ones) walk the same stages on demand, through the one `Session` that reads and computes each at most once.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import assessment, bulletin, changes
from . import context as context_mod
from .accounting import InputRow
from .benefits import Benefits, Rates, compute
from .cache import ParseCache
from .checks import Facts, quarter_findings
from .config import Config, Issue
from .findings import ERROR, Finding
from .folders import period_folder, require_reports, resolve_period, scan, vanished
from .issuing import resolve_issues
from .matrix import Matrix
from .output import Staging, guard
from .period import Period
from .privacy import Masker
from .quarter import Quarter, assemble
from .reader import FileRead
from .reader.vocabulary import ABILITY_WORDS, CARE_WORDS, CATEGORY_WORDS, EMPLOYMENT_WORDS, HEAD_WORDS, SUPPORT_WORDS
from .reading import ProgressFn, parse_cache, read_quarters
from .unit_parts import UnitParts
from .workspace import open_workspace

if TYPE_CHECKING:
    from .report import Bundle, Report


@dataclass(frozen=True)
class CheckResult:
    period: Period
    config: Config
    matrix: Matrix
    files: tuple[FileRead, ...]
    quarter: Quarter
    benefits: Benefits
    findings: tuple[Finding, ...]
    context: context_mod.Context
    folder: Path = Path()
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    cache_hits: int = 0                 # files of this run taken from the parse cache, over all quarters it read
    cache_misses: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def masker(self) -> Masker:
        """Return the masker for this quarter's outputs: IDs, and the names its rosters list."""
        return masker_for(self.config, self.matrix, [self.context])


@dataclass(frozen=True)
class RunResult(CheckResult):
    output_dir: Path = Path()
    written: tuple[str, ...] = field(default=())
    half_year: bulletin.HalfYearContext | None = None      # at Q2 and Q4
    annual: assessment.AnnualContext | None = None          # at Q4


@dataclass(frozen=True)
class Job:
    """What a run writes: the due reports, their 成文日期 and 文号, where, and for the manifest its command and start."""

    due: tuple[Report, ...]
    issues: dict[str, Issue]
    out_root: Path
    command: str
    started: datetime


class Pass:
    """One quarter on its way through the stages: what each stage has made of it so far."""

    def __init__(self, period: Period, *, issued: date | None = None, reads: tuple[Period, ...] = (),
                 required: bool = False, compare: bool = False, job: Job | None = None):
        self.period, self.issued, self.reads, self.required, self.compare, self.job = \
            period, issued, reads, required, compare, job
        self.done: dict[str, float] = {}            # the stages walked, in order, with their seconds
        self.outputs: dict[str, float] = {}         # seconds per output written (in the render stage)
        # Each is set by its stage; one read before its stage has run is a mistake in STAGES' order.
        self.folder = Path()
        self.files: list[FileRead] = []
        self.quarter: Quarter
        self.benefits: Benefits
        self.facts: Facts
        self.findings: list[Finding] = []
        self.inputs: list[InputRow] = []
        self.comparison: Callable | None = None
        self.context: context_mod.Context
        self.bundle: Bundle | None = None
        self.staging: Staging
        self.written: tuple[str, ...] = ()

    def checked(self, session: Session) -> CheckResult:
        """Return what the stages walked so far made of the quarter, with the session's cache hits and misses."""
        hits, misses = (session.cache.hits, session.cache.misses) if session.cache is not None else (0, 0)
        return CheckResult(self.period, session.config, session.matrix, tuple(self.files), self.quarter,
                           self.benefits, tuple(self.findings), self.context, self.folder,
                           {**self.done, **self.outputs}, hits, misses)


@dataclass(frozen=True)
class Stage:
    """One step of a run: `do` fills in its part of the quarter's `Pass`."""

    name: str
    do: Callable[[Session, Pass], None]


def _read(session: Session, p: Pass) -> None:
    """Read the quarter's folder, and in the same batch of workers every other quarter the run shows."""
    _, p.folder = resolve_period(session.input_dir, p.period)
    Rates.for_period(session.config.parameters, p.period)     # a missing parameter stops the run before any reading
    session.read_ahead([p.period, *p.reads])
    p.files = session.files(p.period)
    if p.required:
        require_reports(p.period, p.folder, p.files)         # before anything is written


def _assemble(session: Session, p: Pass) -> None:
    """Choose the submissions, flag the progress rows, gather the roster and keep the ledger of every row read."""
    p.quarter = assemble(p.period, p.files, session.matrix, session.config.deadline.of(p.period))


def _compute(session: Session, p: Pass) -> None:
    """Pay the roster, month by month, with the parameter values in force."""
    rates = Rates.for_period(session.config.parameters, p.period)
    p.benefits = (session.parts.benefits(p.quarter, rates) if session.parts is not None
                  else compute(p.quarter.roster, p.period, rates))


def _check(session: Session, p: Pass) -> None:
    """Run the checks against the quarter and the previous one's roster, and close the ledger with their findings."""
    before = session.money(p.period.previous())
    p.facts = Facts(p.quarter, session.matrix, session.config, p.benefits, before[0] if before else None)
    p.findings, p.inputs = quarter_findings(p.facts, session.notes.get(p.period, ()))


def _compare(session: Session, p: Pass) -> None:
    """Gather what the context compares with: the previous quarter's households and the year's earlier contexts."""
    if p.compare:
        p.comparison = changes.comparing(p.period, (p.quarter, p.benefits), session.money(p.period.previous()),
                                         list(session.year(p.period).values()), session.config.changes_share)


def _contextualise(session: Session, p: Pass) -> None:
    """Build the one typed Context every output renders from, what changed included."""
    p.context = context_mod.build(p.quarter, session.matrix, session.config, p.benefits, p.findings, p.inputs,
                                  p.issued, stale=p.facts.stale, moves=p.facts.moves, compare=p.comparison)


def _render(session: Session, p: Pass) -> None:
    """Write every due report into a staging folder beside the output, masked with every name the run shows."""
    from .report import bundle_for  # rendering is the other edge; imported late to keep check() light

    job = p.job
    assert job is not None, "only a run renders"
    # The year's quarters: for the bulletin and the assessment, and the one masker of every name they show.
    contexts = {**session.year(p.period), p.period: p.context}
    p.bundle = replace(bundle_for(list(job.due), p.context, contexts, session.config, job.issues),
                       parts=session.parts)
    p.staging = Staging(job.out_root / str(p.period), masker_for(session.config, session.matrix, contexts.values()))
    with p.staging:                 # a report that fails discards the staging folder
        for report in job.due:
            start = time.perf_counter()
            report.write(p.bundle, p.staging)
            p.outputs[report.name] = time.perf_counter() - start


def _commit(session: Session, p: Pass) -> None:
    """Write manifest.json and swap the staging folder in for the output, atomically."""
    from .manifest import manifest_json

    job = p.job
    assert job is not None, "only a run commits"
    with p.staging as staging:
        staging.write_text("manifest.json", manifest_json(p.checked(session), job.command, job.started,
                                                          datetime.now(UTC)))
        p.written = tuple(staging.written)
        staging.commit()
    session.close()                 # after the reports, which keep their parts of the person detail


STAGES = (
    Stage("read", _read),
    Stage("assemble", _assemble),
    Stage("compute", _compute),
    Stage("check", _check),
    Stage("compare", _compare),
    Stage("contextualise", _contextualise),
    Stage("render", _render),
    Stage("commit", _commit),
)
# What `check` walks, and any other quarter whose context a run shows: nothing compared, nothing written.
CHECKING = tuple(s for s in STAGES if s.name in ("read", "assemble", "compute", "check", "contextualise"))
MONEY = CHECKING[:3]        # read, assemble, compute: what the budget and the checks take from a quarter


class Session:
    """One run's reading of the input folder: each quarter walks the stages at most once, whoever asks."""

    def __init__(self, config: Config, matrix: Matrix, input_dir: Path, on_file: ProgressFn | None = None,
                 cache: ParseCache | None = None):
        self.config, self.matrix, self.input_dir, self.on_file, self.cache = config, matrix, input_dir, on_file, cache
        self.parts = UnitParts.beside(cache)       # each roster file's benefits and detail rows, for a warm rerun
        self._files: dict[Period, list[FileRead] | None] = {}
        self._passes: dict[Period, Pass] = {}
        self.notes: dict[Period, list[Finding]] = {}     # findings about the input folder, filed with a quarter

    def start(self, p: Pass) -> Pass:
        """Take `p` as its quarter's pass: the quarter the command is about, with what it reads and writes."""
        self._passes[p.period] = p
        return p

    def walk(self, p: Pass, stages: tuple[Stage, ...]) -> Pass:
        """Walk the stages the quarter has not walked yet, in order, timing each."""
        for stage in stages:
            if stage.name not in p.done:
                start = time.perf_counter()
                stage.do(self, p)
                # A previous or earlier quarter the stage asked for counts in its time: the run waited for it.
                p.done[stage.name] = time.perf_counter() - start
        return p

    def files(self, period: Period) -> list[FileRead] | None:
        """Return the quarter's read files, or None when its folder is absent."""
        self.read_ahead([period])
        return self._files[period]

    def read_ahead(self, periods) -> None:
        """Read every quarter asked for that is not read yet, all in one batch of workers."""
        wanted = {p: period_folder(self.input_dir, p) for p in dict.fromkeys(periods) if p not in self._files}
        present = [(p, folder) for p, folder in wanted.items() if folder is not None]
        # IDs are checked against the quarter's end, not the clock, so a quarter reads the same on any day.
        reads = read_quarters([(folder, p.end) for p, folder in present], self.config, self.on_file, self.cache) \
            if present else []
        for _, folder in present:
            if not folder.is_dir():
                raise vanished(folder)      # its files all read as missing: say what happened instead
        self._files.update({p: None for p in wanted})
        self._files.update({p: files for (p, _), files in zip(present, reads)})

    def money(self, period: Period) -> tuple[Quarter, Benefits] | None:
        """Return the quarter assembled and paid, or None when its folder is absent."""
        if self.files(period) is None:
            return None
        p = self.walk(self._passes.setdefault(period, Pass(period)), MONEY)
        return p.quarter, p.benefits

    def result(self, period: Period) -> CheckResult:
        """Check the quarter and compute its context, comparing nothing (the quarter's folder must exist)."""
        return self.walk(self._passes.setdefault(period, Pass(period)), CHECKING).checked(self)

    def year(self, period: Period) -> dict[Period, context_mod.Context | None]:
        """Return the contexts of the year's quarters before `period`, None where a folder is absent."""
        return {p: self.result(p).context if self.files(p) is not None else None
                for p in (Period(period.year, q) for q in range(1, period.quarter))}

    def close(self) -> None:
        """End the session's use of the caches: entries recent runs did not use are evicted, the parts' within what
        the parse cache leaves of max_mb."""
        if self.cache is not None:
            self.cache.close()
            if self.parts is not None:
                self.parts.close(self.cache.max_bytes - self.cache.kept)


def check(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
          output_dir: Path | str | None = None, period: str | Period | None = None,
          issued: date | None = None, on_file: ProgressFn | None = None, cache: bool = True) -> CheckResult:
    """Read and check one quarter and compute its context, writing no report (the parse cache aside)."""
    ws = open_workspace(config_path, input_dir, output_dir)
    config, source, out_root = ws.config, ws.input_dir, ws.output_dir
    session = Session(config, ws.matrix, source, on_file, parse_cache(config, source, out_root, cache))
    chosen, _ = resolve_period(session.input_dir, period)
    session.notes[chosen] = scan(source).findings(chosen, auto=period is None)
    p = session.start(Pass(chosen, issued=issued, reads=(chosen.previous(),), required=True))
    result = session.walk(p, CHECKING).checked(session)
    session.close()
    return result


def run(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
        output_dir: Path | str | None = None, period: str | Period | None = None,
        issued: date | None = None, doc_numbers: dict[str, int] | None = None, on_file: ProgressFn | None = None,
        command: str = "", cache: bool = True) -> RunResult:
    """Run the whole quarter: walk STAGES, from reading its folder to committing every due output atomically.

    `issued` dates every document of the run (成文日期) and `doc_numbers` numbers them by key (2019H1, 2019); a key ""
    numbers the one numbered document due. Without them config.toml [documents] decides, or a blank is left to fill.
    """
    from .report.catalogue import REPORTS  # rendering is the other edge; imported late to keep check() light

    started = datetime.now(UTC)
    ws = open_workspace(config_path, input_dir, output_dir)
    config, matrix, source, out_root = ws.config, ws.matrix, ws.input_dir, ws.output_dir
    guard(source, out_root)
    chosen, _ = resolve_period(source, period)
    due = tuple(r for r in REPORTS if r.due.applies(chosen))
    issues = resolve_issues(config, chosen, due, issued, doc_numbers or {})
    Rates.for_period(config.parameters, chosen)         # a missing parameter stops the run before any reading
    session = Session(config, matrix, source, on_file, parse_cache(config, source, out_root, cache))
    session.notes[chosen] = scan(source).findings(chosen, auto=period is None)
    # Every quarter the run shows is read in the first stage's one batch: the previous one and the year's.
    shown = (chosen.previous(), *(Period(chosen.year, q) for q in range(1, chosen.quarter)))
    p = session.start(Pass(chosen, issued=issues[str(chosen)].date, reads=shown, required=True, compare=True,
                           job=Job(due, issues, out_root, command, started)))
    session.walk(p, STAGES)
    result = p.checked(session)
    return RunResult(**{k: getattr(result, k) for k in CheckResult.__dataclass_fields__},
                     output_dir=p.staging.target, written=p.written, half_year=p.bundle.half_year,
                     annual=p.bundle.annual)


def masker_for(config: Config, matrix: Matrix, contexts) -> Masker:
    """Build the one masker of a run: IDs, and every name listed in the rosters of the quarters it shows."""
    names = [n for c in contexts if c is not None for n in c.names]
    keep = [u.name for u in config.registry] + [a for u in config.registry for a in u.aliases]
    keep += [t.measure for t in matrix.tasks] + [t.category for t in matrix.tasks] + [matrix.title]
    # The words rosters and progress reports use for a column's answer, in case a clerk put one in a name cell.
    keep += [w for table in (CATEGORY_WORDS, CARE_WORDS, SUPPORT_WORDS, ABILITY_WORDS, EMPLOYMENT_WORDS)
             for words in table.values() for w in words] + sorted(HEAD_WORDS) + list(config.status_words)
    return Masker(names, keep)


