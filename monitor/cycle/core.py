"""The cycle's shared machinery: the fetcher, the single writer thread, the
volatile patterns learned so far, the summary, and settling one fetch.

Downloads run concurrently on the event loop; processing (decode, extract,
diff, store) runs in one worker thread, so the loop keeps serving the network
while writes to the database stay serialised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from monitor.config import Config, Source
from monitor.cycle.outcome import Checking, CycleSummary, DocumentOutcome, OutcomeBatch
from monitor.cycle.process import process
from monitor.extract.page import Extracted
from monitor.fetch.client import Fetcher, FetchResult
from monitor.metrics import FETCHES, PROCESS_SECONDS
from monitor.store import ConcurrentUpdate, DocumentState, FetchRecord, StorageUnavailable, Store

log = logging.getLogger(__name__)


def _timed_process(
    ctx: Checking,
    state: DocumentState,
    fetched: FetchResult,
    rec: FetchRecord,
    extracted: tuple[Extracted, str | None] | None,
    same_region: bool | None,
) -> DocumentOutcome:
    with PROCESS_SECONDS.time():
        return process(ctx, state, fetched, rec, extracted, same_region)


T = TypeVar("T")


class Cycle:
    """What one check cycle shares: fetcher, the single writer thread, the summary.

    Downloads run concurrently on the event loop; everything that parses or
    writes runs in the writer thread, so the database sees one writer.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        on_document: Callable[[DocumentOutcome], None] | None,
        *,
        force: bool = False,
    ) -> None:
        self.config, self.store, self.fetcher = config, store, fetcher
        # force: poll every feed, listing and sitemap now, due or not (`monitor check`).
        self.force = force
        self.on_document = on_document
        self.summary = CycleSummary()
        self.loop = asyncio.get_running_loop()
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-store")
        self.batch = OutcomeBatch(store)
        self._volatile: dict[str, frozenset[str]] = {}
        # Set when the database refused a write (read-only, full) or the cycle
        # closed: the checks still running end with it instead of each failing
        # on a writer thread that is gone.
        self.stopped: StorageUnavailable | None = None

    async def in_writer(self, fn: Callable[..., T], *args: Any) -> T:
        if self.stopped is not None:
            raise self.stopped
        return await self.loop.run_in_executor(self.writer, fn, *args)

    def report(self, outcome: DocumentOutcome) -> None:
        FETCHES.labels(outcome.source, outcome.event).inc()
        if outcome.event == "error":
            log.warning(
                "%s %s: %s",
                outcome.source,
                outcome.url,
                outcome.error,
                extra={"source": outcome.source, "document": outcome.id, "url": outcome.url},
            )
        self.summary.add(outcome)
        if self.on_document:
            self.on_document(outcome)

    async def settle(
        self,
        source: Source,
        state: DocumentState,
        fetched: FetchResult,
        rec: FetchRecord,
        extracted: tuple[Extracted, str | None] | None = None,
        same_region: bool | None = None,
    ) -> DocumentOutcome:
        """Process one fetch in the writer thread; a failure stays with its document."""
        ctx = Checking(self.store, self.config, source, self.batch, await self.volatile(source.id))
        try:
            outcome = await self.in_writer(
                _timed_process, ctx, state, fetched, rec, extracted, same_region
            )
        except ConcurrentUpdate as exc:
            outcome = DocumentOutcome(state.id, state.url, "error", source.id, str(exc))
        except StorageUnavailable as exc:
            self.stopped = self.stopped or exc
            raise  # read-only or full: every other document would fail the same way
        except Exception as exc:  # a bug must not end the cycle for other documents
            log.exception("processing %s failed", state.url)
            outcome = DocumentOutcome(
                state.id,
                state.url,
                "error",
                source.id,
                f"internal error: {type(exc).__name__}: {exc}",
            )
        self.report(outcome)
        return outcome

    async def volatile(self, source_id: str) -> frozenset[str]:
        """The source's volatile line patterns, read once per cycle."""
        if source_id not in self._volatile:
            self._volatile[source_id] = await self.in_writer(
                self.store.volatile_patterns, source_id
            )
        return self._volatile[source_id]

    def learned(self, source_id: str, patterns: frozenset[str]) -> None:
        """Volatile patterns learned during this cycle apply to its later checks."""
        self._volatile[source_id] = self._volatile.get(source_id, frozenset()) | patterns

    async def close(self) -> None:
        # In the writer thread, after every queued process() call.
        try:
            await self.in_writer(self.batch.flush)
        finally:
            self.stopped = self.stopped or StorageUnavailable("the check cycle has ended")
            self.writer.shutdown(wait=True)
