"""Real-page extraction corpus: loader and the 4-gram shingle metric.

    from bench.realpages.corpus import load, shingle_prf   # or: import corpus (path on sys.path)
    pages = load()                      # every page, manifest order
    p, r, f1 = shingle_prf(predicted_text, pages[0].truth)

Layout (see README.md beside this file): ``manifest.json`` lists the pages,
``pages/<id>.html.gz`` holds the raw bytes as saved by the source repository and
``truth/<id>.txt`` the main text (UTF-8, one paragraph per line).

This module depends on the standard library only, so tests and benchmarks can
import it without the project's packages.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "manifest.json"
RU_KK = frozenset({"ru", "kk"})


@dataclass(frozen=True)
class Page:
    id: str
    lang: str
    html: str
    truth: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.meta.get("repo", ""))


# --- decoding -----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)
# WHATWG: these labels mean windows-1252 / utf-8 in browsers.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "win-1251": "cp1251",
    "x-cp1251": "cp1251",
}


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares (BOM, XML declaration, or <meta> in its first 8 KB)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:8192]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            label = match.group(1).decode("ascii", "replace").strip().lower()
            label = _ALIASES.get(label, label)
            try:
                return codecs.lookup(label).name
            except LookupError:
                continue
    return None


def decode_html(raw: bytes, charset: str | None = None) -> str:
    """Bytes to text: the given or declared charset if the bytes fit it, else UTF-8,
    else windows-1251 when the high bytes look Cyrillic, else windows-1252."""
    candidates = [c for c in (charset, declared_charset(raw)) if c]
    for name in [*candidates, "utf-8"]:
        try:
            text = raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
        return text.removeprefix("\ufeff")
    high = sum(1 for b in raw if b >= 0x80)
    cyrillic = sum(1 for b in raw if 0xC0 <= b <= 0xFF)
    fallback = "cp1251" if high and cyrillic / high > 0.6 else "cp1252"
    return raw.decode(candidates[0] if candidates else fallback, errors="replace")


# --- loading ------------------------------------------------------------------------


def manifest(root: Path = ROOT) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((root / "manifest.json").read_text("utf-8"))
    return entries


class CorpusMissing(Exception):
    """The pages and truths are not on this machine (they are not in the repository)."""


def available(root: Path = ROOT) -> bool:
    return (root / "pages").is_dir() and (root / "truth").is_dir()


def load(
    root: Path = ROOT, *, langs: Iterable[str] | None = None, ids: Sequence[str] | None = None
) -> list[Page]:
    """Every page of the manifest (optionally only some languages or ids), in manifest order.

    Raises CorpusMissing, naming what is missing, when the data directories are absent:
    the manifest is committed, the pages and truths are not (README.md)."""
    if not available(root):
        raise CorpusMissing(
            f"the real-page corpus is not here: {root / 'pages'} and {root / 'truth'} are "
            "missing. They are not committed (see bench/realpages/README.md); manifest.json "
            "lists every page with its repository, path and commit, and "
            "bench/realpages/assemble.py builds them from clones of the two repositories."
        )
    wanted_langs = set(langs) if langs is not None else None
    wanted_ids = set(ids) if ids is not None else None
    pages: list[Page] = []
    for entry in manifest(root):
        if wanted_langs is not None and entry["lang"] not in wanted_langs:
            continue
        if wanted_ids is not None and entry["id"] not in wanted_ids:
            continue
        raw = gzip.decompress((root / "pages" / f"{entry['id']}.html.gz").read_bytes())
        truth = (root / "truth" / f"{entry['id']}.txt").read_text("utf-8")
        pages.append(
            Page(
                id=entry["id"],
                lang=entry["lang"],
                html=decode_html(raw, entry.get("charset")),
                truth=truth,
                meta=dict(entry),
            )
        )
    return pages


# --- metric ------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str, *, lowercase: bool = False) -> list[str]:
    found = _TOKEN.findall(text or "")
    return [t.lower() for t in found] if lowercase else found


def shingles(text: str, n: int = 4, *, lowercase: bool = False) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams; a text shorter than n words is one shingle of all of them."""
    words = tokens(text, lowercase=lowercase)
    return Counter(
        tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n]
    )


def shingle_counts(
    pred: str, truth: str, n: int = 4, *, lowercase: bool = False
) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle multisets, normalised to sum 1 (all zero if both are empty)."""
    true_sh = shingles(truth, n, lowercase=lowercase)
    pred_sh = shingles(pred, n, lowercase=lowercase)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def shingle_prf(
    pred: str, truth: str, n: int = 4, *, lowercase: bool = False
) -> tuple[float, float, float]:
    """Precision, recall and F1 of `pred` against `truth` over word 4-gram shingles.

    This is the metric of scrapinghub/article-extraction-benchmark, ``evaluate.py``
    (``string_shingle_matching``, ``precision_score``, ``recall_score``): tokens are
    ``re.findall(r"\\w+")`` (Unicode word characters; the benchmark keeps their case,
    so ``lowercase`` is off by default), shingles are the multiset of consecutive
    n-grams (a text of fewer than n tokens is a single shorter shingle), and
    tp/fp/fn are the multiset intersection and the two differences. Both texts empty
    gives (1, 1, 1); an empty prediction for a non-empty truth gives (0, 0, 0).
    """
    tp, fp, fn = shingle_counts(pred, truth, n, lowercase=lowercase)
    p, r = _precision(tp, fp, fn), _recall(tp, fp, fn)
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return p, r, f1


def benchmark_f1(counts: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Corpus-level (P, R, F1) exactly as the benchmark's ``metrics_from_tp_fp_fns``:
    P is the mean over pages with a non-empty prediction, R the mean over pages with
    a non-empty truth, F1 their harmonic mean (not the mean of per-page F1)."""
    ps = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)
