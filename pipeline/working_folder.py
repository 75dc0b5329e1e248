"""A clerk's working folder: what `jiekun init` lays out in it, and what to do next in it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from string import Template

from .errors import StopRun
from .period import Period
from .resources import shipped

CONFIG = "config.toml"
MATRIX = "matrix.toml"
GUIDE = "使用说明.txt"
LAUNCHER = "双击运行.bat"
FOLDERS = ("input", "output")
# What the launcher runs: the newest quarter, then the dispatch report opened in the browser.
LAUNCH_ARGS = "run --open"
_EXAMPLE = "2019Q2"


@dataclass(frozen=True)
class Laid:
    """A working folder `init` laid out: where it is and the files it wrote there, in order."""

    folder: Path
    written: tuple[str, ...]


def config_in(folder: Path | None, config_path: Path | None) -> Path:
    """Return the config a command uses: --config as given, else the one in --dir, else the current folder's."""
    if config_path is not None:
        return config_path
    return (folder or Path()) / CONFIG


def launcher_text() -> str:
    """Return the Windows launcher, from its one template, with the CRLF line ends cmd.exe needs."""
    text = Template(shipped("launcher.bat").read_text(encoding="utf-8")).substitute(args=LAUNCH_ARGS)
    return "".join(line + "\r\n" for line in text.splitlines())


def guide_text(folder: PurePath) -> str:
    """Return the working folder's 使用说明, its paths written the way the folder's system writes them."""
    relative = type(folder)
    text = Template(shipped("guide.txt").read_text(encoding="utf-8")).substitute(
        quarter=relative("input", _EXAMPLE), report_folder=relative("output", _EXAMPLE))
    # CRLF and a BOM, so that Notepad on an older Windows shows the Chinese as written.
    return "\ufeff" + "".join(line + "\r\n" for line in text.splitlines())


def init(folder: Path) -> Laid:
    """Lay out a working folder: input/, output/, config.toml, matrix.toml, 使用说明.txt, 双击运行.bat; never overwrite."""
    files = {CONFIG: shipped(CONFIG).read_bytes(), MATRIX: shipped(MATRIX).read_bytes(),
             GUIDE: guide_text(folder).encode("utf-8"), LAUNCHER: launcher_text().encode("utf-8")}
    taken = [name for name in (*files, *FOLDERS) if (folder / name).exists() and
             not (name in FOLDERS and (folder / name).is_dir())]
    if taken:
        raise StopRun(f"文件夹 {folder} 中已有 {'、'.join(taken)}，为免覆盖已停止；请换一个新文件夹，"
                      "或把这些文件移走后再运行 jiekun init。")
    try:
        for name in FOLDERS:
            (folder / name).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            _write_new(folder / name, data)
    except OSError as exc:
        raise StopRun(f"无法在 {folder} 中建立工作文件夹（{exc.strerror}），请检查这个位置能否写入。") from exc
    return Laid(folder, (*(f"{name}{os.sep}" for name in FOLDERS), *files))


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, whole or not at all."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_bytes(data)
    try:
        os.link(staging, path)          # fails when the file appeared meanwhile, where os.replace would overwrite it
    except FileExistsError:
        raise StopRun(f"{path} 已存在，为免覆盖已停止。") from None
    except OSError:
        os.replace(staging, path)       # a file system without hard links (FAT on a USB stick): checked just above
    finally:
        staging.unlink(missing_ok=True)


def next_step(folder: Path) -> str:
    """Say in one sentence what to do next in `folder`: make it a working folder, fill input/, or run."""
    if not (folder / CONFIG).is_file():
        return (f"下一步：当前文件夹不是 jiekun 工作文件夹，先用 jiekun init 解困工作 新建一个，"
                f"再把各单位的报表放进 {PurePath('解困工作', 'input', _EXAMPLE)} 这样的季度文件夹。")
    quarters = _quarters(folder / "input")
    if not quarters:
        return (f"下一步：把各单位的报表放进 {PurePath('input', _EXAMPLE)} 这样的季度文件夹"
                f"（或先用 jiekun demo --output input 生成示例报表试一试），然后运行 jiekun run{_or_launcher(folder)}。")
    newest = quarters[-1]
    return (f"下一步：运行 jiekun run{_or_launcher(folder)}，处理最新的季度 {newest}；"
            f"报告写到 {PurePath('output', str(newest))}，先用浏览器打开其中的 调度报告-{newest}.html。")


def _or_launcher(folder: Path) -> str:
    return f" 或双击 {LAUNCHER}" if (folder / LAUNCHER).is_file() else ""


def _quarters(input_dir: Path) -> list[Period]:
    try:
        names = [p.name for p in input_dir.iterdir() if p.is_dir()]
    except OSError:
        return []
    return sorted(p for p in map(Period.try_parse, names) if p is not None)


OVERVIEW = """解困（jiekun）：城镇贫困群众脱贫解困工作季度调度。

  jiekun init 文件夹   新建工作文件夹（input、output、配置、任务分工、使用说明、双击运行.bat）
  jiekun run           运行最新的季度：读取、检查、测算，报告写到 output 下的季度文件夹
  jiekun check         只检查各单位的报表，按单位列出问题
  jiekun forms         生成下季度发给各单位的填报表格
  jiekun demo          生成一套示例报表，用于试用和培训
  jiekun rollup        把各区的季度输出汇总成全市的报告
  jiekun matrix        列出任务分工
  jiekun 命令 --help   查看一个命令的全部选项；--dir 文件夹 指定工作文件夹（默认当前文件夹）
"""


def overview(folder: Path) -> str:
    """Return what `jiekun` alone prints: the commands and, for `folder`, the next step."""
    return f"{OVERVIEW}\n{next_step(folder)}"
