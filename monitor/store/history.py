"""Compact history: a version's text is kept whole only where it must be.

Why: a one-word edit of a 40 KB text used to cost 2.5 times the text (the full
text again, plus a diff that repeated every unchanged word). Now:

- the latest version of a document keeps its text plain (every fetch compares
  with it, and the search index and snippets read it in SQL);
- every KEYFRAME-th version keeps its text zlib-compressed (`text_z`);
- any other version keeps no text ("" in `text`): it is its predecessor plus the
  change to it;
- a change's diff is stored by positions — unchanged runs as a character count,
  deletions as a count, insertions as text — instead of repeating the text.

Reading version n costs at most KEYFRAME - 1 diffs applied to a keyframe; every
version stays readable in full, and any two are diffable.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Change, Version

KEYFRAME = 16  # versions 1, 17, 33, ... keep their text (compressed)
Ops = list[tuple[int, str]]


def pack(ops: Sequence[tuple[int, str]]) -> str:
    """A word diff as positions: `n` keeps n characters, `[-1, n]` deletes n,
    `[1, "text"]` inserts text. The old text is needed to read it back."""
    out: list[Any] = []
    for op, text in ops:
        if op == 0:
            out.append(len(text))
        elif op == -1:
            out.append([-1, len(text)])
        else:
            out.append([1, text])
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def is_packed(items: list[Any]) -> bool:
    """Packed diffs have counts where the older format repeated the text."""
    return any(
        isinstance(item, int) or (item[0] == -1 and isinstance(item[1], int)) for item in items
    ) or all(item[0] == 1 for item in items)


def unpack(raw: str, old: str) -> Ops:
    """The (op, text) diff from `old`, from either stored format."""
    items = json.loads(raw)
    if not is_packed(items):
        return [(int(op), str(text)) for op, text in items]
    ops: Ops = []
    at = 0
    for item in items:
        if isinstance(item, int):
            ops.append((0, old[at : at + item]))
            at += item
        elif item[0] == -1:
            ops.append((-1, old[at : at + item[1]]))
            at += item[1]
        else:
            ops.append((1, str(item[1])))
    if at != len(old):
        raise ValueError(f"stored diff covers {at} of {len(old)} characters")
    return ops


def apply(ops: Ops) -> str:
    """The new text of a diff."""
    return "".join(text for op, text in ops if op != -1)


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _own_text(text: str | None, text_z: bytes | None) -> str | None:
    """A version's text from its own columns (plain, or a compressed keyframe)."""
    if text:
        return text
    if text_z is not None:
        return zlib.decompress(text_z).decode("utf-8")
    return None


def rebuilt(s: Session, document_id: int, upto: int, since: int = 1) -> list[tuple[Version, str]]:
    """Versions `since`..`upto` of a document with their texts, rebuilt from the
    nearest keyframe at or before `since`. Missing versions are absent."""
    start = s.scalar(
        select(Version.seq)
        .where(
            Version.document_id == document_id,
            Version.seq <= since,
            (Version.text != "") | (Version.text_z.is_not(None)),
        )
        .order_by(Version.seq.desc())
        .limit(1)
    )
    if start is None:
        return []
    rows = s.execute(
        select(Version, Change.diff)
        .outerjoin(Change, Change.to_version_id == Version.id)
        .where(Version.document_id == document_id, Version.seq >= start, Version.seq <= upto)
        .order_by(Version.seq)
    ).all()
    out: list[tuple[Version, str]] = []
    previous: str | None = None
    for version, diff in rows:
        text = _own_text(version.text, version.text_z)
        if text is None:
            if previous is None or diff is None:
                where = f"version {version.seq} of document {document_id}"
                raise ValueError(f"{where} cannot be rebuilt: no text and no change")
            text = apply(unpack(diff, previous))
        previous = text
        if version.seq >= since:
            out.append((version, text))
    return out


def texts(s: Session, document_id: int, upto: int, since: int = 1) -> dict[int, str]:
    """The texts of versions `since`..`upto`, by sequence number (see `rebuilt`)."""
    return {version.seq: text for version, text in rebuilt(s, document_id, upto, since)}


def text_of(s: Session, document_id: int, seq: int) -> str | None:
    """One version's text: its own column when it has one (the latest version, a
    keyframe), without loading the row or any diff; else rebuilt."""
    own = s.execute(
        select(Version.text, Version.text_z).where(
            Version.document_id == document_id, Version.seq == seq
        )
    ).first()
    if own is None:
        return None
    text = _own_text(own.text, own.text_z)
    return text if text is not None else texts(s, document_id, seq, seq).get(seq)


def demote(s: Session, document_id: int, seq: int) -> None:
    """Version `seq` stopped being the latest: keep its text compressed if it is a
    keyframe (or has no change to rebuild it from), else drop it."""
    version = s.scalar(
        select(Version).where(Version.document_id == document_id, Version.seq == seq)
    )
    if version is None or not version.text:
        return
    has_change = s.scalar(select(Change.id).where(Change.to_version_id == version.id)) is not None
    if (seq - 1) % KEYFRAME == 0 or not has_change:
        version.text_z = compress(version.text)
    version.text = ""
