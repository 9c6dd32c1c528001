"""`monitor run`: the long-running service, one APScheduler job per source.

Each source is checked on its own interval with jitter; a source never runs
twice at once (max_instances=1) and runs missed while the process was down are
coalesced into one.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.health import check_health
from monitor.config import Config, database_url, load_config
from monitor.fetch import Fetcher
from monitor.pipeline import run_cycle
from monitor.store import Store

log = logging.getLogger("monitor.service")


# When each source's last check started: the stalled-schedule condition reads it.
LAST_STARTED: dict[str, datetime] = {}
HEALTH_EVERY = 60.0


async def _check(config: Config, store: Store, fetcher: Fetcher, source_id: str) -> None:
    LAST_STARTED[source_id] = datetime.now(UTC)
    try:
        summary = await run_cycle(config, store, source_ids=[source_id], fetcher=fetcher)
    except Exception:
        log.exception("check of source %s failed", source_id)
        return
    log.info(
        "source %s: new %d, changed %d, unchanged %d, errors %d (%.1fs)",
        source_id,
        summary.new,
        summary.changed,
        summary.unchanged,
        summary.errors,
        summary.seconds,
    )


DISPATCH_EVERY = 5.0  # seconds between outbox passes


async def _dispatch(dispatcher: Dispatcher, health: dict[str, float]) -> None:
    now = datetime.now(UTC)
    if now.timestamp() - health.get("at", 0.0) >= HEALTH_EVERY:
        health["at"] = now.timestamp()
        try:
            await asyncio.to_thread(
                check_health, dispatcher.config, dispatcher.store, now, dict(LAST_STARTED)
            )
        except Exception:
            log.exception("health check failed")
    try:
        result = await dispatcher.run_once()
    except Exception:
        log.exception("alert dispatch failed")
        return
    if result.sent or result.failed or result.retried:
        log.info(
            "alerts: sent %d, retry later %d, failed %d",
            result.sent,
            result.retried,
            result.failed,
        )


async def serve(config: Config, store: Store, stop: asyncio.Event) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    dispatcher = Dispatcher(config, store)
    dispatcher.recover()
    scheduler.add_job(
        _dispatch,
        IntervalTrigger(seconds=DISPATCH_EVERY),
        args=(dispatcher, {}),
        id="_dispatch",
        name="alert dispatcher",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    async with Fetcher(config.fetch) as fetcher:
        for source in config.sources:
            scheduler.add_job(
                _check,
                IntervalTrigger(seconds=source.interval, jitter=min(60, source.interval / 10)),
                args=(config, store, fetcher, source.id),
                id=source.id,
                name=source.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),
            )
        scheduler.start()
        log.info("watching %d sources; stop with Ctrl-C", len(config.sources))
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:
                await asyncio.wait(pending, timeout=30)


def run_service(config_path: str | None, db: str | None) -> int:
    config = load_config(config_path)
    store = Store(database_url(db, config))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(config, store, stop)

    try:
        asyncio.run(main())
    finally:
        store.close()
    return 0
