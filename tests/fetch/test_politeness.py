"""Politeness against a real loopback server: robots.txt, pacing, 429/503 handling."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from monitor.config import FetchSettings
from monitor.fetch.client import Fetcher, FetchResult
from monitor.fetch.politeness import retry_after_seconds
from monitor.simweb import Request, Response, SimServer

UA = "monitor/0.1 (test; contact: ops@example.org)"


def settings(**kw: Any) -> FetchSettings:
    return FetchSettings(**{"user_agent": UA, "per_host_delay": 0, "backoff_base": 0.05, **kw})


def fetch_all(urls: list[str], **kw: Any) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(settings(**kw)) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(u, allow_private=True) for u in urls)))

    return asyncio.run(run())


def test_robots_disallow_is_respected_and_named(web: SimServer) -> None:
    web.route("/robots.txt", Response(200, b"User-agent: *\nDisallow: /private/\n"))
    web.route("/private/doc", Response.html("<p>secret</p>"))
    web.route("/public/doc", Response.html("<p>open</p>"))
    blocked, allowed = fetch_all([web.url("/private/doc"), web.url("/public/doc")])
    assert blocked.blocked_by_robots and blocked.error == "disallowed by robots.txt"
    assert web.hits("/private/doc") == []
    assert allowed.ok and allowed.body and b"open" in allowed.body
    assert len(web.hits("/robots.txt")) == 1  # cached per origin


def test_robots_group_for_our_agent_wins_over_star(web: SimServer) -> None:
    web.route(
        "/robots.txt",
        Response(200, b"User-agent: *\nDisallow: /\n\nUser-agent: monitor\nAllow: /\n"),
    )
    web.route("/doc", Response.html("<p>ok</p>"))
    (result,) = fetch_all([web.url("/doc")])
    assert result.ok


def test_robots_txt_missing_allows_and_5xx_disallows(web: SimServer) -> None:
    web.route("/doc", Response.html("<p>ok</p>"))
    (result,) = fetch_all([web.url("/doc")])
    assert result.ok  # robots.txt answered 404: no restrictions
    with SimServer() as broken:
        broken.route("/robots.txt", Response(500, b"oops"))
        broken.route("/doc", Response.html("<p>ok</p>"))
        (result,) = fetch_all([broken.url("/doc")])
        assert result.blocked_by_robots and "robots.txt unavailable (HTTP 500" in (
            result.error or ""
        )
        assert broken.hits("/doc") == []


def test_429_with_retry_after_is_waited_out(web: SimServer) -> None:
    answers = iter([Response(429, b"slow down", {"Retry-After": "1"})])

    def handler(_: Request) -> Response:
        return next(answers, Response.html("<p>finally</p>"))

    web.route("/doc", handler)
    (result,) = fetch_all([web.url("/doc")])
    assert result.ok and result.status == 200 and result.attempts == 2
    first, second = web.hits("/doc")
    assert second.at - first.at >= 0.95  # the server saw us wait


def test_503_is_retried_with_backoff_then_reported(web: SimServer) -> None:
    web.route("/doc", Response(503, b"down"))
    (result,) = fetch_all([web.url("/doc")], max_retries=2)
    assert result.error == "HTTP 503 Service Unavailable" and result.attempts == 3
    assert len(web.hits("/doc")) == 3


def test_retry_after_beyond_the_cap_is_not_waited(web: SimServer) -> None:
    web.route("/doc", Response(429, b"", {"Retry-After": "3600"}))
    (result,) = fetch_all([web.url("/doc")], max_retry_after=5)
    assert len(web.hits("/doc")) == 1
    assert "Retry-After 3600s is over max_retry_after (5s)" in (result.error or "")


def test_404_is_not_retried(web: SimServer) -> None:
    (result,) = fetch_all([web.url("/missing")])
    assert result.status == 404 and len(web.hits("/missing")) == 1


def test_per_host_delay_spaces_requests(web: SimServer) -> None:
    for i in range(4):
        web.route(f"/d{i}", Response.html(f"<p>{i}</p>"))
    fetch_all([web.url(f"/d{i}") for i in range(4)], per_host_delay=0.3, per_host_concurrency=4)
    times = sorted(r.at for r in web.requests if r.path.startswith("/d"))
    # The span, not each gap: a loaded machine may send one request late and the
    # next on time, but four requests can never fit in less than three delays.
    assert times[-1] - times[0] >= 3 * 0.3 * 0.95, times


def test_crawl_delay_from_robots_spaces_requests(web: SimServer) -> None:
    web.route("/robots.txt", Response(200, b"User-agent: *\nCrawl-delay: 0.4\n"))
    for i in range(3):
        web.route(f"/d{i}", Response.html(f"<p>{i}</p>"))
    fetch_all([web.url(f"/d{i}") for i in range(3)])
    times = sorted(r.at for r in web.requests if r.path.startswith("/d"))
    assert times[-1] - times[0] >= 0.75


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
