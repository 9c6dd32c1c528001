"""Recheck policy: when a document or a discovery endpoint is due again.

Thousands of tracked documents cannot all be refetched every cycle; a text that
changed an hour ago is likely to change again soon, one untouched for a month
is not. Watched URLs are the exception: they are checked on every cycle of
their source.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.config import RecheckPolicy
from monitor.fetch.client import FetchResult
from monitor.store import DocumentState, Tracking


def next_check(policy: RecheckPolicy, now: datetime, since: datetime) -> datetime:
    """The first tier whose `within` covers the document's quiet time decides."""
    quiet = (now - since).total_seconds()
    for tier in policy.tiers:
        if tier.within is None or quiet < tier.within:
            return now + timedelta(seconds=tier.every)
    return now + timedelta(seconds=policy.tiers[-1].every)  # unreachable: last tier is open


def tracking_for(
    state: DocumentState,
    fetched: FetchResult,
    policy: RecheckPolicy,
    now: datetime,
    changed: bool,
) -> Tracking:
    """Presence (removed after N 404/410 in a row, restored when it answers again)
    and the next check time of one document after one fetch."""
    missing, presence = state.missing_count, None
    if fetched.status in (404, 410):
        missing += 1
        if missing >= policy.removed_after and state.status == "active":
            presence = "removed"
    elif fetched.not_modified or (fetched.ok and fetched.body is not None):
        missing = 0
        if state.status == "removed":
            presence = "restored"
    if state.origin == "watch":
        return Tracking(None, missing, presence)
    since = now if changed else (state.last_changed_at or state.first_seen_at or now)
    return Tracking(next_check(policy, now, since), missing, presence)


def next_poll_interval(policy: RecheckPolicy, current: float, new_items: int) -> float:
    """Poll a feed twice as often when it yields news, back off by half when it
    does not, within [discover_min, discover_max]."""
    wanted = current / 2 if new_items else current * 1.5
    return min(policy.discover_max, max(policy.discover_min, wanted))
