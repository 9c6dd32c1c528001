"""Database maintenance: copy between backends, snapshot retention, statistics.

* `copy_database` moves a whole database (SQLite -> PostgreSQL when the service
  outgrows one file, or back for a laptop copy). Ids are kept, so links, alert
  keys and webhook receivers' records stay valid. The destination is written in
  one transaction: a failed copy leaves it empty and the copy can simply be rerun.
* `prune_snapshots` is the retention policy. Raw bodies are the bulk of the
  database, but they are only needed to re-extract a version with new rules;
  the versions' texts (what users read, diff and get alerted on) are never
  touched. Bodies are set to NULL with `pruned_at` stamped: rows stay, because
  versions reference them and they still say what was fetched (sha256, size,
  content type).
* `db_stats` says where the space goes, to decide whether pruning is worth it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    Table,
    and_,
    bindparam,
    cast,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from monitor.store.db import DatabaseError, create_db_engine, migrate, require_schema, utcnow
from monitor.store.models import Base, Document, Snapshot, Version
from monitor.store.search import PG_TSV_OF_VERSION, add_kazakh_lexemes

with contextlib.suppress(ImportError):  # registers `document_themes` in Base.metadata
    import monitor.store.search  # noqa: F401

# Full-text indexes exist on one backend only (FTS5 on SQLite, tsvector on
# PostgreSQL) and are derived from the latest versions: rebuilt, never copied.
DERIVED = ("search_fts", "search_tsv")
IGNORED = ("alembic_version",)
LATEST = "FROM documents d JOIN versions v ON v.document_id = d.id AND v.seq = d.latest_seq"

Progress = Callable[[str, int, int], None]  # table, rows done, rows in the table


class CopyRefused(DatabaseError):
    """The copy would mix or lose data (destination not empty, unknown tables)."""


class _HasEngine(Protocol):
    engine: Engine


def _engine(target: Engine | _HasEngine) -> Engine:
    return target if isinstance(target, Engine) else target.engine


def _is_derived(name: str) -> bool:
    return any(name == d or name.startswith(d + "_") for d in DERIVED)


def _tables() -> list[Table]:
    """Every table of the schema, parents before children (the FK order)."""
    return list(Base.metadata.sorted_tables)


def _check_known(conn: Connection, tables: list[Table], side: str) -> None:
    """Refuse when the database holds tables or columns this code does not know:
    copying only what it knows would silently lose the rest."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    known = {t.name for t in tables}
    unknown = sorted(n for n in present - known if n not in IGNORED and not _is_derived(n))
    missing = sorted(known - present)
    if unknown or missing:
        raise CopyRefused(
            f"the {side} schema does not match this version of monitor "
            f"(unknown tables: {unknown or 'none'}, missing tables: {missing or 'none'}); "
            "upgrade monitor on both sides first"
        )
    for table in tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        extra = columns - set(table.columns.keys())
        if extra:
            raise CopyRefused(f"the {side} table {table.name} has unknown columns {sorted(extra)}")


def _count(conn: Connection, table: Table | str) -> int:
    if isinstance(table, str):
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _begin_snapshot(conn: Connection) -> Connection:
    """Read the source as of one instant, so a service still writing cannot make
    the copy inconsistent (a version without its snapshot, counts that differ)."""
    if conn.dialect.name == "sqlite":
        # pysqlite only opens a transaction before writes; without one every SELECT
        # would see a newer state. A read transaction in WAL mode is a snapshot.
        conn.exec_driver_sql("BEGIN")
        return conn
    return conn.execution_options(isolation_level="REPEATABLE READ")


def _copy_table(
    src: Connection, dst: Connection, table: Table, total: int, batch: int, progress: Progress
) -> int:
    """Stream one table in primary-key order, `batch` rows per INSERT."""
    pk = list(table.primary_key.columns)
    # A row may point at a later row of its own table (documents.alias_of_id):
    # insert those references as NULL and set them once every row exists.
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    deferred: list[dict[str, Any]] = []
    done = 0
    progress(table.name, 0, total)
    result = src.execution_options(stream_results=True, yield_per=batch).execute(
        select(table).order_by(*pk)
    )
    for part in result.partitions():
        rows = [dict(r._mapping) for r in part]
        for row in rows:
            if any(row[name] is not None for name in self_refs):
                keys = {f"_pk_{c.name}": row[c.name] for c in pk}
                deferred.append(keys | {f"_v_{name}": row[name] for name in self_refs})
                for name in self_refs:
                    row[name] = None
        dst.execute(table.insert(), rows)
        done += len(rows)
        progress(table.name, done, total)
    if deferred:
        stmt = (
            update(table)
            .where(and_(*(c == bindparam(f"_pk_{c.name}") for c in pk)))
            .values({name: bindparam(f"_v_{name}") for name in self_refs})
        )
        for start in range(0, len(deferred), batch):
            dst.execute(stmt, deferred[start : start + batch])
    return done


def _reset_sequences(dst: Connection, tables: list[Table]) -> None:
    """PostgreSQL sequences do not see explicit ids: without this the first new
    row would get id 1 and collide."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        dst.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
            ),
            {"t": table.name, "c": column.name},
        )


def rebuild_search(conn: Connection) -> dict[str, int]:
    """Fill the backend's full-text index from the latest versions (as migration
    0004 and `monitor.store.search.index_latest` do); returns the indexed rows."""
    present = set(inspect(conn).get_table_names())
    if "search_fts" in present:
        conn.exec_driver_sql("DELETE FROM search_fts")
        conn.exec_driver_sql(
            "INSERT INTO search_fts (rowid, title, body) "
            f"SELECT d.id, coalesce(v.title, ''), v.text {LATEST}"
        )
        return {"search_fts": _count(conn, "search_fts")}
    if "search_tsv" in present:
        conn.exec_driver_sql("DELETE FROM search_tsv")
        conn.exec_driver_sql(
            "INSERT INTO search_tsv (document_id, version_id, tsv) "
            f"SELECT d.id, v.id, {PG_TSV_OF_VERSION} {LATEST}"
        )
        add_kazakh_lexemes(conn)
        return {"search_tsv": _count(conn, "search_tsv")}
    return {}


def copy_database(
    src_url: str, dst_url: str, *, batch: int = 1000, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every table from `src_url` into the empty database at `dst_url`.

    Both are migrated to the newest schema first (what any `monitor` command
    does). Stop the service (or accept that what it writes after the copy
    started stays behind): the source is read as one consistent snapshot.
    Returns the rows copied per table, verified against the source.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    if make_url(src_url) == make_url(dst_url):
        raise CopyRefused("source and destination are the same database")
    report = progress or (lambda _table, _done, _total: None)
    tables = _tables()
    src_engine = create_db_engine(src_url, must_exist=True)
    dst_engine = create_db_engine(dst_url)
    try:
        require_schema(src_engine)  # a mistyped source must not become an empty copy
        migrate(src_engine)
        migrate(dst_engine)
        with src_engine.connect() as raw_src, dst_engine.connect() as dst:
            src = _begin_snapshot(raw_src)
            _check_known(src, tables, "source")
            _check_known(dst, tables, "destination")
            dst.rollback()  # end the autobegun read: the copy is one write transaction
            expected = {t.name: _count(src, t) for t in tables}
            copied: dict[str, int] = {}
            with dst.begin():
                busy = [t.name for t in tables if _count(dst, t)]
                if busy:
                    raise CopyRefused(
                        f"the destination is not empty (rows in {', '.join(busy)}); "
                        "copy into a new, empty database"
                    )
                for table in tables:
                    copied[table.name] = _copy_table(
                        src, dst, table, expected[table.name], batch, report
                    )
                if dst.dialect.name == "postgresql":
                    _reset_sequences(dst, tables)
                indexed = rebuild_search(dst)
                found = {t.name: _count(dst, t) for t in tables}
                if found != expected or copied != expected:
                    wrong = {
                        n: (v, found[n], copied[n])
                        for n, v in expected.items()
                        if v != found[n] or v != copied[n]
                    }
                    raise DatabaseError(f"copy verification failed (source, copy, sent): {wrong}")
            src.rollback()
        return {**copied, **indexed}
    finally:
        src_engine.dispose()
        dst_engine.dispose()


def prune_snapshots(
    target: Engine | _HasEngine,
    *,
    older_than: timedelta,
    keep_latest: bool = True,
    dry_run: bool = False,
    now: datetime | None = None,
    batch: int = 500,
) -> dict[str, Any]:
    """Drop the raw bodies of snapshots last used before `now - older_than`.

    A snapshot is kept when a version fetched after the cutoff uses it (content
    addressing: an old body that came back is recent again) and, with
    `keep_latest`, when it is behind the latest version of any document, so the
    current text of every document can still be re-extracted. Versions, their
    texts, changes and events are untouched. Running it again finds nothing new.
    """
    engine = _engine(target)
    now = now or utcnow()
    cutoff = now - older_than
    latest = select(Version.snapshot_id).join(
        Document, and_(Document.id == Version.document_id, Document.latest_seq == Version.seq)
    )
    conditions = [
        Snapshot.body.is_not(None),
        Snapshot.created_at < cutoff,
        Snapshot.id.not_in(select(Version.snapshot_id).where(Version.fetched_at >= cutoff)),
    ]
    if keep_latest:
        conditions.append(Snapshot.id.not_in(latest))
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Snapshot.id).where(*conditions).order_by(Snapshot.id)))
        totals = conn.execute(
            select(func.coalesce(func.sum(Snapshot.size), 0), func.count())
            .select_from(Snapshot)
            .where(Snapshot.pruned_at.is_not(None))
        ).one()
    freed = raw = pruned = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        # Short transactions: the service keeps writing while this runs. The
        # conditions are checked again, in case a version reused a body meanwhile.
        with engine.begin() as conn:
            where = [Snapshot.id.in_(chunk), *conditions]
            size, stored, n = conn.execute(
                select(
                    func.coalesce(func.sum(Snapshot.size), 0),
                    func.coalesce(func.sum(Snapshot.stored_size), 0),
                    func.count(),
                ).where(*where)
            ).one()
            if not dry_run:
                conn.execute(update(Snapshot).where(*where).values(body=None, pruned_at=now))
        raw, freed, pruned = raw + int(size), freed + int(stored), pruned + int(n)
    return {
        "cutoff": cutoff.isoformat(),
        "keep_latest": keep_latest,
        "dry_run": dry_run,
        "snapshots_pruned": pruned,
        "raw_bytes": raw,
        "stored_bytes_freed": freed,
        "previously_pruned": int(totals[1]),
        "previously_pruned_raw_bytes": int(totals[0]),
    }


def _database_size(conn: Connection, engine: Engine) -> dict[str, Any]:
    if conn.dialect.name == "sqlite":
        page = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
        free = int(conn.exec_driver_sql("PRAGMA freelist_count").scalar_one())
        out: dict[str, Any] = {"bytes": page * pages, "free_bytes": page * free}
        path = engine.url.database
        if path and path != ":memory:":
            files = [Path(path), Path(path + "-wal"), Path(path + "-shm")]
            out["file_bytes"] = sum(f.stat().st_size for f in files if f.exists())
        return out
    tables = {}
    for name in sorted(inspect(conn).get_table_names()):
        size = conn.execute(text("SELECT pg_total_relation_size(to_regclass(:t))"), {"t": name})
        tables[name] = int(size.scalar_one() or 0)
    return {"bytes": sum(tables.values()), "tables_bytes": tables}


def db_stats(target: Engine | _HasEngine) -> dict[str, Any]:
    """Row counts, snapshot sizes (raw, stored, pruned), version text size and the
    space the database takes on disk."""
    engine = _engine(target)
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        rows = {t.name: _count(conn, t) for t in _tables() if t.name in names}
        for name in DERIVED:
            if name in names:
                rows[name] = _count(conn, name)
        s = Snapshot
        kept = s.body.is_not(None)
        snap = conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(s.size), 0),
                func.count().filter(kept),
                func.coalesce(func.sum(s.size).filter(kept), 0),
                func.coalesce(func.sum(s.stored_size).filter(kept), 0),
                func.count().filter(s.pruned_at.is_not(None)),
            ).select_from(s)
        ).one()
        count, raw, n_kept, raw_kept, stored, n_pruned = (int(v) for v in snap)
        text_bytes = (
            func.length(cast(Version.text, LargeBinary))
            if conn.dialect.name == "sqlite"
            else func.octet_length(Version.text)
        )
        z_bytes = (
            func.length(Version.text_z)
            if conn.dialect.name == "sqlite"
            else func.octet_length(Version.text_z)
        )
        chars, nbytes, zbytes = conn.execute(
            select(
                func.coalesce(func.sum(Version.chars), 0),
                func.coalesce(func.sum(text_bytes), 0),
                func.coalesce(func.sum(z_bytes), 0),
            )
        ).one()
        database = _database_size(conn, engine)
    return {
        "backend": engine.dialect.name,
        "rows": rows,
        "snapshots": {
            "count": count,
            "with_body": n_kept,
            "pruned": n_pruned,
            "raw_bytes": raw,
            "raw_bytes_with_body": raw_kept,
            "stored_bytes": stored,
            "avg_raw_bytes": round(raw / count) if count else 0,
            "avg_stored_bytes": round(stored / n_kept) if n_kept else 0,
            "compression_ratio": round(raw_kept / stored, 2) if stored else None,
        },
        "versions": {
            "count": rows.get("versions", 0),
            # every version's text, as a reader sees it
            "text_chars": int(chars),
            # as stored: plain (latest versions), compressed keyframes; the rest
            # are rebuilt from diffs (monitor/store/history.py)
            "text_bytes": int(nbytes),
            "keyframe_bytes": int(zbytes),
        },
        "database": database,
    }
