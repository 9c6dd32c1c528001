"""Check one document: what one fetch means, and recording it.

classify (error, 304, same bytes, same text) -> read (extract, drop volatile
lines) -> compare (diff with the stored text) -> assess (themes, summary,
significance) -> record (version, change, event and alerts in one transaction).
Runs in the cycle's writer thread; pure apart from the store it is given.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace

from monitor.alerts.build import drafts_for
from monitor.analysis.assess import Assessment, assess
from monitor.config import Config, Source
from monitor.cycle.outcome import DocumentOutcome, OutcomeBatch
from monitor.cycle.reextract import rebase
from monitor.cycle.schedule import tracking_for
from monitor.cycle.stability import drop_volatile
from monitor.cycle.versioning import new_version, region_of
from monitor.diff import DiffOps, diff_words
from monitor.extract.article import Extracted, ExtractionError, rules_fingerprint, text_hash
from monitor.extract.bodies import extract_body, same_region
from monitor.extract.decode import DecodeError
from monitor.fetch.client import FetchResult
from monitor.store import (
    AlertDraft,
    DatabaseError,
    DocumentState,
    FetchRecord,
    Outcome,
    Store,
    Tracking,
    sha256,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checking:
    """What processing a fetch needs besides the fetch: one per source and cycle.

    `volatile`: the source's learned volatile line patterns
    (monitor/cycle/stability.py), dropped from the new text and, for the
    comparison, from the stored one.
    """

    store: Store
    config: Config
    source: Source
    batch: OutcomeBatch
    volatile: frozenset[str] = frozenset()


def _document(state: DocumentState, seq: int, title: str | None = None) -> dict[str, object]:
    return {"id": state.id, "url": state.url, "title": title, "origin": state.origin, "seq": seq}


def _tracking(
    ctx: Checking, state: DocumentState, fetched: FetchResult, rec: FetchRecord, changed: bool
) -> Tracking:
    """When to look again, and the alerts a document's disappearance (or return) raises."""
    tracking = tracking_for(state, fetched, ctx.config.recheck, rec.started_at, changed)
    if tracking.presence and ctx.config.subscriptions:
        drafts = drafts_for(
            ctx.config,
            event=tracking.presence,
            source=ctx.source,
            document=_document(state, state.latest_seq),
            versions={"from": None, "to": state.latest_seq or None},
            at=rec.started_at,
            themes=ctx.store.latest_themes(state.id),
        )
        tracking = replace(tracking, alerts=tuple(drafts))
    return tracking


class _Quiet(Exception):
    """Processing ends without a version: `kind` unchanged | not_modified | error."""

    def __init__(
        self, kind: str, error: str | None = None, region: tuple[str, str] | None = None
    ) -> None:
        super().__init__(kind)
        self.kind, self.error, self.region = kind, error, region


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
        return _settle_quietly(ctx, state, fetched, rec, rules, _Quiet("error", fetched.error))
    if fetched.not_modified:
        return _settle_quietly(ctx, state, fetched, rec, rules, _Quiet("not_modified"))
    state = _rebased(ctx, state, rules)
    body_sha = sha256(fetched.body or b"")
    try:
        if body_sha == state.last_body_sha256 and rules == state.last_rules:
            raise _Quiet("unchanged")
        if same_region is None and extracted is None:
            same_region = unchanged_region(ctx.source, state, fetched)
        if same_region and rules == state.last_rules:
            raise _Quiet("unchanged")
        page, encoding = _read(ctx, state, fetched, extracted)
        previous, ops = _compare(ctx, state, page.text, region_of(page))
    except _Quiet as quiet:
        return _settle_quietly(ctx, state, fetched, rec, rules, quiet, body_sha)
    assessment = assess(ctx.config, previous, page.text, ops)
    stored = ctx.store.record_version(
        state,
        rec,
        new_version(
            fetched.body or b"", fetched.content_type, encoding, page, rules, ops, assessment
        ),
        _tracking(ctx, state, fetched, rec, True),
        _drafts(ctx, state, rec, page, ops, assessment),
    )
    # Imported here: family matching brings NumPy; a check with nothing new or
    # changed never needs it.
    from monitor.cycle.families import place

    try:
        place(
            ctx.store,
            ctx.config,
            ctx.source,
            state.id,
            page.text,
            page.title,
            previous,
            rec.started_at,
        )
    except DatabaseError:
        raise  # the store's own trouble (full, read-only, gone): the cycle says it once
    except Exception:  # a family is an extra: the version and its alerts are stored
        log.exception("%s: document %s: family matching failed", ctx.source.id, state.id)
    return DocumentOutcome(state.id, state.url, stored.event, ctx.source.id, seq=stored.seq)


def _settle_quietly(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    rules: str,
    quiet: _Quiet,
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
    try:
        _, state = rebase(ctx.store, ctx.config, ctx.source, state)
    except (DecodeError, ExtractionError) as exc:
        log.info("%s: cannot re-extract %s: %s", ctx.source.id, state.url, exc)
    return state


def _read(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    extracted: tuple[Extracted, str | None] | None,
) -> tuple[Extracted, str | None]:
    """The page's text, without the source's volatile lines."""
    try:
        page, encoding = extracted or extract_body(
            fetched.body or b"", fetched.content_type, state.url, ctx.source, state.extractor
        )
    except (DecodeError, ExtractionError) as exc:
        raise _Quiet("error", str(exc)) from None
    if ctx.volatile:
        page = replace(page, text=drop_volatile(page.text, ctx.volatile))
        if not page.text:
            raise _Quiet("error", "only volatile lines left")
    if text_hash(page.text) == state.latest_text_hash:
        raise _Quiet("unchanged", region=region_of(page))
    return page, encoding


def unchanged_region(source: Source, state: DocumentState, fetched: FetchResult) -> bool:
    """The element that held the text last time holds the same text, under the same
    rules: the fetch is unchanged without extraction (monitor/extract/region.py)."""
    if not (state.latest_seq and state.region_path and state.region_digest and fetched.ok):
        return False
    if fetched.not_modified or not fetched.body:
        return False
    if rules_fingerprint(source.select, source.remove) != state.last_rules:
        return False
    return same_region(
        fetched.body or b"",
        fetched.content_type,
        state.url,
        state.region_path,
        state.region_digest,
    )


def _compare(
    ctx: Checking, state: DocumentState, text: str, region: tuple[str, str] | None
) -> tuple[str | None, DiffOps | None]:
    """(stored text, word diff to the new one); (None, None) for a first version."""
    if not state.latest_seq:
        return None, None
    previous = ctx.store.version_text(state.id, state.latest_seq) or ""
    if ctx.volatile:
        # Lines learned as volatile after the last version are not part of the
        # change: compare (and show the diff) without them.
        previous = drop_volatile(previous, ctx.volatile)
        if previous == text:
            raise _Quiet("unchanged", region=region)
    return previous, diff_words(previous, text)


def _drafts(
    ctx: Checking,
    state: DocumentState,
    rec: FetchRecord,
    page: Extracted,
    ops: DiffOps | None,
    assessment: Assessment,
) -> list[AlertDraft]:
    if not ctx.config.subscriptions:
        return []
    return drafts_for(
        ctx.config,
        event="changed" if state.latest_seq else "new",
        source=ctx.source,
        document=_document(state, state.latest_seq + 1, page.title),
        versions={"from": state.latest_seq or None, "to": state.latest_seq + 1},
        at=rec.started_at,
        assessment=assessment,
        ops=ops,
        text=page.text,
    )
