"""Without a network: errors named by what failed (DNS, connect, TLS, HTTP status,
robots.txt only when it is robots.txt), a source whose every feed fails reported
failing in every view, and one line saying that nothing is reachable.

Hosts under `.invalid` (RFC 2606) never resolve, so these tests behave the same
with or without a network.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bs4 import BeautifulSoup
from test_service import Run, wait_for
from web_support import free_port

from monitor.alerts.health import describe_source, source_problem
from monitor.config import FetchSettings
from monitor.fetch.client import Fetcher, FetchResult
from monitor.fetch.network import Reachability
from monitor.metrics import exposition
from monitor.simweb import Response, SimServer
from monitor.store import Store


def fetch_all(urls: list[str], **kw: Any) -> tuple[list[FetchResult], str | None]:
    async def run() -> tuple[list[FetchResult], str | None]:
        settings = FetchSettings(per_host_delay=0, connect_timeout=3, max_retries=0, **kw)
        async with Fetcher(settings) as fetcher:
            results = [await fetcher.fetch(u, allow_private=True) for u in urls]
            return results, fetcher.network.verdict()

    return asyncio.run(run())


def test_errors_are_named_by_what_failed(web: SimServer) -> None:
    web.route("/down", Response(503, b"down"))
    with SimServer() as broken:
        broken.route("/robots.txt", Response(500, b"oops"))
        broken.route("/doc", Response.html("<p>ok</p>"))
        tls = web.url("/doc").replace("http://", "https://")  # TLS to a plain HTTP port
        results, verdict = fetch_all(
            [
                "http://nowhere.invalid/rss.xml",
                f"http://127.0.0.1:{free_port()}/doc",
                tls,
                web.url("/down"),
                broken.url("/doc"),
            ]
        )
    dns, refused, handshake, status, robots = results
    assert dns.failure == "dns" and (dns.error or "").startswith(
        "DNS lookup failed for nowhere.invalid"
    )
    assert refused.failure == "connect" and "connection refused" in (refused.error or "")
    assert handshake.failure == "tls" and (handshake.error or "").startswith("TLS: ")
    assert status.failure == "http" and status.error == "HTTP 503 Service Unavailable"
    # robots.txt is named only where robots.txt is what failed: the host answered 500.
    assert robots.blocked_by_robots and robots.failure == "robots"
    assert "robots.txt unavailable (HTTP 500" in (robots.error or "")
    for unreachable in (dns, refused, handshake):
        assert "robots" not in (unreachable.error or "")
        assert not unreachable.blocked_by_robots
    assert verdict is None  # some hosts answered: the network works


def test_unreachable_hosts_without_robots_checks_are_named_the_same() -> None:
    (result,), verdict = fetch_all(["http://nowhere.invalid/doc"], respect_robots=False)
    assert result.failure == "dns" and "DNS lookup failed for nowhere.invalid" in (
        result.error or ""
    )
    assert verdict == "no source reachable: DNS lookups fail — check the network"


def test_reachability_verdict_names_each_kind_once() -> None:
    net = Reachability()
    assert net.verdict() is None  # nothing tried yet
    for host in ("a.kz", "b.ru"):
        net.failed(host, "dns")
    assert (
        net.verdict() == "no source reachable: DNS lookups fail for all 2 hosts — check the network"
    )
    net.failed("c.kz", "connect")
    net.failed("d.kz", "http")  # an HTTP error is an answer, not a network failure
    assert net.verdict() == (
        "no source reachable: DNS lookups fail for 2 hosts, connections fail for 1 host "
        "— check the network"
    )
    net.answered("d.kz")
    assert net.verdict() is None


def test_a_source_whose_every_feed_fails_is_failing(store: Store) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    feeds = [("feed", "http://a.invalid/rss.xml"), ("sitemap", "http://a.invalid/sitemap.xml")]
    store.sync_sources([("a", "A"), ("b", "B")])
    a_rss, a_map = store.ensure_endpoints("a", feeds, 60)
    (b_rss,) = store.ensure_endpoints("b", [("feed", "http://b.test/rss.xml")], 60)
    error = "feed http://a.invalid/rss.xml: DNS lookup failed for a.invalid"
    store.record_poll(a_rss.id, now, 0, error, 60)
    store.record_poll(a_map.id, now, 0, "sitemap http://a.invalid/sitemap.xml: HTTP 503", 60)
    store.record_poll(b_rss.id, now, 2, None, 60)
    health = store.source_health()
    assert health["a"]["failing_since"] == now and health["a"]["never_succeeded"] is True
    assert health["a"]["last_ok_at"] is None and "a.invalid" in health["a"]["last_error"]
    assert describe_source(health["a"]) == (
        "failing",
        f"never succeeded: {health['a']['last_error']}",
    )
    problem = source_problem("a", health["a"], now, failing_after=3600)
    assert problem is not None and problem.startswith("source a never succeeded: ")
    assert health["b"]["failing_since"] is None and health["b"]["last_ok_at"] == now
    assert (
        describe_source(health["b"])[0] == "ok" and source_problem("b", health["b"], now, 0) is None
    )
    assert describe_source(None) == ("unknown", "not fetched yet")

    later = now + timedelta(minutes=1)  # one of the two answers again: not failing
    store.record_poll(a_map.id, later, 0, None, 60)
    assert store.source_health()["a"]["failing_since"] is None
    store.record_poll(a_map.id, later + timedelta(minutes=1), 0, "HTTP 503", 60)
    health = store.source_health()["a"]
    assert health["failing_since"] == later + timedelta(minutes=1)  # since the last success
    assert health["never_succeeded"] is False and health["last_ok_at"] == later
    # It worked before, so it makes the service unready only after `failing_after`.
    assert source_problem("a", health, later + timedelta(minutes=2), 3600) is None
    assert "failing since" in (source_problem("a", health, later + timedelta(hours=2), 3600) or "")

    catalog = {"a": ("A", "official", "KZ", ("ru",))}
    overview = {s["id"]: s for s in store.sources_overview(catalog, days=2)}
    assert sum(d["errors"] for d in overview["a"]["days"]) == 3  # feeds count as fetches
    metrics = exposition(store).decode()
    assert 'monitor_source_failing{source="a"} 1.0' in metrics
    assert 'monitor_source_failing{source="b"} 0.0' in metrics
    assert 'monitor_source_never_succeeded{source="a"} 0.0' in metrics
    assert 'monitor_source_last_success_timestamp_seconds{source="b"}' in metrics


def test_a_feed_dropped_from_the_configuration_no_longer_counts(store: Store) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    store.sync_sources([("a", "A")])
    (old,) = store.ensure_endpoints("a", [("feed", "http://a.test/old.xml")], 60)
    store.record_poll(old.id, now, 0, "feed http://a.test/old.xml: HTTP 404 Not Found", 60)
    assert store.source_health()["a"]["failing_since"] == now
    # The operator replaced the broken feed; at the next poll the old one is not polled.
    (new,) = store.ensure_endpoints("a", [("feed", "http://a.test/new.xml")], 60)
    store.record_poll(new.id, now + timedelta(minutes=2), 1, None, 60)
    assert store.source_health()["a"]["failing_since"] is None


SOURCES = {
    "alpha": '    discover:\n      - {type: feed, url: "http://alpha.invalid/rss.xml"}\n'
    '      - {type: sitemap, url: "http://alpha.invalid/sitemap.xml"}\n',
    "beta": '    discover:\n      - {type: listing, url: "http://beta.invalid/news/", '
    'links: "a.item"}\n',
    "gamma": '    watch: ["http://gamma.invalid/treaty.html"]\n',
}


def test_first_run_without_network_says_so_once_and_every_view_shows_the_failure(
    db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "recheck: {discover_min: 1s, discover_max: 2s}\nsources:\n"
        + "".join(
            f"  - id: {sid}\n    name: {sid.title()}\n    interval: 2s\n{body}"
            for sid, body in SOURCES.items()
        ),
        encoding="utf-8",
    )
    log = tmp_path / "run.log"
    run = Run(config, db_url, free_port(), log)
    try:
        run.wait_web()
        wait_for(lambda: "no source reachable" in log.read_text(), 30, "the network verdict")
        wait_for(lambda: log.read_text().count("source gamma: new 0") >= 3, 30, "more checks")
        ready = httpx.get(run.url("/readyz"))
        assert ready.status_code == 503
        problems = ready.json()["problems"]
        assert "no source reachable: DNS lookups fail for all 3 hosts — check the network" in (
            problems
        )
        for sid in SOURCES:
            assert any(
                p.startswith(f"source {sid} never succeeded: ")
                and f"DNS lookup failed for {sid}.invalid" in p
                for p in problems
            ), problems
        metrics = httpx.get(run.url("/metrics")).text
        page = BeautifulSoup(httpx.get(run.url("/sources")).text, "html.parser")
        for sid in SOURCES:
            assert f'monitor_source_failing{{source="{sid}"}} 1.0' in metrics
            assert f'monitor_source_never_succeeded{{source="{sid}"}} 1.0' in metrics
            section = page.select_one(f"#source-{sid}")
            assert section is not None and section.select_one(".state.bad") is not None
            error = section.select_one(".last-error")
            assert error is not None and f"DNS lookup failed for {sid}.invalid" in error.text
            errors = section.select_one(".errors")  # "errors / fetches": polls count too
            assert errors is not None and not errors.text.strip().startswith("0 ")
    finally:
        assert run.stop() == 0
    command = [sys.executable, "-m", "monitor.cli", "sources", "status", "--config", str(config)]
    status = subprocess.run(
        [*command, "--db", db_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    health = [line for line in status.splitlines() if "health:" in line]
    assert len(health) == len(SOURCES)
    for sid, line in zip(SOURCES, health, strict=True):
        assert "health: FAILING, never succeeded: " in line
        assert f"DNS lookup failed for {sid}.invalid" in line
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    verdicts = [x for x in lines if x["message"].startswith("no source reachable")]
    assert len(verdicts) == 1 and verdicts[0]["level"] == "error"  # once, not per source
    warnings = [x["message"] for x in lines if x["level"] == "warning"]
    assert any("DNS lookup failed for alpha.invalid" in m for m in warnings)
    assert not [m for m in warnings if "robots" in m]  # the host failed, not robots.txt
    assert "Traceback" not in log.read_text()
