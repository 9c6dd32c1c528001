"""What checking documents produced: per document, per cycle, and the batch of
quiet outcomes waiting to be written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from monitor.config import Config, Source
from monitor.fetch.client import FetchResult
from monitor.store import FetchRecord, Outcome, Store


@dataclass
class DocumentOutcome:
    id: int
    url: str
    event: str  # new | changed | unchanged | error
    source: str
    error: str | None = None
    seq: int | None = None


@dataclass
class CycleSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    ignored: int = 0  # discovered documents judged not relevant
    documents: list[DocumentOutcome] = field(default_factory=list)
    discovery_errors: list[str] = field(default_factory=list)
    polled: int = 0  # feeds, listings and sitemaps that answered
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Something failed and nothing succeeded: no document, no feed answered."""
        worked = self.new or self.changed or self.unchanged or self.polled
        return bool(self.errors or self.discovery_errors) and not worked

    def add(self, outcome: DocumentOutcome) -> None:
        self.documents.append(outcome)
        if outcome.event == "new":
            self.new += 1
        elif outcome.event == "changed":
            self.changed += 1
        elif outcome.event == "error":
            self.errors += 1
        else:
            self.unchanged += 1

    def as_json(self) -> dict[str, object]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "ignored": self.ignored,
            "polled": self.polled,
            "discovery_errors": self.discovery_errors,
            "seconds": round(self.seconds, 3),
            "documents": [
                {k: v for k, v in asdict(d).items() if v is not None} for d in self.documents
            ],
        }


class OutcomeBatch:
    """Version-less outcomes (304s, unchanged texts, errors) written in batches.

    Why: a commit per quiet document would cost more CPU than fetching it. Only
    fetch-log rows and validators can wait; versions are written at once.
    """

    def __init__(self, store: Store, size: int = 200) -> None:
        self.store, self.size, self.pending = store, size, list[Outcome]()

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        self.store.record_outcomes(pending)


def fetch_record(url: str, started_at: datetime, fetched: FetchResult) -> FetchRecord:
    return FetchRecord(
        url=url,
        started_at=started_at,
        duration_ms=fetched.duration_ms,
        status_code=fetched.status,
        final_url=fetched.final_url,
        error=fetched.error,
        bytes=len(fetched.body) if fetched.body is not None else None,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        full_fetch=not fetched.conditional and fetched.ok,
    )


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


class Quiet(Exception):
    """Processing ends without a version: `kind` unchanged | not_modified | error."""

    def __init__(
        self, kind: str, error: str | None = None, region: tuple[str, str] | None = None
    ) -> None:
        super().__init__(kind)
        self.kind, self.error, self.region = kind, error, region
