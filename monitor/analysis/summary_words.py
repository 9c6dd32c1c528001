"""Word-level rules of change summaries: number words, and what a one-word edit is.

A word diff says «Токаеав» became «Токаев»; the reader wants to know whether that is
a typo fixed (nothing to read), a grammatical form (minor), a negation (major) or a
different word. Numbers written as words («пять», «жиырма бес», «twenty-five») are
numbers like 5 or 25, so changing them is as serious as changing the digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from monitor.morph import normalize, term_word_keys, word_keys

PairKind = Literal[
    "capitalisation", "typo", "figures", "form", "negation added", "negation removed"
]

# --- lexicon shared with the signal finder ------------------------------------------------

EN_MONTH = r"January|February|March|April|May|June|July|August|September|October|November|December"
MONTH = (
    r"(?:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?"
    r"|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]|(?:қаңтар|ақпан|наурыз|сәуір|мамыр|маусым"
    rf"|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан)\w*|{EN_MONTH})(?!\w)"
)
MODAL = re.compile(  # obligation, permission and intent: swapping one changes a commitment
    r"(?<!\w)(?:обязу\w+|обязательн\w*|необходим\w*|долж(?:ны|ен|на|но)|вправе|мо(?:гут|жет)"
    r"|стрем(?:ятся|ится)|намерен[аы]?|рассмотр(?:ят|ит)|прим(?:ут|ет)\s+мер\w*|не\s+допуска\w+"
    r"|shall|will|(?-i:may)|should|must|undertak\w+|endeavou?r\w*|міндеттен\w*|тиіс\w*"
    r"|ұмтыл\w*|мүмкін\w*)(?!\w)",
    re.IGNORECASE,
)
_MONTH_WORD = re.compile(MONTH)

# --- number words ---------------------------------------------------------------------------


def words(spaced: str) -> list[str]:
    """A table written as space-separated words, which reads better than a list."""
    return spaced.split()


def _ru_numbers() -> dict[str, int]:
    """Every case form of the Russian cardinals (ё written е), from «два» to «триллион»."""
    out: dict[str, int] = {}

    def add(value: int, *forms: str) -> None:
        out.update(dict.fromkeys(forms, value))

    add(2, "два", "две", "двух", "двум", "двумя")
    add(3, "три", "трех", "трем", "тремя")
    add(4, "четыре", "четырех", "четырем", "четырьмя")
    soft = words("пять шесть семь восемь девять десять") + [
        f"{x}надцать" for x in words("один две три четыр пят шест сем восем девят")
    ]
    for value, word in zip([*range(5, 11), *range(11, 20)], soft, strict=True):
        add(value, word, word[:-1] + "и", word + "ю")
    for value, word in ((20, "двадцать"), (30, "тридцать")):
        add(value, word, word[:-1] + "и", word + "ю")
    del out["семью"], out["восеми"]  # «семью» is also «family»; «восьми» is the real form
    add(8, "восьми", "восьмью")
    add(40, "сорок", "сорока")
    add(90, "девяносто", "девяноста")
    add(100, "сто", "ста")
    stems = (("пять", "пяти"), ("шесть", "шести"), ("семь", "семи"), ("восемь", "восьми"))
    for value, (nom, gen) in zip((50, 60, 70, 80), stems, strict=True):
        add(value, nom + "десят", gen + "десяти", nom + "юдесятью")
    add(200, "двести", "двухсот", "двумстам", "двумястами", "двухстах")
    add(300, "триста", "трехсот", "тремстам", "тремястами", "трехстах")
    add(400, "четыреста", "четырехсот", "четыремстам", "четырьмястами", "четырехстах")
    for value, (nom, gen) in zip(
        range(500, 1000, 100), (*stems, ("девять", "девяти")), strict=True
    ):
        add(value, nom + "сот", gen + "сот", gen + "стам", nom + "юстами", gen + "стах")
    add(1000, *words("тысяча тысячи тысяч тысяче тысячу тысячей тысячью тысячам тысячами тысячах"))
    for value, base in ((10**6, "миллион"), (10**9, "миллиард"), (10**12, "триллион")):
        add(value, *(base + e for e in ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах")))
    return out


_KK_BASES = {
    "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "сегіз": 8, "тоғыз": 9,
    "жиырма": 20, "отыз": 30, "қырық": 40, "елу": 50, "алпыс": 60, "жетпіс": 70,
    "сексен": 80, "тоқсан": 90, "жүз": 100, "мың": 1000,
}  # fmt: skip
_KK_CASES = (  # dative, genitive, ablative, locative, accusative, instrumental
    "", "ге", "ке", "ға", "қа", "дің", "тің", "нің", "дың", "тың", "ның", "ден", "тен", "нен",
    "дан", "тан", "нан", "де", "те", "да", "та", "ді", "ті", "ні", "ды", "ты", "ны", "мен",
    "бен", "пен",
)  # fmt: skip
_EN = words(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen"
)
_EN_TENS = words("twenty thirty forty fifty sixty seventy eighty ninety")

NUMBER_WORDS: dict[str, int] = {
    **_ru_numbers(),
    **{base + case: v for base, v in _KK_BASES.items() for case in _KK_CASES},
    **{w: v for v, w in enumerate(_EN, start=2)},
    **{w: 20 + 10 * i for i, w in enumerate(_EN_TENS)},
    "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "он": 10,  # Kazakh «ten», Russian «he»: counted only in a Kazakh paragraph
}  # fmt: skip
# «один», «one» and «бір» are as often «a», «alone» or «the same» as a number: they count
# only inside a compound («двадцать один», «one hundred», «бір мың»).
_ONE = dict.fromkeys(
    words("один одна одно одного одной одному одним одном одну one бір бірі біреу"), 1
)
_KAZAKH = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_LETTERS = re.compile(r"[^\W\d_]+")
_JOIN = re.compile(r"[ \t\u00a0]*[-‐‑–]?[ \t\u00a0]*|[ \t\u00a0]+and[ \t\u00a0]+")


def number_word(word: str) -> int | None:
    """The value of one number word in any case form, or None («пятью» → 5)."""
    norm = normalize(word)
    return NUMBER_WORDS.get(norm, _ONE.get(norm))


def _fits(total: int, current: int, value: int) -> bool:
    """Whether `value` can continue a number read so far (`total` in thousands and up,
    `current` below): «двадцать пять», «пять тысяч», but not «пять два» or «сто сто»."""
    if value >= 1000:
        return current > 0
    if value == 100:
        return current < 10
    return current % (10 if value < 10 else 100) == 0 and total + current > 0


def number_runs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Numbers written in words in text[start:end]: (start, end, value) for each.

    Adjacent number words make one number («две тысячи двадцать пять» is 2025,
    «twenty-five» is 25); a lone «один»/«one»/«бір» is not a number.
    """
    runs: list[tuple[int, int, int]] = []
    run: list[tuple[int, int, int]] = []  # (start, end, value) of the words of the run

    def close() -> None:
        if run and not (len(run) == 1 and normalize(text[run[0][0] : run[0][1]]) in _ONE):
            runs.append((run[0][0], run[-1][1], sum(_reading(run))))
        run.clear()

    for m in _LETTERS.finditer(text, start, len(text) if end is None else end):
        if run and m[0] == "and":  # «one hundred and five»: _JOIN checks the gap
            continue
        value = number_word(m[0])
        if value == 10 and normalize(m[0]) == "он" and not _kazakh_paragraph(text, m.start()):
            value = None
        if value is None:
            close()
            continue
        if run and not (
            _JOIN.fullmatch(text, run[-1][1], m.start()) and _fits(*_reading(run), value)
        ):
            close()
        run.append((m.start(), m.end(), value))
    close()
    return runs


def _reading(run: list[tuple[int, int, int]]) -> tuple[int, int]:
    """A run of number words read left to right: (thousands and up, the rest)."""
    total = current = 0
    for *_, v in run:
        if v >= 1000:
            total, current = total + max(current, 1) * v, 0
        elif v == 100:
            current = max(current, 1) * 100
        else:
            current += v
    return total, current


def _kazakh_paragraph(text: str, pos: int) -> bool:
    start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    return bool(_KAZAKH.search(text, start, len(text) if end < 0 else end))


# --- numeric values, so that «5 млрд» equals «пять миллиардов» ---------------------------

_DIGITS = re.compile(r"[$€₽₸]?\s*(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](\d+))?")
_MAGNITUDES = (
    (re.compile(r"тыс|thousand|мың", re.I), 10**3),
    (re.compile(r"млн|миллион|million", re.I), 10**6),
    (re.compile(r"млрд|миллиард|billion", re.I), 10**9),
    (re.compile(r"трлн|триллион|trillion", re.I), 10**12),
)
_CURRENCIES = (
    ("USD", re.compile(r"\$|USD|долл|dollar", re.I)),
    ("EUR", re.compile(r"€|EUR|евро|euro", re.I)),
    ("RUB", re.compile(r"₽|RUB|руб", re.I)),
    ("KZT", re.compile(r"₸|KZT|тенге|теңге", re.I)),
    ("CNY", re.compile(r"CNY|юан", re.I)),
)


def numeric_key(kind: str, text: str) -> str:
    """What a number, percentage or amount is worth: value and unit, however written."""
    flat = re.sub(r"\s+", "", text.lower().replace("ё", "е"))
    if kind == "date":
        return flat
    value: float
    if m := _DIGITS.match(text):
        value = float(re.sub(r"\D", "", m[1]) + (f".{m[2]}" if m[2] else ""))
        rest = text[m.end() :]
        scale = next((m for rx, m in _MAGNITUDES if rx.match(rest.lstrip(" \u00a0"))), 1)
        value *= scale
    elif runs := number_runs(text):
        value, rest = runs[0][2], text[runs[0][1] :]
    else:
        return flat
    unit = "%" if kind == "percent" else ""
    unit += next((code for code, rx in _CURRENCIES if rx.search(rest)), "")
    return f"{value:.12g}{unit}"


# --- one word edited --------------------------------------------------------------------

_HOMOGLYPHS = dict(zip("aeopcxyi", "аеорсхуі", strict=True))  # Latin → Cyrillic look-alikes
_DIACRITICS = dict(zip("әіңғүұқөһ", words("а иы н г у у к о х"), strict=True))  # ә for а
_NEGATIVE_EN = ("un", "in", "im", "il", "ir", "non", "dis")
_RUSSIAN = re.compile(r"[а-я]+")
_RU_ENDINGS = frozenset(
    words(
        "а я о е ы и у ю ь й ом ем ой ей ою ею ам ям ами ями ах ях ов ев ий ый ая яя ое ее ые ие "
        "ого его ому ему ым им ых их ую юю ть ти ет ут ют ит ат ят ешь ишь ете ите л ла ло ли ся "
        "сь ется ются ится ятся ал ала ало али ил ила ило или ен ена ено ены нн нна нно нны ия ию "
        "ии ией ие ье ья ьи ью ьем ьей ьям ьями ьях ьев ий ого ому ыми ими ая яя ой ей ую ом ем"
    )
) | {""}
_KK_NEGATIVE = re.compile(r"[мбп][аеә]й?(?:ды|ді)$")
_KK_POSITIVE = re.compile(r"[аеә]?й?(?:ды|ді|ты|ті)$")


def classify_pair(old: str, new: str, elsewhere: Callable[[str], bool]) -> PairKind | None:
    """What editing one word into another is, or None for a different word.

    `elsewhere(word)` says whether the word occurs in the texts outside this edit: when
    both do, both are real words of the document and the edit is not a typo.

    Rules, in order: same letters → capitalisation; numbers, months and modal swaps
    are never typos (their own rules report them); «не-»/«un-»/Kazakh «-ма-» make a
    negation; a doubled or dropped repeated letter is a typo; the same lemma in another
    form is a grammatical form (minor: «сотрудничества» → «сотрудничеству» changes
    what the word attaches to); otherwise one or two letters in a word that keeps its
    first letters («Токаеав» → «Токаев») is a typo.
    """
    a, b = normalize(old), normalize(new)
    if a == b:
        return "capitalisation" if old != new else None
    if (a.isdigit() and b.isalpha()) or (a.isalpha() and b.isdigit()):
        # «пяти» → «5», "two" → "2": the same number written in figures (or out in
        # words) is an editor's choice of style, as cosmetic as a capital letter.
        wa = int(a) if a.isdigit() else number_word(a)
        wb = int(b) if b.isdigit() else number_word(b)
        return "figures" if wa is not None and wa == wb else None
    if not (old.isalpha() and new.isalpha()):
        return None
    va, vb = number_word(a), number_word(b)
    if va is not None and vb is not None:
        return "form" if va == vb else None  # «пяти» → «пятью», or a number changed
    months = bool(_MONTH_WORD.fullmatch(a)) + bool(_MONTH_WORD.fullmatch(b))
    special = months or va is not None or vb is not None  # «двадацть», «нобря» misspelt
    if months == 2 or (negation := _negation(a, b)) is not None:
        return None if months == 2 else negation
    if MODAL.fullmatch(a) and MODAL.fullmatch(b):
        return None
    if _doubled(a, b) or _doubled(b, a):
        return "typo"
    if not special and same_lemma(old, new) and _endings(a, b):
        return "form"
    if _typo_shape(a, b) and not (elsewhere(old) and elsewhere(new)):
        return "typo"
    return None


def _negation(a: str, b: str) -> PairKind | None:
    """«допустимо» → «недопустимо», «lawful» → «unlawful», «береді» → «бермейді»."""
    sides: tuple[tuple[str, str, PairKind], ...] = (
        (a, b, "negation added"),
        (b, a, "negation removed"),
    )
    for x, y, verb in sides:  # y is x negated
        if y == "не" + x or (x.isascii() and len(x) >= 4 and y in {p + x for p in _NEGATIVE_EN}):
            return verb
        stem = len(_common_prefix(x, y))
        if stem >= 3 and _KK_NEGATIVE.match(y[stem:]) and _KK_POSITIVE.fullmatch(x[stem:]):
            return verb
    return None


def _endings(a: str, b: str) -> bool:
    """Whether two Russian words differ only in real inflectional endings.

    Snowball gives «национальной» and the typo «национальнйо» one stem; their tails
    «ой» and «йо» show that only one of them is a form.
    """
    if not _RUSSIAN.fullmatch(a + b):
        return True  # Kazakh and English keep to their stems
    stem = len(_common_prefix(a, b))
    return stem >= 3 and a[stem:] in _RU_ENDINGS and b[stem:] in _RU_ENDINGS


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _doubled(short: str, long: str) -> bool:
    """`long` is `short` with one letter typed twice («Сторонны»)."""
    if len(long) != len(short) + 1 or len(short) < 3:
        return False
    i = len(_common_prefix(short, long))
    return long[i + 1 :] == short[i:] and i > 0 and long[i] == long[i - 1]


def lemma_keys(word: str, expand: bool = False, like: str = "") -> frozenset[str]:
    """Stems of a word in its own language only (that of `word + like`), with those of
    its Russian case forms if `expand`: the Kazakh stemmer run on «Стороны» gives
    «сторо», which would make the typo «Стороныы» look like a form of it."""
    keys = term_word_keys(word) if expand else word_keys(word)
    both = word + like
    lang = "kk:" if _KAZAKH.search(both) else "en:" if both.isascii() else "ru:"
    return frozenset(k for k in keys if k.startswith(lang))


def same_lemma(a: str, b: str) -> bool:
    """The same word in another case or number («России» / «Россией»)."""
    return not (
        lemma_keys(a, True, b).isdisjoint(lemma_keys(b, False, a))
        and lemma_keys(b, True, a).isdisjoint(lemma_keys(a, False, b))
    )


def _typo_shape(a: str, b: str) -> bool:
    """One or two letters off, late enough in a long enough word to be a slip.

    The first two letters must agree (prefixes carry meaning: «ввоз» / «вывоз»); a
    letter swapped for an unrelated one needs six letters («рост» / «пост» are two
    words), two edits need seven. A Latin look-alike or a missing Kazakh diacritic is
    a slip at any length from four.
    """
    short = min(len(a), len(b))
    if short < 4 or abs(len(a) - len(b)) > 1:
        return False
    diff = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
    if len(a) == len(b) and len(diff) <= 2 and all(_lookalike(x, y) for x, y in diff):
        return True
    if a[:2] != b[:2]:
        return False
    distance = _osa(a, b)
    if distance == 1:
        substitution = len(a) == len(b) and len(diff) == 1
        return short >= 6 or not substitution
    return distance == 2 and short >= 7


def _lookalike(x: str, y: str) -> bool:
    """A Latin letter typed for its Cyrillic twin, or a Kazakh letter missing its mark."""
    return (
        y == _HOMOGLYPHS.get(x)
        or x == _HOMOGLYPHS.get(y)
        or (y in _DIACRITICS.get(x, "-") or x in _DIACRITICS.get(y, "-"))
    )


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
