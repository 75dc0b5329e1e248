"""The `jiekun` command: parse options, call the library, choose the exit code. The only click importer."""
from __future__ import annotations

import functools
import os
import sys
import webbrowser
from datetime import date
from pathlib import Path

import click

from . import working_folder
from .errors import StopRun

# The library (pandas, the readers, the renderers) is imported inside each command that needs it, so that
# `jiekun --help` and a mistyped option answer at once.

_COMMON = [
    click.option("--input", "input_dir", type=click.Path(path_type=Path), default=None, help="输入目录（默认 input/）"),
    click.option("--output", "output_dir", type=click.Path(path_type=Path), default=None, help="输出目录（默认 output/）"),
    click.option("--dir", "work_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="工作文件夹（默认为当前文件夹）"),
    click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
                 help="配置文件（默认为工作文件夹中的 config.toml）"),
    click.option("--debug", is_flag=True, help="出错时显示完整的技术信息"),
]
_NO_CACHE = click.option("--no-cache", is_flag=True, help="不使用读取缓存（output/.cache），每个文件都重新读取")


def _options(func, options):
    """Add `options` to a command, turning --dir and --config into the one config path the library takes."""
    @functools.wraps(func)
    def in_folder(*args, work_dir, config_path, **kwargs):
        return func(*args, config_path=working_folder.config_in(work_dir, config_path), **kwargs)

    for option in reversed(options):
        in_folder = option(in_folder)
    return in_folder


def common(func):
    return _options(func, _COMMON)


def common_without_input(func):
    """Add the common options but --input, for a command whose inputs are its arguments."""
    return _options(func, _COMMON[1:])


def in_folder_only(func):
    """Add --dir, --config and --debug, for a command that names its own input and output or has none."""
    return _options(func, _COMMON[2:])


def _guard(debug: bool, action):
    """Run `action`; turn a StopRun or unexpected error into one Chinese sentence unless --debug."""
    try:
        return action()
    except StopRun as exc:
        if debug:
            raise
        click.secho(exc.message, fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the user gets one sentence, --debug gets the traceback
        if debug:
            raise
        click.secho(f"运行中出现意外错误（{type(exc).__name__}: {exc}），未生成报告；请加 --debug 重新运行并把输出发给维护人员。",
                    fg="red", err=True)
        sys.exit(3)


def _progress():
    """Return a per-file progress callback that writes to a terminal and stays quiet otherwise."""
    if not sys.stderr.isatty():
        return None
    count = [0]

    def on_file(name: str) -> None:
        count[0] += 1
        click.echo(f"\r读取第 {count[0]} 个文件：{name[:60]:<60}", err=True, nl=False)
    return on_file


def _end_progress(on_file) -> None:
    if on_file:
        click.echo("\r" + " " * 80 + "\r", err=True, nl=False)


class _ChineseUsage(click.UsageError):
    """A usage error worded as one Chinese sentence, shown without click's English usage block."""

    def show(self, file=None) -> None:
        click.secho(self.message, fg="red", err=True)


def _in_chinese(e: click.UsageError, command: str) -> _ChineseUsage:
    """Say what was wrong on the command line and where to look, in the user's language."""
    where = f"请用 {e.ctx.command_path if e.ctx else command} --help 查看用法。"
    if isinstance(e, click.NoSuchOption):
        return _ChineseUsage(f"没有 {e.option_name} 这个选项，{where}")
    if isinstance(e, click.exceptions.NoSuchCommand):
        return _ChineseUsage(f"没有 {e.command_name} 这个命令，请用 jiekun --help 查看全部命令。")
    if isinstance(e, click.BadOptionUsage):
        return _ChineseUsage(f"选项 {e.option_name} 后面要写一个值，{where}")
    if isinstance(e, click.MissingParameter):
        return _ChineseUsage(f"缺少{_name(e).rstrip('…')}，{where}")
    if isinstance(e, click.BadParameter):
        return _ChineseUsage(f"{_name(e)} 的值不对{_expected(e.param)}，{where}")
    return _ChineseUsage(f"命令行写得不对，{where}")


def _name(e: click.BadParameter) -> str:
    if e.param is None:
        return "参数"
    return f"选项 {e.param.opts[0]}" if isinstance(e.param, click.Option) else e.param.human_readable_name


def _expected(param: click.Parameter | None) -> str:
    kind = getattr(param, "type", None)
    if isinstance(kind, click.DateTime):
        return "：应写成 年-月-日，如 2019-07-05"
    if isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None:
        return f"：应为 {kind.min} 到 {kind.max} 之间的整数"
    if isinstance(kind, click.Choice):
        return "：应为 " + "、".join(map(str, kind.choices)) + " 之一"
    if isinstance(kind, click.Path):
        return "：找不到这个文件或目录"
    return ""


class _Jiekun(click.Group):
    """The command group; click's English usage errors are worded in Chinese, wherever they arise."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _ChineseUsage:
            raise
        except click.UsageError as e:
            raise _in_chinese(e, info_name or "jiekun") from e

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _ChineseUsage:
            raise
        except click.UsageError as e:
            raise _in_chinese(e, f"{ctx.command_path} {ctx.invoked_subcommand or ''}".strip()) from e


@click.group(cls=_Jiekun, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jiekun")
@click.pass_context
def main(ctx):
    """解困：青山湖区城镇贫困群众脱贫解困工作季度调度。"""
    if ctx.invoked_subcommand is None:
        click.echo(working_folder.overview(Path.cwd()))


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".", metavar="[文件夹]")
@click.option("--debug", is_flag=True, help="出错时显示完整的技术信息")
def init(folder, debug):
    """新建一个工作文件夹：input、output、config.toml、matrix.toml、使用说明.txt 和 双击运行.bat。"""
    laid = _guard(debug, lambda: working_folder.init(folder))
    click.echo(f"已建好工作文件夹 {laid.folder.absolute()}：")
    for name in laid.written:
        click.echo(f"  {name}")
    click.echo(working_folder.next_step(folder))


def _date_option(func):
    return click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        help="成文日期，如 2019-07-05（不填则取 config.toml [documents]，再无则在落款处留空待填）")(func)


def _doc_numbers(ctx, param, values) -> dict[str, int]:
    """Parse --doc-no 3 or --doc-no 2019H1=3 (repeatable) into {key: number}; "" is the one numbered document."""
    out: dict[str, int] = {}
    for value in values:
        key, _, number = value.rpartition("=")
        if not number.isdigit() or int(number) < 1:
            raise click.BadParameter(f"“{value}”不是文号序号，请写成 3 或 2019H1=3。")
        out[key.strip()] = int(number)
    return out


def _doc_no_option(func):
    return click.option("--doc-no", "doc_numbers", multiple=True, callback=_doc_numbers, metavar="[期次=]序号",
                        help="文号序号，如 3 或 2019H1=3、2019=5（四季度同时出通报和考核时须写期次）")(func)


@main.command()
@click.option("--period", default=None, help="季度，如 2019Q2（默认为输入目录中最新的季度）")
@_date_option
@_doc_no_option
@_NO_CACHE
@click.option("--open", "open_report", is_flag=True, help="完成后在浏览器中打开调度报告")
@common
def run(period, issued, doc_numbers, no_cache, open_report, input_dir, output_dir, config_path, debug):
    """读取、检查、测算并生成本季度全部报告。"""
    from . import dispatch
    from .money import fmt_grouped

    on_file = _progress()
    result = _guard(debug, lambda: dispatch.run(config_path=config_path, input_dir=input_dir, output_dir=output_dir,
                                                period=period,
                                                issued=issued.date() if issued else None,
                                                doc_numbers=doc_numbers, on_file=on_file, cache=not no_cache,
                                                command=" ".join(["jiekun", *sys.argv[1:]])))
    _end_progress(on_file)
    from .report.terminal import not_counted

    ctx = result.context
    h = ctx.headline
    click.echo("报告文件：")
    feedback = [n for n in result.written if n.startswith("退回/")]
    for name in result.written:
        if name not in feedback:
            click.echo(f"  {name}")
    if feedback:
        click.echo(f"  退回/（{len(feedback)} 个单位的问题反馈单，可直接发回各单位）")
    click.echo(f"单位报送：应报 {h.units_total} 个，已报 {h.units_submitted} 个（按时 {h.units_on_time}，"
               f"逾期 {h.units_late}），未报 {h.units_missing} 个")
    click.echo(f"任务灯色：绿 {h.tasks_green}，黄 {h.tasks_yellow}，红 {h.tasks_red}")
    click.echo(f"资金测算：{fmt_grouped(ctx.total_fen)} 元，{h.households} 户 {h.persons} 人")
    from .report.wording import no_comparison

    c = ctx.changes
    if c is not None and c.received:
        click.echo(f"与上季度相比：新增 {len(c.entered)} 户，退出 {len(c.left)} 户，月发放额变化超过 {c.share:.0%} 的 "
                   f"{len(c.changed)} 户")
    elif c is not None:
        click.echo(f"与上季度相比：{no_comparison(c.previous)}")
    click.echo(f"发现问题：错误 {h.errors} 条，警告 {h.warnings} 条（详见 findings.csv 和报告中的问题清单）")
    click.echo("\n".join(not_counted(ctx, result.masker)))
    # Last, where the eye lands: the run is done and where its reports are.
    click.echo(f"{ctx.period.label}调度完成，报告已写入 {result.output_dir}{os.sep}")
    if open_report:
        from .report.html import file_name

        webbrowser.open((result.output_dir / file_name(ctx)).resolve().as_uri())


@main.command()
@click.option("--period", default=None, help="季度，如 2019Q2（默认为输入目录中最新的季度）")
@_NO_CACHE
@common
def check(period, no_cache, input_dir, output_dir, config_path, debug):
    """只读取和检查，按单位列出问题；有错误时退出码为 1。"""
    from . import dispatch
    from .report.terminal import findings_table, not_counted

    on_file = _progress()
    result = _guard(debug, lambda: dispatch.check(config_path=config_path, input_dir=input_dir, output_dir=output_dir,
                                                  period=period, on_file=on_file,
                                                  cache=not no_cache))
    _end_progress(on_file)
    click.echo(findings_table(result.context, result.masker))
    click.echo("")
    click.echo("\n".join(not_counted(result.context, result.masker)))
    sys.exit(1 if result.errors else 0)


@main.command()
@click.option("--period", default=None, help="表格所填的季度，如 2019Q3（默认为输入目录中最新季度的下一季度）")
@common
def forms(period, input_dir, output_dir, config_path, debug):
    """生成发给各单位的填报表格：每单位一份进展情况表，每个镇、街道、园区一份救助对象台账。"""
    from .outbox import write_forms

    on_file = _progress()
    result = _guard(debug, lambda: write_forms(config_path=config_path, input_dir=input_dir, output_dir=output_dir,
                                               period=period, today=date.today(), on_file=on_file))
    _end_progress(on_file)
    f = result.forms
    click.echo(f"{f.period.label}填报表格已写入 {result.folder}/（每个单位一个文件夹，整个文件夹发给该单位）")
    click.echo(f"  进展情况表 {len(f.progress)} 份，救助对象台账 {len(f.rosters)} 份")
    if not f.previous_found:
        click.echo(f"未找到上季度（{f.previous}）的报表文件夹，表格未预填上季度内容，台账为空白表。")
        return
    carried = sum(1 for p in f.progress if p.previous is not None)
    households = sum(len(r.households) for r in f.rosters)
    persons = sum(r.persons for r in f.rosters)
    stopped = sum(len(r.stopped) for r in f.rosters)
    click.echo(f"  已预填{f.previous.label}的完成状态和进展情况：{carried} 个单位")
    click.echo(f"  已带入上季度台账：{households} 户 {persons} 人；停发年月已过的 {stopped} 户列在各台账的“已停发户”表")


@main.command()
@click.option("--quarters", type=click.IntRange(1, 4), default=2, show_default=True, help="生成几个季度")
@click.option("--force", is_flag=True, help="目标季度文件夹已有文件时仍然覆盖")
@click.option("--output", "output_dir", type=click.Path(path_type=Path), default=None,
              help="示例报表写到哪个目录（默认 demo/；写到 input/ 即可直接试运行）")
@in_folder_only
def demo(quarters, force, output_dir, config_path, debug):
    """生成一套示例报表（各单位进展情况表和救助对象台账），用于试用和培训。"""
    from .demo import write_demo
    from .workspace import open_workspace

    target = output_dir or config_path.parent / "demo"

    def action():
        ws = open_workspace(config_path)
        for q in range(1, quarters + 1):
            folder = target / f"2019Q{q}"
            if folder.exists() and any(folder.iterdir()) and not force:
                raise StopRun(f"{folder} 中已有文件，为免覆盖真实报表已停止；确需覆盖请加 --force。")
        return write_demo(target, ws.config, ws.matrix, quarters=quarters), ws.config.paths.get("input")

    files, input_dir = _guard(debug, action)
    click.echo(f"已在 {target}{os.sep} 生成 {quarters} 个季度的示例报表，共 {len(files)} 个文件。")
    into_input = input_dir is not None and target.resolve() == Path(input_dir).resolve()
    click.echo("试运行：jiekun run" if into_input else f"试运行：jiekun run --input {target}")


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="各区季度输出文件夹…")
@click.option("--detail", is_flag=True, help="同时合并各区的对象明细（已脱敏）为一个 parquet 文件")
@click.option("--office", default=None, help="发文机关名称（默认由配置文件 [office] city 得出）")
@click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="成文日期，如 2019-04-10（不填则在落款处留空待填）")
@common_without_input
def rollup(folders, detail, office, issued, output_dir, config_path, debug):
    """把各区的季度输出文件夹（output/<季度>）汇总成全市的工作簿和报告。"""
    from .merge import rollup as merge_districts
    from .money import fmt_grouped

    result = _guard(debug, lambda: merge_districts(folders, output_dir=output_dir, config_path=config_path,
                                                   office=office, issued=issued.date() if issued else None,
                                                   detail=detail))
    city = result.city
    s, lights, t = city.submissions, city.lights, city.total
    click.echo(f"{city.period.label}{len(city.districts)}个区汇总完成，报告已写入 {result.output_dir}{os.sep}")
    for name in result.written:
        click.echo(f"  {name}" + (f"（{result.detail_rows} 行，每人一行，姓名和身份证号码已脱敏）"
                                  if result.detail_rows is not None and name.endswith(".parquet") else ""))
    click.echo(f"单位报送：应报 {s.units} 个，已报 {s.submitted} 个（按时 {s.on_time}，逾期 {s.late}），未报 {s.missing} 个")
    click.echo(f"任务灯色（{len(city.tasks)}项 × {len(city.districts)}个区）：绿 {lights.green}，黄 {lights.yellow}，红 {lights.red}")
    click.echo(f"资金测算：{fmt_grouped(t.amount_fen)} 元，{t.households} 户 {t.persons} 人")
    if city.avg_subsidy_fen is not None:
        parts = "，".join(f"{d.name} {fmt_grouped(d.avg_subsidy_fen)}" for d in city.districts
                         if d.avg_subsidy_fen is not None)
        click.echo(f"人均补差：{fmt_grouped(city.gap_fen)} 元 ÷ {city.gap_person_months} 人·月 = "
                   f"{fmt_grouped(city.avg_subsidy_fen)} 元（各区：{parts}）")
    click.echo(f"发现问题：错误 {city.findings.errors} 条，警告 {city.findings.warnings} 条（各区明细见各自的 findings.csv）")


@main.command()
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None, help="导出为 Excel 文件")
@in_folder_only
def matrix(xlsx_path, config_path, debug):
    """列出任务分工（59条任务及牵头、责任单位）。"""
    from .report.matrix_export import matrix_text, write_matrix_xlsx
    from .workspace import open_workspace

    m = _guard(debug, lambda: open_workspace(config_path).matrix)
    if xlsx_path:
        _guard(debug, lambda: write_matrix_xlsx(m, xlsx_path))
        click.echo(f"任务分工表已导出到 {xlsx_path}")
    else:
        click.echo(matrix_text(m))


@main.command()
@click.option("--year", type=click.IntRange(2009, 2030), required=True, help="测算年度，如 2020")
@click.option("--from-period", "from_period", default=None, help="以哪个季度的台账为测算对象（默认为输入目录中最新的季度）")
@click.option("--set", "reforms", multiple=True, metavar="参数名=数值@执行日期",
              help="调整方案，如 dibao_standard=760@2020-01-01（可写多个），与现行标准并列测算")
@click.option("--growth", default=None, metavar="每月增长率", help="对象人数和金额的每月增长率，如 0.005（默认不增长）")
@_date_option
@_NO_CACHE
@common
def budget(year, from_period, reforms, growth, issued, no_cache, input_dir, output_dir, config_path, debug):
    """资金测算：按台账和各月标准测算全年救助资金，可与调整方案并列比较。"""
    from .budget_run import run_budget
    from .money import fmt_grouped

    on_file = _progress()
    result = _guard(debug, lambda: run_budget(year=year, config_path=config_path, input_dir=input_dir,
                                              output_dir=output_dir, from_period=from_period, reforms=reforms,
                                              growth=growth, issued=issued.date() if issued else None,
                                              on_file=on_file, cache=not no_cache))
    _end_progress(on_file)
    b = result.budget
    click.echo("报告文件：")
    for name in result.written:
        click.echo(f"  {name}")
    for s in (b.baseline, *([b.reform] if b.reform else [])):
        grown = f"（按增长率推算 {fmt_grouped(s.grown_total_fen)} 元）" if s.grown_total_fen is not None else ""
        click.echo(f"{year}年{s.name}：{fmt_grouped(s.total_fen)} 元{grown}")
    if b.reform is not None:
        click.echo(f"调整方案比现行标准：{fmt_grouped(b.reform.total_fen - b.baseline.total_fen)} 元")
    missing = [str(q.period) for q in b.paid if q.total_fen is None]
    click.echo(f"此前四个季度实际发放：{fmt_grouped(b.paid_total_fen)} 元" if b.paid_total_fen is not None
               else f"此前四个季度实际发放：缺少 {'、'.join(missing)}，不足四个季度，未比较")
    click.echo(f"{year}年资金测算完成（用时 {result.seconds:.1f} 秒），报告已写入 {result.output_dir}/")


if __name__ == "__main__":
    main()
