"""Shared by the web tests: one dataset built through the real pipeline from the
simulated web, and the app served by uvicorn on a real loopback port.

The dataset has two sources and a failing one, a treaty edited twice (a word in
point 2, then a word deleted in point 3), a hostile page (script tags, an
onerror image and a javascript: link, in markup and in text), a document whose
URL is `javascript:alert(1)`, and failed webhook alerts to re-queue.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from bs4 import BeautifulSoup
from fastapi import FastAPI

from monitor.alerts.dispatch import Dispatcher
from monitor.config import Config, parse_config
from monitor.cycle import run_cycle
from monitor.simweb.receiver import Receiver
from monitor.simweb.server import Response
from monitor.simweb.site import SimSite
from monitor.store import Store

TREATY = [
    "Соглашение между Российской Федерацией и Республикой Казахстан о сотрудничестве "
    "в области мирного использования атомной энергии.",
    "1. Стороны развивают сотрудничество в области атомной энергетики и подготовки кадров.",
    "2. Стороны содействуют строительству атомной электростанции в Республике Казахстан "
    "до 2035 года.",
    "3. Настоящее соглашение вступает в силу с даты получения последнего письменного уведомления.",
]
TRADE = [
    "Россия и Казахстан подвели итоги торгово-экономического сотрудничества за 2025 год.",
    "Товарооборот между странами вырос на 7 процентов и превысил 28 миллиардов долларов.",
    "Стороны договорились расширять взаимные поставки продукции машиностроения.",
]
HOSTILE_TITLE = "<script>alert(1)</script> Враждебная страница"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_HTML = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<title>&lt;script&gt;alert(1)&lt;/script&gt; Враждебная страница</title>
<script>window.__xss = 1; document.title = "XSS";</script>
</head><body>
<article>
<h1>&lt;script&gt;alert(1)&lt;/script&gt; Враждебная страница</h1>
<p>Россия и Казахстан обсудили {HOSTILE_IMG.replace("<", "&lt;").replace(">", "&gt;")}
сотрудничество в сфере образования и науки между университетами двух стран.</p>
<p>&lt;script&gt;window.__xss = 1; document.title = "XSS"&lt;/script&gt; Делегации
подготовили план совместных исследований на ближайшие годы.</p>
<p><a href="javascript:alert(1)">javascript:alert(1)</a> Ссылка для справки.</p>
<img src="x" onerror="window.__xss = 1">
<script>window.__xss = 1;</script>
</article>
</body></html>
"""
JS_URL = "javascript:alert(1)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dataset:
    config: Config
    ids: dict[str, int] = field(default_factory=dict)  # treaty, trade, hostile, broken, js
    failed_alert: int = 0


def _config(site: SimSite, hook: str) -> Config:
    return parse_config(
        f"""
fetch: {{per_host_delay: 0, max_retries: 0, backoff_base: 0.01}}
alerts:
  backoff_base: 0.01
  max_attempts: 1
subscriptions:
  - name: everything
    channel: {{type: webhook, url: "{hook}"}}
sources:
  - id: akorda
    allow_private: true
    name: Акорда (симуляция)
    kind: official
    country: KZ
    languages: [ru, kk]
    watch:
      - {site.article_url("treaty")}
      - {site.url("/raw/hostile")}
  - id: tass
    allow_private: true
    name: ТАСС (симуляция)
    kind: media
    country: RU
    languages: [ru]
    watch:
      - {site.article_url("trade")}
  - id: broken
    allow_private: true
    name: Broken wire
    kind: media
    country: other
    languages: [en]
    watch:
      - {site.url("/news/broken")}
"""
    )


def build(store: Store) -> Dataset:
    """Three cycles against the simulated web, then a failed alert delivery."""
    with SimSite() as site, Receiver() as receiver:
        site.add_article("treaty", "Соглашение о сотрудничестве в атомной энергетике", TREATY)
        site.add_article("trade", "Итоги торгово-экономического сотрудничества", TRADE)
        site.server.route("/raw/hostile", Response.html(HOSTILE_HTML))
        site.fail("/news/broken", 500)
        config = _config(site, receiver.url + "/hook")
        asyncio.run(run_cycle(config, store))
        site.edit_article("treaty", replace=("до 2035 года", "до 2040 года"))
        asyncio.run(run_cycle(config, store))
        site.edit_article("treaty", replace=("последнего письменного", "последнего"))
        asyncio.run(run_cycle(config, store))
        receiver.answer(*[404] * 50)
        asyncio.run(Dispatcher(config, store).run_once())
        data = Dataset(config)
        for name, url in (
            ("treaty", site.article_url("treaty")),
            ("trade", site.article_url("trade")),
            ("hostile", site.url("/raw/hostile")),
            ("broken", site.url("/news/broken")),
        ):
            doc = store.find_document(url)
            assert doc is not None, url
            data.ids[name] = doc.id
    (js,) = store.ensure_documents("akorda", [JS_URL])
    data.ids["js"] = js.id
    failed = [a for a in store.alerts() if a.status == "failed"]
    assert failed, [a.status for a in store.alerts()]
    data.failed_alert = failed[0].id
    return data


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app on a real loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


PASSWORD = "correct horse battery staple"


@contextmanager
def logged_in(base: str, name: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A client logged in through the login form (with its CSRF token)."""
    with httpx.Client(base_url=base, headers={"Accept-Language": "en"}) as client:
        page = BeautifulSoup(client.get("/login").text, "lxml")
        token = page.select_one("#login input[name=csrf]")
        assert token is not None
        answer = client.post(
            "/login", data={"name": name, "password": password, "csrf": token["value"]}
        )
        assert answer.status_code == 303, answer.text
        yield client
