"""A divergence between copies of one text, said in one line: the same words in
an alert, the Atom feed of divergences and the family pages."""

from __future__ import annotations

from typing import Any

_KINDS = {"number": "numbers", "date": "dates", "name": "names"}


def describe_divergence(detail: dict[str, Any]) -> str:
    """One line for an alert, a feed or a list: what diverged, where, against
    which copies («kremlin changed п. 17; unchanged at akorda»)."""
    who = detail.get("document", {})
    parts = []
    for p in detail.get("points", []):
        label = f"п. {p['point']}" if p.get("point") else "the text"
        mates = ", ".join(u.get("source", "?") for u in p.get("unchanged", []))
        if detail.get("kind") == "differs":
            parts.append(f"{who.get('source', '?')} reads otherwise in {label} than {mates}")
        else:
            parts.append(f"{who.get('source', '?')} changed {label}; unchanged at {mates}")
    for n in detail.get("facts", []):
        here, there = ", ".join(n.get("here", [])) or "—", ", ".join(n.get("there", [])) or "—"
        langs = "/".join(n.get("langs", []))
        what = " and ".join(_KINDS.get(k, k) for k in n.get("kinds", [])) or "facts"
        parts.append(f"п. {n.get('point')} {what} differ ({langs}): {here} against {there}")
    return "; ".join(parts) or "copies differ"
