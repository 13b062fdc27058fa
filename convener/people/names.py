"""Names as people write them: a sort name that keeps particles with the surname, and a key
under which likely duplicates (accents, case, initials) meet."""

from __future__ import annotations

import re
import unicodedata

from nameparser import HumanName


def sort_name(name: str) -> str:
    """ "Maria Della Valle" sorts as "Della Valle, Maria"; a one-word name as itself. A name the
    parser reads wrongly keeps an edited sort name (the field is editable)."""
    name = " ".join((name or "").split())
    parsed = HumanName(name)
    if not parsed.last or not parsed.first:
        return name
    given = " ".join(p for p in (parsed.first, parsed.middle) if p)
    suffix = f", {parsed.suffix}" if parsed.suffix else ""
    return f"{parsed.last}, {given}{suffix}"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def match_key(name: str) -> str:
    """The folded surname and first initial: "Ada Lovelace", "A. Lovelace" and "ada
    LOVELACE" share "lovelace a"; "José García" and "Jose Garcia" share "garcia j"."""
    parsed = HumanName(" ".join((name or "").split()))
    last, first = _fold(parsed.last), _fold(parsed.first)
    if not last:
        return _fold(name)
    return f"{last} {first[:1]}".strip()
