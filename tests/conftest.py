"""Factories that build small real workbooks inside a test, and a quarter folder to run on."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRESS_HEADER = ["任务编号", "工作任务", "政策措施", "完成状态", "完成进度", "进展情况", "存在问题", "下步计划", "惠及人数", "投入资金（万元）"]
ROSTER_HEADER = ["户编号", "姓名", "公民身份号码", "与户主关系", "所属镇街", "社区", "救助类别", "家庭月人均收入", "家庭月刚性支出",
                 "残疾等级", "失能情况", "供养方式", "劳动能力", "就业状况", "孤儿", "享受起始年月", "停发年月"]
TODAY = date(2019, 7, 1)


def valid_id(region: str = "360111", born: str = "19800101", seq: int = 123) -> str:
    """Return a checksum-valid ID for the given birth date and sequence."""
    from pipeline.ids import check_char
    body = f"{region}{born}{seq:03d}"
    return body + check_char(body)


def demo_project(root: Path, quarters: int, *, district: str | None = None, seed: int = 20190330) -> Path:
    """Lay out a scratch project in root: the shipped config and matrix, and the demo input.

    `district` renames the office's district (config.toml [office] district and name); `seed` draws other people.
    """
    from pipeline.config import load_config
    from pipeline.demo import write_demo
    from pipeline.matrix import load_matrix
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / name, root / name)
    if district:
        text = (root / "config.toml").read_text(encoding="utf-8")
        for key in ("district", "name"):
            text = re.sub(rf'^{key} = "青山湖区', f'{key} = "{district}', text, count=1, flags=re.M)
        (root / "config.toml").write_text(text, encoding="utf-8")
    config = load_config(root / "config.toml")
    write_demo(root / "input", config, load_matrix(config.paths["matrix"], config.registry), quarters=quarters,
               seed=seed)
    return root


@pytest.fixture(autouse=True, scope="session")
def cache_key_home(tmp_path_factory):
    """Keep the parse cache's key in a scratch folder, so that no test touches the real home."""
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("config-home")
        mp.setenv("JIEKUN_CONFIG_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def config():
    """The shipped config.toml, read once."""
    from pipeline.config import load_config
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="session")
def matrix(config):
    """The shipped task-division matrix, read once."""
    from pipeline.matrix import load_matrix
    return load_matrix(config.paths["matrix"], config.registry)


def shipped_project(root: Path, *quarters: str) -> Path:
    """Copy config.toml, matrix.toml and the shipped input's `quarters` (all of input/ when none) into `root`."""
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / name, root / name)
    for quarter in quarters or [p.name for p in (ROOT / "input").iterdir() if p.is_dir()]:
        shutil.copytree(ROOT / "input" / quarter, root / "input" / quarter)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Copy config.toml and matrix.toml into a scratch project folder; reports use the templates jiekun ships."""
    for name in ("config.toml", "matrix.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "input" / "2019Q2").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def quarter_dir(project: Path) -> Path:
    return project / "input" / "2019Q2"


class Book:
    """Build one sheet: title rows, a header, data rows; save as xlsx."""

    def __init__(self, folder: Path):
        self.folder = folder

    def progress(self, name: str, unit: str | None, reported: str | date | None, rows: list[list], *,
                 header: list[str] = PROGRESS_HEADER, title: str = "青山湖区城镇贫困群众脱贫解困工作重点任务进展情况表（2019年第二季度）") -> Path:
        lines: list[list] = [[title]]
        meta = []
        if unit is not None:
            meta += [f"填报单位：{unit}", None, None, None]
        if reported is not None:
            meta += ["填报日期：", reported] if isinstance(reported, date) else [f"填报日期：{reported}"]
        lines.append(meta)
        lines.append(list(header))
        lines.extend(rows)
        return self.save(name, lines)

    def roster(self, name: str, unit: str, rows: list[list], *, header: list[str] = ROSTER_HEADER) -> Path:
        lines = [[f"{unit}城镇困难群众救助对象台账"], [f"填报单位：{unit}"], list(header), *rows]
        return self.save(name, lines)

    def save(self, name: str, lines: list[list], sheet: str = "Sheet1") -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        for r, line in enumerate(lines, start=1):
            for c, value in enumerate(line, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        path = self.folder / name
        wb.save(path)
        return path


@pytest.fixture
def book(quarter_dir: Path) -> Book:
    return Book(quarter_dir)


def full_progress_rows(tasks: list[int], status: str = "推进中", progress: object = 60) -> list[list]:
    return [[t, "", "", status, progress, "按计划推进", "无", "继续推进", 10, 1.5] for t in tasks]


def set_parameter(project, name: str, table: str) -> None:
    """Replace the [parameters.<name>] table of the project's config.toml with `table`."""
    text = (project / "config.toml").read_text(encoding="utf-8")
    start = text.index(f"[parameters.{name}]")
    end = text.index("\n[", start + 1)
    (project / "config.toml").write_text(text[:start] + table.strip() + "\n" + text[end:], encoding="utf-8")


def run_check(project: Path, period: str = "2019Q2"):
    from pipeline import check
    return check(config_path=project / "config.toml", input_dir=project / "input", period=period)


def cells_of(result, code: str) -> list[tuple]:
    """Return the findings of one code as (row, column, code) tuples."""
    return sorted(((f.row, f.column, f.code) for f in result.findings if f.code == code), key=str)
