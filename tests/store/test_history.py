"""Compact history (monitor/store/history.py): keyframes and position diffs, and
every version still readable in full and diffable, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import select, text

from monitor.diff import diff_words
from monitor.store import FetchRecord, NewVersion, Store
from monitor.store.db import MIGRATIONS, create_db_engine
from monitor.store.history import KEYFRAME, apply, pack, unpack
from monitor.store.models import Change, Version

WORDS = [
    "стороны",
    "договорились",
    "развивать",
    "сотрудничество",
    "в",
    "области",
    "энергетики",
    "транспорта",
]


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    text = "\n".join(" ".join(rng.choice(WORDS) for _ in range(30)) for _ in range(40))
    out = [text]
    for _ in range(n - 1):
        words = out[-1].split(" ")
        words[rng.randrange(len(words))] = rng.choice(WORDS) + str(rng.randrange(100))
        out.append(" ".join(words))
    return out


def _record(store: Store, texts: list[str]) -> int:
    (state,) = store.ensure_documents("src", ["https://example.org/doc"])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    previous: str | None = None
    for i, t in enumerate(texts):
        (state,) = store.document_states([state.id])
        rec = FetchRecord(url=state.url, started_at=start + timedelta(minutes=i), duration_ms=1)
        ops = diff_words(previous, t) if previous is not None else None
        store.record_version(
            state,
            rec,
            NewVersion(
                body=t.encode(), content_type="text/plain", encoding="utf-8", text=t,
                text_hash=str(hash(t)), title="T", published_at=None, rules="r", diff=ops,
            ),
        )  # fmt: skip
        previous = t
    return state.id


def test_pack_and_unpack_round_trip_and_the_old_format_still_reads() -> None:
    old, new = "a b c d", "a x c d e"
    ops = diff_words(old, new)
    packed = pack(ops)
    assert "c d" not in packed  # unchanged text is a count, not repeated
    assert unpack(packed, old) == ops and apply(ops) == new
    legacy = json.dumps([[op, t] for op, t in ops])
    assert unpack(legacy, old) == ops
    with pytest.raises(ValueError, match="covers"):
        unpack(packed, old + " more")


def test_every_version_is_readable_and_diffable(store: Store) -> None:
    store.sync_sources([("src", "Src")])
    texts = _texts(2 * KEYFRAME + 3)
    doc = _record(store, texts)
    assert [v.text for v in store.versions(doc)] == texts
    assert store.version_text(doc, KEYFRAME + 5) == texts[KEYFRAME + 4]
    for seq in (2, KEYFRAME + 1, len(texts)):
        stored = store.stored_diff(doc, seq - 1, seq)
        assert stored is not None and stored["ops"] == diff_words(texts[seq - 2], texts[seq - 1])
    with store.session() as s:
        rows = {v.seq: v for v in s.scalars(select(Version).where(Version.document_id == doc))}
        diffs = list(s.scalars(select(Change.diff)))
    plain = [seq for seq, v in rows.items() if v.text]
    keyframes = [seq for seq, v in rows.items() if v.text_z is not None]
    assert plain == [len(texts)]  # only the latest is kept whole
    assert keyframes == [1, KEYFRAME + 1, 2 * KEYFRAME + 1]
    assert max(len(d) for d in diffs) < 200  # one word changed: a few dozen bytes


def test_the_migration_compacts_an_existing_database(db_url: str) -> None:
    """A database at revision 0007 with full texts and repeating diffs: after the
    upgrade every text reads back the same and only the latest stays whole."""
    url = db_url
    engine = create_db_engine(url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    texts = _texts(KEYFRAME + 4, seed=3)
    now = "2026-01-01 00:00:00.000000"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO sources (id, name, created_at, updated_at) VALUES ('s', 'S', :t, :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO documents (id, source_id, url, status, first_seen_at, latest_seq, "
                "origin, missing_count) VALUES (1, 's', 'https://e.org/d', 'active', :t, :n, "
                "'watched', 0)"
            ),
            {"t": now, "n": len(texts)},
        )
        c.execute(
            text(
                "INSERT INTO snapshots (id, sha256, size, stored_size, compression, created_at) "
                "VALUES (1, 'x', 1, 0, 'zlib', :t)"
            ),
            {"t": now},
        )
        for seq, t in enumerate(texts, 1):
            c.execute(
                text(
                    "INSERT INTO versions (id, document_id, seq, snapshot_id, fetched_at, text, "
                    "text_hash, chars, rules, origin) VALUES (:id, 1, :seq, 1, :t, :text, 'h', "
                    ":chars, 'r', 'fetch')"
                ),
                {"id": seq, "seq": seq, "t": now, "text": t, "chars": len(t)},
            )
            if seq > 1:
                ops = [[op, s] for op, s in diff_words(texts[seq - 2], t)]
                c.execute(
                    text(
                        "INSERT INTO changes (document_id, from_version_id, to_version_id, "
                        "inserted_chars, deleted_chars, diff, created_at) VALUES "
                        "(1, :a, :b, 0, 0, :diff, :t)"
                    ),
                    {"a": seq - 1, "b": seq, "diff": json.dumps(ops, ensure_ascii=False), "t": now},
                )
    engine.dispose()
    store = Store(url)  # migrates to the newest revision
    try:
        assert [v.text for v in store.versions(1)] == texts
        with store.session() as s:
            whole = list(s.scalars(select(Version.seq).where(Version.text != "")))
            diffs = list(s.scalars(select(Change.diff)))
        assert whole == [len(texts)]
        assert all(not d.startswith("[[0,") for d in diffs)
    finally:
        store.close()


def test_the_head_revision_read_from_file_names_is_alembic_s_head() -> None:
    """`migrate` skips Alembic when the database is at `head_revision()`: that
    shortcut is only right if the file names and the revision ids agree."""
    from alembic.script import ScriptDirectory

    from monitor.store.db import head_revision

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert head_revision() == script.get_current_head()
    for revision in script.walk_revisions():
        assert revision.path is not None and revision.path.split("/")[-1][:4] == revision.revision
