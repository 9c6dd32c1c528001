"""A change as a memo an analyst can forward: Markdown or DOCX with the document,
the two versions and their dates, the significance and summary, the points and
themes the change touches, and the changed passages (deleted struck through,
inserted underlined), each with a little context.

DOCX is written with python-docx (already used to read attachments), so the memo
opens in Word and LibreOffice with real strike-through and underline runs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

from docx import Document
from docx.shared import RGBColor

from monitor.store.dto import DocumentItem
from monitor.views import Comparison

CONTEXT = 160  # characters of unchanged text shown around each changed passage
MAX_PASSAGES = 60


def passages(ops: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    """The diff cut into changed passages, each with up to CONTEXT characters of
    the unchanged text before and after it; far-apart changes are separate."""
    current: list[tuple[int, str]] = []
    for k, (op, text) in enumerate(ops):
        if op == 0:
            if not current:
                continue
            if len(text) > 2 * CONTEXT and k + 1 < len(ops):
                current.append((0, text[:CONTEXT] + " …"))
                yield current
                current = []
            else:
                current.append((0, text))
            continue
        if not current:
            before = ops[k - 1][1] if k and ops[k - 1][0] == 0 else ""
            current = [(0, ("… " if len(before) > CONTEXT else "") + before[-CONTEXT:])]
        current.append((op, text))
    if current:
        yield current


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "—"


def facts(
    doc: DocumentItem, change: Comparison, dates: dict[int, datetime]
) -> list[tuple[str, str]]:
    summary = change.summary or {}
    points = [
        *(summary.get("points_changed") or []),
        *(f"{p} (added)" for p in summary.get("points_added") or []),
        *(f"{p} (removed)" for p in summary.get("points_removed") or []),
    ]
    return [
        ("Document", doc.title or doc.url),
        ("Address", doc.url),
        ("Source", f"{doc.source_name} ({doc.kind}, {doc.country})"),
        (
            "Versions",
            f"{change.from_seq} ({_when(dates.get(change.from_seq))}) → "
            f"{change.to_seq} ({_when(dates.get(change.to_seq))})",
        ),
        ("Significance", change.significance or "—"),
        ("Points", ", ".join(points) or "—"),
        ("Themes", ", ".join(t["theme"] for t in change.themes) or "—"),
    ]


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("~", "\\~").replace("<", "&lt;")


def markdown(doc: DocumentItem, change: Comparison, dates: dict[int, datetime]) -> str:
    summary = change.summary or {}
    lines = [f"# Change memo: {_md_escape(doc.title or doc.url)}", ""]
    lines += [f"- **{k}:** {_md_escape(v)}" for k, v in facts(doc, change, dates)]
    lines += ["", "## Summary", "", _md_escape(change.headline or "No change.")]
    lines += [f"- {_md_escape(r)}" for r in summary.get("reasons") or [] if r != "no change"]
    lines += [
        "",
        "## Changed passages",
        "",
        "Deleted text is ~~struck through~~, inserted text **bold**.",
        "",
    ]
    for n, passage in enumerate(passages(change.ops), start=1):
        if n > MAX_PASSAGES:
            lines.append("… and more: see the diff in the web UI.")
            break
        parts = []
        for op, text in passage:
            text = _md_escape(text)
            if op < 0 and text.strip():
                parts.append(f"~~{text.strip()}~~ ")
            elif op > 0 and text.strip():
                parts.append(f"**{text.strip()}** ")
            else:
                parts.append(text)
        lines += [f"{n}. " + "".join(parts).replace("\n", " ").strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def docx(doc: DocumentItem, change: Comparison, dates: dict[int, datetime]) -> bytes:
    memo = Document()
    memo.add_heading(f"Change memo: {doc.title or doc.url}", level=1)
    table = memo.add_table(rows=0, cols=2)
    for key, value in facts(doc, change, dates):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    memo.add_heading("Summary", level=2)
    memo.add_paragraph(change.headline or "No change.")
    for reason in (change.summary or {}).get("reasons") or []:
        if reason != "no change":
            memo.add_paragraph(reason, style="List Bullet")
    memo.add_heading("Changed passages", level=2)
    memo.add_paragraph("Deleted text is struck through in red, inserted text underlined in green.")
    for n, passage in enumerate(passages(change.ops), start=1):
        if n > MAX_PASSAGES:
            memo.add_paragraph("… and more: see the diff in the web UI.")
            break
        paragraph = memo.add_paragraph(style="List Number")
        for op, text in passage:
            run = paragraph.add_run(_xml_safe(text.replace("\n", " ")))
            if op < 0:
                run.font.strike = True
                run.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
            elif op > 0:
                run.font.underline = True
                run.font.color.rgb = RGBColor(0x00, 0x70, 0x30)
    out = io.BytesIO()
    memo.save(out)
    return out.getvalue()


def _xml_safe(text: str) -> str:
    """Scraped text may hold control characters that XML (and so DOCX) cannot."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


def filename(doc: DocumentItem, change: Comparison, ext: str) -> str:
    return f"document-{doc.id}-v{change.from_seq}-v{change.to_seq}.{ext}"
