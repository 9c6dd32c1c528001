"""The lxml selector path gives exactly what the BeautifulSoup path gives.

monitor/extract/selected.py reads a page with a plain `select:` without
building a BeautifulSoup tree. A stored document must not change version when
its page moves from one path to the other, so every test here compares the two
whole `Extracted` results (text, title, date, canonical, attachments, metadata):
on pages shaped like the subtle cases of BeautifulSoup's rules, on the
simulated site's article pages, and on random documents with random selectors.
bench/check_selected.py runs the same comparison over the real-page corpus.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from monitor.extract import article
from monitor.extract.article import Extracted, ExtractionError, extract_with_soup
from monitor.extract.region import fingerprint, locate
from monitor.extract.selected import extract_selected, parse_plain
from monitor.simweb.corpus import demo_corpus
from monitor.simweb.render import article_page
from monitor.simweb.site import SimSite


def _both(html: str, select: str, remove: list[str] | None = None) -> tuple[object, object]:
    """Both paths' results (an error as a tuple); the region, which only the lxml
    path finds while it has the tree, is checked by its own test."""
    remove = remove or []
    try:
        soup: object = extract_with_soup(html, select=select, remove=remove)
    except ExtractionError as exc:
        soup = ("error", str(exc))
    try:
        read = extract_selected(html, select, remove)
        fast: object = None if read is None else replace(read, region=None)
    except ExtractionError as exc:
        fast = ("error", str(exc))
    return soup, fast


def _same(html: str, select: str, remove: list[str] | None = None) -> Extracted | tuple[str, str]:
    soup, fast = _both(html, select, remove)
    assert fast is not None, "the lxml path declined a plain selector on a normal page"
    assert fast == soup
    return fast  # type: ignore[return-value]


TRICKY = """<!DOCTYPE html><html><head>
<title> Заголовок <!-- c --> страницы </title>
<meta property="og:description" content=" описание ">
<meta name="pubdate" content="">
<link rel="Alternate CANONICAL" href=" https://example.kz/a?id=1 ">
</head><body>
<h1>Не <rt>ruby</rt>тот <script>var x = 1;</script>заголовок</h1>
<div class="nav\u00a0main menu"><a href="/doc/dogovor.pdf">PDF</a>
<a href="/doc/dogovor.pdf">again</a></div>
<div id="content" class="article  body">
  <h1>Главный <span>заголовок</span></h1>
  <p>Первый   абзац&nbsp;с&#160;пробелами и soft\u00adhyphen.</p>
  <!-- комментарий --> хвост комментария
  <?php echo 1; ?> хвост инструкции
  <div class="share">поделиться</div> хвост после удалённого
  <pre>  строка 1
  строка 2</pre>
  <p>до<br>после<br/>ещё</p>
  <ul><li>пункт <b>один</b></li><li>пункт два</li></ul>
  <table><tr><td>ячейка</td><td>ещё</td></tr></table>
  <template><div class="share">в шаблоне</div><p>текст шаблона</p></template>
  <time datetime="2025-11-12T10:00:00+05:00">12 ноября</time>
  <noscript>без скриптов</noscript><style>p{}</style>
  <p>Просмотров: 1234</p>
</div>
<aside><p>Сбоку</p></aside>
</body></html>"""


@pytest.mark.parametrize(
    ("select", "remove"),
    [
        ("#content", []),
        ("div#content.article.body", []),
        ("div.article", [".share"]),
        ("#content > p", []),
        ("#content p", ["br"]),
        ("body > div", ["div.share", "aside"]),
        ("p, h1", []),
        ("h1, p, li", ["script", "rt"]),
        ("aside p, #content > ul li", []),
        ("pre", []),
        ("div.main", []),
        ("div.nav", []),
        ("td", []),
        ("template", []),
        ("div", ["template"]),
        ("*", ["head"]),
        ("body", ["div#content"]),
    ],
)
def test_the_subtle_cases_read_alike(select: str, remove: list[str]) -> None:
    _same(TRICKY, select, remove)


def test_the_tricky_page_reads_as_expected() -> None:
    """The comparison above would pass if both paths were wrong in the same way."""
    page = _same(TRICKY, "#content", [".share"])
    assert isinstance(page, Extracted)
    assert page.title == "Главный заголовок"
    assert page.canonical == "https://example.kz/a?id=1"
    assert page.attachments == ["/doc/dogovor.pdf"]
    assert page.published_at == datetime(2025, 11, 12, 5, 0, tzinfo=UTC)
    assert "Первый абзац с пробелами и softhyphen." in page.text
    assert "хвост комментария хвост инструкции" in page.text
    assert "хвост после удалённого" in page.text and "поделиться" not in page.text
    assert "  строка 1\n  строка 2" not in page.text  # normalised, but lines kept:
    assert "строка 1\nстрока 2" in page.text
    assert "до\nпосле\nещё" in page.text
    assert "текст шаблона" not in page.text and "без скриптов" not in page.text
    assert page.metadata  # the view counter is metadata, not text
    assert "1234" not in page.text


def test_errors_read_alike() -> None:
    assert _same(TRICKY, ".absent") == ("error", "selector '.absent' matched nothing")
    assert _same(TRICKY, "noscript") == ("error", "no text found in the main block")


@pytest.mark.parametrize(
    "select",
    ["a:not(.b)", "a[href]", "a + b", "a ~ b", "p::text", "div.", "#", "a,", ", a", "a >", "::x"],
)
def test_other_selectors_are_left_to_beautifulsoup(select: str) -> None:
    assert parse_plain(select) is None


def test_markup_after_the_closing_html_is_left_to_beautifulsoup() -> None:
    page = "<html><body><div>a</div></body></html>\n<div>b</div>"
    assert extract_selected(page, "div") is None
    assert extract_with_soup(page, select="div").text == "a\nb"
    commented = "<html><body><div>a</div></body></html>\n<!-- served in 3 ms -->\n"
    assert _same(commented, "div")


def test_extract_takes_the_lxml_path_for_a_plain_selector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> Extracted:
        raise AssertionError("BeautifulSoup path taken")

    monkeypatch.setattr(article, "extract_with_soup", refuse)
    assert article.extract(TRICKY, select="#content > p").text.startswith("Первый абзац")
    with pytest.raises(AssertionError, match="BeautifulSoup path taken"):
        article.extract(TRICKY, select="p:first-child")


def test_the_simulated_sites_pages_read_alike() -> None:
    checked = 0
    with SimSite(view_counter=True, amp=True) as site:
        site.add_articles(demo_corpus(30))
        for item in site.articles():
            for amp in (False, True):
                html = article_page(site, item, amp=amp, views=1000 + checked)
                for select in ("article", "article.news-item > p", "article p", "main, aside"):
                    _same(html, select, ["div.views-counter"] if amp else [])
                    checked += 1
    assert checked == 240


def test_the_region_is_found_among_the_chosen_elements() -> None:
    """The same region as region.locate finds in the whole page, and the next
    fetch's fingerprint of it matches; after a `remove:` none is given here."""
    with SimSite(view_counter=True) as site:
        site.add_articles(demo_corpus(12))
        for item in site.articles():
            html = article_page(site, item, amp=False, views=7)
            for select in ("article", "article.news-item > p", "main, aside"):
                read = extract_selected(html, select)
                assert read is not None and read.region is not None
                assert read.region == locate(html, read.text)
                assert fingerprint(html, read.region.path) == read.region.digest
            removed = extract_selected(html, "article", ["time"])
            assert removed is not None and removed.region is None


# --- random documents ------------------------------------------------------------------

_TAGS = ["div", "p", "span", "a", "ul", "li", "h1", "h2", "pre", "br", "b", "table", "td"]
_TAGS += ["section", "article", "template", "script", "rt", "noscript", "time", "meta"]
_CLASSES = ["a", "b", "body", "lead", "share"]
_WORDS = ["слово", " ", "  ", "\n", "\t", "word", "&amp;", "&nbsp;", "1 234", "\u00ad", "Ünï"]


def _random_node(rng: random.Random, depth: int) -> str:
    if depth > 5 or rng.random() < 0.3:
        return "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 4)))
    tag = rng.choice(_TAGS)
    attrs = ""
    if rng.random() < 0.5:
        separator = rng.choice([" ", "  ", "\n", "\u00a0"])
        attrs += f' class="{separator.join(rng.sample(_CLASSES, rng.randint(1, 3)))}"'
    if rng.random() < 0.2:
        attrs += f' id="{rng.choice(_CLASSES)}"'
    if tag == "time" and rng.random() < 0.5:
        attrs += ' datetime="2025-11-12"'
    if tag == "a":
        attrs += f' href="/f/{rng.randint(0, 3)}.{rng.choice(["pdf", "html", "docx"])}"'
    if tag in ("br", "meta"):
        return f"<{tag}{attrs}>"
    inner = "".join(_random_node(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.1:
        inner += "<!-- note -->" + rng.choice(_WORDS)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _random_selector(rng: random.Random) -> str:
    def compound() -> str:
        kind = rng.choice(["", "*", *_TAGS[:8]])
        named = "".join(rng.choice(".#") + rng.choice(_CLASSES) for _ in range(rng.randint(0, 2)))
        return (kind + named) or "div"

    parts = [compound()]
    for _ in range(rng.randint(0, 2)):
        parts += [rng.choice([" ", " > ", ">"]), compound()]
    alternative = "".join(parts)
    return alternative + (", " + compound() if rng.random() < 0.2 else "")


def test_random_documents_and_selectors_read_alike() -> None:
    rng = random.Random(20261201)
    compared = declined = 0
    for _ in range(300):
        body = "".join(_random_node(rng, 0) for _ in range(rng.randint(1, 6)))
        html = f"<html><head><title>{rng.choice(_WORDS)}т</title></head><body>{body}</body></html>"
        for _ in range(5):
            select = _random_selector(rng)
            remove = [_random_selector(rng)] if rng.random() < 0.3 else []
            soup, fast = _both(html, select, remove)
            if fast is None:  # only a `remove:` that takes the whole <html> away
                alternatives = parse_plain(remove[0]) if remove else None
                assert alternatives, (select, remove)
                assert any(compounds == ((None, (), ()),) for compounds, _ in alternatives)
                declined += 1
                continue
            assert fast == soup, (html, select, remove)
            compared += 1
    assert compared + declined == 1500 and compared > 1450


@pytest.mark.parametrize("depth", [197, 198, 199, 400])
def test_the_depth_bound_is_the_same_on_both_paths(depth: int) -> None:
    page = "<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>"
    soup, fast = _both(page, "div")
    assert fast == soup
    too_deep = (
        "error",
        "the page nests elements deeper than 200 levels (too deep to parse safely)",
    )
    assert (soup == too_deep) is (depth >= 199)


def test_the_element_bound_is_the_same_on_both_paths() -> None:
    page = "<html><body>" + "<p>x</p>" * 40_001 + "</body></html>"
    soup, fast = _both(page, "p")
    assert fast == soup
    assert soup == (
        "error",
        "the page has 40003 HTML elements; the limit is 40000 (too many to parse safely)",
    )
