"""The read stage's work: every entry of the quarter folders accounted for, their files read in worker processes with
memory and time limits, the parse cache asked first."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from .cache import ParseCache, file_sha256
from .config import Config
from .errors import StopRun
from .output import guard
from .reader import FileRead, ReadContext, list_entries, not_read
from .reader.sandbox import read_files

ProgressFn = Callable[[str], None]      # told each file's name as it is read, for a progress display


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
