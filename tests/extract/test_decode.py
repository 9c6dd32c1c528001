"""Russian pages decode correctly wherever (or whether) the charset is declared."""

from __future__ import annotations

import codecs

import pytest

from monitor.extract.decode import DecodeError, decode_body

RU = "Россия и Казахстан подписали декларацию о всеобъемлющем стратегическом партнерстве."
KK = "Қазақстан мен Ресей арасындағы одақтастық туралы декларация қол қойылды."


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>т</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8"])
def test_no_declaration_anywhere(encoding: str) -> None:
    text, used = decode_body(page(RU).encode(encoding), "text/html")
    assert RU in text
    assert codecs.lookup(used).name == codecs.lookup(encoding).name


def test_header_declaration() -> None:
    text, used = decode_body(page(RU).encode("koi8-r"), "text/html; charset=KOI8-R")
    assert RU in text and used == "koi8-r"


def test_meta_declaration() -> None:
    body = page(RU, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">')
    text, used = decode_body(body.encode("cp1251"), None)
    assert RU in text and used == "cp1251"


def test_html5_meta_charset() -> None:
    text, _ = decode_body(page(RU, '<meta charset="koi8-r">').encode("koi8-r"), "text/html")
    assert RU in text


def test_utf8_with_bom_and_kazakh_letters() -> None:
    text, used = decode_body(codecs.BOM_UTF8 + page(KK).encode("utf-8"), "text/html")
    assert KK in text and not text.startswith("\ufeff") and used == "utf-8"


def test_wrong_header_is_not_trusted() -> None:
    """Header says UTF-8, bytes are windows-1251: the bytes win."""
    text, used = decode_body(page(RU).encode("cp1251"), "text/html; charset=utf-8")
    assert RU in text and used == "cp1251"


def test_latin1_header_on_a_cyrillic_page() -> None:
    text, _ = decode_body(page(RU).encode("cp1251"), "text/html; charset=iso-8859-1")
    assert RU in text


def test_single_byte_label_on_utf8_bytes() -> None:
    text, used = decode_body(page(KK).encode("utf-8"), "text/html; charset=windows-1251")
    assert KK in text and used == "utf-8"


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError, match="not text"):
        decode_body(bytes(range(256)) * 10, "text/html")
