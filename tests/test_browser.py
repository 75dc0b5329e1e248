"""Every HTML document a demo run writes, opened in headless Chromium as a leader would: offline, without errors,
in Chinese, with its charts drawn, and printed to an A4 PDF whose sections start on new pages; and on two phone
screens, where it must fit the width (screenshots in pytest's temporary folder, `phone0/`).

Needs the `playwright` package (its own driver, no downloaded browser), Debian's /usr/bin/chromium and poppler's
pdftotext/pdfinfo. Without them the tests skip, except under CI (CI=true), which must install them (.ci/run).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import demo_project

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
A4_POINTS = (595, 842)
PHONES = ((360, 780), (390, 844))
# The quarter, how many demo quarters it needs, and the day the office runs it.
PERIODS = {"2019Q2": (2, date(2019, 7, 1)), "2019Q4": (4, date(2020, 1, 6))}
# The city roll-up opened beside the districts' documents: 2019Q2 with four more districts (copies of its summary).
ROLLUP = "2019Q2-汇总"
ROLLUP_DISTRICTS = ("东湖区", "西湖区", "新建区", "南昌县")
ROLLUP_HEADINGS = ("一、总体情况", "二、资金发放情况", "三、单位报送情况", "四、任务推进情况", "五、数据质量问题")
DISPATCH_HEADINGS = ("一、总体情况", "二、任务推进情况", "三、单位报送情况", "四、资金发放情况", "五、与上季度相比",
                     "六、数据质量问题")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(what: str, present: bool) -> None:
    """Skip when a tool is missing on a developer's machine; fail under CI, which is meant to install it."""
    if present:
        return
    if in_ci():
        pytest.fail(f"{what} is missing under CI; .ci/run must install it")
    pytest.skip(f"{what} is not installed")


def demo_output(root: Path, period: str, quarters: int, today: date) -> Path:
    """Build a scratch project with the shipped config and templates, write the demo input and run one quarter."""
    from pipeline import run
    demo_project(root, quarters)
    result = run(config_path=root / "config.toml", input_dir=root / "input", output_dir=root / "output",
                 period=period)
    return result.output_dir


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("the playwright Python package", False)
    require(f"Chromium ({CHROMIUM})", Path(CHROMIUM).exists())
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken install is as good as a missing one off CI, and a failure under CI
            require(f"a Chromium that starts ({exc})", False)
        yield chromium
        chromium.close()


def rollup_output(root: Path, district: Path) -> Path:
    """Roll a district's quarter up with copies of its summary.json under other districts' names: a wide city report."""
    from pipeline import rollup
    folders = [district]
    for name in ROLLUP_DISTRICTS:
        folder = root / name / district.name
        folder.mkdir(parents=True)
        text = (district / "summary.json").read_text(encoding="utf-8")
        (folder / "summary.json").write_text(text.replace('"district": "青山湖区"', f'"district": "{name}"', 1),
                                             encoding="utf-8")
        folders.append(folder)
    return rollup(folders, output_dir=root / "city", config_path=ROOT / "config.toml").output_dir


_RUNS: dict[str, Path] = {}


def demo_outputs(tmp_path_factory) -> dict[str, Path]:
    """Run each demo quarter once per session, and the city roll-up of 2019Q2; tests/test_libreoffice.py opens the
    workbooks of the same runs."""
    for period, (quarters, today) in PERIODS.items():
        if period not in _RUNS:
            _RUNS[period] = demo_output(tmp_path_factory.mktemp(period), period, quarters, today)
    if ROLLUP not in _RUNS:
        _RUNS[ROLLUP] = rollup_output(tmp_path_factory.mktemp("rollup"), _RUNS["2019Q2"])
    return dict(_RUNS)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    return demo_outputs(tmp_path_factory)


@pytest.fixture(scope="module")
def opened(browser, outputs, tmp_path_factory) -> dict[str, dict]:
    """Open every HTML file of every run once; keep what the page said and asked for, its PDF and a screenshot."""
    shots = tmp_path_factory.mktemp("browser")
    out = {}
    for period, folder in outputs.items():
        for path in sorted(folder.glob("*.html")):
            out[f"{period}/{path.name}"] = visit(browser, path, shots / f"{period}-{path.stem}")
    return out


def visit(browser, path: Path, stem: Path) -> dict:
    """Load one file with every other request blocked and recorded; measure it, print it, photograph it."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    console, errors, requests = [], [], []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = path.as_uri()
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    page.goto(url, wait_until="load")
    # Printed as it opens, folds closed: the print stylesheet must show every fold on A4.
    page.pdf(path=f"{stem}.pdf", format="A4", print_background=True)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    info = page.evaluate("""() => ({
        text: document.body.innerText,
        parts: [...document.querySelectorAll('section.part')].map(s => (s.querySelector('.annex-label, h2') || {}).textContent || ''),
        headings: [...document.querySelectorAll('h2')].map(h => h.textContent.trim()),
        // Each chart is drawn twice, for A4 and for a phone; the stylesheet shows one of them.
        svgs: [...document.querySelectorAll('svg')].filter(s => getComputedStyle(s).display != 'none')
                                                   .map(s => { const b = s.getBoundingClientRect(); return [b.width, b.height]; }),
        scripts: document.scripts.length,
        // A table may be wider than the sheet only inside a box that scrolls: nothing sticks out of the white page.
        sticking_out: [...document.querySelectorAll('table')].filter(t => {
            const edge = document.body.getBoundingClientRect().right - parseFloat(getComputedStyle(document.body).paddingRight);
            const box = t.closest('.scroll');
            const clipped = box && getComputedStyle(box).overflowX != 'visible';
            return (clipped ? box : t).getBoundingClientRect().right > edge + 1; }).length,
    })""")
    page.screenshot(path=f"{stem}.png", full_page=True)
    page.close()
    return {**info, "console": console, "errors": errors, "requests": requests, "url": url, "pdf": Path(f"{stem}.pdf"),
            "png": Path(f"{stem}.png")}


@pytest.fixture(scope="module")
def on_phones(browser, outputs, tmp_path_factory) -> dict[tuple[str, int], dict]:
    """Open every HTML file on each phone screen; measure the page and its text column, photograph it, print it."""
    shots = tmp_path_factory.mktemp("phone")
    out = {}
    for period, folder in outputs.items():
        for path in sorted(folder.glob("*.html")):
            for width, height in PHONES:
                out[f"{period}/{path.name}", width] = visit_phone(browser, path, width, height,
                                                                   shots / f"{period}-{path.stem}-{width}")
    return out


def visit_phone(browser, path: Path, width: int, height: int, stem: Path) -> dict:
    """Load one file as a phone would (mobile viewport, touch, 2× pixels) and measure how it fits the screen."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=2, is_mobile=True,
                            has_touch=True)
    page.goto(path.as_uri(), wait_until="load")
    info = page.evaluate("""() => {
        const text = [...document.querySelectorAll('body > p, section.part > p')].find(p => !p.matches('.note'));
        const style = getComputedStyle(text);
        const wide = [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > innerWidth);
        return {scroll_width: document.documentElement.scrollWidth, inner_width: innerWidth,
                column: text.getBoundingClientRect().width, font_px: parseFloat(style.fontSize),
                issuer_right: document.querySelector('.issuer').getBoundingClientRect().right,
                svg_right: Math.max(0, ...[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().right)),
                wide_tables: wide.length, wide_unboxed: wide.filter(t => !t.closest('.scroll')).length};
    }""")
    first = page.evaluate("""() => {
        const bottom = e => e ? e.getBoundingClientRect().bottom + scrollY : null;
        const red = document.querySelector('.first-screen ol.reds li');
        return {tiles: [...document.querySelectorAll('.first-screen .tile')].map(t => [t.innerText, bottom(t)]),
                red_task: red ? red.querySelector('b').textContent + ' ' + red.querySelector('.what').textContent : null,
                red_bottom: bottom(red), folded_height: document.documentElement.scrollHeight};
    }""")
    page.screenshot(path=f"{stem}.png", full_page=True)
    # Everything unfolded, as a leader opening each section would see it: every cell and chart is measured.
    measured = page.evaluate("""() => {
        document.querySelectorAll('details').forEach(d => { d.open = true; });
        const cells = [...document.querySelectorAll('td, th')].filter(c => c.getClientRects().length)
            .map(c => [c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize), c.innerText.trim()]);
        const charts = [...document.querySelectorAll('svg')].filter(s => getComputedStyle(s).display != 'none');
        const chart_px = charts.flatMap(s => { const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
            return [...s.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale); });
        return {narrowest: cells.reduce((a, c) => c[0] < a[0] ? c : a, [1e9, '']), chart_px: Math.min(...chart_px),
                charts: charts.length, cards: document.querySelectorAll('table.cards').length,
                cards_wider: [...document.querySelectorAll('table.cards')].filter(t => t.getBoundingClientRect().width > innerWidth).length};
    }""")
    # Printed from the phone, the page is the A4 document again: none of the narrow-screen rules applies.
    page.emulate_media(media="print")
    printed = page.evaluate("""() => ({
        font_px: parseFloat(getComputedStyle(document.body).fontSize),
        padding: getComputedStyle(document.body).paddingLeft,
        boxes: [...new Set([...document.querySelectorAll('.scroll')].map(s => getComputedStyle(s).overflowX))],
        issuer_wrap: getComputedStyle(document.querySelector('.issuer')).whiteSpace,
    })""")
    page.close()
    return {**info, **first, **measured, "height_screen": height, "printed": printed, "png": Path(f"{stem}.png")}


def pdf_pages(pdf: Path) -> list[str]:
    """Return the text of each page of a PDF, by poppler's pdftotext (pages split by form feeds)."""
    require("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pdf_page_size(pdf: Path) -> tuple[float, float]:
    require("pdfinfo (poppler-utils)", shutil.which("pdfinfo") is not None)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    return float(w), float(h)


def test_each_run_wrote_the_dispatch_report_and_the_half_year_documents(outputs, opened):
    names = set(opened)
    assert {"2019Q2/调度报告-2019Q2.html", "2019Q4/调度报告-2019Q4.html"} <= names
    for period, folder in outputs.items():
        assert {f"{period}/{p.name}" for p in folder.glob("*.html")} <= names


def test_documents_load_offline_without_errors_or_scripts(opened):
    for name, page in opened.items():
        problems = [(t, m) for t, m in page["console"] if t in ("error", "warning")]
        assert problems == [] and page["errors"] == [], name
        assert page["requests"] == [page["url"]], name   # no font, image, stylesheet or beacon from anywhere
        assert page["scripts"] == 0, name
        assert page["sticking_out"] == 0, name    # on a desktop too, a wide table scrolls in its own box


def test_documents_show_chinese_text_and_drawn_charts(opened):
    for name, page in opened.items():
        assert len(re.findall(r"[\u4e00-\u9fff]", page["text"])) > 200, name
        assert page["headings"] and all(h for h in page["headings"]), name
        assert all(w > 0 and h > 0 for w, h in page["svgs"]), name
    for period in PERIODS:
        dispatch = opened[f"{period}/调度报告-{period}.html"]
        assert dispatch["headings"] == list(DISPATCH_HEADINGS)
        assert len(dispatch["svgs"]) >= 2
        assert "重点任务灯色一览" in dispatch["text"] and "亮灯原因及涉及单位" in dispatch["text"]
        assert not re.search(r"\d{17}[\dXx]", dispatch["text"])   # IDs are masked
    city = opened[f"{ROLLUP}/市级汇总-2019Q2.html"]
    assert city["headings"] == list(ROLLUP_HEADINGS) and len(city["svgs"]) >= 2
    assert "各区汇总报告" in city["text"] and all(name in city["text"] for name in ROLLUP_DISTRICTS)


def test_documents_print_on_a4_with_each_section_on_a_new_page(opened):
    for name, page in opened.items():
        assert page["png"].stat().st_size > 10_000, name
        size = pdf_page_size(page["pdf"])
        assert all(abs(got - want) <= 2 for got, want in zip(size, A4_POINTS)), (name, size)
        pages = pdf_pages(page["pdf"])
        # Compared without whitespace: pdftotext turns an ideographic space into a plain one.
        parts = [re.sub(r"\s+", "", p) for p in page["parts"]]
        assert len(pages) > 1 and len(pages) >= len(parts), name
        # A section after the first opens its page: its heading is the first text printed there.
        tops = [next((re.sub(r"\s+", "", line) for line in text.splitlines() if line.strip()), "") for text in pages]
        for heading in parts[1:]:
            assert heading in tops, (name, heading)
        if "调度报告" in name:   # the folded task tables print, closed as the page opened
            assert "亮灯原因及涉及单位" in re.sub(r"\s+", "", "".join(pages)), name
        numbers = [re.search(r"—\s*(\d+)\s*—", text) for text in pages]   # GB/T 9704's "— 3 —" at the foot
        assert [int(m.group(1)) if m else None for m in numbers] == list(range(1, len(pages) + 1)), name


def test_documents_fit_a_phone_screen_without_sideways_scrolling(on_phones, opened):
    assert {name for name, _ in on_phones} == set(opened)
    for (name, width), page in on_phones.items():
        where = (name, width, str(page["png"]))
        assert page["inner_width"] == width, where
        assert page["scroll_width"] <= width, where
        assert page["column"] >= 0.8 * width, where          # the text uses the screen, not an A4 sheet's margins
        assert page["font_px"] >= 15, where
        assert page["issuer_right"] <= width and page["svg_right"] <= width, where
        assert page["wide_unboxed"] == 0, where               # a table wider than the screen scrolls in its own box
        assert page["png"].stat().st_size > 10_000, where
    # The wide tables are there, so the boxes were put to the test: the 59-task tables and the unit rankings.
    assert on_phones[f"{ROLLUP}/市级汇总-2019Q2.html", 360]["wide_tables"] >= 3     # the districts side by side


def test_the_first_phone_screen_answers_the_leader(on_phones, outputs):
    """Headline figures and the first red task, by number and name, within the first screen of every report."""
    import json
    import tomllib

    from pipeline.report.pages import truncate_cn
    measures = tomllib.loads((ROOT / "matrix.toml").read_text(encoding="utf-8"))["measures"]
    for (name, width), page in on_phones.items():
        where = (name, width, str(page["png"]))
        labels = [text for text, _ in page["tiles"]]
        assert len(labels) == 5 and all(bottom <= page["height_screen"] for _, bottom in page["tiles"]), where
        for word in ("已报送单位", "救助人数", "数据错误", "任务灯色", "发放资金"):
            assert any(word in text for text in labels), (where, word)
        assert page["red_task"] and page["red_bottom"] <= page["height_screen"], where
        if name.endswith(".html") and "调度报告" in name:
            # The plan's first red task, by its number and the start of the plan's words for it.
            summary = json.loads((outputs[name.split("/")[0]] / "summary.json").read_text(encoding="utf-8"))
            task = next(t["task"] for t in summary["tasks"] if t["light"] == "red")
            assert page["red_task"] == f"第{task}条 {truncate_cn(measures[str(task)], 16)}", where
    # Folded by section, the dispatch report is a few screens on a phone, not thirty.
    assert all(on_phones[f"{p}/调度报告-{p}.html", 390]["folded_height"] < 12 * 844 for p in PERIODS)


def test_phone_tables_and_charts_are_readable(on_phones):
    for (name, width), page in on_phones.items():
        where = (name, width, str(page["png"]))
        assert page["narrowest"][0] >= 2, (where, page["narrowest"])   # no cell narrower than two characters
        if page["charts"]:
            assert page["chart_px"] >= 12, where
        assert page["cards_wider"] == 0, where                          # a card fits the screen, no sideways scroll
    # The 59-task tables and the unit rankings became cards, one per row.
    assert all(on_phones[f"{p}/调度报告-{p}.html", 360]["cards"] >= 8 for p in PERIODS)



def test_a_phone_prints_the_a4_document_not_the_phone_layout(on_phones):
    for (name, width), page in on_phones.items():
        printed = dict(page["printed"])
        assert printed.pop("font_px") == pytest.approx(16 * 4 / 3, abs=0.01), (name, width)   # 3号, 16 pt
        assert printed == {"padding": "0px", "boxes": ["visible"], "issuer_wrap": "nowrap"}, (name, width)


def test_a_missing_tool_skips_on_a_developer_machine_and_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require("a tool", False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require("a tool", False)
    require("a tool", True)
