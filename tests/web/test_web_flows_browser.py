"""A team's everyday flows in a real headless Chromium: an editor adds a source
with a preview and sees its first check, a reader's unread document becomes read
when opened and can be marked unread again, a change is exported as a memo, and
every page is screenshotted (artifacts/screenshots/flow-*.png), in Kazakh too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_web_browser import SHOTS, browser, csp_violations, shot
from web_support import PASSWORD, serving

from monitor.config import parse_config
from monitor.config.stored import merge_sources
from monitor.cycle import preview_page, run_cycle
from monitor.fetch.client import Fetcher
from monitor.simweb import Response, SimServer
from monitor.store import Store
from monitor.web import create_app
from monitor.web.auth import hash_password

__all__ = ["browser"]  # the Chromium fixture, shared with test_web_browser.py

PAGE = (
    "<html><head><title>Соглашение</title></head><body><nav>Меню · Новости</nav>"
    "<div class='article-body'><h1>Соглашение о сотрудничестве в области энергетики</h1>"
    "<p>1. Россия и Казахстан развивают сотрудничество в энергетике до {year} года.</p>"
    "<p>2. Стороны обязуются ежегодно обмениваться сведениями о поставках газа.</p>"
    "</div><div class='ad'>Реклама</div></body></html>"
)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[tuple[str, Store, SimServer, Any]]:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    store.create_user("eddie", "editor", hash_password(PASSWORD))
    config = parse_config("fetch: {per_host_delay: 0, confirm_delay: 0}\nsources: []\n")

    async def preview(source: Any, url: str) -> object:
        widened = source.model_copy(update={"allow_private": True})  # loopback, as an operator
        async with Fetcher(config.fetch) as fetcher:
            return await preview_page(fetcher, widened, url)

    with SimServer() as web:
        year = {"y": 2035}
        web.route("/energy", lambda _req: Response.html(PAGE.format(year=year["y"])))
        app = create_app(config, store, bind_host="0.0.0.0", preview=preview)
        try:
            with serving(app) as base:
                yield base, store, web, year
        finally:
            store.close()


def _cycle(store: Store) -> None:
    """What the service does after a source is saved in the UI: its sources joined to
    the file's, then a check (allow_private: the simulated site is on loopback)."""
    base = parse_config("fetch: {per_host_delay: 0, confirm_delay: 0}\nsources: []\n")
    merged, problems = merge_sources(base, store.stored_sources(), store.user_subscriptions())
    assert problems == []
    local = [s.model_copy(update={"allow_private": True}) for s in merged.sources]
    asyncio.run(run_cycle(merged.model_copy(update={"sources": local}), store))


def test_an_editor_adds_a_source_reads_it_and_exports_a_change(
    team: tuple[str, Store, SimServer, Any], browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import WebDriverWait

    base, store, web, year = team
    wait = WebDriverWait(browser, 10)
    browser.delete_all_cookies()
    browser.get(base + "/login?lang=en&next=%2Fsources%2Fnew")
    browser.find_element(By.NAME, "name").send_keys("eddie")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(expected.presence_of_element_located((By.ID, "source-form")))

    # the form, a preview of what will be stored, then save
    url = web.url("/energy")
    fields = {"id": "minenergo", "name": "Минэнерго", "select": "div.article-body"}
    for name, value in fields.items():
        browser.find_element(By.NAME, name).send_keys(value)
    browser.find_element(By.NAME, "watch").send_keys(url)
    browser.find_element(By.NAME, "remove").send_keys("div.ad")
    browser.find_element(By.NAME, "preview_url").send_keys(url)
    browser.find_element(By.ID, "preview-button").click()
    text = wait.until(expected.presence_of_element_located((By.ID, "preview-text"))).text
    assert "обязуются" in text and "Реклама" not in text and "Меню" not in text
    shot(browser, "flow-source-preview")
    assert store.stored_sources() == []  # a preview saves nothing
    browser.find_element(By.CSS_SELECTOR, "#source-form button[type=submit]:not([id])").click()
    wait.until(expected.url_contains("/sources"))
    assert [s.id for s in store.stored_sources()] == ["minenergo"]

    # its first check, then the document is on the sources page and unread in the inbox
    _cycle(store)
    browser.get(base + "/sources")
    assert "minenergo" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "flow-sources")
    browser.get(base + "/inbox")
    unread = browser.find_elements(By.CSS_SELECTOR, "#unread li.unread")
    assert len(unread) == 1
    doc_id = int(unread[0].get_attribute("data-id"))
    shot(browser, "flow-inbox")
    browser.get(f"{base}/documents/{doc_id}")
    assert "обязуются" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "flow-document")
    browser.get(base + "/inbox")
    assert browser.find_elements(By.ID, "inbox-empty")  # opened: read
    browser.get(f"{base}/documents/{doc_id}")
    browser.find_element(By.CSS_SELECTOR, "button.mark-unread").click()
    browser.get(base + "/inbox")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#unread li.unread")) == 1

    # the publisher edits it: the change, in Kazakh, and its memo
    year["y"] = 2040
    _cycle(store)
    browser.get(f"{base}/documents/{doc_id}/diff?from=1&to=2&lang=kk")
    headline = browser.find_element(By.ID, "headline").text
    assert "өзгертілді" in headline and "2035 → 2040" in headline, headline
    shot(browser, "flow-diff-kk")
    memo = browser.find_element(By.CSS_SELECTOR, "#memos a.memo").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    got = httpx.get(memo, cookies=cookies)
    assert got.status_code == 200 and "2040" in got.text and "2035" in got.text
    for name, path in {"subscriptions": "/subscriptions", "account": "/account"}.items():
        browser.get(base + path)
        shot(browser, f"flow-{name}")
    # an admin's page: the accounts and the audit log of what the editor did
    store.create_user("ada", "admin", hash_password(PASSWORD))
    browser.find_element(By.ID, "logout").click()
    wait.until(expected.url_contains("/login"))
    browser.get(base + "/login?next=%2Fusers")
    browser.find_element(By.NAME, "name").send_keys("ada")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(expected.url_contains("/users"))
    assert "source added" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "flow-users")
    assert not csp_violations(browser)
    assert {p.name for p in SHOTS.glob("flow-*.png")} >= {
        "flow-source-preview.png",
        "flow-inbox.png",
        "flow-diff-kk.png",
    }
