"""Bounds a DOCX must stay within before python-docx parses it.

Why a check of its own: python-docx builds a full lxml tree of every part, at
about 150 bytes per element, so a zip bomb or a dense file well under the
download limit could take gigabytes and minutes. Declared member sizes can be
trusted as upper bounds: zipfile stops inflating a member at its declared size
and then fails its CRC check, so a member that lies about its size is corrupt,
not a bomb. The main part is then stream-parsed once, keeping nothing, to count
its elements and depth.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import IO

from monitor.extract.article import ExtractionError

MAX_DOCX_XML_BYTES = 60_000_000  # all members together, uncompressed
MAX_DOCX_MEMBERS = 2_000
# Elements in the main document part: a 300-page treaty has about 250,000;
# at the bound python-docx needs ~10 s and ~110 MB.
MAX_DOCX_ELEMENTS = 500_000
MAX_DOCX_DEPTH = 200


def _count_elements(stream: IO[bytes], name: str) -> None:
    """Stream-parse one XML member, counting elements and depth, keeping nothing."""
    from lxml import etree

    count = depth = 0
    for event, element in etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True
    ):
        if event == "start":
            count += 1
            depth += 1
            if count > MAX_DOCX_ELEMENTS:
                raise ExtractionError(
                    f"DOCX part {name} has more than {MAX_DOCX_ELEMENTS} elements; "
                    "too dense to read safely"
                )
            if depth > MAX_DOCX_DEPTH:
                raise ExtractionError(f"DOCX part {name} nests deeper than {MAX_DOCX_DEPTH}")
            continue
        depth -= 1
        element.clear()


def check_docx_bounds(body: bytes) -> None:
    """Refuse a DOCX whose parsing would cost far more than its size suggests."""
    from lxml import etree

    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"corrupt DOCX: not a ZIP archive ({exc})") from exc
    try:
        with archive:
            members = archive.infolist()
            if len(members) > MAX_DOCX_MEMBERS:
                raise ExtractionError(
                    f"DOCX has {len(members)} parts; the limit is {MAX_DOCX_MEMBERS}"
                )
            size = sum(i.file_size for i in members)
            if size > MAX_DOCX_XML_BYTES:
                raise ExtractionError(
                    f"DOCX expands to {size} bytes; the limit is {MAX_DOCX_XML_BYTES} (a zip bomb?)"
                )
            main = "word/document.xml"
            if main in archive.namelist():
                with archive.open(main) as stream:
                    _count_elements(stream, main)
    except zipfile.BadZipFile as exc:  # e.g. a member inflating past its declared size
        raise ExtractionError(f"corrupt DOCX: {exc}") from exc
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt DOCX: malformed XML: {exc}") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
