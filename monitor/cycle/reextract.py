"""Re-extraction: read stored bodies again after the extractor or a source's rules change.

Why: the text of a version is what the extractor made of the bytes. When the
extractor improves or an operator edits `select:`/`remove:`, the same unchanged
page gives a different text; compared with the old text it would look like an
edit by the publisher, and every document of the source would alert at once.
Instead the stored body behind the latest version is extracted again and, where
the text differs, recorded as a version with origin "reextract": it is history
(shown as such), it never alerts, and later fetches are compared with it.

The cycle calls `rebase` itself when it meets a document whose rules changed,
so an upgrade without `monitor reextract` still produces no false edits;
`monitor reextract` does it for every document at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from monitor.analysis.assess import assess
from monitor.config import Config, Source
from monitor.cycle.stability import drop_volatile
from monitor.cycle.versioning import new_version
from monitor.diff import diff_words
from monitor.extract.article import ExtractionError, rules_fingerprint, text_hash
from monitor.extract.bodies import extract_body
from monitor.extract.decode import DecodeError
from monitor.store import DocumentState, FetchRecord, Store, StoredBody, utcnow

log = logging.getLogger(__name__)


@dataclass
class ReextractReport:
    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    no_snapshot: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "examined": self.examined,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "no_snapshot": self.no_snapshot,
            "errors": self.errors,
            "problems": self.problems,
        }


def rebase(
    store: Store,
    config: Config,
    source: Source,
    state: DocumentState,
    stored: StoredBody | None = None,
    *,
    dry_run: bool = False,
) -> tuple[str, DocumentState]:
    """Bring the document's latest version to the current rules; returns what happened
    ("changed", "unchanged", "no_snapshot") and the state to compare later fetches with.

    Raises DecodeError/ExtractionError when the stored body no longer extracts.
    """
    stored = stored or store.stored_body(state.id)
    if stored is None or stored.body is None:
        return "no_snapshot", state
    rules = rules_fingerprint(source.select, source.remove)
    page, encoding = extract_body(stored.body, stored.content_type, stored.url, source)
    text = drop_volatile(page.text, store.volatile_patterns(source.id))
    if not text:
        raise ExtractionError("the stored body yields no text under the current rules")
    digest = text_hash(text)
    if digest == stored.text_hash:
        return "unchanged", state
    if dry_run:
        return "changed", state
    ops = diff_words(stored.text, text)
    assessment = assess(config, stored.text, text, ops)
    now = utcnow()
    result = store.record_version(
        state,
        FetchRecord(url=stored.url, started_at=now, duration_ms=0.0),
        new_version(
            stored.body,
            stored.content_type,
            encoding or stored.encoding,
            replace(
                page,
                text=text,
                title=page.title or stored.title,
                published_at=page.published_at or stored.published_at,
            ),
            rules,
            ops,
            assessment,
        ),
        origin="reextract",
    )
    log.info("%s: re-extracted %s as v%d", source.id, stored.url, result.seq)
    (fresh,) = store.document_states([state.id])
    return "changed", fresh


def reextract(
    config: Config,
    store: Store,
    *,
    source_ids: list[str] | None = None,
    dry_run: bool = False,
) -> ReextractReport:
    """Re-extract the latest stored body of every versioned document (of some sources)."""
    report = ReextractReport()
    sources = {s.id: s for s in config.sources}
    for document_id in store.versioned_documents(source_ids):
        (state,) = store.document_states([document_id])
        source = sources.get(state.source_id)
        if source is None:
            continue  # a source no longer configured: its rules are unknown
        report.examined += 1
        try:
            outcome, _ = rebase(store, config, source, state, dry_run=dry_run)
        except (DecodeError, ExtractionError) as exc:
            report.errors += 1
            report.problems.append(f"#{state.id} {state.url}: {exc}")
            continue
        if outcome == "changed":
            report.changed += 1
        elif outcome == "unchanged":
            report.unchanged += 1
        else:
            report.no_snapshot += 1
    return report
