"""The cost of family matching per new document with 100,000 documents stored.

The store is filled with 100,000 fingerprints and their 64 LSH keys each (6.4
million key rows): most of them random (unrelated texts), plus families of real
near-duplicates (a treaty text with small edits and shared boilerplate), so that
candidate buckets are not all empty. Then new documents are matched the way the
cycle does it (monitor/cycle/families.py, without the embedding: a new text's
own fingerprint, the candidates of its keys, the link decision), and the query
plan of the candidate lookup is printed: it must read the key index, never scan
the table.

    .venv/bin/python bench/bench_families_scale.py [--db URL [--reuse]] [--stored N] [--new N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

from monitor.analysis import families
from monitor.cycle.families import _candidate, _row
from monitor.store import Store
from monitor.store.models import Document, FamilyKey, FamilyPrint

DOCS = Path(__file__).resolve().parents[1] / "tests" / "data" / "families" / "dev" / "docs"
WORDS = [
    "стороны",
    "соглашение",
    "сотрудничество",
    "развитие",
    "республика",
    "федерация",
    "казахстан",
    "россия",
    "торговля",
    "энергетика",
    "транспорт",
    "инвестиции",
    "образование",
    "культура",
    "граница",
    "безопасность",
    "обязуются",
    "содействуют",
    "обеспечивают",
    "договорились",
    "рамках",
    "принципах",
    "основе",
    "взаимной",
    "выгоды",
    "поставки",
    "газа",
    "нефти",
    "угля",
    "зерна",
    "металлов",
    "технологий",
    "космос",
    "цифровизация",
]


def _filler(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def fill(store: Store, stored: int, seed: int = 7, write: bool = True) -> list[str]:
    """`stored` documents with fingerprints and keys; returns texts to match later
    (`write=False`: the same texts, for a database filled by an earlier run)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    base = [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("dv0[0-4]*.txt"))]
    store.sync_sources([("bench", "bench")])
    batch = 5000
    real = 2000  # near-duplicates of real texts: buckets with something in them
    for start in range(0, stored, batch):
        docs, prints, keys = [], [], []
        for i in range(start, min(start + batch, stored)):
            doc_id = i + 1
            docs.append(
                {
                    "id": doc_id,
                    "source_id": "bench",
                    "url": f"https://bench.example/{doc_id}",
                    "status": "active",
                    "origin": "watch",
                    "first_seen_at": now,
                    "latest_seq": 0,
                    "missing_count": 0,
                }
            )
            if i < real:
                body = base[i % len(base)] + "\n\n" + _filler(rng, 40)
                fp = families.fingerprint(body)
            else:
                sig = np.array([rng.getrandbits(32) for _ in range(families.NUM_PERM)], np.uint32)
                anchor = np.array(
                    [rng.getrandbits(32) for _ in range(families.NUM_PERM)], np.uint32
                )
                fp = families.Fingerprint("ru", 600, sig, anchor, 20, 0, "")
            row = _row(doc_id, fp, official=i % 3 == 0)
            prints.append(
                {
                    "document_id": doc_id,
                    "lang": row.lang,
                    "official": row.official,
                    "shingles": row.shingles,
                    "points": row.points,
                    "anchors": row.anchors,
                    "text_sig": row.text_sig,
                    "anchor_sig": row.anchor_sig,
                    "opening": row.opening,
                    "embedding": None,
                    "updated_at": now,
                }
            )
            keys += [
                {"kind": k, "band": b, "hash": h, "document_id": doc_id}
                for k, b, h in dict.fromkeys(fp.lsh_keys())
            ]
        if not write:
            continue
        with store.engine.begin() as conn:
            conn.execute(insert(Document.__table__), docs)
            conn.execute(insert(FamilyPrint.__table__), prints)
            conn.execute(insert(FamilyKey.__table__), keys)
    return [b + "\n\n" + _filler(rng, 30) for b in base]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument(
        "--reuse", action="store_true", help="--db was filled by an earlier run: only match"
    )
    args = parser.parse_args()
    if args.reuse and not args.db:
        parser.error("--reuse needs the --db an earlier run filled")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.db or f"sqlite:///{tmp}/families.db")
        started = time.perf_counter()
        texts = fill(store, args.stored, write=not args.reuse)
        print(f"stored {args.stored} fingerprints in {time.perf_counter() - started:.0f} s")
        if store.engine.dialect.name == "postgresql":
            # what autovacuum does after a bulk load: statistics for the planner
            # and the visibility map that lets the key lookup read the index only
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE family_keys")
                c.exec_driver_sql("VACUUM ANALYZE family_prints")
        rng = random.Random(11)
        fresh = [rng.choice(texts) + " " + _filler(rng, 20) for _ in range(args.new // 2)]
        fresh += [_filler(rng, 500) for _ in range(args.new - len(fresh))]  # unrelated
        timings, met = [], []
        parts = {"fingerprint": 0.0, "candidates": 0.0, "link": 0.0}
        for body in fresh:
            t0 = time.perf_counter()
            fp = families.fingerprint(body)
            t1 = time.perf_counter()
            rows = store.family_candidates(fp.lsh_keys(), exclude=0)
            t2 = time.perf_counter()
            families.link(fp, False, [_candidate(r) for r in rows], None)
            t3 = time.perf_counter()
            for name, spent in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                parts[name] += 1000 * spent / len(fresh)
            timings.append(1000 * (t3 - t0))
            met.append(len(rows))
        print("mean ms by step:", {k: round(v, 1) for k, v in parts.items()})
        timings.sort()
        print(
            f"match per new document: median {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(0.95 * len(timings))]:.1f} ms, max {timings[-1]:.1f} ms; "
            f"candidates median {statistics.median(met):.0f}, max {max(met)}"
        )
        with store.engine.connect() as conn:
            explain = "EXPLAIN QUERY PLAN" if store.engine.dialect.name == "sqlite" else "EXPLAIN"
            plan = conn.execute(
                text(f"{explain} SELECT document_id FROM family_keys WHERE hash IN (5, 7, 11)")
            ).all()
            print("candidate lookup plan:", " | ".join(str(r[-1]) for r in plan))
        store.close()


if __name__ == "__main__":
    main()
