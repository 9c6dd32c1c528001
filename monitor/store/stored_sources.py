"""Sources managed in the web UI: their mappings and pauses (validated by the
configuration's own rules before they get here, monitor/config/stored.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor.store.db import utcnow
from monitor.store.models import StoredSource, User, UserSubscription


@dataclass(frozen=True)
class StoredSourceRow:
    id: str
    spec: dict[str, Any] | None  # None: a sources.yaml source, only paused here
    paused: bool
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class UserSubscriptionRow:
    id: int
    user: str
    label: str
    spec: dict[str, Any]  # channel, filters, mode
    created_at: datetime


class StoredSourcesMixin:
    """Mixed into `Reader` (the web UI writes through it, like sessions)."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    def stored_sources(self) -> list[StoredSourceRow]:
        with self.session() as s:
            return [
                StoredSourceRow(
                    r.id,
                    json.loads(r.spec) if r.spec else None,
                    bool(r.paused),
                    r.updated_by,
                    r.updated_at,
                )
                for r in s.scalars(select(StoredSource).order_by(StoredSource.id))
            ]

    def save_source(self, source_id: str, spec: dict[str, Any], actor: str) -> None:
        """Create or replace a UI-made source (keeping its pause)."""
        with self.session() as s, s.begin():
            row = s.get(StoredSource, source_id)
            text = json.dumps(spec, ensure_ascii=False, sort_keys=True)
            if row is None:
                s.add(
                    StoredSource(
                        id=source_id, spec=text, paused=False, updated_by=actor, updated_at=utcnow()
                    )
                )
            else:
                row.spec, row.updated_by, row.updated_at = text, actor, utcnow()

    def pause_source(self, source_id: str, paused: bool, actor: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(StoredSource, source_id)
            if row is None:
                if not paused:
                    return
                s.add(
                    StoredSource(
                        id=source_id, spec=None, paused=True, updated_by=actor, updated_at=utcnow()
                    )
                )
                return
            if row.spec is None and not paused:
                s.delete(row)  # a file-made source resumed: nothing of it is kept here
            else:
                row.paused, row.updated_by, row.updated_at = paused, actor, utcnow()

    def delete_stored_source(self, source_id: str) -> bool:
        with self.session() as s, s.begin():
            result = s.execute(delete(StoredSource).where(StoredSource.id == source_id))
            return bool(getattr(result, "rowcount", 0))

    # --- readers' own alert subscriptions ----------------------------------------

    def user_subscriptions(self, user: str | None = None) -> list[UserSubscriptionRow]:
        with self.session() as s:
            query = select(UserSubscription, User.name).join(
                User, User.id == UserSubscription.user_id
            )
            if user is not None:
                query = query.where(User.name == user)
            else:
                query = query.where(User.disabled.is_(False))
            return [
                UserSubscriptionRow(sub.id, name, sub.label, json.loads(sub.spec), sub.created_at)
                for sub, name in s.execute(query.order_by(User.name, UserSubscription.label))
            ]

    def add_user_subscription(self, user_id: int, label: str, spec: dict[str, Any]) -> None:
        with self.session() as s, s.begin():
            s.add(
                UserSubscription(
                    user_id=user_id,
                    label=label,
                    spec=json.dumps(spec, ensure_ascii=False, sort_keys=True),
                    created_at=utcnow(),
                )
            )

    def delete_user_subscription(self, user_id: int, subscription_id: int) -> bool:
        with self.session() as s, s.begin():
            result = s.execute(
                delete(UserSubscription).where(
                    UserSubscription.id == subscription_id, UserSubscription.user_id == user_id
                )
            )
            return bool(getattr(result, "rowcount", 0))
