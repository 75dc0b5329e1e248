"""The office's settings as a command sees them: config.toml, the task matrix and the folders, loaded once."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Config, load_config
from .matrix import Matrix, load_matrix

# Where the input and output folders are when neither the command line nor config.toml [paths] names them.
DEFAULT_FOLDERS = {"input": Path("input"), "output": Path("output")}


@dataclass(frozen=True)
class Workspace:
    config: Config
    matrix: Matrix
    input_dir: Path
    output_dir: Path


def folder(config: Config, which: str, given: Path | str | None) -> Path:
    """Return the input or output folder: as given, else config.toml [paths], else input/ or output/."""
    return Path(given) if given is not None else Path(config.paths.get(which, DEFAULT_FOLDERS[which]))


def open_workspace(config_path: Path | str, input_dir: Path | str | None = None,
                   output_dir: Path | str | None = None) -> Workspace:
    """Load config.toml and the matrix it names; settle the folders a command reads and writes."""
    config = load_config(config_path)
    matrix = load_matrix(config.paths["matrix"], config.registry)
    return Workspace(config, matrix, folder(config, "input", input_dir), folder(config, "output", output_dir))
