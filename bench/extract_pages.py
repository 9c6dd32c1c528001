"""Labelled corpus for main-text extraction: ~60 news and official pages with known text.

Pages are about Russia–Kazakhstan relations, mostly in Russian (sentences of the
project's fixture text, `monitor.simweb.corpus.commentary_text()`, recombined
deterministically), some in Kazakh and English. Each page
imitates one of ten site layouts (kremlin.ru-like, akorda-like, gov.kz-like SPA,
media sites with <article>, old table/div soup, legal texts with numbered points,
WordPress, ...) and wraps the main text in realistic boilerplate: header menus,
breadcrumbs, related news, "most read", comments, share buttons, cookie banner,
ads, counters, footer.

    from extract_pages import N_PAGES, page, headline
    html, paragraphs = page(7, fetch=0)

`page(i, fetch)` is a pure function. `fetch` only changes boilerplate (related
headlines, counters, timestamps, comments, ad presence, sidebar order, rates):
the main text and its ground truth are the same for every fetch. The headline
(`headline(i)`) is not part of the ground truth: extractors differ on whether the
title belongs to the text, so the benchmark ignores a line equal to it.
"""

from __future__ import annotations

import html as _html
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from monitor.simweb.corpus import commentary_text

N_PAGES = 60

Block = tuple[
    str, object
]  # ("p" | "h2" | "h3" | "quote", str), ("ul" | "ol", list), ("table", rows)


def _e(text: str) -> str:
    return _html.escape(text, quote=True)


# --- sentences ------------------------------------------------------------------------

KK_SENTENCES = [
    "Қазақстан мен Ресей арасындағы қатынастар жаңа деңгейге көтерілді.",
    "Мемлекет басшылары екіжақты ынтымақтастықтың барлық салаларын талқылады.",
    "Тараптар сауда-экономикалық байланыстарды нығайту қажеттігін атап өтті.",
    "Екі елдің тауар айналымы соңғы жылдары тұрақты өсіп келеді.",
    "Энергетика, көлік және логистика салаларындағы бірлескен жобаларға ерекше назар аударылды.",
    "Декларация стратегиялық әріптестік пен одақтастықтың негізгі қағидаттарын бекітеді.",
    "Құжатта аумақтық тұтастық пен шекаралардың мызғымастығы атап көрсетілген.",
    "Ұлттық валюталардағы есеп айырысуларды кеңейту мәселесі де қаралды.",
    "Ғарыш саласындағы ынтымақтастық Байқоңыр ғарыш айлағымен тығыз байланысты.",
    "Сарапшылардың пікірінше, бұл құжат алдағы онжылдықтың күн тәртібін айқындайды.",
    "Шекара маңы ынтымақтастығы өңірлер арасындағы байланыстың маңызды бөлігі болып қала береді.",
    "Білім беру және мәдениет салаларындағы гуманитарлық байланыстар кеңейтілетін болады.",
    "Цифрлық қауіпсіздік пен жасанды интеллектіні реттеу мәселелері де күн тәртібіне енгізілді.",
    "Тараптар Еуразиялық экономикалық одақ аясындағы өзара іс-қимылды жалғастыруға келісті.",
    "Сыни минералдарды өңдеу бойынша бірлескен кәсіпорындар құру жоспарлануда.",
    "Келіссөздер қорытындысы бойынша бірқатар үкіметаралық келісімдерге қол қойылды.",
    "Мемлекет басшысы Ресей Президентін Астанаға ресми сапармен келуге шақырды.",
    "Су ресурстарын бірлесіп пайдалану мәселесі де талқыланды.",
    "Екі ел үкіметтеріне декларацияны іске асыру жөніндегі жол картасын әзірлеу тапсырылды.",
    "Бұл кездесу екі халықтың достығы мен өзара сенімін тағы бір рет растады.",
]

EN_SENTENCES = [
    "Kazakhstan and Russia have raised their relations to a comprehensive strategic "
    "partnership and alliance.",
    "The declaration was signed in Moscow on 12 November 2025 by the two presidents.",
    "The document contains 42 points grouped into several thematic sections.",
    "Both sides reaffirmed their commitment to territorial integrity and the inviolability "
    "of borders.",
    "Special attention was paid to energy, transport and logistics projects.",
    "The parties agreed to expand settlements in national currencies.",
    "Cooperation in space remains closely linked to the Baikonur cosmodrome.",
    "Analysts say the declaration sets the agenda for a decade rather than a single year.",
    "The digital chapter covers information security, critical infrastructure and the "
    "regulation of artificial intelligence.",
    "Bilateral trade between the two countries has grown steadily in recent years.",
    "Kazakhstan continues its multi-vector foreign policy while strengthening ties with its "
    "largest neighbour.",
    "The leaders discussed joint processing of critical minerals and shared value chains.",
    "Humanitarian cooperation will include education, culture and joint work on historical memory.",
    "Cross-border cooperation between the regions remains an important part of the relationship.",
    "Several intergovernmental agreements were signed following the talks.",
    "The two governments were instructed to draft a road map for implementing the declaration.",
    "Observers note that the alliance is presented as a union of two sovereign states rather "
    "than of a senior and a junior partner.",
    "The Eurasian Economic Union remains the main framework for regional economic integration.",
    "Energy cooperation now covers low-carbon solutions and large infrastructure projects, not "
    "only the transit of raw materials.",
    "The meeting confirmed the mutual trust and friendship between the two peoples.",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[«\"(A-ZА-ЯЁ0-9])")


@cache
def ru_sentences() -> tuple[str, ...]:
    """Sentences of the fixture text (its title excluded)."""
    out: list[str] = []
    for line in commentary_text().splitlines():
        line = line.strip()
        if not line.endswith((".", "!", "?")):
            continue  # the title
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if len(s.strip()) >= 30)
    return tuple(out)


def _sentences(lang: str) -> tuple[str, ...]:
    return {"ru": ru_sentences(), "kk": tuple(KK_SENTENCES), "en": tuple(EN_SENTENCES)}[lang]


# --- labels and boilerplate vocabulary ---------------------------------------------------


@dataclass(frozen=True)
class Labels:
    menu: tuple[str, ...]
    submenu: tuple[str, ...]
    home: str
    section: str
    related: str
    most_read: str
    comments: str
    share: str
    cookie: str
    cookie_ok: str
    views: str
    updated: str
    subscribe: str
    tags: str
    ad: str
    footer: tuple[str, ...]
    headline_a: tuple[str, ...]
    headline_b: tuple[str, ...]
    opinions: tuple[str, ...]
    minutes_ago: str
    search: str
    reply: str


LABELS = {
    "ru": Labels(
        menu=(
            "Главная",
            "Новости",
            "Политика",
            "Экономика",
            "Общество",
            "Регионы",
            "Мир",
            "Спорт",
            "Культура",
            "Наука",
            "Происшествия",
            "Интервью",
            "Аналитика",
            "Фото",
            "Видео",
            "Спецпроекты",
        ),
        submenu=(
            "Президент",
            "Правительство",
            "Парламент",
            "Документы",
            "Указы",
            "Распоряжения",
            "Визиты",
            "Международные отношения",
            "Обращения граждан",
            "Контакты",
            "Пресс-служба",
            "Аккредитация СМИ",
            "Символика",
            "Архив",
        ),
        home="Главная",
        section="Новости",
        related="Читайте также",
        most_read="Самое читаемое",
        comments="Комментарии",
        share="Поделиться",
        cookie="Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая пользоваться "
        "сайтом, вы соглашаетесь с политикой обработки персональных данных.",
        cookie_ok="Принять",
        views="Просмотров",
        updated="Обновлено",
        subscribe="Подпишитесь на наш Telegram-канал, чтобы первыми узнавать главные новости.",
        tags="Теги",
        ad="Реклама",
        footer=(
            "© 2008–2025 Сетевое издание. Все права защищены. При полном или частичном "
            "использовании материалов ссылка на источник обязательна.",
            "Адрес редакции: 010000, г. Астана, ул. Мангилик Ел, 8, телефон +7 (7172) 74-50-00, "
            "электронная почта info@example.kz.",
            "Свидетельство о постановке на учет СМИ № 16718-ИА выдано Министерством информации "
            "и общественного развития Республики Казахстан.",
        ),
        headline_a=(
            "Россия и Казахстан обсудили",
            "Токаев и Путин обсудили",
            "Правительства двух стран согласовали",
            "В Астане представили",
            "В Москве обсудили",
            "Эксперты оценили",
            "Минэнерго РК анонсировало",
            "Стороны утвердили",
            "Депутаты одобрили",
            "В Оренбурге презентовали",
        ),
        headline_b=(
            "поставки газа через Казахстан",
            "строительство первой АЭС",
            "новый маршрут Север — Юг",
            "программу межрегионального сотрудничества",
            "соглашение о транзите нефти",
            "план совместных действий на 2026 год",
            "проект водовода на Урале",
            "развитие Байконура",
            "расчеты в национальных валютах",
            "цифровой коридор для грузов",
            "соглашение об охране границы",
            "дорожную карту по критическим минералам",
        ),
        opinions=(
            "Давно пора было подписать такой документ, это важно для наших приграничных "
            "регионов и для простых людей.",
            "А что с ценами на топливо? Об этом в статье ни слова, хотелось бы подробностей.",
            "Интересно, как это повлияет на торговлю и очереди на границе под Петропавловском.",
            "Хорошие слова, но посмотрим, что будет на практике через год-другой.",
            "Главное, чтобы договоренности выполнялись, а не оставались на бумаге, как раньше.",
            "Статья поверхностная, автор мог бы сравнить с договором 2013 года.",
            "Поддерживаю, сотрудничество в образовании особенно нужно нашим студентам.",
        ),
        minutes_ago="мин. назад",
        search="Поиск по сайту",
        reply="Ответить",
    ),
    "kk": Labels(
        menu=(
            "Басты бет",
            "Жаңалықтар",
            "Саясат",
            "Экономика",
            "Қоғам",
            "Өңірлер",
            "Әлем",
            "Спорт",
            "Мәдениет",
            "Ғылым",
            "Оқиғалар",
            "Сұхбат",
            "Сараптама",
            "Фото",
            "Бейне",
        ),
        submenu=(
            "Президент",
            "Үкімет",
            "Парламент",
            "Құжаттар",
            "Жарлықтар",
            "Өкімдер",
            "Сапарлар",
            "Халықаралық қатынастар",
            "Азаматтардың өтініштері",
            "Байланыс",
            "Баспасөз қызметі",
            "Рәміздер",
            "Мұрағат",
        ),
        home="Басты бет",
        section="Жаңалықтар",
        related="Тақырып бойынша",
        most_read="Көп оқылғандар",
        comments="Пікірлер",
        share="Бөлісу",
        cookie="Сайт жұмысын жақсарту үшін cookie файлдарын пайдаланамыз. Сайтты пайдалануды "
        "жалғастыра отырып, сіз дербес деректерді өңдеу саясатымен келісесіз.",
        cookie_ok="Келісемін",
        views="Қаралым",
        updated="Жаңартылды",
        subscribe="Басты жаңалықтарды бірінші білу үшін Telegram-арнамызға жазылыңыз.",
        tags="Тегтер",
        ad="Жарнама",
        footer=(
            "© 2008–2025 Желілік басылым. Барлық құқықтар қорғалған. Материалдарды толық немесе "
            "ішінара пайдаланған кезде дереккөзге сілтеме міндетті.",
            "Редакция мекенжайы: 010000, Астана қаласы, Мәңгілік Ел даңғылы, 8, телефон "
            "+7 (7172) 74-50-00.",
        ),
        headline_a=(
            "Қазақстан мен Ресей талқылады:",
            "Тоқаев пен Путин кездесті:",
            "Үкімет жариялады:",
            "Астанада өтті:",
            "Сарапшылар пікірі:",
            "Мәжіліс мақұлдады:",
        ),
        headline_b=(
            "газ жеткізу мәселесі",
            "атом электр стансасының құрылысы",
            "Солтүстік — Оңтүстік дәлізі",
            "өңіраралық ынтымақтастық форумы",
            "мұнай транзиті туралы келісім",
            "Байқоңыр ғарыш айлағын дамыту",
            "ұлттық валютадағы есеп айырысу",
            "шекараны күзету туралы келісім",
        ),
        opinions=(
            "Өте маңызды құжат, шекара маңындағы өңірлер үшін пайдалы болады деп ойлаймын.",
            "Жанармай бағасы туралы неге ештеңе айтылмаған, соны білгіміз келеді.",
            "Келісімдер қағаз жүзінде қалмай, іс жүзінде орындалса екен.",
            "Білім беру саласындағы ынтымақтастық студенттерімізге өте қажет.",
            "Бір жылдан кейін нәтижесін көрейік, әзірге тек сөз ғана.",
        ),
        minutes_ago="мин. бұрын",
        search="Сайт бойынша іздеу",
        reply="Жауап беру",
    ),
    "en": Labels(
        menu=(
            "Home",
            "News",
            "Politics",
            "Economy",
            "Society",
            "Regions",
            "World",
            "Sports",
            "Culture",
            "Science",
            "Incidents",
            "Interviews",
            "Analysis",
            "Photo",
            "Video",
        ),
        submenu=(
            "President",
            "Government",
            "Parliament",
            "Documents",
            "Decrees",
            "Orders",
            "Visits",
            "International relations",
            "Citizens' appeals",
            "Contacts",
            "Press service",
            "Media accreditation",
            "Symbols",
            "Archive",
        ),
        home="Home",
        section="News",
        related="Read also",
        most_read="Most read",
        comments="Comments",
        share="Share",
        cookie="We use cookies to make the site work better. By continuing to use the site you "
        "agree to our personal data processing policy.",
        cookie_ok="Accept",
        views="Views",
        updated="Updated",
        subscribe="Subscribe to our Telegram channel to be the first to know the main news.",
        tags="Tags",
        ad="Advertisement",
        footer=(
            "© 2008–2025 Online edition. All rights reserved. Any use of the materials requires "
            "a link to the source.",
            "Editorial office: 8 Mangilik El Avenue, Astana 010000, Kazakhstan, phone "
            "+7 (7172) 74-50-00, email info@example.kz.",
        ),
        headline_a=(
            "Kazakhstan and Russia discuss",
            "Tokayev and Putin review",
            "Governments approve",
            "Astana hosts talks on",
            "Experts assess",
            "Parliament ratifies",
        ),
        headline_b=(
            "gas supplies via Kazakhstan",
            "the first nuclear power plant",
            "the North–South corridor",
            "interregional cooperation",
            "an oil transit agreement",
            "the future of Baikonur",
            "settlements in national currencies",
            "a border protection agreement",
        ),
        opinions=(
            "An important document, especially for the border regions and ordinary people.",
            "What about fuel prices? The article says nothing about that, I would like details.",
            "Let us see what happens in practice in a year or two, so far these are just words.",
            "Cooperation in education is what our students really need, I fully support it.",
            "The author could have compared it with the 2013 treaty, the piece feels shallow.",
        ),
        minutes_ago="min ago",
        search="Search the site",
        reply="Reply",
    ),
}


# --- main content -----------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    lang: str
    headline: str
    date: str
    blocks: tuple[Block, ...]

    def paragraphs(self) -> list[str]:
        """Ground truth: one entry per paragraph, heading, list item or table row."""
        out: list[str] = []
        for kind, value in self.blocks:
            if kind in ("ul", "ol"):
                out.extend(value)  # type: ignore[arg-type]
            elif kind == "table":
                out.extend(" ".join(row) for row in value)  # type: ignore[union-attr]
            else:
                out.append(str(value))
        return out


def _lang(i: int) -> str:
    return {4: "kk", 5: "en"}.get(i % 6, "ru")


def _layout_index(i: int) -> int:
    return i % len(LAYOUTS)


def _n_paragraphs(i: int, rng: random.Random) -> int:
    if i % 7 == 3:
        return 2
    if i % 11 == 5:
        return 40
    return rng.randint(4, 14)


def _headline(lang: str, rng: random.Random) -> str:
    lab = LABELS[lang]
    return f"{rng.choice(lab.headline_a)} {rng.choice(lab.headline_b)}"


def _paragraph(pool: tuple[str, ...], rng: random.Random, lo: int, hi: int) -> str:
    start = rng.randrange(len(pool))
    return " ".join(pool[(start + k) % len(pool)] for k in range(rng.randint(lo, hi)))


def _trade_table(lang: str, rng: random.Random) -> tuple[tuple[str, ...], ...]:
    head = {
        "ru": ("Год", "Экспорт России, млрд долл.", "Импорт из Казахстана, млрд долл."),
        "kk": ("Жыл", "Ресей экспорты, млрд доллар", "Қазақстаннан импорт, млрд доллар"),
        "en": ("Year", "Russian exports, USD bn", "Imports from Kazakhstan, USD bn"),
    }[lang]
    rows = [head]
    for year in range(2019, 2019 + rng.randint(3, 6)):
        exp, imp = rng.uniform(14, 20), rng.uniform(5, 9)
        rows.append((str(year), f"{exp:.1f}".replace(".", ","), f"{imp:.1f}".replace(".", ",")))
    return tuple(rows)


def _treaty_blocks(lang: str, rng: random.Random, n: int) -> list[Block]:
    pool = _sentences(lang)
    article = {"ru": "Статья {}", "kk": "{}-бап", "en": "Article {}"}[lang]
    blocks: list[Block] = [("p", _paragraph(pool, rng, 1, 2))]
    for k in range(1, max(2, n // 3) + 1):
        blocks.append(("h3", article.format(k)))
        points = rng.randint(1, 4)
        if points == 1:
            blocks.append(("p", rng.choice(pool)))
        else:
            for m in range(1, points + 1):
                blocks.append(("p", f"{m}. {_paragraph(pool, rng, 1, 2)}"))
    return blocks


@cache
def content(i: int) -> Content:
    """The main text of page `i` (independent of the fetch)."""
    rng = random.Random(f"content-{i}")
    lang = _lang(i)
    pool = _sentences(lang)
    n = _n_paragraphs(i, rng)
    headline = _headline(lang, rng)
    date = (
        f"2025-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 20):02d}:"
        f"{rng.randint(0, 59):02d}:00+05:00"
    )
    layout = _layout_index(i)
    blocks: list[Block]
    if layout == 6:
        blocks = _treaty_blocks(lang, rng, n)
    else:
        short = n <= 2
        blocks = [("p", _paragraph(pool, rng, 1, 2 if short else 4)) for _ in range(n)]
        if n >= 8 and rng.random() < 0.6:
            blocks.insert(n // 2, ("h2", _paragraph(pool, rng, 1, 1).rstrip(".")[:90]))
        if n >= 6 and rng.random() < 0.4:
            blocks.insert(n // 3, ("quote", _paragraph(pool, rng, 1, 1)))
        if n >= 5 and rng.random() < 0.35:
            items = [f"{k}. {rng.choice(pool)}" for k in range(1, rng.randint(3, 6))]
            blocks.insert(len(blocks) - 1, ("ol" if rng.random() < 0.5 else "ul", items))
        if layout == 7 or (i % 9 == 2 and n > 2):
            blocks.insert(max(1, len(blocks) // 2), ("table", _trade_table(lang, rng)))
    return Content(lang=lang, headline=headline, date=date, blocks=tuple(blocks))


def headline(i: int) -> str:
    return content(i).headline


# --- rendering helpers --------------------------------------------------------------------


def _inline(text: str, rng: random.Random) -> str:
    """Escape a paragraph, sometimes with inline markup (bold, a link, an NBSP)."""
    words = _e(text).split(" ")
    if len(words) > 8 and rng.random() < 0.4:
        k = rng.randrange(1, len(words) - 3)
        words[k] = f"<a href='/docs/{rng.randint(100, 999)}'>{words[k]}"
        words[k + 2] = f"{words[k + 2]}</a>"
    if len(words) > 5 and rng.random() < 0.3:
        k = rng.randrange(len(words) - 2)
        words[k] = f"<strong>{words[k]}</strong>"
    out = " ".join(words)
    if rng.random() < 0.3:
        out = out.replace(" года", "&nbsp;года", 1)
    return out


def _table_html(rows: tuple[tuple[str, ...], ...], cls: str) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_blocks(c: Content, style: str, rng: random.Random, inline_ad: str = "") -> str:
    """Main text as HTML. style: p | div | br | quill. `inline_ad` goes after paragraph 2."""
    parts: list[str] = []
    for n, (kind, value) in enumerate(c.blocks):
        if kind in ("ul", "ol"):
            items = "".join(f"<li>{_inline(str(v), rng)}</li>" for v in value)  # type: ignore[union-attr]
            parts.append(f"<{kind}>{items}</{kind}>")
        elif kind == "table":
            parts.append(_table_html(value, "table table-bordered"))  # type: ignore[arg-type]
        elif kind in ("h2", "h3"):
            if style == "br":
                parts.append(f"<b>{_e(str(value))}</b><br><br>")
            else:
                parts.append(f"<{kind}>{_e(str(value))}</{kind}>")
        elif kind == "quote":
            parts.append(f"<blockquote><p>{_e(str(value))}</p></blockquote>")
        else:
            text = _inline(str(value), rng)
            if style == "div":
                parts.append(f"<div class='txt-block'>{text}</div>")
            elif style == "br":
                parts.append(f"{text}<br><br>\n")
            elif style == "quill":
                parts.append(f"<p><span style='font-size: 14pt;'>{text}</span></p>")
            else:
                parts.append(f"<p>{text}</p>")
        if n == 1 and inline_ad:
            parts.append(inline_ad)
    return "\n".join(parts)


@dataclass(frozen=True)
class Chrome:
    """Everything around the main text for one page and one fetch."""

    i: int
    fetch: int
    lab: Labels
    c: Content
    rng: random.Random  # fetch-dependent

    def headlines(self, k: int) -> list[tuple[str, str, int]]:
        """(time, headline, id) of `k` rotating news items."""
        out = []
        for _ in range(k):
            hh, mm = self.rng.randint(7, 23), self.rng.randint(0, 59)
            out.append(
                (
                    f"{hh:02d}:{mm:02d}",
                    _headline(self.c.lang, self.rng),
                    self.rng.randint(10_000, 99_999),
                )
            )
        return out

    def views(self) -> int:
        return 150 + self.i * 37 + self.fetch * self.rng.randint(3, 80)

    def stamp(self) -> str:
        """A relative "updated N min ago", rendered at request time."""
        return f"{self.lab.updated} {3 + self.fetch * 7} {self.lab.minutes_ago}"

    def now(self) -> str:
        return (
            f"{self.rng.randint(1, 28):02d}.11.2025, {self.rng.randint(0, 23):02d}:"
            f"{self.rng.randint(0, 59):02d}"
        )

    def rates(self) -> str:
        usd = 505 + self.rng.random() * 15
        rub = 6.1 + self.rng.random() * 0.5
        return f"USD {usd:.2f} ▲ · RUB {rub:.2f} ▼ · Астана {self.rng.randint(-12, 8):+d}°C"

    def menu(self, cls: str, n: int | None = None, tag: str = "ul") -> str:
        items = self.lab.menu[: n or len(self.lab.menu)]
        li = "".join(f"<li><a href='/{k}'>{_e(t)}</a></li>" for k, t in enumerate(items))
        return f"<{tag} class='{cls}'>{li}</{tag}>"

    def mega_menu(self, cls: str) -> str:
        cols = []
        for k, title in enumerate(self.lab.menu[:6]):
            links = "".join(
                f"<a class='{cls}-link' href='/s/{k}/{j}'>{_e(s)}</a>"
                for j, s in enumerate(self.lab.submenu[k : k + 6])
            )
            cols.append(
                f"<div class='{cls}-col'><div class='{cls}-title'>{_e(title)}</div>{links}</div>"
            )
        return f"<div class='{cls}'>{''.join(cols)}</div>"

    def breadcrumbs(self, cls: str = "breadcrumbs") -> str:
        lab = self.lab
        return (
            f"<div class='{cls}'><a href='/'>{_e(lab.home)}</a> / <a href='/news'>"
            f"{_e(lab.section)}</a> / <span>{_e(self.c.headline[:40])}…</span></div>"
        )

    def related(self, cls: str, item_cls: str, k: int = 6, tag: str = "li") -> str:
        items = "".join(
            f"<{tag} class='{item_cls}'><span class='time'>{t}</span> "
            f"<a href='/news/{n}'>{_e(h)}</a></{tag}>"
            for t, h, n in self.headlines(k)
        )
        wrap = "ul" if tag == "li" else "div"
        return (
            f"<div class='{cls}'><div class='{cls}__title'>{_e(self.lab.related)}</div>"
            f"<{wrap}>{items}</{wrap}></div>"
        )

    def most_read(self, cls: str) -> str:
        items = "".join(
            f"<li><a href='/news/{n}'>{_e(h)}</a> <span>{self.rng.randint(900, 90000)}</span></li>"
            for _, h, n in self.headlines(5)
        )
        return f"<div class='{cls}'><h4>{_e(self.lab.most_read)}</h4><ol>{items}</ol></div>"

    def comments(self, cls: str) -> str:
        k = 1 + (self.i + self.fetch) % 4
        items = "".join(
            f"<div class='{cls}-item'><div class='{cls}-author'>user{self.rng.randint(10, 9999)}"
            f" · {self.rng.randint(1, 59)} {_e(self.lab.minutes_ago)}</div>"
            f"<p>{_e(self.rng.choice(self.lab.opinions))}</p>"
            f"<a href='#' class='{cls}-reply'>{_e(self.lab.reply)}</a></div>"
            for _ in range(k)
        )
        return (
            f"<div class='{cls}'><h3>{_e(self.lab.comments)} ({k})</h3>{items}"
            f"<textarea placeholder='…'></textarea></div>"
        )

    def share(self, cls: str) -> str:
        nets = ("VK", "Telegram", "WhatsApp", "Facebook", "X", "OK")
        links = "".join(f"<a href='https://{n.lower()}.example/share'>{n}</a>" for n in nets)
        return f"<div class='{cls}'><span>{_e(self.lab.share)}:</span>{links}</div>"

    def cookie(self, cls: str) -> str:
        return (
            f"<div class='{cls}'><p>{_e(self.lab.cookie)}</p>"
            f"<button>{_e(self.lab.cookie_ok)}</button></div>"
        )

    def ad(self, cls: str) -> str:
        """Present on about half of the fetches, with rotating text."""
        if self.rng.random() < 0.5:
            return ""
        offers = (
            "Кредит наличными без справок, ставка от 9,9%",
            "Новые квартиры в Астане от застройщика, рассрочка 0%",
            "Туры в Турцию из Алматы — скидки до 40%",
        )
        return (
            f"<div class='{cls}'><span>{_e(self.lab.ad)}</span> "
            f"<a href='https://ads.example/{self.rng.randint(1, 99)}'>"
            f"{_e(self.rng.choice(offers))}</a></div>"
        )

    def footer_text(self, tag: str = "p") -> str:
        return "".join(f"<{tag}>{_e(t)}</{tag}>" for t in self.lab.footer)

    def tags(self, cls: str) -> str:
        words = {
            "ru": ("Казахстан", "Россия", "Токаев", "Путин", "ЕАЭС"),
            "kk": ("Қазақстан", "Ресей", "Тоқаев", "ЕАЭО"),
            "en": ("Kazakhstan", "Russia", "Tokayev", "EAEU"),
        }[self.c.lang]
        links = "".join(f"<a href='/tag/{k}'>{_e(w)}</a>" for k, w in enumerate(words))
        return f"<div class='{cls}'>{_e(self.lab.tags)}: {links}</div>"

    def shuffled(self, *widgets: str) -> str:
        items = list(widgets)
        self.rng.shuffle(items)
        return "".join(items)


def _doc(c: Content, body: str, site: str, extra_head: str = "") -> str:
    lang = c.lang
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{_e(c.headline)} — {_e(site)}</title>"
        f"<meta property='og:title' content='{_e(c.headline)}'>"
        f"<meta property='article:published_time' content='{c.date}'>"
        "<link rel='stylesheet' href='/static/app.css'>"
        "<script>window.dataLayer=window.dataLayer||[];</script>"
        f"{extra_head}</head>\n<body>\n{body}\n"
        "<script src='/static/app.js' defer></script></body></html>"
    )


# --- layouts ------------------------------------------------------------------------------


def _kremlin(ch: Chrome, rng: random.Random) -> str:
    """kremlin.ru-like: <div class="read">, itemprop=articleBody, materials below."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    return _doc(
        c,
        f"""
<header class="header"><div class="header__in"><a class="logo" href="/">Президент России</a>
{ch.menu("nav__list")}<form class="search"><input placeholder="{_e(ch.lab.search)}"></form>
</div></header>
<div class="wrapsite"><div class="content">
{ch.breadcrumbs("read__breadcrumbs")}
<div class="read"><div class="read__in">
<h1 class="entry-title p-name">{_e(c.headline)}</h1>
<div class="read__meta"><time class="read__published" datetime="{c.date}">{c.date[:10]}</time>
<div class="read__place p-location">Москва, Кремль</div></div>
<div class="entry-content e-content read__internal_content" itemprop="articleBody">
{body}
</div>
<div class="read__bottommeta">{ch.tags("read__tags")}
<div class="read__print"><a href="?print=1">Версия для печати</a></div>
{ch.share("read__share")}</div>
</div></div>
<div class="read__materials"><h3>Материалы по теме</h3>
{ch.related("materials", "materials__item", 5)}</div>
</div></div>
<footer class="footer"><div class="footer__in">{ch.menu("footer__nav")}
{ch.footer_text()}</div></footer>
{ch.cookie("cookie-message")}""",
        "Президент России",
    )


def _akorda(ch: Chrome, rng: random.Random) -> str:
    """akorda.kz-like: bootstrap grid, no <article>/<main>, sidebar of latest news."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    return _doc(
        c,
        f"""
<div class="top-line"><div class="container"><span class="top-date">{ch.now()}</span>
<a href="/kz">ҚАЗ</a> <a href="/ru">РУС</a> <a href="/en">ENG</a></div></div>
<div class="head"><div class="container"><a class="head-logo" href="/">Ақорда</a>
{ch.menu("main-menu", 10)}{ch.mega_menu("dropdown-menu-wrap")}</div></div>
<div class="container"><div class="row">
<div class="col-lg-8 col-md-12">
{ch.breadcrumbs("bread")}
<div class="news-detail"><h1 class="news-detail-title">{_e(c.headline)}</h1>
<div class="news-detail-date">{c.date[:10]} {c.date[11:16]}</div>
<div class="news-detail-img"><img src="/img/{ch.i}.jpg" alt=""></div>
<div class="news-detail-text">
{body}
</div>
{ch.share("ya-share2")}
</div></div>
<div class="col-lg-4 col-md-12"><div class="last-news-block">
<div class="block-title">{_e(ch.lab.section)}</div>
{
            "".join(
                f"<div class='last-news-item'><div class='date'>{t}</div>"
                f"<a href='/news/{n}'>{_e(h)}</a></div>"
                for t, h, n in ch.headlines(8)
            )
        }
</div>{ch.ad("banner-right")}</div>
</div></div>
<div class="bottom"><div class="container">{ch.menu("bottom-links")}
{ch.footer_text("div")}</div></div>""",
        "Ақорда",
    )


def _h(seed: str) -> str:
    """A styled-components-like hashed class name, stable per seed."""
    rng = random.Random(seed)
    abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        "sc-"
        + "".join(rng.choice(abc) for _ in range(6))
        + " "
        + "".join(rng.choice(abc) for _ in range(6))
    )


def _govkz(ch: Chrome, rng: random.Random) -> str:
    """gov.kz-like SPA: only divs with hashed classes, a Quill editor body."""
    c = ch.c
    body = render_blocks(c, "quill", rng)
    menu = "".join(
        f"<div class='{_h('mi')}'><a href='/m/{k}'>{_e(t)}</a></div>"
        for k, t in enumerate(ch.lab.submenu)
    )
    news = "".join(
        f"<div class='{_h('card')}'><div class='{_h('cd')}'>{t}</div>"
        f"<a class='{_h('cl')}' href='/news/{n}'><div>{_e(h)}</div></a></div>"
        for t, h, n in ch.headlines(6)
    )
    return _doc(
        c,
        f"""
<div id="root"><div class="{_h("app")}">
<div class="{_h("top")}"><div class="{_h("logo")}">Электронное правительство</div>
<div class="{_h("menu")}">{menu}</div>
<div class="{_h("lang")}"><span>Рус</span><span>Қаз</span><span>Eng</span></div></div>
<div class="{_h("page")}">
<div class="{_h("bc")}"><a href="/">{_e(ch.lab.home)}</a><span>›</span>
<a href="/news">{_e(ch.lab.section)}</a></div>
<div class="{_h("grid")}">
<div class="{_h("main")}">
<h1 class="{_h("title")}">{_e(c.headline)}</h1>
<div class="{_h("meta")}"><span>{c.date[:10]}</span><span>{_e(ch.lab.views)}: {ch.views()}</span>
</div>
<div class="ql-editor">
{body}
</div>
<div class="{_h("share")}">{ch.share(_h("sh"))}</div>
</div>
<div class="{_h("side")}"><div class="{_h("st")}">{_e(ch.lab.related)}</div>{news}</div>
</div></div>
<div class="{_h("foot")}"><div class="{_h("fc")}">{ch.footer_text("div")}</div>
<div class="{_h("fm")}">{menu}</div></div>
<div class="{_h("ck")}"><div>{_e(ch.lab.cookie)}</div><div class="{_h("btn")}">
{_e(ch.lab.cookie_ok)}</div></div>
</div></div>""",
        "eGov",
    )


def _media_article(ch: Chrome, rng: random.Random) -> str:
    """Media site with <article> and BEM classes; related cards are <article>s too."""
    c = ch.c
    inline = ""
    if len(c.blocks) > 3:
        _, h, n = ch.headlines(1)[0]
        inline = (
            f"<div class='article__inline-item'><span>{_e(ch.lab.related)}:</span> "
            f"<a href='/news/{n}'>{_e(h)}</a></div>"
        )
    body = render_blocks(c, "p", rng, inline)
    cards = "".join(
        f"<article class='card'><a href='/news/{n}'><h3 class='card__title'>{_e(h)}</h3></a>"
        f"<time class='card__time'>{t}</time></article>"
        for t, h, n in ch.headlines(6)
    )
    return _doc(
        c,
        f"""
<div class="topline">{ch.rates()}</div>
<header class="header">{ch.menu("header__menu")}<div class="header__search">
<input placeholder="{_e(ch.lab.search)}"></div></header>
{ch.ad("adfox_banner_top")}
<div class="layout">
<article class="article">
<header class="article__header">{ch.breadcrumbs("article__rubric")}
<h1 class="article__title">{_e(c.headline)}</h1>
<div class="article__meta"><time datetime="{c.date}">{c.date[:10]}</time>
<span class="article__views">{ch.views()}</span><span class="article__updated">{ch.stamp()}</span>
</div></header>
<div class="article__text">
{body}
</div>
<div class="article__tags">{ch.tags("article__tags-list")}</div>
<div class="article__share">{ch.share("share-buttons")}</div>
</article>
<section class="feed"><h2>{_e(ch.lab.related)}</h2>{cards}</section>
{ch.comments("comments")}
</div>
<footer class="footer">{ch.menu("footer__menu")}{ch.footer_text()}</footer>
{ch.cookie("cookie-banner")}""",
        "Медиа",
    )


def _table_soup(ch: Chrome, rng: random.Random) -> str:
    """Old site: table layout, paragraphs separated by <br><br>, no semantic tags at all."""
    c = ch.c
    body = render_blocks(c, "br", rng)
    left = "".join(f"<a href='/{k}' class='lm'>{_e(t)}</a><br>" for k, t in enumerate(ch.lab.menu))
    news = "".join(
        f"<div class='nl'><b>{t}</b> <a href='/n/{n}'>{_e(h)}</a></div>"
        for t, h, n in ch.headlines(7)
    )
    return _doc(
        c,
        f"""
<table width="100%" cellpadding="0" cellspacing="0"><tr><td colspan="3" class="top">
<img src="/logo.gif" alt="logo"> <span class="slogan">Официальный информационный портал</span>
<span class="dt">{ch.now()}</span></td></tr>
<tr><td class="left" width="200" valign="top">{left}<br>{ch.ad("rekl")}</td>
<td class="center" valign="top">
<div class="path"><a href="/">{_e(ch.lab.home)}</a> » <a href="/news">{_e(ch.lab.section)}</a></div>
<div class="zag">{_e(c.headline)}</div>
<div class="data">{c.date[:10]}</div>
<div class="txt">
{body}
</div>
<div class="cnt">{_e(ch.lab.views)}: {ch.views()}</div>
</td>
<td class="right" width="240" valign="top"><div class="rtitle">{_e(ch.lab.section)}</div>{news}</td>
</tr>
<tr><td colspan="3" class="bottom">{ch.footer_text("div")}</td></tr></table>""",
        "Портал",
    )


def _main_wrap(ch: Chrome, rng: random.Random) -> str:
    """<main> wraps the article and a div sidebar (no <aside>)."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    sidebar = ch.shuffled(
        ch.related("layout__block", "layout__news", 7),
        ch.most_read("top5"),
        ch.ad("layout__promo-block"),
    )
    return _doc(
        c,
        f"""
<header class="site-header">{ch.menu("site-header__nav")}<div class="site-header__date">
{ch.now()}</div></header>
<main class="layout">
<div class="layout__content">
{ch.breadcrumbs("crumbs")}
<h1>{_e(c.headline)}</h1>
<div class="publication-info"><span>{c.date[:10]}</span> <span>{ch.stamp()}</span></div>
<div class="publication-body">
{body}
</div>
{ch.share("social-share")}
<div class="subscribe-box"><p>{_e(ch.lab.subscribe)}</p></div>
</div>
<div class="layout__aside">{sidebar}</div>
</main>
<footer class="site-footer">{ch.footer_text()}</footer>""",
        "Новости",
    )


def _legal(ch: Chrome, rng: random.Random) -> str:
    """Legal database (adilet / pravo.gov.ru-like): numbered articles and points."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    toc = "".join(
        f"<li><a href='#a{k}'>{_e(str(v))}</a></li>"
        for k, (kind, v) in enumerate(c.blocks)
        if kind == "h3"
    )
    return _doc(
        c,
        f"""
<div id="header"><div class="logo">Информационно-правовая система нормативных правовых актов</div>
{ch.menu("menu-top", 8)}<div class="user-panel"><a href="/login">Вход</a></div></div>
<div id="layout">
<div class="doc-toolbar"><a href="?print">Печать</a> <a href="?rtf">RTF</a>
<span class="doc-status">Действующий</span><span class="doc-views">{ch.views()}</span></div>
<div class="doc-toc"><div class="doc-toc-title">Оглавление</div><ul>{toc}</ul></div>
<div class="container_gamma text text_upd">
<h1>{_e(c.headline)}</h1>
<div class="doc-requisites">Ратифицирован Законом от {c.date[:10]}</div>
{body}
</div>
<div class="doc-links"><h3>Связанные документы</h3>
{ch.related("doc-links-list", "doc-links-item", 4)}</div>
</div>
<div id="footer">{ch.footer_text("div")}<div class="counter">{ch.now()}</div></div>""",
        "Әділет",
    )


def _ministry(ch: Chrome, rng: random.Random) -> str:
    """mid.ru-like ministry page: text with tables, 'materials on the topic', share block."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    return _doc(
        c,
        f"""
<div class="header-wrap">{ch.mega_menu("header-menu")}<div class="header-tools">
<a href="/ru">RU</a><a href="/en">EN</a><span class="header-date">{ch.now()}</span></div></div>
<div class="page-wrapper"><div class="content-wrapper">
{ch.breadcrumbs("breadcrumb")}
<div class="text article-content">
<h1 class="article-title">{_e(c.headline)}</h1>
<div class="article-date">{c.date[:10]}</div>
{body}
</div>
{ch.share("page-share")}
<div class="materials-by-theme"><div class="materials-by-theme-title">Материалы по теме</div>
{ch.related("mat-list", "mat-item", 5)}</div>
</div>
<div class="right-col">{ch.shuffled(ch.most_read("popular-list"), ch.ad("rb-block"))}</div>
</div>
<div class="footer-wrap">{ch.menu("footer-nav")}{ch.footer_text()}</div>
{ch.cookie("cookies-warning")}""",
        "МИД",
    )


def _wordpress(ch: Chrome, rng: random.Random) -> str:
    """WordPress news site: entry-content, Jetpack sharing/related, comment list, widgets."""
    c = ch.c
    body = render_blocks(c, "p", rng)
    comments = "".join(
        f"<li class='comment'><article class='comment-body'><footer class='comment-meta'>"
        f"<b class='fn'>user{ch.rng.randint(1, 999)}</b> <time>{ch.now()}</time></footer>"
        f"<div class='comment-content'><p>{_e(ch.rng.choice(ch.lab.opinions))}</p></div>"
        f"</article></li>"
        for _ in range(1 + (ch.i + ch.fetch) % 3)
    )
    widgets = ch.shuffled(
        f"<section class='widget widget_recent_entries'><h2 class='widget-title'>"
        f"{_e(ch.lab.section)}</h2><ul>"
        + "".join(f"<li><a href='/n/{n}'>{_e(h)}</a></li>" for _, h, n in ch.headlines(5))
        + "</ul></section>",
        f"<section class='widget widget_text'><div class='textwidget'><p>"
        f"{_e(ch.lab.subscribe)}</p></div></section>",
        ch.ad("widget widget_custom_html"),
    )
    return _doc(
        c,
        f"""
<div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title">The Steppe Times</p>
<nav class="main-navigation">{ch.menu("menu")}</nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article class="post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{_e(c.headline)}</h1>
<div class="entry-meta"><time class="entry-date">{c.date[:10]}</time></div></header>
<div class="entry-content">
{body}
<div class="sharedaddy sd-sharing-enabled">{ch.share("sd-content")}</div>
<div id="jp-relatedposts" class="jp-relatedposts">{ch.related("jp-related", "jp-item", 3)}</div>
</div>
</article>
<div id="comments" class="comments-area"><h2 class="comments-title">{_e(ch.lab.comments)}</h2>
<ol class="comment-list">{comments}</ol></div>
</main></div>
<div id="secondary" class="widget-area">{widgets}</div></div>
<footer id="colophon" class="site-footer">{ch.footer_text()}</footer></div>""",
        "Steppe Times",
    )


def _portal(ch: Chrome, rng: random.Random) -> str:
    """Regional portal: <article> with meta, comments and 'most read' inside it, div paragraphs."""
    c = ch.c
    body = render_blocks(c, "div", rng)
    return _doc(
        c,
        f"""
<div class="head-line">{ch.rates()}</div>
<div class="menu-wrap">{ch.menu("menu-list")}</div>
{ch.cookie("gdpr-popup")}
<div class="page">
<article class="content_main" itemscope itemtype="https://schema.org/NewsArticle">
<div class="content_main_meta"><span class="content_main_date">{c.date[:10]}</span>
<span class="content_main_meta_views">{ch.views()}</span></div>
<h1 class="content_main_title" itemprop="headline">{_e(c.headline)}</h1>
<div class="content_main_text" itemprop="articleBody">
{body}
</div>
<div class="content_main_share">{ch.share("share-line")}</div>
{ch.most_read("content_main_popular")}
<section class="comments">{ch.comments("comment")}</section>
</article>
<div class="right-column">{
            ch.shuffled(ch.related("news-list", "news-list-item", 8), ch.ad("ad-300"))
        }</div>
</div>
<div class="footer">{ch.footer_text()}</div>""",
        "Портал",
    )


LAYOUTS: tuple[Callable[[Chrome, random.Random], str], ...] = (
    _kremlin,
    _akorda,
    _govkz,
    _media_article,
    _table_soup,
    _main_wrap,
    _legal,
    _ministry,
    _wordpress,
    _portal,
)


def layout_name(i: int) -> str:
    return LAYOUTS[_layout_index(i)].__name__.lstrip("_")


def page(i: int, fetch: int) -> tuple[str, list[str]]:
    """HTML of page `i` as served on fetch number `fetch`, and its ground-truth paragraphs."""
    c = content(i)
    chrome = Chrome(
        i=i, fetch=fetch, lab=LABELS[c.lang], c=c, rng=random.Random(f"chrome-{i}-{fetch}")
    )
    html = LAYOUTS[_layout_index(i)](chrome, random.Random(f"markup-{i}"))
    return html, c.paragraphs()


# --- scoring ---------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens as a multiset."""
    return Counter(_WORD.findall(text.lower()))


def score(extracted: str, truth: list[str], title: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of `extracted` against `truth`; a headline line is ignored."""
    head = " ".join(title.split()).lower()
    kept = [ln for ln in extracted.splitlines() if " ".join(ln.split()).lower() != head]
    got, want = tokens("\n".join(kept)), tokens("\n".join(truth))
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


if __name__ == "__main__":
    import sys

    index = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    print(page(index, int(sys.argv[2]) if len(sys.argv) > 2 else 0)[0])
