"""The procrastinate App: connector, schema, and the tasks workers run.

Units of work (one job each): `monitor.check_document` (fetch -> extract ->
version -> diff -> themes -> outbox, for one document), `monitor.discover_source`
(poll one source's due feeds, listings and sitemaps), `monitor.deliver_alerts`
(the outbox). `monitor.dispatch` is periodic: once per tick across all workers it
claims the due documents and queues their checks, queues discovery and delivery,
and puts back the jobs of workers whose heartbeat stopped.

Exactly one version per real change, whatever crashes: a job runs at least once;
its effects are decided by the database. A check reads the document's state when
it starts and records a version only on top of the latest one (`ConcurrentUpdate`
otherwise), so a check retried after its worker died sees the version the first
run committed and adds none; alerts are written in the version's transaction and
delivered by their own job under one lock, with the outbox's idempotency key.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from procrastinate import App, PsycopgConnector, exceptions
from procrastinate.jobs import Job

from monitor.cycle import check_documents, discover_source
from monitor.metrics import WORKER_JOBS
from monitor.queue.runtime import Runtime
from monitor.store import utcnow
from monitor.store.coordination import claim_due, conninfo

log = logging.getLogger(__name__)

QUEUES = ("checks", "discovery", "alerts", "dispatch")
CHECK_BATCH = 2000  # documents claimed per source and tick
# Fault injection for the crash tests: the worker dies right after a check has
# committed its version and before the job is marked done.
FAULT_ENV = "MONITOR_FAULT"


def build_app(
    database_url: str,
    runtime: Callable[[], Runtime],
    *,
    tick: int = 5,
    lease: float = 600.0,
    stalled_after: float = 30.0,
) -> App:
    """The App with its tasks; `runtime()` gives the running worker's Runtime.

    `tick`: seconds between dispatches; `lease`: how long a queued document is
    kept out of "due" (a check that never reports is due again after it);
    `stalled_after`: seconds without a heartbeat after which a worker's running
    jobs are put back in the queue.
    """
    app = App(connector=PsycopgConnector(conninfo=conninfo(database_url), min_size=1, max_size=4))

    def done(name: str) -> None:
        counts = runtime().done
        counts[name] = counts.get(name, 0) + 1
        WORKER_JOBS.labels(name).inc()

    @app.task(name="monitor.check_document", queue="checks")
    async def check_document(document_id: int, source_id: str, due_at: str | None = None) -> None:
        rt = runtime()
        await asyncio.to_thread(rt.refresh)
        since = datetime.fromisoformat(due_at) if due_at else None
        try:
            summary = await check_documents(
                rt.config, rt.store, rt.fetcher, source_id, [document_id], since
            )
        except LookupError:  # the source left the configuration meanwhile
            log.info("document %s: source %s is not configured", document_id, source_id)
            return
        if os.environ.get(FAULT_ENV) == "crash-after-check":
            os._exit(70)
        if (
            summary.documents
            and summary.errors
            and not (summary.new or summary.changed or summary.unchanged)
        ):
            log.info("document %s: %s", document_id, summary.documents[0].error)
        done("check_document")

    @app.task(name="monitor.discover_source", queue="discovery")
    async def discover(source_id: str) -> None:
        rt = runtime()
        await asyncio.to_thread(rt.refresh)
        try:
            summary = await discover_source(rt.config, rt.store, rt.fetcher, source_id)
        except LookupError:
            return
        for error in summary.discovery_errors:
            log.warning("%s", error)
        done("discover_source")

    @app.task(name="monitor.deliver_alerts", queue="alerts")
    async def deliver_alerts() -> None:
        rt = runtime()
        # Under the "alerts" lock no other delivery runs, so a row left `sending`
        # is one a dead worker left: recover it first (as a restart does).
        await asyncio.to_thread(rt.dispatcher.recover)
        result = await rt.dispatcher.run_once()
        if result.sent or result.failed or result.retried:
            log.info("alerts: sent %d, retry later %d, failed %d", *_counts(result))
        done("deliver_alerts")

    @app.periodic(cron=f"* * * * * */{tick}", periodic_id="dispatch")
    @app.task(name="monitor.dispatch", queue="dispatch", queueing_lock="dispatch")
    async def dispatch(timestamp: int) -> None:
        rt = runtime()
        await asyncio.to_thread(rt.refresh)
        queued = 0
        for source in rt.config.sources:
            due_at = utcnow().isoformat()
            ids = await asyncio.to_thread(
                claim_due, rt.store, source.id, CHECK_BATCH, lease, source.interval
            )
            queued += await _defer_checks(app, source.id, ids, due_at)
            await _defer_once(discover, f"discover:{source.id}", source_id=source.id)
        await _defer_once(deliver_alerts, "alerts")
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
            log.warning("job %s (%s) stalled on a dead worker: queued again", job.id, job.task_name)
            await app.job_manager.retry_job(job)
        if queued:
            log.info("dispatch: %d checks queued", queued)
        done("dispatch")

    return app


def _counts(result: Any) -> tuple[int, int, int]:
    return result.sent, result.retried, result.failed


async def _defer_once(task: Any, key: str, **kwargs: Any) -> bool:
    """Queue a job unless one with this key waits already; one at a time runs."""
    try:
        await task.configure(queueing_lock=key, lock=key).defer_async(**kwargs)
    except exceptions.AlreadyEnqueued:
        return False
    return True


async def _defer_checks(app: App, source_id: str, ids: list[int], due_at: str) -> int:
    """One check job per document: waiting once (queueing lock) and running once
    (lock), whichever worker dispatched it. One INSERT per batch; a batch holding
    a document whose job still waits is refused whole, and then goes job by job."""
    jobs = [
        Job(
            queue="checks",
            task_name="monitor.check_document",
            lock=f"doc:{i}",
            queueing_lock=f"doc:{i}",
            task_kwargs={"document_id": i, "source_id": source_id, "due_at": due_at},
        )
        for i in ids
    ]
    queued = 0
    for start in range(0, len(jobs), 500):
        batch = jobs[start : start + 500]
        try:
            await app.job_manager.batch_defer_jobs_async(batch)
            queued += len(batch)
            continue
        except exceptions.AlreadyEnqueued:
            pass
        for job in batch:
            try:
                await app.job_manager.defer_job_async(job)
            except exceptions.AlreadyEnqueued:
                continue
            queued += 1
    return queued
