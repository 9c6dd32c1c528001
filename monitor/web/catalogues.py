"""Keeping the gettext catalogues in step with the code (a maintainer's tool).

`python -m monitor.web.catalogues` writes `locale/monitor.pot` from the strings
the code defines (i18n.MESSAGES, summaries.PHRASES), merges it into each
language's `.po` with Babel (new strings untranslated, removed ones dropped, no
fuzzy guesses), fills the English catalogue with the English of the code, and
compiles every `.mo`. Translators then edit the `.po` files (Poedit, Weblate,
any editor) and the command is run again to compile them.

`problems()` is what tests/web/test_i18n.py asserts empty: a string missing or
untranslated in a catalogue, a stale or fuzzy entry, a placeholder that differs
from the English, or a `.mo` that is not the compilation of its `.po`.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from monitor.web.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, MESSAGES
from monitor.web.summaries import PHRASES

_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def template() -> Catalog:
    """Every string of the interface: keys as msgctxt, English as msgid."""
    catalog = Catalog(domain=DOMAIN, project="monitor", charset="utf-8")
    for key, english in MESSAGES.items():
        catalog.add(english, context=key)
    for phrase in PHRASES:
        catalog.add(phrase, auto_comments=["change summary phrase"])
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def update() -> None:
    """Merge the template into every language's catalogue and compile them."""
    pot = template()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, pot, omit_header=False, sort_output=False, width=100)
    for lang in LANGUAGES:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        if lang == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        with path.open("wb") as f:
            write_po(f, catalog, width=100)
        path.with_suffix(".mo").write_bytes(compiled(read(lang)))


def _names(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def problems() -> list[str]:
    """What is wrong with the catalogues, one line each (nothing: all is well)."""
    wanted = {(m.context, m.id) for m in template() if m.id}
    found: list[str] = []
    for lang in LANGUAGES:
        path = po_path(lang)
        if not path.exists():
            found.append(f"{lang}: no catalogue at {path}")
            continue
        catalog = read(lang)
        have: dict[tuple[str | None, str], Message] = {
            (m.context, str(m.id)): m for m in catalog if m.id
        }
        for context, msgid in sorted(wanted - have.keys(), key=str):
            found.append(f"{lang}: missing {context or ''} {msgid!r}")
        for context, msgid in sorted(have.keys() - wanted, key=str):
            found.append(f"{lang}: stale {context or ''} {msgid!r}")
        for (context, msgid), message in have.items():
            where = f"{lang}: {context or msgid!r}"
            if message.fuzzy:
                found.append(f"{where} is fuzzy")
            elif not message.string:
                found.append(f"{where} is not translated")
            elif _names(str(message.string)) != _names(msgid):
                found.append(f"{where}: placeholders {sorted(_names(str(message.string)))}")
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{lang}: {mo.name} is not the compilation of {path.name}")
    return found


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    update()
    left = problems()
    print("\n".join(left) or f"catalogues up to date: {', '.join(LANGUAGES)}")
    sys.exit(1 if left else 0)
