"""Reading import files into tables of text rows, numbered as a spreadsheet shows them. Only
the file's shape is checked here (names, columns, encoding); the registry's rules are the
importer's (and the models') business, so other readers (streaming, background jobs) can be
added beside these.

Files: a CSV named after its kind (``people.csv``), a folder of such CSVs (as written by
``convener export csv``), an XLSX workbook with one sheet per kind, or Popolo JSON (as
written by ``convener export popolo``).

Reading is bounded whatever a file claims: each file may not be larger than
``IMPORT_MAX_BYTES`` (a workbook may not unpack to more than eight times that, nor its
shared strings to more than that), no kind may
have more than ``IMPORT_MAX_ROWS`` rows, and a workbook may not declare more rows or columns
than that either. Workbooks are read as a stream of the cells they really hold: the range a
sheet declares is never used to pad rows (a few kilobytes declaring a million rows cost as
little as they hold). Every refusal names the limit and what the file has.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

from django.conf import settings

from convener.core import limits
from convener.core.spreadsheet import unescape_cell

from .kinds import COMMENT, KINDS, REQUIRED

ORDER = list(KINDS)
Tables = dict[str, list[tuple[int, dict[str, str]]]]


class ImportFileError(Exception):
    """The file itself cannot be read (wrong format, encoding, not found, too large)."""


# how many columns a sheet may declare or a header may have (the widest kind has 17)
MAX_COLUMNS = 100
# a workbook is compressed: its sheets may unpack to this many times the size limit
UNPACKED_FACTOR = 8
# the list of a workbook's parts ([Content_Types].xml) is a few kilobytes
MAX_MANIFEST_BYTES = 2**20


_mb = limits.mb


def _too_many_rows(where: str, found: int) -> ImportFileError:
    return ImportFileError(limits.rows_problem(where, found))


def check_size(path: Path) -> None:
    """Refuse a file larger than the import limit, before reading any of it."""
    problem = limits.size_problem(path.name, path.stat().st_size)
    if problem:
        raise ImportFileError(problem)


def row_count(tables: Tables) -> int:
    return sum(len(rows) for rows in tables.values())


def read_tables(path: Path) -> Tables:
    """The rows of every kind found at ``path``, within the limits (see the module)."""
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
        for file in files.values():
            check_size(file)
        return {kind: _read_csv(files[kind]) for kind in ORDER if kind in files}
    check_size(path)
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
    number = 1
    try:
        try:
            header = _header(path.stem, next(reader)[:MAX_COLUMNS], path.name)
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
            if len(rows) == settings.IMPORT_MAX_ROWS:
                # count the rest without keeping them, to say what the file has
                found = len(rows) + 1 + sum(1 for v in reader if any(x.strip() for x in v))
                raise _too_many_rows(path.name, found)
            rows.append((number, {h: _value(v) for h, v in zip(header, values, strict=False) if h}))
    except csv.Error as exc:
        raise ImportFileError(
            f"{path.name}, row {number + 1}: not readable as CSV ({exc})"
        ) from None
    return rows


def _read_xlsx(path: Path) -> Tables:
    from openpyxl import load_workbook

    try:
        _check_unpacked_size(path)
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
            sheet = workbook[kind]
            where = f"{path.name}, sheet {kind}"
            _check_declared(sheet, where)
            sheet.reset_dimensions()  # read the cells the sheet holds, not the range it claims
            header_row = next(sheet.iter_rows(max_row=1, values_only=True), None)
            if header_row is None:
                continue
            header = _header(kind, [_cell(h) for h in header_row[:MAX_COLUMNS]], where)
            while header and not header[-1]:
                header.pop()
            if not header:
                continue
            # never wider than the header: cells beyond it are not read at all
            rows_iter = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
            rows, found = [], 0
            for number, values in enumerate(rows_iter, start=2):
                cells = [_cell(v) for v in values]
                if not any(c.strip() for c in cells) or _is_comment(cells):
                    continue
                found += 1
                if found > settings.IMPORT_MAX_ROWS:
                    continue  # counted, to say what the sheet has; never kept
                rows.append(
                    (number, {h: _value(v) for h, v in zip(header, cells, strict=False) if h})
                )
            if found > settings.IMPORT_MAX_ROWS:
                raise _too_many_rows(where, found)
            tables[kind] = rows
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{path.name}: the workbook is damaged ({exc})") from None
    finally:
        workbook.close()
    return tables


def _check_unpacked_size(path: Path) -> None:
    """A workbook is a zip archive: refuse one whose parts unpack to more than the limit
    (the sizes its directory declares are the most that reading will unpack), and one whose
    shared strings (the text of its cells, read whole before any sheet) unpack to more than
    a CSV file may hold: a few kilobytes of compressed strings cost seconds to read."""
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        unpacked = sum(sizes.values())
        limit = settings.IMPORT_MAX_BYTES * UNPACKED_FACTOR
        if unpacked > limit:
            raise ImportFileError(
                f"{path.name}: unpacks to {_mb(unpacked)}, more than the limit of {_mb(limit)} "
                f"({UNPACKED_FACTOR} times CONVENER_IMPORT_MAX_MB); split the workbook"
            )
        strings = _shared_strings_part(archive, sizes)
    if strings is not None and sizes[strings] > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            f"{path.name}: its shared strings unpack to {_mb(sizes[strings])}, more than the "
            f"limit of {_mb(settings.IMPORT_MAX_BYTES)} (CONVENER_IMPORT_MAX_MB); split the "
            "workbook"
        )


def _shared_strings_part(archive: zipfile.ZipFile, sizes: dict[str, int]) -> str | None:
    """The name of the part that holds the shared strings, found as openpyxl finds it (by
    its content type, whatever it is called), or None."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import ARC_CONTENT_TYPES
    from openpyxl.xml.constants import SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    name = Path(archive.filename).name
    if sizes.get(ARC_CONTENT_TYPES, 0) > MAX_MANIFEST_BYTES:
        raise ImportFileError(
            f"{name}: its list of parts is {_mb(sizes[ARC_CONTENT_TYPES])}; "
            "not a workbook a spreadsheet program wrote"
        )
    try:
        manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    except (SyntaxError, TypeError, ValueError) as exc:  # XML parse errors are SyntaxErrors
        raise ImportFileError(f"{name}: not a readable XLSX workbook ({exc})") from None
    part = manifest.find(SHARED_STRINGS)
    name = part.PartName[1:] if part is not None else None
    return name if name in sizes else None


def _check_declared(sheet, where: str) -> None:
    """Refuse a sheet that declares more rows or columns than an import may have."""
    rows, columns = sheet.max_row, sheet.max_column
    if rows is not None and rows - 1 > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            f"{where}: declares {rows - 1:,} rows below its header (range "
            f"{sheet.calculate_dimension()}), more than the limit of "
            f"{settings.IMPORT_MAX_ROWS:,} rows per kind (CONVENER_IMPORT_MAX_ROWS)"
        )
    if columns is not None and columns > MAX_COLUMNS:
        raise ImportFileError(
            f"{where}: declares {columns:,} columns (range {sheet.calculate_dimension()}), "
            f"more than the limit of {MAX_COLUMNS} columns"
        )


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
    except RecursionError:
        raise ImportFileError(f"{path.name}: not Popolo JSON (nested too deeply)") from None
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
    for kind, rows in tables.items():
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise _too_many_rows(f"{path.name}, {kind}", len(rows))
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
                    "photo_url": _text(item.get("image")),
                    "website": next(
                        (
                            _text(link.get("url"))
                            for link in item.get("links") or []
                            if isinstance(link, dict) and link.get("note") == "website"
                        ),
                        "",
                    ),
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
                    "order": get("order"),
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
