"""jiekun (解困): the quarterly dispatch pipeline for 青山湖区's urban poor-relief plan."""
from __future__ import annotations

import importlib

__version__ = "0.2.0"

# The library's entry points, imported on first use: `jiekun --help` and the lighter commands then start without
# the reader, pandas and the renderers that `from pipeline import run` brings in.
_EXPORTS = {"run": "dispatch", "check": "dispatch", "RunResult": "dispatch", "CheckResult": "dispatch",
            "StopRun": "errors", "rollup": "merge", "RollupResult": "merge", "Period": "period"}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
