"""Storage: the one module behind which the database lives (SQLite or PostgreSQL)."""

from monitor.store.activity import ActivityMixin
from monitor.store.browse import (
    BrowseMixin,
    DocumentFilter,
    DocumentItem,
    EventItem,
    Page,
    RawSnapshot,
    SourceMeta,
    VersionItem,
    source_catalog,
)
from monitor.store.db import (
    DatabaseError,
    MissingDatabase,
    StorageUnavailable,
    create_db_engine,
    migrate,
)
from monitor.store.dto import ChangeRow, DocumentRow, EndpointRow, EventRow, VersionRow
from monitor.store.outbox import AlertDraft, AlertRow
from monitor.store.reextraction import StoredBody
from monitor.store.repo import (
    ConcurrentUpdate,
    DocumentState,
    FetchRecord,
    NewVersion,
    Outcome,
    Reader,
    Store,
    StoredVersion,
    Tracking,
    sha256,
    state_of,
    utcnow,
)
from monitor.store.tracking import EndpointState, NewDocument

__all__ = [
    "ActivityMixin",
    "AlertDraft",
    "AlertRow",
    "BrowseMixin",
    "ChangeRow",
    "ConcurrentUpdate",
    "DatabaseError",
    "DocumentFilter",
    "DocumentItem",
    "DocumentRow",
    "DocumentState",
    "EndpointRow",
    "EndpointState",
    "EventItem",
    "EventRow",
    "FetchRecord",
    "MissingDatabase",
    "NewDocument",
    "NewVersion",
    "Outcome",
    "Page",
    "RawSnapshot",
    "Reader",
    "SourceMeta",
    "StorageUnavailable",
    "Store",
    "StoredBody",
    "StoredVersion",
    "Tracking",
    "VersionItem",
    "VersionRow",
    "create_db_engine",
    "migrate",
    "sha256",
    "source_catalog",
    "state_of",
    "utcnow",
]
