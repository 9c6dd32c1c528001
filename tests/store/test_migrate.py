"""Migrations are all or nothing: a service killed while it creates or upgrades the
schema must start again, not fail on "table snapshots already exists" (seen when
a kill -9 test stopped the very first start halfway through the first migration)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, inspect

from monitor.store.db import create_db_engine, head_revision, migrate

# The child migrates and is killed with SIGKILL (no Python clean-up at all) right
# after the N-th CREATE TABLE has been executed.
_KILLED_HALFWAY = """
import os, signal, sys
from sqlalchemy import event
from monitor.store.db import create_db_engine, migrate

engine = create_db_engine(sys.argv[1])
created = 0

@event.listens_for(engine, "after_cursor_execute")
def _kill(conn, cursor, statement, *args):
    global created
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created += 1
        if created == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

migrate(engine)
print("migrated without being killed")
"""


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _version(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return [row[0] for row in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("after", [1, 5])
def test_a_migration_killed_halfway_leaves_nothing_and_the_next_start_migrates(
    db_url: str, after: int
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_HALFWAY, db_url, str(after)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stdout + child.stderr
    assert _tables(db_url) == set()  # not a half-made schema
    engine = create_db_engine(db_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    assert _version(db_url) == [head_revision()]
    assert {"documents", "versions", "snapshots", "alerts"} <= _tables(db_url)


def test_a_failing_migration_rolls_back_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = create_db_engine(url)

    @event.listens_for(engine, "before_cursor_execute")
    def _fail(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "CREATE TABLE versions" in statement:
            raise RuntimeError("disk pulled out")

    with pytest.raises(Exception, match="disk pulled out"):
        migrate(engine)
    engine.dispose()
    assert _tables(url) == set()


_MIGRATE = """
import sys
from monitor.store.db import create_db_engine, migrate
migrate(create_db_engine(sys.argv[1]))
"""


def test_two_processes_migrating_one_new_sqlite_file_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    children = [
        subprocess.Popen([sys.executable, "-c", _MIGRATE, url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], errors
    assert _version(url) == [head_revision()]
