"""Run the shipped input and the four-quarter demo with two versions of the code and compare every output's hash.

Usage: python bench/same_outputs.py BASE_REF [--keep DIR]. BASE_REF is exported with `git archive` into a scratch
folder; the working tree is the other side. Files that carry the run's clock (manifest.json) are compared with their
time fields removed; .xlsx/.docx/.parquet are compared byte for byte, since their writers are told a fixed time.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMED = {"manifest.json"}      # the run's start and end times and its timings


def digest(path: Path) -> str:
    data = path.read_bytes()
    if path.name in TIMED:
        doc = json.loads(data)
        for key in ("started", "finished", "timings", "seconds", "duration", "command", "cache"):
            doc.pop(key, None)
        data = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def run_all(code: Path, work: Path) -> dict[str, str]:
    """Run both inputs with the code at `code`; return {relative output path: hash}."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    py = [sys.executable, "-m", "pipeline.cli"]

    def jiekun(*args: str) -> None:
        subprocess.run([*py, *args], cwd=code, env=env, check=True, stdout=subprocess.DEVNULL)

    demo = work / "demo-input"
    jiekun("demo", "--quarters", "4", "--output", str(demo))
    for name, source, quarters in (("shipped", code / "input", ("2019Q1", "2019Q2")),
                                   ("demo", demo, ("2019Q1", "2019Q2", "2019Q3", "2019Q4"))):
        for q in quarters:
            jiekun("run", "--period", q, "--input", str(source), "--output", str(work / name), "--no-cache",
                   "--date", "2019-07-05")
    jiekun("rollup", str(work / "demo" / "2019Q2"), "--output",
           str(work / "rollup"), "--date", "2019-07-10", "--detail")
    return {str(p.relative_to(work)): digest(p) for p in sorted(work.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    scratch = Path(args.keep or tempfile.mkdtemp(prefix="same-outputs-"))
    base_code = scratch / "base-code"
    base_code.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", args.base], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base_code)], input=archive, check=True)
    before = run_all(base_code, scratch / "before")
    after = run_all(REPO, scratch / "after")
    differ = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    only = sorted(before.keys() ^ after.keys())
    print(f"{len(before)} files before, {len(after)} after; {len(differ)} differ; {len(only)} on one side only")
    for k in differ:
        print(f"  differs: {k}")
    for k in only:
        print(f"  only {'before' if k in before else 'after'}: {k}")
    return 1 if differ or only else 0


if __name__ == "__main__":
    sys.exit(main())
