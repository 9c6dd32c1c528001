"""The simulated site over real HTTP: feeds, sitemaps, listings, politeness and mutations."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser
import httpx
import pytest
from bs4 import BeautifulSoup
from protego import Protego

from monitor.analysis.relevance import default_rules, judge
from monitor.analysis.themes import taxonomy
from monitor.extract.attachments import extract_docx, extract_pdf
from monitor.simweb import SimServer
from monitor.simweb.corpus import RU_LEADS, RU_SENTENCES, demo_corpus
from monitor.simweb.site import Attachment, SimSite

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
T0 = datetime(2025, 11, 12, 9, 30, tzinfo=UTC)


@pytest.fixture
def site(web: SimServer) -> SimSite:
    s = SimSite(web, feed_size=5, page_size=4, crawl_delay=2, amp=True)
    for i in range(11):
        s.add_article(
            f"a{i}",
            f"Заголовок {i}: Қазақстан және Ресей",
            [f"Первый абзац новости {i}.", "Второй абзац: әңгіме, құжат, өңір."],
            published=T0 + timedelta(hours=i),
        )
    return s


@pytest.fixture
def client(site: SimSite) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base, timeout=10) as c:
        yield c


def test_rss_and_atom_parse_cleanly_newest_first(site: SimSite, client: httpx.Client) -> None:
    for path in ("/rss.xml", "/atom.xml"):
        response = client.get(path)
        assert response.status_code == 200
        assert "charset=utf-8" in response.headers["content-type"]
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert [e.title for e in feed.entries] == [
            f"Заголовок {i}: Қазақстан және Ресей" for i in (10, 9, 8, 7, 6)
        ]
        newest = feed.entries[0]
        assert newest.link == site.url("/news/a10")
        assert newest.id == site.url("/news/a10")
        assert datetime(*newest.published_parsed[:6], tzinfo=UTC) == T0 + timedelta(hours=10)
        assert newest.summary == "Первый абзац новости 10."


def test_sitemap_index_news_and_archive(site: SimSite, client: httpx.Client) -> None:
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{SM}sitemapindex"
    locs = [loc.text for loc in index.iter(f"{SM}loc")]
    assert locs == [site.url("/sitemap-news.xml"), site.url("/sitemap-archive.xml")]
    news = ET.fromstring(client.get("/sitemap-news.xml").content)
    entries = news.findall(f"{SM}url")
    assert len(entries) == 5
    first = entries[0]
    assert first.findtext(f"{SM}loc") == site.url("/news/a10")
    assert first.findtext(f"{NEWS}news/{NEWS}publication_date") == "2025-11-12T19:30:00+00:00"
    assert first.findtext(f"{NEWS}news/{NEWS}title") == "Заголовок 10: Қазақстан және Ресей"
    assert first.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language") == "ru"
    archive = ET.fromstring(client.get("/sitemap-archive.xml").content)
    rows = archive.findall(f"{SM}url")
    assert [r.findtext(f"{SM}loc") for r in rows] == [
        site.url(f"/news/a{i}") for i in range(5, -1, -1)
    ]
    assert all(r.findtext(f"{SM}lastmod") for r in rows)


def test_listing_pagination_follows_next_links(site: SimSite, client: httpx.Client) -> None:
    seen: list[str] = []
    url: str | None = "/list?page=1"
    pages = 0
    while url:
        soup = BeautifulSoup(client.get(url).text, "lxml")
        seen += [str(a["href"]) for a in soup.select("a.news-link")]
        nxt = soup.select_one("a.next")
        url = str(nxt["href"]) if nxt else None
        pages += 1
    assert pages == 3
    assert seen == [f"/news/a{i}" for i in range(10, -1, -1)]
    assert client.get("/list?page=4").status_code == 404
    assert client.get("/list?page=x").status_code == 400


def test_rate_limit_answers_429_with_retry_after_and_logs_arrivals(
    site: SimSite, client: httpx.Client
) -> None:
    site.rate_limit("/news/", times=2, retry_after=1)
    statuses = []
    while True:
        response = client.get("/news/a3")
        statuses.append(response.status_code)
        if response.status_code != 429:
            break
        assert response.headers["retry-after"] == "1"
        time.sleep(float(response.headers["retry-after"]))
    assert statuses == [429, 429, 200]
    hits = site.hits("/news/a3")
    assert [h.status for h in hits] == [429, 429, 200]
    assert all(b.at - a.at >= 0.95 for a, b in itertools.pairwise(hits))
    assert client.get("/rss.xml").status_code == 200  # other prefixes are not limited


def test_fail_then_recover(site: SimSite, client: httpx.Client) -> None:
    site.fail("/rss.xml", 503, times=1)
    assert client.get("/rss.xml").status_code == 503
    assert client.get("/rss.xml").status_code == 200
    site.fail("/news/a1", 500)
    assert [client.get("/news/a1").status_code for _ in range(2)] == [500, 500]
    site.recover("/news/a1")
    assert client.get("/news/a1").status_code == 200


@pytest.mark.parametrize("status", [404, 410])
def test_remove_and_restore(web: SimServer, status: int) -> None:
    site = SimSite(web, removed_status=status)
    site.add_article("x", "Соглашение", ["Текст."], attachments=[Attachment("x.docx", ["Текст."])])
    site.add_article("y", "Другое", ["Текст."])
    with httpx.Client(base_url=site.base) as client:
        site.remove_article("x")
        assert client.get("/news/x").status_code == status
        assert client.get("/files/x.docx").status_code == status
        assert [e.id for e in feedparser.parse(client.get("/rss.xml").content).entries] == [
            site.url("/news/y")
        ]
        site.restore_article("x")
        assert client.get("/news/x").status_code == 200
        assert client.get("/files/x.docx").status_code == 200
        assert len(feedparser.parse(client.get("/atom.xml").content).entries) == 2


def test_canonical_links_point_to_the_clean_url(site: SimSite, client: httpx.Client) -> None:
    clean = site.url("/news/a2")
    for path in ("/news/a2", "/news/a2?utm_source=x&utm_medium=y", "/amp/a2"):
        soup = BeautifulSoup(client.get(path).text, "lxml")
        assert soup.select_one('link[rel="canonical"]')["href"] == clean
        assert soup.select_one("article h1").get_text() == "Заголовок 2: Қазақстан және Ресей"
        assert next(p.get_text() for p in soup.select("article p")) == "Первый абзац новости 2."
    soup = BeautifulSoup(client.get("/news/a2").text, "lxml")
    assert soup.select_one('link[rel="amphtml"]')["href"] == site.url("/amp/a2")
    assert soup.select_one("html")["lang"] == "ru"


def test_tracking_params_in_feeds_and_listing(web: SimServer) -> None:
    site = SimSite(web, tracking_params=True)
    site.add_article("t", "Новость", ["Текст."])
    with httpx.Client(base_url=site.base) as client:
        entry = feedparser.parse(client.get("/rss.xml").content).entries[0]
        assert entry.link == site.url("/news/t?utm_source=rss&utm_medium=referral")
        assert entry.id == site.url("/news/t")
        link = BeautifulSoup(client.get("/list").text, "lxml").select_one("a.news-link")
        assert link["href"] == "/news/t?utm_source=list&utm_medium=referral"


def test_edit_article_changes_page_etag_and_updated(site: SimSite, client: httpx.Client) -> None:
    before = client.get("/news/a4")
    site.edit_article("a4", replace=("Второй", "Изменённый"))
    site.edit_article("a4", paragraph=2, text="Новый третий абзац.")
    after = client.get("/news/a4")
    assert before.headers["etag"] != after.headers["etag"]
    paragraphs = [p.get_text() for p in BeautifulSoup(after.text, "lxml").select("article p")]
    assert paragraphs[1:] == ["Изменённый абзац: әңгіме, құжат, өңір.", "Новый третий абзац."]
    assert (
        client.get("/news/a4", headers={"If-None-Match": after.headers["etag"]}).status_code == 304
    )
    with pytest.raises(ValueError, match="not in article"):
        site.edit_article("a4", replace=("нет такого слова", "x"))


def test_robots_txt(site: SimSite, client: httpx.Client) -> None:
    robots = Protego.parse(client.get("/robots.txt").text)
    assert not robots.can_fetch(site.url("/private/secret"), "monitor")
    assert robots.can_fetch(site.url("/news/a1"), "monitor")
    assert robots.crawl_delay("monitor") == 2
    assert list(robots.sitemaps) == [site.url("/sitemap.xml")]


def test_attachments_are_linked_and_served(web: SimServer) -> None:
    site = SimSite(web)
    text = ["Қазақстан мен Ресей арасындағы келісім.", "Соглашение вступает в силу."]
    files = [Attachment("deal.pdf", text, "Келісім"), Attachment("deal.docx", text, "Келісім")]
    site.add_article("d", "Документы", ["См. вложения."], attachments=files)
    site.add_article("bad", "Битый", ["x"], attachments=[Attachment("bad.pdf", [], body=b"junk")])
    with httpx.Client(base_url=site.base) as client:
        soup = BeautifulSoup(client.get("/news/d").text, "lxml")
        assert [a["href"] for a in soup.select("article a.attachment")] == [
            "/files/deal.pdf",
            "/files/deal.docx",
        ]
        pdf = client.get("/files/deal.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-") and pdf.content == site.attachment_bytes("deal.pdf")
        assert extract_pdf(pdf.content).text == "Келісім\n" + "\n".join(text)
        docx = client.get("/files/deal.docx")
        assert docx.headers["content-type"].endswith("wordprocessingml.document")
        assert extract_docx(docx.content).text == "Келісім\n" + "\n".join(text)
        assert client.get("/files/bad.pdf").content == b"junk"
        site.edit_attachment("deal.docx", paragraphs=["Новая редакция."])
        assert (
            extract_docx(client.get("/files/deal.docx").content).text == "Келісім\nНовая редакция."
        )
    with pytest.raises(ValueError, match=r"\.pdf or \.docx"):
        site.add_article("z", "z", ["z"], attachments=[Attachment("z.txt", ["z"])])


def test_owned_server_and_concurrent_mutation() -> None:
    with SimSite(feed_size=50) as site, httpx.Client(base_url=site.base) as client:
        errors: list[int] = []

        def poll() -> None:
            for _ in range(30):
                status = client.get("/rss.xml").status_code
                if status != 200:
                    errors.append(status)

        threads = [threading.Thread(target=poll) for _ in range(3)]
        for thread in threads:
            thread.start()
        for i in range(40):
            site.add_article(f"c{i}", f"Новость {i}", [f"Текст {i}."])
            site.edit_article(f"c{i}", replace=("Текст", "Правка"))
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(feedparser.parse(client.get("/rss.xml").content).entries) == 40


PARTNERSHIP_THEMES = {
    "politics-security",
    "economy-finance",
    "eurasian-integration",
    "transport-logistics",
    "energy",
    "critical-minerals-industry",
    "space",
    "digital-cyber-ai",
    "humanitarian",
}


def test_demo_corpus_mixes_languages_and_relevance() -> None:
    corpus = demo_corpus(40)
    assert corpus == demo_corpus(40)  # deterministic
    kinds = {(a.lang, a.relevant) for a in corpus}
    assert kinds == {(lang, rel) for lang in ("ru", "kk", "en") for rel in (True, False)}
    assert len({a.id for a in corpus}) == 40
    assert all(a.published > b.published for a, b in itertools.pairwise(corpus))
    rules = default_rules()
    for lead in RU_LEADS:  # a lead alone names both countries
        assert judge(lead, rules).relevant, lead
    for article in corpus:  # the ground truth is what the shipped rules decide
        decision = judge("\n".join([article.title, *article.paragraphs]), rules)
        assert decision.relevant == article.relevant, (article.id, decision.reason)
    themes = [{hit.theme for hit in taxonomy().tag(s)} for s in RU_SENTENCES]
    assert all(themes), [s for s, found in zip(RU_SENTENCES, themes, strict=True) if not found]
    assert set().union(*themes) >= PARTNERSHIP_THEMES  # every section of the partnership
    kazakh = [a for a in corpus if a.lang == "kk" and a.relevant]
    assert any(ch in "".join(kazakh[0].paragraphs) for ch in "әғқңөұүһі")
    with_files = [f for a in corpus for f in a.attachments]
    assert {f.kind for f in with_files} == {"pdf", "docx"}
    assert all(a.relevant for a in corpus if a.attachments)


def test_fixture_text_is_a_relevant_declaration(fixture_text: str) -> None:
    title, *paragraphs = fixture_text.splitlines()
    assert title and not title.endswith(".") and all(p.endswith(".") for p in paragraphs)
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(paragraphs))
    assert len(sentences) >= 48 and all(len(s.split()) > 3 for s in sentences)
    assert judge(fixture_text, default_rules()).relevant
    assert {hit.theme for hit in taxonomy().tag(fixture_text)} >= PARTNERSHIP_THEMES


def test_demo_site_serves_the_corpus(web: SimServer) -> None:
    site = SimSite(web)
    site.add_articles(demo_corpus(12))
    with httpx.Client(base_url=site.base) as client:
        feed = feedparser.parse(client.get("/atom.xml").content)
        assert not feed.bozo and len(feed.entries) == 12
        langs = {e.get("language") or e.title_detail.get("language") for e in feed.entries}
        assert {"ru", "kk", "en"} <= langs
        for article in site.articles()[:3]:
            page = client.get(article.path)
            assert page.status_code == 200
            assert f'lang="{article.lang}"' in page.text
