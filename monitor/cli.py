"""The `monitor` command. Every subcommand takes `--json` for scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from monitor.config import ConfigError, database_url, load_config
from monitor.store import DatabaseError, Store

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _emit(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _open_store(args: argparse.Namespace, config: Any = None) -> Store:
    return Store(database_url(args.db, config))


def cmd_sources_validate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.json:
        _emit({"valid": True, "sources": [s.id for s in config.sources]})
    else:
        urls = sum(len(s.watch) for s in config.sources)
        print(
            f"{args.config or 'sources.yaml'}: valid, {len(config.sources)} sources, "
            f"{urls} watched URLs"
        )
    return EXIT_OK


def cmd_sources_status(args: argparse.Namespace) -> int:
    """When each source's endpoints and documents are due, and how they are doing."""
    config = load_config(args.config)
    store = _open_store(args, config)
    try:
        endpoints = store.endpoints()
        documents = store.schedule()
    finally:
        store.close()
    report = []
    for source in config.sources:
        docs = [d for d in documents if d.source_id == source.id]
        due = [d.next_check_at for d in docs if d.next_check_at is not None]
        report.append(
            {
                "id": source.id,
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
    if args.json:
        _emit(report)
        return EXIT_OK
    for r in report:
        print(
            f"{r['id']:<16} {r['kind']:<8} {r['country']:<5} every {r['interval_s']:g}s  "
            f"tracked {r['tracked']} removed {r['removed']}  "
            f"next document due {(r['next_document_due'] or 'on its source cycle')[:19]}"
        )
        for e in r["endpoints"]:
            when = (e["next_poll_at"] or "at the next cycle")[:19]
            error = f"  last error: {e['last_error']}" if e["last_error"] else ""
            print(f"    {e['type']:<8} every {e['interval_s']}s, next {when}  {e['url']}{error}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from monitor.pipeline import run_cycle

    config = load_config(args.config)
    if args.source:
        for source_id in args.source:
            config.source(source_id)  # raises ConfigError naming the unknown id
    store = _open_store(args, config)
    try:
        summary = asyncio.run(run_cycle(config, store, source_ids=args.source or None))
    finally:
        store.close()
    if args.json:
        _emit(summary.as_json())
    else:
        for doc in summary.documents:
            if doc.event != "unchanged":
                detail = f"  {doc.error}" if doc.error else (f"  v{doc.seq}" if doc.seq else "")
                print(f"{doc.event:9} #{doc.id:<6} {doc.url}{detail}")
        for problem in summary.discovery_errors:
            print(f"discovery error: {problem}")
        print(
            f"new {summary.new}, changed {summary.changed}, unchanged {summary.unchanged}, "
            f"errors {summary.errors}, not relevant {summary.ignored} ({summary.seconds:.1f}s)"
        )
    return (
        EXIT_ERRORS
        if summary.errors and not (summary.new or summary.changed or summary.unchanged)
        else EXIT_OK
    )


def _document(store: Store, ref: str) -> Any:
    from monitor.sources import canonical_url

    doc = store.find_document(ref)
    if doc is None and not ref.isdigit():
        doc = store.find_document(canonical_url(ref))
    if doc is None:
        raise LookupError(f"no document {ref!r} (give its id or URL; see `monitor check`)")
    return doc


def cmd_history(args: argparse.Namespace) -> int:
    store = _open_store(args)
    try:
        doc = _document(store, args.document)
        versions = store.versions(doc.id)
        rows = [
            {
                "seq": v.seq,
                "fetched_at": v.fetched_at.isoformat(),
                "hash": v.text_hash,
                "characters": v.chars,
                "title": v.title,
            }
            for v in versions
        ]
    finally:
        store.close()
    if args.json:
        _emit({"id": doc.id, "url": doc.url, "status": doc.status, "versions": rows})
        return EXIT_OK
    print(f"#{doc.id} {doc.url} ({doc.status})")
    for row in rows:
        print(
            f"  v{row['seq']:<4} {row['fetched_at'][:19].replace('T', ' ')}  "
            f"{row['hash'][:12]}  {row['characters']:>8} chars  {row['title'] or ''}"
        )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from monitor.diff import diff_words, render, stats

    store = _open_store(args)
    try:
        doc = _document(store, args.document)
        to_seq = args.to or doc.latest_seq
        from_seq = args.from_ if args.from_ is not None else to_seq - 1
        if doc.latest_seq == 0:
            raise LookupError(f"document #{doc.id} has no versions yet")
        new = store.version(doc.id, to_seq)
        old = store.version(doc.id, from_seq) if from_seq >= 1 else None
        if new is None or (from_seq >= 1 and old is None):
            raise LookupError(
                f"document #{doc.id} has versions 1..{doc.latest_seq}; "
                f"asked for {from_seq}..{to_seq}"
            )
        change = store.change_to(new.id) if old is not None and from_seq == to_seq - 1 else None
        if change is not None:
            ops = [tuple(x) for x in json.loads(change.diff)]
        else:
            ops = diff_words(old.text if old else "", new.text)
    finally:
        store.close()
    counted = stats(ops)  # type: ignore[arg-type]
    if args.json:
        _emit(
            {
                "id": doc.id,
                "url": doc.url,
                "from": from_seq if old else None,
                "to": to_seq,
                "inserted_chars": counted.inserted_chars,
                "deleted_chars": counted.deleted_chars,
                "diff": [[op, text] for op, text in ops],
            }
        )
        return EXIT_OK
    color = sys.stdout.isatty() if args.color == "auto" else args.color == "always"
    print(
        f"#{doc.id} {doc.url}: v{from_seq if old else 0} -> v{to_seq}, "
        f"+{counted.inserted_chars} -{counted.deleted_chars} chars"
    )
    print(render(ops, color=color, context=None if args.full else 200))  # type: ignore[arg-type]
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
    store = _open_store(args, config)
    try:
        if args.action == "retry":
            if args.id is None:
                raise LookupError("give the alert id: monitor alerts retry ID")
            row = store.retry_alert(args.id, _now())
            rows = [row]
        elif args.action == "dispatch":
            from monitor.alerts.dispatch import Dispatcher

            dispatcher = Dispatcher(config, store)
            dispatcher.recover()
            result = asyncio.run(dispatcher.run_once())
            if args.json:
                _emit(result.__dict__)
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
        _emit([_alert_json(r) for r in rows])
        return EXIT_OK
    for r in rows:
        j = _alert_json(r)
        error = f"  ({r.last_error})" if r.last_error else ""
        print(
            f"#{r.id:<5} {r.status:<9} {r.kind:<8} {r.subscription:<16} {r.channel:<8} "
            f"tries {r.attempts}  {j['title'] or ''}{error}"
        )
    return EXIT_OK


def _now() -> Any:
    from monitor.store import utcnow

    return utcnow()


def cmd_run(args: argparse.Namespace) -> int:
    from monitor.service import run_service

    return run_service(args.config, args.db)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", help="path to sources.yaml (default: ./sources.yaml or $MONITOR_CONFIG)"
    )
    common.add_argument(
        "--db", help="database URL (default: $MONITOR_DATABASE_URL or sqlite:///storage/monitor.db)"
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    parser = argparse.ArgumentParser(
        prog="monitor", description="Track texts on Russia–Kazakhstan agreements and their edits."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sources = sub.add_parser("sources", help="inspect the source configuration")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True)
    validate = sources_sub.add_parser("validate", parents=[common], help="validate sources.yaml")
    validate.set_defaults(func=cmd_sources_validate)
    status = sources_sub.add_parser(
        "status", parents=[common], help="when each source, feed and document is due"
    )
    status.set_defaults(func=cmd_sources_status)

    check = sub.add_parser("check", parents=[common], help="run one check cycle")
    check.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    check.set_defaults(func=cmd_check)

    history = sub.add_parser("history", parents=[common], help="list a document's versions")
    history.add_argument("document", metavar="URL_OR_ID")
    history.set_defaults(func=cmd_history)

    diff = sub.add_parser("diff", parents=[common], help="show what changed between versions")
    diff.add_argument("document", metavar="URL_OR_ID")
    diff.add_argument(
        "--from",
        dest="from_",
        type=int,
        metavar="N",
        help="older version (default: the one before --to)",
    )
    diff.add_argument("--to", type=int, metavar="M", help="newer version (default: latest)")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    diff.add_argument("--full", action="store_true", help="do not shorten unchanged text")
    diff.set_defaults(func=cmd_diff)

    alerts = sub.add_parser(
        "alerts",
        parents=[common],
        help="the alert outbox: list, `retry ID`, or `dispatch` what is due",
    )
    alerts.add_argument("action", nargs="?", choices=("list", "retry", "dispatch"), default="list")
    alerts.add_argument("id", nargs="?", type=int, help="alert id (for retry)")
    alerts.add_argument("--status", choices=("pending", "sending", "sent", "failed", "uncertain"))
    alerts.add_argument("--limit", type=int, default=100)
    alerts.set_defaults(func=cmd_alerts)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="watch a simulated news site for a minute: new, changed, removed documents",
    )
    demo.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser(
        "run", parents=[common], help="run the service: check every source on its interval"
    )
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "run" else logging.ERROR,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (DatabaseError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
