"""The person detail as Parquet: one typed row per person paid, adding up to the quarter's money."""
from __future__ import annotations

import pandas as pd
from conftest import TODAY, demo_project

from pipeline import run
from pipeline.vocab import ITEM_FIELDS


def test_parquet_detail_has_every_person_paid_and_adds_up(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period="2019Q1", today=TODAY)
    frame = pd.read_parquet(result.output_dir / "对象明细-2019Q1.parquet")
    assert len(frame) == len(result.context.persons) > 1000
    assert int(frame["amount_fen"].sum()) == result.context.total_fen
    for item, field in ITEM_FIELDS.items():
        assert int(frame[field].sum()) == result.context.total.items[item], item
    assert str(frame["amount_fen"].dtype) == "int64" and frame["period"].unique().tolist() == ["2019Q1"]
    by_unit = frame.groupby("unit")["amount_fen"].sum().to_dict()
    assert by_unit == {unit: m.amount_fen for unit, m in result.context.benefit_units}
    # The full IDs are there, as in the office workbook's person detail.
    assert frame["id_number"].str.fullmatch(r"\d{17}[\dX]").sum() > 1000
