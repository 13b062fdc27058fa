"""Names as people write them: a sort name that keeps particles with the surname, and a key
under which likely duplicates (accents, case, initials) meet."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nameparser import HumanName


@lru_cache(maxsize=2**16)
def _parsed(name: str) -> tuple[str, str, str, str]:
    """(first, middle, last, suffix): both keys of a name parse it, and an import derives
    them for thousands of names, so each name is parsed once."""
    parsed = HumanName(name)
    return parsed.first, parsed.middle, parsed.last, parsed.suffix


def sort_name(name: str) -> str:
    """ "Maria Della Valle" sorts as "Della Valle, Maria"; a one-word name as itself. A name the
    parser reads wrongly keeps an edited sort name (the field is editable)."""
    name = " ".join((name or "").split())
    first, middle, last, suffix = _parsed(name)
    if not last or not first:
        return name
    given = " ".join(p for p in (first, middle) if p)
    suffix = f", {suffix}" if suffix else ""
    return f"{last}, {given}{suffix}"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def match_key(name: str) -> str:
    """The folded surname and first initial: "Ada Lovelace", "A. Lovelace" and "ada
    LOVELACE" share "lovelace a"; "José García" and "Jose Garcia" share "garcia j"."""
    first, _middle, last, _suffix = _parsed(" ".join((name or "").split()))
    last, first = _fold(last), _fold(first)
    if not last:
        return _fold(name)
    return f"{last} {first[:1]}".strip()
