"""Huge inputs against the database, and database faults (read-only, full).

Run on SQLite and PostgreSQL where storage is involved; each case asserts one
clear error, the exit status, bounded memory of the child, and intact data.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import _pg_schema_url
from hostile_support import SM, bounded, child, sources_yaml

from monitor.config import parse_config
from monitor.cycle import run_cycle
from monitor.simweb import SimServer
from monitor.simweb.server import Response
from monitor.store import NewDocument, StorageUnavailable, Store, utcnow
from monitor.store.models import Document, Version


def _sitemap_pages(web: SimServer, count: int, pages: int) -> str:
    """A sitemap of `count` URLs, newest first; the first `pages` are served."""
    entries = "".join(
        f"<url><loc>{web.url(f'/doc/{i}')}</loc>"
        f"<lastmod>{2026 - i // 40000}-{12 - (i // 3400) % 12:02d}-01</lastmod></url>"
        for i in range(count)
    )
    for i in range(pages):
        web.route(
            f"/doc/{i}",
            Response.html(f"<html><body><h1>Doc {i}</h1><p>Протокол номер {i}.</p></body></html>"),
        )
    web.route("/sitemap.xml", Response(body=f"<urlset {SM}>{entries}</urlset>".encode()))
    return f"      - type: sitemap\n        url: {web.url('/sitemap.xml')}\n"


def test_huge_sitemap_is_capped_per_cycle_and_resumed(store: Store) -> None:
    """70,000 URLs: one IN list of them broke PostgreSQL; now batches, 5 examined per
    cycle, the next 5 on the next cycle, no discovery error."""
    with SimServer() as web:
        text = sources_yaml(web, _sitemap_pages(web, 70_000, 20), max_examine_per_cycle=5)
        config = parse_config(text)
        first = asyncio.run(run_cycle(config, store, force=True))
        second = asyncio.run(run_cycle(config, store, force=True))
        with store.session() as s:
            urls = [d.url for d in s.query(Document).order_by(Document.id)]
    assert first.discovery_errors == [] and second.discovery_errors == []
    assert first.new == 5 and second.new == 5
    assert len(urls) == len(set(urls)) == 10


def test_known_urls_of_a_huge_list(store: Store) -> None:
    urls = [f"https://example.org/{i}" for i in range(70_000)]
    store.sync_sources([("s", "S")])
    store.add_documents(
        "s", [NewDocument(u, "discovered", False, {}) for u in urls[::1000]], utcnow()
    )
    assert store.known_urls(urls) == set(urls[::1000])


# --- database faults ------------------------------------------------------------------


def _watch_yaml(web: SimServer, count: int) -> str:
    for i in range(count):
        web.route(
            f"/w/{i}",
            Response.html(
                "<html><body><article><h1>Протокол</h1><p>"
                + f"Статья {i}. " * 400
                + "</p></article></body></html>"
            ),
        )
    urls = "".join(f"      - {web.url(f'/w/{i}')}\n" for i in range(count))
    return (
        "fetch:\n  per_host_delay: 0\n  max_retries: 0\n  confirm_delay: 0\n"
        "sources:\n  - id: hostile\n    name: Hostile\n    allow_private: true\n"
        f"    watch:\n{urls}"
    )


def _stored(url: str) -> tuple[int, int]:
    store = Store(url)
    try:
        with store.session() as s:
            return s.query(Document).count(), s.query(Version).count()
    finally:
        store.close()


def test_full_sqlite_database_gives_one_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    with SimServer() as web:
        (tmp_path / "sources.yaml").write_text(_watch_yaml(web, 30), encoding="utf-8")
        Store(db).close()  # migrated, then limited to a few pages more than it has
        pages = sqlite3.connect(tmp_path / "monitor.db").execute("PRAGMA page_count").fetchone()[0]
        run = child(
            "check",
            "--db",
            db,
            cwd=tmp_path,
            env={"MONITOR_TEST_SQLITE_MAX_PAGES": str(pages + 40)},
        )
    bounded(run)
    assert run.code == 1
    lines = run.message.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database is full"), run.err
    documents, versions = _stored(db)
    assert documents in (0, 30)
    check = sqlite3.connect(tmp_path / "monitor.db").execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)
    assert versions < 30  # stopped at the first write that did not fit


def test_read_only_postgresql_gives_one_clear_error(tmp_path: Path) -> None:
    urls = _pg_schema_url()
    url = next(urls)
    try:
        with SimServer() as web:
            (tmp_path / "sources.yaml").write_text(_watch_yaml(web, 3), encoding="utf-8")
            assert child("check", "--db", url, cwd=tmp_path).code == 0
            before = _stored(url)
            web.route(
                "/w/0", Response.html("<html><body><p>" + "Изменено. " * 50 + "</p></body></html>")
            )
            read_only = url + "%20-cdefault_transaction_read_only%3Don"
            run = child("check", "--db", read_only, cwd=tmp_path)
        bounded(run)
        assert run.code == 1
        lines = run.message.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: the database is read-only"), run.err
        assert _stored(url) == before
    finally:
        next(urls, None)


def test_storage_fault_is_raised_as_one_kind_of_error(tmp_path: Path) -> None:
    from sqlalchemy import event

    store = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    try:
        store.engine.dispose()
        event.listen(store.engine, "connect", lambda c, _: c.execute("PRAGMA query_only=ON"))
        with pytest.raises(StorageUnavailable, match="read-only"):
            store.sync_sources([("x", "X")])
    finally:
        store.close()
