"""Discovery end to end against the simulated site: feeds, listings, sitemaps,
relevance, canonical URLs, robots.txt, removal, attachments and the recheck policy.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from monitor.config import Config, parse_config
from monitor.cycle import CycleSummary, run_cycle
from monitor.simweb.corpus import demo_corpus
from monitor.simweb.server import Response
from monitor.simweb.site import Attachment, SimSite
from monitor.store import Store, utcnow
from monitor.store.models import Document, Event

KZ_RU = [
    "Президенты России и Казахстана подписали Декларацию о всеобъемлющем стратегическом "
    "партнёрстве и союзничестве.",
    "Документ из 42 пунктов охватывает политику, экономику, высокие технологии и "
    "гуманитарные связи.",
]
OTHER = [
    "В Астане прошёл фестиваль уличной еды.",
    "Горожане оценили новые павильоны и ярмарку ремёсел.",
]


@pytest.fixture
def site() -> Iterator[SimSite]:
    with SimSite(feed_size=50, page_size=5) as s:
        yield s


def config(site: SimSite, discover: str, **source: object) -> Config:
    extra = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in source.items())
    return parse_config(
        "fetch:\n  per_host_delay: 0\n  backoff_base: 0.05\n"
        "sources:\n  - id: sim\n    allow_private: true\n    name: Simulated\n    interval: 10m\n"
        f"    discover:\n{discover}{extra}"
    )


def feed(site: SimSite, path: str = "/rss.xml") -> str:
    return f"      - type: feed\n        url: {site.url(path)}\n"


def cycle(cfg: Config, store: Store) -> CycleSummary:
    return asyncio.run(run_cycle(cfg, store))


def docs(store: Store) -> dict[str, Document]:
    with store.session() as s:
        return {d.url: d for d in s.query(Document)}


def events(store: Store) -> list[tuple[int, str]]:
    with store.session() as s:
        return [(e.document_id, e.kind) for e in s.query(Event).order_by(Event.id)]


def test_feed_discovery_tracks_relevant_articles_and_remembers_the_rest(
    site: SimSite, store: Store
) -> None:
    corpus = demo_corpus(30, attachments=False)
    site.add_articles(corpus)
    summary = cycle(config(site, feed(site), max_new_per_cycle=100), store)
    rows = docs(store)
    for article in corpus:
        row = rows[site.article_url(article.id)]
        assert row.relevant == article.relevant, (article.id, article.title, row.relevance)
        assert (row.status == "active") == bool(article.relevant)
    relevant = sum(bool(a.relevant) for a in corpus)
    assert summary.new == relevant and summary.ignored == len(corpus) - relevant
    matched = json.loads(next(r for r in rows.values() if r.relevant).relevance)
    assert (matched["russia"] and matched["kazakhstan"]) or matched["any"]
    # A second cycle right away: the feed is not due, nothing is refetched.
    hits = len(site.hits("/"))
    again = cycle(config(site, feed(site)), store)
    assert again.new == 0 and len(site.hits("/")) == hits


def test_atom_feed_and_new_items_on_a_later_poll(site: SimSite, store: Store) -> None:
    site.add_article("a1", "Россия и Казахстан: декларация", KZ_RU)
    cfg = config(site, feed(site, "/atom.xml"))
    assert cycle(cfg, store).new == 1
    site.add_article("a2", "Новое соглашение России и Казахстана", KZ_RU[::-1])
    with store.session() as s:  # make the feed due again
        from monitor.store.models import Endpoint

        for e in s.query(Endpoint):
            e.next_poll_at = utcnow() - timedelta(seconds=1)
        s.commit()
    summary = cycle(cfg, store)
    assert [d.url for d in summary.documents if d.event == "new"] == [site.article_url("a2")]


def test_listing_pagination_follows_depth(site: SimSite, store: Store) -> None:
    for i in range(12):  # 5 per page: pages 1..3
        site.add_article(f"n{i}", f"Россия и Казахстан, встреча {i}", KZ_RU)
    listing = (
        f"      - type: listing\n        url: {site.url('/list?page=1')}\n"
        "        links: a.news-link\n        next: a.next\n        depth: 2\n"
    )
    summary = cycle(config(site, listing, max_new_per_cycle=50), store)
    assert summary.new == 10  # two pages of five
    assert not site.hits("/list?page=3") and all(h.query != "page=3" for h in site.hits("/list"))


def test_sitemap_index_news_and_archive(site: SimSite, store: Store) -> None:
    for i in range(8):
        site.add_article(f"s{i}", f"Казахстан и Россия {i}", KZ_RU)
    sm = f"      - type: sitemap\n        url: {site.url('/sitemap.xml')}\n"
    summary = cycle(config(site, sm, relevance="all", max_new_per_cycle=50), store)
    assert summary.new == 8
    assert {d.url for d in summary.documents} == {site.article_url(f"s{i}") for i in range(8)}


def test_max_new_per_cycle_caps_and_the_rest_comes_next_cycle(site: SimSite, store: Store) -> None:
    for i in range(5):
        site.add_article(f"c{i}", f"Россия и Казахстан {i}", KZ_RU)
    cfg = config(site, feed(site), max_new_per_cycle=3)
    assert cycle(cfg, store).new == 3
    with store.session() as s:
        from monitor.store.models import Endpoint

        for e in s.query(Endpoint):
            e.next_poll_at = utcnow()
        s.commit()
    assert cycle(cfg, store).new == 2


def test_canonical_link_collapses_amp_and_tracking_urls(store: Store) -> None:
    with SimSite(amp=True, tracking_params=True) as site:
        site.add_article("k1", "Россия и Казахстан", KZ_RU)
        links = "".join(f'<a class="x" href="/amp/{i}">{i}</a>' for i in ["k1"])
        site.server.route("/amp-list", Response.html(f"<html><body>{links}</body></html>"))
        discover = (
            f"      - type: listing\n        url: {site.url('/amp-list')}\n        links: a.x\n"
            + feed(site)
        )
        summary = cycle(config(site, discover), store)
        rows = docs(store)
    canonical = rows[site.article_url("k1")]
    assert summary.new == 1 and canonical.latest_seq == 1
    aliases = [r for r in rows.values() if r.status == "alias"]
    assert [a.alias_of_id for a in aliases] == [canonical.id]
    assert not any("utm_" in url for url in rows)


def test_robots_disallow_keeps_private_pages_unfetched(store: Store) -> None:
    with SimSite(disallow=("/private/",)) as site:
        site.add_article("p1", "Россия и Казахстан, закрыто", KZ_RU, section="private")
        site.add_article("o1", "Россия и Казахстан, открыто", KZ_RU)
        summary = cycle(config(site, feed(site)), store)
        assert site.hits("/private/") == []
    assert [d.url for d in summary.documents if d.event == "new"] == [site.article_url("o1")]


def test_rate_limited_feed_is_waited_out(site: SimSite, store: Store) -> None:
    site.add_article("r1", "Россия и Казахстан", KZ_RU)
    site.rate_limit("/rss.xml", times=1, retry_after=1)
    assert cycle(config(site, feed(site)), store).new == 1
    first, second = [h for h in site.hits("/rss.xml")][:2]
    assert first.status == 429 and second.status == 200 and second.at - first.at >= 0.95


def test_removed_twice_then_restored(site: SimSite, store: Store) -> None:
    site.add_article("w1", "Декларация", KZ_RU)
    cfg = parse_config(
        "fetch:\n  per_host_delay: 0\nsources:\n  - id: sim\n"
        "    allow_private: true\n    name: S\n    watch:\n"
        f"      - {site.article_url('w1')}\n"
    )
    cycle(cfg, store)
    site.remove_article("w1", status=410)
    cycle(cfg, store)
    assert [k for _, k in events(store)] == ["new"]  # one 410 is a blip
    cycle(cfg, store)
    assert [k for _, k in events(store)] == ["new", "removed"]
    assert docs(store)[site.article_url("w1")].status == "removed"
    cycle(cfg, store)
    assert [k for _, k in events(store)] == ["new", "removed"]  # said once
    site.restore_article("w1")
    cycle(cfg, store)
    assert [k for _, k in events(store)] == ["new", "removed", "restored"]
    assert docs(store)[site.article_url("w1")].status == "active"


def test_pdf_attachment_is_versioned(site: SimSite, store: Store) -> None:
    text = [
        "Статья 1. Стороны развивают отношения всеобъемлющего стратегического партнёрства.",
        "Статья 2. Стороны обязуются расширять сотрудничество в энергетике.",
    ]
    site.add_article(
        "d1",
        "Россия и Казахстан: текст договора",
        KZ_RU,
        attachments=[Attachment("treaty.pdf", text, title="Договор")],
    )
    summary = cycle(config(site, feed(site)), store)
    pdf = docs(store)[site.url("/files/treaty.pdf")]
    assert pdf.origin == "attachment" and pdf.latest_seq == 1
    assert summary.new == 2
    version = store.version(pdf.id, 1)
    assert version is not None and version.text.endswith("\n".join(text))  # after its heading


def test_discovered_documents_follow_the_recheck_policy(site: SimSite, store: Store) -> None:
    site.add_article("t1", "Россия и Казахстан", KZ_RU)
    cycle(config(site, feed(site)), store)
    row = docs(store)[site.article_url("t1")]
    assert row.next_check_at is not None
    wait = (row.next_check_at - utcnow()).total_seconds()
    assert 800 < wait <= 900  # changed just now: every 15 minutes
    with store.session() as s:
        s.get(Document, row.id).next_check_at = utcnow() - timedelta(seconds=1)
        s.commit()
    before = len(site.hits("/news/t1"))
    cycle(config(site, feed(site)), store)
    assert len(site.hits("/news/t1")) == before + 1  # due: rechecked
