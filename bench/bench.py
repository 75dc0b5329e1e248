"""Benchmark cold quarter runs at district, half-year, city and province size; print Markdown tables for the README.

usage: python bench/bench.py [--sizes district,half-year,city,province] [--runs 3] [--no-naive]

Inputs come from the demo generator (pipeline.demo.write_demo) with more households per town, subdistrict and
park, and are kept in .bench/inputs/ between runs (regenerated when the generator changes). Every size runs Q1
but half-year, a larger district's Q2, which reads Q1 again for the half-year bulletin.
Each measured run is a fresh process on a fresh output folder, so its wall time includes Python start-up and
its peak memory is its own. Beside each run the script measures the read floor, fastexcel reading the same
spreadsheets into Arrow, and at district and city size the naive pandas + openpyxl script bench/naive.py.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

BOOTED = time.time()        # the interpreter is up; nothing of jiekun is imported yet
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"
# Households each town, subdistrict and park lists before the year, and the quarter run: Q1 then holds about 20k,
# 200k and 1M persons; half-year is the 54k-person Q2, which reads both quarters.
SIZES = {"district": (950, 1), "half-year": (2_500, 2), "city": (9_500, 1), "province": (47_500, 1)}
NAIVE_SIZES = ("district", "city")
# Issue 21's targets: wall seconds, jiekun ÷ read floor, naive ÷ jiekun, warm ÷ cold (None: no target).
TARGETS = {"district": (1.5, 6, 6, 0.33), "half-year": (4, 4, None, 0.33), "city": (5, 3, 8, 0.33),
           "province": (25, 2.5, None, 0.33)}
# What each command may import: --help nothing of the library, check and forms no renderer they do not use.
COMMANDS = {"jiekun --help": ("pipeline.cli",), "check": ("pipeline.dispatch", "pipeline.report.terminal"),
            "forms": ("pipeline.outbox",), "run": ("pipeline.dispatch", "pipeline.report.catalogue")}
HEAVY = ("pandas", "pyarrow", "numpy", "python_calamine", "xlsxwriter", "jinja2", "docx", "openpyxl")
TODAY = date(2019, 7, 1)
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


# --- inputs -----------------------------------------------------------------------------------------------------

def inputs(size: str) -> Path:
    """Return the input folder for a size, generating it when the generator or config has changed."""
    households, quarters = SIZES[size]
    digest = hashlib.sha256(str((households, quarters) if quarters > 1 else households).encode())
    for name in ("pipeline/demo.py", "pipeline/demo_people.py", "config.toml", "matrix.toml"):
        digest.update((ROOT / name).read_bytes())
    folder = WORK / "inputs" / f"{size}-{digest.hexdigest()[:12]}"
    if not folder.is_dir():
        sys.path.insert(0, str(ROOT))
        from pipeline.config import load_config
        from pipeline.demo import write_demo
        from pipeline.matrix import load_matrix

        print(f"generating {size} input ({households} households per town) …", file=sys.stderr, flush=True)
        config = load_config(ROOT / "config.toml")
        scratch = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(scratch, ignore_errors=True)
        write_demo(scratch, config, load_matrix(config.paths["matrix"], config.registry), quarters=quarters,
                   households=households)
        scratch.rename(folder)
    return folder


# --- one measured run, in its own process -------------------------------------------------------------------------

def period_of(size: str) -> str:
    return f"2019Q{SIZES[size][1]}"


def run_jiekun(input_dir: Path, output_dir: Path, period: str, cache: bool = False) -> dict:
    """Run one quarter (cold: no parse cache) and return seconds per stage as the run reports them."""
    from pipeline import dispatch

    result = dispatch.run(config_path=ROOT / "config.toml", input_dir=input_dir, output_dir=output_dir,
                          period=period, cache=cache)
    return {"stages": dict(result.timings), "persons": len(result.quarter.roster), "files": len(result.files),
            "dibao_gap": _dibao_gap(result.benefits)}


def _dibao_gap(benefits) -> float:
    """Return the quarter's 低保 差额 in yuan, the one figure the naive script computes too."""
    by_unit = benefits.by_unit
    return int(by_unit.loc[by_unit["category"] == "低保", "gap_fen"].sum()) / 100


def read_floor(input_dir: Path, period: str) -> dict:
    """Read every spreadsheet the run reads (its year's quarters up to `period`) into Arrow with fastexcel; time it."""
    import fastexcel

    quarters = [f"{period[:5]}{q}" for q in range(1, int(period[-1]) + 1)]
    paths = sorted(p for q in quarters for p in (input_dir / q).rglob("*") if p.suffix.lower() in SPREADSHEETS)
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        reader = fastexcel.read_excel(path.read_bytes())
        for i in range(len(reader.sheet_names)):
            # The Arrow C data interface builds the record batch; no pyarrow is needed to hold it.
            reader.load_sheet(i, header_row=None)._sheet.__arrow_c_array__(None)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "files": len(paths)}


def start_up(runs: int) -> list[dict]:
    """Time each command's imports in fresh processes (median) and name the heavy libraries each one loads."""
    rows = []
    for command, modules in COMMANDS.items():
        args = ["-c", "import sys; sys.argv = ['jiekun', '--help']; import " + ", ".join(modules)]
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            seconds.append(time.perf_counter() - start)
        probe = ("import json, sys; import " + ", ".join(modules) +
                 f"; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
        loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
        rows.append({"command": command, "seconds": statistics.median(seconds), "loads": json.loads(loaded)})
    return rows


def compile_sources() -> None:
    """Write jiekun's bytecode once, as an installed jiekun has it, so no run measures compiling the sources."""
    import compileall

    compileall.compile_dir(ROOT / "pipeline", quiet=1)


# --- the driver ---------------------------------------------------------------------------------------------------

def measure(args: list[str]) -> dict:
    """Run a child process; return its JSON report with its wall time and the peak RSS of its process tree."""
    start = time.time()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, cwd=ROOT)
    peak = _watch(child)
    out, _ = child.communicate()
    end = time.time()
    if child.returncode:
        raise SystemExit(f"failed: {' '.join(args)}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    report["wall"] = end - start
    report["rss_mb"], report["pss_mb"] = max(peak[0], report.get("rusage_mb", 0.0)), peak[1]
    if "booted" in report:
        report["startup"], report["exit"] = report["booted"] - start, end - report["done"]
    return report


def _watch(child: subprocess.Popen) -> tuple[float, float]:
    """Sample the memory of a process and its children until it ends; return the peak sums of RSS and PSS in MB.

    Forked workers share the parent's pages, so summed RSS counts those pages once per process; PSS shares each
    page out among the processes that map it, and its sum is the memory the run really holds. PSS is read every
    100 ms only, as reading it costs the busy machine more than RSS every 20 ms.
    """
    try:
        import psutil
    except ImportError:
        return 0.0, 0.0
    peak_rss = peak_pss = 0
    tick = 0
    try:
        proc = psutil.Process(child.pid)
        while child.poll() is None:
            rss = pss = 0
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    if tick % 5 == 0:
                        full = p.memory_full_info()
                        rss, pss = rss + full.rss, pss + full.pss
                    else:
                        rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            tick += 1
            time.sleep(0.02)
    except psutil.Error:
        pass
    return peak_rss / 2 ** 20, peak_pss / 2 ** 20


def _rusage() -> dict:
    """CPU seconds of this process and its finished children, and its peak RSS plus its largest child's (MB)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
            "rusage_mb": (own.ru_maxrss + children.ru_maxrss) / 1024}     # Linux reports kB


def bench_size(size: str, runs: int, naive: bool) -> dict:
    folder = inputs(size)
    period = period_of(size)
    me = str(Path(__file__).resolve())
    jiekun, floors, naives = [], [], []
    for i in range(runs):
        out = WORK / "output" / size
        shutil.rmtree(out, ignore_errors=True)
        jiekun.append(measure([me, "--child-run", str(folder), str(out), period]))
        floors.append(measure([me, "--child-floor", str(folder), period]))
        if naive and size in NAIVE_SIZES:
            naives.append(measure([str(ROOT / "bench" / "naive.py"), str(folder / period)]))
        print(f"  {size} run {i + 1}/{runs}: {jiekun[-1]['wall']:.2f} s", file=sys.stderr, flush=True)
    warm = warm_rerun(folder, size, me, period)
    stages = {s: statistics.median(r["stages"].get(s, 0.0) for r in jiekun) for s in jiekun[0]["stages"]}
    wall = statistics.median(r["wall"] for r in jiekun)
    floor = statistics.median(r["seconds"] for r in floors)
    for name in ("startup", "imports", "exit"):
        stages[name] = statistics.median(r[name] for r in jiekun)
    return {"size": size, "persons": jiekun[0]["persons"], "files": jiekun[0]["files"], "wall": wall,
            "cpu": statistics.median(r["cpu"] for r in jiekun), "stages": stages,
            "rss_mb": statistics.median(r["rss_mb"] for r in jiekun),
            "pss_mb": statistics.median(r["pss_mb"] for r in jiekun), "period": period,
            "floor": floor, "floor_files": floors[0]["files"],
            "floor_cpu": statistics.median(r["cpu"] for r in floors),
            "naive": statistics.median(r["wall"] for r in naives) if naives else None,
            "gaps": (jiekun[0]["dibao_gap"], naives[0]["total"]) if naives else None, "warm": warm}


def warm_rerun(folder: Path, size: str, me: str, period: str) -> dict:
    """Fill the caches with one run, resubmit one roster (same cells, new bytes), and time the rerun (wall, CPU)."""
    copy = WORK / "warm" / size
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, copy_function=os.link)
    out = WORK / "output" / f"{size}-warm"
    shutil.rmtree(out, ignore_errors=True)
    measure([me, "--child-run-cached", str(copy), str(out), period])
    roster = next(p for p in sorted((copy / period).iterdir()) if "台账" in p.name)
    resubmit(roster)
    report = measure([me, "--child-run-cached", str(copy), str(out), period])
    return {"wall": report["wall"], "cpu": report["cpu"],
            "stages": {**report["stages"], **{k: report[k] for k in ("startup", "imports", "exit")}}}


def resubmit(path: Path) -> None:
    """Rewrite a workbook as a unit's resubmission would arrive: the same cells, a new save time, new bytes."""
    data = path.read_bytes()
    path.unlink()                       # the copy is a hard link: never write through it into the shared input
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            body = old.read(item)
            if item.filename == "docProps/core.xml":
                body = body.replace(b"</cp:coreProperties>", b"<dc:description>resubmitted</dc:description>"
                                                               b"</cp:coreProperties>")
            new.writestr(item, body)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
        ram = f"{kb / 2 ** 20:.0f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{cpu}, {os.cpu_count()} cores, {ram}, Python {platform.python_version()}, {platform.system()}"


def verdicts(results: list[dict]) -> list[str]:
    """Return the issue's four columns against their targets, one row per size."""
    lines = ["", "Against issue 21's targets (✓ met, ✗ not met):", "",
             "| size | wall | jiekun ÷ read floor | naive ÷ jiekun | warm ÷ cold |", "|---|---:|---:|---:|---:|"]
    for r in results:
        wall, floor, naive, warm = TARGETS[r["size"]]
        cells = [(r["wall"], wall, "≤", " s"), (r["wall"] / r["floor"], floor, "≤", ""),
                 (r["naive"] / r["wall"] if r["naive"] else None, naive, "≥", ""),
                 (r["warm"]["wall"] / r["wall"], warm, "≤", "")]
        out = []
        for value, target, sense, unit in cells:
            if value is None or target is None:
                out.append("—")
                continue
            met = value <= target if sense == "≤" else value >= target
            out.append(f"{value:.2f}{unit} {'✓' if met else '✗'} ({sense} {target:g}{unit})")
        lines.append(f"| {r['size']} | " + " | ".join(out) + " |")
    return lines


def start_up_table(rows: list[dict]) -> list[str]:
    lines = ["", "Start-up: a fresh Python importing what each command needs (median), and the heavy libraries "
             "it loads:", "", "| command | seconds | loads |", "|---|---:|---|"]
    lines += [f"| {r['command']} | {r['seconds']:.2f} | {', '.join(r['loads']) or '—'} |" for r in rows]
    return lines


def table(results: list[dict], runs: int) -> str:
    lines = [f"Machine: {machine()}. Cold runs (fresh process, fresh output, no cache), median of {runs}.", "",
             "| size | quarter | persons | files | jiekun wall | jiekun CPU | peak PSS | peak RSS sum | read floor "
             "| jiekun ÷ floor | CPU ÷ floor CPU | read ÷ floor | naive | naive ÷ jiekun | warm rerun "
             "| warm ÷ cold | warm CPU | warm ÷ cold CPU |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        naive = f"{r['naive']:.2f} s" if r["naive"] else "—"
        ratio = f"{r['naive'] / r['wall']:.1f}" if r["naive"] else "—"
        lines.append(f"| {r['size']} | {r['period'][-2:]} | {r['persons']:,} | {r['files']} | {r['wall']:.2f} s | "
                     f"{r['cpu']:.2f} s | {r['pss_mb']:,.0f} MB | {r['rss_mb']:,.0f} MB | "
                     f"{r['floor']:.2f} s | {r['wall'] / r['floor']:.1f} | {r['cpu'] / r['floor_cpu']:.1f} | "
                     f"{r['stages']['read'] / r['floor']:.1f} | "
                     f"{naive} | {ratio} | {r['warm']['wall']:.2f} s | {r['warm']['wall'] / r['wall']:.2f} | "
                     f"{r['warm']['cpu']:.2f} s | {r['warm']['cpu'] / r['cpu']:.2f} |")
    outside = {"startup": "Python start-up", "imports": "imports", "exit": "exit (freeing memory)"}
    names = list(dict.fromkeys(s for r in results for s in r["stages"] if s not in outside and s != "commit"))
    lines += ["", "Seconds per stage (wall, median of each):", "",
              "| stage | " + " | ".join(r["size"] for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    for name in ["startup", "imports", *names, "commit", "exit"]:
        label = outside.get(name, name)
        lines.append(f"| {label} | " + " | ".join(f"{r['stages'].get(name, 0.0):.2f}" for r in results) + " |")
    lines.append("| **total** | " + " | ".join(f"**{r['wall']:.2f}**" for r in results) + " |")
    lines += ["", "Seconds per stage of the warm rerun (wall):", "",
              "| stage | " + " | ".join(r["size"] for r in results) + " |", "|---|" + "---:|" * len(results)]
    for name in ["startup", "imports", *names, "write", "exit"]:
        label = outside.get(name, name)
        lines.append(f"| {label} | " + " | ".join(f"{r['warm']['stages'].get(name, 0.0):.2f}" for r in results) + " |")
    lines.append("| **total** | " + " | ".join(f"**{r['warm']['wall']:.2f}**" for r in results) + " |")
    checked = [f"{r['size']} {r['gaps'][0]:,.2f} yuan "
               f"({'the same' if r['gaps'][0] == r['gaps'][1] else 'naive: ' + format(r['gaps'][1], ',.2f')})"
               for r in results if r["gaps"]]
    if checked:
        lines += ["", "低保 差额, jiekun against the naive script: " + "; ".join(checked) + "."]
    lines += ["", "Wall times include Python start-up and imports (jiekun's bytecode written beforehand, as an "
              "installed jiekun has it); CPU is the run's user and system time, which shows how much a busy machine "
              "stretched the wall time, and CPU ÷ floor CPU is the ratio a busy machine does not stretch. The read "
              "floor is fastexcel reading the same spreadsheets into Arrow in one process, without start-up (for a "
              "Q2 run, both quarters' files); CSV files are left out of it. Peak PSS is the memory the run and its "
              "reading workers hold together; the summed RSS counts the pages forked workers share with the run "
              "once per process. The naive script (bench/naive.py) reads the rosters with pandas and openpyxl and "
              "computes the 低保 差额 only. "
              "The warm rerun runs the quarter again with the caches after one unit resubmits its roster "
              "(the same cells saved anew): only that file is read again, and only its part of the benefits and of "
              "the person detail is made again (unit_parts.py); its CPU counts the reading worker's."]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child-run"]:
        sys.path.insert(0, str(ROOT))
        for module in ("pipeline.dispatch", "pipeline.report.excel", "pipeline.report.html"):
            importlib.import_module(module)     # timed on their own, before the stages
        imported = time.time()
        report = run_jiekun(Path(argv[1]), Path(argv[2]), argv[3])
        print(json.dumps({**report, **_rusage(), "booted": BOOTED, "imports": imported - BOOTED, "done": time.time()}))
        return
    if argv[:1] == ["--child-run-cached"]:
        sys.path.insert(0, str(ROOT))
        for module in ("pipeline.dispatch", "pipeline.report.excel", "pipeline.report.html"):
            importlib.import_module(module)     # timed on their own, as for a cold run
        imported = time.time()
        report = run_jiekun(Path(argv[1]), Path(argv[2]), argv[3], cache=True)
        print(json.dumps({**report, **_rusage(), "booted": BOOTED, "imports": imported - BOOTED, "done": time.time()}))
        return
    if argv[:1] == ["--child-floor"]:
        print(json.dumps(read_floor(Path(argv[1]), argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pandas + openpyxl baseline")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    compile_sources()
    commands = start_up(args.runs)
    results = [bench_size(size, args.runs, not args.no_naive) for size in sizes]
    print("\n".join([table(results, args.runs), *verdicts(results), *start_up_table(commands)]))


if __name__ == "__main__":
    main(sys.argv[1:])
