"""Alert texts rendered from the payload: an email (subject, plain text, HTML
with insertions and deletions marked) and a short text for chat channels that
fits their size limit with a link to the rest."""

from __future__ import annotations

from html import escape
from typing import Any

from monitor.analysis.divergence import describe_divergence
from monitor.diff import trim_context

EVENT_RU = {
    "new": "новый документ",
    "changed": "изменение",
    "removed": "удалён",
    "restored": "восстановлен",
    "diverged": "расхождение копий",
    "operator": "служебное",
}


def _themes(payload: dict[str, Any]) -> str:
    return ", ".join(h["theme"] for h in payload.get("themes") or [])


def subject(payload: dict[str, Any]) -> str:
    if payload.get("event") == "operator":
        return f"[monitor] {payload.get('title', 'operator notice')}"
    if payload.get("event") == "digest":
        return f"[monitor] digest: {payload['count']} updates [{_themes(payload)}]"[:250]
    themes = _themes(payload)
    title = (payload.get("document") or {}).get("title") or payload["document"].get("url")
    tags = f" [{themes}]" if themes else ""
    return f"[monitor] {payload['event']}{tags}: {title}"[:250]


def _lines(payload: dict[str, Any]) -> list[str]:
    if payload.get("event") == "operator":
        return [payload.get("title", ""), "", payload.get("detail", "")]
    if payload.get("event") == "digest":
        out = [f"{payload['count']} updates"]
        for item in payload["items"]:
            doc = item["document"]
            themes = f" [{_themes(item)}]" if item.get("themes") else ""
            headline = (item.get("summary") or {}).get("headline")
            if item.get("divergence"):
                headline = describe_divergence(item["divergence"])
            out.append(f"- {item['event']}{themes}: {doc.get('title') or doc['url']}")
            out.append(f"  {doc['url']}" + (f"\n  {headline}" if headline else ""))
        return out
    doc, src = payload["document"], payload["source"]
    out = [
        f"{payload['event'].upper()} ({EVENT_RU.get(payload['event'], '')}): "
        f"{doc.get('title') or doc['url']}",
        f"Source: {src['name']} ({src['kind']}, {src['country']})",
        f"URL: {doc['url']}",
    ]
    versions = payload.get("versions") or {}
    if versions.get("to"):
        out.append(f"Version: {versions.get('from') or '—'} -> {versions['to']}")
    if payload.get("significance"):
        out.append(f"Significance: {payload['significance']}")
    summary = payload.get("summary") or {}
    if summary.get("headline"):
        out.append(f"Summary: {summary['headline']}")
    if payload.get("divergence"):
        out.append(f"Divergence: {describe_divergence(payload['divergence'])}")
    for hit in payload.get("themes") or []:
        side = f" ({hit['side']})" if hit.get("side") else ""
        out.append(f"Theme {hit['theme']}{side}: {', '.join(hit.get('terms', [])[:6])}")
        for sentence in hit.get("sentences", [])[:2]:
            out.append(f"  « {sentence} »")
    for name, url in (payload.get("links") or {}).items():
        out.append(f"{name.capitalize()}: {url}")
    return out


def diff_text(diff: list[list[Any]] | None) -> str:
    marks = {-1: ("[-", "-]"), 1: ("{+", "+}"), 0: ("", "")}
    return "".join(f"{marks[op][0]}{text}{marks[op][1]}" for op, text in diff or [])


def text_body(payload: dict[str, Any]) -> str:
    body = "\n".join(_lines(payload))
    if payload.get("diff"):
        body += "\n\nDiff ([-deleted-] {+inserted+}):\n" + diff_text(payload["diff"])
    if payload.get("excerpt"):
        body += "\n\nText:\n" + payload["excerpt"]
    return body + "\n"


def html_body(payload: dict[str, Any]) -> str:
    lines = "".join(f"<p>{escape(line)}</p>" for line in _lines(payload) if line)
    diff = ""
    if payload.get("diff"):
        parts = []
        for op, text in payload["diff"]:
            t = escape(text).replace("\n", "<br>")
            if op == 1:
                parts.append(f'<ins style="background:#d4f7d4">{t}</ins>')
            elif op == -1:
                parts.append(f'<del style="background:#f7d4d4">{t}</del>')
            else:
                parts.append(t)
        diff = f"<h3>Diff</h3><div style='font-family:serif'>{''.join(parts)}</div>"
    if payload.get("excerpt"):
        diff += f"<h3>Text</h3><blockquote>{escape(payload['excerpt'])}</blockquote>"
    return f"<!doctype html><html><body>{lines}{diff}</body></html>"


CHAT_CONTEXT = 60  # characters of unchanged text around a change in chat messages


def _compact_head(payload: dict[str, Any]) -> list[str]:
    """Chat messages carry the essentials only; the rest is one click away."""
    event = payload.get("event")
    if event in ("operator", "digest"):
        return _lines(payload)
    doc = payload["document"]
    lines = [f"{str(event).upper()}: {doc.get('title') or doc['url']}", payload["source"]["name"]]
    headline = (payload.get("summary") or {}).get("headline")
    if payload.get("divergence"):
        headline = describe_divergence(payload["divergence"])
    if headline:
        lines.append(headline)
    if payload.get("themes"):
        lines.append(f"Themes: {_themes(payload)}")
    return lines


def short_text(payload: dict[str, Any], max_chars: int) -> str:
    """For chat channels: the head, then as much diff as fits, then the link.
    Never longer than `max_chars`, so the far end never refuses it for size."""
    link = (payload.get("links") or {}).get("diff") or (payload.get("links") or {}).get(
        "document", ""
    )
    head = "\n".join(_compact_head(payload))
    tail = f"\nFull diff: {link}" if link else ""
    diff = diff_text(trim_context(payload.get("diff") or [], CHAT_CONTEXT))
    room = max_chars - len(head) - len(tail) - 2
    if diff and room > 40:
        if len(diff) > room:
            diff = diff[: room - 1].rsplit(" ", 1)[0] + "…"
        text = f"{head}\n\n{diff}{tail}"
    else:
        text = f"{head}{tail}"
    if len(text) > max_chars:
        text = text[: max_chars - len(tail) - 1] + "…" + tail
    return text[:max_chars]
