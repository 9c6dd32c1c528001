"""End-to-end cycles against a real loopback server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import brotli
import pytest
from sqlalchemy import event, select

from monitor.config import Config, parse_config
from monitor.cycle import CycleSummary, run_cycle
from monitor.simweb import Request, Response, SimServer
from monitor.store import Store
from monitor.store.models import Change, FetchLog, Snapshot, Version

PARAGRAPHS = [
    "Декларация о переводе отношений России и Казахстана на уровень всеобъемлющего "
    "стратегического партнерства и союзничества подписана 12 ноября 2025 года.",
    "Стороны обязуются развивать сотрудничество в энергетике, включая мирный атом.",
    "Документ включает 42 пункта, сгруппированные по тематическим разделам.",
    "Особое внимание уделено расчетам в национальных валютах и критическим минералам.",
]


def article(paragraphs: list[str], *, churn: int = 0, title: str = "Декларация") -> str:
    """A news page whose boilerplate (counter, clock, related news) differs on every fetch."""
    related = "".join(
        f"<li><a href='/n/{churn + i}'>Новость дня {churn + i}</a></li>" for i in range(3)
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title} | Сайт</title>"
        f"<meta name='csrf' content='tok{churn}'></head><body>"
        f"<header><nav><a href='/'>Главная</a> <a href='/news'>Новости</a></nav></header>"
        f"<div class='top-bar'>Сегодня {churn % 24:02d}:{churn % 60:02d} МСК</div>"
        f"<div class='layout'><div class='article-content'><h1>{title}</h1>{body}</div>"
        f"<div class='views'>Просмотров: {1000 + churn * 7}</div>"
        f"<div class='related'><h3>Читайте также</h3><ul>{related}</ul></div></div>"
        f"<footer>© 2025 Редакция</footer></body></html>"
    )


def config_for(urls: list[str], *, select: str | None = None, **fetch: Any) -> Config:
    fetch = {"per_host_delay": 0, **fetch}
    lines = ["fetch:"] + [f"  {k}: {v}" for k, v in fetch.items()]
    lines += [
        "sources:",
        "  - id: test",
        "    name: Test source",
        "    allow_private: true",
        "    watch:",
    ]
    lines += [f"      - {u}" for u in urls]
    if select:
        lines.append(f"    select: {json.dumps(select)}")
    return parse_config("\n".join(lines) + "\n")


def cycle(config: Config, store: Store) -> CycleSummary:
    return asyncio.run(run_cycle(config, store))


def outcomes(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(FetchLog.outcome).order_by(FetchLog.id)))


def test_unchanged_page_takes_the_304_path(web: SimServer, store: Store) -> None:
    web.route("/doc", Response.html(article(PARAGRAPHS), etag=True))
    config = config_for([web.url("/doc")])
    first = cycle(config, store)
    assert (first.new, first.changed, first.unchanged, first.errors) == (1, 0, 0, 0)
    second = cycle(config, store)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 1)
    assert len(store.versions(first.documents[0].id)) == 1
    assert outcomes(store) == ["new", "not_modified"]
    assert "If-None-Match" in web.hits("/doc")[1].headers


def test_identical_body_without_validators_takes_the_hash_path(
    web: SimServer, store: Store
) -> None:
    web.route("/doc", Response.html(article(PARAGRAPHS)))
    config = config_for([web.url("/doc")])
    cycle(config, store)
    cycle(config, store)
    assert outcomes(store) == ["new", "unchanged"]
    assert store.counts()["versions"] == 1


def test_one_edited_word_makes_version_two_with_exactly_that_word(
    web: SimServer, store: Store
) -> None:
    texts = [
        PARAGRAPHS,
        [*PARAGRAPHS[:1], PARAGRAPHS[1].replace("обязуются", "стремятся"), *PARAGRAPHS[2:]],
    ]
    state = {"n": 0}

    def page(_: Request) -> Response:
        state["n"] += 1
        return Response.html(article(texts[min(state["n"] - 1, 1)], churn=state["n"]))

    web.route("/doc", page)
    config = config_for([web.url("/doc")])
    assert cycle(config, store).new == 1
    result = cycle(config, store)
    assert result.changed == 1 and result.documents[0].seq == 2
    doc_id = result.documents[0].id
    versions = store.versions(doc_id)
    assert [v.seq for v in versions] == [1, 2]
    change = store.change_to(versions[1].id)
    assert change is not None
    ops = change.diff
    assert [op for op in ops if op[0] != 0] == [(-1, "обязуются"), (1, "стремятся")]
    assert (change.inserted_chars, change.deleted_chars) == (9, 9)
    assert change.from_version_id == versions[0].id
    kinds = [e.kind for e in store.events(document_id=doc_id)]
    assert kinds == ["new", "changed"]


@pytest.mark.parametrize("selector", [None, ".article-content"])
def test_churning_boilerplate_never_makes_a_version(
    web: SimServer, store: Store, selector: str | None
) -> None:
    count = {"n": 0}

    def page(_: Request) -> Response:
        count["n"] += 1
        return Response.html(article(PARAGRAPHS, churn=count["n"]))

    web.route("/doc", page)
    config = config_for([web.url("/doc")], select=selector)
    for _ in range(4):
        cycle(config, store)
    assert count["n"] == 4
    assert store.counts()["versions"] == 1
    assert outcomes(store) == ["new", "unchanged", "unchanged", "unchanged"]
    text = store.versions(1)[0].text
    assert "Просмотров" not in text and "Новость дня" not in text and "Главная" not in text
    assert PARAGRAPHS[1] in text


def test_windows_1251_without_any_charset_decodes(web: SimServer, store: Store) -> None:
    html = article(PARAGRAPHS).replace("<meta name='csrf' content='tok0'>", "")
    web.route("/cp", Response(body=html.encode("cp1251"), headers={"Content-Type": "text/html"}))
    cycle(config_for([web.url("/cp")]), store)
    version = store.versions(1)[0]
    assert PARAGRAPHS[0] in version.text
    with store.session() as s:
        assert s.scalar(select(Snapshot.encoding)) == "cp1251"


def test_404_timeout_and_oversized_body_are_logged_and_the_cycle_goes_on(
    web: SimServer, store: Store
) -> None:
    web.route("/ok", Response.html(article(PARAGRAPHS)))
    web.route("/slow", Response.html(article(PARAGRAPHS), delay=3))
    web.route("/huge", Response.html("<p>" + "я" * 60_000 + "</p>"))
    urls = [web.url(p) for p in ("/ok", "/missing", "/slow", "/huge")]
    config = config_for(urls, read_timeout="0.5s", max_body_bytes=50_000)
    summary = cycle(config, store)
    assert (summary.new, summary.errors) == (1, 3)
    errors = {d.url.rsplit("/", 1)[1]: d.error for d in summary.documents if d.error}
    assert errors["missing"] == "HTTP 404 Not Found"
    assert "read timeout" in (errors["slow"] or "")
    assert "body too large" in (errors["huge"] or "")
    with store.session() as s:
        logged = {
            r.url.rsplit("/", 1)[1]: (r.outcome, r.error) for r in s.scalars(select(FetchLog))
        }
    assert logged["missing"] == ("error", "HTTP 404 Not Found")
    assert logged["slow"][0] == "error" and "timeout" in logged["slow"][1]
    assert logged["huge"][0] == "error" and "too large" in logged["huge"][1]
    assert logged["ok"] == ("new", None)


def test_unreachable_host_and_redirect_loop_are_errors(web: SimServer, store: Store) -> None:
    web.route("/loop", Response(302, headers={"Location": "/loop"}))
    config = config_for([web.url("/loop"), "http://127.0.0.1:9/dead"], max_redirects=3)
    summary = cycle(config, store)
    errors = sorted(d.error or "" for d in summary.documents)
    assert summary.errors == 2
    assert any("cannot connect" in e for e in errors)
    assert any("too many redirects" in e for e in errors)


def test_server_repeating_304_is_overridden_by_a_forced_full_fetch(
    web: SimServer, store: Store
) -> None:
    """A server that always says 304: the change is still caught by the periodic full fetch."""
    served = {"text": PARAGRAPHS}

    def lying(req: Request) -> Response:
        if "If-None-Match" in req.headers:
            return Response(304, headers={"ETag": '"same"'})
        return Response.html(article(served["text"]), headers={"ETag": '"same"'})

    web.route("/doc", lying)
    store_url = store.url
    cycle(config_for([web.url("/doc")]), store)
    served["text"] = [*PARAGRAPHS, "Добавлен новый абзац о космосе."]
    assert cycle(config_for([web.url("/doc")]), store).unchanged == 1  # trusted the 304
    forced = config_for([web.url("/doc")], full_fetch_after="0s")
    result = cycle(forced, Store(store_url))
    assert result.changed == 1
    assert "If-None-Match" not in web.hits("/doc")[-1].headers


def test_gzip_and_brotli_bodies(web: SimServer, store: Store) -> None:
    web.route("/gz", Response.html(article(PARAGRAPHS, title="Гзип"), gzip=True))
    br_html = article(PARAGRAPHS, title="Бротли").encode()
    web.route(
        "/br",
        Response(
            body=brotli.compress(br_html),
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "br"},
        ),
    )
    summary = cycle(config_for([web.url("/gz"), web.url("/br")]), store)
    assert summary.new == 2
    titles = sorted(v.title or "" for d in summary.documents for v in store.versions(d.id))
    assert titles == ["Бротли", "Гзип"]


def test_undecodable_and_empty_pages_are_errors_not_versions(web: SimServer, store: Store) -> None:
    web.route(
        "/binary",
        Response(
            body=bytes(range(256)) * 20, headers={"Content-Type": "text/html; charset=utf-16"}
        ),
    )
    web.route("/empty", Response.html("<html><body><nav>только меню</nav></body></html>"))
    web.route("/nosel", Response.html(article(PARAGRAPHS)))
    config = config_for([web.url("/binary"), web.url("/empty")])
    summary = cycle(config, store)
    assert summary.errors == 2 and store.counts()["versions"] == 0
    bad_selector = config_for([web.url("/nosel")], select="#does-not-exist")
    result = cycle(bad_selector, store)
    assert result.errors == 1
    assert "matched nothing" in (result.documents[0].error or "")


def test_identical_bodies_share_one_snapshot(web: SimServer, store: Store) -> None:
    html = article(PARAGRAPHS)
    web.route("/a", Response.html(html))
    web.route("/b", Response.html(html))
    cycle(config_for([web.url("/a"), web.url("/b")]), store)
    counts = store.counts()
    assert counts["versions"] == 2 and counts["snapshots"] == 1
    version = store.versions(1)[0]
    snapshot = store.snapshot_of(1, version.seq)
    assert snapshot is not None and snapshot.body == html.encode()


def test_a_crash_mid_transaction_leaves_no_version_without_its_change(
    web: SimServer, store: Store
) -> None:
    state = {"n": 0}

    def page(_: Request) -> Response:
        state["n"] += 1
        return Response.html(article(PARAGRAPHS[: 1 + state["n"]]))

    web.route("/doc", page)
    config = config_for([web.url("/doc")])
    cycle(config, store)

    def explode(session: Any, _ctx: Any, _instances: Any) -> None:
        if any(isinstance(obj, Change) for obj in session.new):
            raise RuntimeError("simulated crash while writing the change")

    event.listen(store._sessions, "before_flush", explode)
    try:
        summary = cycle(config, store)
    finally:
        event.remove(store._sessions, "before_flush", explode)
    assert summary.errors == 1 and "simulated crash" in (summary.documents[0].error or "")
    with store.session() as s:
        assert s.scalar(select(Version.seq).order_by(Version.seq.desc())) == 1
        assert list(s.scalars(select(Change))) == []
    recovered = cycle(config, store)  # the next cycle records the edit properly
    assert recovered.changed == 1
