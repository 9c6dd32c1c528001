"""A deterministic Russian/Kazakh/English news corpus for the simulated site.

Relevance must be tested on realistic mixes: articles about Russia–Kazakhstan
relations next to unrelated news and near misses (Russia with China, Kazakhstan
with Uzbekistan), in all three languages. Every article carries the ground
truth in `relevant`. Russian relevant text is taken from the project's seed
article (shared/seed/000_e280fcfc0b207261.txt); pass `ru_sentences` to use more.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from monitor.simweb.site import Article, Attachment

# Sentences of the seed article that name both countries open a relevant article.
RU_LEADS = (
    "Подписание 12 ноября 2025 года Декларации о переводе отношений России и Казахстана на "
    "уровень всеобъемлющего стратегического партнерства и союзничества стало событием, которое "
    "важно читать шире, чем очередной дипломатический жест.",
    "В практическом измерении это означает, что связка Москва и Астана рассматривается не как "
    "отдельный канал, а как опорный узел для сопряжения региональных форматов безопасности, "
    "экономики и дипломатии.",
    "Заявленная логика развития национальной космической программы Казахстана при сохранении "
    "тесной технологической кооперации с Россией показывает, что стороны стремятся удерживать "
    "совместную экосистему в секторе, который одновременно символичен и прагматичен.",
)
RU_SEED_SENTENCES = (
    "Для Казахстана это принципиально, поскольку любая устойчивость многовекторности требует не "
    "расплывчатого нейтралитета, а четко очерченных опорных направлений.",
    "Для России это не менее важно, потому что в условиях внешнего давления ценность приобретают "
    "не декларации лояльности, а понятные правила взаимного учета интересов и предсказуемость "
    "поведения партнера.",
    "Отдельно подчеркивается масштаб, документ включает 42 пункта, сгруппированные по крупным "
    "тематическим разделам, и тем самым задает повестку не одного года, а горизонта десятилетия.",
    "Ранние договоренности начала 1990-х решали задачу мирного разведения институтов после "
    "распада СССР и закрепляли базовые принципы суверенитета и взаимной безопасности.",
    "Одновременно декларация встраивает двусторонний контур в более широкую институциональную "
    "архитектуру Евразии.",
    "Для России это вопрос устойчивости торговых и инвестиционных каналов в регионе, который "
    "становится одним из главных пространств адаптации экономики к новой реальности.",
    "В этом контуре энергетика перестает быть только темой сырья и транзита и превращается в тему "
    "энергобаланса, низкоуглеродных решений и крупных инфраструктурных проектов.",
    "Сейчас в центр ставятся технологии и критическая инфраструктура, потому что именно они "
    "определяют конкурентоспособность и безопасность государств.",
    "Показательно, что в повестке присутствуют идеи развития образовательных связей и "
    "институционализации культурного сотрудничества.",
    "Для бизнеса и регионов это означает рост предсказуемости, когда крупные инициативы и правила "
    "взаимодействия укладываются в понятный коридор целей и приоритетов.",
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
    ru_sentences: Sequence[str] = RU_SEED_SENTENCES,
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
