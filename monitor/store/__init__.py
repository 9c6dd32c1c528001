"""Storage: the one module behind which the database lives (SQLite or PostgreSQL)."""

from monitor.store.db import DatabaseError, create_db_engine, migrate
from monitor.store.outbox import AlertDraft, AlertRow
from monitor.store.repo import (
    ConcurrentUpdate,
    DocumentState,
    FetchRecord,
    NewVersion,
    Outcome,
    Store,
    StoredVersion,
    Tracking,
    sha256,
    state_of,
    utcnow,
)
from monitor.store.tracking import EndpointState, NewDocument

__all__ = [
    "AlertDraft",
    "AlertRow",
    "ConcurrentUpdate",
    "DatabaseError",
    "DocumentState",
    "EndpointState",
    "FetchRecord",
    "NewDocument",
    "NewVersion",
    "Outcome",
    "Store",
    "StoredVersion",
    "Tracking",
    "create_db_engine",
    "migrate",
    "sha256",
    "state_of",
    "utcnow",
]
