"""manifest.json: what a run read and used, so the office can prove it. The one output that carries a time."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .cache import file_sha256


def manifest(result, command: str, started: datetime, finished: datetime) -> dict:
    """Describe the run: version, command, every input entry, every parameter value used, and the time taken."""
    from . import __version__

    config = result.config
    rows: dict[str, list] = {}
    for i in result.context.inputs:
        rows.setdefault(i.file, []).append(i)
    inputs = []
    for fr in result.files:
        entry = {"file": fr.file, "kind": fr.kind}
        if fr.sha256:
            entry.update(sha256=fr.sha256, size=fr.size)
        if fr.skipped_reason:
            entry["reason"] = fr.skipped_reason
        sheets = rows.get(fr.file, [])
        entry["sheets"] = [{"sheet": s.sheet, "kind": s.kind, "unit": s.unit, "rows_read": s.rows_read,
                            "rows_used": s.rows_used, "rows_reported": s.rows_reported,
                            "rows_set_aside": s.rows_set_aside} for s in sheets]
        inputs.append(entry)
    parameters = [{"name": s.name, "label": s.label, "value": float(s.value), "start": s.start.isoformat(),
                   "months": list(s.months), "source": s.source} for s in result.context.standards]
    return {
        "jiekun": __version__,
        "command": command,
        "period": str(result.period),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "config": {"file": config.path.name, "sha256": file_sha256(config.path)},
        "matrix": {"file": Path(config.paths["matrix"]).name, "sha256": file_sha256(Path(config.paths["matrix"]))},
        "input_folder": result.folder.name,
        "inputs": inputs,
        "parameters": parameters,
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "parse_cache": {"hits": result.cache_hits, "misses": result.cache_misses},
    }


def manifest_json(result, command: str, started: datetime, finished: datetime) -> str:
    return json.dumps(manifest(result, command, started, finished), ensure_ascii=False, indent=2) + "\n"
