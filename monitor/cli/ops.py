"""Subcommands for running and operating: sources, alerts, demo, run."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from monitor.cli.base import EXIT_ERRORS, EXIT_OK, emit, open_store, when
from monitor.config import load_config
from monitor.config.types import format_duration


def cmd_sources_validate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.json:
        emit({"valid": True, "sources": [s.id for s in config.sources]})
    else:
        urls = sum(len(s.watch) for s in config.sources)
        print(
            f"{args.config or 'sources.yaml'}: valid, {len(config.sources)} sources, "
            f"{urls} watched URLs"
        )
    return EXIT_OK


def cmd_sources_export(args: argparse.Namespace) -> int:
    """The sources managed in the web UI, as sources.yaml (a GitOps round trip)."""
    from monitor.config.stored import export_yaml

    store = open_store(args, None, reading=True)
    try:
        stored = store.stored_sources()
    finally:
        store.close()
    if args.json:
        emit([{"id": s.id, "paused": s.paused, "spec": s.spec} for s in stored])
    else:
        sys.stdout.write(export_yaml(stored))
    return EXIT_OK


def cmd_sources_status(args: argparse.Namespace) -> int:
    """When each source's endpoints and documents are due, and how they are doing."""
    from monitor.alerts import describe_source

    config = load_config(args.config)
    store = open_store(args, config, reading=True)
    try:
        endpoints = store.endpoints()
        documents = store.schedule()
        health = store.source_health()
        queue = store.queue_figures()
    finally:
        store.close()
    report: list[dict[str, Any]] = []
    for source in config.sources:
        docs = [d for d in documents if d.source_id == source.id]
        due = [d.next_check_at for d in docs if d.next_check_at is not None]
        state, reason = describe_source(health.get(source.id))
        report.append(
            {
                "id": source.id,
                "health": state,
                "health_reason": reason,
                "kind": source.kind,
                "country": source.country,
                "interval_s": source.interval,
                "watched": len(source.watch),
                "tracked": sum(d.status == "active" for d in docs),
                "removed": sum(d.status == "removed" for d in docs),
                "next_document_due": min(due).isoformat() if due else None,
                "endpoints": [
                    {
                        "type": e.type,
                        "url": e.url,
                        "interval_s": round(e.interval_s),
                        "next_poll_at": e.next_poll_at.isoformat() if e.next_poll_at else None,
                        "last_polled_at": e.last_polled_at.isoformat()
                        if e.last_polled_at
                        else None,
                        "items_new": e.items_new,
                        "last_error": e.last_error,
                    }
                    for e in endpoints
                    if e.source_id == source.id
                ],
            }
        )
        if queue is not None:  # workers on PostgreSQL: the job queue's view
            report[-1]["checks_queued"] = queue.queued.get(source.id, 0)
            report[-1]["checks_running"] = queue.running.get(source.id, 0)
    if args.json:
        emit(report)
        return EXIT_OK
    for r in report:
        print(
            f"{r['id']:<16} {r['kind']:<8} {r['country']:<5} "
            f"every {format_duration(r['interval_s'])}  "
            f"tracked {r['tracked']} removed {r['removed']}  "
            f"next document due {when(r['next_document_due'], 'on its source cycle')}"
        )
        shown = "FAILING" if r["health"] == "failing" else r["health"]
        print(f"    health: {shown}, {r['health_reason']}")
        if "checks_queued" in r:
            print(
                f"    job queue: {r['checks_queued']} checks waiting, {r['checks_running']} running"
            )
        for e in r["endpoints"]:
            next_poll = when(e["next_poll_at"], "at the next cycle")
            error = f"  last error: {e['last_error']}" if e["last_error"] else ""
            print(
                f"    {e['type']:<8} every {format_duration(e['interval_s'])}, next {next_poll}  "
                f"{e['url']}{error}"
            )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo import print_event, run_demo

    def emit(row: dict[str, Any]) -> None:
        if args.json:
            print(json.dumps(row, ensure_ascii=False, default=str), flush=True)
        else:
            print_event(row)
            sys.stdout.flush()

    totals = asyncio.run(run_demo(args.seconds, args.db, emit))
    return EXIT_OK if totals.get("new") else EXIT_ERRORS


def _alert_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "subscription": row.subscription,
        "channel": row.channel,
        "kind": row.kind,
        "status": row.status,
        "attempts": row.attempts,
        "document_id": row.document_id,
        "title": (row.payload.get("document") or {}).get("title") or row.payload.get("title"),
        "created_at": row.created_at.isoformat(),
        "next_attempt_at": row.next_attempt_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
    }


def cmd_alerts(args: argparse.Namespace) -> int:
    """List the outbox, re-queue one alert, or deliver what is due now."""
    config = load_config(args.config)
    store = open_store(args, config, reading=True)
    try:
        if args.action == "retry":
            if args.id is None:
                raise LookupError("give the alert id: monitor alerts retry ID")
            row = store.retry_alert(args.id, _now())
            rows = [row]
        elif args.action == "dispatch":
            from monitor.alerts import Dispatcher

            dispatcher = Dispatcher(config, store)
            dispatcher.recover()
            result = asyncio.run(dispatcher.run_once())
            if args.json:
                emit(result.__dict__)
            else:
                print(f"sent {result.sent}, retry later {result.retried}, failed {result.failed}")
                for error in result.errors:
                    print(f"  {error}")
            return EXIT_ERRORS if result.failed else EXIT_OK
        else:
            rows = store.alerts(status=args.status, limit=args.limit)
    finally:
        store.close()
    if args.json:
        emit([_alert_json(r) for r in rows])
        return EXIT_OK
    if not rows:
        print(f"no alerts with status {args.status}" if args.status else "no alerts yet")
    for r in rows:
        j = _alert_json(r)
        error = f"  ({r.last_error})" if r.last_error else ""
        print(
            f"#{r.id:<5} {r.status:<9} {r.kind:<8} {r.subscription:<16} {r.channel:<8} "
            f"tries {r.attempts}  {when(r.created_at)}  {j['title'] or ''}{error}"
        )
    return EXIT_OK


def _now() -> Any:
    from monitor.store import utcnow

    return utcnow()


def cmd_run(args: argparse.Namespace) -> int:
    from monitor.service import run_service

    return run_service(
        args.config,
        args.db,
        web=not args.no_web,
        host=args.host,
        port=args.port,
        watch_config=args.watch_config,
        grace=args.grace,
        workers=args.workers,
    )


def cmd_worker(args: argparse.Namespace) -> int:
    from monitor.config import ConfigError, database_url
    from monitor.queue import run_worker

    config = load_config(args.config)
    url = database_url(args.db, config)
    if not url.startswith("postgresql"):
        raise ConfigError(
            f"`monitor worker` needs PostgreSQL (the job queue lives there), not {url!r}; "
            "on SQLite run `monitor run` alone"
        )
    if args.concurrency < 1 or args.tick < 1:
        raise ConfigError("--concurrency and --tick must be at least 1")
    if args.metrics_port:
        from prometheus_client import start_http_server

        from monitor.metrics import REGISTRY

        start_http_server(args.metrics_port, registry=REGISTRY)
    return run_worker(
        config,
        open_store(args, config),
        url,
        concurrency=args.concurrency,
        queues=args.queues,
        tick=args.tick,
        stalled_after=args.stalled_after,
        grace=args.grace,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """The web UI, JSON API and feeds alone (no checking): e.g. a read-only replica."""
    import os

    from monitor.config.stored import merge_sources
    from monitor.cycle import Preview, preview_page
    from monitor.fetch.client import Fetcher
    from monitor.web import serve
    from monitor.web.ops import ops_router

    base = load_config(args.config)

    async def preview(source: Any, url: str) -> Preview:
        """The source form's preview: fetched here, with the file's fetch settings."""
        async with Fetcher(base.fetch) as fetcher:
            return await preview_page(fetcher, source, url)

    store = open_store(args, base, reading=True)
    config, _ = merge_sources(base, store.stored_sources(), store.user_subscriptions())
    host = args.host or os.environ.get("MONITOR_WEB_HOST") or "127.0.0.1"
    port = args.port or int(os.environ.get("MONITOR_WEB_PORT") or 8080)
    try:
        serve(
            config,
            store,
            base_config=base,
            preview=preview,
            host=host,
            port=port,
            token=os.environ.get("MONITOR_WEB_TOKEN") or None,
            extra_routers=[ops_router()],
        )
    finally:
        store.close()
    return EXIT_OK
