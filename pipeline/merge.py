"""`jiekun rollup`: merge several districts' output/<period>/ folders into one city-level workbook and HTML report.

Each district runs jiekun on its own machine. The city reads only each district's summary.json (tens of KB); the
person detail (对象明细-<period>.parquet) is read only when it is asked for; only the contract's columns go on, masked
again (a district's own file is already masked, an old or edited one may not be).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Sequence

from .city import CityContext, District, build_city, district_of
from .config import Office
from .district_summary import read_summary
from .errors import StopRun
from .money import fmt
from .output import Staging
from .privacy import Masker
from .workspace import open_workspace

SUMMARY = "summary.json"


@dataclass(frozen=True)
class RollupResult:
    city: CityContext
    output_dir: Path
    written: tuple[str, ...]
    detail_rows: int | None = None      # persons in the merged parquet, when --detail was asked


def folder_name(period) -> str:
    """Name the roll-up's folder beside the periods: 2019Q1-汇总."""
    return f"{period}-汇总"


def detail_name(period) -> str:
    return f"对象明细-{period}-汇总.parquet"


def read_district(folder: Path, tasks: frozenset[int]) -> District:
    """Read one district's summary.json, checked against the contract and the matrix's `tasks`, money in fen."""
    if not folder.is_dir():
        raise StopRun(f"找不到文件夹 {folder}，请检查路径；要汇总的是各区 jiekun run 写出的 output/<季度> 文件夹。")
    path = folder / SUMMARY
    if not path.is_file():
        raise StopRun(f"{folder} 中没有 summary.json，不是 jiekun run 写出的季度输出；"
                      "请列出各区的 output/<季度> 文件夹，如 青山湖区/output/2019Q1。")
    return district_of(read_summary(path, tasks), str(folder))


def rollup(folders: Sequence[Path | str], *, output_dir: Path | str | None = None,
           config_path: Path | str = "config.toml", office: str | None = None, issued: date | None = None,
           detail: bool = False) -> RollupResult:
    """Add the districts' quarters up and write the city workbook, HTML report and summary.json atomically.

    The folders are the districts' output/<period>/; the roll-up goes to <output>/<period>-汇总/. `office` names the
    issuing city office (default: config.toml [office] city + 城镇贫困群众脱贫解困工作领导小组办公室). With `detail`, the
    districts' person detail is concatenated into one parquet file with a `district` column, names and IDs masked.
    """
    from .report import city_excel, city_html, city_summary  # rendering is the other edge

    ws = open_workspace(config_path, output_dir=output_dir)
    config, out_root, tasks = ws.config, ws.output_dir, ws.matrix.numbers
    folders = [Path(f) for f in folders]
    for folder in folders:
        refuse_overlap(folder, out_root, contains=False)     # before reading: the folder written lies in out_root
    districts = [read_district(f, tasks) for f in folders]
    city = build_city(districts, issuing_office(config.office.city, office), issued)
    target = out_root / folder_name(city.period)
    for folder in folders:
        refuse_overlap(folder, target)
    table = detail_table(list(zip(folders, districts)), city) if detail else None
    with Staging(target, Masker()) as staging:
        staging.write_with(city_excel.file_name(city.period),
                           lambda p: city_excel.write_workbook(city, p, staging.mask))
        staging.write_text(city_html.file_name(city.period), city_html.render_html(city, config.paths["templates"]))
        staging.write_text(SUMMARY, city_summary.summary_json(city))
        if table is not None:
            import pyarrow.parquet as pq

            staging.write_with(detail_name(city.period), lambda p: pq.write_table(table, p, compression="zstd"))
        written = tuple(staging.written)
        staging.commit()
    return RollupResult(city, target, written, None if table is None else table.num_rows)


def refuse_overlap(folder: Path, output: Path, *, contains: bool = True) -> None:
    """Refuse an output folder that is a district's folder or lies inside one, or (`contains`) holds one.

    The roll-up's folder is replaced as a whole when it is written, and a district's folder when it runs again.
    """
    inp, out = folder.resolve(), output.resolve()
    if out == inp or inp in out.parents:
        raise StopRun(f"输出目录 {output} 就是要汇总的文件夹 {folder} 或在它里面，该区下次运行时会整体替换这个文件夹，已停止；"
                      "请用 --output 指定各区文件夹之外的目录。")
    if contains and out in inp.parents:
        raise StopRun(f"要汇总的文件夹 {folder} 在汇总的输出目录 {output} 里面，写入汇总时会把它替换掉，已停止；"
                      "请把各区文件夹和汇总的输出目录分开存放。")


def issuing_office(city: str, name: str | None) -> Office:
    """Return the city office that issues the roll-up: `name`, or the one config.toml's [office] city implies."""
    city = city.strip()
    if not city and not name:
        raise StopRun("不知道汇总报告以哪个市的名义印发：请在配置文件 [office] 中填写 city（如 南昌市），"
                      "或用 --office 写明发文机关名称。")
    return Office(district=city, name=name or f"{city}城镇贫困群众脱贫解困工作领导小组办公室", short_name="")


def detail_table(pairs: list[tuple[Path, District]], city: CityContext):
    """Concatenate the districts' person detail into one masked Arrow table with a leading `district` column.

    Each file must be the district's detail of the same quarter and add up to its summary's money, so the merged
    file and the roll-up's totals cannot disagree.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .report.detail import file_name, masked_table

    tables = []
    for folder, d in pairs:
        path = folder / file_name(city.period)
        if not path.is_file():
            raise StopRun(f"{folder} 中没有对象明细 {path.name}（该区可能用旧版 jiekun 运行），无法汇总对象明细；"
                          "请该区用新版 jiekun 重新运行本季度，或去掉 --detail。")
        try:
            table = pq.read_table(path).replace_schema_metadata(None)
        except (OSError, pa.ArrowException) as exc:
            raise StopRun(f"{path} 无法读取（{exc}），可能已损坏；请该区重新运行本季度后再汇总。") from exc
        periods = set(pc.unique(table["period"]).to_pylist()) if "period" in table.column_names else {None}
        amount = (pc.sum(table["amount_fen"]).as_py() or 0) if "amount_fen" in table.column_names else None
        if periods - {str(city.period)}:
            raise StopRun(f"{path} 不是{city.period.label}的对象明细，请该区重新运行本季度后再汇总。")
        if amount != d.total.amount_fen:
            shown = "无法读取" if amount is None else f"{fmt(amount)} 元"
            raise StopRun(f"{path} 的金额合计（{shown}）与该区 summary.json 的总额 {fmt(d.total.amount_fen)} 元不符，"
                          "两者不是同一次运行的结果；请该区重新运行本季度后再汇总。")
        table = masked_table(table, Masker(_full_names(table)))
        tables.append(table.add_column(0, "district", pa.array([d.name] * table.num_rows, pa.large_string())))
    return pa.concat_tables(tables, promote_options="default")


def _full_names(table) -> list[str]:
    """Return the names a district's detail lists in full (an old or edited file), to mask them in its free text."""
    import pyarrow.compute as pc

    if "name" not in table.column_names:
        return []
    return [n for n in pc.unique(table["name"]).to_pylist() if isinstance(n, str) and "*" not in n]
