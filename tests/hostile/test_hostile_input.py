"""Hostile and broken input: memory bombs, parse-work bounds, silent wrong results.

Each case asserts the clear error a person gets and that the work stayed bounded
(peak memory of a child process, wall time); see tests/hostile/test_hostile_storage.py
for huge inputs against the database and database faults.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from hostile_support import (
    SM,
    bounded,
    check_json,
    child,
    gzip_of,
    refused_in_child,
    sources_yaml,
    urlset,
)

from monitor.config import ConfigError, load_config, parse_config
from monitor.cycle import run_cycle
from monitor.discover.feed import parse_feed
from monitor.discover.sitemap import MAX_SITEMAPS, SitemapError, parse_sitemap
from monitor.extract.article import ExtractionError, extract
from monitor.extract.attachments import MAX_DOCX_ELEMENTS, extract_docx
from monitor.simweb import SimServer
from monitor.simweb.server import Response
from monitor.store import Store

# --- configuration ------------------------------------------------------------------


def _alias_bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    return text + "sources: []\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_alias_bomb().encode(), "sources.yaml:6: refused YAML: its aliases expand"),
        (b"a: &a [x, *a]\nsources: []\n", "sources.yaml:1: refused YAML: an alias refers to"),
        (
            b"sources:\n  - !!python/object/apply:os.system ['touch pwned']\n",
            "sources.yaml:2: refused YAML tag 'tag:yaml.org,2002:python/object/apply",
        ),
        (
            "# Источники\nsources:\n  - id: x\n    name: Кремль\n".encode("cp1251"),
            "sources.yaml:1: not UTF-8 text: byte 0xc8 at column 3",
        ),
        (b"", "sources.yaml: the file is empty"),
        (b"# nothing configured yet\n\n", "sources.yaml: the file is empty"),
    ],
    ids=["alias-bomb", "recursive-alias", "python-tag", "cp1251", "empty", "comments-only"],
)
def test_hostile_config_is_refused_with_file_and_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "sources.yaml").write_bytes(content)
    run = child("sources", "validate", cwd=tmp_path)
    assert run.code == 2, run.err
    assert expected in run.message
    assert len(run.message.splitlines()) == 1
    assert not (tmp_path / "pwned").exists()
    bounded(run, seconds=20)


def test_alias_bomb_is_refused_before_any_expansion(tmp_path: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"sources.yaml:6: refused YAML"):
        parse_config(_alias_bomb())
    assert time.perf_counter() - started < 1.0


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    """Anchors for shared settings are legitimate YAML and keep working."""
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - &base\n    id: a\n    name: A\n    watch: [https://example.org/a]\n"
        "  - <<: *base\n    id: b\n",
        encoding="utf-8",
    )
    assert [s.id for s in load_config(path).sources] == ["a", "b"]


def test_explicitly_empty_sources_list_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources: []\n", encoding="utf-8")
    assert load_config(path).sources == []


# --- sitemaps -----------------------------------------------------------------------


def test_gzip_sitemap_bomb_is_stopped_at_the_output_limit(tmp_path: Path) -> None:
    """A gzip that inflates to 256 MB (1,000:1): refused after 50 MB, in a bounded child."""
    with SimServer() as web:
        bomb = gzip_of(f'<?xml version="1.0"?><urlset {SM}>'.encode(), b"<!-- -->", 256)
        assert len(bomb) < 400_000
        web.route("/sitemap.xml.gz", Response(body=bomb))
        discover = f"      - type: sitemap\n        url: {web.url('/sitemap.xml.gz')}\n"
        run = check_json(tmp_path, sources_yaml(web, discover))
    bounded(run, seconds=60)
    assert run.code == 1, run.err  # nothing worked: the only endpoint failed
    assert f"sitemap {web.url('/sitemap.xml.gz')}: inflates to more than" in run.out


def test_gzip_bomb_of_entries_keeps_memory_bounded(tmp_path: Path) -> None:
    """64 MB of one repeated entry: reading stops at the per-poll URL bound."""
    body = gzip_of(f"<urlset {SM}>".encode(), b"<url><loc>https://example.org/same</loc></url>", 64)
    run = refused_in_child(tmp_path, body, "s.parse_sitemap(data)")
    bounded(run, seconds=60)
    assert "more than 100000 URLs per poll; the rest are not read" in run.out


def test_sitemap_index_loops_and_fanout_are_bounded(store: Store) -> None:
    """An index naming itself and 5,000 children: itself once, 50 files per poll,
    no error (the rest are read on later polls: tests/discover/test_sitemap_resume.py)."""
    with SimServer() as web:
        children = "".join(
            f"<sitemap><loc>{web.url(f'/child/{i}.xml')}</loc></sitemap>" for i in range(5000)
        )
        loop = f"<sitemap><loc>{web.url('/index.xml')}</loc></sitemap>"
        index = f"<sitemapindex {SM}>{loop}{children}</sitemapindex>"
        web.route("/index.xml", Response(body=index.encode()))
        for i in range(5000):
            web.route(f"/child/{i}.xml", Response(body=urlset([web.url(f"/d/{i}")])))
        discover = (
            f"      - type: sitemap\n        url: {web.url('/index.xml')}\n        depth: 3\n"
        )
        config = parse_config(sources_yaml(web, discover, max_examine_per_cycle=1))
        summary = asyncio.run(run_cycle(config, store, force=True))
        assert len(web.hits("/index.xml")) == 1  # the loop back to itself is not followed
        fetched = sum(len(web.hits(f"/child/{i}.xml")) for i in range(5000))
    assert fetched == MAX_SITEMAPS - 1
    assert summary.discovery_errors == []
    (endpoint,) = store.endpoints()
    assert endpoint.cursor is not None  # the next poll goes on where this one stopped


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html><body><p>Sitemap moved</p></body></html>", "not a sitemap (root element <html>)"),
        (urlset(["https://example.org/1"])[:-20], "malformed XML at line 1"),
        (b"", "empty response"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage" * 9, "corrupt gzip"),
        (gzip.compress(urlset(["https://example.org/1"]))[:-12], "truncated gzip"),
        (b'{"urls": []}', "malformed XML at line 1"),
    ],
    ids=["html", "truncated", "empty", "bad-gzip", "cut-gzip", "json"],
)
def test_malformed_sitemap_is_an_error_naming_what_was_wrong(body: bytes, problem: str) -> None:
    with pytest.raises(SitemapError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_sitemap(body)


def test_malformed_feed_and_sitemap_are_counted_in_the_check_summary(tmp_path: Path) -> None:
    with SimServer() as web:
        web.route("/rss.xml", Response.html("<html><body>Our feed moved</body></html>"))
        web.route("/sitemap.xml", Response.html("<html><body>Not here</body></html>"))
        web.route(
            "/empty.xml",
            Response(body=b'<rss version="2.0"><channel><title>t</title></channel></rss>'),
        )
        discover = (
            f"      - type: feed\n        url: {web.url('/rss.xml')}\n"
            f"      - type: sitemap\n        url: {web.url('/sitemap.xml')}\n"
            f"      - type: feed\n        url: {web.url('/empty.xml')}\n"
        )
        run = check_json(tmp_path, sources_yaml(web, discover))
    bounded(run)

    summary = json.loads(run.out)
    assert summary["discovery_errors"] == [
        f"hostile: feed {web.url('/rss.xml')}: not an RSS or Atom feed (an HTML page)",
        f"hostile: sitemap {web.url('/sitemap.xml')}: not a sitemap (root element <html>)",
    ]
    assert summary["polled"] == 1  # the RSS feed with no items is a feed, not an error
    assert run.code == 0


@pytest.mark.parametrize(
    ("body", "problem", "items"),
    [
        (b"", "empty response", 0),
        (b"<html><head><title>x</title></head><body>moved</body></html>", "an HTML page", 0),
        (b'{"items": []}', "not an RSS or Atom feed (JSON", 0),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>a</title><link>https://example.org/a</link></item>"
            b"<item><title>b</title><link>https://exa",
            "feed breaks off at line 1",
            1,
        ),
        (b'<rss version="2.0"><channel><title>t</title></channel></rss>', None, 0),
    ],
    ids=["empty", "html", "json", "truncated", "no-items-is-fine"],
)
def test_malformed_feed_names_what_was_wrong(body: bytes, problem: str | None, items: int) -> None:
    candidates, found = parse_feed(body, "https://example.org/rss.xml")
    assert len(candidates) == items
    assert (found is None) if problem is None else (problem in (found or ""))


# --- attachments ----------------------------------------------------------------------


def _docx(document_xml: bytes, *, lie_size: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr("word/document.xml", document_xml)
    data = out.getvalue()
    if lie_size:  # declare 1 KB for a member that inflates to far more
        data = _patch_sizes(data, "word/document.xml", 1024)
    return data


def _patch_sizes(data: bytes, name: str, size: int) -> bytes:
    buf = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := buf.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if buf[name_at : name_at + len(encoded)] == encoded:
                buf[at + offset : at + offset + 4] = size.to_bytes(4, "little")
            at += 4
    return bytes(buf)


W = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


def test_docx_zip_bomb_is_refused_from_declared_sizes() -> None:
    body = _docx(W + b"<w:p/>" * 20_000_000 + b"</w:body></w:document>")
    assert len(body) < 1_000_000
    started = time.perf_counter()
    with pytest.raises(ExtractionError, match=r"DOCX expands to \d+ bytes.*zip bomb"):
        extract_docx(body)
    assert time.perf_counter() - started < 2


def test_docx_member_lying_about_its_size_is_corrupt_not_a_bomb(tmp_path: Path) -> None:
    body = _docx(W + b"<w:p/>" * 20_000_000 + b"</w:body></w:document>", lie_size=True)
    run = refused_in_child(tmp_path, body, "a.extract_docx(data)")
    bounded(run, seconds=20)
    assert run.out.startswith("corrupt DOCX")


def test_dense_docx_under_the_size_cap_is_refused_quickly(tmp_path: Path) -> None:
    paragraphs = (MAX_DOCX_ELEMENTS // 3) + 10  # three elements each
    body = _docx(W + b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * paragraphs + b"</w:body></w:document>")
    run = refused_in_child(tmp_path, body, "a.extract_docx(data)")
    bounded(run, seconds=30)
    assert f"more than {MAX_DOCX_ELEMENTS} elements" in run.out


def test_deeply_nested_docx_is_refused() -> None:
    deep = W + b"<w:p>" * 5000 + b"</w:p>" * 5000 + b"</w:body></w:document>"
    with pytest.raises(ExtractionError, match="nests deeper than"):
        extract_docx(_docx(deep))


# --- HTML parse work ----------------------------------------------------------------


def test_page_of_a_million_tiny_elements_is_refused_in_bounded_time(tmp_path: Path) -> None:
    """Decision: refused with a clear error, not truncated (a cut text would be a
    wrong version). 8 MB, a million elements: once 1.1 GB and 38 s."""
    page = "<html><body><p>" + "<b>x</b>" * 1_000_000 + "</p></body></html>"
    run = refused_in_child(tmp_path, page.encode(), "e.extract(data.decode())")
    bounded(run, seconds=20)
    assert "the page has 1000003 HTML elements; the limit is 40000" in run.out


def test_deeply_nested_page_is_refused() -> None:
    page = "<html><body>" + "<div>" * 5000 + "<p>Deep</p>" + "</div>" * 5000 + "</body></html>"
    started = time.perf_counter()
    with pytest.raises(ExtractionError, match="deeper than 200 levels"):
        extract(page)
    assert time.perf_counter() - started < 2


def test_an_ordinary_large_page_still_extracts() -> None:
    paragraphs = "".join(
        f"<p>Статья {i}. Стороны договорились о сотрудничестве.</p>" for i in range(2000)
    )
    page = f"<html><head><title>Договор</title></head><body><article>{paragraphs}</article>"
    assert extract(page).text.count("\n") >= 1999
