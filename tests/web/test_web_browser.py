"""The web UI in a real headless Chromium (Selenium, the Debian chromium and
chromium-driver packages): pages render with their CSS under the strict CSP,
the diff highlights the edited words, the time-zone script works, and a hostile
page runs nothing. Screenshots go to artifacts/screenshots/.

Chromium missing is a failure, not a skip: CI must run these.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web_support import HOSTILE_TITLE, Dataset, build, serving

from monitor.store import Store
from monitor.web import create_app

CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MONITOR_CHROMEDRIVER", "/usr/bin/chromedriver")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ZONE = "Asia/Almaty"  # the browser's zone, which tz.js must report to the server


@dataclass
class Site:
    base: str
    store: Store
    data: Dataset


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'monitor.db'}")
    try:
        data = build(store)
        with serving(create_app(data.config, store, token="browser-token")) as base:
            yield Site(base, store, data)
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"headless Chromium is required for the browser tests, missing: {', '.join(missing)}. "
            "Install the Debian packages: apt-get install -y chromium chromium-driver",
            pytrace=False,
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is required: pip install -e '.[test]'", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1800",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.unhandled_prompt_behavior = "ignore"  # an alert() stays open, for us to find
    service = Service(executable_path=CHROMEDRIVER, env={**os.environ, "TZ": ZONE})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def settle_zone(driver: Any, base: str) -> None:
    """Open the overview and wait for tz.js's one reload (first visit only), so no
    reload can land in the middle of a later check."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/?lang=en")
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-tz") == ZONE
    )


def shot(driver: Any, name: str) -> Path:
    """A screenshot of the whole page (the window grown to its height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(900, min(int(height) + 40, 6000)))
    path = SHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), path
    return path


def no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    pytest.fail(f"an alert dialog opened: {text!r}")


def csp_violations(driver: Any) -> list[str]:
    """Console messages about the Content-Security-Policy: our pages must cause none."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"]
    ]


def test_pages_render_with_styles_and_highlight_the_edited_words(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import Select, WebDriverWait

    treaty = site.data.ids["treaty"]
    # first visit: tz.js stores the browser's zone and reloads once to show it
    settle_zone(browser, site.base)
    browser.get(site.base + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Overview"
    cookie = browser.get_cookie("tz")
    assert cookie is not None and cookie["value"].strip('"') == ZONE
    assert ZONE in browser.find_element(By.TAG_NAME, "footer").text
    header = browser.find_element(By.CSS_SELECTOR, "header.top")
    assert header.value_of_css_property("display") == "flex"  # the stylesheet applied
    assert browser.find_elements(By.CSS_SELECTOR, "#events tr.event")
    assert shot(browser, "overview").stat().st_size > 10_000

    browser.get(f"{site.base}/documents/{treaty}")
    versions = browser.find_elements(By.CSS_SELECTOR, "#timeline li.version")
    assert [v.get_attribute("id") for v in versions] == ["v3", "v2", "v1"]
    assert "п. 2 changed" in browser.find_element(By.CSS_SELECTOR, "#v2 .headline").text
    shot(browser, "document")

    # pick two versions with the form, as a reader would
    Select(browser.find_element(By.CSS_SELECTOR, "#compare select[name=from]")).select_by_value("1")
    Select(browser.find_element(By.CSS_SELECTOR, "#compare select[name=to]")).select_by_value("2")
    browser.find_element(By.CSS_SELECTOR, "#compare button").click()
    WebDriverWait(browser, 10).until(expected.url_contains("/diff?from=1&to=2"))
    WebDriverWait(browser, 10).until(expected.presence_of_element_located((By.ID, "side")))
    for view in ("inline", "side"):
        ins = browser.find_elements(By.CSS_SELECTOR, f"#{view} ins")
        dels = browser.find_elements(By.CSS_SELECTOR, f"#{view} del")
        assert [e.text.strip() for e in ins] == ["2040"]
        assert [e.text.strip() for e in dels] == ["2035"]
    ins = browser.find_element(By.CSS_SELECTOR, "#inline ins")
    assert ins.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert browser.find_element(By.CSS_SELECTOR, "#points .points_changed").text == "п. 2"
    shot(browser, "diff")

    browser.get(f"{site.base}/documents/{treaty}/diff?from=1&to=3")
    assert [e.text.strip() for e in browser.find_elements(By.CSS_SELECTOR, "#inline del")] == [
        "2035",
        "письменного",
    ]
    shot(browser, "diff-1-3")
    for path, name in (("/sources", "sources"), ("/themes", "themes"), ("/alerts", "alerts")):
        browser.get(site.base + path)
        assert browser.find_elements(By.TAG_NAME, "h1")
        shot(browser, name)
    browser.get(site.base + "/documents?q=электростанция&lang=ru")
    marks = browser.find_elements(By.CSS_SELECTOR, "#documents .snippet mark")
    assert marks and all(m.text.lower().startswith("электростанци") for m in marks)
    shot(browser, "search")
    no_alert(browser)
    assert csp_violations(browser) == []


def test_a_hostile_page_runs_nothing(site: Site, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    hostile, js = site.data.ids["hostile"], site.data.ids["js"]
    settle_zone(browser, site.base)
    browser.get_log("browser")  # start with an empty console
    pages = [
        (f"/documents/{hostile}?lang=en", "hostile-document"),
        ("/documents?q=обсудили&lang=en", "hostile-search"),
        (f"/documents/{js}", "hostile-js-url"),
        ("/", "hostile-overview"),
    ]
    for path, name in pages:
        browser.get(site.base + path)
        no_alert(browser)
        assert browser.execute_script("return window.__xss === undefined"), path
        assert browser.title != "XSS" and not browser.title.startswith("XSS"), path
        shot(browser, name)
    browser.get(f"{site.base}/documents/{hostile}")
    assert browser.find_element(By.ID, "doc-title").text == HOSTILE_TITLE
    assert browser.title.startswith(HOSTILE_TITLE)
    assert not browser.find_elements(
        By.CSS_SELECTOR, "main img, main script, a[href^='javascript']"
    )
    browser.get(f"{site.base}/documents/{js}")
    assert browser.find_element(By.CSS_SELECTOR, "dl.meta .url").text == "javascript:alert(1)"
    assert not browser.find_elements(By.CSS_SELECTOR, "dl.meta a")

    # the raw snapshot holds live markup; served as text/plain it stays text
    browser.get(f"{site.base}/documents/{hostile}/versions/1/raw")
    no_alert(browser)
    assert browser.execute_script("return window.__xss === undefined")
    assert "<script>window.__xss = 1;</script>" in browser.find_element(By.TAG_NAME, "body").text
    assert not browser.find_elements(By.CSS_SELECTOR, "img, article")
    shot(browser, "hostile-raw")
    assert csp_violations(browser) == []


def test_a_phone_sees_every_page_without_sideways_scrolling(site: Site, browser: Any) -> None:
    """At 390 px (a phone), no page is wider than the screen; screenshots of each."""
    settle_zone(browser, site.base)
    treaty = site.data.ids["treaty"]
    pages = {
        "overview": "/",
        "documents": "/documents",
        "document": f"/documents/{treaty}",
        "diff": f"/documents/{treaty}/diff?from=1&to=2",
        "sources": "/sources",
        "themes": "/themes",
        "alerts": "/alerts",
    }
    browser.set_window_size(390, 900)
    try:
        for name, path in pages.items():
            browser.get(site.base + path + ("&" if "?" in path else "?") + "lang=en")
            width = browser.execute_script("return window.innerWidth")
            wide = browser.execute_script("return document.documentElement.scrollWidth")
            assert wide <= width, f"{path}: {wide}px wide on a {width}px screen"
            path_png = SHOTS / f"phone-{name}.png"
            assert browser.save_screenshot(str(path_png))
        assert not csp_violations(browser)
    finally:
        browser.set_window_size(1280, 1800)


def test_log_in_act_as_an_editor_and_log_out_in_a_browser(site: Site, browser: Any) -> None:
    """Accounts in Chromium: the login form, an editor's action through a form that
    carries the CSRF token by itself, logout; screenshots of login and account."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as expected
    from selenium.webdriver.support.ui import WebDriverWait

    from monitor.web.auth import hash_password

    password = "correct horse battery staple"
    site.store.create_user("browser-editor", "editor", hash_password(password))
    browser.delete_all_cookies()
    browser.get(site.base + "/login?lang=en&next=%2Falerts")
    shot(browser, "login")
    browser.find_element(By.NAME, "name").send_keys("browser-editor")
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    WebDriverWait(browser, 10).until(expected.url_contains("/alerts"))
    assert browser.find_element(By.ID, "account").text == "browser-editor"
    retry = browser.find_element(By.CSS_SELECTOR, "form.retry button")
    retry.click()
    WebDriverWait(browser, 10).until(expected.presence_of_element_located((By.ID, "requeued")))
    browser.get(site.base + "/account")
    shot(browser, "account")
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 10).until(expected.url_contains("/login"))
    assert not csp_violations(browser)
    assert any(e.action == "alert retried" for e in site.store.audit_log())
