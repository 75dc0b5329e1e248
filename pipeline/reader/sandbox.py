"""Read files in worker processes, so that a file which crashes, exhausts memory or hangs its parser costs one
finding, never the run.

Each worker reads one file at a time under a cap on its address space (Linux) and a wall-time limit per file
kept by the parent. A worker that aborts (python-calamine aborts when an allocation fails), runs out of memory,
crashes or overstays is killed and replaced, and its file becomes one unreadable-file finding. Workers are reused
across files, so a quarter of small files pays process start-up once per worker, not once per file.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..errors import StopRun
from ..findings import finding
from . import FileRead, ReadContext, not_read, read_file
from .folder import Entry
from .limits import _GB, LIMITS, Limits

Reader = Callable[[Path, ReadContext, Limits], FileRead]
_READY = "ready"
_SIGNALS_OF_MEMORY = {-getattr(signal, "SIGABRT", 6), -getattr(signal, "SIGKILL", 9)}


def read_files(entries: Sequence[Entry], make_ctx: Callable[[Entry], ReadContext], *, limits: Limits = LIMITS,
               jobs: int | None = None, on_file: Callable[[str], None] | None = None, reader: Reader = read_file,
               start_method: str | None = None) -> list[FileRead]:
    """Read every entry in worker processes; return one FileRead per entry, in the order of `entries`.

    `reader` must be a top-level function so a spawned worker can import it; tests pass one that misbehaves.
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
        workers = min(jobs or default_jobs(limits), len(tasks))
        with _Pool(workers, limits, reader, start_method or default_start_method()) as pool:
            for i, read in pool.run(tasks, make_ctx, on_file):
                results[i] = read
    return results  # type: ignore[return-value]  # every slot is filled above


def default_jobs(limits: Limits = LIMITS) -> int:
    """Use every CPU this process may run on, but no more workers than memory holds at the limit each."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return cpus
    return max(1, min(cpus, memory // max(limits.memory_bytes, 1)))


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
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context, reader: Reader):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, reader), daemon=True,
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


class _Pool:
    """Workers that read files one at a time each, replaced whenever one dies or is killed."""

    def __init__(self, jobs: int, limits: Limits, reader: Reader, start_method: str):
        self.jobs, self.limits, self.reader = jobs, limits, reader
        self.context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # Workers fork from a server that has already imported the readers (pandas, calamine) once.
            self.context.set_forkserver_preload([__name__])
        self.idle: list[_Worker] = []

    def __enter__(self) -> "_Pool":
        return self

    def __exit__(self, kind, *_) -> None:
        for worker in self.idle:
            worker.stop(kill=kind is not None)
        self.idle = []

    def run(self, tasks: deque, make_ctx, on_file) -> Iterator[tuple[int, FileRead]]:
        """Yield (index, FileRead) for every task as files finish, keeping up to `jobs` workers busy."""
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
                                 timeout=max(0.0, next_deadline - time.monotonic())))
                now = time.monotonic()
                for worker, (i, entry, deadline) in list(busy.items()):
                    if worker.conn in ready or worker.process.sentinel in ready:
                        outcome = self._collect(worker, entry)
                        if outcome is None:
                            continue
                        read, alive = outcome
                    elif now >= deadline:
                        worker.stop(kill=True)
                        read, alive = _refused(entry.file, self._timeout_reason(entry)), False
                    else:
                        continue
                    del busy[worker]
                    if alive:
                        self.idle.append(worker)
                    yield i, read
        finally:
            for worker in busy:
                worker.stop(kill=True)

    def _collect(self, worker: _Worker, entry: Entry) -> tuple[FileRead, bool] | None:
        """Take a worker's result, or turn its death into a finding; None while it has only said it is ready."""
        try:
            if worker.conn.poll():
                message = worker.conn.recv()
                if message == _READY:
                    worker.ready = True
                    return None
                read, alive = message
                if not alive:
                    worker.stop()
                return read, alive
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            pass
        worker.stop(kill=True)
        if not worker.ready:
            # Not the file's doing: the worker died before it could take one, so every file would fail alike.
            raise StopRun("读取文件的工作进程无法启动，请确认程序安装完整；仍不行请加 --debug 运行并把输出发给维护人员。")
        if worker.process.exitcode in _SIGNALS_OF_MEMORY:
            return _refused(entry.file, memory_reason(self.limits)), False
        return _refused(entry.file, "读取时程序异常退出，文件可能已损坏或是恶意构造的文件"), False

    def _timeout_reason(self, entry: Entry) -> str:
        seconds = self.limits.seconds_for(_size(entry.path))
        return f"读取超过 {seconds:.0f} 秒仍未完成，已停止读取（文件可能过大、已损坏或是恶意构造的文件）"


def memory_reason(limits: Limits) -> str:
    return (f"文件读取时占用内存超过每个文件 {limits.memory_bytes / _GB:g} GB 的上限，已停止读取"
            "（文件可能已损坏或是恶意构造的文件）")


def _refused(file: str, reason: str) -> FileRead:
    return FileRead(file, findings=(finding("unreadable-file", f"{reason}，未读取。", file=file),))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def serve(conn: Connection, reader: Reader) -> None:
    """Read the files the parent sends, one at a time, each under a cap on this process's memory, until told to stop."""
    # Ctrl-C is the parent's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start = _address_space() or 0
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        path, ctx, limits = task
        # Each file gets the whole budget over what the worker holds now, whatever earlier files left behind.
        limit_memory(limits.memory_bytes)
        try:
            read = reader(path, ctx, limits)
        except MemoryError:
            read = None
        except Exception as exc:  # noqa: BLE001 - a reader bug that one file triggers must not stop the run
            read = _refused(ctx.file, f"读取时程序出错（{type(exc).__name__}），请把该文件发给维护人员")
        # A worker left holding much memory, or one that ran out, makes way for a fresh one.
        fresh = read is not None and (_address_space() or 0) - start < limits.memory_bytes // 2
        try:
            conn.send((read or _refused(ctx.file, memory_reason(limits)), fresh))
        except MemoryError:
            conn.send((_refused(ctx.file, memory_reason(limits)), False))
        if not fresh:
            return


def limit_memory(budget: int) -> None:
    """Cap this process's address space at its present size plus `budget`, where the platform can."""
    try:
        import resource
    except ImportError:
        return      # Windows: no rlimits; the time limit and the pre-scans still hold
    size = _address_space()
    if size is None:
        return      # no /proc (macOS), where RLIMIT_AS is not enforced either
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + budget if hard == resource.RLIM_INFINITY else min(size + budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
