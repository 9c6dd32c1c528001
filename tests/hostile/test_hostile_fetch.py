"""Hostile servers and hostile links, against real loopback servers.

SSRF: every request — watched, discovered, redirected, robots.txt, attachment —
passes one guard after DNS resolution, and connects to the address it checked.
A "public" server is one on 127.0.0.2 that the test's `Guard` treats as public
(`treat_as_public`), so a loopback address can stand in for the internet offline.
Time: slow headers and slow bodies end at the deadline. Memory: compression bombs
stop at the body cap while decoding. A 304 nobody asked for is an error.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import Config, FetchSettings, parse_config
from monitor.cycle import run_cycle
from monitor.fetch.client import Fetcher, FetchResult, Validators
from monitor.fetch.guard import Guard, literal_ip, refusal_for_host
from monitor.simweb import Response, SimServer
from monitor.store import Store
from monitor.store.models import FetchLog

NEVER = "never allowed"
OPT_IN = "set allow_private: true"
PUBLIC = "127.0.0.2"  # treated as public by the test guard
PRIVATE = "127.0.0.3"  # an internal service the guard must protect
PAGE = "<html><body><h1>Договор</h1>" + "<p>Россия и Казахстан подписали договор.</p>" * 12


@pytest.mark.parametrize(
    ("host", "shown", "never"),
    [
        ("127.0.0.1", "loopback", False),
        ("10.1.2.3", "private", False),
        ("172.16.5.4", "private", False),
        ("172.31.255.1", "private", False),
        ("192.168.0.1", "private", False),
        ("169.254.169.254", "link-local", True),
        ("169.254.1.1", "link-local", True),
        ("100.64.0.1", "carrier-grade NAT", False),
        ("100.100.100.200", "cloud metadata", True),
        ("0.0.0.0", "unspecified", True),
        ("224.0.0.251", "multicast", True),
        ("255.255.255.255", "broadcast", True),
        ("::1", "loopback", False),
        ("[::1]", "loopback", False),
        ("fc00::1", "unique local", False),
        ("fd12:3456::1", "unique local", False),
        ("fe80::1", "link-local", True),
        ("fe80::1%eth0", "link-local", True),
        ("ff02::1", "multicast", True),
        ("::", "unspecified", True),
        ("::ffff:127.0.0.1", "loopback", False),
        ("::ffff:169.254.169.254", "link-local", True),
        ("64:ff9b::a9fe:a9fe", "link-local", True),  # NAT64 of 169.254.169.254
        ("2002:0a00:0001::", "private", False),  # 6to4 of 10.0.0.1
        ("2130706433", "loopback", False),  # decimal
        ("017700000001", "loopback", False),  # octal
        ("0x7f000001", "loopback", False),  # hex
        ("0x7f.1", "loopback", False),  # hex, short
        ("0177.0.0.1", "loopback", False),  # octal dotted
        ("127.1", "loopback", False),  # short
        ("0", "unspecified", True),
    ],
)
def test_the_checker_refuses_every_class_and_spelling(host: str, shown: str, never: bool) -> None:
    reason = refusal_for_host(host)
    assert reason is not None and reason.startswith("refused: ") and shown in reason
    assert (NEVER if never else OPT_IN) in reason
    assert (refusal_for_host(host, allow_private=True) is None) is not never


@pytest.mark.parametrize("host", ["8.8.8.8", "2a00:1450:4001::1", "93.184.216.34", "example.org"])
def test_the_checker_lets_public_addresses_and_names_through(host: str) -> None:
    assert refusal_for_host(host) is None


def test_odd_spellings_are_read_as_the_address_the_socket_would_use() -> None:
    assert {str(literal_ip(h)) for h in ("2130706433", "0x7f.1", "017700000001", "127.1")} == {
        "127.0.0.1"
    }
    assert literal_ip("kremlin.ru") is None and literal_ip("1.2.3.4.5") is None


# --- fetcher level -----------------------------------------------------------------


class Resolver:
    """A DNS stand-in: answers per name, counts lookups."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers, self.calls = answers, []  # type: ignore[var-annotated]

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def settings(**kw: Any) -> FetchSettings:
    return FetchSettings(**{"per_host_delay": 0, "max_retries": 0, "connect_timeout": 3, **kw})


def fetch(
    url: str, *, guard: Guard | None = None, validators: Validators | None = None, **kw: Any
) -> FetchResult:
    allow = kw.pop("allow_private", False)

    async def run() -> FetchResult:
        async with Fetcher(settings(**kw), guard=guard) as fetcher:
            return await fetcher.fetch(url, validators, allow_private=allow)

    return asyncio.run(run())


@pytest.fixture
def public() -> Iterator[SimServer]:
    with SimServer(PUBLIC) as server:
        yield server


@pytest.fixture
def private() -> Iterator[SimServer]:
    with SimServer(PRIVATE) as server:
        server.route("/secret", Response.html("<p>internal admin page</p>"))
        yield server


def public_guard(resolver: Resolver | None = None) -> Guard:
    return Guard(resolver, treat_as_public=[PUBLIC])


def test_a_loopback_url_is_refused_unless_allowed(web: SimServer) -> None:
    web.route("/doc", Response.html(PAGE))
    refused = fetch(web.url("/doc"))
    assert refused.failure == "blocked" and "127.0.0.1 is a loopback address" in str(refused.error)
    assert web.requests == []  # not even robots.txt was asked
    fetched = fetch(web.url("/doc"), allow_private=True)
    assert fetched.ok and fetched.body and "Договор" in fetched.body.decode()


def test_odd_spellings_are_refused_and_allowed_ones_reach_the_same_server(web: SimServer) -> None:
    web.route("/doc", Response.html(PAGE))
    port = web.base.rsplit(":", 1)[1]
    for host in ("2130706433", "0x7f.1", "017700000001", "127.1"):
        refused = fetch(f"http://{host}:{port}/doc")
        assert refused.failure == "blocked" and "127.0.0.1" in str(refused.error), host
    assert fetch(f"http://127.1:{port}/doc", allow_private=True).ok


def test_a_redirect_to_cloud_metadata_is_refused_even_when_private_is_allowed(
    web: SimServer,
) -> None:
    web.route("/r", Response(301, headers={"Location": "http://169.254.169.254/latest/meta-data"}))
    started = time.monotonic()
    result = fetch(web.url("/r"), allow_private=True, respect_robots=False)
    assert result.failure == "blocked" and time.monotonic() - started < 2  # never connected
    assert "169.254.169.254 is a link-local (cloud metadata) address" in str(result.error)
    assert "redirected to http://169.254.169.254/latest/meta-data" in str(result.error)


def test_a_public_server_redirecting_to_loopback_is_refused(
    public: SimServer, private: SimServer
) -> None:
    public.route("/r", Response(302, headers={"Location": private.url("/secret")}))
    result = fetch(public.url("/r"), guard=public_guard())
    assert result.failure == "blocked" and f"{PRIVATE} is a loopback address" in str(result.error)
    assert private.requests == []


def test_robots_txt_redirected_to_a_private_address_is_refused(
    public: SimServer, private: SimServer
) -> None:
    public.route("/robots.txt", Response(301, headers={"Location": private.url("/secret")}))
    public.route("/doc", Response.html(PAGE))
    result = fetch(public.url("/doc"), guard=public_guard())
    assert result.failure == "blocked" and "refused" in str(result.error)
    assert private.requests == [] and public.hits("/doc") == []


def test_a_name_resolving_to_a_private_address_is_refused_by_name() -> None:
    resolver = Resolver({"intranet.test": ["93.184.216.34", "10.0.0.7"]})
    result = fetch("http://intranet.test/doc", guard=Guard(resolver))
    assert result.failure == "blocked"  # one private answer is enough
    assert "refused: intranet.test resolves to 10.0.0.7, a private address" in str(result.error)


def test_the_connection_goes_to_the_address_checked_with_the_host_name_kept(
    public: SimServer,
) -> None:
    """No rebinding window: one lookup, and the socket connects to its answer."""
    public.route("/doc", Response.html(PAGE))
    resolver = Resolver({"rebind.test": [PUBLIC]})
    port = public.base.rsplit(":", 1)[1]
    result = fetch(f"http://rebind.test:{port}/doc", guard=public_guard(resolver))
    assert result.ok and result.final_url == f"http://rebind.test:{port}/doc"
    assert resolver.calls == ["rebind.test"]  # robots.txt and the page share the connection
    assert {r.headers["Host"] for r in public.requests} == {f"rebind.test:{port}"}


def test_dns_failure_is_still_a_dns_error() -> None:
    result = fetch("http://nowhere.test/doc", guard=Guard(Resolver({})))
    assert result.failure == "dns" and "nowhere.test" in str(result.error)


def test_a_refusal_is_logged_once_per_url(web: SimServer, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        async with Fetcher(settings(respect_robots=False)) as fetcher:
            for _ in range(3):
                await fetcher.fetch(web.url("/doc"))

    with caplog.at_level(logging.WARNING, logger="monitor.fetch.client"):
        asyncio.run(run())
    expected = f"{web.url('/doc')}: refused: 127.0.0.1 is a loopback address (SSRF guard; "
    messages = [r.getMessage() for r in caplog.records]
    assert [m.startswith(expected) for m in messages] == [True]


# --- end to end: sources, discovery, store -----------------------------------------


def config(yaml: str, **fetch_kw: Any) -> Config:
    fetch_kw = {"per_host_delay": "0", "max_retries": "0", **fetch_kw}
    head = "fetch:\n" + "".join(f"  {k}: {v}\n" for k, v in fetch_kw.items())
    return parse_config(head + "sources:\n" + yaml)


def cycle(cfg: Config, store: Store, guard: Guard | None = None) -> None:
    async def run() -> None:
        async with Fetcher(cfg.fetch, guard=guard or public_guard()) as fetcher:
            await run_cycle(cfg, store, fetcher=fetcher, force=True)

    asyncio.run(run())


def test_a_watched_loopback_url_needs_allow_private(web: SimServer, store: Store) -> None:
    web.route("/a", Response.html(PAGE))
    web.route("/b", Response.html(PAGE))
    cfg = config(
        f"  - id: denied\n    name: D\n    watch: ['{web.url('/a')}']\n"
        f"  - id: opted\n    name: O\n    allow_private: true\n    watch: ['{web.url('/b')}']\n"
    )
    cycle(cfg, store, Guard())
    health = store.source_health()
    assert "refused: 127.0.0.1 is a loopback address" in str(health["denied"]["last_error"])
    assert health["denied"]["never_succeeded"] is True
    assert health["opted"]["last_error"] is None and health["opted"]["last_ok_at"] is not None
    assert web.hits("/a") == [] and len(web.hits("/b")) >= 1


def feed(items: list[str]) -> bytes:
    entries = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in items)
    return f'<rss version="2.0"><channel><title>f</title>{entries}</channel></rss>'.encode()


def test_feed_items_and_listing_links_to_private_addresses_are_refused_and_shown(
    public: SimServer, private: SimServer, store: Store
) -> None:
    links = [private.url("/secret"), "http://169.254.169.254/latest/meta-data/"]
    public.route("/doc", Response.html(PAGE))
    public.route("/rss.xml", Response(200, feed([public.url("/doc"), *links])))
    anchors = "".join(f'<a class="d" href="{u}">x</a>' for u in links)
    public.route("/news/", Response.html(f"<html><body>{anchors}</body></html>"))
    cfg = config(
        f"  - id: feed\n    name: F\n    relevance: all\n    discover:\n"
        f"      - {{type: feed, url: '{public.url('/rss.xml')}'}}\n"
        f"  - id: listing\n    name: L\n    relevance: all\n    discover:\n"
        f"      - {{type: listing, url: '{public.url('/news/')}', links: a.d}}\n"
    )
    cycle(cfg, store)
    assert private.requests == []
    health = store.source_health()
    assert "link refused" in str(health["feed"]["last_error"])
    assert f"{PRIVATE} is a loopback address" in str(health["listing"]["last_error"])
    assert "(and 1 more)" in str(health["listing"]["last_error"])
    assert store.find_document(public.url("/doc")) is not None  # the good item still works


def test_sitemap_locs_and_nested_sitemaps_to_private_addresses_are_refused(
    public: SimServer, private: SimServer, store: Store
) -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    index = (
        f"<sitemapindex {ns}><sitemap><loc>{private.url('/inner.xml')}</loc></sitemap>"
        f"<sitemap><loc>http://169.254.169.254/sm.xml</loc></sitemap></sitemapindex>"
    )
    urlset = f"<urlset {ns}><url><loc>{private.url('/secret')}</loc></url></urlset>"
    private.route("/inner.xml", Response(200, urlset.encode()))
    public.route("/index.xml", Response(200, index.encode(), {"Content-Type": "application/xml"}))
    public.route("/urls.xml", Response(200, urlset.encode(), {"Content-Type": "application/xml"}))
    cfg = config(
        "  - id: sm\n    name: S\n    relevance: all\n    discover:\n"
        f"      - {{type: sitemap, url: '{public.url('/index.xml')}', depth: 2}}\n"
        f"      - {{type: sitemap, url: '{public.url('/urls.xml')}'}}\n"
    )
    cycle(cfg, store)
    assert private.requests == []
    error = str(store.source_health()["sm"]["last_error"])
    assert "refused" in error and (PRIVATE in error or "169.254.169.254" in error)


def test_attachments_on_private_addresses_are_refused_at_fetch(
    public: SimServer, private: SimServer, store: Store
) -> None:
    pdf = private.url("/treaty.pdf")
    public.route("/doc", Response.html(PAGE + f'<p><a href="{pdf}">PDF</a></p>'))
    public.route("/rss.xml", Response(200, feed([public.url("/doc")])))
    cfg = config(
        f"  - id: att\n    name: A\n    relevance: all\n    discover:\n"
        f"      - {{type: feed, url: '{public.url('/rss.xml')}'}}\n"
    )
    cycle(cfg, store)
    cycle(cfg, store)
    assert private.requests == []
    attachment = store.find_document(pdf)
    assert attachment is not None  # tracked, and its fetches refused
    with store.session() as s:
        errors = list(
            s.scalars(select(FetchLog.error).where(FetchLog.document_id == attachment.id))
        )
    assert errors and all("refused" in str(e) for e in errors)
    assert "refused" in str(store.source_health()["att"]["last_error"])
