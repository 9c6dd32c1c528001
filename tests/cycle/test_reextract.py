"""Re-extraction and the confirm fetch, end to end on SQLite and PostgreSQL: a rules
change or an extractor upgrade is history, not an edit; lines that flip between
two fetches seconds apart are learned as volatile and never become a version."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import Config, parse_config
from monitor.cycle import CycleSummary, run_cycle
from monitor.simweb import Request, Response, SimServer
from monitor.store import Store, VersionRow
from monitor.store.models import Alert, Event, Version

PARAS = [
    "Стороны подтверждают приверженность Договору о добрососедстве и союзничестве.",
    "Россия и Казахстан развивают сотрудничество в энергетике и транспорте.",
]


ASIDE = "Подписывайтесь на наш канал о погоде"


def page(paras: list[str], extra: str = "", aside: str = ASIDE) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        "<html><head><title>Декларация</title></head><body>"
        f"<div class='text'><h1>Декларация</h1>{extra}{body}</div>"
        f"<div class='aside'><p>{aside}</p></div></body></html>"
    )


def config(web: SimServer, *, select: str | None = None, confirm: str = "0s") -> Config:
    rule = f"    select: '{select}'\n" if select else ""
    return parse_config(
        f"fetch:\n  per_host_delay: 0\n  confirm_delay: {confirm}\n"
        "sources:\n  - id: decl\n    allow_private: true\n    name: Декларация\n    interval: 10m\n"
        f"{rule}    watch:\n      - {web.url('/decl')}\n"
        "subscriptions:\n  - name: all\n    channel: {type: webhook, url: 'http://127.0.0.1:9/h'}\n"
    )


def cycle(cfg: Config, store: Store) -> CycleSummary:
    return asyncio.run(run_cycle(cfg, store))


def versions(store: Store) -> list[VersionRow]:
    """Every version, with its text rebuilt, through the read side."""
    with store.session() as s:
        ids = sorted(set(s.scalars(select(Version.document_id))))
    return sorted((v for d in ids for v in store.versions(d)), key=lambda v: v.seq)


def alert_kinds(store: Store) -> list[str]:
    with store.session() as s:
        return [a.kind for a in s.query(Alert).order_by(Alert.id)]


def event_kinds(store: Store) -> list[str]:
    with store.session() as s:
        return [e.kind for e in s.query(Event).order_by(Event.id)]


def test_rules_change_is_reextracted_without_alerts(web: SimServer, store: Store) -> None:
    served = {"html": page(PARAS)}
    web.route("/decl", lambda _r: Response.html(served["html"]))
    cycle(config(web, select="body"), store)
    assert "Подписывайтесь" in versions(store)[0].text
    assert alert_kinds(store) == ["new"]

    narrower = config(web, select="div.text")
    from monitor.cycle.reextract import reextract

    dry = reextract(narrower, store, dry_run=True)
    assert (dry.examined, dry.changed) == (1, 1) and len(versions(store)) == 1
    report = reextract(narrower, store)
    assert (report.changed, report.unchanged, report.errors) == (1, 0, 0)
    v1, v2 = versions(store)
    assert (v1.origin, v2.origin) == ("fetch", "reextract")
    assert "Подписывайтесь" not in v2.text and PARAS[1] in v2.text
    assert event_kinds(store) == ["new", "reextracted"]
    assert alert_kinds(store) == ["new"]  # history, not news
    assert reextract(narrower, store).unchanged == 1  # idempotent

    # The publisher's next edit is compared with the re-extracted text.
    served["html"] = page([PARAS[0], PARAS[1].replace("энергетике", "космосе")])
    summary = cycle(narrower, store)
    assert summary.changed == 1
    with store.session() as s:
        change = json.loads(s.query(Version).filter_by(seq=3).one().text) if False else None
    assert change is None
    v3 = versions(store)[2]
    assert v3.origin == "fetch" and "космосе" in v3.text
    assert alert_kinds(store) == ["new", "changed"]


def test_cycle_rebases_on_new_rules_before_comparing(web: SimServer, store: Store) -> None:
    """No `monitor reextract` run: the cycle meets the new rules and an edit at once."""
    served = {"html": page(PARAS)}
    web.route("/decl", lambda _r: Response.html(served["html"]))
    cycle(config(web, select="body"), store)
    served["html"] = page([PARAS[0], PARAS[1] + " Подписан план на 2026 год."])
    cycle(config(web, select="div.text"), store)
    _, v2, v3 = versions(store)
    assert (v2.origin, v3.origin) == ("reextract", "fetch")
    assert "Подписывайтесь" not in v2.text and "2026" not in v2.text
    assert "2026" in v3.text
    assert event_kinds(store) == ["new", "reextracted", "changed"]
    kinds = alert_kinds(store)
    assert kinds == ["new", "changed"]
    with store.session() as s:
        payload = s.query(Alert).order_by(Alert.id.desc()).first().payload
    inserted = (
        " ".join(t for op, t in json.loads(payload)["diff"] if op == 1)
        if isinstance(payload, str)
        else " ".join(t for op, t in payload["diff"] if op == 1)
    )
    assert "2026" in inserted and "Читайте" not in inserted


def test_lines_that_flip_between_fetches_are_learned_as_volatile(
    web: SimServer, store: Store
) -> None:
    counter = itertools.count()
    edits = {"paras": list(PARAS)}
    teasers = ["Погода на выходные", "Курс тенге укрепился", "Пробки в центре Астаны"]

    def handler(_: Request) -> Response:
        live = f"<p>Главное сегодня: {teasers[next(counter) % 3]}</p>"
        return Response.html(page(edits["paras"], extra=live))

    web.route("/decl", handler)
    cfg = config(web, confirm="0.2s")
    assert cycle(cfg, store).new == 1
    for _ in range(3):  # the live line changes on every request: no new version
        summary = cycle(cfg, store)
        assert (summary.changed, summary.unchanged) == (0, 1)
    assert len(versions(store)) == 1
    learned = store.volatile_fragments("decl")
    assert {f.example for f in learned} <= {f"Главное сегодня: {t}" for t in teasers}
    assert len(learned) >= 2

    edits["paras"] = [PARAS[0], PARAS[1].replace("транспорте", "сельском хозяйстве")]
    assert cycle(cfg, store).changed == 1
    v2 = versions(store)[1]
    assert "сельском хозяйстве" in v2.text and "Главное сегодня" not in v2.text
    assert alert_kinds(store) == ["new", "changed"]


def test_a_long_generated_paragraph_is_learned_and_a_real_edit_still_counts(
    web: SimServer, store: Store
) -> None:
    """A market paragraph whose figures change on every request (over the short-line
    limit) is learned by its digit-masked pattern; an edit elsewhere still alerts."""
    counter = itertools.count(100)
    edits = {"paras": list(PARAS)}
    market = "Курс на {} тенге за рубль, объём торгов {} млн. " + "Данные биржи. " * 25

    def handler(_: Request) -> Response:
        n = next(counter)
        live = f"<p>{market.format(n, n * 3)}</p>"
        return Response.html(page(edits["paras"], extra=live))

    web.route("/decl", handler)
    cfg = config(web, confirm="0.1s")
    assert cycle(cfg, store).new == 1
    for _ in range(2):
        summary = cycle(cfg, store)
        assert (summary.changed, summary.unchanged) == (0, 1)
    assert [len(f.example) > 300 for f in store.volatile_fragments("decl")] == [True]

    edits["paras"] = [PARAS[0], PARAS[1].replace("энергетике", "космосе")]
    assert cycle(cfg, store).changed == 1
    assert "космосе" in versions(store)[1].text
    assert alert_kinds(store) == ["new", "changed"]


def test_real_edit_survives_the_confirm_fetch(web: SimServer, store: Store) -> None:
    served = {"html": page(PARAS)}
    web.route("/decl", lambda _r: Response.html(served["html"]))
    cfg = config(web, confirm="0.1s")
    cycle(cfg, store)
    served["html"] = page([PARAS[0], PARAS[1].replace("развивают", "не развивают")])
    assert cycle(cfg, store).changed == 1
    assert len(web.hits("/decl")) == 3  # first, the edit, and its confirmation
    assert store.volatile_fragments("decl") == []


def test_a_confirmation_with_the_same_bytes_is_not_extracted_again(
    web: SimServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.cycle.confirm as confirm

    reads: list[bool] = []
    read = confirm._read

    def counted(*args: Any) -> Any:
        reads.append(True)
        return read(*args)

    served = {"html": page(PARAS)}
    web.route("/decl", lambda _r: Response.html(served["html"]))
    cfg = config(web, confirm="0.1s")
    cycle(cfg, store)
    monkeypatch.setattr(confirm, "_read", counted)
    served["html"] = page([PARAS[0], PARAS[1].replace("развивают", "не развивают")])
    assert cycle(cfg, store).changed == 1
    assert len(web.hits("/decl")) == 3 and len(reads) == 1


def test_reextract_command(web: SimServer, db_url: str, tmp_path: Path) -> None:
    web.route("/decl", Response.html(page(PARAS)))
    path = tmp_path / "sources.yaml"
    path.write_text(
        "fetch:\n  per_host_delay: 0\nsources:\n  - id: decl\n"
        "    allow_private: true\n    name: D\n    select: body\n"
        f"    watch:\n      - {web.url('/decl')}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cli = [sys.executable, "-m", "monitor.cli"]
    subprocess.run([*cli, "check", "--config", str(path), "--db", db_url], env=env, check=True)
    path.write_text(path.read_text(encoding="utf-8").replace("body", "div.text"), "utf-8")
    proc = subprocess.run(
        [*cli, "reextract", "--config", str(path), "--db", db_url, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["changed"] == 1
    history = subprocess.run(
        [*cli, "history", web.url("/decl"), "--db", db_url, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert [v["seq"] for v in json.loads(history.stdout)["versions"]] == [1, 2]


def test_a_view_counter_under_the_headline_never_alerts(web: SimServer, store: Store) -> None:
    """The report that started it: no selector, «Просмотров: N» after the <h1>, and a
    new version with a major alert ("number changed: 16 → 31") on every check."""
    views = itertools.count(16, 15)

    def handler(_: Request) -> Response:
        counter = f"<div class='meta'>Просмотров: {next(views)}</div>"
        return Response.html(page(PARAS, extra=counter))

    web.route("/decl", handler)
    cfg = config(web, confirm="0s")  # the extractor alone must hold, without learning
    for _ in range(4):
        cycle(cfg, store)
    assert len(versions(store)) == 1
    assert "Просмотров" not in versions(store)[0].text
    assert alert_kinds(store) == ["new"]
