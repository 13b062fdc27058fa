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
    first, middle, last = parsed.first, parsed.middle, parsed.last
    # "Aurélien Hamel de Vry": a capitalized word right before a lower-case particle that
    # begins the surname belongs to the surname ("Hamel de Vry"); the parser would read it as a
    # middle name. A name that should read otherwise keeps an edited sort name.
    words = last.split()
    if middle and len(words) > 1 and words[0].islower() and words[0] in parsed.C.prefixes:
        given_words = middle.split()
        last = f"{given_words[-1]} {last}"
        middle = " ".join(given_words[:-1])
    return first, middle, last, parsed.suffix


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


def sort_key(sort_name: str) -> str:
    """The one collation rule of every list of people (pages, API, exports): the sort name
    with case and accents folded, so that "della Ruvere", "Della Valle" and "Dupont" sort
    together under D and "Ærø" with "Aero", whatever the database's collation.
    """
    text = unicodedata.normalize("NFKD", " ".join((sort_name or "").split()))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


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


def match_block(name: str) -> str:
    """Where near-same names meet: the first three letters of the folded surname and the first
    initial ("Kofi Amankwa" and "Kofi Amankwah" share "ama k"), so that a registry compares a
    name only with the few names of its block."""
    first, _middle, last, _suffix = _parsed(" ".join((name or "").split()))
    last, first = _fold(last), _fold(first)
    if not last:
        return _fold(name)[:3]
    return f"{last[:3]} {first[:1]}".strip()


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with at most one letter added, dropped or changed."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


NEAR_SURNAME_MIN = 5  # "Chen"/"Cheng", "Lin"/"Li" are different names, not typing slips


def near_same(a: str, b: str) -> bool:
    """Whether two names are likely the same person's: the same ``match_key`` (folded surname
    and first initial), or the same initial and surnames one letter apart when both have at
    least five letters ("Kofi Amankwa" and "Kofi Amankwah"; not "Ana Silva" and "Ana Souza")."""
    if match_key(a) == match_key(b):
        return True
    fa, _m, la, _s = _parsed(" ".join((a or "").split()))
    fb, _m, lb, _s = _parsed(" ".join((b or "").split()))
    fa, fb, la, lb = _fold(fa), _fold(fb), _fold(la), _fold(lb)
    if not (fa and fb and fa[0] == fb[0]):
        return False
    if min(len(la), len(lb)) < NEAR_SURNAME_MIN:
        return False
    return _one_edit_apart(la, lb)
