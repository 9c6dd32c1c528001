"""`monitor demo` and `monitor sources status` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MONITOR = [sys.executable, "-m", "monitor.cli"]


def test_demo_shows_new_changed_removed_and_restored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = subprocess.run(
        [*MONITOR, "demo", "--seconds", "26", "--db", db, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    kinds = {r["event"] for r in rows if "event" in r}
    assert {"new", "changed", "removed"} <= kinds, kinds
    done = rows[-1]
    assert done["demo"] == "done" and done["totals"]["ignored"] > 0
    changed = next(r for r in rows if r.get("event") == "changed")
    assert changed["inserted_chars"] > 0
    assert any(r.get("url", "").endswith((".pdf", ".docx")) for r in rows if "event" in r)

    status = subprocess.run(
        [
            *MONITOR,
            "sources",
            "status",
            "--db",
            db,
            "--config",
            str(tmp_path / "cfg.yaml"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 2 and "configuration file not found" in status.stderr


def test_sources_status_shows_due_times(tmp_path: Path) -> None:
    from monitor.simweb.site import SimSite

    with SimSite() as site:
        site.add_article(
            "1",
            "Россия и Казахстан подписали декларацию",
            ["Россия и Казахстан подписали декларацию о союзничестве."],
        )
        cfg = tmp_path / "sources.yaml"
        cfg.write_text(
            "fetch:\n  per_host_delay: 0\nsources:\n  - id: sim\n"
            "    allow_private: true\n    name: Sim\n"
            f"    discover:\n      - type: feed\n        url: {site.url('/rss.xml')}\n",
            encoding="utf-8",
        )
        db = f"sqlite:///{tmp_path / 'db.sqlite'}"
        common = ["--config", str(cfg), "--db", db]
        subprocess.run([*MONITOR, "check", *common], check=True, capture_output=True, timeout=60)
        report = json.loads(
            subprocess.run(
                [*MONITOR, "sources", "status", *common, "--json"],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )
        text = subprocess.run(
            [*MONITOR, "sources", "status", *common],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    (sim,) = report
    assert sim["tracked"] == 1 and sim["next_document_due"]
    (endpoint,) = sim["endpoints"]
    assert endpoint["type"] == "feed" and endpoint["items_new"] == 1 and endpoint["next_poll_at"]
    assert "sim" in text and "feed" in text and "next" in text
