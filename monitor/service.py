"""`monitor run`: the long-running service in one process.

One asyncio loop holds the APScheduler 3.x scheduler (a job per source, on its
interval with jitter, never two at once, missed runs coalesced), the alert
dispatcher, the health checks, and the web UI (uvicorn) unless disabled.
SIGHUP (or a changed file, with --watch-config) reloads the configuration; a
file that does not validate is refused and the running one stays. SIGTERM and
SIGINT stop taking work, let what is in flight finish within the grace period
(each document is one transaction, so anything cut off rolls back), and exit 0;
a second signal cuts the wait short. The signals are ours alone: uvicorn is kept
from installing its own handlers, which would stop the web UI and bypass the grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from monitor.alerts import Dispatcher, check_health, source_problem
from monitor.config import Config, ConfigError, Source, database_url, load_config
from monitor.cycle import Preview, preview_page, run_cycle
from monitor.fetch.client import Fetcher
from monitor.metrics import CHECKS, SCHEDULER_LAG
from monitor.store import StorageUnavailable, Store

log = logging.getLogger("monitor.service")

DISPATCH_EVERY = 5.0  # seconds between outbox passes
HEALTH_EVERY = 60.0
WATCH_EVERY = 2.0


class Service:
    def __init__(
        self,
        config_path: str | None,
        db: str | None,
        *,
        web: bool = True,
        host: str = "127.0.0.1",
        port: int = 8080,
        watch_config: bool = False,
        grace: float = 30.0,
        workers: int = 0,
    ) -> None:
        self.config_path = Path(config_path or os.environ.get("MONITOR_CONFIG") or "sources.yaml")
        self.file_config: Config = load_config(self.config_path)
        self.store = Store(database_url(db, self.file_config))
        self.config = self._with_stored_sources(self.file_config)
        self.web, self.host, self.port = web, host, port
        # > 0: checks go through the job queue (PostgreSQL), this many at once here
        self.workers = workers
        self.db_url = database_url(db, self.config)
        if workers and not self.db_url.startswith("postgresql"):
            raise ConfigError(
                "--workers needs PostgreSQL (the job queue lives there); "
                "on SQLite `monitor run` schedules the checks itself"
            )
        self.runtimes: list[Any] = []  # the in-process worker's, for /metrics
        self.watch_config, self.grace = watch_config, grace
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.dispatcher = Dispatcher(self.config, self.store)
        self.fetcher: Fetcher | None = None
        self._retiring: set[asyncio.Task[None]] = set()  # replaced fetchers, closing
        self.last_started: dict[str, datetime] = {}
        self.started_at = datetime.now(UTC)
        self.stopping = asyncio.Event()
        self._hurry = asyncio.Event()  # a second signal: cut off work in flight now
        self.checked: set[str] = set()  # sources checked at least once since the start
        self._offline_told = False
        self.in_flight: set[asyncio.Task[Any]] = set()
        self.app: Any = None
        self._health_at = 0.0
        self._storage_fault: str | None = None  # the read-only/full condition last logged

    # --- jobs ------------------------------------------------------------------

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def check(self, source_id: str) -> None:
        if self.stopping.is_set() or self.fetcher is None:
            return
        self._track()
        self.last_started[source_id] = datetime.now(UTC)
        try:
            summary = await run_cycle(
                self.config, self.store, source_ids=[source_id], fetcher=self.fetcher
            )
        except ConfigError:  # the source was removed by a reload meanwhile
            return
        except asyncio.CancelledError:
            if not self.stopping.is_set():
                raise
            # Cut off at the shutdown deadline: the open document rolled back. Ending
            # normally keeps APScheduler from logging the cancellation as a crash.
            log.warning("check of source %s cut off at the deadline", source_id)
            return
        except StorageUnavailable as exc:
            CHECKS.labels(source_id, "failed").inc()
            self._storage_trouble(exc)
            return
        except Exception:
            CHECKS.labels(source_id, "failed").inc()
            log.exception("check of source %s failed", source_id, extra={"source": source_id})
            self._tell_network(source_id)
            return
        CHECKS.labels(source_id, "ok").inc()
        if self._storage_fault:
            self._storage_fault = None
            log.warning("storing works again")
        log.info(
            "source %s: new %d, changed %d, unchanged %d, errors %d, discovery errors %d, "
            "not relevant %d (%.1fs)",
            source_id,
            summary.new,
            summary.changed,
            summary.unchanged,
            summary.errors,
            len(summary.discovery_errors),
            summary.ignored,
            summary.seconds,
            extra={"source": source_id},
        )
        self._tell_network(source_id)

    def _tell_network(self, source_id: str) -> None:
        """Once every source has been tried and no host answered at all, say so in
        one line (per-URL errors alone read like many separate problems); say so
        again when a host answers."""
        self.checked.add(source_id)
        verdict = self.fetcher.network.verdict() if self.fetcher else None
        if verdict and not self._offline_told:
            if all(s.id in self.checked for s in self.config.sources):
                self._offline_told = True
                log.error(verdict)
        elif verdict is None and self._offline_told:
            self._offline_told = False
            log.warning("network reachable again: a source answers")

    def _storage_trouble(self, exc: StorageUnavailable) -> None:
        """Log a read-only or full database once per condition, not a traceback per
        source, cycle and dispatch: it lasts until someone frees space or makes the
        database writable, and every job retries on its own schedule meanwhile."""
        if str(exc) != self._storage_fault:
            self._storage_fault = str(exc)
            log.error("storing is impossible; checks and alerts retry on schedule: %s", exc)

    async def dispatch(self) -> None:
        if self.stopping.is_set():
            return
        self._track()
        try:
            await self._dispatch()
        except asyncio.CancelledError:
            if not self.stopping.is_set():
                raise
            # Cut off at the deadline: an alert left `sending` is recovered at the next
            # start (the receiver deduplicates by Idempotency-Key).
            log.warning("alert dispatch cut off at the deadline")

    async def _dispatch(self) -> None:
        now = datetime.now(UTC)
        if now.timestamp() - self._health_at >= HEALTH_EVERY:
            self._health_at = now.timestamp()
            try:
                await asyncio.to_thread(
                    check_health, self.config, self.store, now, dict(self.last_started)
                )
            except StorageUnavailable as exc:
                self._storage_trouble(exc)
            except Exception:
                log.exception("health check failed")
        if self.workers:
            return  # alerts are delivered by the job queue's own jobs
        try:
            result = await self.dispatcher.run_once()
        except StorageUnavailable as exc:
            self._storage_trouble(exc)
            return
        except Exception:
            log.exception("alert dispatch failed")
            return
        if result.sent or result.failed or result.retried:
            done = (result.sent, result.retried, result.failed)
            log.info("alerts: sent %d, retry later %d, failed %d", *done)

    async def _jobs(self) -> None:
        """`--workers N`: the job queue's worker in this process, until stopping."""
        from monitor.queue.worker import serve_jobs

        try:
            await serve_jobs(
                self.config,
                self.store,
                self.db_url,
                self.stopping,
                concurrency=self.workers,
                grace=self.grace,
                runtime=self.runtimes,
            )
        except Exception:
            log.exception("the job worker stopped; the service stops too")
            self.stopping.set()

    def _schedule(self, source: Source, first: bool) -> None:
        self.scheduler.add_job(
            self.check,
            IntervalTrigger(seconds=source.interval, jitter=min(60, source.interval / 10)),
            args=(source.id,),
            id=source.id,
            name=source.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
            next_run_time=datetime.now(UTC) if first else None,
        )

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        if event.job_id.startswith("_") or not event.scheduled_run_times:
            return
        lag = (datetime.now(UTC) - event.scheduled_run_times[0]).total_seconds()
        SCHEDULER_LAG.labels(event.job_id).set(max(0.0, lag))

    # --- configuration ------------------------------------------------------------

    def reload(self) -> bool:
        """Apply a new configuration, or refuse it and keep the running one."""
        try:
            from_file = load_config(self.config_path)
            new = self._with_stored_sources(from_file)
        except ConfigError as exc:
            log.error("reload refused, the running configuration stays: %s", exc)
            return False
        self.file_config = from_file
        old = {s.id: s for s in self.config.sources}
        for source in new.sources:
            previous = old.pop(source.id, None)
            if previous is None or previous.interval != source.interval:
                self._schedule(source, first=previous is None)
        for gone in old:
            self.scheduler.remove_job(gone)
            self.last_started.pop(gone, None)
        if new.database_url != self.config.database_url:
            log.warning("database_url changed: it takes effect at the next restart")
        if new.fetch != self.config.fetch:
            self._replace_fetcher(new)
        # Everything that reads the configuration gets the new one here, and only here.
        self.config = new
        self.dispatcher.config = new
        if self.app is not None:
            self.app.state.config = new
            self.app.state.base_config = from_file
        self.store.sync_sources((s.id, s.name) for s in new.sources)
        log.info("configuration reloaded: %d sources", len(new.sources))
        return True

    def check_now(self, source_id: str, document_id: int | None) -> None:
        """The web UI's "check now": due at once, and the source's check started
        now (with workers, their next dispatch queues it)."""
        self.store.make_due(source_id, document_id)
        if not self.workers and self.scheduler.get_job(source_id) is not None:
            self.scheduler.modify_job(source_id, next_run_time=datetime.now(UTC))

    async def _preview(self, source: Source, url: str) -> Preview:
        if self.fetcher is None:
            async with Fetcher(self.config.fetch) as fetcher:
                return await preview_page(fetcher, source, url)
        return await preview_page(self.fetcher, source, url)

    def _with_stored_sources(self, config: Config) -> Config:
        """sources.yaml joined with the sources managed in the web UI."""
        from monitor.config.stored import merge_sources

        merged, problems = merge_sources(
            config, self.store.stored_sources(), self.store.user_subscriptions()
        )
        for problem in problems:
            log.warning("%s", problem)
        return merged

    def _replace_fetcher(self, new: Config) -> None:
        """New `fetch:` settings take effect for checks started from now on; the old
        fetcher is closed once the checks already using it have finished."""
        old = self.fetcher
        if old is None:
            return  # not started yet: run() builds it from the new configuration
        self.fetcher = Fetcher(new.fetch)
        log.info("fetch settings changed: new checks use them")
        running = list(self.in_flight)

        async def retire() -> None:
            await asyncio.gather(*running, return_exceptions=True)
            await old.aclose()

        task = asyncio.get_running_loop().create_task(retire())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _watch(self) -> None:
        def mtime() -> float:
            try:
                return self.config_path.stat().st_mtime
            except OSError:
                return 0.0

        seen = mtime()
        while not self.stopping.is_set():
            await asyncio.sleep(WATCH_EVERY)
            now = mtime()
            if now != seen:
                seen = now
                log.info("%s changed on disk", self.config_path)
                self.reload()

    # --- readiness ------------------------------------------------------------------

    def readiness(self) -> dict[str, Any]:
        """What /readyz reports: database, scheduler, stalls, failing sources, network."""
        problems: list[str] = []
        if self.stopping.is_set():
            problems.append("shutting down")
        if (trouble := self.store.ping()) is not None:
            problems.append(f"database unreachable: {trouble.partition(':')[0]}")
        if not self.scheduler.running:
            problems.append("scheduler not running")
        verdict = self.fetcher.network.verdict() if self.fetcher else None
        if verdict:
            problems.append(verdict)
        now = datetime.now(UTC)
        for source in self.config.sources:
            since = self.last_started.get(source.id, self.started_at)
            if (now - since).total_seconds() > 3 * source.interval + 60:
                problems.append(f"no check of {source.id} started for 3 intervals")
        try:
            health = self.store.source_health()
        except Exception:
            health = {}
        limit = self.config.alerts.source_failing_after
        for source in self.config.sources:
            problem = source_problem(source.id, health.get(source.id), now, limit)
            if problem:
                problems.append(problem)
        report: dict[str, Any] = {"ready": not problems, "problems": problems}
        if self.workers:
            report["queue"] = self._queue_readiness(problems)
            report["ready"] = not problems
        return report

    def _queue_readiness(self, problems: list[str]) -> dict[str, Any]:
        """With workers: the queue's depth, its oldest due check, stalled jobs."""
        try:
            figures = self.store.queue_figures()
        except Exception as exc:
            problems.append(f"job queue unreadable: {type(exc).__name__}")
            return {}
        if figures is None:
            problems.append("job queue not set up yet")
            return {}
        overdue = figures.oldest_due_seconds or 0.0
        if figures.workers == 0:
            problems.append("no worker has a recent heartbeat")
        if figures.stalled:
            problems.append(f"{figures.stalled} job(s) stalled on dead workers")
        longest = max((s.interval for s in self.config.sources), default=3600.0)
        if overdue > longest + 600:
            problems.append(f"checks overdue by {overdue:.0f}s: more work than the workers do")
        return {
            "waiting": sum(n for (_, status), n in figures.counts.items() if status == "todo"),
            "running": sum(n for (_, status), n in figures.counts.items() if status == "doing"),
            "oldest_waiting_seconds": figures.oldest_todo_seconds,
            "oldest_due_seconds": figures.oldest_due_seconds,
            "stalled": figures.stalled,
            "workers": figures.workers,
            "done_here": dict(self.runtimes[0].done) if self.runtimes else {},
        }

    # --- lifecycle -------------------------------------------------------------------

    async def _web(self) -> Any:
        import uvicorn

        from monitor.web.app import create_app
        from monitor.web.ops import ops_router

        class Server(uvicorn.Server):
            """uvicorn minus its signal handlers: ours stop the service gracefully,
            and the web UI keeps answering (/readyz says "shutting down") meanwhile."""

            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        self.app = create_app(
            self.config,
            self.store,
            token=os.environ.get("MONITOR_WEB_TOKEN"),
            extra_routers=[ops_router(self)],
            bind_host=self.host,
            base_config=self.file_config,
        )
        # A source changed in the UI is scheduled (or unscheduled) at once; "check
        # now" starts its check; a preview reads a page with this service's fetcher.
        self.app.state.sources_changed = self.reload
        self.app.state.check_now = self.check_now
        self.app.state.preview = self._preview
        return Server(
            uvicorn.Config(
                self.app, host=self.host, port=self.port, log_level="warning", lifespan="off"
            )
        )

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.stopping.is_set():
            log.warning("%s again: cutting off work in flight now", sig.name)
            self._hurry.set()
        else:
            self.stopping.set()

    async def _drain(self) -> None:
        """Let the jobs in flight finish within the grace period, then cut off the
        rest. The scheduler is only paused meanwhile: APScheduler's shutdown cancels
        every running job at once, whatever `wait` says."""
        pending = {t for t in self.in_flight if not t.done()}
        if not pending:
            return
        all_done = asyncio.create_task(asyncio.wait(pending))
        hurry = asyncio.create_task(self._hurry.wait())
        await asyncio.wait(
            {all_done, hurry}, timeout=self.grace, return_when=asyncio.FIRST_COMPLETED
        )
        all_done.cancel()
        hurry.cancel()
        late = {t for t in pending if not t.done()}
        if late:
            for task in late:
                task.cancel()  # the document in its transaction rolls back
            await asyncio.wait(late, timeout=5)
            log.warning("%d job%s cut off at the deadline", len(late), "s" * (len(late) > 1))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.store.sync_sources((s.id, s.name) for s in self.config.sources)
        self.dispatcher.recover()
        self.scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        tasks: list[asyncio.Task[Any]] = []
        # Built before the scheduler starts: importing and building the app takes
        # a moment during which the first runs would otherwise fall due and be missed.
        server = await self._web() if self.web else None
        self.fetcher = Fetcher(self.config.fetch)
        try:
            if self.workers:
                tasks.append(asyncio.create_task(self._jobs()))
            for source in self.config.sources if not self.workers else ():
                self._schedule(source, first=True)
            self.scheduler.add_job(
                self.dispatch,
                IntervalTrigger(seconds=DISPATCH_EVERY),
                id="_dispatch",
                name="alert dispatcher",
                max_instances=1,
                coalesce=True,
                # A late outbox pass is still wanted: never skip one as "missed".
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),
            )
            self.scheduler.start()
            if server is not None:
                tasks.append(asyncio.create_task(server.serve()))
            watcher = asyncio.create_task(self._watch()) if self.watch_config else None
            log.info(
                "watching %d sources%s; stop with Ctrl-C",
                len(self.config.sources),
                f", web UI on http://{self.host}:{self.port}" if self.web else "",
            )
            await self.stopping.wait()
            log.info("stopping: no new checks; waiting up to %gs for work in flight", self.grace)
            self.scheduler.pause()
            await self._drain()
            self.scheduler.shutdown(wait=False)  # nothing left running for it to cancel
            if watcher is not None:
                watcher.cancel()
                tasks.append(watcher)
            if server is not None:
                server.should_exit = True
            if tasks:
                _, late = await asyncio.wait(tasks, timeout=max(10.0, self.grace + 5))
                for task in late:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await asyncio.gather(*self._retiring, return_exceptions=True)
            if self.fetcher is not None:
                await self.fetcher.aclose()
        self.store.close()
        log.info("stopped")
        return 0


def run_service(
    config_path: str | None,
    db: str | None,
    *,
    web: bool = True,
    host: str | None = None,
    port: int | None = None,
    watch_config: bool = False,
    grace: float = 30.0,
    workers: int = 0,
) -> int:
    async def main() -> int:
        service = Service(
            config_path,
            db,
            web=web,
            host=host or os.environ.get("MONITOR_WEB_HOST", "127.0.0.1"),
            port=port or int(os.environ.get("MONITOR_WEB_PORT", "8080")),
            watch_config=watch_config,
            grace=grace,
            workers=workers,
        )
        return await service.run()

    return asyncio.run(main())
