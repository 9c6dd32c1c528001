"""Scale-out benchmark: 1, 2 and 4 `monitor worker` processes on one PostgreSQL
database checking N new documents spread over five loopback hosts.

    .venv/bin/python bench/bench_workers.py                  # N=600, workers 1 2 4
    .venv/bin/python bench/bench_workers.py --n 1500 --workers 1 2 --concurrency 8

Each page answers after 100–300 ms (`--latency MIN MAX`: a real server is not
instant), so jobs overlap their waiting; the site runs in its own process. Reported per run:
wall seconds until every document has its first version, documents per second,
the workers' CPU milliseconds per document (user+system from /proc), and whether
any document got more than one version (it must not). Every run starts from an
empty schema. On this 2-core machine the server, PostgreSQL and the workers share
the cores, so more than two busy workers cannot add CPU — the figures say how
much waiting they overlap and what coordinating through the database costs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg  # noqa: E402
from bench_pipeline import _page, _paragraphs  # noqa: E402
from sqlalchemy import text  # noqa: E402

from monitor.simweb import Request, Response, SimServer  # noqa: E402
from monitor.store import Store  # noqa: E402

HOSTS = 5
PG = "postgresql://postgres@127.0.0.1:5432/test"


def _serve(n: int, latency: tuple[float, float], queue: Any) -> None:
    paras = _paragraphs()
    rng = random.Random(7)

    def page(req: Request) -> Response:
        i = int(req.path.rsplit("/", 1)[1])
        delay = rng.uniform(*latency)  # a real server's answer time
        return Response.html(_page(i, 0, 0, paras), etag=True, delay=delay)

    bases = []
    for k in range(HOSTS):
        server = SimServer(host=f"127.0.0.{k + 2}")
        for i in range(k, n, HOSTS):
            server.route(f"/doc/{i}", page)
        server.start()
        bases.append(server.base)
    queue.put(bases)
    while True:
        time.sleep(3600)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(n: int, workers: int, concurrency: int, bases: list[str], tmp: Path) -> dict[str, Any]:
    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    lines = [
        "fetch:",
        "  per_host_delay: 0",
        f"  per_host_concurrency: {2 * concurrency}",
        "  confirm_delay: 0",
        "sources:",
    ]
    for k, base in enumerate(bases):
        lines += [f"  - id: s{k}", f"    name: Site {k}", "    allow_private: true", "    watch:"]
        lines += [f"      - {base}/doc/{i}" for i in range(k, n, HOSTS)]
    config = tmp / f"sources-{schema}.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Store(url).close()  # migrations, before the clock starts
    store = Store(url)
    procs = []
    try:
        started = time.perf_counter()
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "monitor.cli",
                        "worker",
                        "--config",
                        str(config),
                        "--db",
                        url,
                        "--tick",
                        "1",
                        "--concurrency",
                        str(concurrency),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        done = 0
        while done < n and time.perf_counter() - started < 1800:
            time.sleep(0.25)
            with store.engine.connect() as conn:
                done = int(conn.execute(text("SELECT count(*) FROM versions")).scalar() or 0)
        seconds = time.perf_counter() - started
        cpu = sum(_cpu_seconds(p.pid) for p in procs)
        with store.engine.connect() as conn:
            twice = conn.execute(text("SELECT count(*) FROM documents WHERE latest_seq > 1"))
            repeated = int(twice.scalar() or 0)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        store.close()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return {
        "workers": workers,
        "concurrency": concurrency,
        "n": n,
        "documents_done": done,
        "seconds": round(seconds, 2),
        "docs_per_s": round(done / seconds, 1),
        "cpu_ms_per_doc": round(cpu * 1000 / max(done, 1), 1),
        "documents_with_two_versions": repeated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--latency",
        type=float,
        nargs=2,
        default=[0.1, 0.3],
        metavar=("MIN", "MAX"),
        help="seconds each page takes to answer, uniform in [MIN, MAX] (0.1 0.3)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    queue: Any = mp.Queue()
    latency = (args.latency[0], args.latency[1])
    server = mp.Process(target=_serve, args=(args.n, latency, queue), daemon=True)
    server.start()
    bases = queue.get(timeout=60)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            result = run(args.n, workers, args.concurrency, bases, Path(tmp))
            results.append(result)
            if not args.json:
                print(
                    f"{workers} worker(s) x {args.concurrency}: {result['documents_done']} "
                    f"documents in {result['seconds']} s = {result['docs_per_s']}/s, "
                    f"CPU {result['cpu_ms_per_doc']} ms/doc, "
                    f"documents with two versions: {result['documents_with_two_versions']}",
                    flush=True,
                )
    server.terminate()
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
