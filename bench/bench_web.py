"""Web read-side benchmark: 10,000 documents with 100,000 versions, then the JSON API
timed over real HTTP.

Why: the web UI, the API and the feeds must stay interactive on a database that
has been watching sources for years. The target is a median under 100 ms for the
four things a user does most: list documents, search, open a document (its data
and its history), and look at a diff.

    .venv/bin/python bench/bench_web.py                       # SQLite in a temp dir
    .venv/bin/python bench/bench_web.py --db postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/bench_web.py --json                # one JSON object on stdout

Data: Russian texts built from the fixture text and the simulated corpus (3-5
paragraphs, about 2,000 characters, one document number and date each), edited
version after version the way editors do (a sentence added, a number changed, a
word replaced), with themes from the real taxonomy and the diff, summary and
event rows the pipeline writes. It is inserted with SQLAlchemy Core bulk inserts
(the pipeline's per-document transactions would take far longer and are not
what is measured), then the search index is built by `monitor.store.search.rebuild`.
On PostgreSQL the data goes into a fresh schema (dropped afterwards) and is
ANALYZEd, as autovacuum would do; SQLite is measured as the service leaves it.

Timing: the app from `monitor.web.app.create_app` (falling back to a bare FastAPI
app with the API router if it cannot be built) is served by uvicorn on loopback.
"server" is the time inside the app (a middleware: routing, the handler, the
database, JSON encoding); "http" is the round trip seen by an httpx keep-alive
client. Each scenario runs 5 warm-up and N measured requests with varying
parameters; "document page" is two requests (document, versions) added up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from monitor.analysis.themes import taxonomy  # noqa: E402
from monitor.config import Config, parse_config  # noqa: E402
from monitor.simweb.corpus import (  # noqa: E402
    RU_LEADS,
    RU_OTHER,
    RU_SENTENCES,
    RU_TITLES,
    commentary_text,
)
from monitor.store import Store, sha256  # noqa: E402
from monitor.store.models import (  # noqa: E402
    Change,
    Document,
    Event,
    Snapshot,
    Version,
)
from monitor.store.search import rebuild  # noqa: E402

TOPICS = (
    "Стороны подписали соглашение о строительстве атомной электростанции при участии "
    "«Росатома», поставки газа и нефти будут расширены.",
    "Аренда космодрома Байконур продлена, запланированы новые запуски ракет-носителей.",
    "Товарооборот между странами вырос на {n} процентов, доля расчетов в национальных "
    "валютах превысила {m} процентов.",
    "Правительства договорились упростить трудовую миграцию и признание дипломов.",
    "Обсуждались водные ресурсы трансграничных рек и совместный мониторинг паводков.",
    "Межправительственная комиссия рассмотрела проекты в области цифровизации и "
    "кибербезопасности, включая обмен данными таможенных служб.",
    "Железнодорожные перевозки через пограничные переходы выросли, открыт новый "
    "транспортный коридор.",
)
INSERTS = (
    "По данным пресс-службы, документ вступит в силу после ратификации парламентами.",
    "Обновлено: текст дополнен комментарием министерства иностранных дел.",
    "Эксперты отмечают, что реализация положений займет не менее {n} лет.",
    "Как уточнили в правительстве, рабочая группа соберется в {n} раз до конца года.",
    "Дополнительно стороны договорились о поставках газа в объеме {n} млрд кубометров.",
    "Запуск спутника связи с космодрома Байконур перенесен на {n} число.",
)
SEARCHES = (
    "соглашение",
    "атомной электростанции",
    "Байконур",
    "товарооборот национальных валютах",
    "трудовая миграция",
    '"транспортный коридор"',
    "ратификации парламентами",
    "кибербезопасность",
    "водные ресурсы -паводков",
    "Росатом or Байконур",
)
SOURCES = [
    ("kremlin", "Президент России", "official", "RU", ["ru", "en"]),
    ("mid-ru", "МИД России", "official", "RU", ["ru"]),
    ("government-ru", "Правительство России", "official", "RU", ["ru"]),
    ("akorda", "Акорда", "official", "KZ", ["ru", "kk", "en"]),
    ("mfa-kz", "МИД Казахстана", "official", "KZ", ["ru", "kk"]),
    ("primeminister-kz", "Правительство Казахстана", "official", "KZ", ["ru", "kk"]),
    ("eec", "Евразийская экономическая комиссия", "official", "other", ["ru"]),
    ("tass", "ТАСС", "media", "RU", ["ru", "en"]),
    ("ria", "РИА Новости", "media", "RU", ["ru"]),
    ("kazinform", "Казинформ", "media", "KZ", ["ru", "kk", "en"]),
    ("tengri", "Tengrinews", "media", "KZ", ["ru", "kk"]),
    ("inbusiness", "inbusiness.kz", "media", "KZ", ["ru"]),
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sentence_pool() -> list[str]:
    pool = list(RU_LEADS) + list(RU_SENTENCES) + list(RU_OTHER)
    for line in commentary_text().split("\n"):
        pool += [s for s in _SENTENCE.split(line.strip()) if len(s) > 60]
    return pool


def config() -> Config:
    lines = ["sources:"]
    for sid, name, kind, country, langs in SOURCES:
        lines.append(
            f"  - {{id: {sid}, name: {json.dumps(name, ensure_ascii=False)}, kind: {kind}, "
            f"country: {country}, languages: [{', '.join(langs)}]}}"
        )
    return parse_config("\n".join(lines) + "\n")


def _edit(paras: list[str], rng: random.Random) -> tuple[list[str], int]:
    """One editorial change to a copy of `paras`; returns it and the paragraph index."""
    out = list(paras)
    i = rng.randrange(len(out))
    kind = rng.random()
    numbers = list(re.finditer(r"\d+", out[i]))
    if kind < 0.5 or not numbers:
        out[i] = out[i] + " " + rng.choice(INSERTS).format(n=rng.randint(2, 40))
    elif kind < 0.8:
        m = rng.choice(numbers)
        out[i] = out[i][: m.start()] + str(int(m.group()) + rng.randint(1, 9)) + out[i][m.end() :]
    else:
        words = list(re.finditer(r"\w{6,}", out[i]))
        m = rng.choice(words) if words else None
        if m is not None:
            out[i] = out[i][: m.start()] + "соответствующие" + out[i][m.end() :]
        else:
            out[i] += " Уточнение."
    return out, i


def _ops(old: str, new: str) -> list[list[Any]]:
    """A word-aligned diff of two texts that differ in one stretch (as edits here do)."""
    head = len(os.path.commonprefix([old, new]))  # noqa: RUF071 (strings, on purpose)
    while head and (old[head - 1 : head].isalnum()):
        head -= 1
    tail = len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]]))  # noqa: RUF071
    while tail and old[len(old) - tail : len(old) - tail + 1].isalnum():
        tail -= 1
    ops: list[list[Any]] = []
    if head:
        ops.append([0, old[:head]])
    if old[head : len(old) - tail]:
        ops.append([-1, old[head : len(old) - tail]])
    if new[head : len(new) - tail]:
        ops.append([1, new[head : len(new) - tail]])
    if tail:
        ops.append([0, old[len(old) - tail :]])
    return ops


def load(store: Store, cfg: Config, docs: int, per_doc: int, seed: int = 7) -> dict[str, Any]:
    """Bulk-insert the corpus; returns counts and timings."""
    rng = random.Random(seed)
    pool = sentence_pool()
    tax = taxonomy(cfg.themes)
    theme_cache: dict[str, list[dict[str, Any]]] = {}
    start = time.perf_counter()
    now = datetime.now(UTC)
    store.sync_sources((s.id, s.name) for s in cfg.sources)
    version_id = change_id = event_id = 0
    batch: dict[str, list[dict[str, Any]]] = {"d": [], "s": [], "v": [], "c": [], "e": []}

    def flush() -> None:
        with store.session() as s, s.begin():
            for key, model in (
                ("d", Document),
                ("s", Snapshot),
                ("v", Version),
                ("c", Change),
                ("e", Event),
            ):
                if batch[key]:
                    s.execute(insert(model), batch[key])
                    batch[key].clear()

    for d in range(1, docs + 1):
        source = SOURCES[d % len(SOURCES)][0]
        paras = []
        for _ in range(rng.randint(3, 5)):
            chosen = [*rng.sample(pool, 2), rng.choice(TOPICS)]
            rng.shuffle(chosen)
            paras.append(" ".join(chosen).format(n=rng.randint(2, 40), m=rng.randint(10, 90)))
        first_at = now - timedelta(days=730) + timedelta(minutes=d * 100)
        paras.insert(0, f"Документ № {d}-{rng.randint(100, 999)} от {first_at:%d.%m.%Y}.")
        title = f"{rng.choice(RU_TITLES)} ({d})"
        url = f"https://{source}.example/news/{d}"
        body = zlib.compress(("<html><body>" + "\n".join(paras) + "</body></html>").encode(), 6)
        batch["s"].append(
            {
                "id": d,
                "sha256": sha256(f"{d}".encode()),
                "size": len(body) * 3,
                "stored_size": len(body),
                "compression": "zlib",
                "content_type": "text/html; charset=utf-8",
                "encoding": "utf-8",
                "body": body,
                "created_at": first_at,
            }
        )
        text_ = "\n".join(paras)
        key = "\n".join(sorted(p for p in paras[1:]))
        themes = theme_cache.get(key)
        if themes is None:
            themes = [h.as_dict() for h in tax.tag(text_)]
            theme_cache[key] = themes
        themes_json = json.dumps(themes, ensure_ascii=False)
        at = first_at
        previous_id = None
        for seq in range(1, per_doc + 1):
            if seq > 1:
                at = at + timedelta(hours=rng.randint(1, 24 * 20))
                old = text_
                paras, where = _edit(paras, rng)
                text_ = "\n".join(paras)
            version_id += 1
            batch["v"].append(
                {
                    "id": version_id,
                    "document_id": d,
                    "seq": seq,
                    "snapshot_id": d,
                    "fetched_at": at,
                    "final_url": url,
                    "title": title,
                    "published_at": first_at,
                    "text": text_,
                    "text_hash": sha256(text_.encode()),
                    "chars": len(text_),
                    "rules": "bench",
                    "themes": themes_json,
                }
            )
            current_change = None
            if seq > 1:
                ops = _ops(old, text_)
                inserted = sum(len(t) for op, t in ops if op == 1)
                deleted = sum(len(t) for op, t in ops if op == -1)
                words_in = sum(len(t.split()) for op, t in ops if op == 1)
                words_out = sum(len(t.split()) for op, t in ops if op == -1)
                significance = "moderate" if words_in > 6 else "minor"
                reason = f"paragraph {where + 1} changed ({words_in} words)"
                summary = {
                    "paragraphs_changed": [where + 1],
                    "paragraphs_added": [],
                    "paragraphs_removed": [],
                    "points_changed": [],
                    "points_added": [],
                    "points_removed": [],
                    "words_inserted": words_in,
                    "words_deleted": words_out,
                    "significance": significance,
                    "reasons": [reason],
                    "cosmetic": False,
                    "headline": f"paragraph {where + 1} changed; +{words_in}/−{words_out} "
                    f"words; {significance}: {reason}",
                }
                change_id += 1
                current_change = change_id
                batch["c"].append(
                    {
                        "id": change_id,
                        "document_id": d,
                        "from_version_id": previous_id,
                        "to_version_id": version_id,
                        "inserted_chars": inserted,
                        "deleted_chars": deleted,
                        "diff": json.dumps(ops, ensure_ascii=False, separators=(",", ":")),
                        "created_at": at,
                        "themes": "[]",
                        "summary": json.dumps(summary, ensure_ascii=False),
                        "significance": significance,
                    }
                )
            event_id += 1
            batch["e"].append(
                {
                    "id": event_id,
                    "document_id": d,
                    "kind": "new" if seq == 1 else "changed",
                    "version_id": version_id,
                    "change_id": current_change,
                    "created_at": at,
                }
            )
            previous_id = version_id
        batch["d"].append(
            {
                "id": d,
                "source_id": source,
                "url": url,
                "status": "active",
                "first_seen_at": first_at,
                "last_checked_at": at,
                "last_changed_at": at,
                "last_full_fetch_at": at,
                "latest_seq": per_doc,
                "latest_text_hash": sha256(text_.encode()),
                "title": title,
                "origin": "discovered",
                "relevant": True,
                "missing_count": 0,
            }
        )
        if d % 500 == 0:
            flush()
            log(f"  {d} documents, {version_id} versions ({time.perf_counter() - start:.0f} s)")
    flush()
    inserted_s = time.perf_counter() - start
    with store.session() as s, s.begin():
        indexed = rebuild(s)
    with store.engine.connect() as c:
        if store.engine.dialect.name == "postgresql":
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        if store.engine.dialect.name == "postgresql":
            for table in ("documents", "versions", "changes", "events", "snapshots"):
                c.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            c.commit()
    return {
        "documents": docs,
        "versions": version_id,
        "changes": change_id,
        "indexed": indexed,
        "insert_s": round(inserted_s, 1),
        "index_s": round(time.perf_counter() - start - inserted_s, 1),
    }


def make_app(store: Store, cfg: Config) -> tuple[FastAPI, str]:
    try:
        from monitor.web.app import create_app

        app, kind = create_app(cfg, store), "monitor.web.app.create_app"
    except Exception as exc:  # the UI is built elsewhere; the API alone is still worth timing
        from monitor.web import api

        log(f"create_app failed ({type(exc).__name__}: {exc}); timing the API router alone")
        app, kind = FastAPI(), "bare FastAPI + monitor.web.api.router"
        app.include_router(api.router)
        app.state.store, app.state.config = store, cfg

    @app.middleware("http")
    async def server_timing(request: Request, call_next: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
        return response

    return app, kind


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    sock = socket.socket()
    # accepted sockets inherit it: without, Nagle and delayed ACKs add 40 ms per response
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


def measure(client: httpx.Client, paths: Callable[[int], list[str]], runs: int) -> dict[str, float]:
    server: list[float] = []
    wall: list[float] = []
    for i in range(-5, runs):
        total_server = total_wall = 0.0
        for path in paths(i):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
            total_wall += elapsed
            total_server += float(response.headers["Server-Timing"].split("dur=")[1])
        if i >= 0:
            server.append(total_server)
            wall.append(total_wall)

    def p95(xs: list[float]) -> float:
        return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]

    return {
        "server_median_ms": round(statistics.median(server), 2),
        "server_p95_ms": round(p95(server), 2),
        "http_median_ms": round(statistics.median(wall), 2),
        "http_p95_ms": round(p95(wall), 2),
    }


def scenarios(docs: int, per_doc: int, seed: int = 11) -> dict[str, Callable[[int], list[str]]]:
    rng = random.Random(seed)
    ids = [rng.randint(1, docs) for _ in range(200)]
    themes = ["energy", "space", "economy-finance", "migration-labour", "transport-logistics"]
    return {
        "document list": lambda i: ["/api/documents?limit=50"],
        "list, theme + country": lambda i: [
            f"/api/documents?limit=50&theme={themes[i % len(themes)]}&country=KZ&kind=official"
        ],
        "search": lambda i: [f"/api/documents?limit=50&q={SEARCHES[i % len(SEARCHES)]}"],
        "document page": lambda i: [
            f"/api/documents/{ids[i + 5]}",
            f"/api/documents/{ids[i + 5]}/versions",
        ],
        "diff (stored)": lambda i: [f"/api/documents/{ids[i + 5]}/diff"],
        "diff (v1 → latest)": lambda i: [f"/api/documents/{ids[i + 5]}/diff?from=1&to={per_doc}"],
        "changes feed (Atom)": lambda i: ["/feeds/changes.atom?limit=50"],
    }


@contextmanager
def database(url: str | None, tmp: Path) -> Iterator[str]:
    if url is None or url.startswith("sqlite"):
        yield url or f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temp directory)")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10, help="versions per document")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cfg = config()
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as url:
        store = Store(url)
        log(f"loading {args.documents} documents x {args.versions} versions into {url}")
        loaded = load(store, cfg, args.documents, args.versions)
        log(f"loaded: {loaded}")
        app, app_kind = make_app(store, cfg)
        results = {}
        with served(app) as base, httpx.Client(base_url=base, timeout=60) as client:
            for name, paths in scenarios(args.documents, args.versions).items():
                results[name] = measure(client, paths, args.runs)
                log(f"  {name}: {results[name]}")
        size = None
        if store.engine.dialect.name == "sqlite":
            size = os.path.getsize(url.removeprefix("sqlite:///"))
        store.close()
    report = {
        "database": store.engine.dialect.name,
        "app": app_kind,
        "runs": args.runs,
        "python": platform.python_version(),
        "loaded": loaded,
        "db_bytes": size,
        "results": results,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(
        f"\n{report['database']}: {loaded['documents']} documents, {loaded['versions']} "
        f"versions; {args.runs} requests each; app: {app_kind}"
    )
    print(f"{'scenario':<26}{'server median':>15}{'server p95':>12}{'http median':>13}{'p95':>9}")
    for name, r in results.items():
        print(
            f"{name:<26}{r['server_median_ms']:>12.1f} ms{r['server_p95_ms']:>9.1f} ms"
            f"{r['http_median_ms']:>10.1f} ms{r['http_p95_ms']:>6.1f} ms"
        )


if __name__ == "__main__":
    main()
