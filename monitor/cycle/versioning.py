"""A new version as the store records it, built the same way for a publisher's
edit (monitor/cycle/process.py) and for a re-extraction (reextract.py)."""

from __future__ import annotations

from monitor.analysis.assess import Assessment
from monitor.diff import DiffOps, stats
from monitor.extract.article import Extracted, text_hash
from monitor.store import NewVersion


def new_version(
    body: bytes,
    content_type: str | None,
    encoding: str | None,
    page: Extracted,
    rules: str,
    ops: DiffOps | None,
    assessment: Assessment,
) -> NewVersion:
    """`page` holds the final text (volatile lines already dropped); `ops` the
    word diff from the previous version, None for a first version."""
    counted = stats(ops) if ops is not None else None
    return NewVersion(
        body=body,
        content_type=content_type,
        encoding=encoding,
        text=page.text,
        text_hash=text_hash(page.text),
        title=page.title,
        published_at=page.published_at,
        rules=rules,
        diff=ops,
        inserted_chars=counted.inserted_chars if counted else 0,
        deleted_chars=counted.deleted_chars if counted else 0,
        themes=assessment.themes,
        change_themes=assessment.change_themes,
        summary=assessment.summary,
        significance=assessment.significance,
        extractor=page.extractor,
        region=region_of(page),
    )


def region_of(page: Extracted) -> tuple[str, str] | None:
    """Where the page's text sits, as the store keeps it: (path, digest)."""
    return (page.region.path, page.region.digest) if page.region else None
