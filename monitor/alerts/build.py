"""Deciding alerts: the subscriptions an assessed version matches, and the
payload frozen into the outbox with the event (the assessment itself is
monitor/analysis/assess.py).

The payload is the documented webhook body (see README, "Webhook payload");
email and chat messages are rendered from it, so every channel says the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.analysis.assess import Assessment
from monitor.config import Config, Source, Subscription
from monitor.config.alerts import SIGNIFICANCE
from monitor.diff import trim_context
from monitor.store import AlertDraft

PAYLOAD_VERSION = 1
DIFF_CONTEXT = 160  # characters of unchanged text kept around each change
MAX_DIFF_CHARS = 200_000


def compact_ops(ops: Sequence[tuple[int, str]], context: int = DIFF_CONTEXT) -> list[list[Any]]:
    """The payload's diff: trimmed context, and no more than MAX_DIFF_CHARS in all."""
    out: list[list[Any]] = []
    total = 0
    for op, text in trim_context(ops, context):
        total += len(text)
        if total > MAX_DIFF_CHARS:
            out.append([0, " … (diff cut; see the web UI for all of it)"])
            break
        out.append([op, text])
    return out


def matches(
    sub: Subscription,
    *,
    event: str,
    source: Source,
    themes: Sequence[str],
    significance: str | None,
) -> bool:
    f = sub.filters
    if event not in f.events:
        return False
    if f.sources and source.id not in f.sources:
        return False
    if f.kind and source.kind not in f.kind:
        return False
    if f.country and source.country not in f.country:
        return False
    if f.themes and not set(f.themes) & set(themes):
        return False
    return not (
        significance is not None
        and SIGNIFICANCE.index(significance) < SIGNIFICANCE.index(f.min_significance)
    )


def excerpt(text: str, limit: int = 600) -> str:
    """The opening of a new document for its alert, cut on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"


def due_at(mode: str, now: datetime) -> datetime | None:
    """Digests go out at the top of the next hour, or at the next midnight UTC."""
    if mode == "hourly":
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if mode == "daily":
        return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return None


def drafts_for(
    config: Config,
    *,
    event: str,
    source: Source,
    document: dict[str, Any],
    versions: dict[str, int | None],
    at: datetime,
    assessment: Assessment | None = None,
    themes: Sequence[dict[str, Any]] = (),
    ops: Sequence[tuple[int, str]] | None = None,
    text: str | None = None,
    extra: dict[str, Any] | None = None,
) -> list[AlertDraft]:
    """One draft per matching subscription; none at all for a cosmetic change.
    `text`: a new document's text, whose opening the alert quotes; `extra`: more
    payload fields (a divergence's detail)."""
    if assessment is not None and assessment.cosmetic:
        return []
    hits = list(themes)
    if assessment is not None:
        hits = (
            assessment.change_themes
            if event == "changed" and assessment.change_themes is not None
            else assessment.themes
        )
    # Passing mentions ("secondary") are stored and shown, but do not alert.
    hits = [h for h in hits if h.get("level") != "secondary"]
    significance = assessment.significance if assessment else None
    theme_ids = [h["theme"] for h in hits]
    web = config.alerts.web_url.rstrip("/")
    links = {"document": f"{web}/documents/{document['id']}"}
    if versions.get("from") and versions.get("to"):
        links["diff"] = (
            f"{web}/documents/{document['id']}/diff?from={versions['from']}&to={versions['to']}"
        )
    family = ((extra or {}).get("divergence") or {}).get("family")
    if family is not None:
        links["family"] = f"{web}/families/{family}"
    payload: dict[str, Any] = {
        "payload_version": PAYLOAD_VERSION,
        "event": event,
        "at": at.isoformat(),
        "document": document,
        "source": {
            "id": source.id,
            "name": source.name,
            "kind": source.kind,
            "country": source.country,
        },
        "versions": versions,
        "themes": hits,
        "significance": significance,
        "summary": assessment.summary if assessment else None,
        "diff": compact_ops(ops) if ops else None,
        "excerpt": excerpt(text) if text and event == "new" else None,
        "links": links,
        **(extra or {}),
    }
    drafts = []
    for sub in config.subscriptions:
        if matches(sub, event=event, source=source, themes=theme_ids, significance=significance):
            drafts.append(
                AlertDraft(
                    subscription=sub.name,
                    channel=sub.channel.type,
                    kind=event,
                    payload={**payload, "subscription": sub.name},
                    due_at=due_at(sub.mode, at),
                )
            )
    return drafts
