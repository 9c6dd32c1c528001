"""PDF and DOCX text extraction on real generated files (Russian and Kazakh)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pypdf
import pytest
from fpdf import FPDF

from monitor.extract.article import ExtractionError, normalize_text
from monitor.extract.attachments import extract_docx, extract_pdf, is_attachment
from monitor.simweb.docs import find_font, make_blank_pdf, make_docx, make_pdf

KAZAKH = [
    "Қазақстан Республикасы мен Ресей Федерациясы арасындағы стратегиялық әріптестік туралы "
    "келісімге қол қойылды.",
    "Тараптар сауда-экономикалық ынтымақтастықты нығайтуға, көлік-логистикалық әлеуетті "
    "дамытуға және шекара маңындағы өңірлердің өзара іс-қимылын кеңейтуге уағдаласты.",
    "Құжат қазақ және орыс тілдерінде екі данада жасалды, екі мәтіннің де күші бірдей: ү, һ, ұ.",
]


def title_and_paragraphs(text: str) -> tuple[str, list[str]]:
    lines = [line for line in text.split("\n") if line.strip()]
    return lines[0], lines[1:]


def encrypt(body: bytes, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(body))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_three_page_russian_pdf_round_trips(fixture_text: str) -> None:
    title, paragraphs = title_and_paragraphs(fixture_text)
    created = datetime(2025, 11, 12, 10, 0, tzinfo=UTC)
    body = make_pdf(paragraphs, title=title, created=created)
    reader = pypdf.PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 3
    raw = [page.extract_text() for page in reader.pages]
    # the layout really breaks words across lines and paragraphs across pages
    broken = re.findall(r"(\w+)-\n(\w+)", "\n".join(raw))
    assert any(head[-1].islower() and tail[0].islower() for head, tail in broken)
    assert not raw[0].rstrip().endswith(".")
    assert any(re.fullmatch(r"\s*2\s*", line) for line in raw[1].split("\n"))  # page number

    extracted = extract_pdf(body)

    assert extracted.text == normalize_text("\n".join([title, *paragraphs]))
    for head, tail in broken:
        if head[-1].islower() and tail[0].islower():
            assert head + tail in extracted.text
    assert extracted.title == title
    assert extracted.published_at == created


def test_pdf_paragraphs_without_indents_and_title_from_first_line(fixture_text: str) -> None:
    _, paragraphs = title_and_paragraphs(fixture_text)
    body = make_pdf(
        [*paragraphs[:4], *KAZAKH],
        title="Келісім",
        metadata_title=False,
        indent_mm=0,
        paragraph_spacing=0.6,
    )
    extracted = extract_pdf(body)
    assert extracted.text == normalize_text("\n".join(["Келісім", *paragraphs[:4], *KAZAKH]))
    assert extracted.title == "Келісім"


def test_pdf_keeps_hyphens_that_belong_to_words() -> None:
    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("Body", fname=str(find_font()))
    pdf.set_font("Body", size=11)
    pdf.add_page()
    lines = [
        "Делегации встретились в Санкт-",
        "Петербурге и обсудили сотруд-",
        "ничество, начатое в 1990-",
        "х годах, и северо-",
        "западный коридор; северо-западный маршрут открыт.",
    ]
    for number, line in enumerate(lines):
        pdf.text(72, 100 + 15 * number, line)
    extracted = extract_pdf(bytes(pdf.output()))
    assert extracted.text == (
        "Делегации встретились в Санкт-Петербурге и обсудили сотрудничество, начатое в "
        "1990-х годах, и северо-западный коридор; северо-западный маршрут открыт."
    )


def test_docx_with_kazakh_letters() -> None:
    created = datetime(2025, 11, 12, tzinfo=UTC)
    table = [["Ресей Федерациясы үшін", "Қазақстан Республикасы үшін"]]
    body = make_docx(KAZAKH, title="Келісім жобасы", created=created, table=table)
    extracted = extract_docx(body)
    assert extracted.text == "\n".join(
        ["Келісім жобасы", *KAZAKH, "Ресей Федерациясы үшін | Қазақстан Республикасы үшін"]
    )
    assert extracted.title == "Келісім жобасы"
    assert extracted.published_at == created
    assert set("әғқңөұүһі") <= set(extracted.text)


def test_docx_title_from_first_line_without_metadata() -> None:
    extracted = extract_docx(make_docx(KAZAKH, title=None))
    assert extracted.title == KAZAKH[0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty PDF file"),
        (b"this is not a pdf at all", "not a PDF"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nbroken", "corrupt PDF"),
    ],
)
def test_bad_pdf_bytes(body: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_pdf(body)


def test_truncated_pdf_is_corrupt() -> None:
    body = make_pdf(KAZAKH, title="Келісім")
    with pytest.raises(ExtractionError, match="corrupt PDF"):
        extract_pdf(body[: len(body) // 2])


def test_pdf_without_text_layer() -> None:
    with pytest.raises(ExtractionError, match=r"no text layer \(2 pages, probably scanned"):
        extract_pdf(make_blank_pdf(2))


def test_encrypted_pdf() -> None:
    body = make_pdf(KAZAKH, title="Келісім")
    with pytest.raises(ExtractionError, match="encrypted PDF: a password is required"):
        extract_pdf(encrypt(body, "secret"))
    # an empty user password only restricts printing and copying: the text is readable
    assert extract_pdf(encrypt(body, "")).text == extract_pdf(body).text


def test_pdf_caps() -> None:
    body = make_pdf(KAZAKH * 30)
    assert len(pypdf.PdfReader(io.BytesIO(body)).pages) >= 2
    with pytest.raises(ExtractionError, match="the limit is 1"):
        extract_pdf(body, max_pages=1)
    with pytest.raises(ExtractionError, match="the limit is 1000"):
        extract_pdf(body, max_bytes=1000)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty DOCX file"),
        (b"PK\x03\x04 not really a zip", "corrupt DOCX: not a ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "password-protected DOCX or a legacy"),
    ],
)
def test_bad_docx_bytes(body: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_docx(body)


def test_docx_zip_without_document_and_empty_document() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    with pytest.raises(ExtractionError, match="corrupt DOCX"):
        extract_docx(out.getvalue())
    with pytest.raises(ExtractionError, match="no text"):
        extract_docx(make_docx([], title=None))


@pytest.mark.parametrize(
    ("content_type", "url", "kind"),
    [
        ("application/pdf", "https://gov.kz/doc", "pdf"),
        ("application/pdf; charset=binary", "https://gov.kz/doc.docx", "pdf"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "https://x/1",
            "docx",
        ),
        (None, "https://kremlin.ru/files/Soglashenie.PDF?download=1", "pdf"),
        ("application/octet-stream", "https://x/get.php?file=protocol.docx", "docx"),
        ("", "https://x/files/%D0%B4%D0%BE%D0%BA.pdf", "pdf"),
        ("text/html; charset=utf-8", "https://x/agreement.pdf", None),
        (None, "https://x/news/123", None),
        (None, "https://x/old.doc", None),
    ],
)
def test_is_attachment(content_type: str | None, url: str, kind: str | None) -> None:
    assert is_attachment(content_type, url) == kind


def test_pdf_with_junk_metadata_falls_back_to_first_line() -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf(KAZAKH, title="Келісім")))
    writer.add_metadata({"/CreationDate": "D:garbage", "/Title": "Microsoft Word - 123.docx"})
    out = io.BytesIO()
    writer.write(out)
    extracted = extract_pdf(out.getvalue())
    assert extracted.title == "Келісім"
    assert extracted.published_at is None
