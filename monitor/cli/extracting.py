"""`monitor extract` and `monitor reextract`: try the extractor on a page before
adding a source, and re-run it over stored snapshots after the rules change."""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.cli.base import EXIT_ERRORS, EXIT_OK, add_command, emit, open_store
from monitor.config import ConfigError, FetchSettings, Source, load_config


def add_extract_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `monitor extract` and `monitor reextract`."""
    extract = add_command(
        sub,
        "extract",
        "show what would be stored for a page (try a source before adding it)",
        "Fetch each URL (or read each file: HTML, PDF, DOCX) and show what the service would "
        "store: title, publication date, the main text, and which extractor and rules were "
        "used. --select and --remove are the `select:` and `remove:` of a source.",
        """
        monitor extract https://www.akorda.kz/ru/some-page-123
        monitor extract page.html --select 'div.article-body' --remove '.share'
        monitor extract a.html b.html --json
        """,
        parents=[common],
    )
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    extract.add_argument("--select", metavar="CSS", help="the main text is what this matches")
    extract.add_argument(
        "--remove", action="append", default=[], metavar="CSS", help="drop this (repeatable)"
    )
    extract.add_argument(
        "--allow-private",
        action="store_true",
        help="let the URLs reach loopback and private addresses (the SSRF guard refuses them)",
    )
    extract.set_defaults(func=cmd_extract)

    reextract = add_command(
        sub,
        "reextract",
        "re-run extraction over stored snapshots (after an upgrade or a rules change)",
        "For each document, extract its latest stored snapshot again with the current "
        "extractor and the source's current rules. Where the text differs, a version marked "
        "as a re-extraction is added (not a publisher's edit): it sends no alerts.",
        """
        monitor reextract
        monitor reextract --source kremlin-ru --dry-run
        """,
        parents=[common],
    )
    reextract.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    reextract.add_argument("--dry-run", action="store_true", help="count, store nothing")
    reextract.set_defaults(func=cmd_reextract)


def _rules(args: argparse.Namespace) -> Source:
    """The rules as a source would hold them: validated by the same code, same messages."""
    try:
        return Source(id="extract", name="extract", select=args.select, remove=args.remove)
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(problems) from None


def _fetch_settings(args: argparse.Namespace) -> FetchSettings:
    try:
        return load_config(args.config).fetch
    except ConfigError:
        if args.config:
            raise
        return FetchSettings()  # no sources.yaml here: trying a page needs none


async def _load(
    inputs: list[str], settings: FetchSettings, allow_private: bool = False
) -> list[dict[str, Any]]:
    from monitor.fetch.client import Fetcher

    loaded: list[dict[str, Any]] = []
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    fetched: dict[str, Any] = {}
    if urls:
        async with Fetcher(settings) as fetcher:
            results = await asyncio.gather(
                *(fetcher.fetch(u, allow_private=allow_private) for u in urls)
            )
        fetched = dict(zip(urls, results, strict=True))
    for item in inputs:
        if item in fetched:
            result = fetched[item]
            loaded.append(
                {
                    "input": item,
                    "url": result.final_url or item,
                    "body": result.body,
                    "content_type": result.content_type,
                    "error": result.error,
                }
            )
            continue
        path = Path(item)
        try:
            body = path.read_bytes()
        except OSError as exc:
            loaded.append({"input": item, "error": f"cannot read {item}: {exc.strerror}"})
            continue
        ctype = mimetypes.guess_type(path.name)[0] or "text/html"
        loaded.append(
            {
                "input": item,
                "url": path.resolve().as_uri(),
                "body": body,
                "content_type": ctype,
                "error": None,
            }
        )
    return loaded


def _extract_one(item: dict[str, Any], rules: Source) -> dict[str, Any]:
    from monitor.extract.article import ExtractionError, text_hash
    from monitor.extract.bodies import extract_body
    from monitor.extract.decode import DecodeError

    out: dict[str, Any] = {"input": item["input"]}
    if item.get("error") or item.get("body") is None:
        out["error"] = item.get("error") or "no body"
        return out
    try:
        page, encoding = extract_body(item["body"], item["content_type"], item["url"], rules)
    except (DecodeError, ExtractionError) as exc:
        out["error"] = str(exc)
        return out
    out.update(
        {
            "url": item["url"],
            "title": page.title,
            "published_at": page.published_at.isoformat() if page.published_at else None,
            "extractor": page.method,
            "select": rules.select,
            "remove": list(rules.remove),
            "encoding": encoding,
            "characters": len(page.text),
            "hash": text_hash(page.text),
            "metadata": dict(page.metadata),
            "text": page.text,
        }
    )
    return out


def cmd_extract(args: argparse.Namespace) -> int:
    rules = _rules(args)
    loaded = asyncio.run(_load(args.inputs, _fetch_settings(args), args.allow_private))
    results = [_extract_one(item, rules) for item in loaded]
    if args.json:
        for result in results:  # one object per input, in order: easy to stream and diff
            print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        for n, result in enumerate(results):
            if n:
                print()
            print(f"== {result['input']}")
            if "error" in result:
                print(f"error: {result['error']}")
                continue
            rule = f"select {result['select']!r}" if result["select"] else "automatic"
            removed = f", remove {result['remove']}" if result["remove"] else ""
            print(f"title:     {result['title'] or '-'}")
            print(f"published: {result['published_at'] or '-'}")
            print(f"extractor: {result['extractor']} ({rule}{removed})")
            for key, value in result["metadata"].items():
                print(f"metadata:  {key}: {value}")
            print(f"text:      {result['characters']} characters, sha256 {result['hash'][:12]}")
            print()
            print(result["text"])
    failed = sum("error" in r for r in results)
    return EXIT_ERRORS if failed else EXIT_OK  # any input that could not be read


def cmd_reextract(args: argparse.Namespace) -> int:
    from monitor.cycle import reextract

    config = load_config(args.config)
    for source_id in args.source or ():
        config.source(source_id)  # raises ConfigError naming the unknown id
    store = open_store(args, config, reading=True)
    try:
        report = reextract(config, store, source_ids=args.source, dry_run=args.dry_run)
    finally:
        store.close()
    if args.json:
        emit(report.as_json())
    else:
        verb = "would add" if args.dry_run else "added"
        print(
            f"examined {report.examined} documents: {verb} {report.changed} re-extraction "
            f"versions, {report.unchanged} unchanged, {report.no_snapshot} without a stored "
            f"body, {report.errors} errors"
        )
        for problem in report.problems[:20]:
            print(f"  {problem}")
    return EXIT_ERRORS if report.errors and not (report.changed or report.unchanged) else EXIT_OK


__all__ = ["add_extract_parsers", "cmd_extract", "cmd_reextract"]
