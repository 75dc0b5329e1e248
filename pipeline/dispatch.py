"""The library entry points: read a quarter, check it, compute benefits, render every due output atomically."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path

from . import assessment, bulletin
from . import changes as changes_mod
from . import context as context_mod
from .accounting import accounting
from .benefits import Benefits, Rates, compute
from .cache import ParseCache, file_sha256
from .checks import Facts, run_checks
from .config import Config, Issue
from .errors import StopRun
from .findings import ERROR, Finding, capped
from .folders import find_periods, period_folder, require_reports, resolve_period, scan, vanished  # noqa: F401
from .matrix import Matrix
from .output import Staging, guard
from .period import Period
from .privacy import Masker
from .quarter import Quarter, assemble
from .reader import FileRead, ReadContext, list_entries, not_read
from .reader.sandbox import read_files
from .reader.vocabulary import ABILITY_WORDS, CARE_WORDS, CATEGORY_WORDS, EMPLOYMENT_WORDS, HEAD_WORDS, SUPPORT_WORDS
from .unit_parts import UnitParts
from .workspace import open_workspace

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


class Clock:
    """Time the stages of a run, for `make bench` and the manifest."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._last
        self._last = now


def read_quarter(folder: Path, config: Config, today: date, on_file: ProgressFn | None = None,
                 cache: ParseCache | None = None) -> list[FileRead]:
    """Account for every entry of a quarter folder, reading its files in worker processes; keep the folder's order.

    A file whose bytes the cache has seen under the same name and settings is taken from the cache instead.
    """
    return read_quarters([(folder, today)], config, on_file, cache)[0]


def read_quarters(folders: list[tuple[Path, date]], config: Config, on_file: ProgressFn | None = None,
                  cache: ParseCache | None = None) -> list[list[FileRead]]:
    """Read several quarter folders (each with the day its IDs are checked against) in one batch of workers.

    One batch keeps every worker busy until the last file of all the quarters, where a batch per quarter would leave
    workers idle at the end of each.
    """
    entries = [(q, entry) for q, (folder, _) in enumerate(folders) for entry in list_entries(folder)]
    contexts = {id(entry): ReadContext(file=entry.file, registry=config.registry, status_words=config.status_words,
                                       today=folders[q][1]) for q, entry in entries}
    results: list[FileRead | None] = [None] * len(entries)
    todo: list[tuple[int, str, int]] = []
    for i, (q, entry) in enumerate(entries):
        if not entry.to_read:
            results[i] = not_read(entry)
            continue
        try:
            sha, size = file_sha256(entry.path), entry.path.stat().st_size
        except OSError:
            todo.append((i, "", 0))      # reading it says what is wrong with it
            continue
        hit = cache.get(entry.file, sha, folders[q][1].isoformat()) if cache is not None else None
        if hit is not None:
            results[i] = hit
            if on_file:
                on_file(entry.file)
        else:
            todo.append((i, sha, size))
    reads = read_files([entries[i][1] for i, _, _ in todo], lambda entry: contexts[id(entry)], limits=config.limits,
                       on_file=on_file)
    for (i, sha, size), read in zip(todo, reads):
        results[i] = replace(read, sha256=sha, size=size)
        # A file the sandbox gave up on (or that is broken) is read again next time: the machine may have been busy.
        if cache is not None and sha and not any(f.code == "unreadable-file" for f in read.findings):
            cache.put(results[i], folders[entries[i][0]][1].isoformat())
    return [[r for (q, _), r in zip(entries, results) if q == n] for n in range(len(folders))]  # type: ignore[misc]


def check(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
          output_dir: Path | str | None = None, period: str | Period | None = None,
          issued: date | None = None, on_file: ProgressFn | None = None, cache: bool = True) -> CheckResult:
    """Read and check one quarter and compute its context, writing no report (the parse cache aside)."""
    ws = open_workspace(config_path, input_dir, output_dir)
    config, source, out_root = ws.config, ws.input_dir, ws.output_dir
    session = Session(config, ws.matrix, source, on_file, parse_cache(config, source, out_root, cache))
    chosen, folder = resolve_period(session.input_dir, period)
    session.notes[chosen] = scan(source).findings(chosen, auto=period is None)
    Rates.for_period(config.parameters, chosen)         # a missing parameter stops the run before any reading
    session.read_ahead([chosen, chosen.previous()])
    require_reports(chosen, folder, session.files(chosen))
    result = session.counted(session.result(chosen, issued))
    session.close()
    return result


class Session:
    """One run's reading of the input folder: each quarter is read and computed at most once, whoever asks."""

    def __init__(self, config: Config, matrix: Matrix, input_dir: Path, on_file: ProgressFn | None = None,
                 cache: ParseCache | None = None):
        self.config, self.matrix, self.input_dir, self.on_file, self.cache = config, matrix, input_dir, on_file, cache
        self.parts = UnitParts.beside(cache)       # each roster file's benefits and detail rows, for a warm rerun
        self._files: dict[Period, list[FileRead] | None] = {}
        self._money: dict[Period, tuple[Quarter, Benefits] | None] = {}
        self._results: dict[Period, CheckResult] = {}
        self.notes: dict[Period, list[Finding]] = {}     # findings about the input folder, filed with a quarter

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
        if period not in self._money:
            files = self.files(period)
            if files is None:
                self._money[period] = None
            else:
                quarter = assemble(period, files, self.matrix, self.config.deadline.of(period))
                rates = Rates.for_period(self.config.parameters, period)
                self._money[period] = (quarter, self.parts.benefits(quarter, rates) if self.parts is not None
                                       else compute(quarter.roster, period, rates))
        return self._money[period]

    def close(self) -> None:
        """End the session's use of the caches: entries recent runs did not use are evicted, the parts' within what
        the parse cache leaves of max_mb."""
        if self.cache is not None:
            self.cache.close()
            if self.parts is not None:
                self.parts.close(self.cache.max_bytes - self.cache.kept)

    def counted(self, result: CheckResult) -> CheckResult:
        """Return the result with the session's cache hits and misses."""
        if self.cache is None:
            return result
        return replace(result, cache_hits=self.cache.hits, cache_misses=self.cache.misses)

    def result(self, period: Period, issued: date | None = None, *, compare: bool = False) -> CheckResult:
        """Check the quarter and compute its context (the quarter's folder must exist).

        With `compare`, the context says what changed since the previous quarter and across the year's quarters,
        which are read and computed for it.
        """
        if period not in self._results:
            self._results[period] = self._check(period, issued, compare)
        return self._results[period]

    def year(self, period: Period) -> dict[Period, context_mod.Context | None]:
        """Return the contexts of the year's quarters before `period`, None where a folder is absent."""
        return {p: self.result(p).context if self.files(p) is not None else None
                for p in (Period(period.year, q) for q in range(1, period.quarter))}

    def _comparison(self, period: Period, quarter: Quarter, benefits: Benefits):
        """Return how the quarter's context says what changed: against the previous quarter and the year's."""
        before = self.money(period.previous())
        earlier = list(self.year(period).values())
        now = changes_mod.households(quarter.roster, benefits) if before else {}
        then = changes_mod.households(before[0].roster, before[1]) if before else None
        return lambda ctx: changes_mod.compare(period, now, then, self.config.changes_share, [*earlier, ctx])

    def _check(self, period: Period, issued: date | None, compare: bool) -> CheckResult:
        clock = Clock()
        config, matrix = self.config, self.matrix
        _, folder = resolve_period(self.input_dir, period)
        Rates.for_period(config.parameters, period)         # a missing parameter stops the run before any reading
        self.read_ahead([period, period.previous()])
        files = self.files(period)
        clock.lap("read")
        quarter, benefits = self.money(period)
        before = self.money(period.previous())
        clock.lap("compute")
        facts = Facts(quarter, matrix, config, benefits, before[0] if before else None)
        # Capped as they stream in, so no file's flood of one finding can grow the main process.
        findings = capped(chain(self.notes.get(period, ()), (f for fr in files for f in fr.all_findings),
                                run_checks(facts)))
        inputs, unaccounted = accounting(files, quarter, findings)
        findings += unaccounted
        clock.lap("check")
        comparison = self._comparison(period, quarter, benefits) if compare else None
        ctx = context_mod.build(quarter, matrix, config, benefits, findings, inputs, issued, stale=facts.stale,
                                moves=facts.moves, compare=comparison)
        clock.lap("context")
        return CheckResult(period, config, matrix, tuple(files), quarter, benefits, tuple(findings), ctx, folder,
                           clock.timings)


def parse_cache(config: Config, input_dir: Path, out_root: Path, enabled: bool) -> ParseCache | None:
    """Return the cache beside the output (output/.cache), keyed by every setting reading depends on."""
    if not enabled:
        return None
    try:
        guard(input_dir, out_root)
    except StopRun:
        return None          # never write a cache into the input folder; run() refuses such a folder anyway
    reg = config.registry
    settings = repr((sorted((u.name, u.kind, u.reports, u.aliases) for u in reg), reg.prefixes,
                     sorted(config.status_words.items()), config.limits))
    return ParseCache(out_root / ".cache", settings, runs_kept=config.cache.runs_kept, max_mb=config.cache.max_mb)


def masker_for(config: Config, matrix: Matrix, contexts) -> Masker:
    """Build the one masker of a run: IDs, and every name listed in the rosters of the quarters it shows."""
    names = [n for c in contexts if c is not None for n in c.names]
    keep = [u.name for u in config.registry] + [a for u in config.registry for a in u.aliases]
    keep += [t.measure for t in matrix.tasks] + [t.category for t in matrix.tasks] + [matrix.title]
    # The words rosters and progress reports use for a column's answer, in case a clerk put one in a name cell.
    keep += [w for table in (CATEGORY_WORDS, CARE_WORDS, SUPPORT_WORDS, ABILITY_WORDS, EMPLOYMENT_WORDS)
             for words in table.values() for w in words] + sorted(HEAD_WORDS) + list(config.status_words)
    return Masker(names, keep)


def run(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
        output_dir: Path | str | None = None, period: str | Period | None = None,
        issued: date | None = None, doc_numbers: dict[str, int] | None = None, on_file: ProgressFn | None = None,
        command: str = "", cache: bool = True) -> RunResult:
    """Run the whole quarter: read, check, compute and render every due output into output/<period>/ atomically.

    `issued` dates every document of the run (成文日期) and `doc_numbers` numbers them by key (2019H1, 2019); a key ""
    numbers the one numbered document due. Without them config.toml [documents] decides, or a blank is left to fill.
    """
    from .report import bundle_for
    from .report.catalogue import REPORTS  # rendering is the other edge; imported late to keep check() light

    started = datetime.now(UTC)
    ws = open_workspace(config_path, input_dir, output_dir)
    config, matrix, source, out_root = ws.config, ws.matrix, ws.input_dir, ws.output_dir
    guard(source, out_root)
    chosen, folder = resolve_period(source, period)
    due = [r for r in REPORTS if r.due.applies(chosen)]
    issues = resolve_issues(config, chosen, due, issued, doc_numbers or {})
    Rates.for_period(config.parameters, chosen)         # a missing parameter stops the run before any reading
    session = Session(config, matrix, source, on_file, parse_cache(config, source, out_root, cache))
    session.notes[chosen] = scan(source).findings(chosen, auto=period is None)
    reading = Clock()
    session.read_ahead([chosen, chosen.previous(), *(Period(chosen.year, q) for q in range(1, chosen.quarter))])
    reading.lap("read")             # every quarter the run shows, read at once: the quarter's own "read" finds it done
    require_reports(chosen, folder, session.files(chosen))     # before anything is written
    result = session.result(chosen, issues[str(chosen)].date, compare=True)
    clock = Clock()
    # The year's quarters: for the bulletin and the assessment, and the one masker of every name they show.
    contexts = {**session.year(chosen), chosen: result.context}
    bundle = replace(bundle_for(due, result.context, contexts, config, issues), parts=session.parts)
    clock.lap("year")
    result = session.counted(result)
    target = out_root / str(result.period)
    with Staging(target, masker_for(config, matrix, contexts.values())) as staging:
        for report in due:
            report.write(bundle, staging)
            clock.lap(report.name)
        from .manifest import manifest_json
        staging.write_text("manifest.json", manifest_json(result, command, started, datetime.now(UTC)))
        written = tuple(staging.written)
        staging.commit()
    session.close()                 # after the reports, which keep their parts of the person detail
    clock.lap("write")
    return RunResult(**{k: getattr(result, k) for k in CheckResult.__dataclass_fields__ if k != "timings"},
                     timings={**result.timings, **reading.timings, **clock.timings}, output_dir=target, written=written,
                     half_year=bundle.half_year, annual=bundle.annual)


def resolve_issues(config: Config, period: Period, due, issued: date | None,
                   numbers: dict[str, int]) -> dict[str, Issue]:
    """Decide each due document's 成文日期 and 文号 number: the run's options first, then config.toml [documents]."""
    from .report import Due

    keys = [str(period)] + ([f"{period.year}H{period.half}"] if any(r.due is Due.HALF_YEAR for r in due) else []) \
        + ([str(period.year)] if any(r.due is Due.YEAR_END for r in due) else [])
    numbered = keys[1:]
    numbers = dict(numbers)
    if "" in numbers:
        if len(numbered) != 1:
            what = "、".join(numbered) or "无"
            raise StopRun(f"本次运行须编文号的文件是：{what}；请用 --doc-no {numbered[0] if numbered else '2019H1'}=3 这样的写法"
                          "逐个指定，不能只写一个数字。")
        numbers[numbered[0]] = numbers.pop("")
    unknown = [k for k in numbers if k not in numbered]
    if unknown:
        raise StopRun(f"--doc-no 中的 {'、'.join(unknown)} 不是本次运行生成的文件（本次为 {'、'.join(numbered) or '季度调度报告，不编文号'}），"
                      "请改正。")
    out = {}
    for key in keys:
        base = config.documents.get(key, Issue(imprint=config.imprint))
        day = issued or base.date
        # The 印发日期 is the one [documents] gave, else the 成文日期 this run settles on.
        imprint = base.imprint and replace(base.imprint, printed_on=base.imprint.printed_on or day)
        out[key] = Issue(numbers.get(key, base.number), day, imprint)
    return out
