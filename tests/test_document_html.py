"""The official-document model laid out in HTML by templates/_document.html.j2, beside the Word writer: the same
headings with the same numbers, the same 文号, tables in scroll boxes, text escaped."""
from __future__ import annotations

import io
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import docx
from markupsafe import Markup
from test_docx import ISSUER, bulletin

from pipeline.report.document import Cell, Column, Figure, Heading, PageBreak, Paragraph, Table
from pipeline.report.docx_writer import docx_bytes
from pipeline.report.pages import environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE = """{% extends "_official.html.j2" %}{% import "_document.html.j2" as d %}
{% block doc_title %}{{ doc.title }}{% endblock %}{% block docline %}{{ d.docline(doc) }}{% endblock %}
{% block content %}{{ d.title(doc) }}{{ d.body(doc) }}{{ d.annexes(doc) }}{{ d.imprint(doc) }}{% endblock %}"""


class Outline(HTMLParser):
    """Collect the text of headings, paragraphs and table cells, and which tables sit in a scroll box."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.items: list[tuple[str, str, str]] = []   # (tag, class, text)
        self.tables_in_scroll: list[bool] = []
        self.sections = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "br":
            if self.stack:
                self.stack[-1][1]["text"] += "\n"
            return
        if tag == "table":
            self.tables_in_scroll.append(any(t == "div" and "scroll" in a.get("class", "") for t, a in self.stack))
        if tag == "section":
            self.sections += 1
        self.stack.append((tag, {**attrs, "text": ""}))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, attrs = self.stack.pop()
            if open_tag in ("h1", "h2", "h3", "h4", "h5", "p", "th", "td", "caption", "div"):
                self.items.append((open_tag, attrs.get("class") or "", attrs["text"].strip(" \n\t")))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][1]["text"] += data


def render(doc) -> str:
    env = environment(TEMPLATES)
    return env.from_string(PAGE).render(doc=doc, ctx={"office": {"name": doc.issuer}})


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def texts(o: Outline, *tags: str, cls: str | None = None) -> list[str]:
    return [t for tag, c, t in o.items if tag in tags and (cls is None or cls in c.split())]


def test_html_and_word_number_the_same_headings_the_same_way():
    doc = bulletin(3)
    html = outline(render(doc))
    word = docx.Document(io.BytesIO(docx_bytes(doc)))
    in_word = [(int(p.style.name[-1]), p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    in_html = [(int(tag[1]) - 1, t) for tag, _, t in html.items if tag in ("h2", "h3", "h4", "h5")]
    assert in_html == in_word
    assert in_html[:3] == [(1, "一、基本情况"), (2, "（一）报送情况"), (3, "1.按时报送")]


def test_banner_doc_number_title_signature_and_annexes():
    html = outline(render(bulletin(3)))
    assert texts(html, "div", cls="issuer") == [ISSUER]
    assert texts(html, "div", cls="docline") == ["湖脱贫办〔2019〕3号"]
    assert texts(html, "h1")[:2] == ["关于2019年上半年青山湖区城镇贫困群众\n脱贫解困工作情况的通报", "主要指标对比"]
    assert texts(html, "p", cls="flush")[0] == "各镇（街道、园区），区直有关单位："
    assert texts(html, "p", cls="signature") == [f"{ISSUER}\n2019年7月1日"]
    assert [t for t in texts(html, "p") if t.startswith(("附表：", "\u3000"))] == [
        "附表：1. 主要指标对比", "\u3000\u3000\u30002. 连续两个季度红灯任务"]
    assert texts(html, "p", cls="annex-label") == ["附表1", "附表2"]
    assert texts(html, "p", cls="copy-to") == ["抄送：区委办公室，区政府办公室。"]
    blank = outline(render(bulletin(None)))
    assert texts(blank, "div", cls="docline") == ["湖脱贫办〔2019〕\u3000\u3000号"]
    plain = outline(render(bulletin(doc_number=None)))
    assert texts(plain, "div", cls="docline") == [""]


def test_tables_sit_in_scroll_boxes_with_their_header_and_kinds():
    html = render(bulletin(3))
    o = outline(html)
    assert o.tables_in_scroll == [True, True]
    assert texts(o, "th")[:4] == ["编号", "政策措施", "报送\n情况", "金额（元）"]
    assert texts(o, "caption") == ["（一）重点任务一览"]
    assert '<td class="num" data-label="金额（元）">72,835.50</td>' in html
    assert '<td class="c" data-label="报送情况"><span class="bad">逾期</span></td>' in html   # a strong cell, as .bad marks it
    assert '<col style="width: 8.0%">' in html


def test_page_breaks_open_sections_and_text_is_escaped_once():
    doc = bulletin(body=(Paragraph("<b>=SUM(A1)</b> & 1"), Heading(1, "甲"), PageBreak(), Heading(1, "乙"),
                         Table((Column("值"),), ((Cell("<i>"),),))), annexes=())
    html = render(doc)
    o = outline(html)
    assert o.sections == 2
    assert "&lt;b&gt;=SUM(A1)&lt;/b&gt; &amp; 1" in html and "<b>" not in html
    assert "&lt;i&gt;" in html
    assert texts(o, "h2") == ["一、甲", "二、乙"]   # numbering runs on across a page break
    assert re.search(r"<p class=\"signature\">", html)


def test_a_document_without_body_still_signs_and_dates():
    o = outline(render(bulletin(body=(), annexes=(), date=date(2020, 1, 6))))
    assert texts(o, "p", cls="signature") == [f"{ISSUER}\n2020年1月6日"]


def test_a_figure_is_drawn_in_html_and_left_out_of_word():
    chart = Markup('<svg viewBox="0 0 10 10" class="chart"><rect width="5" height="5"/></svg>')
    doc = bulletin(body=(Paragraph("前。"), Figure(chart), Paragraph("后。")), annexes=())
    assert chart in render(doc)
    word = docx.Document(io.BytesIO(docx_bytes(doc)))
    body = [p.text for p in word.paragraphs]
    assert body[body.index("前。") + 1] == "后。"
