"""The web UI over HTTP: uvicorn on a real loopback port, data from the simulated
web through the real pipeline, on SQLite and PostgreSQL. Pages are parsed as
HTML (BeautifulSoup), so the checks are about elements, not substrings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from bs4 import BeautifulSoup
from conftest import _pg_schema_url
from web_support import HOSTILE_IMG, HOSTILE_TITLE, JS_URL, Dataset, build, free_port, serving

from monitor.store import Store
from monitor.web import create_app

TOKEN = "web-test-token-3f9a"


@dataclass
class Env:
    base: str
    store: Store
    data: Dataset

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=20, **kwargs)  # type: ignore[arg-type]

    def get(self, path: str, lang: str = "en", **kwargs: object) -> httpx.Response:
        with self.client() as c:
            r = c.get(path, headers={"Accept-Language": lang}, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r

    def soup(self, path: str, lang: str = "en") -> BeautifulSoup:
        return BeautifulSoup(self.get(path, lang).text, "lxml")

    def doc_ids(self, path: str) -> list[int]:
        return [int(li["data-id"]) for li in self.soup(path).select("#documents li.doc")]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One dataset per backend for the whole module: three pipeline cycles are slow."""
    pg = _pg_schema_url() if request.param == "postgresql" else None
    url = next(pg) if pg else f"sqlite:///{tmp_path_factory.mktemp('web') / 'monitor.db'}"
    store = Store(url)
    try:
        data = build(store)
        with serving(create_app(data.config, store, token=TOKEN)) as base:
            yield Env(base, store, data)
    finally:
        store.close()
        if pg:
            pg.close()


def texts(soup: BeautifulSoup, selector: str) -> list[str]:
    return [e.get_text().strip() for e in soup.select(selector)]


def test_every_page_answers_with_its_content(env: Env) -> None:
    ids = env.data.ids
    overview = env.soup("/")
    assert "Соглашение о сотрудничестве в атомной энергетике" in texts(overview, "#events a.title")
    counts = {a["data-status"]: int(a.get_text()) for a in overview.select("#alert-status a.count")}
    assert counts == {**dict.fromkeys(counts, 0), **env.store.alert_counts()}
    health = overview.select_one("#source-health").get_text()
    assert "Broken wire" in health and "failing since" in health and "OK" in health
    assert overview.select("#events .badge.ev-changed") and overview.select(".sig-major")

    docs = env.soup("/documents")
    assert sorted(int(li["data-id"]) for li in docs.select("#documents li.doc")) == sorted(
        ids.values()
    )
    assert texts(docs, "#total") == ["Found: 5"]
    energy = env.soup("/documents?theme=energy&kind=official&event=changed")
    feed = energy.select_one('#feeds a[href^="/feeds/changes.atom"]')["href"]
    assert feed == "/feeds/changes.atom?theme=energy&kind=official"
    assert "<feed" in env.get(feed).text

    doc = env.soup(f"/documents/{ids['treaty']}")
    assert [li["id"] for li in doc.select("#timeline li.version")] == ["v3", "v2", "v1"]
    assert "п. 2 changed" in doc.select_one("#v2 .headline").get_text()
    russian = env.soup(f"/documents/{ids['treaty']}", lang="ru")
    assert "изменено: п. 2" in russian.select_one("#v2 .headline").get_text()
    assert "п. 3" in doc.select_one("#v3 .points").get_text()
    assert "Energy" in texts(doc, "dl.meta .tag")
    assert doc.select_one(f'#v1 a[href="/documents/{ids["treaty"]}/versions/1/raw"]')
    assert doc.select("#compare select[name=from] option")

    raw = env.get(f"/documents/{ids['treaty']}/versions/1/raw")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert "<article" in raw.text and "до 2035 года" in raw.text

    sources = env.soup("/sources")
    broken = sources.select_one("#source-broken")
    assert "HTTP 500" in broken.select_one(".last-error").get_text()
    assert broken.select("svg.chart rect.s2")  # the errors per day, drawn
    assert sources.select_one("#source-tass .documents").get_text().strip() == "1"
    assert texts(sources, "#source-broken .last-ok") == ["never"]

    themes = env.soup("/themes")
    trends = env.store.theme_trends(26, "kind", sources=env.data.config.sources)
    energy_total = sum(
        map(sum, (v for g in trends["series"]["energy"].values() for v in g.values()))
    )
    row = themes.select_one('#theme-table tr[data-theme="energy"]')
    assert int(row.select_one(".total").get_text()) == energy_total > 0
    assert row.select_one("svg.spark polyline")["points"].count(",") == 26  # one point a week
    assert row.select_one(".countries").get_text().split(" · ")[1] == str(energy_total)  # all KZ
    kinds = {("official", "media").index(k) for k in trends["series"]["energy"]}
    panel = themes.select_one("#theme-energy")
    assert {c for r in panel.select("svg.chart rect") for c in r["class"]} == {
        f"s{k}" for k in kinds
    }
    assert "Space" in themes.select_one("#quiet").get_text()  # no empty chart for it
    assert not themes.select("#theme-space")
    by_country = env.soup("/themes?split=country&weeks=8")
    bars = by_country.select("#theme-energy svg.chart rect")
    assert bars and {c for r in bars for c in r["class"]} == {"s1"}  # KZ, the second series
    assert "Kazakhstan" in bars[0].select_one("title").get_text()
    assert [i.get_text() for i in by_country.select("#legend span")][:2] == ["Russia", "Kazakhstan"]

    alerts = env.soup("/alerts")
    assert alerts.select(f'#alerts tr[data-id="{env.data.failed_alert}"] form.retry')


def test_security_headers_on_every_kind_of_response(env: Env) -> None:
    ids = env.data.ids
    with env.client() as c:
        responses = [
            c.get("/"),
            c.get(f"/documents/{ids['hostile']}/versions/1/raw"),
            c.get("/static/style.css"),
            c.get("/static/tz.js"),
            c.get("/api/documents"),
            c.get("/feeds/changes.atom"),
            c.get("/no/such/page"),
            c.post(f"/alerts/{env.data.failed_alert}/retry"),
        ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 404, 401]
    for r in responses:
        csp = r.headers["content-security-policy"]
        for part in (
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert part in csp, (r.url, csp)
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_document_filters_sorting_and_cursor_pagination(env: Env) -> None:
    ids = env.data.ids
    akorda = {ids["treaty"], ids["hostile"], ids["js"]}
    assert env.doc_ids("/documents?source=tass") == [ids["trade"]]
    assert set(env.doc_ids("/documents?kind=official")) == akorda
    assert env.doc_ids("/documents?country=RU") == [ids["trade"]]
    assert set(env.doc_ids("/documents?country=KZ&country=RU")) == akorda | {ids["trade"]}
    assert set(env.doc_ids("/documents?language=kk")) == akorda
    assert env.doc_ids("/documents?language=en") == [ids["broken"]]
    assert env.doc_ids("/documents?theme=energy") == [ids["treaty"]]
    assert env.doc_ids("/documents?event=changed") == [ids["treaty"]]
    assert env.doc_ids("/documents?kind=official&event=changed&theme=energy") == [ids["treaty"]]
    today = datetime.now(UTC).date()
    assert env.doc_ids(f"/documents?since={today + timedelta(days=2)}") == []
    assert env.doc_ids(f"/documents?until={today - timedelta(days=2)}") == []
    within = f"/documents?since={today - timedelta(days=1)}&until={today + timedelta(days=1)}"
    assert {ids["treaty"], ids["trade"], ids["hostile"]} <= set(env.doc_ids(within))
    # an empty select ("any") is no filter
    assert len(env.doc_ids("/documents?source=&kind=&theme=")) == 5

    by_title = env.soup("/documents?sort=title")
    titled = [t for t in texts(by_title, "#documents a.title") if t != "(untitled)"]
    assert titled == sorted(titled, key=lambda t: t.casefold()) or titled == sorted(titled)
    assert by_title.select_one("select[name=sort] option[selected]")["value"] == "title"

    seen: list[int] = []
    path: str | None = "/documents?limit=2&sort=first_seen"
    pages = 0
    while path:
        soup = env.soup(path)
        seen += [int(li["data-id"]) for li in soup.select("#documents li.doc")]
        nxt = soup.select_one("#next-page")
        path = nxt["href"] if nxt else None
        pages += 1
    assert pages == 3 and sorted(seen) == sorted(ids.values()) and len(set(seen)) == 5

    with env.client() as c:
        bad = c.get("/documents?cursor=bm9wZQ")
        assert bad.status_code == 400 and "cursor" in bad.text
        assert c.get("/documents?since=yesterday").status_code == 400


def test_search_finds_inflected_russian_forms_and_highlights_them(env: Env) -> None:
    ids = env.data.ids
    soup = env.soup("/documents?q=электростанция")  # the text says «электростанции»
    assert [int(li["data-id"]) for li in soup.select("#documents li.doc")] == [ids["treaty"]]
    marks = texts(soup, "#documents .snippet mark")
    assert marks and all(m.lower().startswith("электростанци") for m in marks)
    assert env.doc_ids("/documents?q=поставка") == [ids["trade"]]  # «поставки»
    assert env.doc_ids("/documents?q=поставка&source=akorda") == []
    assert soup.select_one("select[name=sort] option[selected]")["value"] == "relevance"


def _marked(soup: BeautifulSoup, view: str, tag: str) -> list[str]:
    return texts(soup, f"#{view} {tag}")


def test_diff_page_highlights_exactly_the_edited_words(env: Env) -> None:
    doc = env.data.ids["treaty"]
    one_two = env.soup(f"/documents/{doc}/diff?from=1&to=2")
    for view in ("inline", "side"):
        assert _marked(one_two, view, "ins") == ["2040"]
        assert _marked(one_two, view, "del") == ["2035"]
    assert texts(one_two, "#points .points_changed") == ["п. 2"]
    assert "2035 → 2040" in one_two.select_one("#headline").get_text()
    kazakh = env.soup(f"/documents/{doc}/diff?from=1&to=2", lang="kk")
    assert "өзгертілді: п. 2" in kazakh.select_one("#headline").get_text()
    assert "сан өзгертілді: 2035 → 2040" in texts(kazakh, "#summary li")
    assert one_two.select("#side .row.changed .old del") and one_two.select("#side .new ins")

    latest = env.soup(f"/documents/{doc}/diff")  # default: the latest change
    assert _marked(latest, "inline", "del") == ["письменного"]
    assert _marked(latest, "inline", "ins") == []

    both = env.soup(f"/documents/{doc}/diff?from=3&to=1")  # any two, in either order
    assert _marked(both, "inline", "ins") == ["2040"]
    assert _marked(both, "inline", "del") == ["2035", "письменного"]
    assert texts(both, "#points .points_changed") == ["п. 2, п. 3"]

    same = env.soup(f"/documents/{doc}/diff?from=2&to=2")
    assert same.select_one("#identical") and not same.select("ins, del")
    with env.client() as c:
        assert c.get(f"/documents/{doc}/diff?from=1&to=9").status_code == 404
        assert c.get("/documents/999999").status_code == 404
        assert c.get("/documents/abc").status_code == 404  # an HTML page, not a 422


def test_language_switch_is_remembered_and_times_follow_the_zone(env: Env) -> None:
    assert env.soup("/", lang="en").select_one("h1").get_text() == "Overview"
    assert env.soup("/", lang="kk").select_one("h1").get_text() == "Шолу"
    assert env.soup("/", lang="ru-RU,ru;q=0.9,en;q=0.8").select_one("h1").get_text() == "Обзор"
    with env.client() as c:
        english = c.get("/documents", headers={"Accept-Language": "en"})
        link = BeautifulSoup(english.text, "lxml").select_one("#lang-ru")["href"]
        switched = c.get(link, headers={"Accept-Language": "en"})
        assert switched.cookies.get("lang") == "ru"
        assert BeautifulSoup(switched.text, "lxml").select_one("h1").get_text() == "Документы"
        later = c.get("/sources", headers={"Accept-Language": "en"})  # the cookie wins
        assert BeautifulSoup(later.text, "lxml").select_one("h1").get_text() == "Источники"
        back = c.get("/sources?lang=en")
        assert BeautifulSoup(back.text, "lxml").select_one("h1").get_text() == "Sources"

        doc = env.store.document(env.data.ids["treaty"])
        assert doc is not None
        almaty = doc.first_seen_at.astimezone(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%d %H:%M")
        utc = doc.first_seen_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        page = c.get(f"/documents/{env.data.ids['treaty']}?tz=Asia/Almaty")
        soup = BeautifulSoup(page.text, "lxml")
        assert soup.html["data-tz"] == "Asia/Almaty" and "Asia/Almaty" in soup.footer.get_text()
        assert almaty in page.text and page.cookies.get("tz", "").strip('"') == "Asia/Almaty"
        again = c.get(f"/documents/{env.data.ids['treaty']}")  # remembered
        assert almaty in again.text
    with env.client() as fresh:  # no cookie, an unknown zone: UTC
        bogus = fresh.get(f"/documents/{env.data.ids['treaty']}?tz=Mars/Olympus")
        assert BeautifulSoup(bogus.text, "lxml").html["data-tz"] == "UTC" and utc in bogus.text
        assert "tz" not in bogus.cookies


def test_retry_requires_the_token(env: Env) -> None:
    alert = env.data.failed_alert
    with env.client() as c:
        # no account, no valid token: who is asking is unknown (401)
        assert c.post(f"/alerts/{alert}/retry").status_code == 401
        assert c.post(f"/alerts/{alert}/retry", data={"token": "wrong"}).status_code == 401
        wrong = c.post(f"/alerts/{alert}/retry", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        got = env.store.alert(alert)
        assert got is not None and got.status == "failed"

        form = c.post(
            f"/alerts/{alert}/retry", data={"token": TOKEN}, headers={"Accept": "text/html"}
        )
        assert form.status_code == 303 and form.headers["location"] == f"/alerts?requeued={alert}"
        got = env.store.alert(alert)
        assert got is not None and got.status == "pending"
        assert c.get(form.headers["location"]).status_code == 200

        bearer = c.post(f"/alerts/{alert}/retry", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200
        assert c.post("/alerts/999999/retry", data={"token": TOKEN}).status_code == 404


def test_actions_are_disabled_without_a_configured_token(env: Env) -> None:
    english = {"Accept-Language": "en"}
    with (
        serving(create_app(env.data.config, env.store)) as base,
        httpx.Client(headers=english) as c,
    ):
        page = BeautifulSoup(c.get(base + "/alerts").text, "lxml")
        assert page.select_one("#actions-disabled") and not page.select("form.retry")
        r = c.post(f"{base}/alerts/{env.data.failed_alert}/retry", data={"token": TOKEN})
        assert r.status_code == 403 and "disabled" in r.text


def _assert_inert(html: str) -> BeautifulSoup:
    """No script but ours, no event-handler attribute, no javascript: link or source."""
    soup = BeautifulSoup(html, "lxml")
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/tz.js"]
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), element
            if name in ("href", "src", "action", "formaction"):
                assert not str(value).strip().lower().startswith("javascript:"), element
    assert "<img src=x" not in html and "<script>alert" not in html
    return soup


def test_a_hostile_page_comes_out_escaped(env: Env) -> None:
    ids = env.data.ids
    doc = _assert_inert(env.get(f"/documents/{ids['hostile']}").text)
    assert doc.select_one("#doc-title").get_text() == HOSTILE_TITLE  # shown, as text
    assert doc.title.get_text().startswith(HOSTILE_TITLE)
    listing = _assert_inert(env.get("/documents").text)
    assert HOSTILE_TITLE in texts(listing, "#documents a.title")
    _assert_inert(env.get("/").text)
    found = _assert_inert(env.get("/documents?q=обсудили").text)
    snippet = found.select_one("#documents .snippet")
    assert snippet is not None and HOSTILE_IMG in snippet.get_text()
    assert texts(found, "#documents .snippet mark")  # the match is still highlighted
    # the javascript: URL of a document is shown, never linked
    js = _assert_inert(env.get(f"/documents/{ids['js']}").text)
    assert JS_URL in texts(js, "dl.meta .url")
    assert not js.select("dl.meta a.url")
    # the raw snapshot keeps the markup, as plain text that no browser renders
    raw = env.get(f"/documents/{ids['hostile']}/versions/1/raw")
    assert raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert '<script>window.__xss = 1; document.title = "XSS";</script>' in raw.text


def test_monitor_serve_runs_the_ui_with_the_token_from_the_environment(
    env: Env, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n"
        "  - {id: akorda, name: Акорда, kind: official, country: KZ, languages: [ru, kk]}\n"
        "  - {id: tass, name: ТАСС, kind: media, country: RU}\n",
        encoding="utf-8",
    )
    port = free_port()
    token = "serve-token-71"
    cmd = [sys.executable, "-m", "monitor.cli", "serve", "--config", str(config)]
    cmd += ["--db", env.store.url, "--port", str(port)]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, "MONITOR_WEB_TOKEN": token},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=base, headers={"Accept-Language": "en"}, timeout=10) as c:
            while True:
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "monitor serve did not answer"
                time.sleep(0.1)
            page = BeautifulSoup(c.get("/sources").text, "lxml")
            assert page.select_one("#source-akorda") and page.select_one("#source-tass")
            alert = env.data.failed_alert
            assert c.post(f"/alerts/{alert}/retry").status_code == 401
            ok = c.post(f"/alerts/{alert}/retry", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
