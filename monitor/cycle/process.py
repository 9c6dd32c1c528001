"""Check one document: what one fetch means, and recording it.

classify (error, 304, same bytes, same text) -> read (extract, drop volatile
lines) -> compare (diff with the stored text) -> assess (themes, summary,
significance) -> record (version, change, event and alerts in one transaction).
Runs in the cycle's writer thread; pure apart from the store it is given.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace

from monitor.config import Source
from monitor.cycle.outcome import Checking, DocumentOutcome, Quiet
from monitor.cycle.schedule import tracking_for
from monitor.extract.page import DecodeError, Extracted, ExtractionError, rules_fingerprint
from monitor.extract.region import same_region as region_holds_same_text
from monitor.fetch.client import FetchResult
from monitor.store import DocumentState, FetchRecord, Outcome, Tracking, sha256

log = logging.getLogger(__name__)


def _tracking(
    ctx: Checking, state: DocumentState, fetched: FetchResult, rec: FetchRecord, changed: bool
) -> Tracking:
    """When to look again, and the alerts a document's disappearance (or return) raises."""
    tracking = tracking_for(state, fetched, ctx.config.recheck, rec.started_at, changed)
    if tracking.presence and ctx.config.subscriptions:
        from monitor.cycle.record import presence_drafts  # see process()

        drafts = presence_drafts(ctx, state, tracking.presence, rec)
        tracking = replace(tracking, alerts=drafts)
    return tracking


def process(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    extracted: tuple[Extracted, str | None] | None = None,
    same_region: bool | None = None,
) -> DocumentOutcome:
    """Decide what one fetch means and record it; a new version, its change, event
    and alerts in one transaction. `extracted`: the page already read from this
    body (by the confirm fetch), so it is not read twice; `same_region`: what
    `unchanged_region` said of this fetch, when the caller already asked."""
    rules = rules_fingerprint(ctx.source.select, ctx.source.remove)
    if fetched.error:
        return _settle_quietly(ctx, state, fetched, rec, rules, Quiet("error", fetched.error))
    if fetched.not_modified:
        return _settle_quietly(ctx, state, fetched, rec, rules, Quiet("not_modified"))
    state = _rebased(ctx, state, rules)
    body_sha = sha256(fetched.body or b"")
    try:
        if body_sha == state.last_body_sha256 and rules == state.last_rules:
            raise Quiet("unchanged")
        if same_region is None and extracted is None:
            same_region = unchanged_region(ctx.source, state, fetched)
        if same_region and rules == state.last_rules:
            raise Quiet("unchanged")
        # Imported here, on the first fetch whose bytes moved: extraction, the
        # diff, assessment, alerts and families cost ~0.3 s of imports that a
        # check where nothing changed never needs (monitor/cycle/record.py).
        from monitor.cycle.record import compare, read, record

        page = read(ctx, state, fetched, extracted)
        compared = compare(ctx, state, page[0])
    except Quiet as quiet:
        return _settle_quietly(ctx, state, fetched, rec, rules, quiet, body_sha)
    tracking = _tracking(ctx, state, fetched, rec, True)
    return record(ctx, state, fetched, rec, rules, page, compared, tracking)


def _settle_quietly(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    rules: str,
    quiet: Quiet,
    body_sha: str | None = None,
) -> DocumentOutcome:
    """No version: the outcome joins the batch (fetch log row, validators, schedule).
    `body_sha`: the fetched body's hash, kept for the next fetch's "same bytes" test."""
    tracking = _tracking(ctx, state, fetched, rec, False)
    if quiet.kind == "unchanged":
        ctx.batch.add(Outcome(state, rec, "unchanged", body_sha, rules, tracking, quiet.region))
        return DocumentOutcome(state.id, state.url, "unchanged", ctx.source.id)
    if quiet.kind == "error" and not rec.error:
        rec = FetchRecord(**{**asdict(rec), "error": quiet.error})
    ctx.batch.add(Outcome(state, rec, quiet.kind, tracking=tracking))
    if quiet.kind == "error":
        return DocumentOutcome(state.id, state.url, "error", ctx.source.id, quiet.error)
    return DocumentOutcome(state.id, state.url, "unchanged", ctx.source.id)


def _rebased(ctx: Checking, state: DocumentState, rules: str) -> DocumentState:
    """When the extractor or the source's rules changed since the last version, the
    stored body is read again first, so this fetch is compared like with like."""
    if not (state.latest_seq and state.last_rules and state.last_rules != rules):
        return state
    # Imported here: re-extraction is the rare case of a new extractor or new rules.
    from monitor.cycle.reextract import rebase

    try:
        _, state = rebase(ctx.store, ctx.config, ctx.source, state)
    except (DecodeError, ExtractionError) as exc:
        log.info("%s: cannot re-extract %s: %s", ctx.source.id, state.url, exc)
    return state


def unchanged_region(source: Source, state: DocumentState, fetched: FetchResult) -> bool:
    """The element that held the text last time holds the same text, under the same
    rules: the fetch is unchanged without extraction (monitor/extract/region.py)."""
    if not (state.latest_seq and state.region_path and state.region_digest and fetched.ok):
        return False
    if fetched.not_modified or not fetched.body:
        return False
    if rules_fingerprint(source.select, source.remove) != state.last_rules:
        return False
    return region_holds_same_text(
        fetched.body or b"",
        fetched.content_type,
        state.url,
        state.region_path,
        state.region_digest,
    )
