"""CSV that is safe to open in a spreadsheet (OWASP's rule against formula injection).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula: a person's name ``=HYPERLINK(...)`` in a
downloaded CSV would run when a manager opens it. Following OWASP, every such cell is written
with a single quote in front (which spreadsheets take as "this is text"), every cell is
wrapped in double quotes, and double quotes inside are doubled (the ``csv`` module's
``QUOTE_ALL``, which also keeps a ``;`` inside a cell from starting a new one in locales that
split on it).

The prefix is undone on import (``unescape_cell``), so export → import → export gives back
the same files. To keep that exact, a value that already begins with a quote followed by a
formula character (or by another quote) gets a quote too; a value like "'t Hooft" is left
alone both ways.

Every CSV that Convener writes goes through ``writer`` or ``DictWriter`` here. (Convener
writes no XLSX; a future one would pass its cells through ``safe_cell``.)
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number such as "-0.0123" starts with a sign but cannot call anything: spreadsheets
# read it as the number it is, so it keeps its sign (as OWASP's own examples allow).
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def safe_cell(value):
    """The value as a spreadsheet should read it: text, never a formula. Numbers that
    Convener computed itself (int, float) are kept as numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if _NUMBER.match(text):
        return text
    if text.startswith(FORMULA_STARTS) or (
        text.startswith("'") and text[1:2] and text[1:2] in (*FORMULA_STARTS, "'")
    ):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """Undo ``safe_cell``'s prefix on a cell read back from a CSV or a workbook."""
    if text.startswith("'") and text[1:2] and text[1:2] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> _SafeWriter:
    """``csv.writer`` whose every cell is quoted and never read as a formula."""
    return _SafeWriter(csv.writer(stream, quoting=csv.QUOTE_ALL, **kwargs))


class DictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell is quoted and never read as a formula."""

    def __init__(self, stream, fieldnames, **kwargs):
        super().__init__(stream, fieldnames, quoting=csv.QUOTE_ALL, **kwargs)

    def writeheader(self):
        return self.writer.writerow([safe_cell(name) for name in self.fieldnames])

    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)
