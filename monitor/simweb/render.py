"""HTML pages, feeds and sitemaps of the simulated site (`monitor.simweb.site`).

Kept apart from the site's state so the markup can be read in one place: it is
what discovery and extraction are tested against, so it mimics real news sites,
boilerplate included (navigation, view counter, related links, footer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from monitor.simweb.site import Article, SimSite

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_ATOM_NS = "http://www.w3.org/2005/Atom"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    node.text = text
    return node


def _summary(article: Article) -> str:
    return article.paragraphs[0] if article.paragraphs else ""


# --- feeds and sitemaps ----------------------------------------------------------


def rss(site: SimSite, articles: Sequence[Article]) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": _ATOM_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", site.name)
    _sub(channel, "link", site.url("/"))
    _sub(channel, "description", f"Новости: {site.name}")
    _sub(channel, "language", "ru")
    _sub(channel, "atom:link", href=site.url("/rss.xml"), rel="self", type="application/rss+xml")
    if articles:
        _sub(channel, "lastBuildDate", http_date(max(a.modified for a in articles)))
    for article in articles:
        item = _sub(channel, "item")
        _sub(item, "title", article.title)
        _sub(item, "link", site.link(article, "rss"))
        _sub(item, "guid", site.url(article.path), isPermaLink="true")
        _sub(item, "pubDate", http_date(article.published))
        _sub(item, "description", _summary(article))
    return _xml(root)


def atom(site: SimSite, articles: Sequence[Article]) -> bytes:
    root = ET.Element("feed", {"xmlns": _ATOM_NS})
    _sub(root, "id", site.url("/"))
    _sub(root, "title", site.name)
    _sub(root, "updated", iso(max((a.modified for a in articles), default=_EPOCH)))
    _sub(root, "link", rel="self", href=site.url("/atom.xml"))
    _sub(root, "link", rel="alternate", href=site.url("/"))
    _sub(_sub(root, "author"), "name", site.name)
    for article in articles:
        entry = _sub(root, "entry", **{"xml:lang": article.lang})
        _sub(entry, "id", site.url(article.path))
        _sub(entry, "title", article.title)
        _sub(entry, "link", rel="alternate", href=site.link(article, "atom"))
        _sub(entry, "published", iso(article.published))
        _sub(entry, "updated", iso(article.modified))
        _sub(entry, "summary", _summary(article))
    return _xml(root)


def sitemap_index(site: SimSite, paths: Sequence[str], lastmod: datetime) -> bytes:
    root = ET.Element("sitemapindex", {"xmlns": _SITEMAP_NS})
    for path in paths:
        sitemap = _sub(root, "sitemap")
        _sub(sitemap, "loc", site.url(path))
        _sub(sitemap, "lastmod", iso(lastmod))
    return _xml(root)


def sitemap_news(site: SimSite, articles: Sequence[Article]) -> bytes:
    """Google's news sitemap: publication name and language, date and title per URL."""
    root = ET.Element("urlset", {"xmlns": _SITEMAP_NS, "xmlns:news": _NEWS_NS})
    for article in articles:
        url = _sub(root, "url")
        _sub(url, "loc", site.url(article.path))
        news = _sub(url, "news:news")
        publication = _sub(news, "news:publication")
        _sub(publication, "news:name", site.name)
        _sub(publication, "news:language", article.lang)
        _sub(news, "news:publication_date", iso(article.published))
        _sub(news, "news:title", article.title)
    return _xml(root)


def sitemap_urls(site: SimSite, articles: Sequence[Article]) -> bytes:
    root = ET.Element("urlset", {"xmlns": _SITEMAP_NS})
    for article in articles:
        url = _sub(root, "url")
        _sub(url, "loc", site.url(article.path))
        _sub(url, "lastmod", iso(article.modified))
    return _xml(root)


def robots(disallow: Sequence[str], crawl_delay: float | None, sitemap: str) -> str:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines.append(f"Sitemap: {sitemap}")
    return "\n".join(lines) + "\n"


# --- HTML --------------------------------------------------------------------------


def _page(
    site: SimSite, title: str, head: str, body: str, *, lang: str = "ru", views: str = ""
) -> str:
    """The site chrome every page shares: the boilerplate an extractor must drop."""
    e = escape
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} — {e(site.name)}</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
{head}
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body>
<header class="site-header">
<a class="logo" href="/">{e(site.name)}</a>
<nav class="main-nav"><ul>
<li><a href="/list">Все новости</a></li><li><a href="/list?page=2">Архив</a></li>
<li><a href="/rss.xml">RSS</a></li><li><a href="/about">О редакции</a></li>
</ul></nav>{views}
</header>
<main class="content">
{body}
</main>
<footer class="site-footer">
<p>© 2025 {e(site.name)}. При использовании материалов ссылка обязательна.</p>
<p><a href="/contacts">Контакты</a> · <a href="/privacy">Политика конфиденциальности</a></p>
</footer>
</body>
</html>
"""


def article_page(site: SimSite, article: Article, *, amp: bool, views: int) -> str:
    """The article inside an <article>, with a canonical link to its clean URL."""
    e = escape
    canonical = site.url(article.path)
    head = [
        f'<link rel="canonical" href="{e(canonical)}">',
        f'<meta property="og:title" content="{e(article.title)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="article:published_time" content="{iso(article.published)}">',
    ]
    if article.updated:
        head.append(f'<meta property="article:modified_time" content="{iso(article.updated)}">')
    if site.amp and not amp:
        head.append(f'<link rel="amphtml" href="{e(site.url("/amp/" + article.id))}">')
    shown = article.published.astimezone(UTC).strftime("%d.%m.%Y %H:%M")
    paragraphs = "\n".join(f"<p>{e(p)}</p>" for p in article.paragraphs)
    files = "".join(
        f'<li><a class="attachment" href="/files/{e(a.filename)}">'
        f"{e(a.title or a.filename)} ({a.kind.upper()})</a></li>"
        for a in article.attachments
    )
    files_block = f'\n<ul class="attachments">{files}</ul>' if files else ""
    related = "".join(
        f'<li><a href="{e(other.path)}">{e(other.title)}</a></li>'
        for other in site.articles()[:5]
        if other.id != article.id
    )
    counter = f'\n<div class="views-counter">Просмотров: {views}</div>' if site.view_counter else ""
    body = f"""<article class="news-item">
<h1>{e(article.title)}</h1>
<time datetime="{iso(article.published)}">{shown}</time>
{paragraphs}{files_block}
</article>
<aside class="related"><h2>Читайте также</h2><ul>{related}</ul></aside>
<div class="share"><a href="https://t.me/share">Telegram</a> <a href="https://vk.com/share">VK</a></div>"""
    return _page(site, article.title, "\n".join(head), body, lang=article.lang, views=counter)


def listing_page(site: SimSite, articles: Sequence[Article], page: int, *, has_next: bool) -> str:
    """One page of the archive: `a.news-link` per article, `a.next` to the following page."""
    e = escape
    items = "\n".join(
        f'<li><a class="news-link" href="{e(site.link(a, "list", absolute=False))}">'
        f'{e(a.title)}</a> <span class="date">{a.published.astimezone(UTC):%d.%m.%Y}</span></li>'
        for a in articles
    )
    pager = []
    if page > 1:
        pager.append(f'<a class="prev" href="/list?page={page - 1}">← Назад</a>')
    if has_next:
        pager.append(f'<a class="next" href="/list?page={page + 1}">Далее →</a>')
    body = f"""<h1>Все новости</h1>
<ul class="news-list">
{items}
</ul>
<div class="pagination">{" ".join(pager)}</div>"""
    head = f'<link rel="canonical" href="{e(site.url(f"/list?page={page}"))}">'
    return _page(site, f"Все новости, страница {page}", head, body)


def gone_page(site: SimSite, status: int) -> str:
    message = "Материал удалён" if status == 410 else "Страница не найдена"
    return _page(site, message, "", f"<h1>{message}</h1><p>Ошибка {status}.</p>")
