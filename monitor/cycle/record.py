"""Recording a new or changed text: read it, compare it, assess it, store it.

The part of checking a document that only runs when the bytes say something
may have changed (monitor/cycle/process.py decides that first). It is a module
of its own because what it needs — BeautifulSoup and the extractors, the word
diff, themes and summaries, alert rendering, NumPy for families — costs most of
a process's start-up, and a check where nothing changed never needs any of it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from monitor.alerts.build import drafts_for
from monitor.analysis.assess import Assessment, assess
from monitor.cycle.families import place
from monitor.cycle.outcome import Checking, DocumentOutcome, Quiet
from monitor.cycle.stability import drop_volatile
from monitor.cycle.versioning import new_version, region_of
from monitor.diff import DiffOps, diff_words
from monitor.extract.article import Extracted, ExtractionError, text_hash
from monitor.extract.bodies import extract_body
from monitor.extract.decode import DecodeError
from monitor.fetch.client import FetchResult
from monitor.store import AlertDraft, DatabaseError, DocumentState, FetchRecord, Tracking

log = logging.getLogger(__name__)


def document_of(state: DocumentState, seq: int, title: str | None = None) -> dict[str, object]:
    """The document as an alert describes it."""
    return {"id": state.id, "url": state.url, "title": title, "origin": state.origin, "seq": seq}


def presence_drafts(
    ctx: Checking, state: DocumentState, event: str, rec: FetchRecord
) -> tuple[AlertDraft, ...]:
    """The alerts a document's disappearance (`removed`) or return (`restored`) raises."""
    return tuple(
        drafts_for(
            ctx.config,
            event=event,
            source=ctx.source,
            document=document_of(state, state.latest_seq),
            versions={"from": None, "to": state.latest_seq or None},
            at=rec.started_at,
            themes=ctx.store.latest_themes(state.id),
        )
    )


def read(
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
        raise Quiet("error", str(exc)) from None
    if ctx.volatile:
        page = replace(page, text=drop_volatile(page.text, ctx.volatile))
        if not page.text:
            raise Quiet("error", "only volatile lines left")
    if text_hash(page.text) == state.latest_text_hash:
        raise Quiet("unchanged", region=region_of(page))
    return page, encoding


def compare(
    ctx: Checking, state: DocumentState, page: Extracted
) -> tuple[str | None, DiffOps | None]:
    """(stored text, word diff to the new one); (None, None) for a first version."""
    text = page.text
    if not state.latest_seq:
        return None, None
    previous = ctx.store.version_text(state.id, state.latest_seq) or ""
    if ctx.volatile:
        # Lines learned as volatile after the last version are not part of the
        # change: compare (and show the diff) without them.
        previous = drop_volatile(previous, ctx.volatile)
        if previous == text:
            raise Quiet("unchanged", region=region_of(page))
    return previous, diff_words(previous, text)


def record(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    rules: str,
    read_page: tuple[Extracted, str | None],
    compared: tuple[str | None, DiffOps | None],
    tracking: Tracking,
) -> DocumentOutcome:
    """Store the new version, its change, event and alerts in one transaction, then
    place the text in its family."""
    page, encoding = read_page
    previous, ops = compared
    assessment = assess(ctx.config, previous, page.text, ops)
    stored = ctx.store.record_version(
        state,
        rec,
        new_version(
            fetched.body or b"", fetched.content_type, encoding, page, rules, ops, assessment
        ),
        tracking,
        _drafts(ctx, state, rec, page, ops, assessment),
    )
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
        document=document_of(state, state.latest_seq + 1, page.title),
        versions={"from": state.latest_seq or None, "to": state.latest_seq + 1},
        at=rec.started_at,
        assessment=assessment,
        ops=ops,
        text=page.text,
    )
