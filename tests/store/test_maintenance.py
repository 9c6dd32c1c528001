"""`monitor db`: copy between SQLite and PostgreSQL (both ways, every table compared
row by row), refusal to copy into a non-empty database, snapshot retention and
statistics. The data comes from the real pipeline against the simulated site,
with alerts delivered to a real HTTP receiver."""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import PG_DSN
from sqlalchemy import select, text

from monitor.alerts.dispatch import Dispatcher
from monitor.cli import main
from monitor.config import Config, parse_config
from monitor.cycle import run_cycle
from monitor.simweb.receiver import Receiver
from monitor.simweb.site import Attachment, SimSite
from monitor.store import Store, utcnow
from monitor.store.maintenance import CopyRefused, copy_database, db_stats, prune_snapshots
from monitor.store.models import Base, Document, Snapshot, Version
from monitor.store.search import search_hits

SECRET = "maintenance-secret"
KZ_RU = [
    "Президенты России и Казахстана подписали Декларацию о всеобъемлющем стратегическом "
    "партнёрстве и союзничестве.",
    "Документ охватывает политику, экономику, энергетику и гуманитарные связи.",
]
NUCLEAR = (
    "Стороны также договорились о строительстве первой атомной электростанции в Казахстане "
    "при участии госкорпорации «Росатом»."
)


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the other backend than `db_url`."""
    if db_url.startswith("sqlite"):
        yield from _pg_schema()
    else:
        yield f"sqlite:///{tmp_path / 'other.db'}"


@pytest.fixture
def same_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same backend as `db_url`."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'again.db'}"
    else:
        yield from _pg_schema()


def _pg_schema() -> Iterator[str]:
    """A throw-away PostgreSQL schema, as tests/conftest.py makes for `db_url`."""
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_MAINT_SECRET", SECRET)


def make_config(site: SimSite, hook: str) -> Config:
    return parse_config(f"""
fetch:
  per_host_delay: 0
alerts:
  web_url: http://ui.example
  backoff_base: 0.01
  backoff_max: 0.05
subscriptions:
  - name: everything
    channel: {{type: webhook, url: "{hook}", secret_env: MONITOR_MAINT_SECRET}}
sources:
  - id: sim
    allow_private: true
    name: Акорда (симуляция)
    kind: official
    country: KZ
    watch:
      - {site.article_url("decl")}
      - {site.article_url("gone")}
    discover:
      - type: feed
        url: {site.url("/rss.xml")}
""")


def cycle(config: Config, store: Store) -> None:
    asyncio.run(run_cycle(config, store))


def build(url: str) -> None:
    """New, changed, removed documents, a PDF attachment, discovered articles, a
    delivered and a failed alert and an operator condition."""
    store = Store(url)
    try:
        with SimSite(feed_size=20) as site, Receiver() as receiver:
            site.add_article("decl", "Декларация о союзничестве", KZ_RU)
            site.add_article("gone", "Россия и Казахстан: энергетика", KZ_RU[::-1])
            site.add_article(
                "treaty",
                "Россия и Казахстан: текст договора",
                KZ_RU,
                attachments=[Attachment("treaty.pdf", ["Статья 1. Стороны сотрудничают."])],
            )
            config = make_config(site, receiver.url + "/hook")
            cycle(config, store)
            site.edit_article("decl", paragraph=len(KZ_RU), text=NUCLEAR)
            site.remove_article("gone", status=410)
            cycle(config, store)
            site.edit_article("decl", replace=("первой", "второй"))
            cycle(config, store)
            cycle(config, store)  # the second 410 in a row: "removed"
            receiver.answer(200, 404)
            asyncio.run(Dispatcher(config, store).run_once())
        store.set_condition("source:sim", True, "failing since yesterday", utcnow())
    finally:
        store.close()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, every row, in primary-key order."""
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in Base.metadata.sorted_tables
            }
    finally:
        store.close()


def test_copy_to_the_other_backend_and_back_keeps_every_row(
    db_url: str, other_url: str, same_url: str
) -> None:
    build(db_url)
    original = dump(db_url)
    store = Store(db_url)
    try:
        assert {e.kind for e in store.events()} >= {"new", "changed", "removed"}
        assert {a.status for a in store.alerts()} >= {"sent", "failed"}
        with store.session() as s:  # a row pointing at another row of its table
            assert s.scalar(select(Document.id).where(Document.parent_id.is_not(None)))
    finally:
        store.close()
    assert original["operator_conditions"] and original["document_themes"]

    there = copy_database(db_url, other_url, batch=3)  # small batches: several per table
    back = copy_database(other_url, same_url)
    for copied in (there, back):
        assert {k: v for k, v in copied.items() if k in original} == {
            name: len(rows) for name, rows in original.items()
        }
    assert dump(other_url) == original
    assert dump(same_url) == original

    for url in (other_url, same_url):
        store = Store(url)
        try:
            with store.session() as s:  # the full-text index was rebuilt on each backend
                hits = search_hits(s, "атомной электростанции")
                assert hits is not None
                found = list(s.scalars(select(hits.c.document_id)))
                decl = s.scalar(select(Document.id).where(Document.url.like("%decl%")))
                assert found == [decl]
            # ids go on from the copied ones (PostgreSQL sequences were reset)
            with SimSite() as site:
                site.add_article("fresh", "Россия и Казахстан: новое соглашение", KZ_RU)
                config = parse_config(
                    "fetch:\n  per_host_delay: 0\nsources:\n  - id: sim\n"
                    "    allow_private: true\n    name: S\n"
                    f"    watch:\n      - {site.article_url('fresh')}\n"
                )
                cycle(config, store)
            with store.session() as s:
                newest = s.scalar(select(Version).order_by(Version.id.desc()).limit(1))
                assert newest is not None
                assert newest.id == max(row[0] for row in original["versions"]) + 1
        finally:
            store.close()


def test_copy_refuses_a_non_empty_destination_and_the_same_database(
    db_url: str, same_url: str
) -> None:
    source = Store(same_url)
    source.sync_sources([("a", "A")])
    source.close()
    target = Store(db_url)
    target.sync_sources([("b", "B")])
    target.close()
    before = dump(db_url)
    with pytest.raises(CopyRefused, match=r"not empty.*sources"):
        copy_database(same_url, db_url)
    assert dump(db_url) == before
    with pytest.raises(CopyRefused, match="same database"):
        copy_database(db_url, db_url)


def _snapshots(store: Store) -> dict[int, Snapshot]:
    with store.session() as s:
        return {snap.id: snap for snap in s.scalars(select(Snapshot))}


def test_prune_keeps_texts_and_latest_bodies_and_is_idempotent(db_url: str) -> None:
    build(db_url)
    store = Store(db_url)
    try:
        with store.session() as s:
            versions = {v.id: (v.document_id, v.seq, v.text) for v in s.scalars(select(Version))}
            latest = set(
                s.scalars(
                    select(Version.snapshot_id).join(
                        Document,
                        (Document.id == Version.document_id) & (Document.latest_seq == Version.seq),
                    )
                )
            )
        before = _snapshots(store)
        old = set(before) - latest
        assert old, "the data set must have superseded snapshots"

        # everything is recent: nothing to prune
        assert prune_snapshots(store, older_than=timedelta(days=90))["snapshots_pruned"] == 0

        later = utcnow() + timedelta(days=100)
        dry = prune_snapshots(store, older_than=timedelta(days=90), dry_run=True, now=later)
        assert dry["snapshots_pruned"] == len(old)
        assert _snapshots(store).keys() == before.keys()
        assert all(s.body is not None for s in _snapshots(store).values())

        stats_before = db_stats(store)
        done = prune_snapshots(store, older_than=timedelta(days=90), now=later)
        assert done["snapshots_pruned"] == len(old) and not done["dry_run"]
        assert done["stored_bytes_freed"] == sum(before[i].stored_size for i in old)
        assert done["raw_bytes"] == sum(before[i].size for i in old)

        after = _snapshots(store)
        assert after.keys() == before.keys()  # rows stay: versions reference them
        for sid in old:
            assert after[sid].body is None and after[sid].pruned_at == later
        for sid in latest:
            assert after[sid].body == before[sid].body and after[sid].pruned_at is None
            assert zlib.decompress(store_body(after[sid]))
        with store.session() as s:
            assert {
                v.id: (v.document_id, v.seq, v.text) for v in s.scalars(select(Version))
            } == versions

        again = prune_snapshots(store, older_than=timedelta(days=90), now=later)
        assert again["snapshots_pruned"] == 0 and again["previously_pruned"] == len(old)

        stats = db_stats(store)
        snap = stats["snapshots"]
        assert snap["pruned"] == len(old) and snap["with_body"] == len(latest)
        assert snap["stored_bytes"] == stats_before["snapshots"]["stored_bytes"] - sum(
            before[i].stored_size for i in old
        )
        assert snap["raw_bytes"] == stats_before["snapshots"]["raw_bytes"]  # sizes are kept

        everything = prune_snapshots(
            store, older_than=timedelta(days=90), now=later, keep_latest=False
        )
        assert everything["snapshots_pruned"] == len(latest)
        assert db_stats(store)["snapshots"]["with_body"] == 0
    finally:
        store.close()


def store_body(snap: Snapshot) -> bytes:
    assert snap.body is not None
    return snap.body


def test_stats_are_consistent_with_the_tables(db_url: str) -> None:
    build(db_url)
    store = Store(db_url)
    try:
        stats = db_stats(store)
        rows = dump(db_url)
        for name, table_rows in rows.items():
            assert stats["rows"][name] == len(table_rows), name
        snaps = _snapshots(store).values()
        snap = stats["snapshots"]
        assert snap["count"] == len(snaps) == stats["rows"]["snapshots"]
        assert snap["raw_bytes"] == sum(s.size for s in snaps)
        assert snap["stored_bytes"] == sum(len(store_body(s)) for s in snaps)
        assert snap["raw_bytes"] == sum(len(zlib.decompress(store_body(s))) for s in snaps)
        assert snap["compression_ratio"] == round(snap["raw_bytes"] / snap["stored_bytes"], 2)
        assert snap["compression_ratio"] > 1
        assert snap["avg_raw_bytes"] == round(snap["raw_bytes"] / snap["count"])
        with store.session() as s:
            plain = [t for t in s.scalars(select(Version.text)) if t]
            keyframes = [z for z in s.scalars(select(Version.text_z)) if z is not None]
            docs = sorted(set(s.scalars(select(Version.document_id))))
        texts = [v.text for d in docs for v in store.versions(d)]  # every version, rebuilt
        assert stats["versions"]["text_chars"] == sum(len(t) for t in texts)
        assert stats["versions"]["text_bytes"] == sum(len(t.encode()) for t in plain)
        assert stats["versions"]["keyframe_bytes"] == sum(len(z) for z in keyframes)
        database = stats["database"]
        if stats["backend"] == "sqlite":
            assert stats["rows"]["search_fts"] == stats["rows"]["documents"] - _unversioned(store)
            assert database["file_bytes"] >= database["bytes"] > 0
        else:
            assert stats["rows"]["search_tsv"] == stats["rows"]["documents"] - _unversioned(store)
            assert database["tables_bytes"]["snapshots"] > 0
            assert database["bytes"] == sum(database["tables_bytes"].values())
    finally:
        store.close()


def _unversioned(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM documents WHERE latest_seq = 0")).one()[0]
        )


def test_cli_stats_prune_and_copy(
    db_url: str, other_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    build(db_url)
    assert main(["db", "stats", "--json", "--db", db_url]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["rows"]["versions"] >= 4

    assert main(["db", "prune", "--older-than", "90d", "--dry-run", "--json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["snapshots_pruned"] == 0
    assert main(["db", "prune", "--older-than", "0s", "--db", db_url]) == 0
    assert "pruned" in capsys.readouterr().out

    assert main(["db", "copy", "--from", db_url, "--to", other_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["copied"]["versions"] == stats["rows"]["versions"]
    assert main(["db", "copy", "--from", db_url, "--to", other_url]) == 1
    assert "not empty" in capsys.readouterr().err
    assert main(["db", "stats", "--db", other_url]) == 0
    assert "snapshots:" in capsys.readouterr().out
