"""Page furniture inside the article block: counters, relative times, datelines.

Why: these lines sit right under the headline on many news and government
sites, inside whatever element holds the article, and they change on every
request ("Просмотров: 1234", "Обновлено 5 минут назад", "12:45, 30 ноября").
Left in the text, each check is a new version and, with a number in it, a major
alert. They are recognised here by shape, taken out of the text and returned as
metadata, so they can still be shown (`monitor extract`) without being hashed.

Only short lines are considered (`MAX_META_CHARS`), and a line must be nothing
but the furniture: a sentence that mentions views or a date stays text. A line
that is only a date (with or without a clock time or a weekday), a short line
without a sentence end that carries a date and a time (bylines, teasers), or a
line that starts with "updated"/"published" is a dateline; a date with a place
("Москва, 12 ноября 2025 года", a treaty's signing line) stays text.
"""

from __future__ import annotations

import re

from bs4 import Tag

MAX_META_CHARS = 90

_NUM = r"\d[\d\s\u00a0.,]*[kKкК]?"
_MONTHS = (
    r"(?:январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|сентябр\w*|"
    r"октябр\w*|ноябр\w*|декабр\w*|қаңтар\w*|ақпан\w*|наурыз\w*|сәуір\w*|мамыр\w*|"
    r"маусым\w*|шілде\w*|тамыз\w*|қыркүйек\w*|қазан\w*|қараша\w*|желтоқсан\w*|"
    r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
    r"fevereiro|abril|maio|agosto|setembro|outubro|dezembro)"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}\s+de\s+{_MONTHS}\s+de\s+\d{{4}}|"
    rf"\d{{1,2}}\s+{_MONTHS},?(?:\s+\d{{4}})?(?:\s*(?:г\.?|года|ж\.?|жыл\w*))?|"
    rf"{_MONTHS}\.?\s+\d{{1,2}},?(?:\s+\d{{4}})?)"
)
_TIME = r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*(?:[ap]\.?m\.?|msk|мск|utc|gmt|[+-]\d{2}:?\d{2}))?"
_UNITS = (
    r"(?:секунд\w*|сек\.?|минут\w*|мин\.?|час\w*|ч\.|дн\w*|день|недел\w*|месяц\w*|сағат\w*|"
    r"күн\w*|"
    r"second\w*|minute\w*|minuto\w*|min|mins|hour\w*|hr|hrs|day\w*|week\w*)"
)

_MONTH_RE = re.compile(_MONTHS, re.IGNORECASE)
_WEEKDAY = (
    r"(?:понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|дүйсенбі|сейсенбі|"
    r"сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|mon|tue|wed|thu|fri|sat|sun)"
)
_VIEWS_CUE = re.compile(r"просмотр|views?|қарал|оқылды|прочт|прочит", re.IGNORECASE)
_UPDATED_CUE = re.compile(r"обновл|updated|жаңарт|назад|ago|бұрын|опубл|publish", re.IGNORECASE)

_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "views",
        re.compile(
            rf"^(?:(?:просмотр\w*|прочтени\w*|прочитал\w*|views?|viewed|reads?|қаралым\w*|"
            rf"қаралды|оқылды)\s*[:\-–—]?\s*{_NUM}|{_NUM}\s*(?:просмотр\w*|прочтени\w*|"
            rf"views?|reads?|рет\s+қаралды|қаралым\w*))$",
            re.IGNORECASE,
        ),
    ),
    (
        "readers",
        re.compile(
            rf"^(?:(?:сейчас\s+)?(?:читают|на\s+сайте|онлайн|online|reading\s+now|now\s+reading)"
            rf"\s*[:\-–—]?\s*{_NUM}(?:\s*\w+)?|{_NUM}\s*(?:человек\w*|people|readers?|"
            rf"адам)\s*(?:сейчас\s+)?(?:читают|читает|are\s+reading|reading(?:\s+now)?|"
            rf"оқып\s+отыр)\w*)$",
            re.IGNORECASE,
        ),
    ),
    (
        "comments",
        re.compile(
            rf"^(?:(?:комментари\w*|comments?|пікір\w*)\s*[:\-–—]?\s*\(?{_NUM}\)?|"
            rf"{_NUM}\s*(?:комментари\w*|comments?|пікір\w*))$",
            re.IGNORECASE,
        ),
    ),
    (
        "updated",
        re.compile(
            rf"^(?:(?:обновлено|обновлен[оа]?|опубликовано|изменено|updated|last\s+updated|"
            rf"published|posted|жаңартылды|жарияланды)\b.{{0,60}}|"
            rf"(?:{_NUM}\s*{_UNITS}|час|минуту|an?\s+(?:hour|minute|day))\s+"
            rf"(?:назад|ago|бұрын)|(?:сегодня|вчера|today|yesterday|бүгін|кеше),?\s*"
            rf"(?:в\s+)?(?:{_TIME})?)$",
            re.IGNORECASE,
        ),
    ),
    (
        "dateline",
        re.compile(
            rf"^(?:{_WEEKDAY}[,\s]+)?(?:{_TIME}[,\s|/–—-]+{_DATE}|"
            rf"{_DATE}[,\s|/–—-]+(?:в\s+|at\s+)?{_TIME}|{_TIME}|{_DATE})$",
            re.IGNORECASE,
        ),
    ),
    (
        # The comment form's prompt ("Войдите, чтобы оставить комментарий (сейчас
        # комментариев: 0)", "Log in to post a comment").
        "comments",
        re.compile(
            r"^(?:(?:войдите|зарегистрируйтесь|авторизуйтесь|log\s+in|sign\s+in|register)\b"
            r".{0,60}\b(?:оставить\s+комментари\w*|комментировать|пікір\s+қалдыру|"
            r"(?:leave|post)\s+a\s+comment|to\s+comment)\b.{0,40}|"
            r"(?:оставить\s+комментарий|(?:leave|post)\s+a\s+comment)\W{0,3})$",
            re.IGNORECASE,
        ),
    ),
    (
        "reading time",
        re.compile(
            rf"^(?:(?:время\s+чтения|оқу\s+уақыты|reading\s+time|tempo\s+de\s+leitura)\s*[:\-–—]?\s*(?:~\s*)?"
            rf"{_NUM}\s*{_UNITS}|{_NUM}\s*{_UNITS}\s+(?:read|чтения|на\s+чтение))$",
            re.IGNORECASE,
        ),
    ),
]
# A byline or a teaser with a date and a clock time in it ("By A. Writer Updated Nov 13,
# 2019, 10:28am EST", "20.08.2011 11:43 Семь полезных продуктов"): short, no sentence end.
# Between the date and the time: separators, a weekday, a zone, a brand ("November 20,
# 2019 / 1:07 AM / CBS News", "5:45 AM PST 11/19/2019", "17 января 2012 г. (13:17)").
_GLUE = r"[,\s|/()–—-]+(?:(?:в|at|às|um|à)\s+|[A-ZА-Я]{2,4}\s+)?\(?"
_DATETIME = re.compile(rf"(?:{_DATE}{_GLUE}{_TIME}|{_TIME}{_GLUE}{_DATE})", re.IGNORECASE)
# A sentence ends a line; an abbreviation that closes a dateline does not.
_SENTENCE_END = re.compile(r"(?<![ap]\.m)(?<!\sг)[.!?…»\"”]$", re.IGNORECASE)
# Lines that only point elsewhere ("Читайте также: ...", "Related: ...").
MAX_TEASER_CHARS = 200
_TEASER = re.compile(
    r"^(?:читайте\s+также|читай\s+также|смотрите\s+также|см\.\s+также|также\s+читайте|"
    r"по\s+теме|подробнее|оқи\s+отырыңыз|сондай-ақ\s+оқыңыз|related|read\s+more|read\s+also|"
    r"see\s+more|see\s+also|more\s+on\s+this|also\s+read|recommended)\s*[:\-–—]\s*\S",
    re.IGNORECASE,
)
# "Адрес материала: http://…", "Listen: https://…": a label and a bare address.
_LINK_LINE = re.compile(r"^(?:[^\W\d_]+\s*){1,3}:\s*(?:https?://|www\.)\S+$", re.IGNORECASE)
# Photo credits and copyright notices: "Фото: пресс-служба Акорды", "photos © Inexhibit".
MAX_CREDIT_CHARS = 120
_CREDIT = re.compile(
    r"©|^(?:фото|photo|photos|credit|сурет|кадр|источник\s+фото|image)\s*(?::|by\b)", re.IGNORECASE
)
# "Image 1 of 5", "Фото 2 из 7": a gallery's position.
_GALLERY = re.compile(r"^(?:image|photo|slide|фото|слайд|сурет)\s+\d+\s+(?:of|из|/)\s+\d+$", re.I)


# Words that only ever label page furniture; a short line made of nothing but these,
# numbers, dates and times ("2025-10-09 261 Обновлено 3 мин. назад", "2025-04-12
# Қаралым: 2074") is furniture even when the extractor glued several together.
_FURNITURE_WORDS = frozenset(
    """просмотров просмотра просмотр просмотры прочтений прочитали views view viewed reads
    қаралым қаралды оқылды рет обновлено обновлен обновлена опубликовано изменено updated
    update published posted last жаңартылды жарияланды назад ago бұрын мин минут минуты
    минуту сек секунд час часа часов ч дн дня дней min mins minute minutes sec hr
    hrs hour hours day days сағат күн комментарии комментариев комментария comments
    comment пікір пікірлер сейчас читают на сайте онлайн online reading now человек
    people readers адам сегодня вчера today yesterday бүгін кеше в at am pm мск msk utc
    gmt всего сюжетов материалов публикаций total
    stories""".split()  # noqa: SIM905 (a word list reads better as one string)
)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _only_furniture(line: str) -> str | None:
    words = [w.lower() for w in _TOKEN.findall(_MONTH_RE.sub(" ", line))]
    if not words or not all(w in _FURNITURE_WORDS for w in words):
        return None
    if not any(ch.isdigit() for ch in line):
        return None  # "Комментарии" alone is a heading, not a counter
    for kind, cue in (("views", _VIEWS_CUE), ("updated", _UPDATED_CUE)):
        if cue.search(line):
            return kind
    return "counter"


def classify(line: str) -> str | None:
    """The kind of furniture a line is ("views", "updated", ...), or None for text."""
    stripped = line.strip(" \t•·|")
    if not stripped:
        return None
    if len(stripped) <= MAX_TEASER_CHARS and _TEASER.match(stripped):
        return "teaser"
    if len(stripped) <= MAX_TEASER_CHARS and _LINK_LINE.match(stripped):
        return "link"
    if len(stripped) <= MAX_CREDIT_CHARS and _CREDIT.search(stripped):
        return "credit"
    if len(stripped) > MAX_META_CHARS:
        return None
    if _GALLERY.match(stripped):
        return "counter"
    for kind, pattern in _RULES:
        if pattern.match(stripped):
            return kind
    if _DATETIME.search(stripped) and not _SENTENCE_END.search(stripped):
        return "dateline"
    return _only_furniture(stripped)


def split_metadata(text: str) -> tuple[str, dict[str, str]]:
    """`text` without its furniture lines, and those lines by kind (first one wins)."""
    kept: list[str] = []
    found: dict[str, str] = {}
    for line in text.split("\n"):
        kind = classify(line)
        if kind is None:
            kept.append(line)
        else:
            found.setdefault(kind, line.strip())
    return "\n".join(kept), found


_HAS_DIGIT = re.compile(r"\d")
ATTACHMENT = re.compile(r"\.(pdf|docx)(?:$|[?#])", re.IGNORECASE)


def _decompose(doomed: list[Tag]) -> int:
    """Remove the chosen elements (one may sit inside another already removed)."""
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()
    return len(doomed)


def drop_furniture(root: Tag, max_up: int = 4) -> dict[str, str]:
    """Remove the elements that hold nothing but furniture, before any extractor runs.

    Why in the tree and not only in the text: a counter or dateline inserted next to
    the headline changes the page's structure, and readability-lxml then picks a
    different block; without the element every extractor sees the same page. For
    each text with a digit, the largest ancestor (up to `max_up` levels) whose whole
    text is still a short line is classified; furniture is decomposed. Returns what
    was removed, by kind (the first of each kind), as `split_metadata` does.
    """
    doomed: list[Tag] = []
    found: dict[str, str] = {}
    seen: set[int] = set()
    for string in root.find_all(string=_HAS_DIGIT):
        node = string.parent
        best: Tag | None = None
        for _ in range(max_up):
            if not isinstance(node, Tag) or node.name in ("body", "html", "article", "main"):
                break
            text = " ".join(node.get_text(" ").split())
            if len(text) > MAX_META_CHARS:
                break
            best = node
            node = node.parent
        if best is None or id(best) in seen:
            continue
        seen.add(id(best))
        line = " ".join(best.get_text(" ").split())
        kind = classify(line)
        if kind is not None:
            doomed.append(best)
            found.setdefault(kind, line)
    _decompose(doomed)
    return found


# Photo captions and credits: `<figcaption>`, or an element whose class or id names a
# caption or a credit ("caption-full", "image__caption", "photo-credit").
_CAPTION_CLASS = re.compile(r"caption|credit", re.IGNORECASE)
MAX_CAPTION_CHARS = 600


def drop_captions(root: Tag) -> int:
    """Remove photo captions and credits before any extractor runs; returns how many.

    Why: a caption describes a picture, not the document ("… in Hanoi, Wednesday,
    Nov. 20, 2019. AP Photo"), the article benchmarks' truths leave them out, and
    galleries repeat them. Kept, they carry dates and photo numbers that change when a
    picture is swapped, which is not an edit of the text. Only short elements are
    taken (`MAX_CAPTION_CHARS`; a `<figcaption>` of any length), and never one that
    holds the headline: a wrapper whose class happens to say "caption" may hold the
    article.
    """
    doomed: list[Tag] = []
    for tag in root.find_all(True):
        if not isinstance(tag, Tag) or tag.attrs is None:
            continue
        named = tag.name == "figcaption"
        if not named:
            classes: list[str] | str = tag.get("class") or []
            label = " ".join(classes) if isinstance(classes, list) else str(classes)
            named = bool(_CAPTION_CLASS.search(f"{label} {tag.get('id') or ''}"))
        if not named or tag.find("h1") is not None:
            continue
        if tag.name == "figcaption" or len(tag.get_text(" ", strip=True)) <= MAX_CAPTION_CHARS:
            doomed.append(tag)
    return _decompose(doomed)


MAX_TEASER_LINK_CHARS = 200


def drop_link_paragraphs(root: Tag) -> int:
    """Remove paragraphs that are nothing but one link to another page; returns how many.

    Why: news sites put teasers for other stories between the paragraphs of an
    article ("<p><strong><a href=…>Женщины не могут хранить секреты более 47
    часов</a></strong></p>"); they change whenever the site promotes something else.
    A sentence with a link in it stays, a list of links (`<li>`) stays (legal portals
    list related acts that way), and so does a link to a PDF or DOCX file, which is
    the document's own attachment.
    """
    doomed: list[Tag] = []
    for para in root.find_all("p"):
        links = para.find_all("a", href=True)
        if len(links) != 1:
            continue
        text = " ".join(para.get_text(" ").split())
        if not text or len(text) > MAX_TEASER_LINK_CHARS or len(text.split()) < 3:
            continue
        link = links[0]
        if " ".join(link.get_text(" ").split()) != text:
            continue
        if ATTACHMENT.search(str(link.get("href") or "")):
            continue
        doomed.append(para)
    return _decompose(doomed)
