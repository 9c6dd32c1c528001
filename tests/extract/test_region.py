"""Where the main text sits (monitor/extract/region.py), and the cycle that uses
it to skip extraction when only the boilerplate moved."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from monitor.config import parse_config
from monitor.cycle import record as processing
from monitor.cycle import run_cycle
from monitor.extract.article import extract
from monitor.extract.region import fingerprint, locate
from monitor.simweb import Request, Response, SimServer
from monitor.store import Store

TITLE = "Договор о сотрудничестве подписан"


def page(*, sidebar: int = 1, title: str = TITLE, last: str = "после ратификации") -> str:
    return (
        "<html><head><title>" + title + "</title></head><body>"
        f"<div class='crumbs'>Главная / Новости / {title}</div>"
        f"<div class='counter'>Просмотров: {100 + sidebar}</div>"
        "<div class='main'><article><h1>" + title + "</h1>"
        "<p>Россия и Казахстан подписали <b>договор</b> о сотрудничестве в энергетике "
        "и транспорте на ближайшие десять лет.</p>"
        "<p>Стороны договорились о совместных проектах в области атомной энергетики и о "
        "строительстве новых пунктов пропуска на границе.</p>"
        f"<p>Документ вступит в силу {last}.</p></article></div>"
        f"<aside>Самое читаемое: новость {sidebar}, новость {sidebar + 1}</aside>"
        "</body></html>"
    )


def test_the_region_ignores_boilerplate_and_sees_every_edit_of_the_text() -> None:
    html = page()
    region = locate(html, extract(html, select=None, remove=[]).text)
    assert region is not None
    assert region.path.endswith("/article")  # not the breadcrumbs that repeat the title
    assert fingerprint(page(sidebar=7), region.path) == region.digest
    assert fingerprint(page(title="Договор расторгнут"), region.path) != region.digest
    assert fingerprint(page(last="немедленно"), region.path) != region.digest
    assert fingerprint("<html><body><p>другая страница</p></body></html>", region.path) is None


@pytest.mark.parametrize("broken", ["", "not html at all", "<html><body></body></html>"])
def test_no_region_for_pages_without_the_text(broken: str) -> None:
    assert locate(broken, "Россия и Казахстан подписали договор") is None


def test_a_cycle_skips_extraction_while_only_boilerplate_moves(
    web: SimServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No validators, a sidebar and a counter that move on every request: no
    version and no extraction after the first; an edit of the text is a version."""
    served = {"n": 0, "last": "после ратификации"}

    def answer(_request: Request) -> Response:
        served["n"] += 1
        return Response.html(page(sidebar=served["n"], last=served["last"]))

    web.route("/doc", answer)
    config = parse_config(
        "fetch: {per_host_delay: 0, confirm_delay: 0}\n"
        "sources:\n  - id: s\n    name: S\n    allow_private: true\n"
        f"    watch: ['{web.url('/doc')}']\n"
    )
    calls: list[Any] = []
    real = processing.extract_body
    monkeypatch.setattr(
        processing, "extract_body", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    first = asyncio.run(run_cycle(config, store))
    assert first.new == 1 and len(calls) == 1
    for _ in range(3):
        again = asyncio.run(run_cycle(config, store))
        assert (again.new, again.changed, again.unchanged) == (0, 0, 1)
    assert len(calls) == 1  # the boilerplate moved three times; nothing was extracted
    served["last"] = "через тридцать дней"
    edited = asyncio.run(run_cycle(config, store))
    assert edited.changed == 1 and len(calls) == 2
    (doc,) = [store.find_document(web.url("/doc"))]
    assert doc is not None
    assert "через тридцать дней" in (store.version_text(doc.id, 2) or "")
