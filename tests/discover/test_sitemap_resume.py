"""Sitemaps too large for one poll are read over several, never left unread.

Real loopback server, real database (SQLite and PostgreSQL): the resume point
is stored with the endpoint between cycles, as in `monitor run`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hostile_support import SM, sources_yaml, urlset

from monitor.config import parse_config
from monitor.cycle import run_cycle
from monitor.discover import Candidate, sitemap
from monitor.discover.sitemap import MAX_SITEMAPS, _choose
from monitor.fetch.client import Fetcher
from monitor.fetch.guard import ALLOW_PRIVATE
from monitor.simweb import SimServer
from monitor.simweb.server import Response
from monitor.store import Store

CHILDREN = 120


def _index(web: SimServer, newest: set[int]) -> bytes:
    """An index of CHILDREN sitemaps; those in `newest` carry this week's lastmod."""
    old, new = datetime(2020, 1, 1, tzinfo=UTC), datetime.now(UTC) - timedelta(days=1)
    entries = "".join(
        f"<sitemap><loc>{web.url(f'/child/{i}.xml')}</loc>"
        f"<lastmod>{(new if i in newest else old - timedelta(days=i)).isoformat()}</lastmod>"
        "</sitemap>"
        for i in range(CHILDREN)
    )
    return f'<?xml version="1.0"?><sitemapindex {SM}>{entries}</sitemapindex>'.encode()


def test_a_large_index_is_read_in_turn_and_its_newest_sitemaps_every_poll(store: Store) -> None:
    newest = {7, 50, 99}
    with SimServer() as web:
        web.route("/index.xml", Response(body=_index(web, newest)))
        for i in range(CHILDREN):
            web.route(f"/child/{i}.xml", Response(body=urlset([web.url(f"/d/{i}")])))
        discover = f"      - type: sitemap\n        url: {web.url('/index.xml')}\n"
        config = parse_config(sources_yaml(web, discover, max_examine_per_cycle=1))
        room = MAX_SITEMAPS - 1  # the index itself is one of the files read
        polls = -(-(CHILDREN - room // 2) // (room - room // 2))  # ceil
        per_poll = []
        for _ in range(polls):
            before = sum(len(web.hits(f"/child/{i}.xml")) for i in range(CHILDREN))
            summary = asyncio.run(run_cycle(config, store, force=True))
            assert summary.discovery_errors == []
            per_poll.append(sum(len(web.hits(f"/child/{i}.xml")) for i in range(CHILDREN)) - before)
        hits = Counter({i: len(web.hits(f"/child/{i}.xml")) for i in range(CHILDREN)})
    assert per_poll == [room] * polls
    assert all(hits[i] >= 1 for i in range(CHILDREN)), [i for i in range(CHILDREN) if not hits[i]]
    assert all(hits[i] == polls for i in newest)  # the freshest are read every time


def test_a_file_with_more_urls_than_a_poll_keeps_is_resumed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,500 URLs with 1,000 kept per poll: three polls read every URL once,
    then the cursor is cleared and the file is read from the top again."""
    monkeypatch.setattr(sitemap, "MAX_URLS_PER_POLL", 1000)
    with SimServer() as web:
        urls = [web.url(f"/d/{i}") for i in range(2500)]
        web.route("/sitemap.xml", Response(body=urlset(urls)))
        discover = f"      - type: sitemap\n        url: {web.url('/sitemap.xml')}\n"
        config = parse_config(sources_yaml(web, discover, max_examine_per_cycle=1))
        spec = config.sources[0].discover[0]

        async def polls() -> list[tuple[list[str], str | None]]:
            out: list[tuple[list[str], str | None]] = []
            cursor: str | None = None
            ALLOW_PRIVATE.set(True)  # as the pipeline does for an allow_private source
            async with Fetcher(config.fetch) as fetcher:
                for _ in range(4):
                    result = await sitemap.SitemapDiscoverer(spec, fetcher, cursor).poll()
                    assert result.error is None
                    out.append(([c.url for c in result.candidates], result.cursor))
                    cursor = result.cursor
            return out

        results = asyncio.run(polls())
    found = [set(r[0]) for r in results]
    assert [len(f) for f in found] == [1000, 1000, 500, 1000]
    assert found[0] | found[1] | found[2] == set(urls)
    assert not (found[0] & found[1]) and not (found[1] & found[2])
    assert results[2][1] is None  # the end of the file: the next poll starts over
    assert found[3] == found[0]


def test_the_cursor_survives_in_the_store_between_cycles(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS_PER_POLL", 100)
    with SimServer() as web:
        web.route("/sitemap.xml", Response(body=urlset([web.url(f"/d/{i}") for i in range(150)])))
        discover = f"      - type: sitemap\n        url: {web.url('/sitemap.xml')}\n"
        config = parse_config(sources_yaml(web, discover, max_examine_per_cycle=1))
        asyncio.run(run_cycle(config, store, force=True))
        (endpoint,) = store.endpoints()
        assert endpoint.cursor is not None and '"skip"' in endpoint.cursor
        asyncio.run(run_cycle(config, store, force=True))
        (endpoint,) = store.endpoints()
    assert endpoint.cursor is None
    assert endpoint.last_error is None


@pytest.mark.parametrize("raw", ["{not json", '{"rotate": {"x": 1}}', "[1, 2]", '{"skip": 5}'])
def test_an_unreadable_cursor_starts_from_the_top(raw: str) -> None:
    assert sitemap._Cursor.load(raw) == sitemap._Cursor()


def test_choose_reads_everything_that_fits_and_walks_round_the_rest() -> None:
    named = [Candidate(f"https://e.org/{i}.xml") for i in range(10)]
    assert _choose(named, 10, 3) == (named, [])
    every, turn = _choose(named, 4, 7)
    assert every == named[:2]  # undated: the first listed count as the newest
    assert turn == [named[9], named[2]]  # rest = 2..9, from offset 7, wrapping
