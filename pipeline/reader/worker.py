"""The worker side of the sandbox: read files one at a time under a memory cap, die with the parent, keep stderr.

Everything here runs inside a worker process. What a worker or its parsers print (Python tracebacks, Rust panics,
"Fatal Python error" dumps) goes to a log file the parent reads when the worker dies; never to the clerk's terminal.
"""
from __future__ import annotations

import ctypes
import faulthandler
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable

from ..findings import finding
from . import FileRead, ReadContext
from .limits import _GB, Limits

Reader = Callable[[Path, ReadContext, Limits], FileRead]
# A worker answers in bytes the parent decodes as data, never as a pickle: a worker parsing a hostile file is the one
# process that could be subverted, and unpickling its answer would let it run code in the clerk's run.
READY = b"ready"
_FRESH, _SPENT = b"F", b"S"
# How a worker that ran out of memory ends: at once, without building a result, since any allocation may fail now.
MEMORY_EXIT = 86
_PR_SET_PDEATHSIG = 1
_PARENT_POLL = 0.2          # seconds between the watchdog's looks at the parent
# Tests clear this to prove the watchdog thread alone ends a worker whose parent died.
USE_PDEATHSIG = True
_logging = False            # set once fd 2 is the worker's own log, the only file this module may truncate


def serve(conn: Connection, reader: Reader, parent: int, log: str) -> None:
    """Read the files the parent sends, one at a time, each under a cap on this process's memory, until told to stop."""
    keep_stderr(log)
    die_with_parent(parent)
    # Ctrl-C is the parent's to handle; it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Out of memory in any thread ends the worker at once: a thread left waiting on the failed one would hang it.
    threading.excepthook = _end_on_memory(threading.excepthook)
    sys.unraisablehook = _end_on_memory(sys.unraisablehook)
    start = address_space() or 0
    conn.send_bytes(READY)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        path, ctx, limits = task
        _truncate_log()
        # Each file gets the whole budget over what the worker holds now, whatever earlier files left behind.
        limit_memory(limits.memory_bytes)
        fresh = True
        try:
            read = reader(path, ctx, limits)
        except MemoryError:
            os._exit(MEMORY_EXIT)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a reader bug (or a parser's panic) costs one file, not the run
            read = refused(ctx.file, f"读取时程序出错（{type(exc).__name__}），请把该文件发给维护人员")
            # A panic may leave the parser's state broken: the next file gets a fresh worker.
            fresh = isinstance(exc, Exception)
        # A worker left holding much memory makes way for a fresh one.
        fresh = fresh and (address_space() or 0) - start < limits.memory_bytes // 2
        try:
            conn.send_bytes(to_wire(read, fresh, ctx.file))
        except MemoryError:
            os._exit(MEMORY_EXIT)
        if not fresh:
            return


def to_wire(read: FileRead, fresh: bool, file: str) -> bytes:
    """Encode a worker's answer in the parse cache's data-only format, with whether the worker can take another."""
    from ..cache_format import Unsupported, encode

    try:
        body = encode(read, {})
    except Unsupported:
        body = encode(refused(file, "读取结果无法传回（程序内部错误），请把该文件发给维护人员"), {})
    return (_FRESH if fresh else _SPENT) + body


def from_wire(message: bytes) -> tuple[FileRead, bool]:
    """Decode a worker's answer as data; anything malformed raises ValueError."""
    from ..cache_format import decode, header_of

    if message[:1] not in (_FRESH, _SPENT):
        raise ValueError("not a worker's answer")
    try:
        return decode(*header_of(message[1:])), message[:1] == _FRESH
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the bytes are, they are only a malformed answer
        raise ValueError(f"malformed answer: {type(exc).__name__}") from None


def _end_on_memory(hook):
    """Wrap an exception hook so that a MemoryError ends the process at once, and anything else goes on to `hook`."""
    def handle(args) -> None:
        if isinstance(getattr(args, "exc_value", None), MemoryError):
            os._exit(MEMORY_EXIT)
        hook(args)
    return handle


def refused(file: str, reason: str) -> FileRead:
    return FileRead(file, findings=(finding("unreadable-file", f"{reason}，未读取。", file=file),))


def memory_reason(limits: Limits) -> str:
    return (f"文件读取时占用内存超过每个文件 {limits.memory_bytes / _GB:.3g} GB 的上限，已停止读取"
            "（文件可能已损坏或是恶意构造的文件）")


def keep_stderr(log: str) -> None:
    """Send this process's stderr, at the file-descriptor level where native code writes, to the worker's log."""
    # A Rust panic prints a backtrace when asked to; printing it allocates, which fails when memory is what ran out.
    os.environ["RUST_BACKTRACE"] = "0"
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (ImportError, ValueError, OSError):
        pass        # no core dump: writing one of a 4 GB process takes long, and would land in the clerk's folder
    try:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass
    os.dup2(fd, 2)
    os.close(fd)
    global _logging
    _logging = True
    if faulthandler.is_enabled():
        # Whoever enabled it (pytest does) gave it a copy of the terminal's stderr; point it at the log instead.
        faulthandler.enable(file=sys.stderr if sys.stderr and _fileno(sys.stderr) == 2 else open(2, "w", closefd=False))


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _truncate_log() -> None:
    """Start the log afresh for each file, so what the parent reads after a death is about that file."""
    if _logging:
        try:
            os.ftruncate(2, 0)
        except OSError:
            pass


def die_with_parent(parent: int) -> None:
    """End this worker as soon as the process that started it ends, however it ends (even by SIGKILL)."""
    if USE_PDEATHSIG and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # The signal fires when the thread that started this worker ends; the parent may have died before it was set.
    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="jiekun-parent-watch").start()


def _watch_parent(parent: int) -> None:
    """Poll the parent where no signal tells of its death: its pid, and the sentinel multiprocessing keeps for it."""
    handle = multiprocessing.parent_process()
    sentinel = getattr(handle, "sentinel", None)
    while True:
        try:
            if sentinel is not None:
                gone = bool(wait([sentinel], _PARENT_POLL))
            else:
                threading.Event().wait(_PARENT_POLL)
                gone = False
        except (OSError, ValueError):
            sentinel, gone = None, False
        if gone or os.getppid() != parent:
            os._exit(0)


def limit_memory(budget: int) -> None:
    """Cap this process's address space at its present size plus `budget`, where the platform can."""
    try:
        import resource
    except ImportError:
        return      # Windows: no rlimits; the time limit and the pre-scans still hold
    size = address_space()
    if size is None:
        return      # no /proc (macOS), where RLIMIT_AS is not enforced either
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + budget if hard == resource.RLIM_INFINITY else min(size + budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def address_space(pid: int | str = "self") -> int | None:
    """Return a process's address space in bytes from /proc, or None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
