"""Reads and writes for re-extraction and volatile fragments.

Re-extraction needs, per document, the raw body behind its latest version and
the text stored from it; volatile fragments are a per-source memory of lines
that flip between two fetches made seconds apart (see monitor/cycle/stability.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store import history
from monitor.store.models import Document, Snapshot, Version, VolatileFragment, unpack_body


@dataclass(frozen=True)
class StoredBody:
    """The latest version of a document and the raw body it was extracted from."""

    document_id: int
    url: str
    seq: int
    text: str
    text_hash: str
    rules: str
    title: str | None
    published_at: datetime | None
    body: bytes | None  # None: pruned by `monitor db prune --include-latest`
    content_type: str | None
    encoding: str | None


class ReextractionMixin:
    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def versioned_documents(self, source_ids: Sequence[str] | None = None) -> list[int]:
        """Ids of the documents that have at least one version, oldest first."""
        query = select(Document.id).where(Document.latest_seq > 0).order_by(Document.id)
        if source_ids:
            query = query.where(Document.source_id.in_(list(source_ids)))
        with self.session() as s:
            return list(s.scalars(query))

    def stored_body(self, document_id: int) -> StoredBody | None:
        """The latest version's text and its raw body (None if it has no version)."""
        with self.session() as s:
            row = s.execute(
                select(Document.url, Version, Snapshot)
                .join(
                    Version,
                    (Version.document_id == Document.id) & (Version.seq == Document.latest_seq),
                )
                .join(Snapshot, Snapshot.id == Version.snapshot_id)
                .where(Document.id == document_id)
            ).first()
            if row is None:
                return None
            url, version, snapshot = row
            return StoredBody(
                document_id=document_id,
                url=url,
                seq=version.seq,
                text=version.text or history.text_of(s, document_id, version.seq) or "",
                text_hash=version.text_hash,
                rules=version.rules,
                title=version.title,
                published_at=version.published_at,
                body=unpack_body(snapshot),
                content_type=snapshot.content_type,
                encoding=snapshot.encoding,
            )

    def volatile_patterns(self, source_id: str) -> frozenset[str]:
        """The digit-masked line hashes learned as volatile for one source."""
        with self.session() as s:
            return frozenset(
                s.scalars(
                    select(VolatileFragment.pattern).where(VolatileFragment.source_id == source_id)
                )
            )

    def add_volatile(
        self, source_id: str, fragments: Iterable[tuple[str, str]], at: datetime
    ) -> int:
        """Remember (pattern, example) lines as volatile; returns how many were new."""
        added = 0
        with self.session() as s, s.begin():
            for pattern, example in fragments:
                row = s.scalar(
                    select(VolatileFragment).where(
                        VolatileFragment.source_id == source_id,
                        VolatileFragment.pattern == pattern,
                    )
                )
                if row is None:
                    s.add(
                        VolatileFragment(
                            source_id=source_id,
                            pattern=pattern,
                            example=example[:500],
                            hits=1,
                            first_seen_at=at,
                            last_seen_at=at,
                        )
                    )
                    added += 1
                else:
                    row.hits += 1
                    row.last_seen_at, row.example = at, example[:500]
        return added

    def volatile_fragments(self, source_id: str) -> list[VolatileFragment]:
        """Every volatile fragment of a source, most seen first (for the UI and CLI)."""
        with self.session() as s:
            return list(
                s.scalars(
                    select(VolatileFragment)
                    .where(VolatileFragment.source_id == source_id)
                    .order_by(VolatileFragment.hits.desc())
                )
            )
