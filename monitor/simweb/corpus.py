"""A deterministic Russian/Kazakh/English news corpus for the simulated site.

Relevance must be tested on realistic mixes: articles about Russia–Kazakhstan
relations next to unrelated news and near misses (Russia with China, Kazakhstan
with Uzbekistan), in all three languages. Every article carries the ground
truth in `relevant`. Pass `ru_sentences` to use more Russian body sentences.

`commentary_text()` is a longer Russian text for tests and benchmarks that need a
realistic document: a title line, then paragraphs of a Declaration-like text on the
Russia–Kazakhstan comprehensive strategic partnership and alliance (data/commentary_ru.txt:
about fifty sentences, no dotted abbreviations, so `(?<=[.!?])\\s+` splits it into
sentences). It and every sentence in this module were written for this project:
original text, not copied from any publication, so the repository needs nothing
outside itself.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files

from monitor.simweb.site import Article, Attachment


@cache
def commentary_text() -> str:
    """The Russian Declaration-like fixture text: a title line, then one paragraph a line."""
    return files("monitor.simweb").joinpath("data", "commentary_ru.txt").read_text(encoding="utf-8")


# Leads name both countries, so they open a relevant article.
RU_LEADS = (
    "Россия и Казахстан подписали в Москве декларацию, которая переводит отношения двух "
    "стран на уровень всеобъемлющего стратегического партнерства и союзничества.",
    "По итогам переговоров в Кремле президенты России и Казахстана поручили правительствам "
    "за полгода подготовить план реализации новых договоренностей.",
    "Москва и Астана договорились ежегодно сверять ход совместных проектов на заседаниях "
    "межправительственной комиссии и на форуме межрегионального сотрудничества.",
)
# On-topic body sentences of a relevant article, one or more per section of the partnership.
RU_SENTENCES = (
    "Стороны расширят обмен сведениями о террористических угрозах и будут вместе защищать "
    "критическую инфраструктуру от кибератак.",
    "Почти вся взаимная торговля уже оплачивается в рублях и тенге, а банки намерены сделать "
    "такие расчеты в национальных валютах быстрее и дешевле.",
    "Речь идет не только о поставках нефти и газа, но и о строительстве атомной электростанции "
    "и модернизации угольных электростанций.",
    "Отдельный раздел посвящен редкоземельным металлам и другим критически важным минералам, "
    "которые планируется перерабатывать на совместных предприятиях.",
    "На космодроме Байконур готовят новые запуски ракет и совместные научные эксперименты на "
    "орбите.",
    "Правительства намерены связать государственные информационные системы и взаимно признавать "
    "электронные цифровые подписи граждан и компаний.",
    "Университеты двух стран откроют совместные магистерские программы, а число студенческих "
    "обменов заметно вырастет.",
    "В следующем году пройдут перекрестные дни культуры с гастролями театров, выставками и "
    "кинопоказами.",
    "Участники встречи подчеркнули, что Евразийский экономический союз остается главной рамкой "
    "для общего рынка товаров, услуг и рабочей силы.",
    "Для перевозчиков упростят пересечение границы, а на крупных пунктах пропуска введут "
    "электронную очередь для грузовиков.",
)
RU_TITLES = (
    "Россия и Казахстан вышли на уровень всеобъемлющего стратегического партнерства",
    "Москва и Астана согласовали план по энергетике и критическим минералам",
    "Межправительственная комиссия России и Казахстана обсудила расчеты в национальных валютах",
    "Казахстан и Россия подписали соглашение о космическом сотрудничестве",
)
RU_OTHER_TITLES = (
    "В столице открылся фестиваль уличного театра",
    "Синоптики обещают теплые выходные и слабый ветер",
    "Россия и Китай обсудили поставки сельскохозяйственной продукции",
    "Футбольный клуб объявил о смене главного тренера",
)
RU_OTHER = (
    "Организаторы ожидают более двадцати тысяч зрителей за три дня.",
    "Вход на большинство площадок будет свободным, а программа опубликована на сайте фестиваля.",
    "В субботу температура поднимется до плюс восемнадцати градусов, осадков не ожидается.",
    "Стороны договорились увеличить объем поставок зерна и масличных культур в следующем сезоне.",
    "Новый тренер подписал контракт на два года и проведет первую тренировку в понедельник.",
    "Городские власти рекомендуют пользоваться общественным транспортом в дни мероприятий.",
    "Болельщики смогут встретиться с командой на открытой тренировке.",
)
KK_TITLES = (
    "Қазақстан мен Ресей стратегиялық әріптестікті тереңдетуге келісті",
    "Астана мен Мәскеу энергетика саласындағы ынтымақтастық туралы келісімге қол қойды",
)
KK_RELEVANT = (
    "Қазақстан Республикасы мен Ресей Федерациясы жан-жақты стратегиялық әріптестік және "
    "одақтастық туралы декларацияға қол қойды.",
    "Тараптар сауда-экономикалық ынтымақтастықты нығайтуға және ұлттық валюталардағы есеп "
    "айырысу үлесін арттыруға уағдаласты.",
    "Құжатта шекара маңындағы өңірлердің өзара іс-қимылын кеңейту көзделген.",
    "Ғарыш саласындағы бірлескен жобалар Байқоңыр ғарыш айлағында жалғасады.",
    "Келісім қазақ және орыс тілдерінде екі данада жасалды, екі мәтіннің де күші бірдей.",
)
KK_OTHER_TITLES = (
    "Алматыда көктемгі жәрмеңке ашылды",
    "Қазақстан мен Өзбекстан су ресурстарын бірлесіп басқаруды талқылады",
)
KK_OTHER = (
    "Жәрмеңкеде жүзден астам шаруа қожалығы өз өнімдерін ұсынды.",
    "Ауа райы жылы болады, жаңбыр күтілмейді.",
    "Тараптар Сырдария өзенінің суын тиімді пайдалану мәселесін қарастырды.",
    "Қала әкімдігі тұрғындарды қоғамдық көлікті пайдалануға шақырды.",
)
EN_TITLES = (
    "Russia and Kazakhstan sign declaration on comprehensive strategic partnership",
    "Kazakhstan and Russia agree to expand settlements in national currencies",
)
EN_RELEVANT = (
    "Russia and Kazakhstan signed a declaration raising their relations to a comprehensive "
    "strategic partnership and alliance.",
    "The document contains 42 points covering security, trade, energy, space and culture.",
    "Moscow and Astana agreed to expand settlements in national currencies and to develop joint "
    "transport corridors.",
    "Cooperation at the Baikonur cosmodrome will continue under the new agreement.",
    "The intergovernmental commission will review progress on the agreements next year.",
)
EN_OTHER_TITLES = (
    "City council approves new cycling lanes",
    "Kazakhstan and Uzbekistan discuss shared water management",
)
EN_OTHER = (
    "The new lanes will connect the university district with the city centre.",
    "Construction is expected to start in the spring and last about six months.",
    "The two countries discussed how to share the waters of the Syr Darya more efficiently.",
    "Residents can comment on the plan on the council website until the end of the month.",
)

# (language, relevant) of consecutive articles; the cycle mixes all six kinds.
_KINDS = (
    ("ru", True),
    ("ru", False),
    ("kk", True),
    ("ru", True),
    ("en", False),
    ("en", True),
    ("ru", False),
    ("kk", False),
)


def _pools(
    lang: str, relevant: bool, ru_sentences: Sequence[str]
) -> tuple[Sequence[str], Sequence[str], Sequence[str]]:
    """Titles, lead sentences and body sentences for one kind of article."""
    if lang == "ru":
        if relevant:
            return RU_TITLES, RU_LEADS, ru_sentences
        return RU_OTHER_TITLES, RU_OTHER, RU_OTHER
    if lang == "kk":
        if relevant:
            return KK_TITLES, KK_RELEVANT[:1], KK_RELEVANT[1:]
        return KK_OTHER_TITLES, KK_OTHER, KK_OTHER
    if relevant:
        return EN_TITLES, EN_RELEVANT[:1], EN_RELEVANT[1:]
    return EN_OTHER_TITLES, EN_OTHER, EN_OTHER


def demo_corpus(
    count: int = 40,
    *,
    seed: int = 7,
    newest: datetime | None = None,
    step: timedelta = timedelta(hours=5),
    ru_sentences: Sequence[str] = RU_SENTENCES,
    attachments: bool = True,
) -> list[Article]:
    """`count` articles, newest first, `step` apart; the same arguments give the same corpus.

    Every fifth relevant article links the agreement as a PDF, every seventh as a DOCX.
    """
    rng = random.Random(seed)
    newest = newest or datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    used: dict[str, int] = {}
    relevant_seen = 0
    articles: list[Article] = []
    for index in range(count):
        lang, relevant = _KINDS[index % len(_KINDS)]
        titles, leads, body = _pools(lang, relevant, ru_sentences)
        title = titles[index // len(_KINDS) % len(titles)]
        used[title] = used.get(title, 0) + 1
        if used[title] > 1:
            title = f"{title} ({used[title]})"
        sentences = [rng.choice(leads), *rng.sample(list(body), k=min(len(body), 7))]
        sentences = [s for n, s in enumerate(sentences) if s not in sentences[:n]]
        size = rng.randint(2, 3)
        paragraphs = [
            " ".join(sentences[start : start + size]) for start in range(0, len(sentences), size)
        ]
        article_id = f"{1000 + count - index}"
        files: list[Attachment] = []
        if relevant:
            relevant_seen += 1
            if attachments and relevant_seen % 5 == 0:
                files.append(Attachment(f"agreement-{article_id}.pdf", paragraphs, title))
            if attachments and relevant_seen % 7 == 0:
                files.append(Attachment(f"protocol-{article_id}.docx", paragraphs, title))
        articles.append(
            Article(
                id=article_id,
                title=title,
                paragraphs=paragraphs,
                lang=lang,
                published=newest - index * step,
                attachments=files,
                relevant=relevant,
            )
        )
    return articles
