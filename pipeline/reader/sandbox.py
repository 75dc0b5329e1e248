"""Read files in worker processes, so that a file which crashes, exhausts memory or hangs its parser costs one
finding, never the run, and never the machine.

Each worker reads one file at a time under a cap on its address space (Linux) and a wall-time limit per file
kept by the parent. A worker that aborts (python-calamine aborts when an allocation fails), runs out of memory,
crashes or overstays is killed and replaced, and its file becomes one unreadable-file finding. Workers are reused
across files, so a quarter of small files pays process start-up once per worker, not once per file.

The pool follows the machine: its workers together may take at most half the memory, so the office PC the run
shares with a browser and WPS stays usable. Workers end with the main process however it ends (worker.py), and
what they print goes to a log per worker that only the parent reads, never to the clerk's terminal.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from dataclasses import replace
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..errors import StopRun
from . import FileRead, ReadContext, not_read, read_file
from .folder import Entry
from .limits import _GB, LIMITS, Limits
from .worker import MEMORY_EXIT, READY, from_wire, memory_reason, refused, serve

Reader = Callable[[Path, ReadContext, Limits], FileRead]
_SIGNALS_OF_MEMORY = {-getattr(signal, "SIGABRT", 6), -getattr(signal, "SIGKILL", 9), MEMORY_EXIT}
# What a worker's log holds when an allocation failed: Rust's handler, or Python's error. Seen in the log, the
# worker is ended at once, whatever it does next (a Rust backtrace printed out of memory can wait forever).
_MEMORY_SIGNS = (b"memory allocation of", b"MemoryError")
_PANIC_SIGNS = (b"panicked at", b"PanicException")
_LOOK = 0.25                    # seconds between the parent's looks at its busy workers' logs
# A worker may take no more than this unless config.toml says so, and no less: pyarrow reserves 1 GiB of address
# space at its first allocation (see limits.SETTINGS).
_MOST_PER_WORKER, _LEAST_PER_WORKER = 4 * _GB, 2 * _GB


def read_files(entries: Sequence[Entry], make_ctx: Callable[[Entry], ReadContext], *, limits: Limits = LIMITS,
               jobs: int | None = None, on_file: Callable[[str], None] | None = None, reader: Reader = read_file,
               start_method: str | None = None) -> list[FileRead]:
    """Read every entry in worker processes; return one FileRead per entry, in the order of `entries`.

    `reader` must be a top-level function so a spawned worker can import it; tests pass one that misbehaves.
    A file refused at a worker's memory limit is read once more alone, with the whole budget of all the workers.
    """
    results: list[FileRead | None] = [None] * len(entries)
    tasks: deque[tuple[int, Entry]] = deque()
    for i, entry in enumerate(entries):
        if entry.to_read:
            tasks.append((i, entry))
        else:
            results[i] = not_read(entry)
    if tasks:
        # Largest first: the last file to finish is then a small one, and no worker idles while a roster is read.
        tasks = deque(sorted(tasks, key=lambda task: -_size(task[1].path)))
        sized, workers, budget = pool_size(limits, jobs)
        method = start_method or default_start_method()
        again: deque[tuple[int, Entry]] = deque()
        with _Pool(min(workers, len(tasks)), sized, reader, method) as pool:
            for i, read, out_of_memory in pool.run(tasks, make_ctx, on_file):
                results[i] = read
                if out_of_memory and budget > sized.memory_bytes:
                    again.append((i, entries[i]))
        if again:
            alone = replace(sized, memory_bytes=budget)
            with _Pool(1, alone, reader, method) as pool:
                for i, read, _ in pool.run(again, make_ctx, None):
                    results[i] = read
    return results  # type: ignore[return-value]  # every slot is filled above


def pool_size(limits: Limits = LIMITS, jobs: int | None = None) -> tuple[Limits, int, int]:
    """Return the limits with each worker's memory decided, how many workers, and what one file may take alone.

    The workers together take at most half the machine's memory. Without [limits] memory_gb, each gets an equal
    share of that half, between 2 and 4 GB, and a file refused at its share is read again alone with up to twice
    the most a worker gets; with memory_gb, each worker gets what it says, and fewer run when memory is short.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    half = _memory() // 2
    per = limits.memory_bytes
    if per:
        n = jobs or (max(1, min(cpus, half // per)) if half else cpus)
        return limits, n, per
    if not half:
        return replace(limits, memory_bytes=_MOST_PER_WORKER), jobs or cpus, _MOST_PER_WORKER
    n = jobs or max(1, min(cpus, half // _LEAST_PER_WORKER))
    per = max(_LEAST_PER_WORKER, min(_MOST_PER_WORKER, half // n))
    return replace(limits, memory_bytes=per), n, max(per, min(half, 2 * _MOST_PER_WORKER))


def _memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 0


def default_start_method() -> str:
    """Fork workers on Linux, the fastest start there: they begin with the readers already imported.

    Elsewhere fork is unsafe (macOS) or missing (Windows), so workers are spawned; the code is spawn-safe either way.
    JIEKUN_START_METHOD=spawn runs a whole quarter on Linux as it runs on Windows (the tests do).
    """
    forced = os.environ.get("JIEKUN_START_METHOD", "")
    if forced in multiprocessing.get_all_start_methods():
        return forced
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


class _Worker:
    """One worker process, the parent's end of its pipe, and the log its stderr goes to."""

    def __init__(self, context, reader: Reader):
        fd, self.log = tempfile.mkstemp(prefix="jiekun-reader-", suffix=".log")
        os.close(fd)
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, reader, os.getpid(), self.log), daemon=True,
                                       name="jiekun-reader")
        self.process.start()
        child.close()
        self.ready = False      # set by the worker's first message, once it has started

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
            else:
                self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        try:
            os.unlink(self.log)
        except OSError:
            pass

    def said(self) -> bytes:
        """Return what the worker has printed while reading its present file (the log is emptied for each file)."""
        try:
            with open(self.log, "rb") as fh:
                return fh.read(1 << 16)
        except OSError:
            return b""


class _Pool:
    """Workers that read files one at a time each, replaced whenever one dies or is killed."""

    def __init__(self, jobs: int, limits: Limits, reader: Reader, start_method: str):
        self.jobs, self.limits, self.reader = jobs, limits, reader
        self.context = multiprocessing.get_context(start_method)
        self.idle: list[_Worker] = []

    def __enter__(self) -> "_Pool":
        return self

    def __exit__(self, kind, *_) -> None:
        for worker in self.idle:
            worker.stop(kill=kind is not None)
        self.idle = []

    def run(self, tasks: deque, make_ctx, on_file) -> Iterator[tuple[int, FileRead, bool]]:
        """Yield (index, FileRead, refused for memory) for every task as files finish, keeping `jobs` workers busy."""
        busy: dict[_Worker, tuple[int, Entry, float]] = {}
        try:
            while tasks or busy:
                while tasks and len(busy) < self.jobs:
                    i, entry = tasks.popleft()
                    if on_file:
                        on_file(entry.file)
                    worker = self.idle.pop() if self.idle else _Worker(self.context, self.reader)
                    try:
                        worker.conn.send((entry.path, make_ctx(entry), self.limits))
                    except OSError:
                        # The worker died while idle; its replacement takes the file.
                        worker.stop(kill=True)
                        tasks.appendleft((i, entry))
                        continue
                    busy[worker] = (i, entry, time.monotonic() + self.limits.seconds_for(_size(entry.path)))
                next_deadline = min(deadline for _, _, deadline in busy.values())
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                                 timeout=min(_LOOK, max(0.0, next_deadline - time.monotonic()))))
                now = time.monotonic()
                for worker, (i, entry, deadline) in list(busy.items()):
                    if worker.conn in ready or worker.process.sentinel in ready:
                        outcome = self._collect(worker, entry)
                        if outcome is None:
                            continue
                        read, alive, memory = outcome
                    elif any(sign in worker.said() for sign in _MEMORY_SIGNS):
                        worker.stop(kill=True)
                        read, alive, memory = refused(entry.file, memory_reason(self.limits)), False, True
                    elif now >= deadline:
                        worker.stop(kill=True)
                        read, alive, memory = refused(entry.file, self._timeout_reason(entry)), False, False
                    else:
                        continue
                    del busy[worker]
                    if alive:
                        self.idle.append(worker)
                    yield i, read, memory
        finally:
            for worker in busy:
                worker.stop(kill=True)

    def _collect(self, worker: _Worker, entry: Entry) -> tuple[FileRead, bool, bool] | None:
        """Take a worker's result, or turn its death into a finding; None while it has only said it is ready."""
        try:
            if worker.conn.poll():
                message = worker.conn.recv_bytes()
                if message == READY:
                    worker.ready = True
                    return None
                read, alive = from_wire(message)
                if not alive:
                    worker.stop()
                return read, alive, False
        except (EOFError, OSError, ValueError):
            pass
        said = worker.said()
        worker.stop(kill=True)
        if not worker.ready:
            # Not the file's doing: the worker died before it could take one, so every file would fail alike.
            raise StopRun("读取文件的工作进程无法启动，请确认程序安装完整；仍不行请加 --debug 运行并把输出发给维护人员。")
        if worker.process.exitcode in _SIGNALS_OF_MEMORY or any(sign in said for sign in _MEMORY_SIGNS):
            return refused(entry.file, memory_reason(self.limits)), False, True
        if any(sign in said for sign in _PANIC_SIGNS):
            return refused(entry.file, "读取时表格解析组件出错退出，文件可能已损坏或是恶意构造的文件"), False, False
        return refused(entry.file, "读取时程序异常退出，文件可能已损坏或是恶意构造的文件"), False, False

    def _timeout_reason(self, entry: Entry) -> str:
        seconds = self.limits.seconds_for(_size(entry.path))
        return f"读取超过 {seconds:.0f} 秒仍未完成，已停止读取（文件可能过大、已损坏或是恶意构造的文件）"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
