"""The parse cache: a rerun reads nothing again, a changed file or setting is read afresh, and an entry that is damaged,
forged, planted, foreign or stale is a miss, never code run or money changed. Entries are private and bounded."""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import secrets
import shutil
import stat
import threading
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, demo_project

import pipeline.cache
from pipeline import cache_format, check, run
from pipeline.cache import MAGIC, ParseCache, source_digest
from pipeline.cache_format import Unsupported, decode, encode, header_of
from pipeline.cache_key import key_folder, load_key
from pipeline.errors import StopRun
from pipeline.findings import Finding, finding
from pipeline.reader import FileRead, SheetRead
from pipeline.vocab import Severity

posix_only = pytest.mark.skipif(os.name == "nt", reason="file modes are POSIX")


def rerun(root: Path, **options):
    return run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
               period="2019Q1", **options)


def checked(root: Path, **options):
    return check(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period="2019Q1", **options)


@pytest.fixture
def cached(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    first = rerun(root)
    return root, first


@pytest.fixture(scope="module")
def shipped(config):
    """Every read of the shipped input, both quarters, with the day each was read for."""
    from pipeline.reading import read_quarters
    days = [date(2019, 3, 31), date(2019, 6, 30)]
    reads = read_quarters([(ROOT / "input" / f"2019Q{q}", d) for q, d in zip((1, 2), days)], config, cache=None)
    return [(r, d.isoformat()) for quarter, d in zip(reads, days) for r in quarter]


def set_cache_table(config: Path, body: str) -> None:
    """Replace the [cache] table of a config.toml with `body` (no table at all when body is None)."""
    text = config.read_text(encoding="utf-8")
    start = text.index("[cache]\n")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + ("" if body is None else f"[cache]\n{body}") + text[end:], encoding="utf-8")


def files_in(root: Path) -> int:
    return sum(1 for p in (root / "input" / "2019Q1").rglob("*") if p.is_file())


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.jkc")}


def assert_same(a, b, where: str = "read") -> None:
    """Assert two values are equal in type and value, field by field, frames by pandas' strictest comparison."""
    assert type(a) is type(b), where
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_dtype=True, check_exact=True, check_index_type=True,
                                      check_column_type=True, obj=where)
        assert a.attrs == b.attrs, where
        for i in range(a.shape[1]):        # assert_frame_equal takes None for NaN and 1 for np.int64(1)
            if a.dtypes.iloc[i] == object:
                assert [type(v) for v in a.iloc[:, i]] == [type(v) for v in b.iloc[:, i]], f"{where}[{i}]"
    elif is_dataclass(a):
        for f in fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, where


def round_trip(read: FileRead) -> FileRead:
    return decode(*header_of(encode(read, {})))


# --- the format ---------------------------------------------------------------------------------------------------

def test_every_read_of_the_shipped_input_comes_back_from_the_cache_exactly(shipped, tmp_path):
    cache = ParseCache(tmp_path / ".cache", "settings")
    for read, day in shipped:
        assert_same(read, round_trip(read), read.file)      # raises Unsupported on a field the format cannot store
        cache.put(read, day)
    assert len(entries(cache.folder)) == len(shipped)       # nothing left out of the cache unnoticed
    for read, day in shipped:
        assert_same(read, cache.get(read.file, read.sha256, day), read.file)
    assert (cache.hits, cache.misses) == (len(shipped), 0)
    assert any(len(s.rows) for r, _ in shipped for s in r.sheets) and any(r.all_findings for r, _ in shipped)


@dataclass(frozen=True)
class Future:
    """Fields of the kinds another engineer may add to SheetRead."""

    rows_seen: tuple[int, ...]
    counts: dict[str, int]
    spans: dict[str, tuple[int, ...]]
    when: date | None
    stamp: datetime
    nothing: None
    flag: bool
    ratio: float
    severity: Severity
    finding: Finding
    frames: tuple[pd.DataFrame, ...]
    names: list[str]
    scalar: np.int64


def every_dtype() -> pd.DataFrame:
    def obj(*values):
        return pd.Series(values, dtype=object)
    df = pd.DataFrame({
        "obj_none": obj(None, None, None, None), "obj_mixed": obj(None, np.nan, 3, "x"),
        "obj_str": obj("a", None, "c", ""), "obj_int": obj(1, None, 3, 4), "obj_float": obj(1.5, np.nan, None, 2.0),
        "obj_bool": obj(True, False, None, True),
        "obj_date": obj(date(2019, 1, 1), None, date(2019, 2, 1), None), "obj_big": obj(2 ** 70, None, 1, 2),
        "obj_numpy": obj(np.int64(3), np.float64(2.5), np.bool_(True), None), "obj_tuple": obj((1, 2), None, (), (3,)),
        "str": pd.array(["a", None, "c", ""], dtype="str"),
        "str_python": pd.array(["a", None, "c", ""], dtype=pd.StringDtype("python", na_value=np.nan)),
        "string": pd.array(["a", None, "c", ""], dtype="string"),
        "Int64": pd.array([1, None, 3, 2 ** 62], dtype="Int64"), "boolean": pd.array([True, None, False, True],
                                                                                       dtype="boolean"),
        "bool": [True, False, True, False], "int64": np.array([1, 2, 3, 2 ** 62]), "int32": np.arange(4, dtype="int32"),
        "float64": [1.0, np.nan, np.inf, -0.0],
        "category": pd.Categorical(["x", None, "y", "x"], categories=["y", "x", "z"], ordered=True),
        "datetime": pd.to_datetime(["2019-01-01", None, "2019-03-01", "2019-04-01"]),
    })
    df.attrs["source"] = "test"
    return df


def test_every_kind_of_field_and_column_round_trips(monkeypatch):
    monkeypatch.setitem(cache_format.DATACLASSES, "Future", Future)
    frames = (every_dtype(), every_dtype().set_axis(range(21), axis=1),
              every_dtype().iloc[[3, 1]].rename_axis("row"),
              every_dtype().iloc[[3, 0, 1]], every_dtype().set_index(pd.Index(list("abcd"), dtype="str")),
              pd.DataFrame(), pd.DataFrame(index=range(3)), pd.DataFrame({"a": [None, 1]}, dtype=object)[:0])
    future = Future((4, 5, 9), {"a": 1, "b": 2}, {"x": (1, 2), "y": ()}, None, datetime(2019, 3, 1, 8, 30), None,
                    True, math.nan, Severity.WARNING, finding("bad-value", "x", row=3, left_out=(3, 4)), frames,
                    ["名", ""], np.int64(7))
    read = FileRead("a/台账.xlsx", sheets=(SheetRead("a/台账.xlsx", "表", "roster", reported_on=date(2019, 3, 18),
                                                 rows=every_dtype(), lines=((5, 8), (10, 10)),
                                                 notes=(9,), totals=(11,)), future), sha256="ab", size=3)
    assert_same(read, round_trip(read))


@pytest.mark.parametrize("value", [{1, 2}, Path("x"), {1: 2}, datetime(2019, 1, 1, tzinfo=timezone.utc), b"x",
                                   Future.__new__(Future), pd.Series([1]),
                                   pd.DataFrame({"p": pd.period_range("2019", periods=1)}),
                                   pd.DataFrame({"o": [{1}]}), pd.DataFrame({"o": [pd.DataFrame()]}),
                                   pd.DataFrame({"c": pd.Categorical([1, "a"])})],
                         ids=["set", "path", "int-key", "tz", "bytes", "unregistered", "series", "period", "object",
                              "frame-in-cell", "mixed-categories"])
def test_a_value_the_format_does_not_know_fails_loudly_and_is_not_stored(value, tmp_path):
    read = FileRead("a.xlsx", sheets=(SheetRead("a.xlsx", "s", "roster", title=value),), sha256="ab")
    with pytest.raises(Unsupported):
        encode(read, {})
    cache = ParseCache(tmp_path, "s")
    cache.put(read, "2019-03-31")
    assert not entries(tmp_path)


# --- trust ----------------------------------------------------------------------------------------------------------

class Planted:
    """A pickle that creates a file when it is loaded: what a hostile entry in output/.cache would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def forged(path: Path, edit) -> None:
    """Edit an entry's read and write it back under a plain SHA-256 in place of the MAC."""
    data = path.read_bytes()
    head, blobs = header_of(data[len(MAGIC) + 32:])
    body = encode(edit(decode(head, blobs)), head["key"])
    path.write_bytes(MAGIC + hashlib.sha256(MAGIC + body).digest() + body)


def richer(read: FileRead) -> FileRead:
    """Give every 低保 household of a roster no income: more money, the same findings."""
    sheets = []
    for s in read.sheets:
        rows = s.rows.copy()
        if "income_fen" in rows:
            rows.loc[rows["category"] == "低保", "income_fen"] = 0.0
        sheets.append(replace(s, rows=rows))
    return replace(read, sheets=tuple(sheets))


def test_planted_pickles_and_edited_entries_never_run_or_change_the_money(tmp_path):
    from pipeline.config import load_config
    from pipeline.reader import list_entries
    from pipeline.reading import parse_cache
    root = demo_project(tmp_path, quarters=1)
    honest = checked(root, cache=False).context.total_fen
    checked(root)
    config = load_config(root / "config.toml")
    cache = parse_cache(config, root / "input", root / "output", True)
    folder = root / "input" / "2019Q1"
    looked_at = {e.file: cache.path(e.file, pipeline.cache.file_sha256(e.path), "2019-03-31")
                 for e in list_entries(folder) if e.to_read}
    assert {p.name for p in looked_at.values()} == entries(cache.folder) and len(looked_at) == files_in(root)
    rosters = sorted(f for f in looked_at if "台账" in f)
    forged(looked_at[rosters[0]], richer)                        # edited, under a plain sha256
    data = looked_at[rosters[1]].read_bytes()                    # edited, keeping its real MAC
    head, blobs = header_of(data[len(MAGIC) + 32:])
    looked_at[rosters[1]].write_bytes(data[:len(MAGIC) + 32] + encode(richer(decode(head, blobs)), head["key"]))
    marker = tmp_path / "planted-code-ran"
    payload = pickle.dumps(Planted(marker))
    for f, path in looked_at.items():
        if f not in rosters[:2]:
            path.write_bytes(payload)
    old = cache.folder / "ab" / f"{'ab' * 32}.pickle"            # where the pickle cache kept its entries
    old.parent.mkdir()
    old.write_bytes(payload)
    (cache.folder / "index.json").write_bytes(payload)

    result = rerun(root)
    assert not marker.exists()
    assert result.context.total_fen == honest
    assert (result.cache_hits, result.cache_misses) == (0, files_in(root))
    assert not old.exists()
    again = checked(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root), 0) and again.context.total_fen == honest
    assert not marker.exists()
    # The same edit under the real key is trusted: the edit is one that changes the money.
    read = cache.get(rosters[0], pipeline.cache.file_sha256(folder / rosters[0]), "2019-03-31")
    cache.put(richer(read), "2019-03-31")
    assert checked(root).context.total_fen > honest


def test_an_entry_made_with_another_key_is_a_miss_and_is_deleted(shipped, tmp_path):
    read, day = shipped[1]
    ParseCache(tmp_path, "s", key=secrets.token_bytes(32)).put(read, day)
    cache = ParseCache(tmp_path, "s")
    path = cache.path(read.file, read.sha256, day)
    assert path.exists()
    assert cache.get(read.file, read.sha256, day) is None and cache.misses == 1
    assert not path.exists()
    cache.put(read, day)
    assert_same(read, cache.get(read.file, read.sha256, day))


def test_an_authentic_entry_for_anything_else_than_what_was_asked_is_a_miss(shipped, tmp_path, monkeypatch):
    (a, day), (b, _) = shipped[1], shipped[2]
    cache = ParseCache(tmp_path / "real", "s")
    cache.put(a, day)
    entry = cache.path(a.file, a.sha256, day).read_bytes()
    with monkeypatch.context() as m:
        m.setattr(pipeline.cache, "code_fingerprint", lambda: "0" * 64)
        stale = ParseCache(tmp_path / "stale", "s")
        stale.put(a, day)
    with monkeypatch.context() as m:
        m.setattr(pipeline.cache, "MAGIC", MAGIC[:-1] + bytes([MAGIC[-1] + 1]))
        newer = ParseCache(tmp_path / "newer", "s")
        newer.put(a, day)
    cases = {"another file": (entry, "s", (b.file, b.sha256, day)),
             "another day": (entry, "s", (a.file, a.sha256, "2019-06-30")),
             "other settings": (entry, "t", (a.file, a.sha256, day)),
             "stale code": (stale.path(a.file, a.sha256, day).read_bytes(), "s", (a.file, a.sha256, day)),
             "another format": (newer.path(a.file, a.sha256, day).read_bytes(), "s", (a.file, a.sha256, day))}
    for case, (data, settings, asked) in cases.items():
        folder = tmp_path / case
        cache = ParseCache(folder, settings)
        cache.path(*asked).parent.mkdir()
        cache.path(*asked).write_bytes(data)            # an authentic entry, under the name of what is asked
        assert cache.get(*asked) is None, case
        assert not entries(folder), case
    assert_same(a, ParseCache(tmp_path / "real", "s").get(a.file, a.sha256, day))    # the same entry, asked right


@posix_only
def test_a_pipe_or_a_link_planted_in_the_cache_is_a_miss_never_waited_on(shipped, tmp_path):
    (a, day), (b, _) = shipped[1], shipped[2]
    elsewhere = ParseCache(tmp_path / "elsewhere", "s")
    elsewhere.put(a, day)
    folder = tmp_path / "cache"
    folder.mkdir()
    os.mkfifo(folder / "index.json")
    os.mkfifo(folder / elsewhere.path(b.file, b.sha256, day).name)
    (folder / elsewhere.path(a.file, a.sha256, day).name).symlink_to(elsewhere.path(a.file, a.sha256, day))
    found = []

    def ask():
        cache = ParseCache(folder, "s")
        found.extend([cache.get(a.file, a.sha256, day), cache.get(b.file, b.sha256, day), cache.close()])
    asking = threading.Thread(target=ask, daemon=True)     # a run stuck on a pipe would stay alive here
    asking.start()
    asking.join(30)
    assert not asking.is_alive() and found == [None, None, None]
    assert elsewhere.path(a.file, a.sha256, day).exists()     # the link's target is left alone


def test_a_damaged_entry_is_a_miss_never_an_error(cached):
    root, first = cached
    found = sorted((root / "output" / ".cache").glob("*.jkc"))
    assert len(found) == files_in(root)
    found[0].write_bytes(b"\x80\x04not a pickle")
    found[1].write_bytes(found[1].read_bytes()[:-100])
    found[2].unlink()
    found[2].mkdir()
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root) - 3, 3)
    assert again.context.total_fen == first.context.total_fen


@posix_only
def test_entries_are_0600_in_a_0700_folder_and_the_key_is_0600(shipped, tmp_path):
    folder, home = tmp_path / "output" / ".cache", tmp_path / "home" / "jiekun"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)                      # as the pickle cache left it
    mask = os.umask(0)
    try:
        cache = ParseCache(folder, "s", config_home=home)
        for read, day in shipped[:5]:
            cache.put(read, day)
        cache.close()
    finally:
        os.umask(mask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}
    assert len(list(folder.iterdir())) == 6      # five entries and the index
    key = home / "cache.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(home.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == 32


# --- the key --------------------------------------------------------------------------------------------------------

def test_racing_runs_make_one_key(tmp_path):
    keys, start = [], threading.Barrier(8)

    def take():
        start.wait()
        keys.append(load_key(tmp_path / "jiekun"))
    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and set(keys) == {(tmp_path / "jiekun" / "cache.key").read_bytes()}
    assert load_key(tmp_path / "jiekun") == keys[0]


def test_the_key_lives_in_the_users_config_folder():
    home = Path.home()
    assert key_folder({"JIEKUN_CONFIG_HOME": "/k", "XDG_CONFIG_HOME": "/x"}) == Path("/k")
    assert key_folder({"XDG_CONFIG_HOME": "/x"}) == Path("/x/jiekun")
    assert key_folder({"XDG_CONFIG_HOME": "relative"}) == key_folder({}) == home / ".config" / "jiekun"
    assert key_folder({"APPDATA": "/AppData/Roaming"}, windows=True) == Path("/AppData/Roaming/jiekun")
    assert key_folder({"APPDATA": "/AppData/Roaming", "JIEKUN_CONFIG_HOME": "/k"}, windows=True) == Path("/k")


def test_a_key_that_cannot_be_had_turns_the_cache_off_and_the_run_goes_on(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert not ParseCache(tmp_path / "c", "s", config_home=blocked / "jiekun").enabled
    for mode, size in ((0o644, 32), (0o600, 31)):
        home = tmp_path / f"home-{mode}-{size}"
        home.mkdir()
        (home / "cache.key").write_bytes(b"k" * size)
        os.chmod(home / "cache.key", mode)
        cache = ParseCache(tmp_path / "c", "s", config_home=home)
        assert not cache.enabled and "缓存密钥" in cache.disabled_reason
        assert (home / "cache.key").read_bytes() == b"k" * size          # the user's file is left alone
    root = demo_project(tmp_path, quarters=1)
    monkeypatch.setenv("JIEKUN_CONFIG_HOME", str(blocked / "jiekun"))
    result = checked(root)
    assert (result.cache_hits, result.cache_misses) == (0, 0)
    assert result.context.total_fen == checked(root, cache=False).context.total_fen
    assert not (root / "output" / ".cache").exists()


def test_the_code_key_covers_every_module_of_the_package(tmp_path):
    package = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", package, ignore=shutil.ignore_patterns("__pycache__"))
    base = source_digest(package)
    assert base == pipeline.cache._package_digest()
    money = package / "money.py"
    text = money.read_text(encoding="utf-8")
    money.write_text(text.replace("ROUND_HALF_UP", "ROUND_HALF_EVEN", 1) if "ROUND_HALF_UP" in text else text + "#",
                     encoding="utf-8")
    assert source_digest(package) != base
    money.write_text(text, encoding="utf-8")
    (package / "report" / "added.py").write_text("X = 1\n", encoding="utf-8")
    assert source_digest(package) != base


# --- bounds ---------------------------------------------------------------------------------------------------------

def test_entries_no_recent_run_used_are_evicted(shipped, tmp_path):
    reads = shipped[:3]
    names = {}
    for settings in "ABC":
        cache = ParseCache(tmp_path, settings, runs_kept=2)
        for read, day in reads:
            cache.put(read, day)
        names[settings] = {cache.path(r.file, r.sha256, d).name for r, d in reads}
        cache.close()
        assert entries(tmp_path) == names[settings] | names.get(chr(ord(settings) - 1), set())
    cache = ParseCache(tmp_path, "B", runs_kept=2)        # a fourth run uses one of the second run's entries
    (read, day) = reads[0]
    assert cache.get(read.file, read.sha256, day) is not None
    cache.close()
    assert entries(tmp_path) == names["C"] | {cache.path(read.file, read.sha256, day).name}
    assert json.loads((tmp_path / "index.json").read_text())["run"] == 4


def test_the_cache_stays_under_max_mb_keeping_what_was_used_last(shipped, tmp_path):
    cache = ParseCache(tmp_path, "s", max_mb=100)
    for read, day in shipped:
        cache.put(read, day)
    cache.close()
    assert sum(p.stat().st_size for p in tmp_path.glob("*.jkc")) > 1 << 20
    used = [(r, d) for r, d in shipped if r.sheets and r.sheets[0].kind == "roster"][:2]
    cache = ParseCache(tmp_path, "s", max_mb=1)
    assert all(cache.get(r.file, r.sha256, d) is not None for r, d in used)
    cache.close()
    assert sum(p.stat().st_size for p in tmp_path.glob("*.jkc")) <= 1 << 20
    assert {cache.path(r.file, r.sha256, d).name for r, d in used} <= entries(tmp_path)


def test_config_cache_table_keeps_only_the_last_runs_entries(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    config = root / "config.toml"
    set_cache_table(config, "runs_kept = 1\nmax_mb = 64")
    checked(root)
    first = entries(root / "output" / ".cache")
    text = config.read_text(encoding="utf-8").replace('"推进中" = ["推进中",', '"推进中" = ["推进中", "推进ing",')
    config.write_text(text, encoding="utf-8")
    assert checked(root).cache_hits == 0
    second = entries(root / "output" / ".cache")
    assert len(second) == files_in(root) and not first & second


@pytest.mark.parametrize("table", ["runs_kept = 0", "max_mb = -1", "max_mb = 2.5", 'runs_kept = "3"',
                                   "runs_kept = true", "keep = 3"])
def test_a_bad_cache_setting_stops_the_run_naming_the_key(table, project):
    from pipeline.config import load_config
    config = project / "config.toml"
    set_cache_table(config, table)
    with pytest.raises(StopRun, match=r"cache\.(runs_kept|max_mb)|\[cache\] 中 keep"):
        load_config(config)


def test_the_cache_settings_default_to_three_runs_and_512_mb(project):
    from pipeline.config import load_config
    set_cache_table(project / "config.toml", None)
    config = load_config(project / "config.toml")
    assert (config.cache.runs_kept, config.cache.max_mb) == (3, 512)
    with open(project / "config.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[cache]\nmax_mb = 1\n")
    assert load_config(project / "config.toml").cache == type(config.cache)(3, 1)


# --- reuse ------------------------------------------------------------------------------------------------------------

def test_a_rerun_takes_every_file_from_the_cache_and_says_the_same(cached):
    root, first = cached
    assert (first.cache_hits, first.cache_misses) == (0, files_in(root))
    summary = (first.output_dir / "summary.json").read_bytes()
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root), 0)
    assert (again.output_dir / "summary.json").read_bytes() == summary
    assert json.loads((again.output_dir / "manifest.json").read_text(encoding="utf-8"))["parse_cache"]["hits"] == \
        files_in(root)


def test_a_resubmitted_file_alone_is_read_again(cached):
    root, _ = cached
    roster = next((root / "input" / "2019Q1").glob("湖坊镇-救助对象台账*"))
    import openpyxl
    wb = openpyxl.load_workbook(roster)
    ws = wb.active
    ws.cell(ws.max_row + 1, 2, "新来人")      # a changed byte is a changed file
    wb.save(roster)
    again = rerun(root)
    assert (again.cache_hits, again.cache_misses) == (files_in(root) - 1, 1)


def test_a_changed_setting_reads_every_file_again(cached):
    root, _ = cached
    text = (root / "config.toml").read_text(encoding="utf-8").replace('"推进中" = ["推进中",', '"推进中" = ["推进中", "推进ing",')
    (root / "config.toml").write_text(text, encoding="utf-8")
    assert rerun(root).cache_hits == 0


def test_no_cache_reads_everything_and_writes_no_cache(tmp_path):
    root = demo_project(tmp_path, quarters=1)
    result = rerun(root, cache=False)
    assert (result.cache_hits, result.cache_misses) == (0, 0)
    assert not (root / "output" / ".cache").exists()


def test_an_entry_from_another_version_of_the_reading_code_is_never_used(cached, monkeypatch):
    root, _ = cached
    monkeypatch.setattr(pipeline.cache, "__version__", "9.9.9")
    assert rerun(root).cache_hits == 0
