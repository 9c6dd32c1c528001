"""Subcommands about documents: check, history, diff."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from monitor.cli.base import EXIT_ERRORS, EXIT_OK, config_or_default, emit, open_store, when
from monitor.config import load_config
from monitor.store import Store
from monitor.store.search import theme_ids_of


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Callable[[Any], None] | None]:
    """A live count of checked documents on a terminal; nothing for scripts."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    counts = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("checking…", total=None)

        def on_document(outcome: Any) -> None:
            counts[outcome.event] = counts.get(outcome.event, 0) + 1
            progress.update(
                task,
                description=(
                    f"checked {sum(counts.values())}: new {counts['new']}, "
                    f"changed {counts['changed']}, errors {counts['error']}  {outcome.url[:60]}"
                ),
            )

        yield on_document


def cmd_check(args: argparse.Namespace) -> int:
    from monitor.config.stored import merge_sources
    from monitor.cycle import run_cycle

    config = load_config(args.config)
    store = open_store(args, config)
    try:
        # the sources managed in the web UI run too; paused ones do not
        config, problems = merge_sources(config, store.stored_sources(), store.user_subscriptions())
        for problem in problems:
            print(f"warning: {problem}", file=sys.stderr)
        for source_id in args.source or ():
            config.source(source_id)  # raises ConfigError naming the unknown id
        with progress_bar(quiet=args.json or not sys.stderr.isatty()) as on_document:
            summary = asyncio.run(
                run_cycle(
                    config,
                    store,
                    source_ids=args.source or None,
                    on_document=on_document,
                    force=True,
                )
            )
    finally:
        store.close()
    if args.json:
        emit(summary.as_json())
    else:
        for doc in summary.documents:
            if doc.event != "unchanged":
                detail = f"  {doc.error}" if doc.error else (f"  v{doc.seq}" if doc.seq else "")
                print(f"{doc.event:9} #{doc.id:<6} {doc.url}{detail}")
        for problem in summary.discovery_errors:
            print(f"discovery error: {problem}")
        print(
            f"new {summary.new}, changed {summary.changed}, unchanged {summary.unchanged}, "
            f"errors {summary.errors}, not relevant {summary.ignored}, "
            f"feeds polled {summary.polled}, discovery errors {len(summary.discovery_errors)} "
            f"({summary.seconds:.1f}s)"
        )
    return EXIT_ERRORS if summary.failed else EXIT_OK


def _document(store: Store, ref: str) -> Any:
    from monitor.sources import canonical_url

    doc = store.find_document(ref)
    if doc is None and not ref.isdigit():
        doc = store.find_document(canonical_url(ref))
    if doc is None:
        raise LookupError(f"no document {ref!r} (give its id or URL; see `monitor check`)")
    return doc


def cmd_history(args: argparse.Namespace) -> int:
    store = open_store(args, reading=True)
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
                "themes": theme_ids_of(v.themes),
                **_change_info(store, v.id),
            }
            for v in versions
        ]
    finally:
        store.close()
    if args.json:
        emit({"id": doc.id, "url": doc.url, "status": doc.status, "versions": rows})
        return EXIT_OK
    print(f"#{doc.id} {doc.url} ({doc.status})")
    for row in rows:
        print(
            f"  v{row['seq']:<4} {when(row['fetched_at'])}  "
            f"{row['hash'][:12]}  {row['characters']:>8} chars  {row['title'] or ''}"
        )
        if row["themes"]:
            print(f"        themes: {', '.join(row['themes'])}")
        if row.get("summary"):
            changed = ", ".join(row["change_themes"]) or "none"
            print(f"        change: {row['summary']}  (themes of the change: {changed})")
    return EXIT_OK


def _change_info(store: Store, version_id: int) -> dict[str, Any]:
    change = store.change_to(version_id)
    if change is None:
        return {}
    summary = change.summary or {}
    return {
        "significance": change.significance,
        "summary": summary.get("headline"),
        "change_themes": theme_ids_of(change.themes),
    }


def cmd_diff(args: argparse.Namespace) -> int:
    from monitor.diff import render, stats
    from monitor.views import compare

    store = open_store(args, reading=True)
    try:
        doc = _document(store, args.document)
        to_seq = args.to or doc.latest_seq
        from_seq = max(0, args.from_ if args.from_ is not None else to_seq - 1)
        if doc.latest_seq == 0:
            raise LookupError(f"document #{doc.id} has no versions yet")
        try:
            change = compare(store, config_or_default(args), doc.id, from_seq, to_seq)
        except LookupError:
            raise LookupError(
                f"document #{doc.id} has versions 1..{doc.latest_seq}; "
                f"asked for {from_seq}..{to_seq}"
            ) from None
        new = store.version(doc.id, to_seq)
        info: dict[str, Any] = {}
        if change.summary or change.significance:
            info = {
                "significance": change.significance,
                "summary": change.headline,
                "change_themes": [h["theme"] for h in change.themes],
            }
        info["themes"] = theme_ids_of(new.themes if new else None)
    finally:
        store.close()
    ops, old = change.ops, change.from_seq >= 1
    counted = stats(ops)
    if args.json:
        emit(
            {
                "id": doc.id,
                "url": doc.url,
                "from": from_seq if old else None,
                "to": to_seq,
                "inserted_chars": counted.inserted_chars,
                "deleted_chars": counted.deleted_chars,
                **info,
                "diff": [[op, text] for op, text in ops],
            }
        )
        return EXIT_OK
    color = sys.stdout.isatty() if args.color == "auto" else args.color == "always"
    print(
        f"#{doc.id} {doc.url}: v{from_seq if old else 0} -> v{to_seq}, "
        f"+{counted.inserted_chars} -{counted.deleted_chars} chars"
    )
    if info.get("summary"):
        print(f"summary: {info['summary']}")
    if info.get("change_themes"):
        print(f"themes of the change: {', '.join(info['change_themes'])}")
    if info.get("themes"):
        print(f"themes of the document: {', '.join(info['themes'])}")
    print(render(ops, color=color, context=None if args.full else 200))
    return EXIT_OK
