"""Views of stored history shared by the web UI, the JSON API and the CLI.

Why one place: "show the change between two versions" means the stored diff,
summary and themes when the versions are consecutive (what the alert said),
and otherwise the same diff and assessment computed now. Written once here,
the three front ends cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.analysis.assess import assess
from monitor.config import Config
from monitor.diff import diff_words
from monitor.extract.decode import DecodeError, decode_body
from monitor.sources import language_key
from monitor.store import Reader


@dataclass(frozen=True)
class Comparison:
    """Two versions of a document and what changed between them."""

    from_seq: int  # 0: from nothing, the first version shown in full
    to_seq: int
    old: str
    new: str
    ops: list[tuple[int, str]]
    summary: dict[str, Any] | None
    themes: list[dict[str, Any]]  # of the change (inserted and deleted text)
    significance: str | None
    stored: bool  # True: what was recorded when the change was found

    @property
    def identical(self) -> bool:
        return self.old == self.new

    @property
    def headline(self) -> str | None:
        return (self.summary or {}).get("headline")


def compare(
    store: Reader, config: Config, document_id: int, from_seq: int, to_seq: int
) -> Comparison:
    """The change from version `from_seq` to `to_seq` (0 for "from nothing").

    Raises LookupError naming the version that does not exist.
    """
    new = store.version_text(document_id, to_seq)
    old = "" if from_seq == 0 else store.version_text(document_id, from_seq)
    if old is None or new is None:
        missing = from_seq if old is None else to_seq
        raise LookupError(f"no version {missing} of document {document_id}")
    stored = store.stored_diff(document_id, from_seq, to_seq, old) if from_seq else None
    if stored is not None:
        return Comparison(
            from_seq,
            to_seq,
            old,
            new,
            list(stored["ops"]),
            stored["summary"],
            list(stored["themes"] or []),
            stored["significance"],
            stored=True,
        )
    ops = diff_words(old, new)
    judged = assess(config, old, new, ops) if from_seq and old != new else None
    return Comparison(
        from_seq,
        to_seq,
        old,
        new,
        ops,
        judged.summary if judged else None,
        (judged.change_themes or []) if judged else [],
        judged.significance if judged else None,
        stored=False,
    )


def raw_text(store: Reader, document_id: int, seq: int) -> str | None:
    """The raw body behind a version, decoded for viewing (never rendered: the
    caller escapes it). Binary files (PDF, DOCX) are described, not dumped."""
    snap = store.snapshot_of(document_id, seq)
    if snap is None:
        return None
    if snap.body is None:
        return f"[the raw body ({snap.size} bytes) is not stored]"
    ctype = (snap.content_type or "").lower()
    if "pdf" in ctype or "officedocument" in ctype or "msword" in ctype:
        return f"[binary file: {snap.content_type}, {snap.size} bytes]"
    try:
        return decode_body(snap.body, snap.content_type)[0]
    except DecodeError as exc:
        return f"[{snap.content_type or 'unknown type'}, {snap.size} bytes: {exc}]"


def translations(store: Reader, document_id: int) -> list[dict[str, Any]]:
    """Other-language versions of the same text, recognised by URL: the same
    site and path once a language subdomain or path segment is taken out."""
    url = store.document_url(document_id)
    if url is None:
        return []
    site, path, language = language_key(url)
    if not site or path == "/":
        return []
    out = []
    for other_id, other_url, title in store.documents_on_site(site, document_id):
        other_site, other_path, other_language = language_key(other_url)
        if (other_site, other_path) == (site, path) and other_language != language:
            out.append(
                {"id": other_id, "url": other_url, "title": title, "language": other_language}
            )
    return out
