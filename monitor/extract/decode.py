"""Turn response bytes into text, getting Russian legacy encodings right.

Order of evidence follows the HTML standard (BOM, then the HTTP header, then a
meta tag), but a declaration is only trusted if the bytes decode under it:
Russian sites still serve windows-1251 labelled as UTF-8 and vice versa.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from monitor.extract.page import DecodeError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Legacy Cyrillic code pages a Russian or Kazakh site may still use.
_CYRILLIC_CANDIDATES = ("cp1251", "koi8-r", "cp866", "iso8859-5", "mac-cyrillic")
_LOWER = re.compile("[а-яё]")
_CYR = re.compile("[А-Яа-яЁё]")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    aliases = {"win-1251": "cp1251", "windows1251": "cp1251", "x-cp1251": "cp1251"}
    label = aliases.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*([^\s;]+)", content_type, re.IGNORECASE)
    return _codec(match.group(1)) if match else None


def _cyrillic_score(text: str) -> float:
    """Real Russian prose is mostly lower-case; a wrong code page scrambles case and letters."""
    cyr = len(_CYR.findall(text))
    if not cyr:
        return 0.0
    return len(_LOWER.findall(text)) / cyr * min(cyr, 2000)


def _sniff(body: bytes) -> tuple[str, str]:
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for enc in _CYRILLIC_CANDIDATES:
        try:
            text = body.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _cyrillic_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is not None and best[0] > 0:
        return best[1], best[2]
    guess = from_bytes(body[:200_000]).best()
    if guess is not None:
        return str(guess), guess.encoding
    raise DecodeError("cannot determine the text encoding of the body")


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding name); binary data is refused rather than stored as mojibake."""
    text, encoding = _decode(body, content_type)
    sample = text[:20_000]
    controls = len(_CONTROL.findall(sample))
    if sample and controls / len(sample) > 0.01:
        raise DecodeError(
            f"body is not text: {controls} control characters in the first {len(sample)} "
            f"(decoded as {encoding})"
        )
    return text, encoding


def _decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    for bom, enc in _BOMS:
        if body.startswith(bom):
            try:
                return body[len(bom) :].decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DecodeError(f"body starts with a {enc} BOM but is not {enc}: {exc}") from None
    meta = _META_CHARSET.search(body[:4096])
    meta_enc = _codec(meta.group(1).decode("ascii", "replace")) if meta else None
    if meta_enc and meta_enc.startswith("utf-16"):
        meta_enc = None  # a meta tag readable as ASCII cannot honestly declare UTF-16
    for declared in (header_charset(content_type), meta_enc):
        if declared is None:
            continue
        enc = declared
        try:
            text = body.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc != "utf-8" and enc in (*_CYRILLIC_CANDIDATES, "iso8859-1", "cp1252"):
            # A single-byte declaration always "decodes"; check it is not UTF-8 mislabelled.
            try:
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
            if enc in ("iso8859-1", "cp1252"):
                sniffed, sniffed_enc = _sniff(body)
                if _cyrillic_score(sniffed) > 0:
                    return sniffed, sniffed_enc
        return text, enc
    return _sniff(body)
