"""The dispatcher: delivers due outbox rows, retries with exponential backoff,
groups digest alerts, and resumes after a restart with nothing lost or repeated.

Order of writes per delivery: `sending` is recorded before a channel that can
repeat safely (webhooks: the receiver drops a repeated idempotency key), and at
the point of no return for email; `sent` after the far end said yes.
"""

from __future__ import annotations

import logging
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor.alerts.channels import CHANNELS, Channel, DeliveryError, channel_for
from monitor.config import Config
from monitor.store import AlertRow, Store, utcnow

log = logging.getLogger(__name__)
OPERATOR = "_operator"
# Fault injection for the crash tests: exit right after the far end accepted a
# message and before it is recorded as sent.
FAULT_ENV = "MONITOR_FAULT"


@dataclass
class DispatchSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(config: Config, attempts: int) -> float:
    base = config.alerts.backoff_base * 2 ** max(0, attempts - 1)
    return min(config.alerts.backoff_max, base) * random.uniform(0.9, 1.1)


class Dispatcher:
    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store

    def recover(self) -> list[AlertRow]:
        """At start: finish the bookkeeping of deliveries a crash interrupted."""
        safe = [name for name, cls in CHANNELS.items() if cls.safe_to_repeat]
        rows = self.store.recover_interrupted(safe)
        for row in rows:
            log.warning("alert %s (%s) was interrupted: now %s", row.id, row.key, row.status)
        return rows

    def _channel(self, subscription: str) -> tuple[Channel | None, str]:
        if subscription == OPERATOR:
            spec = self.config.alerts.operator
            mode = "immediate"
        else:
            sub = next((s for s in self.config.subscriptions if s.name == subscription), None)
            spec, mode = (sub.channel, sub.mode) if sub else (None, "immediate")
        if spec is None:
            return None, mode
        return channel_for(spec, self.config.alerts.smtp), mode

    async def run_once(self, now: datetime | None = None) -> DispatchSummary:
        now = now or utcnow()
        summary = DispatchSummary()
        due = self.store.due_alerts(now)
        digests: dict[str, list[AlertRow]] = defaultdict(list)
        for row in due:
            channel, mode = self._channel(row.subscription)
            if channel is None:
                reason = f"subscription {row.subscription!r} is not configured any more"
                self.store.mark_failed(row.id, row.attempts, reason)
                summary.failed += 1
                continue
            if mode == "immediate" or row.kind == "operator":
                await self._deliver(channel, [row], row.payload, row.key, now, summary)
            else:
                digests[row.subscription].append(row)
        for subscription, rows in digests.items():
            channel, _ = self._channel(subscription)
            assert channel is not None
            key = f"{subscription}:digest:" + ",".join(str(r.id) for r in rows)
            await self._deliver(channel, rows, digest_payload(rows), key, now, summary)
        return summary

    async def _deliver(
        self,
        channel: Channel,
        rows: list[AlertRow],
        payload: dict[str, Any],
        key: str,
        now: datetime,
        summary: DispatchSummary,
    ) -> None:
        attempts = max(r.attempts for r in rows) + 1

        def mark_sending() -> None:
            for r in rows:
                self.store.mark_sending(r.id, attempts)

        if channel.safe_to_repeat:
            mark_sending()
        try:
            await channel.send(payload, key, mark_sending)
        except DeliveryError as exc:
            last = attempts >= self.config.alerts.max_attempts
            for r in rows:
                if exc.retryable and not last:
                    later = now + timedelta(seconds=backoff(self.config, attempts))
                    self.store.mark_retry(r.id, attempts, str(exc), later)
                else:
                    self.store.mark_failed(r.id, attempts, str(exc))
            if exc.retryable and not last:
                summary.retried += len(rows)
            else:
                summary.failed += len(rows)
            summary.errors.append(f"{key}: {exc}")
            log.warning("alert %s not delivered (attempt %d): %s", key, attempts, exc)
            return
        if os.environ.get(FAULT_ENV) == "crash-after-send":
            os._exit(70)
        for r in rows:
            self.store.mark_sent(r.id, utcnow(), attempts)
        summary.sent += len(rows)


def digest_payload(rows: list[AlertRow]) -> dict[str, Any]:
    items = [r.payload for r in rows]
    themes: dict[str, dict[str, Any]] = {}
    for item in items:
        for hit in item.get("themes") or []:
            themes.setdefault(hit["theme"], hit)
    first = items[0]
    return {
        "payload_version": first.get("payload_version"),
        "event": "digest",
        "subscription": first.get("subscription"),
        "count": len(items),
        "items": items,
        "themes": list(themes.values()),
        "document": {"id": None, "url": "", "title": f"{len(items)} updates"},
        "source": {"id": "", "name": "several sources", "kind": "", "country": ""},
        "links": {},
    }
