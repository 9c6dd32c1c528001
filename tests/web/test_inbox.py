"""A reader's inbox, stars and mutes (monitor/web/inbox.py, monitor/store/marks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import httpx
import pytest
from bs4 import BeautifulSoup
from web_support import PASSWORD, Dataset, build, logged_in, serving

from monitor.store import Store
from monitor.web import create_app
from monitor.web.auth import hash_password


@dataclass
class Site:
    base: str
    store: Store
    data: Dataset


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('inbox') / 'm.db'}")
    data = build(store)
    store.create_user("vera", "viewer", hash_password(PASSWORD))
    store.create_user("olga", "viewer", hash_password(PASSWORD))
    try:
        with serving(create_app(data.config, store, bind_host="0.0.0.0")) as base:
            yield Site(base, store, data)
    finally:
        store.close()


def login(site: Site, name: str) -> AbstractContextManager[httpx.Client]:
    return logged_in(site.base, name)


def unread(c: httpx.Client) -> dict[int, str]:
    page = BeautifulSoup(c.get("/inbox").text, "lxml")
    return {int(li["data-id"]): li.select_one(".badge").text for li in page.select("#unread li")}


def mark(c: httpx.Client, doc: int, what: str) -> None:
    page = BeautifulSoup(c.get(f"/documents/{doc}").text, "lxml")
    token = page.select_one("#marks input[name=csrf]")["value"]
    assert c.post(f"/documents/{doc}/mark/{what}", data={"csrf": token}).status_code == 303


def test_new_documents_are_unread_until_opened_and_each_reader_has_their_own(site: Site) -> None:
    treaty, trade = site.data.ids["treaty"], site.data.ids["trade"]
    with login(site, "vera") as c:
        before = unread(c)
        assert {treaty, trade} <= set(before) and before[treaty] == "new"
        documents = BeautifulSoup(c.get("/documents").text, "lxml")
        assert documents.select_one(f"li.doc[data-id='{treaty}']")["class"] == ["doc", "unread"]
        c.get(f"/documents/{treaty}")  # opening the latest version reads it
        assert treaty not in unread(c)
        documents = BeautifulSoup(c.get("/documents").text, "lxml")
        assert "unread" not in documents.select_one(f"li.doc[data-id='{treaty}']")["class"]
        mark(c, treaty, "unread")
        assert unread(c)[treaty] == "new"
    with login(site, "olga") as c:  # another reader's state is her own
        assert treaty in unread(c)


def test_a_change_after_reading_shows_what_changed_since(site: Site) -> None:
    treaty = site.data.ids["treaty"]
    olga = site.store.user_by_name("olga")
    assert olga is not None
    site.store.set_mark(olga.id, treaty, seen_seq=1)  # read version 1; 2 and 3 came later
    with login(site, "olga") as c:
        page = BeautifulSoup(c.get("/inbox").text, "lxml")
        item = page.select_one(f"#unread li[data-id='{treaty}'] a.changed")
        assert item is not None and item.text == "changed since version 1"
        assert item["href"] == f"/documents/{treaty}/diff?from=1&to=3"


def test_star_and_mute(site: Site) -> None:
    treaty, trade = site.data.ids["treaty"], site.data.ids["trade"]
    with login(site, "vera") as c:
        mark(c, treaty, "star")
        starred = BeautifulSoup(c.get("/inbox").text, "lxml").select("#starred li")
        assert [int(li["data-id"]) for li in starred] == [treaty]
        documents = BeautifulSoup(c.get("/documents").text, "lxml")
        assert documents.select_one(f"li.doc[data-id='{treaty}'] .star")
        assert trade in unread(c)
        # marked without opening the document (opening it would read it)
        token = BeautifulSoup(c.get("/account").text, "lxml").select_one("input[name=csrf]")
        post = {"csrf": token["value"]}
        assert c.post(f"/documents/{trade}/mark/mute", data=post).status_code == 303
        assert trade not in unread(c)  # unread, but muted: not in the inbox
        assert c.post(f"/documents/{trade}/mark/unmute", data=post).status_code == 303
        assert trade in unread(c)
        mark(c, treaty, "unstar")
        assert not BeautifulSoup(c.get("/inbox").text, "lxml").select("#starred li")
        forged = c.post(f"/documents/{treaty}/mark/star", data={"csrf": "forged"})
        assert forged.status_code == 403
    with httpx.Client(base_url=site.base) as anonymous:
        assert anonymous.get("/inbox").status_code == 303  # to the login page
