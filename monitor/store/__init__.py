"""Storage: the one module behind which the database lives (SQLite or PostgreSQL)."""

from monitor.store.db import DatabaseError, create_db_engine, migrate
from monitor.store.repo import (
    ConcurrentUpdate,
    DocumentState,
    FetchRecord,
    NewVersion,
    Outcome,
    Store,
    StoredVersion,
    sha256,
    utcnow,
)

__all__ = [
    "ConcurrentUpdate",
    "DatabaseError",
    "DocumentState",
    "FetchRecord",
    "NewVersion",
    "Outcome",
    "Store",
    "StoredVersion",
    "create_db_engine",
    "migrate",
    "sha256",
    "utcnow",
]
