"""The files that ship inside the package: report templates, the default config and matrix, the working-folder kit."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(name: str) -> Path:
    """Return the path of one file or folder under the package's data/ (templates, config.toml, matrix.toml…)."""
    # data/ holds links to the repository's top-level templates/, config.toml and matrix.toml, copied into the wheel
    # as real files: one source in the checkout, and an installed jiekun finds them wherever it is run from.
    found = resources.files("pipeline") / "data" / name
    # jiekun is installed as files on disk (pip, pipx, a venv), never imported from a zip, so a Traversable is a Path.
    return Path(str(found))


def templates_dir() -> Path:
    """Return the report templates that ship with jiekun, used when config.toml names no templates folder."""
    return shipped("templates")
