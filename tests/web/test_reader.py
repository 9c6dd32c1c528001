"""The document page as a reader uses it: the text with its points as anchors,
any version's text, and the document's removal and return on the timeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from web_support import serving

from monitor.config import parse_config
from monitor.cycle import run_cycle
from monitor.simweb import Response, SimServer
from monitor.store import Store
from monitor.web import create_app
from monitor.web.reading import readable

TREATY = (
    "Соглашение между Российской Федерацией и Республикой Казахстан\n"
    "Статья 1\n"
    "1. Стороны развивают сотрудничество в области мирного использования атомной энергии.\n"
    "2. Стороны содействуют подготовке кадров.\n"
    "Статья 2\n"
    "1. Настоящее Соглашение вступает в силу с 1 января 2026 года.\n"
)


def test_readable_gives_points_stable_anchors() -> None:
    paragraphs = readable(TREATY)
    assert [p.anchor for p in paragraphs] == [
        "para-1",
        "art-1",
        "art-1-p-1",
        "art-1-p-2",
        "art-2",
        "art-2-p-1",
    ]
    assert paragraphs[5].label == "Статья 2, п. 1"
    kazakh = readable("1-бап\nТараптар ынтымақтастықты дамытады.\n5-бап\nКүшіне енеді.")
    assert [p.anchor for p in kazakh] == ["art-1", "para-2", "art-5", "para-4"]
    english = readable("Article 3\n1. The Parties shall cooperate.\n1. Again numbered 1.")
    assert [p.anchor for p in english] == ["art-3", "art-3-p-1", "art-3-p-1-3"]  # unique ids


def _page(text: str) -> Response:
    body = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return Response.html(f"<html><body><article><h1>Соглашение</h1>{body}</article></body></html>")


def test_the_document_page_shows_the_text_any_version_and_its_removal_and_return(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    with SimServer() as web:
        web.route("/doc", _page(TREATY))
        config = parse_config(
            "fetch: {per_host_delay: 0, confirm_delay: 0}\n"
            "recheck: {removed_after: 1}\n"
            "sources:\n  - id: s\n    name: S\n    allow_private: true\n"
            f"    watch: ['{web.url('/doc')}']\n"
        )
        asyncio.run(run_cycle(config, store))
        web.route("/doc", _page(TREATY.replace("1 января 2026", "1 июля 2026")))
        asyncio.run(run_cycle(config, store))
        web.route("/doc", Response(404, b"gone"))
        asyncio.run(run_cycle(config, store))
        web.route("/doc", _page(TREATY.replace("1 января 2026", "1 июля 2026")))
        asyncio.run(run_cycle(config, store))
        doc = store.find_document(web.url("/doc"))
        assert doc is not None
    try:
        with serving(create_app(config, store)) as base:
            page = BeautifulSoup(httpx.get(f"{base}/documents/{doc.id}?lang=en").text, "lxml")
            reader = page.select_one("#reader")
            assert reader is not None
            point = reader.select_one("#art-2-p-1")
            assert point is not None and "1 июля 2026" in point.text
            assert point["data-label"] == "Статья 2, п. 1"
            assert point.select_one("a.anchor")["href"] == "#art-2-p-1"
            assert page.select_one("#last-checked").text.strip() != "—"
            # the timeline: newest first, with the removal and the return between versions
            entries = [
                ("presence " + li["class"][1]) if "presence" in li["class"] else li["id"]
                for li in page.select("#timeline > li")
            ]
            assert entries == ["presence restored", "presence removed", "v2", "v1"], entries
            old = BeautifulSoup(httpx.get(f"{base}/documents/{doc.id}?seq=1&lang=en").text, "lxml")
            first = old.select_one("#art-2-p-1")
            assert first is not None and "1 января 2026" in first.text
            assert "Text (version 1)" in old.select_one("#text").text
            assert httpx.get(f"{base}/documents/{doc.id}?seq=9").status_code == 404
    finally:
        store.close()
