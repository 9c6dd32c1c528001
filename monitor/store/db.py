"""Engine creation and automatic migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    pass


class MissingDatabase(DatabaseError):
    """A command that only reads was pointed at a database that does not exist.

    Why a class of its own: creating an empty database there would hide a
    mistyped path behind a page of zeros, so the CLI refuses it as a usage error.
    """


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
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
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


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; cheap when it already is."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        raise DatabaseError(f"cannot open or migrate {engine.url!r}: {exc}") from exc
