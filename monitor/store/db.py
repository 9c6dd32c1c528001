"""Engine creation and automatic migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from monitor.store.errors import DatabaseError, MissingDatabase, StorageUnavailable

MIGRATIONS = Path(__file__).with_name("migrations")

__all__ = ["DatabaseError", "MissingDatabase", "StorageUnavailable", "create_db_engine", "migrate"]


# (words in the driver's message, what to tell the operator); checked in order.
_FAULTS = (
    (
        ("database or disk is full", "no space left on device", "could not extend file"),
        "the database is full (no space left on its disk, or its size limit reached): "
        "nothing more can be stored until space is freed",
    ),
    (
        ("read-only transaction", "readonly database", "read-only database", "read only"),
        "the database is read-only (a read-only replica, default_transaction_read_only, "
        "or file permissions): nothing can be stored",
    ),
)


def classify_fault(exc: BaseException) -> str | None:
    """What a driver error means for storing, when it means "stop writing"."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    for words, meaning in _FAULTS:
        if any(w in text for w in words):
            return meaning
    return None


def _translate_fault(context: Any) -> BaseException | None:
    """SQLAlchemy `handle_error` hook: a read-only or full database becomes
    StorageUnavailable, whichever query met it first."""
    meaning = classify_fault(context.original_exception)
    if meaning is None:
        # SQLite rolls a whole transaction back on SQLITE_FULL, so the rollback to
        # a savepoint that follows fails too ("no such savepoint"): same condition.
        cause: BaseException | None = context.original_exception.__context__
        for _ in range(5):
            if cause is None or isinstance(cause, StorageUnavailable):
                break
            cause = cause.__context__
        return StorageUnavailable(str(cause)) if cause is not None else None
    first = str(context.original_exception).strip().splitlines()[0]
    return StorageUnavailable(f"{meaning} ({first})")


class _AbortedPipelineNoise(logging.Filter):
    """Drop psycopg's warning about closing a connection whose pipeline a refused
    write aborted: the refusal itself is already reported, once, as
    StorageUnavailable, and this second line made it look like two problems."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("error ignored terminating" in message and "pipeline aborted" in message)


logging.getLogger("psycopg").addFilter(_AbortedPipelineNoise())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (web UI, CLI) work while the checker writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_db_engine(url: str, *, must_exist: bool = False) -> Engine:
    """An engine for `url`; with `must_exist`, a missing SQLite file is refused
    (and its directory not created) instead of being made empty."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"invalid database URL {url!r}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            if must_exist and not path.is_file():
                raise MissingDatabase(
                    f"no database at {path}: nothing has been stored there yet, or the path "
                    "is mistyped (`monitor check` or `monitor run` creates it)"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _translate_fault)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
        event.listen(engine, "handle_error", _translate_fault)
        return engine
    raise DatabaseError(
        f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://"
    )


def require_schema(engine: Engine) -> None:
    """Refuse a database that holds no monitor tables (a PostgreSQL database or
    schema never used by `monitor`, an unrelated SQLite file)."""
    try:
        with engine.connect() as connection:
            present = inspect(connection).has_table("alembic_version")
    except Exception as exc:
        raise DatabaseError(f"cannot open {engine.url!r}: {exc}") from exc
    if not present:
        raise MissingDatabase(
            f"{engine.url!r} holds no monitor data (no tables): check --db or "
            "$MONITOR_DATABASE_URL; `monitor check` or `monitor run` creates the tables"
        )


def head_revision() -> str:
    """The newest migration's revision id, from the file names ("0009_....py")."""
    names = sorted(p.name for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4]


def _at_head(engine: Engine) -> bool:
    """One query instead of loading Alembic (~0.1 s of CPU at every start)."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return [row[0] for row in current] == [head_revision()]
    except Exception:
        return False  # let the migration say what is wrong


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; cheap when it already is."""
    if _at_head(engine):
        return
    # Imported here, when there is something to migrate: Alembic costs ~0.1 s of
    # CPU to import, which every `monitor` command would otherwise pay.
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # pysqlite opens no transaction before DDL, so a process killed
                # halfway left half a schema behind and every later start failed on
                # "table ... already exists". With the driver's own transaction
                # handling off, BEGIN IMMEDIATE makes the whole upgrade one
                # transaction, and a second process migrating the same new file
                # waits for the first, then finds the schema at head.
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                config.attributes["connection"] = connection
                try:
                    command.upgrade(config, "head")
                except BaseException:
                    if sqlite:
                        connection.exec_driver_sql("ROLLBACK")
                    raise
                if sqlite:
                    connection.exec_driver_sql("COMMIT")
    except StorageUnavailable as exc:
        raise StorageUnavailable(f"cannot migrate {engine.url!r}: {exc}") from None
    except Exception as exc:
        raise DatabaseError(f"cannot open or migrate {engine.url!r}: {exc}") from exc


def utcnow() -> datetime:
    """Now, in UTC: every stored time is UTC."""
    return datetime.now(UTC)
