"""Tables. Raw snapshots and extracted versions are kept apart (as Open Terms
Archive does) so that versions can be re-extracted when extraction rules change."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT for big tables.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_full_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    # Denormalised from the latest version so an unchanged fetch needs no join.
    latest_seq: Mapped[int] = mapped_column(Integer, default=0)
    latest_text_hash: Mapped[str | None] = mapped_column(String(64))
    last_body_sha256: Mapped[str | None] = mapped_column(String(64))
    last_rules: Mapped[str | None] = mapped_column(String(32))
    # The automatic extractor the latest text came from; preferred on the next
    # fetch so the choice cannot flip between extractors (monitor/extract/consensus.py).
    extractor: Mapped[str | None] = mapped_column(String(32))
    # Where the latest text sits in the page and the fingerprint of that element's
    # text (monitor/extract/region.py): a fetch whose element is unchanged needs
    # no extraction.
    region_path: Mapped[str | None] = mapped_column(String(1024))
    region_digest: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    # How the document came to be tracked: watch (fixed URL), discovered, attachment.
    origin: Mapped[str] = mapped_column(String(16), default="watch")
    discovered_via: Mapped[str | None] = mapped_column(String(2048))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # The relevance decision (None: not judged, e.g. a watched URL) and the matched terms
    # as JSON {group: [terms]}, kept so a user can see why a document is tracked.
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    relevance: Mapped[str | None] = mapped_column(Text)
    # When the recheck policy wants it fetched again (None: at its source's next cycle).
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # 404/410 answers in a row; `status` becomes "removed" at the configured count.
    missing_count: Mapped[int] = mapped_column(Integer, default=0)
    # Reached under another URL whose page names this one as <link rel="canonical">.
    alias_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))


class Endpoint(Base):
    """A feed, listing or sitemap polled for new documents, with its adaptive schedule."""

    __tablename__ = "endpoints"
    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_endpoints_source_url"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    type: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2048))
    interval_s: Mapped[float] = mapped_column(Float)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_new_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    # Where the next poll resumes an input too large for one poll (the
    # discoverer's own JSON; None: from the top).
    cursor: Mapped[str | None] = mapped_column(Text)


class Snapshot(Base):
    """A raw response body, stored once per distinct content (sha256 of the bytes)."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    stored_size: Mapped[int] = mapped_column(Integer)
    compression: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When `monitor db prune` dropped the body (None: the body is stored).
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def unpack_body(snapshot: Snapshot) -> bytes | None:
    """The raw bytes of a snapshot, or None when retention pruned them."""
    if snapshot.body is None:
        return None
    return zlib.decompress(snapshot.body) if snapshot.compression == "zlib" else snapshot.body


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_versions_document_seq"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    final_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The text is kept plain only in a document's latest version; keyframes keep it
    # zlib-compressed in `text_z`; other versions have "" here and are their
    # predecessor plus the change to them (monitor/store/history.py).
    text: Mapped[str] = mapped_column(Text)
    text_z: Mapped[bytes | None] = mapped_column(LargeBinary)
    text_hash: Mapped[str] = mapped_column(String(64))
    chars: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(String(32))
    # JSON list of theme hits of the whole text (monitor/analysis/themes.py)
    themes: Mapped[str | None] = mapped_column(Text)
    # "fetch": what the publisher served; "reextract": the same stored body read
    # again by a newer extractor or changed rules (history, never an alert)
    origin: Mapped[str] = mapped_column(String(16), default="fetch", server_default="fetch")


class Change(Base):
    """The diff between two consecutive versions of a document."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    from_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    inserted_chars: Mapped[int] = mapped_column(Integer)
    deleted_chars: Mapped[int] = mapped_column(Integer)
    diff: Mapped[str] = mapped_column(Text)  # JSON list of [op, text]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # themes of the inserted and deleted text only, and the one-glance summary (JSON)
    themes: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    significance: Mapped[str | None] = mapped_column(String(16))


class Event(Base):
    """What happened to a document (`new`, `changed`, later `removed`, `restored`):
    the stream alerts and feeds are built from."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FetchLog(Base):
    __tablename__ = "fetch_log"
    __table_args__ = (Index("ix_fetch_log_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    final_url: Mapped[str | None] = mapped_column(String(2048))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # new|changed|unchanged|not_modified|error
    error: Mapped[str | None] = mapped_column(Text)
    bytes: Mapped[int | None] = mapped_column(Integer)


class Alert(Base):
    """The outbox: written in the transaction of the event that caused it, then
    delivered by the dispatcher. `key` is stable across retries and restarts,
    so a receiver can drop duplicates."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subscription: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook | apprise
    kind: Mapped[str] = mapped_column(String(16))  # new | changed | removed | restored | operator
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    payload: Mapped[str] = mapped_column(Text)  # JSON, frozen when the event happened
    # pending -> sending -> sent; failed after the last attempt or a permanent refusal;
    # uncertain: the process stopped at the point of no return of an email
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # later for digests
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OperatorCondition(Base):
    """A problem the operator was told about (source failing, alerts stuck...),
    so that it is said once, and its recovery once."""

    __tablename__ = "operator_conditions"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[str] = mapped_column(Text)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VolatileFragment(Base):
    """A line that flipped between two fetches of one source made seconds apart.

    `pattern` is the hash of the line with its digits masked, so "Просмотров: 16"
    and "Просмотров: 31" are one fragment; `example` is the last text seen.
    """

    __tablename__ = "volatile_fragments"
    __table_args__ = (UniqueConstraint("source_id", "pattern", name="uq_volatile_source_pattern"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    pattern: Mapped[str] = mapped_column(String(64))
    example: Mapped[str] = mapped_column(Text)
    hits: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HostPacing(Base):
    """When the next request to a host may start, for every worker (PostgreSQL's
    clock decides, so workers on several machines agree)."""

    __tablename__ = "host_pacing"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the last request actually started: a worker woken late from its
    # reserved time must not start right beside the next worker's on-time start.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HostSlot(Base):
    """One of a host's `per_host_concurrency` request slots; a lease, so a slot
    held by a worker that died frees itself."""

    __tablename__ = "host_slots"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RobotsEntry(Base):
    """robots.txt as fetched by one worker for all: once per host per TTL."""

    __tablename__ = "robots_cache"

    key: Mapped[str] = mapped_column(String(600), primary_key=True)  # "public https://host"
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class User(Base):
    """An account: a viewer reads, an editor also acts (check now, retry an alert),
    an admin also manages accounts. The password is an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class UserSession(Base):
    """A login: the cookie holds a random token, the table its SHA-256 and the
    session's CSRF token (forms must send it back)."""

    __tablename__ = "user_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A personal token for the JSON API, shown once; `scope` read or write."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Who did what, when: logins, account changes, actions in the UI and API."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)


class StoredSource(Base):
    """A source added or edited in the web UI (`spec`: its sources.yaml mapping),
    or only paused there (`spec` None: the source is sources.yaml's)."""

    __tablename__ = "stored_sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    spec: Mapped[str | None] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReaderMark(Base):
    """One reader's state of one document: read up to which version, starred, muted."""

    __tablename__ = "reader_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    seen_seq: Mapped[int] = mapped_column(Integer, default=0)
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserSubscription(Base):
    """An alert subscription a reader manages in the UI (`spec`: channel, filters,
    mode, as in sources.yaml), joined to the file's subscriptions."""

    __tablename__ = "user_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "label", name="uq_user_subscription_label"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    spec: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FamilyPrint(Base):
    """What a document's latest text is matched by (monitor/analysis/families.py):
    MinHash signatures of its words and of its anchors, an embedding of its
    opening once one was needed, and the counts the comparisons use."""

    __tablename__ = "family_prints"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(8))
    official: Mapped[bool] = mapped_column(Boolean)
    shingles: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    anchors: Mapped[int] = mapped_column(Integer)
    text_sig: Mapped[bytes] = mapped_column(LargeBinary)
    anchor_sig: Mapped[bytes] = mapped_column(LargeBinary)
    opening: Mapped[str] = mapped_column(Text)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FamilyKey(Base):
    """One LSH band of a document's signature: documents sharing a row are candidates.
    The hash leads the primary key, so `hash IN (…)` is an index range per key."""

    __tablename__ = "family_keys"

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # "t" text, "a" anchors
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Family(Base):
    """Documents that carry one text; `original_id`: the copy seen first."""

    __tablename__ = "families"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FamilyMember(Base):
    """A document in a family: how it is related (original, copy, quotation,
    translation), to which member, with the score and its reasons (JSON)."""

    __tablename__ = "family_members"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))
    linked_to: Mapped[int | None] = mapped_column(Id)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Divergence(Base):
    """A family's copies part ways: one official copy edited while a sibling was not
    ("edited"), a copy joining that reads otherwise ("differs"), or language versions
    of one text whose numbers, dates or names differ ("facts")."""

    __tablename__ = "divergences"
    __table_args__ = (Index("ix_divergences_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)  # JSON: points, siblings, numbers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
