"""Naive baseline for make bench: read a quarter's rosters with pandas + openpyxl and compute the 低保 差额.

usage: python bench/naive.py QUARTER_FOLDER      prints {"total": yuan, "households": n} as JSON

This is the script an analyst would write by hand: one read_excel per file, merged household cells filled
down, months parsed with to_datetime, and max(0, standard − income) × members × months per 低保 household.
It checks nothing and computes a fraction of what jiekun does; it is the yardstick for "a plain script".
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd

STANDARD = 670                       # 2019 城镇低保标准, yuan per month
QUARTER = pd.period_range("2019-01", "2019-03", freq="M")
HOUSEHOLD = ["所属镇街", "社区", "救助类别", "家庭月人均收入", "家庭月刚性支出", "享受起始年月", "停发年月"]


def month(value: object) -> pd.Period | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if hasattr(value, "year"):
        return pd.Period(year=value.year, month=value.month, freq="M")
    text = str(value).strip()
    m = re.match(r"^(\d{4})\D*?(\d{1,2})\D*$", text)
    if not m:
        return None
    return pd.Period(year=int(m.group(1)), month=int(m.group(2)), freq="M")


def main(folder: Path) -> dict:
    frames = []
    for path in sorted(folder.glob("*台账*.xlsx")):
        df = pd.read_excel(path, engine="openpyxl", skiprows=2, dtype={"公民身份号码": str})
        df["户编号"] = df["户编号"].ffill()
        df[HOUSEHOLD] = df.groupby("户编号")[HOUSEHOLD].ffill()
        frames.append(df)
    roster = pd.concat(frames, ignore_index=True)
    dibao = roster[roster["救助类别"].astype(str).str.contains("低保")]
    households = dibao.groupby("户编号").agg(members=("姓名", "size"), income=("家庭月人均收入", "first"),
                                          start=("享受起始年月", "first"), stop=("停发年月", "first"))
    income = pd.to_numeric(households["income"], errors="coerce")
    start, stop = households["start"].map(month), households["stop"].map(month)    # NaT when blank
    months = sum(((start <= m) & (stop.isna() | (stop > m))).astype(int) for m in QUARTER)
    gap = (STANDARD - income).clip(lower=0) * households["members"] * months
    return {"total": round(float(gap.sum()), 2), "households": int((months > 0).sum())}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
