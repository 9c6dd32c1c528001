"""The families' MinHash is datasketch's, bit for bit: stored family keys stay valid
after datasketch (and the SciPy it imports) left the service's runtime."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash

from monitor.analysis import families


def _datasketch(tokens: set[str]) -> np.ndarray:
    m = MinHash(num_perm=families.NUM_PERM, hashfunc=families._crc)
    m.update_batch([t.encode() for t in tokens])
    return np.asarray(m.hashvalues, dtype=np.uint32)


@pytest.mark.parametrize("seed", range(20))
def test_signatures_equal_datasketch(seed: int) -> None:
    rng = random.Random(seed)
    words = ["договор", "статья", "Қазақстан", "Russia", "1992", "пункт", "ынтымақтастық"]
    tokens = {" ".join(rng.choices(words, k=rng.randint(1, 5))) for _ in range(rng.randint(1, 300))}
    mine = families._minhash(tokens)
    assert mine.dtype == np.uint32 and mine.shape == (families.NUM_PERM,)
    assert np.array_equal(mine, _datasketch(tokens))


def test_an_empty_set_is_datasketch_empty_signature() -> None:
    assert np.array_equal(families._minhash(set()), _datasketch(set()))
