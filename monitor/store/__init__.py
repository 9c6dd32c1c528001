"""Storage: the one module behind which the database lives (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor._lazy import exports

if TYPE_CHECKING:
    from monitor.store.activity import (
        ActivityMixin,
    )
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
        create_db_engine,
        migrate,
    )
    from monitor.store.dto import (
        ChangeRow,
        DocumentRow,
        EndpointRow,
        EventRow,
        VersionRow,
    )
    from monitor.store.errors import DatabaseError, MissingDatabase, StorageUnavailable
    from monitor.store.families import DivergenceRow, FamilyRow, MemberRow, PrintRow
    from monitor.store.outbox import (
        AlertDraft,
        AlertRow,
    )
    from monitor.store.reextraction import (
        StoredBody,
    )
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
    from monitor.store.tracking import (
        EndpointState,
        NewDocument,
    )

__all__ = [
    "ActivityMixin",
    "AlertDraft",
    "AlertRow",
    "BrowseMixin",
    "ChangeRow",
    "ConcurrentUpdate",
    "DatabaseError",
    "DivergenceRow",
    "DocumentFilter",
    "DocumentItem",
    "DocumentRow",
    "DocumentState",
    "EndpointRow",
    "EndpointState",
    "EventItem",
    "EventRow",
    "FamilyRow",
    "FetchRecord",
    "MemberRow",
    "MissingDatabase",
    "NewDocument",
    "NewVersion",
    "Outcome",
    "Page",
    "PrintRow",
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

__getattr__, __dir__ = exports(
    __name__,
    {
        "ActivityMixin": "monitor.store.activity",
        "BrowseMixin": "monitor.store.browse",
        "DocumentFilter": "monitor.store.browse",
        "DocumentItem": "monitor.store.browse",
        "EventItem": "monitor.store.browse",
        "Page": "monitor.store.browse",
        "RawSnapshot": "monitor.store.browse",
        "SourceMeta": "monitor.store.browse",
        "VersionItem": "monitor.store.browse",
        "source_catalog": "monitor.store.browse",
        "DatabaseError": "monitor.store.errors",
        "MissingDatabase": "monitor.store.errors",
        "StorageUnavailable": "monitor.store.errors",
        "DivergenceRow": "monitor.store.families",
        "FamilyRow": "monitor.store.families",
        "MemberRow": "monitor.store.families",
        "PrintRow": "monitor.store.families",
        "create_db_engine": "monitor.store.db",
        "migrate": "monitor.store.db",
        "ChangeRow": "monitor.store.dto",
        "DocumentRow": "monitor.store.dto",
        "EndpointRow": "monitor.store.dto",
        "EventRow": "monitor.store.dto",
        "VersionRow": "monitor.store.dto",
        "AlertDraft": "monitor.store.outbox",
        "AlertRow": "monitor.store.outbox",
        "StoredBody": "monitor.store.reextraction",
        "ConcurrentUpdate": "monitor.store.repo",
        "DocumentState": "monitor.store.repo",
        "FetchRecord": "monitor.store.repo",
        "NewVersion": "monitor.store.repo",
        "Outcome": "monitor.store.repo",
        "Reader": "monitor.store.repo",
        "Store": "monitor.store.repo",
        "StoredVersion": "monitor.store.repo",
        "Tracking": "monitor.store.repo",
        "sha256": "monitor.store.repo",
        "state_of": "monitor.store.repo",
        "utcnow": "monitor.store.repo",
        "EndpointState": "monitor.store.tracking",
        "NewDocument": "monitor.store.tracking",
    },
)
