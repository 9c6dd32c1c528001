"""The real `monitor run` process against the simulated web and a real alert
receiver: schedule, web endpoints, SIGTERM and Ctrl-C with work in flight, kill -9,
SIGHUP — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from web_support import free_port

from monitor.simweb import SimServer
from monitor.simweb.receiver import Receiver
from monitor.simweb.server import Response
from monitor.simweb.site import SimSite
from monitor.store import Store

ARTICLES = [
    (
        f"a{i}",
        f"Россия и Казахстан: соглашение № {i}",
        [
            f"Россия и Казахстан подписали соглашение № {i} о сотрудничестве в энергетике.",
            "Стороны договорились о строительстве атомной электростанции и поставках урана.",
        ],
    )
    for i in range(12)
]


def write_config(path: Path, site: SimSite, hook: str, extra_source: str = "") -> None:
    path.write_text(
        f"""
fetch: {{per_host_delay: 0}}
recheck:
  tiers: [{{within: 1h, every: 1s}}, {{every: 2s}}]
  discover_min: 1s
  discover_max: 2s
alerts: {{backoff_base: 0.2, backoff_max: 1}}
subscriptions:
  - name: hook
    channel: {{type: webhook, url: "{hook}"}}
sources:
  - id: sim
    allow_private: true
    name: Sim
    kind: official
    country: KZ
    interval: 2s
    max_new_per_cycle: 100
    discover:
      - {{type: feed, url: "{site.url("/rss.xml")}"}}
{extra_source}""",
        encoding="utf-8",
    )


def other_source(other: SimSite) -> str:
    """A second source, as added to the file of a running service."""
    return (
        "  - id: other\n    allow_private: true\n    name: Other\n    interval: 2s\n    discover:\n"
        f'      - {{type: feed, url: "{other.url("/rss.xml")}"}}\n'
    )


class Run:
    """One `monitor run` process."""

    def __init__(
        self,
        config: Path,
        db: str,
        port: int,
        log: Path,
        extra: tuple[str, ...] = (),
        grace: float = 10,
    ) -> None:
        self.port, self.log = port, log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor.cli",
                "run",
                "--config",
                str(config),
                "--db",
                db,
                "--port",
                str(port),
                "--grace",
                f"{grace:g}",
                "--log-format",
                "json",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_web(self, timeout: float = 30) -> None:
        wait_for(lambda: _answers(self.url("/healthz")), timeout, "the web UI to answer")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def site() -> Iterator[SimSite]:
    with SimSite(feed_size=50) as s:
        yield s


def state(db_url: str) -> tuple[list[tuple[str, int, str]], list[tuple[str, str]]]:
    """Versions (url, seq, hash) and alerts (key, status), for comparing runs."""
    store = Store(db_url)
    try:
        with store.session() as s:
            from monitor.store.models import Document, Version

            versions = sorted(
                (d.url, v.seq, v.text_hash)
                for v, d in s.query(Version, Document).join(
                    Document, Document.id == Version.document_id
                )
            )
        alerts = sorted((a.key, a.status) for a in store.alerts(limit=10_000))
    finally:
        store.close()
    return versions, alerts


def test_runs_on_schedule_serves_web_readyz_metrics_and_stops_on_sigterm(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    site.add_article(*ARTICLES[0][:2], ARTICLES[0][2])
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    run = Run(config, db_url, free_port(), tmp_path / "run.log")
    try:
        run.wait_web()
        wait_for(lambda: len(site.hits("/rss.xml")) >= 2, 20, "two feed polls")
        wait_for(lambda: len(receiver.accepted()) >= 1, 20, "the alert")
        ready = httpx.get(run.url("/readyz"))
        assert ready.status_code == 200 and ready.json()["ready"] is True
        metrics = httpx.get(run.url("/metrics")).text
        assert 'monitor_fetches_total{outcome="new",source="sim"} 1.0' in metrics
        assert "monitor_documents 1.0" in metrics and 'monitor_alerts{status="sent"}' in metrics
        assert httpx.get(run.url("/")).status_code == 200
    finally:
        code = run.stop()
    assert code == 0
    text = (tmp_path / "run.log").read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line.get("source") == "sim" for line in lines)
    assert lines[-1]["message"] == "stopped"
    assert "was missed" not in text  # the dispatcher's first run is not skipped at start
    assert "Traceback" not in text


def assert_clean_exit(log: Path) -> str:
    """The log of a run that stopped by the book: no traceback, no cancellation."""
    text = log.read_text()
    assert "Traceback" not in text and "CancelledError" not in text
    assert "was missed" not in text
    assert json.loads(text.splitlines()[-1])["message"] == "stopped"
    return text


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_lets_the_check_in_flight_finish_while_the_web_ui_answers(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path, sig: signal.Signals
) -> None:
    site.add_article(*ARTICLES[0][:2], ARTICLES[0][2])
    site.slow("/news/", 5)  # the article answers 5 s after the signal
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    run = Run(config, db_url, free_port(), tmp_path / "run.log", grace=30)
    try:
        run.wait_web()
        wait_for(lambda: len(site.hits("/news/")) >= 1, 30, "the article to be requested")
        run.proc.send_signal(sig)
        # Our handler, not uvicorn's, got the signal: the web UI still answers
        # during the grace period and says it is shutting down.
        wait_for(lambda: "shutting down" in httpx.get(run.url("/readyz")).text, 3, "readyz")
        assert httpx.get(run.url("/healthz")).status_code == 200
        assert httpx.get(run.url("/readyz")).status_code == 503
        assert run.proc.poll() is None
        assert run.proc.wait(timeout=30) == 0
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    versions, _ = state(db_url)
    assert [(url, seq) for url, seq, _ in versions] == [(site.article_url("a0"), 1)]
    text = assert_clean_exit(tmp_path / "run.log")
    assert "waiting up to 30s for work in flight" in text and "cut off" not in text


def test_grace_expiring_cuts_the_check_off_without_a_traceback(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    site.add_article(*ARTICLES[0][:2], ARTICLES[0][2])
    site.slow("/news/", 8)  # longer than the grace
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    log = tmp_path / "run.log"
    run = Run(config, db_url, free_port(), log, ("--no-web",), grace=1.5)
    wait_for(lambda: len(site.hits("/news/")) >= 1, 30, "the article to be requested")
    started = time.monotonic()
    assert run.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 7  # cut off at the deadline, not after the page
    versions, _ = state(db_url)
    assert versions == []  # the document in flight rolled back
    text = assert_clean_exit(log)
    assert "waiting up to 1.5s for work in flight" in text
    assert re.search(r"\d+ jobs? cut off at the deadline", text)
    assert "check of source sim cut off at the deadline" in text


def test_a_second_ctrl_c_cuts_the_wait_short(
    site: SimSite, receiver: Receiver, tmp_path: Path
) -> None:
    site.add_article(*ARTICLES[0][:2], ARTICLES[0][2])
    site.slow("/news/", 8)
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    log = tmp_path / "run.log"
    db = f"sqlite:///{tmp_path / 'monitor.db'}"  # the signal path, not the storage, is tested
    run = Run(config, db, free_port(), log, ("--no-web",), grace=30)
    wait_for(lambda: len(site.hits("/news/")) >= 1, 30, "the article to be requested")
    run.proc.send_signal(signal.SIGINT)
    wait_for(lambda: "waiting up to 30s" in log.read_text(), 5, "the graceful stop to begin")
    started = time.monotonic()
    assert run.stop(signal.SIGINT) == 0
    assert time.monotonic() - started < 6  # not the 30 s grace, nor the 8 s page
    text = assert_clean_exit(log)
    assert "SIGINT again: cutting off work in flight now" in text
    assert "check of source sim cut off at the deadline" in text


def test_sigterm_mid_cycle_then_restart_equals_an_uninterrupted_run(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    for article_id, title, text in ARTICLES:
        site.add_article(article_id, title, text)
    site.slow("/news/", 0.7)  # articles answer slowly, so SIGTERM lands mid-cycle
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    run = Run(config, db_url, free_port(), tmp_path / "run.log")
    wait_for(lambda: len(site.hits("/news/")) >= 3, 30, "the first articles to be fetched")
    assert run.stop(signal.SIGTERM) == 0
    run = Run(config, db_url, free_port(), tmp_path / "run.log")
    wait_for(lambda: len(receiver.accepted()) >= len(ARTICLES), 60, "every alert")
    time.sleep(2)
    assert run.stop() == 0
    versions, alerts = state(db_url)
    assert len(versions) == len(ARTICLES) and {seq for _, seq, _ in versions} == {1}
    assert len(alerts) == len(ARTICLES) and {s for _, s in alerts} == {"sent"}
    keys = [r.headers["Idempotency-Key"] for r in receiver.accepted()]
    assert sorted(set(keys)) == sorted(k for k, _ in alerts)  # each once, by key


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    rng = random.Random(9)
    published = 0
    last_edit = -1
    for kill in range(10):
        if published < len(ARTICLES):
            for article_id, title, text in ARTICLES[published : published + 2]:
                site.add_article(article_id, title, text)
            published += 2
        if kill % 3 == 2:  # edits too, so `changed` versions and alerts happen
            site.edit_article("a0", replace=("энергетике", f"энергетике ({kill})"))
            last_edit = kill
        run = Run(config, db_url, free_port(), tmp_path / "run.log")
        time.sleep(rng.uniform(1.0, 3.5))
        run.proc.kill()
        run.proc.wait(timeout=10)
    run = Run(config, db_url, free_port(), tmp_path / "run.log")
    try:

        def settled() -> bool:
            # Every article tracked, the last edit seen, and every alert sent: a
            # check of only the first two could pass before the last edit lands.
            versions, alerts = state(db_url)
            if len({u for u, _, _ in versions}) != len(ARTICLES):
                return False
            store = Store(db_url)
            try:
                doc = store.find_document(site.article_url("a0"))
                latest = store.version(doc.id, doc.latest_seq) if doc else None
            finally:
                store.close()
            edited = latest is not None and f"({last_edit})" in latest.text
            return edited and all(s == "sent" for _, s in alerts)

        wait_for(settled, 180, "every article tracked and every alert sent")
        time.sleep(3)
        # A check in those seconds may have stored one more version (seen once on a
        # loaded CI machine); its alert must go out before the service stops.
        wait_for(settled, 60, "every alert sent after the pause")
    finally:
        assert run.stop() == 0
    versions, alerts = state(db_url)
    by_doc: dict[str, list[int]] = {}
    for url, seq, _ in versions:
        by_doc.setdefault(url, []).append(seq)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_doc.values())
    hashes = [(u, h) for u, _, h in versions]
    assert len(hashes) == len(set(hashes))  # no version stored twice
    assert len(alerts) == len(versions)  # one alert per event, none lost
    assert {status for _, status in alerts} == {"sent"}
    received = {r.headers["Idempotency-Key"] for r in receiver.accepted()}
    assert received == {k for k, _ in alerts}  # every alert arrived (maybe twice, same key)


def test_sighup_adds_a_source_and_a_broken_file_keeps_the_old_one(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    site.add_article(*ARTICLES[0][:2], ARTICLES[0][2])
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    run = Run(config, db_url, free_port(), tmp_path / "run.log")
    try:
        run.wait_web()
        with SimSite() as other:
            other.add_article("o1", "Казахстан и Россия: протокол", ARTICLES[1][2])
            write_config(config, site, receiver.url + "/hook", other_source(other))
            run.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: len(other.hits("/rss.xml")) >= 1, 20, "the new source's feed")
            config.write_text("sources: [unclosed\n", encoding="utf-8")
            run.proc.send_signal(signal.SIGHUP)
            polled = len(other.hits("/rss.xml"))
            wait_for(lambda: len(other.hits("/rss.xml")) > polled, 20, "checks to go on")
        assert run.proc.poll() is None
    finally:
        assert run.stop() == 0
    log = (tmp_path / "run.log").read_text()
    assert "reload refused, the running configuration stays" in log and "invalid YAML" in log


def test_watch_config_reloads_a_changed_file(
    site: SimSite, receiver: Receiver, db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    write_config(config, site, receiver.url + "/hook")
    run = Run(config, db_url, free_port(), tmp_path / "run.log", ("--watch-config", "--no-web"))
    try:
        wait_for(lambda: len(site.hits("/rss.xml")) >= 1, 20, "the first poll")
        with SimSite() as other:
            write_config(config, site, receiver.url + "/hook", other_source(other))
            wait_for(lambda: len(other.hits("/rss.xml")) >= 1, 20, "the added source's feed")
    finally:
        assert run.stop() == 0
    assert "changed on disk" in (tmp_path / "run.log").read_text()


def test_sighup_applies_new_fetch_settings_to_later_requests(db_url: str, tmp_path: Path) -> None:
    """`fetch:` is part of what a reload re-reads: the running fetcher is replaced,
    so later requests carry the new User-Agent (the old one was kept before)."""
    feed = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    with SimServer() as web:
        web.route("/rss.xml", Response(body=feed, headers={"Content-Type": "application/rss+xml"}))
        config = tmp_path / "sources.yaml"

        def write(agent: str) -> None:
            config.write_text(
                f"fetch: {{per_host_delay: 0, user_agent: '{agent}'}}\n"
                "recheck: {discover_min: 1s, discover_max: 1s}\n"
                "sources:\n  - id: sim\n    name: Sim\n    allow_private: true\n"
                "    interval: 1s\n    discover:\n"
                f"      - {{type: feed, url: '{web.url('/rss.xml')}'}}\n",
                encoding="utf-8",
            )

        write("first-agent/1")
        run = Run(config, db_url, free_port(), tmp_path / "run.log", ("--no-web",))
        try:
            wait_for(lambda: len(web.hits("/rss.xml")) >= 1, 20, "the first poll")
            write("second-agent/2")
            run.proc.send_signal(signal.SIGHUP)
            wait_for(
                lambda: any(
                    r.headers.get("User-Agent") == "second-agent/2" for r in web.hits("/rss.xml")
                ),
                20,
                "a poll with the new User-Agent",
            )
            seen = len(web.hits("/rss.xml"))
            wait_for(lambda: len(web.hits("/rss.xml")) > seen + 1, 20, "polls to go on")
        finally:
            assert run.stop() == 0
        agents = [r.headers.get("User-Agent") for r in web.hits("/rss.xml")]
    assert agents[0] == "first-agent/1"
    assert agents[-1] == "second-agent/2"
    assert "fetch settings changed" in (tmp_path / "run.log").read_text()
