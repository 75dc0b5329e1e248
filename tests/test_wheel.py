"""The wheel a clerk installs carries its templates, config and matrix, and its jiekun works away from the repository.

The wheel is built from this checkout and installed, without dependencies, into a scratch venv; the dependencies come
from the interpreter running the tests, put on PYTHONPATH. `.ci/wheel` does the whole thing with a real install.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, Book, full_progress_rows

SOURCES = ("pyproject.toml", "README.md", "config.toml", "matrix.toml", "templates", "pipeline")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Build the wheel and install it into a fresh venv; return the venv's bin folder and the environment to run in."""
    scratch = tmp_path_factory.mktemp("wheel")
    # From a copy of what the build reads, links kept: setuptools would reuse a stale build/ left in the checkout.
    source = scratch / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                            str(scratch / "dist"), str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel, = (scratch / "dist").glob("jiekun-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"pipeline/data/config.toml", "pipeline/data/matrix.toml", "pipeline/data/templates/dispatch.html.j2",
            "pipeline/data/launcher.bat", "pipeline/data/guide.txt"} <= set(names)
    # The venv's own pip: one run from the tests' interpreter would see that interpreter's editable jiekun.
    venv.create(scratch / "venv", with_pip=True)
    bin_dir = scratch / "venv" / "bin"
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                           str(wheel)], env=clean, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    # The dependencies of the running tests, and nothing of the checkout: PYTHONPATH names only their site-packages.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    return bin_dir, env


def test_the_installed_jiekun_finds_its_templates_away_from_the_repository(installed, tmp_path):
    bin_dir, env = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where).is_relative_to(bin_dir.parent) and not Path(where).is_relative_to(ROOT)

    jiekun = str(bin_dir / "jiekun")
    assert subprocess.run([jiekun, "init", "解困工作"], cwd=tmp_path, env=env, capture_output=True).returncode == 0
    folder = tmp_path / "解困工作"
    assert (folder / "config.toml").read_bytes() == (ROOT / "config.toml").read_bytes()
    (folder / "input" / "2019Q2").mkdir()
    Book(folder / "input" / "2019Q2").progress("湖坊镇.xlsx", "湖坊镇", "2019-06-18", full_progress_rows([1]))
    done = subprocess.run([jiekun, "run"], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "调度报告" in (folder / "output" / "2019Q2" / "调度报告-2019Q2.html").read_text(encoding="utf-8")
