"""The service watching itself: a source failing for too long, alerts stuck
undeliverable, a schedule that stopped starting checks. Each condition is told
to the operator once when it starts and once when it clears (a recovery notice),
through the same outbox as every other alert."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from monitor.alerts.dispatch import OPERATOR
from monitor.config import Config
from monitor.store import AlertDraft, Store

log = logging.getLogger(__name__)


def _notify(
    config: Config, store: Store, key: str, active: bool, title: str, detail: str, now: datetime
) -> str | None:
    state = "raised" if active else "cleared"
    drafts = []
    operator = config.alerts.operator
    if operator is not None:
        heading = title if active else f"recovered: {title}"
        payload = {
            "event": "operator",
            "condition": key,
            "state": state,
            "title": heading,
            "detail": detail,
            "at": now.isoformat(),
        }
        key_at = f"{OPERATOR}:{key}:{state}:{now.isoformat()}"
        drafts.append(AlertDraft(OPERATOR, operator.type, "operator", payload, key=key_at))
    transition = store.set_condition(key, active, detail, now, drafts)
    if transition:
        log.warning("operator: %s %s: %s", key, transition, detail)
    return transition


def check_health(
    config: Config,
    store: Store,
    now: datetime,
    last_started: Mapping[str, datetime] | None = None,
) -> dict[str, bool]:
    """Evaluate every condition; returns condition key -> active."""
    states: dict[str, bool] = {}
    health = store.source_health()
    threshold = config.alerts.source_failing_after
    for source in config.sources:
        h = health.get(source.id) or {}
        since = h.get("failing_since")
        active = bool(since and (now - since).total_seconds() > threshold)
        detail = (
            f"source {source.id} has failed since {since:%Y-%m-%d %H:%M} UTC: {h.get('last_error')}"
            if active and since
            else f"source {source.id} fetches again"
        )
        key = f"source:{source.id}"
        _notify(config, store, key, active, f"source {source.id} failing", detail, now)
        states[key] = active
    oldest = store.oldest_undelivered()
    stuck = bool(oldest and (now - oldest).total_seconds() > config.alerts.undeliverable_after)
    detail = (
        f"alerts have waited since {oldest:%Y-%m-%d %H:%M} UTC; see `monitor alerts --status "
        "pending` and `--status failed`"
        if stuck and oldest
        else "alerts are delivered again"
    )
    _notify(config, store, "alerts:undeliverable", stuck, "alerts undeliverable", detail, now)
    states["alerts:undeliverable"] = stuck
    if last_started is not None:
        late = [
            s.id
            for s in config.sources
            if s.id in last_started and (now - last_started[s.id]).total_seconds() > 3 * s.interval
        ]
        detail = f"no check started for 3 intervals: {', '.join(late)}" if late else "on time"
        _notify(config, store, "schedule:stalled", bool(late), "schedule stalled", detail, now)
        states["schedule:stalled"] = bool(late)
    return states
