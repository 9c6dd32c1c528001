"""The confirm fetch: before a text counts as changed, fetch the page once more.

Why: many pages change on every request in places the extractor keeps (a
rotating teaser, a live counter it does not recognise). Lines that differ
between two fetches made a moment apart cannot be the publisher's edit; they are
learned as volatile for the source (monitor/cycle/stability.py) and kept out of its
texts, so the change that was about to be stored is judged without them. A real
edit is in both fetches and goes through untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from monitor.config import Source
from monitor.cycle.core import Cycle
from monitor.cycle.stability import drop_volatile, flipping_lines
from monitor.extract.page import DecodeError, Extracted, ExtractionError, text_hash
from monitor.fetch.client import FetchResult
from monitor.store import DocumentState, Store, sha256, utcnow

log = logging.getLogger(__name__)


async def confirm_change(
    cycle: Cycle, source: Source, state: DocumentState, fetched: FetchResult
) -> tuple[Extracted, str | None] | None:
    """Fetch again after `fetch.confirm_delay` if the text seems changed; learn what flipped.

    Returns the first fetch's extraction when it was made, so the cycle does not
    extract the same body a second time."""
    if not (state.latest_seq and fetched.ok and fetched.body) or fetched.not_modified:
        return None
    if sha256(fetched.body) == state.last_body_sha256:
        return None
    # Imported here, once a body has moved: the extractors (BeautifulSoup,
    # trafilatura, readability) are ~0.2 s of imports a quiet check never needs.
    from monitor.extract.bodies import extract_body

    store = cycle.store
    volatile = await cycle.volatile(source.id)
    read = await cycle.in_writer(_read, extract_body, source, state, fetched)
    if read is None or text_hash(drop_volatile(read[0].text, volatile)) == state.latest_text_hash:
        return read
    stored = await cycle.in_writer(_stored_text, store, state)  # read once, used thrice
    first = _text_if_changed(stored, read, volatile)
    if first is None:
        return read
    await asyncio.sleep(cycle.config.fetch.confirm_delay)
    again = await cycle.fetcher.fetch(state.url)
    if not (again.ok and again.body) or again.body == fetched.body:
        return read  # the same bytes twice: the same text, nothing flipped
    read_again = await cycle.in_writer(_read, extract_body, source, state, again, False)
    second = _text_if_changed(stored, read_again, volatile)
    if second is None:
        # The second fetch matches the stored text: everything that changed flipped.
        flips = flipping_lines(first, stored)
    else:
        flips = flipping_lines(first, second, stored)
    if flips:
        added = await cycle.in_writer(store.add_volatile, source.id, flips, utcnow())
        cycle.learned(source.id, frozenset(pattern for pattern, _ in flips))
        log.info("%s: %d volatile lines learned on %s", source.id, added, state.url)
    return read


def _read(
    extract_body: Callable[..., tuple[Extracted, str | None]],
    source: Source,
    state: DocumentState,
    fetched: FetchResult,
    with_region: bool = True,
) -> tuple[Extracted, str | None] | None:
    try:
        return extract_body(
            fetched.body or b"",
            fetched.content_type,
            state.url,
            source,
            state.extractor,
            with_region=with_region,
        )
    except (DecodeError, ExtractionError):
        return None  # the cycle extracts again and records the error


def _stored_text(store: Store, state: DocumentState) -> str:
    return store.version_text(state.id, state.latest_seq) or ""


def _text_if_changed(
    stored: str, read: tuple[Extracted, str | None] | None, volatile: frozenset[str]
) -> str | None:
    """The fetched text (volatile lines dropped) if it differs from the stored one."""
    if read is None:
        return None
    text = drop_volatile(read[0].text, volatile)
    return None if drop_volatile(stored, volatile) == text else text
