"""A change exported as a memo (monitor/web/memo.py): Markdown and DOCX, from the
diff page's links, with the changed passages marked."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup
from docx import Document
from web_support import Dataset, build, serving

from monitor.store import Store
from monitor.web import create_app
from monitor.web.memo import passages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('memo') / 'm.db'}")
    data = build(store)
    try:
        with serving(create_app(data.config, store)) as base:
            yield base, data
    finally:
        store.close()


def test_passages_keep_context_and_split_far_apart_changes() -> None:
    far = "x" * 1000
    ops = [
        (0, "начало " + far),
        (-1, "2035"),
        (1, "2040"),
        (0, " года " + far),
        (1, " вставка"),
        (0, " конец"),
    ]
    cut = list(passages(ops))
    assert len(cut) == 2
    first = cut[0]
    assert first[0][0] == 0 and first[0][1].startswith("… ") and len(first[0][1]) <= 170
    assert (-1, "2035") in first and (1, "2040") in first
    assert first[-1][1].endswith(" …")
    assert (1, " вставка") in cut[1]


def test_markdown_memo_names_the_versions_and_marks_the_change(site: tuple[str, Dataset]) -> None:
    base, data = site
    doc = data.ids["treaty"]
    r = httpx.get(f"{base}/documents/{doc}/memo.md?from=1&to=2")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert f'filename="document-{doc}-v1-v2.md"' in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("# Change memo: ")
    assert "- **Versions:** 1 (" in text and "→ 2 (" in text
    assert "~~2035~~" in text and "**2040**" in text


def test_docx_memo_opens_with_struck_and_underlined_runs(site: tuple[str, Dataset]) -> None:
    base, data = site
    doc = data.ids["treaty"]
    r = httpx.get(f"{base}/documents/{doc}/memo.docx?from=1&to=2")
    assert r.status_code == 200
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    memo = Document(io.BytesIO(r.content))
    runs = [run for p in memo.paragraphs for run in p.runs]
    assert any(run.font.strike and "2035" in run.text for run in runs)
    assert any(run.font.underline and "2040" in run.text for run in runs)
    facts = {row.cells[0].text: row.cells[1].text for row in memo.tables[0].rows}
    assert facts["Versions"].startswith("1 (") and "→ 2 (" in facts["Versions"]


def test_the_diff_page_links_both_memos_and_bad_versions_are_404(site: tuple[str, Dataset]) -> None:
    base, data = site
    doc = data.ids["treaty"]
    page = BeautifulSoup(httpx.get(f"{base}/documents/{doc}/diff?from=1&to=2").text, "lxml")
    links = {a["href"] for a in page.select("a.memo")}
    assert links == {
        f"/documents/{doc}/memo.md?from=1&to=2",
        f"/documents/{doc}/memo.docx?from=1&to=2",
    }
    assert httpx.get(f"{base}/documents/{doc}/memo.md?from=1&to=99").status_code == 404


def test_opml_lists_every_feed_and_each_one_answers(site: tuple[str, Dataset]) -> None:
    from lxml import etree

    base, data = site
    r = httpx.get(f"{base}/feeds/opml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-opml")
    root = etree.fromstring(r.content)
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    themes = root.xpath("//outline[@text='Changes by theme']/outline")
    sources = root.xpath("//outline[@text='Changes by source']/outline")
    assert len(sources) == len(data.config.sources) and len(themes) >= 10
    assert len(urls) == 2 + len(themes) + len(sources)
    for url in urls[:3] + urls[-2:]:
        feed = httpx.get(url)
        assert feed.status_code == 200 and b"<feed" in feed.content, url
