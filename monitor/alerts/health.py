"""The service watching itself: a source failing for too long, alerts stuck
undeliverable, a schedule that stopped starting checks. Each condition is told
to the operator once when it starts and once when it clears (a recovery notice),
through the same outbox as every other alert."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

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


def describe_source(h: Mapping[str, Any] | None) -> tuple[str, str]:
    """(state, reason) of one source from `Store.source_health`, in the words the
    CLI, the readiness probe and the alerts share: ok, failing or unknown."""
    if not h:
        return "unknown", "not fetched yet"
    since = h.get("failing_since")
    if since:
        if h.get("never_succeeded"):
            return "failing", f"never succeeded: {h.get('last_error')}"
        return "failing", f"failing since {since:%Y-%m-%d %H:%M} UTC: {h.get('last_error')}"
    if not h.get("last_ok_at"):
        return "unknown", "not fetched yet"
    return "ok", f"last success {h['last_ok_at']:%Y-%m-%d %H:%M} UTC"


def source_problem(
    source_id: str, h: Mapping[str, Any] | None, now: datetime, failing_after: float
) -> str | None:
    """Why a source makes the service not ready, or None. A source that never
    worked counts at once (a wrong host, or no network since the start); one that
    worked before counts after `failing_after` seconds, so a blip does not."""
    state, reason = describe_source(h)
    if state != "failing" or h is None:
        return None
    if h.get("never_succeeded") or (now - h["failing_since"]).total_seconds() > failing_after:
        return f"source {source_id} {reason}"
    return None


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
            f"source {source.id} {describe_source(h)[1]}"
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
