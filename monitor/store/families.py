"""Document families in the store: fingerprints with their LSH keys, the families
and their members, and the divergences between copies.

Candidates are found through `family_keys` by (kind, band, hash) equality on the
primary key's index: a new document reads the rows of its own 64 keys, never the
whole table (bench/bench_families_scale.py times it at 100,000 documents).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from monitor.store.models import (
    Divergence,
    Document,
    Event,
    Family,
    FamilyKey,
    FamilyMember,
    FamilyPrint,
)
from monitor.store.outbox import AlertDraft, add_alerts

_KEY_BATCH = 200


@dataclass(frozen=True)
class PrintRow:
    """A stored fingerprint, as bytes (monitor/analysis/families.py reads them)."""

    document_id: int
    lang: str
    official: bool
    shingles: int
    points: int
    anchors: int
    text_sig: bytes
    anchor_sig: bytes
    opening: str
    embedding: bytes | None


@dataclass(frozen=True)
class MemberRow:
    document_id: int
    family_id: int
    relation: str
    linked_to: int | None
    score: float
    reasons: dict[str, Any]
    joined_at: datetime
    url: str
    title: str | None
    source_id: str
    lang: str
    official: bool
    first_seen_at: datetime
    last_changed_at: datetime | None


@dataclass(frozen=True)
class FamilyRow:
    id: int
    original_id: int
    created_at: datetime
    members: int
    languages: list[str]
    title: str | None


@dataclass(frozen=True)
class DivergenceRow:
    id: int
    family_id: int
    document_id: int
    kind: str
    detail: dict[str, Any]
    created_at: datetime
    event_id: int | None = None


class FamiliesReadMixin:
    """Families as the web UI and the API read them; mixed into `Reader`."""

    def session(self) -> Session:  # provided by Reader
        raise NotImplementedError

    def family_candidates(
        self, keys: Sequence[tuple[str, int, int]], exclude: int, limit: int = 40
    ) -> list[PrintRow]:
        """The stored fingerprints sharing LSH keys with `keys`, most shared first
        (a key's hash is a 64-bit digest of its band: equal hashes in two bands of
        different content are as rare as any 64-bit collision)."""
        hashes = sorted({h for _, _, h in keys})[:_KEY_BATCH]
        hits = func.count().label("hits")
        # counted by the database: a band shared by many texts (boilerplate)
        # returns its rows to SQL, not to Python; only the best `limit` come back,
        # with their fingerprints, in one statement (on PostgreSQL at 100,000
        # documents: p95 10 ms against 20 ms for two statements and ORM objects)
        best = (
            select(FamilyKey.document_id, hits)
            .where(FamilyKey.hash.in_(hashes), FamilyKey.document_id != exclude)
            .group_by(FamilyKey.document_id)
            .order_by(hits.desc(), FamilyKey.document_id)
            .limit(limit)
            .cte("best")
        )
        prints = FamilyPrint.__table__
        query = (
            select(*(prints.c[f.name] for f in fields(PrintRow)))
            .join(best, best.c.document_id == prints.c.document_id)
            .order_by(best.c.hits.desc(), best.c.document_id)
        )
        with self.session() as s:
            return [PrintRow(*row) for row in s.execute(query)]

    def membership(self, document_id: int) -> tuple[int, str] | None:
        """(family id, relation) of a document, or None: one narrow query, for the
        pipeline, which asks it for every new text (`family_of` reads whole rows)."""
        with self.session() as s:
            row = s.execute(
                select(FamilyMember.family_id, FamilyMember.relation).where(
                    FamilyMember.document_id == document_id
                )
            ).first()
            return (int(row.family_id), str(row.relation)) if row is not None else None

    def family_of(self, document_id: int) -> MemberRow | None:
        members = self._members(FamilyMember.document_id == document_id)
        return members[0] if members else None

    def family_members(self, family_id: int) -> list[MemberRow]:
        return self._members(FamilyMember.family_id == family_id)

    def _members(self, where: Any) -> list[MemberRow]:
        with self.session() as s:
            rows = s.execute(
                select(FamilyMember, Document, FamilyPrint.lang, FamilyPrint.official)
                .join(Document, Document.id == FamilyMember.document_id)
                .join(FamilyPrint, FamilyPrint.document_id == FamilyMember.document_id)
                .where(where)
                .order_by(Document.first_seen_at, Document.id)
            ).all()
            return [
                MemberRow(
                    m.document_id,
                    m.family_id,
                    m.relation,
                    m.linked_to,
                    m.score,
                    json.loads(m.reasons),
                    m.joined_at,
                    d.url,
                    d.title,
                    d.source_id,
                    lang,
                    official,
                    d.first_seen_at,
                    d.last_changed_at,
                )
                for m, d, lang, official in rows
            ]

    def families(self, limit: int = 200) -> list[FamilyRow]:
        """The newest families first."""
        with self.session() as s:
            fams = s.scalars(select(Family).order_by(Family.created_at.desc()).limit(limit)).all()
            return self._family_rows(s, list(fams))

    def family(self, family_id: int) -> FamilyRow | None:
        with self.session() as s:
            found = s.get(Family, family_id) if 0 < family_id < 2**63 else None
            return self._family_rows(s, [found])[0] if found else None

    def _family_rows(self, s: Session, fams: list[Family]) -> list[FamilyRow]:
        ids = [f.id for f in fams]
        langs: dict[int, list[str]] = {}
        for fid, lang in s.execute(
            select(FamilyMember.family_id, FamilyPrint.lang)
            .join(FamilyPrint, FamilyPrint.document_id == FamilyMember.document_id)
            .where(FamilyMember.family_id.in_(ids))
        ):
            langs.setdefault(fid, []).append(lang)
        titles = dict(
            s.execute(
                select(Document.id, Document.title).where(
                    Document.id.in_([f.original_id for f in fams])
                )
            ).all()
        )
        return [
            FamilyRow(
                f.id,
                f.original_id,
                f.created_at,
                len(langs.get(f.id, [])),
                sorted(set(langs.get(f.id, []))),
                titles.get(f.original_id),
            )
            for f in fams
        ]

    def divergences(self, *, family_id: int | None = None, limit: int = 100) -> list[DivergenceRow]:
        with self.session() as s:
            query = select(Divergence).order_by(Divergence.created_at.desc(), Divergence.id.desc())
            if family_id is not None:
                query = query.where(Divergence.family_id == family_id)
            return [
                DivergenceRow(
                    d.id,
                    d.family_id,
                    d.document_id,
                    d.kind,
                    json.loads(d.detail),
                    d.created_at,
                    d.event_id,
                )
                for d in s.scalars(query.limit(limit))
            ]


def _one_at_a_time(s: Session) -> None:
    """Family membership changes one at a time across processes (workers on
    PostgreSQL): two documents joining at once would each found a family for the
    same original, or insert its member row twice. A transaction-scoped advisory
    lock; SQLite has a single writer already."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext('monitor.families'))"))


class FamiliesMixin:
    """Writing fingerprints, links and divergences; mixed into `Store`."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def save_print(
        self,
        row: PrintRow,
        keys: Sequence[tuple[str, int, int]],
        at: datetime,
    ) -> None:
        """Store a document's fingerprint and replace its LSH keys.

        Core statements on the tables, not ORM ones: the ORM's bulk insert of the
        64 keys and its DELETE bookkeeping cost ~5 ms a document, a quarter of a
        first check with a selector; these cost a fraction of that."""
        keys_table, prints = cast(Table, FamilyKey.__table__), cast(Table, FamilyPrint.__table__)
        with self.session() as s, s.begin():
            conn = s.connection()
            conn.execute(delete(keys_table).where(keys_table.c.document_id == row.document_id))
            conn.execute(delete(prints).where(prints.c.document_id == row.document_id))
            conn.execute(
                insert(prints).values(
                    document_id=row.document_id,
                    lang=row.lang,
                    official=row.official,
                    shingles=row.shingles,
                    points=row.points,
                    anchors=row.anchors,
                    text_sig=row.text_sig,
                    anchor_sig=row.anchor_sig,
                    opening=row.opening,
                    embedding=row.embedding,
                    updated_at=at,
                )
            )
            unique = dict.fromkeys(keys)
            if unique:  # one executemany
                conn.execute(
                    insert(keys_table),
                    [
                        {"kind": k, "band": b, "hash": h, "document_id": row.document_id}
                        for k, b, h in unique
                    ],
                )

    def save_embedding(self, document_id: int, embedding: bytes) -> None:
        with self.session() as s, s.begin():
            s.execute(
                update(FamilyPrint)
                .where(FamilyPrint.document_id == document_id)
                .values(embedding=embedding)
            )

    def join_family(
        self,
        document_id: int,
        linked_to: int,
        relation: str,
        score: float,
        reasons: dict[str, Any],
        at: datetime,
    ) -> int:
        """Put `document_id` in the family of `linked_to` (a new family with
        `linked_to` as its original if it had none); returns the family id. A
        document already in a family stays where it is."""
        with self.session() as s, s.begin():
            _one_at_a_time(s)
            mine = s.get(FamilyMember, document_id)
            if mine is not None:
                return mine.family_id
            theirs = s.get(FamilyMember, linked_to)
            if theirs is None:
                family = Family(original_id=linked_to, created_at=at)
                s.add(family)
                s.flush()
                s.add(
                    FamilyMember(
                        document_id=linked_to,
                        family_id=family.id,
                        relation="original",
                        linked_to=None,
                        score=1.0,
                        reasons="{}",
                        joined_at=at,
                    )
                )
                family_id = family.id
            else:
                family_id = theirs.family_id
            s.add(
                FamilyMember(
                    document_id=document_id,
                    family_id=family_id,
                    relation=relation,
                    linked_to=linked_to,
                    score=score,
                    reasons=json.dumps(reasons, sort_keys=True),
                    joined_at=at,
                )
            )
            return family_id

    def leave_family(self, document_id: int) -> None:
        """Take a document out of its family (it was matched as a quote of a text it
        turns out only to resemble); a family left with one member is dissolved."""
        with self.session() as s, s.begin():
            _one_at_a_time(s)
            mine = s.get(FamilyMember, document_id)
            if mine is None:
                return
            s.delete(mine)
            s.flush()
            left = s.scalars(
                select(FamilyMember).where(FamilyMember.family_id == mine.family_id)
            ).all()
            if len(left) < 2:
                for m in left:
                    s.delete(m)
                s.execute(delete(Family).where(Family.id == mine.family_id))

    def merge_families(
        self, one: int, other: int, bridge: int, score: float, reasons: dict[str, Any]
    ) -> int:
        """One text found in two families (two workers each founded one while
        neither saw the other's copy yet; `bridge` is a copy of both): they become
        one, kept under the original seen first. The other original stays a member,
        linked to the bridge. Returns the family kept."""
        with self.session() as s, s.begin():
            _one_at_a_time(s)
            fams = {f.id: f for f in s.scalars(select(Family).where(Family.id.in_([one, other])))}
            if len(fams) < 2:
                return one if one in fams else other  # merged meanwhile
            seen = dict(
                s.execute(
                    select(Document.id, Document.first_seen_at).where(
                        Document.id.in_([f.original_id for f in fams.values()])
                    )
                ).all()
            )
            keep, gone = sorted(fams.values(), key=lambda f: (seen.get(f.original_id), f.id))
            s.execute(
                update(FamilyMember)
                .where(FamilyMember.family_id == gone.id)
                .values(family_id=keep.id)
            )
            s.execute(
                update(Divergence).where(Divergence.family_id == gone.id).values(family_id=keep.id)
            )
            if gone.original_id != bridge:
                langs = dict(
                    s.execute(
                        select(FamilyPrint.document_id, FamilyPrint.lang).where(
                            FamilyPrint.document_id.in_([gone.original_id, bridge])
                        )
                    ).all()
                )
                same = langs.get(gone.original_id) == langs.get(bridge)
                s.execute(
                    update(FamilyMember)
                    .where(FamilyMember.document_id == gone.original_id)
                    .values(
                        relation="copy" if same else "translation",
                        linked_to=bridge,
                        score=score,
                        reasons=json.dumps(reasons, sort_keys=True),
                    )
                )
            s.execute(delete(Family).where(Family.id == gone.id))
            return keep.id

    def record_divergence(
        self,
        family_id: int,
        document_id: int,
        kind: str,
        detail: dict[str, Any],
        at: datetime,
        alerts: Sequence[AlertDraft] = (),
    ) -> int:
        """A divergence with its event ("diverged") and alerts, in one transaction."""
        with self.session() as s, s.begin():
            event = Event(document_id=document_id, kind="diverged", created_at=at)
            s.add(event)
            s.flush()
            row = Divergence(
                family_id=family_id,
                document_id=document_id,
                event_id=event.id,
                kind=kind,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
                created_at=at,
            )
            s.add(row)
            add_alerts(s, alerts, event.id, document_id, at)
            s.flush()
            return row.id
