"""What must agree between the language versions of one text: its numbers, its
dates and its proper names.

A Russian, a Kazakh and an English copy of one agreement share no words, but in
each point they must name the same sums, years, days and months, the same
cities, people and organisations. This module reads those facts out of a point
in any of the three languages as language-free keys, so that two points can be
compared: «12 ноября», «12 қарашада» and "12 November" all give the number 12
and the month 11; «Астане», «Астанада» and "Astana" all give the name Astana.

Names come two ways:

* **Known names** (`_ENTITIES`): the places, people and organisations of this
  subject whose spellings differ too much across the languages to be matched
  letter by letter (Россия / Ресей / Russia, США / АҚШ / USA, ЕАЭС / ЕАЭО / EAEU).
* **Other names**: capitalised words inside a sentence, romanised with anyascii
  and reduced to their consonants («Бекмамбетовым» and «Бекмамбетовтің» both give
  bkmmbtv…), matched when one skeleton is a prefix of the other but for a last
  letter (a case ending).

A name only counts as missing from the other side's point when the other side
could have written it: a known name, or one that the other text names somewhere
else. Russian capitalises words that Kazakh and English do not («Международный
фестиваль»); those have no counterpart anywhere in the other text, so they are
never reported, while a city swapped for another in one point of one language
is. Measured on real parallel sentences by bench/bench_facts.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from anyascii import anyascii

Kind = Literal["number", "date", "name"]

NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![.,]?\d)")  # «30», «2,5», «30кг»
_WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")
_SENTENCE_END = ".!?…\n"
_OPENERS = " \t«\"“„'(‘[—–-"

# Month stems: a word that starts with one of these is that month (ru, kk, en);
# the English abbreviations and «май» / "May" count as whole words only.
_MONTHS: dict[str, int] = {}
_WHOLE_MONTHS: dict[str, int] = {}
for _number, _stems, _whole in (
    (1, ("январ", "қаңтар", "january"), ("jan",)),
    (2, ("феврал", "ақпан", "february"), ("feb",)),
    (3, ("март", "наурыз", "march"), ("mar",)),
    (4, ("апрел", "сәуір", "april"), ("apr",)),
    (5, ("мамыр",), ("май", "мая", "мае", "may")),
    (6, ("июн", "маусым", "june"), ("jun",)),
    (7, ("июл", "шілде", "july"), ("jul",)),
    (8, ("август", "тамыз"), ("august", "aug")),
    (9, ("сентябр", "қыркүйек", "september"), ("sep", "sept")),
    (10, ("октябр", "қазан", "october"), ("oct",)),
    (11, ("ноябр", "қараша", "november"), ("nov",)),
    (12, ("декабр", "желтоқсан", "december"), ("dec",)),
):
    _MONTHS.update(dict.fromkeys(_stems, _number))
    _WHOLE_MONTHS.update(dict.fromkeys(_whole, _number))
_MONTH_STEM = re.compile("|".join(sorted(_MONTHS, key=len, reverse=True)))
_YEAR = ("жыл", "year", "год")  # «1999 жылдың қазанында»: a month after its year

# Known names whose spellings differ across the languages: id -> lowercase stems.
# A capitalised word (or an acronym) that starts with a stem is that entity.
_ENTITIES: dict[str, tuple[str, ...]] = {
    "russia": ("росси", "ресей", "russia", "рф"),
    "kazakhstan": ("казах", "қазақ", "kazakh", "рк", "қр"),
    "usa": ("сша", "ақш", "usa", "us", "америк", "americ"),
    "china": ("кита", "қытай", "china", "chinese"),
    "uzbekistan": ("узбек", "өзбек", "uzbek"),
    "kyrgyzstan": ("киргиз", "кыргыз", "қырғыз", "kyrgyz"),
    "belarus": ("беларус", "белорус", "belarus"),
    "armenia": ("армени", "армян", "armenia"),
    "moscow": ("москв", "мәскеу", "moscow"),
    "astana": ("астан", "astana", "нур-султан", "нұр-сұлтан", "nur-sultan"),
    "almaty": ("алмат", "алма-ат", "almaty", "alma-ata"),
    "baikonur": ("байконур", "байқоңыр", "baikonur", "baykonur"),
    "orenburg": ("оренбург", "орынбор", "orenburg"),
    "omsk": ("омск", "омбы", "omsk"),
    "oral": ("уральск", "орал", "uralsk", "oral"),
    "oskemen": ("усть-каменогорск", "өскемен", "ust-kamenogorsk", "oskemen"),
    "semey": ("семей", "семипалатинск", "semey", "semipalatinsk"),
    "caspian": ("каспи", "каспий", "caspian"),
    "eaeu": ("еаэс", "еаэо", "eaeu"),
    "csto": ("одкб", "ұқшұ", "csto"),
    "sco": ("шос", "шыұ", "sco"),
    "cis": ("снг", "тмд", "cis"),
    "un": ("оон", "бұұ", "un"),
    "brics": ("брикс", "brics"),
    "putin": ("путин", "putin"),
    "tokayev": ("токаев", "тоқаев", "tokayev", "tokaev"),
    "nazarbayev": ("назарбаев", "nazarbayev", "nazarbaev"),
    "mishustin": ("мишустин", "mishustin"),
    "lavrov": ("лавров", "lavrov"),
}
_ENTITY_STEMS = sorted(
    ((stem, name) for name, stems in _ENTITIES.items() for stem in stems),
    key=lambda pair: -len(pair[0]),
)
_EXACT_ONLY = {stem for stem, _ in _ENTITY_STEMS if len(stem) <= 3}  # «рф», «un», «шос»
_STEM_NAMES = dict(_ENTITY_STEMS)
# one match per word instead of a loop over the stems (longest first: the
# alternation takes the first that matches)
_STEM = re.compile(
    "|".join(re.escape(stem) for stem, _ in _ENTITY_STEMS if stem not in _EXACT_ONLY)
)
_EXACT = re.compile(
    "(?:"
    + "|".join(re.escape(stem) for stem in sorted(_EXACT_ONLY, key=len, reverse=True))
    + r")(?:-|$)"
)

# English words capitalised for reasons other than being names.
_NOT_NAMES = {
    "i",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}


_CURRENCY = re.compile(r"(?:доллар|dollar|евро|euro|рубл|rouble|ruble|теңге|тенге|tenge)", re.I)


@dataclass(frozen=True)
class Fact:
    """One number, month or name of a text: `key` is the same in every language,
    `text` is how this text writes it, at [`start`, `end`)."""

    kind: Kind
    key: str
    text: str
    start: int
    end: int


_SOUNDS = str.maketrans("qhxw", "kkkv")


@lru_cache(maxsize=16384)
def _skeleton(word: str) -> str:
    """The consonants of a romanised name: spelling and case endings vary less
    there («Тажина» and «Тәжиннің»: tjn…)."""
    s = re.sub(r"[^a-z]", "", anyascii(_cyrillic(word)).lower())
    for a, b in (
        ("shch", "s"),
        ("dzh", "j"),
        ("zh", "j"),
        ("kh", "k"),
        ("ts", "c"),
        ("ch", "c"),
        ("sh", "s"),
        ("ng", "n"),  # Kazakh ң («Жаңаөзен») and "Shanghai" / «Шанхай»
        ("gh", "g"),
        ("ck", "k"),
        ("ph", "f"),
    ):
        s = s.replace(a, b)
    s = re.sub(r"c(?=[eiy])", "s", s)
    s = s.translate(_SOUNDS)
    return re.sub(r"[aeiouy]", "", s)


def same_name(a: str, b: str) -> bool:
    """Two skeletons name the same: one is the other's prefix but for its last
    consonant (a case ending: «Бекмамбетовым», «Бекмамбетовтің»); a skeleton of
    three or four consonants must be a whole prefix of the other."""
    if a[:1] in "@=" or b[:1] in "@=":
        return a == b
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 3 and common >= (shorter - 1 if shorter >= 5 else shorter)


# Latin letters typed inside Cyrillic words («Aмерика», «жаhандық»), and the
# Kazakh letters folded to Russian ones for the known names («Қазахстан»).
_LOOKALIKES = str.maketrans("aeopcxykmthbABEKMHOPCTXY", "аеорсхукмтһвАВЕКМНОРСТХУ")
_FOLD = str.maketrans("қғәөұүіңһ", "кгаоууинх")


def _cyrillic(word: str) -> str:
    """The word with Latin look-alikes made Cyrillic, when it is mostly Cyrillic."""
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    return word.translate(_LOOKALIKES) if 0 < cyrillic < len(word) else word


@lru_cache(maxsize=16384)
def _entity(word: str) -> str | None:
    low = _cyrillic(word).lower().replace("ё", "е")
    for form in (low, low.translate(_FOLD)):
        found = _STEM.match(form) or _EXACT.match(form)
        if found:
            return _STEM_NAMES[found.group().rstrip("-")]
    return None


@lru_cache(maxsize=16384)
def _month(word: str) -> int | None:
    low = word.lower().rstrip(".")
    if low in _WHOLE_MONTHS:
        return _WHOLE_MONTHS[low]
    found = _MONTH_STEM.match(low)
    return _MONTHS[found.group()] if found else None


def _initial(text: str, start: int) -> bool:
    """Is the word at `start` the first of a sentence (capitalised anyway)?"""
    before = text[max(0, start - 40) : start].rstrip(_OPENERS)  # bounded: long texts
    return not before or before[-1] in _SENTENCE_END


@dataclass(frozen=True)
class Reading:
    """A point (or a whole text) as compared: its facts, and every word's name
    key, capitalised or not — «Организации» is written small in «Шанхайской
    организации сотрудничества», and the English "Organization" is not missing."""

    facts: list[Fact]
    names: dict[str, list[str]]  # name keys by their first three letters
    words: dict[str, list[str]]  # every word's key, the same way

    def names_one(self, key: str) -> bool:
        """Does this text carry a name that `same_name` matches with `key`?"""
        return _among(key, self.names)

    def says(self, key: str) -> bool:
        """Does any word of this text, capitalised or not, match `key`?"""
        return _among(key, self.words)


def _index(keys: Iterable[str]) -> dict[str, list[str]]:
    """Keys by their first three letters: `same_name` needs three in common, so a
    lookup meets only its few possible matches, not every name of a long text."""
    out: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        out.setdefault(key[:3], []).append(key)
    return out


def _among(key: str, index: dict[str, list[str]]) -> bool:
    return any(same_name(key, k) for k in index.get(key[:3], ()))


def read(text: str) -> Reading:
    keys = set()
    for m in _WORD.finditer(text):
        entity = _entity(m.group())
        keys.add("@" + entity if entity else _skeleton(m.group()))
    found = facts(text)
    names = _index(f.key for f in found if f.kind == "name")
    return Reading(found, names, _index(k for k in keys if len(k) >= 3))


def facts(text: str) -> list[Fact]:
    """The numbers, months (in a date) and names of a text."""
    out = [
        Fact("number", m.group().replace(",", "."), m.group(), m.start(), m.end())
        for m in NUMBER.finditer(text)
    ]
    words = list(_WORD.finditer(text))
    initial_candidates = []
    for i, m in enumerate(words):
        word = m.group()
        month = _month(word)
        if month is not None and _dated(text, words, i):
            out.append(Fact("date", f"month:{month}", word, m.start(), m.end()))
            continue
        if not word[0].isupper() or word.lower() in _NOT_NAMES:
            continue
        if month is not None:
            continue  # "November" without a day or a year: not a name either
        acronym = word.isupper() and len(word) > 1
        if acronym and len(word.replace("-", "")) > 6:
            continue  # a heading in capitals, not an acronym
        if _CURRENCY.match(_neighbour(words, i, -1)) or _CURRENCY.match(_neighbour(words, i, 1)):
            continue  # «долларов США», «АҚШ доллары», "US dollars": a currency
        entity = _entity(word)
        if entity is not None:
            out.append(Fact("name", "@" + entity, word, m.start(), m.end()))
            continue
        if acronym:
            key = "=" + anyascii(word).upper()
            out.append(Fact("name", key, word, m.start(), m.end()))
            continue
        key = _skeleton(word)
        if len(key) < 3:
            continue
        fact = Fact("name", key, word, m.start(), m.end())
        if _initial(text, m.start()):
            initial_candidates.append(fact)
        else:
            out.append(fact)
    # A sentence's first word is capitalised anyway: a name only if the text
    # also writes it capitalised inside a sentence.
    inside = _index(f.key for f in out if f.kind == "name")
    out += [f for f in initial_candidates if _among(f.key, inside)]
    return sorted(out, key=lambda f: f.start)


def _neighbour(words: list[re.Match[str]], i: int, step: int) -> str:
    j = i + step
    return words[j].group() if 0 <= j < len(words) else ""


def _dated(text: str, words: list[re.Match[str]], i: int) -> bool:
    """A month word counts in a date only: next to a day or a year («12 ноября»,
    "November 12", «в октябре 1999 года») or after its year («1999 жылдың
    қазанында»). «В конце августа» and «тамыз айында» are left out alike, so the
    languages agree on what is a date."""
    m = words[i]
    before = text[max(0, m.start() - 4) : m.start()].rstrip(" \t-")
    after = text[m.end() : m.end() + 4].lstrip(" \t,")
    if (before and before[-1].isdigit()) or (after and after[0].isdigit()):
        return True
    if i == 0 or not words[i - 1].group().lower().startswith(_YEAR):
        return False
    year = text[max(0, words[i - 1].start() - 4) : words[i - 1].start()].rstrip(" \t-")
    return bool(year) and year[-1].isdigit()


def _knowable(fact: Fact, other: Reading) -> bool:
    """Could the other language have written this name? A known entity, or a
    name the other text carries somewhere."""
    return fact.key.startswith("@") or other.names_one(fact.key)


def missing(mine: Reading, theirs: Reading, their_text: Reading | None = None) -> list[Fact]:
    """The facts of one point that the other language's point lacks: each number
    and month as often as it occurs, each name at least once. `their_text` (the
    other side's whole text) says which names the other side knows how to write."""
    whole = theirs if their_text is None else their_text
    left = Counter(f.key for f in theirs.facts if f.kind != "name")
    out = []
    for fact in mine.facts:
        if fact.kind != "name":
            if left[fact.key] > 0:
                left[fact.key] -= 1
            else:
                out.append(fact)
        elif not (theirs.names_one(fact.key) or theirs.says(fact.key)) and _knowable(fact, whole):
            out.append(fact)
    return out
