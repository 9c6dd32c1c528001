"""Shared fixtures: a real loopback web server and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monitor.simweb import SimServer
from monitor.simweb.receiver import Receiver
from monitor.store import Store

PG_DSN = os.environ.get("MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_e280fcfc0b207261.txt"


@pytest.fixture
def web() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


def _pg_schema_url() -> Iterator[str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # fail, never skip: CI must test PostgreSQL
        pytest.fail(f"PostgreSQL is required for storage tests at {PG_DSN}: {exc}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _pg_schema_url()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver for webhook and Apprise deliveries."""
    with Receiver() as r:
        yield r


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
