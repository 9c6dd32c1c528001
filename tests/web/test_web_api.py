"""The JSON API and the Atom feeds over real HTTP: the routers are mounted on a bare
FastAPI app (the pages live elsewhere), served by uvicorn on a loopback port, and
queried with httpx, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from monitor.analysis.assess import assess
from monitor.config import Config, parse_config
from monitor.cycle import run_cycle
from monitor.diff import diff_words, stats
from monitor.simweb.site import SimSite
from monitor.store import (
    AlertDraft,
    DocumentFilter,
    FetchRecord,
    NewVersion,
    Outcome,
    Store,
    search,
    sha256,
)
from monitor.store.catalog import encode_cursor
from monitor.web import api, feeds

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
ENERGY = (
    "Стороны подписали соглашения о строительстве атомной электростанции при участии "
    "«Росатома». Зелёный водород обсуждали отдельно."
)
SPACE = "Стороны обсудили аренду космодрома Байконур и запуски ракет-носителей «Союз»."
SPACE_MORE = SPACE + "\nРешено продлить аренду Байконура до 2060 года."
SPACE_LAST = SPACE_MORE + "\nНовый пункт о запуске спутников связи с космодрома."
TRADE = (
    "Товарооборот между странами вырос на 7 процентов, взаимная торговля растёт. "
    "<b onmouseover=alert(3)>Пошлины</b> снижены."
)
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> & «Торговля»'
CONFIG = """
alerts: {web_url: "https://monitor.example.org/"}
sources:
  - {id: ru-mid, name: МИД России, kind: official, country: RU, languages: [ru]}
  - {id: akorda, name: Акорда, kind: official, country: KZ, languages: [ru, kk]}
  - {id: tass, name: ТАСС, kind: media, country: RU, languages: [ru, en]}
"""


@dataclass
class Served:
    url: str
    store: Store
    config: Config
    ids: dict[str, int]

    def get(self, path: str, **params: object) -> httpx.Response:
        return httpx.get(self.url + path, params=params or None, timeout=10)  # type: ignore[arg-type]

    def json(self, path: str, **params: object) -> object:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()


def record(store: Store, config: Config, source: str, url: str, versions: list) -> int:
    """Write a document's versions as the pipeline would (themes, summary, diff)."""
    (state,) = store.ensure_documents(source, [url])
    previous: str | None = None
    for at, title, text in versions:
        ops = diff_words(previous, text) if previous is not None else None
        judged = assess(config, previous, text, ops)
        counted = stats(ops) if ops else None
        store.record_version(
            state,
            FetchRecord(url=url, started_at=at, duration_ms=5, status_code=200, full_fetch=True),
            NewVersion(
                body=f"<html><title>{title}</title><p>{text}</p></html>".encode(),
                content_type="text/html; charset=utf-8",
                encoding="utf-8",
                text=text,
                text_hash=sha256(text.encode()),
                title=title,
                published_at=None,
                rules="test",
                diff=ops,
                inserted_chars=counted.inserted_chars if counted else 0,
                deleted_chars=counted.deleted_chars if counted else 0,
                themes=judged.themes,
                change_themes=judged.change_themes,
                summary=judged.summary,
                significance=judged.significance,
            ),
        )
        (state,) = store.document_states([state.id])
        previous = text
    return state.id


def build(store: Store, config: Config) -> dict[str, int]:
    store.sync_sources((s.id, s.name) for s in config.sources)
    ids = {
        "energy": record(
            store, config, "ru-mid", "https://mid.example/1", [(T0, "Итоги переговоров", ENERGY)]
        ),
        "space": record(
            store,
            config,
            "akorda",
            "https://akorda.example/2",
            [
                (T0 + timedelta(days=22), "Байконур", SPACE),
                (T0 + timedelta(days=50), "Байконур", SPACE_MORE),
                (T0 + timedelta(days=51), "Байконур", SPACE_LAST),
            ],
        ),
        "hostile": record(
            store,
            config,
            "tass",
            "https://tass.example/3",
            [(T0 + timedelta(days=64), HOSTILE, TRADE)],
        ),
    }
    for i in range(20):
        ids[f"note{i}"] = record(
            store,
            config,
            "tass",
            f"https://tass.example/notes/{i}",
            [
                (
                    T0 - timedelta(days=100 - i),
                    f"Заметка {i:02d}",
                    f"Обзор прессы номер {i}. Журналисты обсуждали выставку в музее.",
                )
            ],
        )
    return ids


def serve(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    config = parse_config(CONFIG)
    store = Store(db_url)
    ids = build(store, config)
    app = FastAPI()
    app.include_router(api.build_api_router())
    app.include_router(feeds.build_feeds_router())
    app.state.store, app.state.config = store, config
    server, thread, url = serve(app)
    try:
        yield Served(url, store, config, ids)
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


def ids_of(page: object) -> list[int]:
    assert isinstance(page, dict)
    return [item["id"] for item in page["items"]]


def test_filters_by_source_kind_country_language_theme_event_and_dates(served: Served) -> None:
    s, ids = served, served.ids
    everything = s.json("/api/documents", limit=100)
    assert everything["total"] == 23 and len(everything["items"]) == 23
    assert ids_of(everything)[:3] == [ids["hostile"], ids["space"], ids["energy"]]  # recent
    assert set(ids_of(s.json("/api/documents", source="akorda"))) == {ids["space"]}
    official = s.json("/api/documents", kind="official")
    assert set(ids_of(official)) == {ids["energy"], ids["space"]}
    assert {i["kind"] for i in official["items"]} == {"official"}
    ru = s.json("/api/documents", country="RU", limit=100)
    assert len(ru["items"]) == 22 and ids["space"] not in ids_of(ru)
    both = s.json("/api/documents", country=["RU", "KZ"], kind="official")
    assert set(ids_of(both)) == {ids["energy"], ids["space"]}
    assert set(ids_of(s.json("/api/documents", language="kk"))) == {ids["space"]}
    media_en = s.json("/api/documents", language="en", kind="official")
    assert media_en["items"] == [] and media_en["total"] == 0
    energy = s.json("/api/documents", theme="energy")
    assert ids_of(energy) == [ids["energy"]] and energy["items"][0]["themes"] == ["energy"]
    assert set(ids_of(s.json("/api/documents", theme=["energy", "space"]))) == {
        ids["energy"],
        ids["space"],
    }
    changed = s.json("/api/documents", event="changed")
    assert ids_of(changed) == [ids["space"]]
    assert changed["items"][0]["last_event"] == "changed"
    assert changed["items"][0]["significance"]
    after = s.json("/api/documents", since=(T0 + timedelta(days=30)).isoformat())
    assert set(ids_of(after)) == {ids["space"], ids["hostile"]}
    window = s.json(
        "/api/documents",
        since=(T0 - timedelta(days=1)).isoformat(),
        until=(T0 + timedelta(days=23)).isoformat(),
    )
    assert set(ids_of(window)) == {ids["energy"], ids["space"]}
    naive = s.json("/api/documents", since="2026-03-01T00:00:00", event="new")
    assert ids_of(naive) == [ids["hostile"]]  # a time without zone is UTC
    for bad in ({"kind": "blog"}, {"theme": "nope"}, {"limit": 0}, {"cursor": "garbage"}):
        assert s.get("/api/documents", **bad).status_code == 422, bad
    assert s.get("/api/documents", sort="relevance").status_code == 422
    for forged in (["recent", "not a date", 1], ["title", 5, "x"], ["recent"], {"a": 1}):
        bad = s.get(
            "/api/documents",
            sort=forged[0] if isinstance(forged, list) else "recent",
            cursor=encode_cursor(forged),
        )  # type: ignore[arg-type]
        assert bad.status_code == 422, forged


def test_russian_search_matches_inflections_and_highlights(served: Served) -> None:
    s, ids = served, served.ids
    found = s.json("/api/documents", q="соглашение")  # the text only says «соглашения»
    assert ids_of(found) == [ids["energy"]] and found["total"] == 1
    snippet = found["items"][0]["snippet"]
    assert "<mark>соглашения</mark>" in snippet
    assert ids_of(s.json("/api/documents", q="атомная электростанция")) == [ids["energy"]]
    assert ids_of(s.json("/api/documents", q='"атомной электростанции"')) == [ids["energy"]]
    assert ids_of(s.json("/api/documents", q="зеленый водород")) == [ids["energy"]]  # ё
    assert ids_of(s.json("/api/documents", q="Байконуром")) == [ids["space"]]
    assert ids_of(s.json("/api/documents", q="соглашение -росатом")) == []
    assert set(ids_of(s.json("/api/documents", q="байконур or товарооборот"))) == {
        ids["space"],
        ids["hostile"],
    }
    assert ids_of(s.json("/api/documents", q="спутник связи")) == [ids["space"]]  # latest
    assert s.json("/api/documents", q="?!")["items"] == []
    # search combines with filters, and the snippet of hostile text stays escaped
    assert s.json("/api/documents", q="соглашение", country="KZ")["items"] == []
    hostile = s.json("/api/documents", q="торговля")
    assert ids_of(hostile) == [ids["hostile"]]
    # relevance: a match in the title beats a newer match in the text only
    later = record(
        s.store,
        s.config,
        "tass",
        "https://tass.example/9",
        [(T0 + timedelta(days=300), "Обзор", "Переговоры продолжились.")],
    )
    assert ids_of(s.json("/api/documents", q="переговоры")) == [ids["energy"], later]
    assert ids_of(s.json("/api/documents", q="переговоры", sort="recent")) == [later, ids["energy"]]
    snippet = hostile["items"][0]["snippet"]
    assert "торговля</mark>" in snippet.lower()
    assert "<b" not in snippet and "<script" not in snippet and "<img" not in snippet


@pytest.mark.parametrize("sort", ["recent", "title", "first_seen", "relevance"])
def test_cursor_pagination_has_no_duplicates_and_no_gaps(served: Served, sort: str) -> None:
    s = served
    q = {"q": "обзор прессы"} if sort == "relevance" else {}
    whole = ids_of(s.json("/api/documents", sort=sort, limit=200, **q))
    assert len(whole) == (20 if q else 23)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"sort": sort, "limit": 4, **q}
        if cursor:
            params["cursor"] = cursor
        page = s.json("/api/documents", **params)
        assert (page["total"] is not None) == (cursor is None)
        seen += ids_of(page)
        pages += 1
        if pages == 2:  # a document arriving mid-way does not shift the pages after
            record(
                s.store,
                s.config,
                "tass",
                "https://tass.example/late",
                [(T0 + timedelta(days=200), "Поздняя заметка", "Обзор прессы опоздал.")],
            )
        cursor = page["next_cursor"]
        if cursor is None or pages > 20:
            break
    final = ids_of(s.json("/api/documents", sort=sort, limit=200, **q))
    assert len(seen) == len(set(seen))  # no duplicates
    assert set(whole) <= set(seen)  # no gaps
    assert seen == [i for i in final if i in set(seen)]  # in order
    late = final.index(max(final))  # seen only if it sorts after the second page
    assert (max(final) in seen) == (late >= 8)
    if sort == "title":
        titles = [i["title"] for i in s.json("/api/documents", sort="title", limit=200)["items"]]
        assert titles == sorted(titles)
    other = "title" if sort != "title" else "recent"
    first = s.json("/api/documents", sort=sort, limit=4, **q)
    assert s.get("/api/documents", sort=other, cursor=first["next_cursor"]).status_code == 422


def test_document_versions_texts_and_diffs(served: Served) -> None:
    s, doc = served, served.ids["space"]
    item = s.json(f"/api/documents/{doc}")
    assert item["latest_seq"] == 3 and item["source_name"] == "Акорда" and item["country"] == "KZ"
    versions = s.json(f"/api/documents/{doc}/versions")
    assert [v["seq"] for v in versions] == [1, 2, 3]
    assert versions[0]["change"] is None and versions[0]["themes"][0]["theme"] == "space"
    change = versions[2]["change"]
    assert change["headline"] and change["significance"] and change["inserted_chars"] > 0
    text = s.json(f"/api/documents/{doc}/versions/2/text")
    assert text["text"] == SPACE_MORE and text["kind"] == "extracted"
    raw = s.json(f"/api/documents/{doc}/versions/2/text", kind="raw")
    assert raw["text"].startswith("<html><title>Байконур")
    latest = s.json(f"/api/documents/{doc}/diff")  # default: the latest change
    assert (latest["from_seq"], latest["to_seq"], latest["stored"]) == (2, 3, True)
    assert [op for op, _ in latest["ops"] if op] == [1]
    assert "спутников связи" in "".join(t for op, t in latest["ops"] if op == 1)
    assert latest["headline"] and latest["summary"]["words_inserted"] > 0
    assert [t["theme"] for t in latest["themes"]] == ["space"]
    wide = s.json(f"/api/documents/{doc}/diff", **{"from": 1, "to": 3})
    assert wide["stored"] is False and wide["headline"]
    assert "".join(t for op, t in wide["ops"] if op >= 0) == SPACE_LAST
    assert "".join(t for op, t in wide["ops"] if op <= 0) == SPACE
    back = s.json(f"/api/documents/{doc}/diff", **{"from": 3, "to": 1})
    assert "".join(t for op, t in back["ops"] if op >= 0) == SPACE
    for path, code in (
        ("/api/documents/999999", 404),
        ("/api/documents/999999/versions", 404),
        (f"/api/documents/{doc}/versions/9/text", 404),
        (f"/api/documents/{doc}/diff?from=1&to=9", 404),
        (f"/api/documents/{doc}/diff?from=2&to=2", 422),
        (f"/api/documents/{doc}/diff?from=0", 422),
        ("/api/documents/abc", 422),
        (f"/api/documents/{served.ids['energy']}/diff", 404),  # one version only
    ):
        response = s.get(path)
        assert response.status_code == code, path
        assert "detail" in response.json()


def test_changes_since_with_filters_and_cursor(served: Served) -> None:
    s, ids = served, served.ids
    since = (T0 + timedelta(days=40)).isoformat()
    events = s.json("/api/changes", since=since)
    assert [(e["document_id"], e["kind"]) for e in events["items"]] == [
        (ids["hostile"], "new"),
        (ids["space"], "changed"),
        (ids["space"], "changed"),
    ]
    change = events["items"][1]
    assert change["summary"] and change["themes"] == ["space"] and change["version_seq"] == 3
    assert change["kind_of_source"] == "official" and change["country"] == "KZ"
    only = s.json("/api/changes", since=since, event="changed", theme="space", limit=1)
    assert [e["version_seq"] for e in only["items"]] == [3] and only["next_cursor"]
    rest = s.json("/api/changes", since=since, event="changed", cursor=only["next_cursor"])
    assert [e["version_seq"] for e in rest["items"]] == [2] and rest["next_cursor"] is None
    assert s.json("/api/changes", theme="energy")["items"][0]["document_id"] == ids["energy"]
    assert s.json("/api/changes", since=since, country="RU", event="changed")["items"] == []
    searched = s.json("/api/changes", q="байконур")["items"]
    assert {e["document_id"] for e in searched} == {ids["space"]} and len(searched) == 3
    assert s.get("/api/changes", since="yesterday").status_code == 422


def test_alerts_sources_and_themes(served: Served) -> None:
    s = served
    now = datetime.now(UTC)
    drafts = [
        AlertDraft("ops", "webhook", "operator", {"document": {"title": HOSTILE}}, key=f"k{i}")
        for i in range(3)
    ]
    s.store.enqueue(drafts, now)
    first = s.store.due_alerts(now + timedelta(seconds=1))[0]
    s.store.mark_failed(first.id, 3, "HTTP 500")
    alerts = s.json("/api/alerts")
    assert alerts["counts"]["pending"] == 2 and alerts["counts"]["failed"] == 1
    assert alerts["total"] == 3 and len(alerts["items"]) == 3
    failed = s.json("/api/alerts", status="failed")
    assert [a["last_error"] for a in failed["items"]] == ["HTTP 500"]
    assert failed["items"][0]["title"] == HOSTILE
    assert s.get("/api/alerts", status="lost").status_code == 422

    (state,) = s.store.document_states([s.ids["energy"]])
    rec = FetchRecord(url=state.url, started_at=now, duration_ms=3, error="timeout")
    s.store.record_outcomes([Outcome(state, rec, "error")])
    sources = {x["id"]: x for x in s.json("/api/sources")}
    assert list(sources) == ["ru-mid", "akorda", "tass"]
    assert sources["tass"]["documents"] == 21 and sources["tass"]["kind"] == "media"
    assert sources["ru-mid"]["last_error"] == "timeout" and sources["ru-mid"]["failing_since"]
    assert len(sources["ru-mid"]["days"]) == 14 and sources["ru-mid"]["days"][-1]["errors"] == 1

    themes = {t["id"]: t for t in s.json("/api/themes")}
    assert themes["energy"]["documents"] == 1 and themes["space"]["documents"] == 1
    assert themes["energy"]["label"] and themes["migration-labour"]["documents"] == 0
    trends = s.json("/api/trends", weeks=60, by="country")
    assert trends["totals"]["space"] == {"documents": 1, "changes": 2}
    assert "KZ" in trends["series"]["space"]


def test_openapi_lists_the_endpoints(served: Served) -> None:
    schema = served.json("/openapi.json")
    assert isinstance(schema, dict)
    paths = schema["paths"]
    for path in (
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/versions",
        "/api/documents/{doc_id}/versions/{seq}/text",
        "/api/documents/{doc_id}/diff",
        "/api/changes",
        "/api/alerts",
        "/api/sources",
        "/api/themes",
        "/feeds/documents.atom",
        "/feeds/changes.atom",
    ):
        assert path in paths, path
    listed = paths["/api/documents"]["get"]
    names = {p["name"] for p in listed["parameters"]}
    assert {"q", "source", "kind", "country", "theme", "event", "since", "cursor"} <= names
    ok = listed["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/DocumentPage")
    assert "DiffOut" in schema["components"]["schemas"]


def test_atom_feeds_parse_and_filter_by_theme(served: Served) -> None:
    s, ids = served, served.ids
    docs = s.get("/feeds/documents.atom")
    assert docs.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(docs.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 23
    energy = feedparser.parse(s.get("/feeds/documents.atom", theme="energy").content)
    assert energy.bozo == 0 and len(energy.entries) == 1
    entry = energy.entries[0]
    assert entry.link == f"{s.url}/documents/{ids['energy']}"
    assert entry.title == "Итоги переговоров"
    assert [t.term for t in entry.tags] == ["energy"]
    assert entry.id.startswith("tag:monitor.example.org,2025:event:")
    again = feedparser.parse(s.get("/feeds/documents.atom", theme="energy").content)
    assert again.entries[0].id == entry.id  # stable

    changes = feedparser.parse(s.get("/feeds/changes.atom", theme="space").content)
    assert changes.bozo == 0 and len(changes.entries) == 2
    # a change opens on its diff against the version before
    assert all(
        re.fullmatch(rf"{re.escape(s.url)}/documents/{ids['space']}/diff\?from=\d+&to=\d+", e.link)
        for e in changes.entries
    ), [e.link for e in changes.entries]
    assert all(e.summary and "words" in e.summary for e in changes.entries)
    assert changes.feed.id.endswith("feed:changes?theme=space")
    by_country = feedparser.parse(s.get("/feeds/changes.atom", country="RU").content)
    assert by_country.bozo == 0 and by_country.entries == []
    assert s.get("/feeds/changes.atom", theme="nope").status_code == 422


def test_hostile_titles_come_out_inert(served: Served) -> None:
    s, doc = served, served.ids["hostile"]
    response = s.get(f"/api/documents/{doc}")
    assert b"<" not in response.content and b">" not in response.content
    assert b"\\u003cscript\\u003e" in response.content
    assert response.json()["title"] == HOSTILE  # escaped on the wire, exact once decoded
    listing = s.get("/api/documents", q="торговля")
    assert b"<script" not in listing.content and b'onerror=\\"' in listing.content
    feed = s.get("/feeds/documents.atom", source="tass", limit=1)
    assert b"<script" not in feed.content and b"<img" not in feed.content
    assert b"&lt;script&gt;" in feed.content
    parsed = feedparser.parse(feed.content)
    assert parsed.bozo == 0
    assert "alert(1)" in parsed.entries[0].title  # text, not markup


def test_pipeline_versions_are_indexed_and_reindexed(db_url: str) -> None:
    """The real pipeline path: a changed article is found by its new words only."""
    store = Store(db_url)
    try:
        with SimSite() as site:
            site.add_article("deal", "Межправсоглашение", [ENERGY])
            config = parse_config(
                "fetch: {per_host_delay: 0}\nsources:\n  - id: sim\n"
                "    allow_private: true\n    name: Sim\n"
                f"    kind: official\n    country: KZ\n    watch: [{site.article_url('deal')}]\n"
            )
            asyncio.run(run_cycle(config, store))
            f = DocumentFilter(query="соглашение")
            assert [d.title for d in store.list_documents(f).items] == ["Межправсоглашение"]
            site.edit_article("deal", replace=("соглашения", "меморандум"))
            asyncio.run(run_cycle(config, store))
        assert store.list_documents(DocumentFilter(query="соглашение")).items == []
        (hit,) = store.list_documents(DocumentFilter(query="меморандумы")).items
        assert hit.latest_seq == 2 and hit.themes == ["energy"] and hit.kind == "unknown"
        assert "<mark>меморандум</mark>" in (hit.snippet or "")
    finally:
        store.close()


def test_kazakh_words_are_searched_as_kazakh_too(db_url: str) -> None:
    """«Ресей» must not find «Республикой» (a Russian stem «рес»), and «Ресеймен»
    must find «Ресейдің»: a Cyrillic word without Kazakh letters is looked up as
    Russian and as Kazakh (SQLite: the query's stems; PostgreSQL: Kazakh stems
    stored beside the `russian` lexemes of a Kazakh text)."""
    config = parse_config(CONFIG)
    store = Store(db_url)
    try:
        store.sync_sources((s.id, s.name) for s in config.sources)
        at = datetime(2026, 11, 1, tzinfo=UTC)
        kazakh = record(
            store,
            config,
            "tass",
            "https://kaz.example/1",
            [
                (
                    at,
                    "Ресейдің сыртқы істер министрі",
                    "Ресейдің сыртқы істер министрі Астана қаласына келді.",
                )
            ],
        )
        russian = record(
            store,
            config,
            "tass",
            "https://ru.example/1",
            [(at, "Визит", "Переговоры с Республикой Казахстан прошли в Москве.")],
        )
        for query, expected in (
            ("Ресей", [kazakh]),
            ("Ресеймен", [kazakh]),
            ("Ресеймен министрлері", [kazakh]),
            ("Астанамен", [kazakh]),
            ("Ресеймен -министрлері", []),
            ("Ресеймен or Москва", [kazakh, russian]),
            ("республика", [russian]),
        ):
            found = store.list_documents(DocumentFilter(query=query), limit=10)
            assert sorted(d.id for d in found.items) == sorted(expected), query
        if db_url.startswith("postgresql"):
            # a database indexed before the Kazakh stems: migration 0015's step
            with store.engine.begin() as conn:
                conn.exec_driver_sql(
                    "UPDATE search_tsv SET tsv = to_tsvector('russian', "
                    "(SELECT text FROM versions WHERE id = version_id))"
                )
            assert not search.kazakh_lexemes(None, "Переговоры в Москве.")
            found = store.list_documents(DocumentFilter(query="Астанамен"), limit=10)
            assert found.items == []  # PostgreSQL's Russian stemmer made «Астана» 'астан'
            with store.engine.begin() as conn:
                assert search.add_kazakh_lexemes(conn) == 1
            found = store.list_documents(DocumentFilter(query="Астанамен"), limit=10)
            assert [d.id for d in found.items] == [kazakh]
    finally:
        store.close()
