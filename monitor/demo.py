"""`monitor demo`: the whole pipeline against a simulated news site, for a minute.

Why: a new user (and a reviewer) should see discovery, relevance, versions,
diffs and removals happen without touching a real server. The simulated site
runs on loopback; a script publishes, edits and takes down articles while
check cycles run every few seconds, and each event is printed as it lands.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor.config import Config, parse_config
from monitor.cycle import run_cycle
from monitor.diff import stats
from monitor.simweb.corpus import demo_corpus
from monitor.simweb.site import Article, SimSite
from monitor.store import Store

CYCLE_SECONDS = 3.0


def demo_config(site: SimSite, watched: str) -> Config:
    """Short intervals so a minute shows every kind of event."""
    return parse_config(
        f"""
fetch:
  per_host_delay: 0
  user_agent: "monitor-demo/0.1 (contact: demo@example.org)"
recheck:
  tiers:
    - {{within: 1h, every: 3s}}
    - {{every: 10s}}
  discover_min: 2s
  discover_max: 6s
  removed_after: 2
sources:
  - id: sim-news
    allow_private: true  # the simulated site is on 127.0.0.1 (SSRF guard)
    name: Вестник (simulated)
    kind: media
    country: KZ
    languages: [ru, kk, en]
    interval: 3s
    max_new_per_cycle: 50
    watch:
      - {watched}
    discover:
      - type: feed
        url: {site.url("/rss.xml")}
      - type: sitemap
        url: {site.url("/sitemap.xml")}
""",
        "demo",
    )


class Script:
    """What happens on the simulated site, second by second."""

    def __init__(self, site: SimSite, pending: list[Article], rng: random.Random) -> None:
        self.site, self.pending, self.rng = site, pending, rng
        self.removed: list[str] = []
        self.steps = 0

    def step(self) -> str | None:
        self.steps += 1
        live = [a for a in self.site.articles() if a.relevant]
        if self.steps % 2 == 1 and self.pending:
            article = self.pending.pop()
            self.site.add_articles([article])
            return f"site: published {article.id} «{article.title}»"
        if self.steps % 6 == 2 and self.removed:
            article_id = self.removed.pop()
            self.site.restore_article(article_id)
            return f"site: restored {article_id}"
        if self.steps % 4 == 0 and len(live) > 3:
            victim = self.rng.choice(live[2:])
            self.site.remove_article(victim.id, status=410)
            self.removed.append(victim.id)
            return f"site: took down {victim.id}"
        if live:
            article = self.rng.choice(live)
            words = article.paragraphs[0].split()
            if len(words) > 3:
                i = self.rng.randrange(1, len(words) - 1)
                self.site.edit_article(article.id, replace=(words[i], words[i].upper()))
                return f"site: edited {article.id} ({words[i]!r} -> {words[i].upper()!r})"
        return None


def _describe(store: Store, event: Any) -> dict[str, Any]:
    doc = store.find_document(str(event.document_id))
    row: dict[str, Any] = {
        "event": event.kind,
        "id": event.document_id,
        "url": doc.url if doc else None,
        "title": doc.title if doc else None,
    }
    if event.change_id:
        change = store.change(event.change_id)
        if change is not None:
            counted = stats(change.diff)
            row["inserted_chars"], row["deleted_chars"] = (
                counted.inserted_chars,
                counted.deleted_chars,
            )
    return row


async def run_demo(
    seconds: float, db_url: str | None, emit: Callable[[dict[str, Any]], None]
) -> dict[str, int]:
    db_url = db_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='monitor-demo-'))}/demo.db"
    rng = random.Random(2025)
    corpus = demo_corpus(30, attachments=True)
    with SimSite(feed_size=30) as site:
        site.add_articles(corpus[15:])  # the older half is there from the start
        watched = next(a for a in corpus[15:] if a.relevant)
        script = Script(site, list(corpus[:15]), rng)  # pops the oldest first
        config = demo_config(site, site.article_url(watched.id))
        store = Store(db_url)
        emit({"demo": "start", "site": site.base, "database": db_url, "seconds": seconds})
        totals: dict[str, int] = {}
        last_event = 0
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                started = time.monotonic()
                summary = await run_cycle(config, store)
                totals["ignored"] = totals.get("ignored", 0) + summary.ignored
                for event in store.events(after=last_event):
                    last_event = event.id
                    totals[event.kind] = totals.get(event.kind, 0) + 1
                    emit(_describe(store, event))
                action = script.step()
                if action:
                    emit({"site": action})
                await asyncio.sleep(max(0.0, CYCLE_SECONDS - (time.monotonic() - started)))
        finally:
            store.close()
        emit({"demo": "done", "totals": totals, "database": db_url})
        return totals


def print_event(row: dict[str, Any]) -> None:
    if "site" in row and len(row) == 1:
        print(f"  · {row['site']}")
    elif row.get("demo") == "start":
        print(f"demo: simulated site {row['site']}, database {row['database']}")
        print(f"demo: running {row['seconds']:g}s; a check cycle every {CYCLE_SECONDS:g}s")
    elif row.get("demo") == "done":
        print(f"demo: done: {row['totals']}")
        print(f"demo: browse it: monitor history ID --db {row['database']}")
    else:
        delta = (
            f"  +{row['inserted_chars']} -{row['deleted_chars']} chars"
            if "inserted_chars" in row
            else ""
        )
        print(
            f"{row['event']:<9} #{row['id']:<4} {row['title'] or ''}{delta}\n          {row['url']}"
        )
