"""Run a worker: `monitor worker` alone, or inside `monitor run --workers N`
next to the web UI. Stops gracefully on SIGTERM/SIGINT: running jobs finish
within the grace period; a job cut off is put back by the next dispatch once
this worker's heartbeat is gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from procrastinate.schema import SchemaManager

from monitor.config import Config
from monitor.queue.app import QUEUES, build_app
from monitor.queue.runtime import Runtime
from monitor.store import Store
from monitor.store.coordination import ensure_queue_schema, worker_name

log = logging.getLogger(__name__)


async def serve_jobs(
    config: Config,
    store: Store,
    database_url: str,
    stopping: asyncio.Event,
    *,
    concurrency: int = 4,
    queues: Sequence[str] | None = None,
    tick: int = 5,
    stalled_after: float = 30.0,
    grace: float = 30.0,
    runtime: list[Runtime] | None = None,
) -> None:
    """Run jobs until `stopping` is set. `runtime`, when given, receives the
    worker's Runtime (the service reads its throughput for /metrics)."""
    if await asyncio.to_thread(ensure_queue_schema, store, SchemaManager.get_schema()):
        log.info("created the job queue's tables")
    await asyncio.to_thread(store.sync_sources, [(s.id, s.name) for s in config.sources])
    rt = Runtime.open(config, store)
    if runtime is not None:
        runtime.append(rt)
    app = build_app(database_url, lambda: rt, tick=tick, stalled_after=stalled_after)
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {unknown}; the queues are {', '.join(QUEUES)}")
    try:
        async with app.open_async():
            work = asyncio.create_task(
                app.run_worker_async(
                    queues=list(queues or QUEUES),
                    concurrency=concurrency,
                    name=worker_name(),
                    install_signal_handlers=False,
                    delete_jobs="successful",
                    fetch_job_polling_interval=0.5,
                    update_heartbeat_interval=max(0.5, min(10.0, stalled_after / 3)),
                    stalled_worker_timeout=stalled_after,
                    shutdown_graceful_timeout=grace,
                )
            )
            log.info(
                "worker %s: %d at once, queues %s",
                worker_name(),
                concurrency,
                ", ".join(queues or QUEUES),
            )
            stop = asyncio.create_task(stopping.wait())
            done, _ = await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
            if work in done:
                stop.cancel()
                work.result()  # a worker that ended by itself: say why
                return
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
    finally:
        await rt.close()


def run_worker(
    config: Config,
    store: Store,
    database_url: str,
    *,
    concurrency: int = 4,
    queues: Sequence[str] | None = None,
    tick: int = 5,
    stalled_after: float = 30.0,
    grace: float = 30.0,
) -> int:
    """`monitor worker`: jobs until SIGTERM or SIGINT."""

    async def main() -> int:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await serve_jobs(
            config,
            store,
            database_url,
            stopping,
            concurrency=concurrency,
            queues=queues,
            tick=tick,
            stalled_after=stalled_after,
            grace=grace,
        )
        log.info("worker stopped")
        return 0

    try:
        return asyncio.run(main())
    finally:
        store.close()
