"""The input directory's quarter folders: which quarter each names, which look like one but name none, and whether a
quarter folder gave anything to report on."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import StopRun
from .findings import Finding, finding
from .period import Period
from .privacy import mask_ids
from .reader import FileRead
from .reader.folder import FILE, readable
from .reader.schema import PROGRESS, ROSTER

# A folder name that mentions a year, a quarter or a month was meant for a quarter's files.
_LOOKS_LIKE = re.compile(r"(?:19|20)\d\d|季|[Qq]\s*[1-4]|月|半年")
_YEAR = re.compile(r"(?:19|20)\d\d")
_QUARTER = re.compile(r"[Qq]\s*([1-4])|([1-4一二三四])\s*季|(\d{1,2})\s*月")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}
# How a file that gave no progress report or roster is named in the sentence that stops the run.
_SKIPPED = {"hidden": "是隐藏文件", "lock": "是锁定文件", "system": "是系统文件", "folder": "是文件夹", "link": "是链接",
            "special": "不是普通文件", "output": "是 jiekun 生成的报告"}
_LISTED = 5


def shown(folder: Path) -> str:
    """Name a folder as the clerk typed it: relative to the working folder when it lies inside it."""
    try:
        return readable(Path(folder).absolute().relative_to(Path.cwd()).as_posix())
    except (ValueError, OSError):
        return readable(str(folder))


def vanished(folder: Path) -> StopRun:
    """Return the stop for a folder that went away while the run listed or read it."""
    return StopRun(f"输入文件夹 {shown(folder)} 在运行中被移走或删除，未生成报告；请把它放回原处，运行期间不要移动或删除输入文件夹，"
                   "然后重新运行。")


@dataclass(frozen=True)
class InputFolders:
    """The folders of the input directory: every folder of each quarter, and the quarter-like names read as none."""

    input_dir: Path
    quarters: dict[Period, tuple[Path, ...]]
    unreadable: tuple[Path, ...]

    @property
    def periods(self) -> list[Period]:
        return sorted(self.quarters)

    def folder(self, period: Period) -> Path | None:
        """Return the quarter's folder; stop when two folders name it, since either could be the one meant."""
        found = self.quarters.get(period, ())
        if len(found) > 1:
            names = "、".join(f"“{readable(p.name)}”" for p in found)
            raise StopRun(f"输入目录 {self.input_dir} 中有 {len(found)} 个文件夹都是{period.label}：{names}，无法确定读哪一个；"
                          "请把报表合并到其中一个文件夹，删除或改名另一个后重新运行。")
        return found[0] if found else None

    def findings(self, chosen: Period, auto: bool) -> list[Finding]:
        """Name each folder that looks like a quarter but names none: a warning in the run's findings."""
        out = []
        for path in self.unreadable:
            guess = guess_period(readable(path.name))
            # Without --period the newest readable quarter is run: say so when the skipped folder may be newer.
            newer = auto and (guess is None or guess > chosen)
            note = f"本次按能识别的最新季度{chosen.label}运行；" if newer else ""
            out.append(finding("unknown-folder", f"文件夹“{readable(path.name)}”像是季度文件夹，但看不出是哪一年的哪个季度，其中的报表未读取；"
                               f"{note}如要读取，请改名为 2019Q3 或 2019年第三季度 这样的名字。",
                               file=f"{readable(path.name)}/"))
        return out


def scan(input_dir: Path) -> InputFolders:
    """Sort the input directory's folders into quarters and quarter-like names that name none."""
    quarters: dict[Period, list[Path]] = {}
    unreadable = []
    try:
        children = sorted(p for p in input_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    except FileNotFoundError as exc:
        raise vanished(input_dir) from exc
    except OSError:
        children = []
    for path in children:
        name = readable(path.name)
        period = Period.try_parse(name)
        if period is not None:
            quarters.setdefault(period, []).append(path)
        elif _LOOKS_LIKE.search(unicodedata.normalize("NFKC", name)):
            unreadable.append(path)
    return InputFolders(input_dir, {p: tuple(f) for p, f in quarters.items()}, tuple(unreadable))


def guess_period(name: str) -> Period | None:
    """Guess the latest quarter a quarter-like name could mean (2019年三、四季度 → 2019Q4), or None without a year."""
    text = unicodedata.normalize("NFKC", name)
    years = _YEAR.findall(text)
    if not years:
        return None
    quarters = []
    for letter, word, month in _QUARTER.findall(text):
        if letter or word:
            quarters.append(_CN.get(word) or int(letter or word))
        elif 1 <= int(month) <= 12:
            quarters.append((int(month) - 1) // 3 + 1)
    return Period(max(int(y) for y in years), max(quarters, default=4))


def find_periods(input_dir: Path) -> list[Period]:
    """List the quarters that have a folder in the input directory, oldest first."""
    return scan(input_dir).periods if input_dir.is_dir() else []


def period_folder(input_dir: Path, period: Period) -> Path | None:
    """Return the quarter's folder in the input directory, or None when there is none."""
    return scan(input_dir).folder(period) if input_dir.is_dir() else None


def resolve_period(input_dir: Path, period: str | Period | None) -> tuple[Period, Path]:
    """Pick the requested quarter, or the newest one found; stop with a plain sentence when there is none."""
    if not input_dir.is_dir():
        raise StopRun(f"找不到输入目录 {input_dir}，请把各单位报表放到 {input_dir}/2019Q1 这样的季度文件夹中，或用 --input 指定目录。")
    found = scan(input_dir)
    odd = "、".join(f"“{readable(p.name)}”" for p in found.unreadable)
    if period is None:
        if not found.periods:
            also = f"（文件夹{odd}看不出是哪个季度）" if odd else ""
            raise StopRun(f"输入目录 {input_dir} 中没有季度文件夹{also}，请按 2019Q1、2019年第一季度 这样的名字建文件夹并放入报表。")
        chosen = found.periods[-1]
    else:
        chosen = period if isinstance(period, Period) else Period.parse(period)
    folder = found.folder(chosen)
    if folder is None:
        also = f"（文件夹{odd}看不出是哪个季度，未读取）" if odd else ""
        raise StopRun(f"输入目录 {input_dir} 中没有{chosen.label}（{chosen}）的文件夹{also}，请先建好 {input_dir}/{chosen} 并放入报表。")
    return chosen, folder


def require_reports(period: Period, folder: Path, files: list[FileRead]) -> None:
    """Stop, before anything is written, when the quarter's folder gave no progress report and no roster."""
    if not folder.is_dir():
        raise vanished(folder)
    if any(s.kind in (PROGRESS, ROSTER) for f in files for s in f.sheets):
        return
    if files:
        named = "，".join(f"{f.file} {_why(f)}" for f in files[:_LISTED])
        more = f" 等{len(files)}个" if len(files) > _LISTED else ""
        what = f"共 {len(files)} 个文件：{named}{more}"
    else:
        what = "文件夹是空的"
    raise StopRun(mask_ids(f"{period.label}的文件夹 {shown(folder)} 中没有读到任何进展情况表或救助对象台账（{what}），未生成报告；"
                           "请确认报表已放入该文件夹。"))


def _why(read: FileRead) -> str:
    """Say in a few words why one file gave nothing to report on."""
    if read.kind != FILE:
        return _SKIPPED.get(read.kind, "已跳过")
    if not read.sheets:
        return "不是表格" if any("不是" in f.message for f in read.findings) else "无法打开"
    if all(s.kind == "empty" for s in read.sheets):
        return "是空表"
    if any(s.kind == "headerless" for s in read.sheets):
        return "像是报表但找不到表头"
    return "不是进展情况表或台账"
