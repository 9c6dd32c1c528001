"""Boilerplate-only changes through the service itself: how many become a version?

    .venv/bin/python bench/bench_stability.py                    # every variant, both modes
    .venv/bin/python bench/bench_stability.py --variants v1_digits --modes every --limit 40

`bench/bench_realpages.py --stability` asks whether one extraction of an edited copy
gives the same text. This bench asks the question the product must answer: when
only boilerplate moves, does a check cycle store a new version? The real pages of
bench/realpages (282, with their truths) are served on a loopback server, one
source per page, and checked by `run_cycle` on a fresh SQLite database exactly as
the service checks them: the remembered text region, the pinned extractor, the
confirm fetch (`fetch.confirm_delay` 0.01 s here, 1 s by default; 0 turns it off)
and the volatile lines learned per source.

For each variant of bench_realpages (v1 digits outside the article, v2 widget in
header/footer/sidebar, v3 menus shuffled, v4 counter under the headline) and each
mode, a fresh database checks every page once as saved (v0: a first version), then
the server switches and every page is checked again:

  every  the boilerplate moves on every request (k-th fetch = k-th copy: digits
         shifted by k, another reader count, another order, another counter), as
         counters, clocks and "N minutes ago" do on live sites;
  once   the boilerplate moved once (every fetch after the switch returns the same
         edited copy), as when a caption's date or a teaser list is replaced.

Reported per variant and mode: pages the variant applies to, pages that got a new
version ("changed"), the share that did not, and errors. No page's main text is
edited in any variant, so every "changed" is a false alert.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "realpages"))

import bench_realpages as variants  # noqa: E402
import corpus  # noqa: E402
import httpx  # noqa: E402

from monitor.config import parse_config  # noqa: E402
from monitor.cycle import run_cycle  # noqa: E402
from monitor.simweb import Request, Response, SimServer  # noqa: E402
from monitor.store import Store  # noqa: E402

MODES = ("every", "once")


def _serve(ids: list[str], port_queue: Any) -> None:
    pages = {page.id: page for page in corpus.load(ids=ids)}
    saved = {pid: variants.serialise(variants.parse(page.html)) for pid, page in pages.items()}
    articles = {pid: variants.article_of(pages[pid], html) for pid, html in saved.items()}
    state: dict[str, Any] = {"variant": None, "mode": "every", "fetches": {}}

    def page(req: Request) -> Response:
        pid = req.path.rsplit("/", 1)[1]
        html = saved[pid]
        if state["variant"]:
            fetches = state["fetches"]
            fetches[pid] = fetches.get(pid, 0) + 1
            k = fetches[pid] if state["mode"] == "every" else 1
            made = variants.variant_at(pages[pid], html, articles[pid], state["variant"], k)
            html = made or html
        return Response.html(html)

    def switch(req: Request) -> Response:
        query = parse_qs(req.query)
        state["variant"] = query.get("variant", [None])[0]
        state["mode"] = query.get("mode", ["every"])[0]
        state["fetches"] = {}
        applies = [
            pid
            for pid in pages
            if state["variant"]
            and variants.variant_at(pages[pid], saved[pid], articles[pid], state["variant"], 1)
        ]
        return Response(200, json.dumps(applies).encode())

    server = SimServer()
    for pid in pages:
        server.route(f"/p/{pid}", page)
    server.route("/__switch", switch)
    server.start()
    port_queue.put(server.base)
    while True:
        time.sleep(3600)


def _config(base: str, ids: list[str]) -> Any:
    lines = [
        "fetch:",
        "  per_host_concurrency: 4",
        "  per_host_delay: 0",
        "  confirm_delay: 0.01",
        "sources:",
    ]
    for pid in ids:
        lines += [
            f"  - id: {pid}",
            f"    name: {pid}",
            "    allow_private: true",
            "    watch:",
            f"      - {base}/p/{pid}",
        ]
    return parse_config("\n".join(lines) + "\n")


def run(ids: list[str], chosen: list[str], modes: list[str]) -> dict[str, Any]:
    queue: Any = mp.Queue()
    server = mp.Process(target=_serve, args=(ids, queue), daemon=True)
    server.start()
    base = queue.get(timeout=120)
    config = _config(base, ids)
    results: dict[str, Any] = {}
    try:
        for variant in chosen:
            for mode in modes:
                httpx.get(f"{base}/__switch", timeout=60)  # every page as saved
                tmp = tempfile.mkdtemp(prefix="monitor-stability-")
                store = Store(f"sqlite:///{tmp}/stability.db")
                try:
                    first = asyncio.run(run_cycle(config, store))
                    applies = set(
                        httpx.get(
                            f"{base}/__switch?variant={variant}&mode={mode}", timeout=600
                        ).json()
                    )
                    again = asyncio.run(run_cycle(config, store))
                finally:
                    store.close()
                changed = sorted(
                    o.url.rsplit("/", 1)[1]
                    for o in again.documents
                    if o.event == "changed" and o.url.rsplit("/", 1)[1] in applies
                )
                errors = sum(1 for o in again.documents if o.event == "error")
                results[f"{variant}/{mode}"] = {
                    "pages": len(applies),
                    "first_new": first.new,
                    "changed": len(changed),
                    "stable_share": 1 - len(changed) / len(applies) if applies else None,
                    "errors": errors,
                    "changed_pages": changed,
                }
    finally:
        server.terminate()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(variants.VARIANTS))
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--limit", type=int, help="first N pages only (quick runs)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not corpus.available():
        print(
            "bench_stability: the real-page corpus is not on this machine "
            "(bench/realpages/README.md says how to assemble it)",
            file=sys.stderr,
        )
        return 2
    ids = [entry["id"] for entry in corpus.manifest()][: args.limit]
    chosen = [v for v in args.variants.split(",") if v]
    results = run(ids, chosen, [m for m in args.modes.split(",") if m])
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'variant / mode':<20}{'pages':>7}{'changed':>9}{'stable':>9}{'errors':>8}")
    for key, row in results.items():
        share = f"{row['stable_share']:.1%}" if row["stable_share"] is not None else "n/a"
        print(f"{key:<20}{row['pages']:>7}{row['changed']:>9}{share:>9}{row['errors']:>8}")
    for mode in MODES:
        rows = [row for key, row in results.items() if key.endswith(f"/{mode}")]
        if len(rows) == len(chosen):  # every variant ran in this mode: pages stable in all
            hit = set().union(*(row["changed_pages"] for row in rows))
            share = 1 - len(hit) / len(ids)
            print(f"{'all/' + mode:<20}{len(ids):>7}{len(hit):>9}{share:>9.1%}")
    for key, row in results.items():
        if row["changed_pages"]:
            print(f"{key}: {', '.join(row['changed_pages'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
