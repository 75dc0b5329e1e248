"""Benchmark: time and memory of reading a large roster and computing its benefits. Prints figures.

usage: python bench/bench.py [PERSONS ...]      default: 10000 100000
"""
from __future__ import annotations

import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.benefits import Rates, compute  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.ids import check_char  # noqa: E402
from pipeline.period import Period  # noqa: E402
from pipeline.reader import ReadContext, read_file  # noqa: E402

HEADER = ["户编号", "姓名", "公民身份号码", "与户主关系", "所属镇街", "社区", "救助类别", "家庭月人均收入", "家庭月刚性支出",
          "残疾等级", "失能情况", "供养方式", "劳动能力", "就业状况", "孤儿", "享受起始年月", "停发年月"]


def write_roster(path: Path, persons: int, seed: int = 1) -> None:
    """Write a roster of about `persons` rows with xlsxwriter's constant-memory mode."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, ["湖坊镇城镇困难群众救助对象台账"])
    ws.write_row(1, 0, ["填报单位：湖坊镇"])
    ws.write_row(2, 0, HEADER)
    row, hh, seq = 3, 0, 0
    while row - 3 < persons:
        hh += 1
        cat = rng.choices(["低保", "支出型", "特困"], [75, 10, 15])[0]
        size = 1 if cat == "特困" else rng.randint(1, 5)
        income = rng.randrange(0, 500, 10)
        for m in range(size):
            seq += 1
            body = f"360111{1950 + seq % 60}{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}"
            ws.write_row(row, 0, [f"H{hh:07d}", f"人{seq}", body + check_char(body), "户主" if m == 0 else "子女", "湖坊镇",
                                  "东社区", cat, income, 600 if cat == "支出型" else None,
                                  "二级" if seq % 37 == 0 else None, "全失能" if cat == "特困" and seq % 5 == 0 else None,
                                  "分散" if cat == "特困" else None, "有", "已就业", "否", "2018-01", None])
            row += 1
    wb.close()


def main(sizes: list[int]) -> None:
    config = load_config(ROOT / "config.toml")
    rates = Rates.for_year(config, 2019)
    print(f"{'persons':>9} {'file MB':>8} {'read s':>8} {'rows/s':>9} {'compute s':>10} {'peak RSS MB':>12}")
    for n in sizes:
        tmp = Path(tempfile.mkdtemp())
        try:
            path = tmp / "湖坊镇-台账.xlsx"
            write_roster(path, n)
            ctx = ReadContext(file=path.name, registry=config.registry, status_words=config.status_words, today=date(2019, 7, 1))
            t0 = time.perf_counter()
            fr = read_file(path, ctx)
            t1 = time.perf_counter()
            roster = fr.sheets[0].rows.assign(_file=path.name, _sheet="台账")
            t2 = time.perf_counter()
            result = compute(roster, Period(2019, 2), rates)
            t3 = time.perf_counter()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{len(roster):>9} {path.stat().st_size / 1e6:>8.1f} {t1 - t0:>8.2f} {len(roster) / (t1 - t0):>9.0f} "
                  f"{t3 - t2:>10.2f} {rss:>12.0f}   total {result.total_fen / 100:,.2f} yuan")
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
