"""After a version is recorded: its document's family, and divergence between the
family's official copies (monitor/analysis/families.py decides, the store keeps).

* A new text is fingerprinted and matched through the LSH keys; the best link
  puts it in a family (a copy, a quotation or a translation).
* A changed text is fingerprinted again (the store keeps the latest), and when
  it is an official copy with official siblings in its language, each point that
  changed is compared with the siblings' same point: where a sibling still reads
  as before, the family has diverged («kremlin.ru changed п. 17; the akorda.kz
  copy is unchanged») — an event "diverged" with its alerts.
* An official translation joining a family, or changing, is compared point by
  point with the official copies in other languages: a number, a date or a name
  in one that the other lacks (monitor/analysis/facts.py) is a divergence "facts".
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np

from monitor.alerts.build import drafts_for
from monitor.analysis import facts, families
from monitor.analysis.embedding import embedder
from monitor.analysis.summary import summarize
from monitor.config import Config, Source
from monitor.config.alerts import SIGNIFICANCE
from monitor.store import MemberRow, PrintRow, Store

log = logging.getLogger(__name__)


def _row(document_id: int, fp: families.Fingerprint, official: bool) -> PrintRow:
    return PrintRow(
        document_id,
        fp.lang,
        official,
        fp.shingles,
        fp.points,
        fp.anchors,
        fp.text_sig.tobytes(),
        fp.anchor_sig.tobytes(),
        fp.opening,
        None,
    )


def _candidate(row: PrintRow) -> families.Candidate:
    fp = families.Fingerprint(
        lang=row.lang,
        shingles=row.shingles,
        text_sig=np.frombuffer(row.text_sig, dtype=np.uint32),
        anchor_sig=np.frombuffer(row.anchor_sig, dtype=np.uint32),
        anchors=row.anchors,
        points=row.points,
        opening=row.opening,
    )
    vector = np.frombuffer(row.embedding, dtype=np.float32) if row.embedding else None
    return families.Candidate(row.document_id, fp, row.official, vector)


def _remembering(
    embed: families.Embed | None,
) -> tuple[families.Embed | None, dict[str, np.ndarray]]:
    """`embed`, keeping what it computed by text, so the caller can store it."""
    made: dict[str, np.ndarray] = {}
    if embed is None:
        return None, made

    def remember(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in made]
        if missing:
            made.update(zip(missing, np.asarray(embed(missing), dtype=np.float32), strict=True))
        return np.stack([made[t] for t in texts])

    return remember, made


def place(
    store: Store,
    config: Config,
    source: Source,
    document_id: int,
    text: str,
    title: str | None,
    previous: str | None,
    at: datetime,
) -> None:
    """Fingerprint a new version, find its family, and look for divergence."""
    official = source.kind == "official"
    fp = families.fingerprint(text, title)
    keys = fp.lsh_keys()
    store.save_print(_row(document_id, fp, official), keys, at)
    if store.membership(document_id) is None:
        found = _join(store, fp, keys, official, document_id, at)
        if found is not None and official:
            member = store.family_of(document_id)
            if member is not None:
                _diverge(store, config, source, member, None, text, at)
    elif previous is not None and official:
        member = store.family_of(document_id)
        if member is not None:
            _diverge(store, config, source, member, previous, text, at)


def _join(
    store: Store,
    fp: families.Fingerprint,
    keys: list[tuple[str, int, int]],
    official: bool,
    document_id: int,
    at: datetime,
) -> families.Link | None:
    """Link a document that has no family yet: its best match among the LSH
    candidates, and the press texts seen before it that quote it."""
    candidates = [_candidate(r) for r in store.family_candidates(keys, exclude=document_id)]
    embed, made = _remembering(embedder())
    found = families.link(fp, official, candidates, embed)
    for c in candidates:  # an opening is embedded once, then read from the store
        if c.embedding is None and c.print.opening in made:
            store.save_embedding(c.document_id, made[c.print.opening].tobytes())
    if fp.opening in made:
        store.save_embedding(document_id, made[fp.opening].tobytes())
    if found is not None and found.relation == "copy":
        mate = store.membership(found.document_id)
        if mate is not None and mate[1] == "quotation":
            # taken for a quote of a text it only resembles, it is a copy of this
            # one: it leaves that family and this text's family forms around it
            store.leave_family(found.document_id)
            log.info("document %s was a copy, not a quote: it moves", found.document_id)
    if found is not None:
        family_id = store.join_family(
            document_id, found.document_id, found.relation, found.score, found.reasons, at
        )
        log.info("document %s joins family %s as %s", document_id, family_id, found.relation)
        _merge(store, document_id, family_id, families.copies_of(fp, candidates))
    for quote in families.quoted_by(fp, official, candidates):
        store.join_family(
            quote.document_id, document_id, "quotation", quote.score, quote.reasons, at
        )
    return found


def _merge(store: Store, document_id: int, family_id: int, copies: list[families.Link]) -> None:
    """A copy of texts in two families joins them: two workers placing copies at
    once can each found a family before seeing the other's copy."""
    for copy in copies:
        mate = store.membership(copy.document_id)
        if mate is not None and mate[0] != family_id and mate[1] != "quotation":
            kept = store.merge_families(family_id, mate[0], document_id, copy.score, copy.reasons)
            log.info("families %s and %s carry one text: merged into %s", family_id, mate[0], kept)
            family_id = kept


def _diverge(
    store: Store,
    config: Config,
    source: Source,
    member: MemberRow,
    previous: str | None,
    text: str,
    at: datetime,
) -> None:
    """One divergence event for one version: the same-language official siblings
    that did not make this edit (or, for a copy joining, the points where it reads
    otherwise than they do), and numbers, dates and names that now differ from the
    official copies in other languages (each difference reported once per family)."""
    siblings = [
        m
        for m in store.family_members(member.family_id)
        if m.document_id != member.document_id and m.official and m.relation != "quotation"
    ]
    if not siblings:
        return
    texts = {m.document_id: store.latest_text(m.document_id) for m in siblings}
    if previous is not None:
        edited = _edited(member, siblings, texts, previous, text)
    else:
        edited = _differs(member, siblings, texts, text)
    known = {
        _key(n)
        for d in store.divergences(family_id=member.family_id)
        for n in d.detail.get("facts", [])
    }
    found = [n for n in _facts(siblings, texts, member, text) if _key(n) not in known]
    if not edited and not found:
        return
    kind = ("edited" if previous is not None else "differs") if edited else "facts"
    detail = {"kind": kind, "document": _who(member), "points": edited, "facts": found}
    _record(store, config, source, member, kind, detail, at)


def _edited(
    member: MemberRow,
    siblings: list[MemberRow],
    texts: dict[int, str],
    previous: str,
    text: str,
) -> list[dict[str, Any]]:
    """The points this edit changed that a same-language official sibling still
    reads as before (the whole text when there are no numbered points)."""
    old, new = families.point_texts(previous), families.point_texts(text)
    changed = [
        p for p in dict.fromkeys([*old, *new]) if not families.same_text(old.get(p), new.get(p))
    ]
    if not old and not new:
        changed = [""]
    unchanged: dict[str, list[MemberRow]] = {}
    for sibling in (m for m in siblings if m.lang == member.lang):
        theirs = families.point_texts(texts[sibling.document_id])
        for point in changed:
            before = old.get(point) if point else previous
            after = theirs.get(point) if point else texts[sibling.document_id]
            if families.same_text(before, after):
                unchanged.setdefault(point, []).append(sibling)
    return [
        {
            "point": point,
            "before": _clip(old.get(point) if point else previous),
            "after": _clip(new.get(point) if point else text),
            "unchanged": [_who(m) for m in mates],
        }
        for point, mates in unchanged.items()
    ]


def _differs(
    member: MemberRow, siblings: list[MemberRow], texts: dict[int, str], text: str
) -> list[dict[str, Any]]:
    """A copy joining its family: the points where it says something else than a
    same-language official sibling — a number, a date, a name, a modal word or a
    clause (the analysis's "moderate" or more: quote style, typos and word forms
    are how copies differ anyway)."""
    mine = families.point_texts(text)
    out: dict[str, dict[str, Any]] = {}
    for sibling in (m for m in siblings if m.lang == member.lang):
        theirs = families.point_texts(texts[sibling.document_id])
        for point, body in mine.items():
            other = theirs.get(point)
            if other is None or families.same_text(body, other):
                continue
            judged = summarize(other, body)
            if SIGNIFICANCE.index(judged.significance) < SIGNIFICANCE.index("moderate"):
                continue
            row = out.setdefault(
                point,
                {
                    "point": point,
                    "after": _clip(body),
                    "reason": judged.headline(),
                    "unchanged": [],
                },
            )
            row["before"] = _clip(other)
            row["unchanged"].append(_who(sibling))
    return list(out.values())


def _facts(
    siblings: list[MemberRow], texts: dict[int, str], member: MemberRow, text: str
) -> list[dict[str, Any]]:
    """Per point, the numbers, dates and names this text has and an official copy
    in another language lacks (and the reverse), as each side writes them; one
    entry for a difference however many siblings show it."""
    mine = {point: facts.read(body) for point, body in families.point_texts(text).items()}
    everything_mine = facts.read(text)
    out: dict[tuple[str, tuple[str, ...], tuple[str, ...]], dict[str, Any]] = {}
    for sibling in (m for m in siblings if m.lang != member.lang):
        their_text = texts[sibling.document_id]
        theirs = families.point_texts(their_text)
        everything_theirs = facts.read(their_text)
        for point, a in mine.items():
            if point not in theirs:
                continue
            b = facts.read(theirs[point])
            here = facts.missing(a, b, everything_theirs)
            there = facts.missing(b, a, everything_mine)
            if not here and not there:
                continue
            entry: dict[str, Any] = {
                "point": point,
                "here": [f.text for f in here],
                "there": [f.text for f in there],
                "kinds": sorted({f.kind for f in here + there}),
                "langs": [member.lang, sibling.lang],
                "siblings": [],
            }
            entry = out.setdefault(_key(entry), entry)  # the same difference, once
            entry["siblings"].append(_who(sibling))
            if sibling.lang not in entry["langs"]:
                entry["langs"].append(sibling.lang)
    return list(out.values())


def _key(n: dict[str, Any]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A difference of facts whichever side reports it: point and the two sides."""
    here, there = tuple(n.get("here", [])), tuple(n.get("there", []))
    first, second = sorted((here, there))
    return str(n.get("point")), first, second


def _who(m: MemberRow) -> dict[str, Any]:
    return {"id": m.document_id, "url": m.url, "source": m.source_id, "lang": m.lang}


def _clip(text: str | None, limit: int = 400) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _record(
    store: Store,
    config: Config,
    source: Source,
    member: MemberRow,
    kind: str,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    drafts = drafts_for(
        config,
        event="diverged",
        source=source,
        document={"id": member.document_id, "url": member.url, "title": member.title},
        versions={"from": None, "to": None},
        at=at,
        themes=store.latest_themes(member.document_id),
        extra={"divergence": {"family": member.family_id, **detail}},
    )
    store.record_divergence(member.family_id, member.document_id, kind, detail, at, drafts)
    log.info("family %s diverged (%s) at document %s", member.family_id, kind, member.document_id)
