"""Bytes to text by kind: PDF and DOCX files, or an HTML page (decode, then extract).

One function shared by the cycle, intake, `monitor extract` and re-extraction,
so that a page tried by hand, a stored body read again and a fresh fetch all
give the same text for the same bytes and rules.
"""

from __future__ import annotations

from dataclasses import replace

from monitor.config import Source
from monitor.extract.article import Extracted, extract
from monitor.extract.attachments import extract_docx, extract_pdf
from monitor.extract.decode import decode_body
from monitor.extract.page import check_content_type, is_attachment
from monitor.extract.region import locate


def extract_body(
    body: bytes,
    content_type: str | None,
    url: str,
    source: Source,
    prefer: str | None = None,
    *,
    with_region: bool = True,
) -> tuple[Extracted, str | None]:
    """The main text of `body` under `source`'s rules, and the encoding it was read in;
    `prefer`: the automatic extractor this document's text came from last time;
    `with_region=False` skips locating the text in the page (a read only compared)."""
    kind = is_attachment(content_type, url)
    if kind == "pdf":
        return extract_pdf(body), None
    if kind == "docx":
        return extract_docx(body), None
    check_content_type(content_type)
    html, encoding = decode_body(body, content_type)
    page = extract(html, select=source.select, remove=source.remove, prefer=prefer)
    if not with_region or page.region is not None:
        return page, encoding
    return replace(page, region=locate(html, page.text)), encoding
