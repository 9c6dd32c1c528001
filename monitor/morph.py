"""Tokenisation and morphology-aware term matching for Russian, Kazakh and English.

Terms come from configuration written by people, so they are matched by stem, not
by string: "Казахстан" finds «Казахстаном», "Ресей" finds «Ресейдің», "Kazakhstan"
finds «Kazakhstan's». Conventions for writing a term:

* Write words in dictionary form (nominative singular). Each word then matches its
  inflected forms, and nothing that merely shares a prefix: "энергия" does not
  match «энергичный» nor «энергетика».
* Several words separated by spaces ("Евразийский экономический союз") match those
  words in that order, inflected, separated only by whitespace, within one sentence.
* Words joined by a hyphen or dash ("российско-казахстанский", "Russia–Kazakhstan")
  match a hyphenated compound in the text, with any dash and optional spaces. A
  single word also matches a part of a compound: "российский" finds «российско» in
  «российско-казахстанских».
* A word ending in `*` ("энерг*") opts into prefix matching on the surface form, for
  authors who do want «энергичный» too.

Language is decided per word by script: Kazakh-specific letters (әғқңөұүһі) mean
Kazakh, other Cyrillic words are tried as Russian and as Kazakh, Latin as English.
Russian and English use the Snowball stemmers (snowballstemmer); Kazakh has no
maintained stemmer, so `kazakh_stem` strips inflectional suffixes itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise


class _Stemmer:
    """A snowball stemmer per thread.

    Why: a snowballstemmer object keeps the word it is stemming in itself, so two
    threads stemming at once corrupt each other's word (IndexError deep in
    `find_among_b`). One process had one writer thread; workers run one per
    concurrent job, and the first checks compile the theme terms together.
    """

    def __init__(self, language: str) -> None:
        self._language = language
        self._local = threading.local()

    def stemWord(self, word: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            # Imported on first use: the stemmers load ~20 ms of tables that a
            # check where no text changed never needs.
            import snowballstemmer

            stemmer = self._local.stemmer = snowballstemmer.stemmer(self._language)
        result: str = stemmer.stemWord(word)
        return result


_RU = _Stemmer("russian")
_EN = _Stemmer("english")

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_DASHES = "-‐‑‒–—―"


def _words(spaced: str) -> set[str]:
    """A table written as space-separated words, which reads better than a list."""
    return set(spaced.split())


_KAZAKH_LETTERS = frozenset("әғқңөұүһі")
_KK_VOWELS = frozenset("аәеиоөұүыіэюяу")
_PREFIX = 3  # length of the cheap pre-check done before stemming a token

# Kazakh inflection (plural, possessive, case, adjectival -лық, -дағы), all harmony
# variants. Locative -нда, dative -на and the like only follow a possessive, so they
# are listed with it (-ында, -сына): alone they would eat the н of «Қазақстанда».
_KK_SUFFIX_TABLE = (
    "лар лер дар дер тар тер "
    "ымыз іміз мыз міз ыңыз іңіз ңыз ңіз ым ім ың ің сы сі ы і "
    "ның нің дың дің тың тің "
    "ға ге қа ке "
    "да де та те дағы дегі тағы тегі ғы гі қы кі "
    "дан ден тан тен нан нен "
    "ды ді ты ті ны ні "
    "мен бен пен менен бенен пенен "
    "лық лік дық дік тық тік лығ ліг дығ діг тығ тіг "
    "ын ін сын сін ына іне сына сіне ында інде сында сінде "
    "ындағы індегі сындағы сіндегі ының інің сының сінің "
    "ынан інен сынан сінен ымен імен сымен сімен"
)
_KK_SUFFIXES = tuple(sorted(_words(_KK_SUFFIX_TABLE), key=len, reverse=True))
_KK_MIN_STEM = 3

# Russian noun endings appended to a term word to learn every stem Snowball gives its
# forms: Snowball cuts «Казахстан» to «казахста» (reading -н as a verb ending) but
# «Казахстаном» to «казахстан», «Токаев» to «тока» but «Токаева» to «токаев».
_RU_ENDINGS = ("", *sorted(_words("а у е ом ой ою ы и ов ам ами ах ей ю ем я ям ями ях ым ью")))
_RU_ADJECTIVE = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A span of the text; matches inside it can be quoted for theme tagging."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of a configured term: what was found, where, in which sentence."""

    term: str
    surface: str
    start: int
    end: int
    sentence: Sentence


def normalize(word: str) -> str:
    """Lower-case, ё→е and one apostrophe, so that spelling variants stem alike."""
    return word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


def kazakh_stem(word: str) -> str:
    """Strip Kazakh suffixes right to left, keeping at least three letters of stem."""
    stem = normalize(word)
    stripped = True
    while stripped:
        stripped = False
        for suffix in _KK_SUFFIXES:
            rest = len(stem) - len(suffix)
            if rest < _KK_MIN_STEM or not stem.endswith(suffix):
                continue
            if suffix in ("тан", "тен") and stem[rest - 1] == "с":
                continue  # -стан of a country name, not the ablative
            if suffix in ("ны", "ні") and stem[rest - 1] not in _KK_VOWELS:
                continue  # accusative -ны/-ні only follows a vowel
            stem = stem[:rest]
            stripped = True
            break
    return stem


def _script(word: str) -> str:
    if any(ch in _KAZAKH_LETTERS for ch in word):
        return "kk"
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        return "cyr"
    return "en"


@lru_cache(maxsize=200_000)
def word_keys(word: str) -> frozenset[str]:
    """Comparable keys of a text word, one per language it may belong to."""
    norm = normalize(word)
    script = _script(norm)
    if script == "kk":
        return frozenset({"kk:" + kazakh_stem(norm)})
    if script == "cyr":
        return frozenset({"ru:" + _RU.stemWord(norm), "kk:" + kazakh_stem(norm)})
    return frozenset({"en:" + _EN.stemWord(norm)})


def term_word_keys(word: str) -> frozenset[str]:
    """Keys of a term word: like `word_keys`, plus the stems of its Russian forms."""
    norm = normalize(word)
    keys = set(word_keys(norm))
    if _script(norm) == "cyr" and not norm.endswith(_RU_ADJECTIVE):
        base = norm[:-1] if norm[-1] in "аяоеьйиыу" else norm
        keys.update("ru:" + _RU.stemWord(base + ending) for ending in _RU_ENDINGS)
    return frozenset(keys)


_ABBREVIATIONS = frozenset(
    _words("г гг т е д п им ул пр ст см тыс млн млрд трлн руб долл проф акад ж жж б ")
    | _words("mr mrs ms dr st no vs inc ltd jr sr co corp gen gov sen rep")
)
_SENTENCE_END = re.compile(r"[.!?…]+[»\"”’)\]]*\s+|\n+")


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences; a line break always ends one (one paragraph a line).

    Cached: the summary, the themes and relevance split the same texts of one
    change many times (25 splits of each text per summary), and the split is pure.
    Callers get their own list; the Sentence objects are frozen."""
    return list(_split(text))


@lru_cache(maxsize=32)
def _split(text: str) -> tuple[Sentence, ...]:
    result: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group():
            following = text[m.end() : m.end() + 3].lstrip('«"“„([' + _DASHES + " ")
            if not following or not (following[0].isupper() or following[0].isdigit()):
                continue
            if m.group()[0] == "." and _before_is_abbreviation(text, m.start()):
                continue
        _add_sentence(result, text, start, m.start() + len(m.group().rstrip()))
        start = m.end()
    _add_sentence(result, text, start, len(text))
    return tuple(result)


def _before_is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([^\W\d_]+)$", text[max(0, dot - 12) : dot])
    if not word:
        return False
    letters = word.group(1)
    return (len(letters) == 1 and letters.isupper()) or letters.lower() in _ABBREVIATIONS


def _add_sentence(result: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = start + len(chunk) - len(chunk.lstrip())
        result.append(Sentence(lead, lead + len(stripped), stripped))


@dataclass(frozen=True, slots=True)
class _Pattern:
    keys: frozenset[str]
    prefix: str  # non-empty for a `word*` wildcard

    def matches(self, word: str) -> bool:
        if self.prefix:
            return normalize(word).startswith(self.prefix)
        return not self.keys.isdisjoint(word_keys(word))


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    patterns: tuple[_Pattern, ...]
    joints: tuple[str, ...]  # joint required before each pattern after the first


def _compile_term(term: str) -> _Term:
    spans = [m.span() for m in _WORD.finditer(term)]
    if not spans:
        raise ValueError(f"term {term!r} has no word in it")
    patterns = tuple(
        _Pattern(frozenset(), normalize(term[a:b]))
        if term[b : b + 1] == "*"
        else _Pattern(term_word_keys(term[a:b]), "")
        for a, b in spans
    )
    joints = tuple(
        "dash" if _joint(term[prev[1] : cur[0]].strip("*")) == "dash" else "space"
        for prev, cur in pairwise(spans)
    )
    return _Term(term, patterns, joints)


class TermMatcher:
    """Finds configured terms in texts; compile once, match many documents."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = [_compile_term(t) for t in dict.fromkeys(t.strip() for t in terms) if t]
        self._by_key: dict[str, list[_Term]] = {}
        self._wildcards: list[_Term] = []
        self._prefixes: set[str] = set()
        self._short: set[str] = set()  # stems shorter than the pre-check ("рф", "eu")
        for term in self._terms:
            first = term.patterns[0]
            if first.prefix:
                self._wildcards.append(term)
            for key in first.keys:
                self._by_key.setdefault(key, []).append(term)
            for pattern in term.patterns:
                stems = [pattern.prefix] if pattern.prefix else [k[3:] for k in pattern.keys]
                self._prefixes.update(s[:_PREFIX] for s in stems)
                self._short.update(s for s in stems if len(s) < _PREFIX)

    @property
    def terms(self) -> list[str]:
        """The distinct configured terms, in configuration order."""
        return [t.text for t in self._terms]

    def matches(self, text: str) -> list[Match]:
        """Every occurrence of every term, sentence by sentence, in text order."""
        found: list[Match] = []
        for sentence in sentences(text):
            found.extend(self._match_sentence(text, sentence))
        return found

    def find(self, text: str) -> dict[str, list[str]]:
        """Each matched term mapped to the distinct surface forms found for it."""
        return by_term(self.matches(text))

    def by_sentence(self, text: str) -> list[tuple[Sentence, dict[str, list[str]]]]:
        """Sentences that match at least one term, each with its terms and surfaces."""
        result: list[tuple[Sentence, dict[str, list[str]]]] = []
        for sentence in sentences(text):
            found = self._match_sentence(text, sentence)
            if found:
                result.append((sentence, by_term(found)))
        return result

    def _match_sentence(self, text: str, sentence: Sentence) -> list[Match]:
        # plain spans, not Token objects: most words fail the pre-check and are never stemmed
        spans = [m.span() for m in _WORD.finditer(text, sentence.start, sentence.end)]
        found: list[Match] = []
        for i, (start, end) in enumerate(spans):
            word = text[start:end]
            if not self._may_match(word):
                continue
            candidates = list(self._wildcards)
            for key in word_keys(word):
                candidates.extend(self._by_key.get(key, ()))
            for term in dict.fromkeys(candidates):
                last = self._match_at(term, text, spans, i)
                if last is not None:
                    stop = spans[last][1]
                    found.append(Match(term.text, text[start:stop], start, stop, sentence))
        return found

    def _may_match(self, word: str) -> bool:
        """Cheap pre-check: stems only cut endings, so a match shares the first letters."""
        head = word[:_PREFIX].lower().replace("ё", "е")
        if not head.isalpha():
            head = re.split(r"['’ʼ]", head, maxsplit=1)[0]
        return head in self._prefixes or (bool(self._short) and head[: _PREFIX - 1] in self._short)

    def _match_at(self, term: _Term, text: str, spans: list[tuple[int, int]], i: int) -> int | None:
        if not term.patterns[0].matches(text[spans[i][0] : spans[i][1]]):
            return None
        for offset, (pattern, joint) in enumerate(
            zip(term.patterns[1:], term.joints, strict=True), 1
        ):
            j = i + offset
            if j >= len(spans) or _joint(text[spans[j - 1][1] : spans[j][0]]) != joint:
                return None
            if not pattern.matches(text[spans[j][0] : spans[j][1]]):
                return None
        return i + len(term.patterns) - 1


def _joint(gap: str) -> str:
    """How two words are joined: by whitespace, by one dash, or by anything else."""
    gap = gap.strip()
    if not gap:
        return "space"
    return "dash" if len(gap) == 1 and gap in _DASHES else "break"


def by_term(found: Iterable[Match]) -> dict[str, list[str]]:
    """Each matched term with the distinct surface forms found for it, in text order."""
    grouped: dict[str, list[str]] = {}
    for match in found:
        surfaces = grouped.setdefault(match.term, [])
        if match.surface not in surfaces:
            surfaces.append(match.surface)
    return grouped
