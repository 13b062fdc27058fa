"""Reading import files into tables of text rows, numbered as a spreadsheet shows them. Only
the file's shape is checked here (names, columns, encoding); the registry's rules are the
importer's (and the models') business, so other readers (streaming, background jobs) can be
added beside these.

Files: a CSV named after its kind (``people.csv``), a folder of such CSVs (as written by
``convener export csv``), an XLSX workbook with one sheet per kind, or Popolo JSON (as
written by ``convener export popolo``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

from convener.core.spreadsheet import unescape_cell

from .kinds import COMMENT, KINDS, REQUIRED

ORDER = list(KINDS)
Tables = dict[str, list[tuple[int, dict[str, str]]]]


class ImportFileError(Exception):
    """The file itself cannot be read (wrong format, encoding, not found)."""


def read_tables(path: Path) -> Tables:
    """The rows of every kind found at ``path``."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: no such file or folder")
    if path.is_dir():
        files = {p.stem: p for p in sorted(path.glob("*.csv"))}
        unknown = sorted(set(files) - set(KINDS))
        if unknown:
            raise ImportFileError(
                f"{path}: unknown kind(s) {', '.join(unknown)}; files must be "
                f"named after a kind: {', '.join(KINDS)}"
            )
        return {kind: _read_csv(files[kind]) for kind in ORDER if kind in files}
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if path.stem not in KINDS:
            raise ImportFileError(
                f"{path.name}: name a CSV after its kind ({', '.join(f'{k}.csv' for k in KINDS)})"
            )
        return {path.stem: _read_csv(path)}
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_popolo(path)
    raise ImportFileError(
        f"{path.name}: use a .csv file, a folder of them, an .xlsx workbook or Popolo .json"
    )


_HEADER = re.compile(r"^\s*([A-Za-z_]+)\s*\*?\s*(\(.*\))?\s*$")


def _header(kind: str, header: list[str], where: str) -> list[str]:
    """Column names; a template's marks ("name*", "kind* (a|b)") are read as the bare name."""
    names = []
    for cell in header:
        cell = (cell or "").strip().lstrip("\ufeff")
        match = _HEADER.match(cell)
        names.append(match.group(1) if match else cell)
    missing = sorted(REQUIRED[kind] - set(names))
    unknown = [h for h in names if h and h not in KINDS[kind]]
    if missing or unknown:
        bits = []
        if missing:
            bits.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            bits.append(f"unknown column(s) {', '.join(unknown)}")
        raise ImportFileError(
            f"{where}: {'; '.join(bits)}; the columns of {kind} are {', '.join(KINDS[kind])}"
        )
    return names


def _is_comment(cells: list[str]) -> bool:
    return bool(cells) and (cells[0] or "").lstrip().startswith(COMMENT)


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save the file as “CSV UTF-8”"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(path.stem, next(reader), path.name)
    except StopIteration:
        raise ImportFileError(f"{path.name}: the file is empty") from None
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values) or _is_comment(values):
            continue
        if len(values) > len(header):
            raise ImportFileError(
                f"{path.name}, row {number}: {len(values)} values for {len(header)} columns"
            )
        rows.append((number, {h: _value(v) for h, v in zip(header, values, strict=False) if h}))
    return rows


def _read_xlsx(path: Path) -> Tables:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    tables = {}
    try:
        unknown = [name for name in workbook.sheetnames if name not in KINDS]
        if unknown:
            raise ImportFileError(
                f"{path.name}: unknown sheet(s) {', '.join(unknown)}; name "
                f"each sheet after a kind: {', '.join(KINDS)}"
            )
        for kind in ORDER:
            if kind not in workbook.sheetnames:
                continue
            rows_iter = workbook[kind].iter_rows(values_only=True)
            try:
                header = _header(
                    kind, [str(h or "") for h in next(rows_iter)], f"{path.name}, sheet {kind}"
                )
            except StopIteration:
                continue
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                cells = [_cell(v) for v in values]
                if not any(c.strip() for c in cells) or _is_comment(cells):
                    continue
                rows.append(
                    (number, {h: _value(v) for h, v in zip(header, cells, strict=False) if h})
                )
            tables[kind] = rows
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{path.name}: the workbook is damaged ({exc})") from None
    finally:
        workbook.close()
    return tables


def _value(value: str) -> str:
    # white space around values is the models' business (they trim as forms do); the quote
    # the export puts before a formula-like cell is taken off again
    return unescape_cell(value.replace("\r\n", "\n"))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- Popolo ------------------------------------------------------------------------------------
def _read_popolo(path: Path) -> Tables:
    """Popolo JSON (persons, organizations, posts, memberships) as the importer's tables.
    Convener's export keeps what Popolo has no field for in a ``convener`` object on each item;
    a Popolo file from elsewhere is read from the standard fields alone."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"{path.name}: not Popolo JSON ({exc})") from None
    if not isinstance(data, dict) or not any(
        isinstance(data.get(k), list) for k in ("persons", "organizations", "posts", "memberships")
    ):
        raise ImportFileError(
            f"{path.name}: Popolo JSON has lists of persons, organizations, posts, memberships"
        )
    tables: Tables = {k: [] for k in KINDS}
    for kind, items in (
        ("persons", data.get("persons") or []),
        ("organizations", data.get("organizations") or []),
        ("posts", data.get("posts") or []),
        ("memberships", data.get("memberships") or []),
    ):
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise ImportFileError(f"{path.name}: {kind} item {number} is not an object")
            _popolo_item(kind, number, item, tables)
    return {k: rows for k, rows in tables.items() if rows}


def _local(ref) -> str:
    """ "person/ada" -> "ada": the export's ids carry their kind."""
    ref = "" if ref is None else str(ref)
    return ref.split("/", 1)[1] if "/" in ref else ref


def _identifier(item: dict, scheme: str) -> str:
    for ident in item.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("scheme") == scheme:
            return str(ident.get("identifier") or "")
    return ""


def _text(value) -> str:
    return "" if value is None else str(value)


def _popolo_item(kind: str, number: int, item: dict, tables: Tables) -> None:
    extra = item.get("convener") if isinstance(item.get("convener"), dict) else {}

    def get(name, default=""):
        return _text(extra.get(name, default))

    if kind == "persons":
        tables["people"].append(
            (
                number,
                {
                    "id": _local(item.get("id")),
                    "name": _text(item.get("name")),
                    "sort_name": _text(item.get("sort_name")),
                    "orcid": _identifier(item, "orcid"),
                    "pronouns": get("pronouns"),
                },
            )
        )
    elif kind == "organizations":
        if item.get("classification") == "institution" or _text(item.get("id")).startswith(
            "institution/"
        ):
            tables["institutions"].append(
                (
                    number,
                    {
                        "id": _local(item.get("id")),
                        "name": _text(item.get("name")),
                        "short_name": get("short_name"),
                        "country": get("country"),
                        "city": get("city"),
                        "ror": _identifier(item, "ror"),
                    },
                )
            )
            return
        tables["units"].append(
            (
                number,
                {
                    "id": _local(item.get("id")),
                    "name": _text(item.get("name")),
                    "short_name": get("short_name"),
                    "parent": _local(item.get("parent_id")),
                    "kind": _text(item.get("classification")),
                    "level": get("level"),
                    "description": get("description"),
                    "start": get("start") or _text(item.get("founding_date")),
                    "end": get("end") or _text(item.get("dissolution_date")),
                },
            )
        )
    elif kind == "posts":
        tables["positions"].append(
            (
                number,
                {
                    "id": _local(item.get("id")),
                    "unit": _local(item.get("organization_id")),
                    "title": _text(item.get("label")),
                    "start": get("start") or _text(item.get("start_date")),
                    "end": get("end") or _text(item.get("end_date")),
                    **{
                        c: get(c)
                        for c in KINDS["positions"]
                        if c not in {"id", "unit", "title", "start", "end"}
                    },
                },
            )
        )
        for period in extra.get("seat_periods") or []:
            if isinstance(period, dict):
                tables["seat_periods"].append(
                    (number, {"position": _local(item.get("id")), **_texts(period)})
                )
    elif kind == "memberships":
        if item.get("post_id"):
            sources = [s for s in item.get("sources") or [] if isinstance(s, dict)]
            tables["appointments"].append(
                (
                    number,
                    {
                        "id": _local(item.get("id")),
                        "person": _local(item.get("person_id")),
                        "position": _local(item.get("post_id")),
                        "start": get("start") or _text(item.get("start_date")),
                        "end": get("end") or _text(item.get("end_date")),
                        "source": get("source")
                        or (_text(sources[0].get("url")) if sources else ""),
                        **{
                            c: get(c)
                            for c in KINDS["appointments"]
                            if c not in {"id", "person", "position", "start", "end", "source"}
                        },
                    },
                )
            )
        else:
            tables["affiliations"].append(
                (
                    number,
                    {
                        "person": _local(item.get("person_id")),
                        "institution": _local(item.get("organization_id")),
                        "start": get("start") or _text(item.get("start_date")),
                        "end": get("end") or _text(item.get("end_date")),
                    },
                )
            )


def _texts(row: dict) -> dict[str, str]:
    return {str(k): _text(v) for k, v in row.items()}
