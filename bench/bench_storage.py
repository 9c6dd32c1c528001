"""History storage: what 100 one-word edits of a 40 KB text cost in the database.

    .venv/bin/python bench/bench_storage.py [--versions 100] [--pg URL]

A Russian text of about 40,000 characters gets one word replaced per version,
recorded through `Store.record_version` as the pipeline does (text, word diff,
themes left out). Printed per backend: the bytes the text history takes
(versions' plain text, compressed keyframes, stored diffs), the growth of the
database file (SQLite, after a WAL checkpoint) or of the tables (PostgreSQL),
both as a share of 100 full copies of the text (UTF-8); then a check that every
version reads back exactly and that two far-apart versions diff as when they
were recorded. Raw bodies are not part of it: they are snapshots, shared when
identical and pruned by `retention` (README, "Snapshot retention").
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from monitor.diff import diff_words  # noqa: E402
from monitor.simweb.corpus import commentary_text  # noqa: E402
from monitor.store import FetchRecord, NewVersion, Store  # noqa: E402
from monitor.store.models import Change, Version  # noqa: E402


def _text(chars: int) -> str:
    base = commentary_text()
    return (base * (chars // len(base) + 1))[:chars]


def _history_bytes(store: Store) -> int:
    with store.session() as s:
        plain = s.scalar(select(func.coalesce(func.sum(func.length(Version.text)), 0))) or 0
        keys = s.scalar(select(func.coalesce(func.sum(func.length(Version.text_z)), 0))) or 0
        diffs = s.scalar(select(func.coalesce(func.sum(func.length(Change.diff)), 0))) or 0
    return int(plain) + int(keys) + int(diffs)


def run(url: str, versions: int, size_of: object) -> dict[str, float]:
    store = Store(url)
    store.sync_sources([("bench", "Bench")])
    (state,) = store.ensure_documents("bench", ["https://example.org/treaty"])
    rng = random.Random(1)
    current = _text(40_000)
    full = len(current.encode("utf-8"))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    texts: list[str] = []
    before = size_of(store)  # type: ignore[operator]
    began = time.process_time()
    previous: str | None = None
    for i in range(versions):
        if previous is not None:
            words = current.split(" ")
            words[rng.randrange(len(words))] = f"слово{i}"
            current = " ".join(words)
        (state,) = store.document_states([state.id])
        store.record_version(
            state,
            FetchRecord(url=state.url, started_at=start + timedelta(minutes=i), duration_ms=1),
            NewVersion(
                body=b"", content_type="text/plain", encoding="utf-8", text=current,
                text_hash=str(i), title="T", published_at=None, rules="r",
                diff=diff_words(previous, current) if previous is not None else None,
            ),
        )  # fmt: skip
        texts.append(current)
        previous = current
    cpu = time.process_time() - began
    grown = size_of(store) - before  # type: ignore[operator]
    compacted = grown
    if store.engine.dialect.name == "postgresql":
        # Replacing the previous latest text leaves a dead row until (auto)vacuum
        # makes its space reusable; VACUUM FULL shows the size once it is reused.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM FULL versions"))
            c.execute(text("VACUUM FULL changes"))
        compacted = size_of(store) - before  # type: ignore[operator]
    history = _history_bytes(store)
    read = [v.text for v in store.versions(state.id)]
    assert read == texts, "a version did not read back exactly"
    stored = store.stored_diff(state.id, versions - 1, versions)
    assert stored is not None and stored["ops"] == diff_words(texts[-2], texts[-1])
    far = diff_words(
        store.version_text(state.id, 3) or "", store.version_text(state.id, versions) or ""
    )
    assert far == diff_words(texts[2], texts[-1])
    store.close()
    copies = versions * full
    return {
        "history_bytes": history,
        "history_share": history / copies,
        "growth_bytes": grown,
        "growth_share": grown / copies,
        "vacuumed_share": compacted / copies,
        "per_version_bytes": grown / versions,
        "ms_per_version": cpu * 1000 / versions,
        "full_copy_bytes": full,
    }


def _sqlite_size(store: Store) -> int:
    with store.session() as s:
        s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return Path(store.url.removeprefix("sqlite:///")).stat().st_size


def _pg_size(store: Store) -> int:
    with store.session() as s:
        return int(
            s.scalar(
                text(
                    "SELECT pg_total_relation_size('versions') + pg_total_relation_size('changes')"
                )
            )
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--pg", help="a PostgreSQL URL whose schema may be used (emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"sqlite": run(f"sqlite:///{tmp}/bench.db", args.versions, _sqlite_size)}
    if args.pg:
        results["postgresql"] = run(args.pg, args.versions, _pg_size)
    for backend, r in results.items():
        print(
            f"{backend:10} {args.versions} one-word edits of a "
            f"{r['full_copy_bytes']:,.0f}-byte text: "
            f"history {r['history_bytes']:,.0f} B = {r['history_share']:.1%} of "
            f"{args.versions} full copies; database grew {r['growth_bytes']:,.0f} B = "
            f"{r['growth_share']:.1%} ({r['per_version_bytes']:,.0f} B per version"
            + (f"; {r['vacuumed_share']:.1%} after VACUUM FULL" if backend != "sqlite" else "")
            + "); "
            f"{r['ms_per_version']:.1f} ms CPU per version; every version read back exactly"
        )


if __name__ == "__main__":
    main()
