"""Pipeline benchmark: N article pages on a loopback server, three check cycles.

Why: the budgets in the README (an unchanged page under 2 ms of CPU, an edited
page under 30 ms including diff and storage) are measured here, not in tests.

    .venv/bin/python bench/bench_pipeline.py                 # N=1000, SQLite
    .venv/bin/python bench/bench_pipeline.py --db postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/bench_pipeline.py --churn          # boilerplate differs per fetch
    .venv/bin/python bench/bench_pipeline.py --select article # a selector, not automatic

The server runs in its own process so its CPU is not counted. Cycles: first
(every page new), second (nothing changed: 304s, or with --churn identical
main text behind changing boilerplate), third (1% of pages edited), fourth
(every page edited: its CPU per page is the cost of an edited page, diff and
storage included).
CPU seconds are the checker process's user+system time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from monitor.config import parse_config  # noqa: E402
from monitor.cycle import run_cycle  # noqa: E402
from monitor.simweb import Request, Response, SimServer  # noqa: E402
from monitor.simweb.corpus import commentary_text  # noqa: E402
from monitor.store import Store  # noqa: E402

# (cycle name, share of pages edited on the server before it)
CYCLES = [("first", 0.0), ("unchanged", 0.0), ("edited_1pct", 0.01), ("edited_all", 1.0)]


def _paragraphs() -> list[str]:
    """Body paragraphs of the project's Russian fixture text (the title is dropped)."""
    return [p for p in commentary_text().split("\n") if len(p) > 80]


def _page(i: int, edits: int, churn: int, paras: list[str]) -> str:
    rng = random.Random(i)
    body = [f"{n + 1}. {rng.choice(paras)}" for n in range(rng.randint(6, 12))]
    if edits:
        words = body[len(body) // 2].split()
        words[len(words) // 2] = f"правка{edits}"
        body[len(body) // 2] = " ".join(words)
    related = "".join(
        f"<li><a href='/n/{churn + k}'>Новость {churn + k}</a></li>" for k in range(5)
    )
    return (
        f"<!doctype html><html><head><title>Документ {i}</title></head><body>"
        f"<header><nav><a href='/'>Главная</a><a href='/docs'>Документы</a></nav></header>"
        f"<div class='top-bar'>Обновлено в {churn % 24:02d}:{churn % 60:02d}</div>"
        f"<main><article><h1>Документ {i}</h1>"
        + "".join(f"<p>{p}</p>" for p in body)
        + f"</article></main><aside class='related'><ul>{related}</ul></aside>"
        f"<div class='views'>Просмотров: {churn * 13 + i}</div><footer>© 2025</footer>"
        "</body></html>"
    )


def _serve(n: int, churn: bool, port_queue: Any) -> None:
    paras = _paragraphs()
    edits: dict[int, int] = {}
    fetches = {"n": 0}

    def page(req: Request) -> Response:
        i = int(req.path.rsplit("/", 1)[1])
        fetches["n"] += 1
        counter = fetches["n"] if churn else 0
        return Response.html(_page(i, edits.get(i, 0), counter, paras), etag=not churn)

    def edit(req: Request) -> Response:
        share = float(parse_qs(req.query).get("share", ["0.01"])[0])
        chosen = random.Random(len(edits) + 1).sample(range(n), max(1, int(n * share)))
        for i in chosen:
            edits[i] = edits.get(i, 0) + 1
        return Response(200, json.dumps(chosen).encode())

    server = SimServer()
    for i in range(n):
        server.route(f"/doc/{i}", page)
    server.route("/__edit", edit)
    server.start()
    port_queue.put(server.base)
    while True:
        time.sleep(3600)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n: int, db: str | None, churn: bool, select: str | None = None) -> dict[str, Any]:
    queue: Any = mp.Queue()
    server = mp.Process(target=_serve, args=(n, churn, queue), daemon=True)
    server.start()
    base = queue.get(timeout=30)
    tmp = tempfile.mkdtemp(prefix="monitor-bench-")
    db_url = db or f"sqlite:///{tmp}/bench.db"
    lines = [
        "fetch:",
        "  per_host_concurrency: 4",
        "  per_host_delay: 0",
        "sources:",
        "  - id: bench",
        "    name: Bench",
        "    allow_private: true",
        "    watch:",
    ]
    lines += [f"      - {base}/doc/{i}" for i in range(n)]
    if select:
        lines.append(f"    select: {json.dumps(select)}")
    config = parse_config("\n".join(lines) + "\n")
    store = Store(db_url)
    results: dict[str, Any] = {
        "n": n,
        "db": db_url.split(":")[0],
        "churn": churn,
        "select": select,
        "cycles": {},
    }
    try:
        for name, share in CYCLES:
            edited = len(httpx.get(f"{base}/__edit?share={share}").json()) if share else 0
            cpu0, wall0 = _cpu(), time.perf_counter()
            summary = asyncio.run(run_cycle(config, store))
            wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
            results["cycles"][name] = {
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "cpu_ms_per_page": round(cpu / n * 1000, 2),
                "peak_rss_mb": round(_peak_mb(), 1),
                "new": summary.new,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
                "errors": summary.errors,
            }
            results["cycles"][name]["edited"] = edited
    finally:
        store.close()
        server.terminate()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--churn", action="store_true", help="boilerplate changes on every fetch (no 304s)"
    )
    parser.add_argument(
        "--select", help='every page read with this selector (e.g. "article"), not automatically'
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = bench(args.n, args.db, args.churn, args.select)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"N={result['n']} db={result['db']} churn={result['churn']} select={result['select']}")
    print(f"{'cycle':<14}{'wall s':>8}{'CPU s':>8}{'CPU ms/page':>13}{'peak MB':>9}  outcome")
    for name, c in result["cycles"].items():
        extra = f" (pages edited: {c['edited']})" if c["edited"] else ""
        print(
            f"{name:<14}{c['wall_s']:>8}{c['cpu_s']:>8}{c['cpu_ms_per_page']:>13}"
            f"{c['peak_rss_mb']:>9}  new {c['new']} changed {c['changed']} "
            f"unchanged {c['unchanged']} errors {c['errors']}{extra}"
        )


if __name__ == "__main__":
    main()
