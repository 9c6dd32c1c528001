"""The regex replacements of blocktext and region equal the str.translate tables
they replaced: hashed texts and stored region digests must not move."""

from __future__ import annotations

import random
import unicodedata

import pytest

from monitor.extract import blocktext, region

SPECIAL = [chr(c) for c in blocktext._TRANSLATE]
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = [*"Россия Qazaqstan ҚәңұүһіӘ 12,5\n\r\t.", *SPECIAL]
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 300))) for _ in range(300)]


@pytest.mark.parametrize("seed", range(5))
def test_replace_special_is_the_translate_table(seed: int) -> None:
    for text in _texts(seed):
        assert blocktext.replace_special(text) == text.translate(blocktext._TRANSLATE)


@pytest.mark.parametrize("seed", range(5))
def test_region_digests_are_unchanged(seed: int) -> None:
    for text in _texts(seed):
        before = "".join(unicodedata.normalize("NFC", text).translate(INVISIBLE).split())
        assert region._squeeze(text) == before
