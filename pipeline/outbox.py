"""The outgoing side of the quarterly cycle: choose the quarter, read the previous one, write its forms atomically."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import StopRun
from .folders import find_periods, period_folder
from .forms import FormSet, build_forms
from .output import Staging, guard
from .period import Period
from .reading import ProgressFn, read_quarter
from .workspace import open_workspace

FORMS_FOLDER = "表格"


@dataclass(frozen=True)
class FormsResult:
    forms: FormSet
    folder: Path                 # <output>/<period>/表格
    written: tuple[str, ...]     # paths inside the folder


def forms_period(input_dir: Path, period: str | Period | None) -> Period:
    """Return the requested quarter, or else the one after the newest quarter folder: forms are for what comes next."""
    if period is not None:
        return period if isinstance(period, Period) else Period.parse(period)
    periods = find_periods(input_dir)
    if not periods:
        raise StopRun(f"输入目录 {input_dir} 中没有季度文件夹，无法推算下一季度；请用 --period 指定要发表格的季度，如 --period 2019Q3。")
    return periods[-1].next()


def write_forms(*, config_path: Path | str = "config.toml", input_dir: Path | str | None = None,
                output_dir: Path | str | None = None, period: str | Period | None = None, today: date | None = None,
                on_file: ProgressFn | None = None) -> FormsResult:
    """Write <output>/<period>/表格/: the quarter's forms, carrying over the previous quarter where it was received."""
    from .report.forms import write_forms as render  # rendering is the other edge

    today = today or date.today()
    ws = open_workspace(config_path, input_dir, output_dir)
    config, matrix, source, out_root = ws.config, ws.matrix, ws.input_dir, ws.output_dir
    guard(source, out_root)
    chosen = forms_period(source, period)
    folder = period_folder(source, chosen.previous())
    previous = read_quarter(folder, config, today, on_file) if folder is not None else None
    forms = build_forms(config, matrix, chosen, previous)
    target = out_root / str(chosen) / FORMS_FOLDER
    # A roster form carries the unit's own persons in full: it goes back to that unit only, so nothing is masked.
    with Staging(target, str) as staging:
        render(forms, staging, config.office, today)
        written = tuple(staging.written)
        staging.commit()
    return FormsResult(forms, target, written)

