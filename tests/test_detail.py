"""The person detail as Parquet: one typed row per person paid, adding up to the quarter's money."""
from __future__ import annotations

import pandas as pd
from conftest import demo_project

from pipeline import run
from pipeline.vocab import ITEM_FIELDS


def test_parquet_detail_has_every_person_paid_and_adds_up(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period="2019Q1")
    frame = pd.read_parquet(result.output_dir / "对象明细-2019Q1.parquet")
    assert len(frame) == len(result.context.persons) > 1000
    assert int(frame["amount_fen"].sum()) == result.context.total_fen
    for item, field in ITEM_FIELDS.items():
        assert int(frame[field].sum()) == result.context.total.items[item], item
    assert str(frame["amount_fen"].dtype) == "int64" and frame["period"].unique().tolist() == ["2019Q1"]
    by_unit = frame.groupby("unit")["amount_fen"].sum().to_dict()
    assert by_unit == {unit: m.amount_fen for unit, m in result.context.benefit_units}
    # Only the office workbook's person detail shows IDs in full; here they are masked, and without a link key
    # there is no person key.
    assert frame["id_number"].str.fullmatch(r"\d{4}\*{10}[\dX]{4}").sum() > 1000
    assert frame["person_key"].isna().all()


def test_a_link_key_gives_the_same_person_the_same_key_without_the_id(tmp_path):
    import hashlib
    import hmac
    root = demo_project(tmp_path, quarters=1)
    text = (root / "config.toml").read_text(encoding="utf-8").replace('# link_key = ""', 'link_key = "城市密钥"')
    (root / "config.toml").write_text(text, encoding="utf-8")
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period="2019Q1")
    frame = pd.read_parquet(result.output_dir / "对象明细-2019Q1.parquet")
    persons = result.context.persons.reset_index(drop=True)
    valid = persons["id_status"] == "ok"
    want = [hmac.new("城市密钥".encode(), i.encode(), hashlib.sha256).hexdigest()[:24] for i in persons.loc[valid, "id_number"]]
    assert frame.loc[valid.to_numpy(), "person_key"].tolist() == want
    assert frame.loc[~valid.to_numpy(), "person_key"].isna().all()
    assert not any(i in frame.to_csv() for i in persons["id_number"])
