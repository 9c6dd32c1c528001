"""One text in two families becomes one family.

Two workers placing copies of one text at the same moment each search before the
other's copy is stored, and each can found a family of its own. The next copy
of that text matches documents in both: the families are merged, under the
original seen first, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.cycle import families as cycle_families
from monitor.store import Store

TEXT = Path(__file__).resolve().parents[1] / "data" / "families" / "dev" / "docs" / "dv046.txt"


def _copy(n: int) -> str:
    """The statement with one word of its own: a copy, not the same bytes."""
    _title, body = TEXT.read_text(encoding="utf-8").split("\n", 1)
    return body.replace("Стороны", f"Стороны ({n})", 1)


def test_a_copy_of_texts_in_two_families_merges_them(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = parse_config("sources:\n  - {id: gov, name: Gov, kind: official}\n")
    [source] = config.sources
    store = Store(db_url)
    try:
        store.sync_sources([(source.id, source.name)])
        urls = [f"https://gov.example/{n}" for n in range(5)]
        ids = [s.id for s in store.ensure_documents(source.id, urls)]
        start = datetime(2026, 11, 1, tzinfo=UTC)

        def place(n: int) -> None:
            at = start + timedelta(minutes=n)
            cycle_families.place(store, config, source, ids[n], _copy(n), None, None, at)

        place(0)
        place(1)  # family A: 0 and 1
        first = store.family_of(ids[0])
        assert first is not None
        # 2 and 3 were placed by another worker that did not see 0 and 1 yet
        search = store.family_candidates
        monkeypatch.setattr(
            store,
            "family_candidates",
            lambda keys, exclude, limit=40: [
                r for r in search(keys, exclude, limit) if r.document_id not in ids[:2]
            ],
        )
        place(2)
        place(3)  # family B: 2 and 3
        second = store.family_of(ids[2])
        assert second is not None and second.family_id != first.family_id
        monkeypatch.undo()

        place(4)  # a copy of all four: the two families are one
        members = store.family_members(first.family_id)
        assert sorted(m.document_id for m in members) == sorted(ids)
        assert store.family(second.family_id) is None
        assert [f.id for f in store.families()] == [first.family_id]
        relations = {m.document_id: m.relation for m in members}
        assert relations[ids[0]] == "original"  # seen first
        assert relations[ids[2]] == "copy"  # the other family's original, linked now
        assert [m.linked_to for m in members if m.document_id == ids[2]] == [ids[4]]
    finally:
        store.close()
