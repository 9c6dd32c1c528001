"""`monitor db`: copy a database to another backend, show statistics, prune old
raw bodies. Kept apart from the service commands because these are operator
tools run by hand (or from cron), usually with the service stopped for a copy."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from monitor.cli.base import EXIT_OK, add_command, emit, when
from monitor.config import ConfigError, database_url, load_config
from monitor.config.types import parse_duration

if TYPE_CHECKING:
    from monitor.store.maintenance import Progress


def _duration(value: str) -> timedelta:
    try:
        return timedelta(seconds=parse_duration(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_db_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `monitor db ...` on the top-level subparsers."""
    db = sub.add_parser(
        "db",
        help="database maintenance: copy, stats, prune",
        description="Operator tools: copy a database to another backend, show sizes, prune "
        "old raw bodies. Each refuses a source database that does not exist.",
    )
    db_sub = db.add_subparsers(dest="db_command", required=True)

    copy = add_command(
        db_sub,
        "copy",
        "copy every table into a new, empty database (e.g. SQLite to PostgreSQL)",
        "Copy every table, keeping ids, in one transaction; the destination must be empty. "
        "Row counts are verified afterwards. Stop the service first for an exact copy.",
        """
        monitor db copy --to postgresql+psycopg://monitor@db/monitor
        monitor db copy --from sqlite:///storage/monitor.db --to sqlite:////backup/m.db
        """,
        parents=[common],
    )
    copy.add_argument(
        "--from", dest="src", metavar="URL", help="source (default: --db or the configured one)"
    )
    copy.add_argument("--to", dest="dst", metavar="URL", required=True, help="empty destination")
    copy.add_argument("--batch", type=int, default=1000, help="rows per insert (1000)")
    copy.set_defaults(func=cmd_db)

    stats = add_command(
        db_sub,
        "stats",
        "rows, snapshot and disk sizes",
        "Rows per table, raw and stored snapshot bytes, text bytes and disk use.",
        """
        monitor db stats
        monitor db stats --db postgresql+psycopg://monitor@db/monitor --json
        """,
        parents=[common],
    )
    stats.set_defaults(func=cmd_db)

    prune = add_command(
        db_sub,
        "prune",
        "drop raw bodies of old snapshots (texts are kept)",
        "Free space by dropping the raw HTML of snapshots not used for a while. Every "
        "version's text is kept; by default so is the body behind each document's latest "
        "version, which re-extraction needs.",
        """
        monitor db prune --older-than 90d --dry-run
        monitor db prune --older-than 12w
        """,
        parents=[common],
    )
    prune.add_argument(
        "--older-than",
        type=_duration,
        required=True,
        metavar="AGE",
        help="snapshots last used longer ago than this, e.g. 90d, 12w",
    )
    prune.add_argument(
        "--include-latest",
        action="store_true",
        help="also the bodies behind each document's latest version (no re-extraction then)",
    )
    prune.add_argument("--dry-run", action="store_true", help="only say what would be pruned")
    prune.set_defaults(func=cmd_db)


def _database(args: argparse.Namespace) -> str:
    """The database of `--db`, $MONITOR_DATABASE_URL or sources.yaml; a missing
    sources.yaml is fine here (copying needs no sources), a broken one given with
    --config is not."""
    if args.db or os.environ.get("MONITOR_DATABASE_URL"):
        return database_url(args.db)
    try:
        config = load_config(args.config)
    except ConfigError:
        if args.config:
            raise
        config = None
    return database_url(None, config)


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    """A rich progress bar per table on a terminal; nothing in pipes and cron mails."""
    if not enabled:
        yield lambda _table, _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    tasks: dict[str, Any] = {}
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:

        def update(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total or 1)
            bar.update(tasks[table], completed=done if total else 1)

        yield update


def _size(n: int) -> str:
    """A byte count for humans, in the unit that suits it."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _print_stats(stats: dict[str, Any]) -> None:
    print(f"backend: {stats['backend']}")
    for name, count in stats["rows"].items():
        print(f"  {name:<20} {count:>10} rows")
    snap = stats["snapshots"]
    ratio = snap["compression_ratio"]
    print(
        f"snapshots: {snap['count']} ({snap['with_body']} with body, {snap['pruned']} pruned); "
        f"raw {_size(snap['raw_bytes'])}, stored {_size(snap['stored_bytes'])}"
        + (f", compression {ratio}x" if ratio else "")
    )
    versions = stats["versions"]
    print(
        f"versions: {versions['count']}, {versions['text_chars']} characters of text, stored as "
        f"{_size(versions['text_bytes'])} plain (latest versions) + "
        f"{_size(versions['keyframe_bytes'])} compressed keyframes + diffs"
    )
    database = stats["database"]
    line = f"database: {_size(database['bytes'])}"
    if "free_bytes" in database:
        line += f" ({_size(database['free_bytes'])} free pages, reused before the file grows)"
    print(line)
    for name, size in database.get("tables_bytes", {}).items():
        print(f"  {name:<20} {_size(size):>12}")


def cmd_db(args: argparse.Namespace) -> int:
    from monitor.store import Store
    from monitor.store.maintenance import copy_database, db_stats, prune_snapshots

    if args.db_command == "copy":
        src = args.src or _database(args)
        with _progress(sys.stderr.isatty()) as progress:
            copied = copy_database(src, args.dst, batch=args.batch, progress=progress)
        if args.json:
            emit({"copied": copied})
        else:
            for name, count in copied.items():
                print(f"{name:<20} {count:>10}")
            print(f"copied {sum(copied.values())} rows; verified")
        return EXIT_OK

    store = Store(_database(args), must_exist=True)
    try:
        if args.db_command == "stats":
            stats = db_stats(store)
            if args.json:
                emit(stats)
            else:
                _print_stats(stats)
            return EXIT_OK
        result = prune_snapshots(
            store,
            older_than=args.older_than,
            keep_latest=not args.include_latest,
            dry_run=args.dry_run,
        )
    finally:
        store.close()
    if args.json:
        emit(result)
    else:
        verb = "would prune" if args.dry_run else "pruned"
        print(
            f"{verb} {result['snapshots_pruned']} snapshot bodies last used before "
            f"{when(result['cutoff'])}: {_size(result['raw_bytes'])} raw, "
            f"{_size(result['stored_bytes_freed'])} stored"
        )
    return EXIT_OK
