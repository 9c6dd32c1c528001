"""The alert outbox: rows written with the event that caused them, then moved
through pending -> sending -> sent by the dispatcher.

Why an outbox: an alert decided in the same transaction as its version can be
neither lost (a crash rolls both back) nor invented (no alert without its
version). Delivery state lives here too, so a restart resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config.stored import subscription_name
from monitor.store.models import Alert, OperatorCondition, ReaderMark, User, UserSubscription

STATUSES = ("pending", "sending", "sent", "failed", "uncertain")


@dataclass(frozen=True)
class AlertDraft:
    """An alert decided by the pipeline, before its event row exists."""

    subscription: str
    channel: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime | None = None  # None: immediately
    key: str | None = None  # None: derived from the subscription and the event id


@dataclass
class AlertRow:
    """A detached, plain view of an alert for the dispatcher and the CLI."""

    id: int
    key: str
    subscription: str
    channel: str
    kind: str
    status: str
    attempts: int
    payload: dict[str, Any] = field(repr=False)
    due_at: datetime
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    document_id: int | None


def _row(a: Alert) -> AlertRow:
    return AlertRow(
        a.id,
        a.key,
        a.subscription,
        a.channel,
        a.kind,
        a.status,
        a.attempts,
        json.loads(a.payload),
        a.due_at,
        a.next_attempt_at,
        a.last_error,
        a.created_at,
        a.sent_at,
        a.document_id,
    )


def add_alerts(
    s: Session,
    drafts: Sequence[AlertDraft],
    event_id: int | None,
    document_id: int | None,
    now: datetime,
) -> None:
    """Called inside the transaction that writes the event. A reader's own
    subscription (`u.<user>.<label>`) is not alerted about a document that reader
    muted: muting is the reader's "not this one", for the inbox and the mail alike."""
    if document_id is not None and any(d.subscription.startswith("u.") for d in drafts):
        muted = _muted_subscriptions(s, document_id)
        drafts = [d for d in drafts if d.subscription not in muted]
    for d in drafts:
        key = d.key or f"{d.subscription}:event:{event_id}"
        payload = {**d.payload, "idempotency_key": key, "event_id": event_id}
        due = d.due_at or now
        s.add(
            Alert(
                key=key,
                subscription=d.subscription,
                channel=d.channel,
                kind=d.kind,
                event_id=event_id,
                document_id=document_id,
                payload=json.dumps(payload, ensure_ascii=False, default=str),
                status="pending",
                attempts=0,
                due_at=due,
                next_attempt_at=due,
                created_at=now,
            )
        )


def _muted_subscriptions(s: Session, document_id: int) -> set[str]:
    """Names of the readers' own subscriptions whose owner muted the document."""
    rows = s.execute(
        select(User.name, UserSubscription.label)
        .join(UserSubscription, UserSubscription.user_id == User.id)
        .join(ReaderMark, ReaderMark.user_id == User.id)
        .where(ReaderMark.document_id == document_id, ReaderMark.muted.is_(True))
    )
    return {subscription_name(name, label) for name, label in rows}


class OutboxReadMixin:
    """The outbox as the web UI and the CLI read it; mixed into `Reader`."""

    def session(self) -> Session:  # provided by Reader
        raise NotImplementedError

    def alert(self, alert_id: int) -> AlertRow | None:
        with self.session() as s:
            a = s.get(Alert, alert_id)
            return _row(a) if a else None

    def alerts(self, status: str | None = None, limit: int = 200) -> list[AlertRow]:
        with self.session() as s:
            query = select(Alert).order_by(Alert.id.desc()).limit(limit)
            if status:
                query = query.where(Alert.status == status)
            return [_row(a) for a in s.scalars(query)]

    def alert_counts(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(select(Alert.status, func.count()).group_by(Alert.status))
            return {status: n for status, n in rows}

    def oldest_undelivered(self) -> datetime | None:
        with self.session() as s:
            return s.scalar(
                select(func.min(Alert.created_at)).where(
                    Alert.status.in_(("pending", "sending", "failed")),
                    Alert.subscription != "_operator",
                )
            )


class OutboxMixin(OutboxReadMixin):
    """Writing the outbox: enqueue, delivery states, retries; mixed into `Store`."""

    def enqueue(self, drafts: Sequence[AlertDraft], now: datetime) -> None:
        """Alerts without an event (operator notices)."""
        with self.session() as s, s.begin():
            add_alerts(s, drafts, None, None, now)

    def due_alerts(self, now: datetime, limit: int = 100) -> list[AlertRow]:
        with self.session() as s:
            query = (
                select(Alert)
                .where(Alert.status == "pending", Alert.next_attempt_at <= now)
                .order_by(Alert.next_attempt_at, Alert.id)
                .limit(limit)
            )
            return [_row(a) for a in s.scalars(query)]

    def _update(self, alert_id: int, **values: Any) -> None:
        with self.session() as s, s.begin():
            a = s.get(Alert, alert_id)
            assert a is not None
            for name, value in values.items():
                setattr(a, name, value)

    def mark_sending(self, alert_id: int, attempts: int) -> None:
        self._update(alert_id, status="sending", attempts=attempts)

    def mark_sent(self, alert_id: int, at: datetime, attempts: int) -> None:
        self._update(alert_id, status="sent", sent_at=at, attempts=attempts, last_error=None)

    def mark_retry(self, alert_id: int, attempts: int, error: str, next_at: datetime) -> None:
        self._update(
            alert_id, status="pending", attempts=attempts, last_error=error, next_attempt_at=next_at
        )

    def mark_failed(self, alert_id: int, attempts: int, error: str) -> None:
        self._update(alert_id, status="failed", attempts=attempts, last_error=error)

    def retry_alert(self, alert_id: int, now: datetime) -> AlertRow:
        """Re-queue a failed, uncertain or pending alert for immediate delivery."""
        with self.session() as s, s.begin():
            a = s.get(Alert, alert_id)
            if a is None:
                raise LookupError(f"no alert {alert_id}")
            if a.status == "sent":
                raise LookupError(f"alert {alert_id} was already sent at {a.sent_at}")
            a.status, a.next_attempt_at = "pending", now
            return _row(a)

    def recover_interrupted(self, channels_safe_to_repeat: Sequence[str]) -> list[AlertRow]:
        """After a crash: `sending` alerts go back to pending where the receiver can
        drop duplicates (webhooks carry the key); the rest become `uncertain`
        (an email past its point of no return may have been delivered)."""
        changed = []
        with self.session() as s, s.begin():
            for a in s.scalars(select(Alert).where(Alert.status == "sending")):
                if a.channel in channels_safe_to_repeat:
                    a.status = "pending"
                else:
                    a.status = "uncertain"
                    a.last_error = (
                        "the process stopped while the message was being handed to the "
                        "server; it may have been delivered. `monitor alerts retry "
                        f"{a.id}` sends it again"
                    )
                changed.append(_row(a))
        return changed

    def set_condition(
        self,
        key: str,
        active: bool,
        detail: str,
        now: datetime,
        drafts: Sequence[AlertDraft] = (),
    ) -> str | None:
        """Record a condition; returns "raised" or "cleared" on a transition, and
        enqueues `drafts` in the same transaction only then."""
        with self.session() as s, s.begin():
            row = s.get(OperatorCondition, key)
            was = bool(row and row.active)
            if active == was:
                return None
            if row is None:
                row = OperatorCondition(key=key, active=active, since=now, detail=detail)
                s.add(row)
            row.active, row.detail = active, detail
            if active:
                row.since, row.cleared_at = now, None
            else:
                row.cleared_at = now
            add_alerts(s, drafts, None, None, now)
            return "raised" if active else "cleared"
