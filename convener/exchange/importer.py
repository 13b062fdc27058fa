"""Import of spreadsheets: every row of every kind is checked before anything is written;
with any problem nothing is written, and each problem is reported by kind, row, column and
value. Re-importing the same file changes nothing (rows are matched by their id, ORCID iD or
ROR id); a changed row updates its record, and the change shows in the audit history.

Files: a CSV named after its kind (``people.csv``), a folder of such CSVs (as written by
``convener export csv``), or an XLSX workbook with one sheet per kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django_countries import countries
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from convener.core.dates import PartialDate, Precision
from convener.core.inputs import text_problem
from convener.core.models import RegistryVersion
from convener.core.spreadsheet import unescape_cell
from convener.core.validators import normalize_orcid, normalize_ror, validate_orcid, validate_ror
from convener.org.models import (
    Appointment,
    OrgUnit,
    Position,
    peak_holders,
    renumber_terms,
    term_numbers,
)
from convener.people.models import Affiliation, CareerStage, Institution, Membership, Person
from convener.training.services import check_completions

from .kinds import KINDS, REQUIRED

ORDER = list(KINDS)
BATCH = 2000


class ImportFileError(Exception):
    """The file itself cannot be read (wrong format, encoding, not found)."""


@dataclass
class Problem:
    kind: str
    row: int
    column: str
    value: str
    problem: str

    def __str__(self):
        where = f"{self.kind}, row {self.row}" + (f", column {self.column}" if self.column else "")
        value = f" {self.value!r}" if self.value else ""
        return f"{where}:{value} {self.problem}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        parts = []
        for kind in ORDER:
            c, u, n = self.created[kind], self.updated[kind], self.unchanged[kind]
            if c or u or n:
                parts.append(f"{kind}: {c} new, {u} updated, {n} unchanged")
        return "; ".join(parts) or "nothing to import"


# -- reading -----------------------------------------------------------------------------------
def read_tables(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """The rows of every kind found at ``path``, numbered as a spreadsheet shows them."""
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
    if path.suffix.lower() == ".csv":
        if path.stem not in KINDS:
            raise ImportFileError(
                f"{path.name}: name a CSV after its kind ({', '.join(f'{k}.csv' for k in KINDS)})"
            )
        return {path.stem: _read_csv(path)}
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    raise ImportFileError(f"{path.name}: use a .csv file, a folder of them, or an .xlsx workbook")


def _header(kind: str, header: list[str], where: str) -> list[str]:
    header = [(h or "").strip().lstrip("\ufeff") for h in header]
    missing = sorted(REQUIRED[kind] - set(header))
    unknown = [h for h in header if h and h not in KINDS[kind]]
    if missing or unknown:
        bits = []
        if missing:
            bits.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            bits.append(f"unknown column(s) {', '.join(unknown)}")
        raise ImportFileError(
            f"{where}: {'; '.join(bits)}; the columns of {kind} are {', '.join(KINDS[kind])}"
        )
    return header


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
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ImportFileError(
                f"{path.name}, row {number}: {len(values)} values for {len(header)} columns"
            )
        rows.append((number, {h: _value(h, v) for h, v in zip(header, values, strict=False) if h}))
    return rows


def _read_xlsx(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
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
                if not any(c.strip() for c in cells):
                    continue
                rows.append(
                    (number, {h: _value(h, v) for h, v in zip(header, cells, strict=False) if h})
                )
            tables[kind] = rows
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{path.name}: the workbook is damaged ({exc})") from None
    finally:
        workbook.close()
    return tables


# Free text keeps its white space (Markdown cares); every other value is trimmed.
TEXT_COLUMNS = {"mandate", "requirements", "description", "note", "exception_justification"}


def _value(column: str, value: str) -> str:
    value = unescape_cell(value.replace("\r\n", "\n"))  # the export's formula guard
    return value if column in TEXT_COLUMNS else value.strip()


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


# -- checking --------------------------------------------------------------------------------
class Checker:
    """Turns rows into model instances, resolving references in the file and the database,
    and collects every problem."""

    def __init__(self, tables, report: Report, progress: bool):
        self.tables = tables
        self.report = report
        self.progress = progress
        self.plan: dict[str, list[tuple[object, bool]]] = defaultdict(list)  # (obj, is_new)
        self.by_id: dict[str, dict[str, object]] = defaultdict(dict)
        self.completions = []
        self.renumber: set[tuple[int, Position]] = set()  # stored rows whose terms change

    def problem(self, kind, row, column, value, text):
        self.report.problems.append(Problem(kind, row, column, str(value), text))

    # helpers
    def text(self, kind, n, row, column, max_length=None, required=False):
        value = row.get(column, "")
        if required and not value:
            self.problem(kind, n, column, "", "is required")
        if max_length and len(value) > max_length:
            self.problem(kind, n, column, value[:40] + "…", f"longer than {max_length} characters")
        return value

    def choice(self, kind, n, row, column, choices, default=""):
        value = row.get(column, "") or default
        if value and value not in choices:
            self.problem(kind, n, column, value, f"is not one of {', '.join(choices)}")
        return value

    def integer(self, kind, n, row, column, lo, hi, default=None):
        value = row.get(column, "")
        if value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            self.problem(kind, n, column, value, "is not a whole number")
            return default
        if not lo <= number <= hi:
            self.problem(kind, n, column, value, f"must be between {lo} and {hi}")
        return number

    def boolean(self, kind, n, row, column, default):
        value = row.get(column, "").lower()
        if value == "":
            return default
        if value in {"1", "true", "yes", "y"}:
            return True
        if value in {"0", "false", "no", "n"}:
            return False
        self.problem(kind, n, column, value, "is not yes/no (true/false)")
        return default

    def partial(self, kind, n, row, column, required=False):
        value = row.get(column, "")
        if not value:
            if required:
                self.problem(kind, n, column, "", "is required")
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            self.problem(
                kind,
                n,
                column,
                value,
                str(exc).split(": ", 1)[-1]
                if "use YYYY" not in str(exc)
                else "is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
            )
            return None

    def period(self, obj, kind, n, row):
        start = self.partial(kind, n, row, "start", required=True)
        end = self.partial(kind, n, row, "end")
        if start is not None:
            obj.start, obj.start_precision = start.value, start.precision
        if end is not None:
            obj.end, obj.end_precision = end.value, end.precision
        else:
            obj.end, obj.end_precision = None, Precision.DAY
        if start and end and end.latest < start.earliest:
            self.problem(kind, n, "end", row.get("end"), f"is before the start ({start})")
        if start:
            obj.set_derived_dates()
        return start is not None

    def ref(self, kind, n, row, column, target, required=True):
        key = row.get(column, "")
        if not key:
            if required:
                self.problem(kind, n, column, "", "is required")
            return None
        obj = self.by_id[target].get(key)
        if obj is None:
            noun = {"people": "person", "units": "unit"}.get(target, target[:-1])
            self.problem(kind, n, column, key, f"unknown {noun}")
        return obj

    def identify(self, kind, n, key, seen):
        if key in seen:
            self.problem(kind, n, "id", key, f"appears twice (also row {seen[key]})")
            return False
        seen[key] = n
        return True

    def existing(self, model, keys, extra: tuple[str, set] | None = None):
        """Rows of ``model`` whose external id or slug (or ``extra`` field) is among the keys."""
        q = Q(external_id__in=keys) | Q(slug__in=keys)
        if extra:
            q |= Q(**{f"{extra[0]}__in": extra[1]})
        found = {}
        for obj in model.objects.filter(q):
            for k in (obj.external_id, obj.slug):
                if k:
                    found.setdefault(k, obj)
            if extra:
                found.setdefault(("extra", getattr(obj, extra[0])), obj)
        return found

    def keep(self, kind, obj, is_new, key=None):
        self.plan[kind].append((obj, is_new))
        if key is not None:
            self.by_id[kind][key] = obj

    def slug_for(self, model, key, obj, taken):
        if obj.slug:
            return obj.slug
        base = slugify(key)[:74] or model.__name__.lower()
        slug, i = base, 1
        while slug in taken:
            i += 1
            slug = f"{base}-{i}"
        taken.add(slug)
        return slug

    # kinds
    def run(self):
        for kind in ORDER:
            if kind in self.tables:
                self.check_characters(kind, self.tables[kind])
        if self.report.problems:
            return  # such values are never looked up (PostgreSQL cannot even compare a NUL)
        for kind in ORDER:
            if kind in self.tables:
                getattr(self, f"check_{kind}")(self.tables[kind])

    def check_characters(self, kind, rows):
        """No control character in any cell: the rule of every path in (core.inputs)."""
        for n, row in rows:
            for column, value in row.items():
                problem = text_problem(value, multiline=column in TEXT_COLUMNS)
                if problem:
                    shown = value.encode("unicode_escape").decode("ascii")
                    self.problem(kind, n, column, shown[:40], problem)

    def _lookup(self, model, kind, keys, extra_field=None, normalizer=None):
        extra = None
        if extra_field:
            extra = (extra_field, {normalizer(k) for k in keys if normalizer(k)})
        return self.existing(model, keys, extra)

    def _resolve_refs(self, target_kind, model, keys, extra_field=None, normalizer=None):
        """Make records of ``target_kind`` named in this file but not defined in it known."""
        missing = {k for k in keys if k and k not in self.by_id[target_kind]}
        if not missing:
            return
        found = self._lookup(model, target_kind, missing, extra_field, normalizer)
        for k in missing:
            obj = found.get(k)
            if obj is None and extra_field:
                obj = found.get(("extra", normalizer(k)))
            if obj is not None:
                self.by_id[target_kind][k] = obj

    def check_institutions(self, rows):
        keys = {r.get("id", "") for _, r in rows}
        found = self._lookup(Institution, "institutions", keys, "ror", normalize_ror)
        seen, taken = {}, set(Institution.objects.values_list("slug", flat=True))
        valid_countries = dict(countries)
        for n, row in self.bar(rows, "institutions"):
            key = self.text("institutions", n, row, "id", 64, required=True)
            if not key or not self.identify("institutions", n, key, seen):
                continue
            ror = normalize_ror(row.get("ror", "")) or None
            obj = found.get(key) or (found.get(("extra", ror)) if ror else None)
            is_new = obj is None
            obj = obj or Institution(external_id=key)
            obj.name = self.text("institutions", n, row, "name", 200, required=True)
            obj.short_name = self.text("institutions", n, row, "short_name", 50)
            obj.city = self.text("institutions", n, row, "city", 100)
            country = row.get("country", "").upper()
            if country not in valid_countries:
                self.problem("institutions", n, "country", country, "is not an ISO 3166 code")
            obj.country = country
            if ror:
                try:
                    validate_ror(ror)
                except ValidationError as exc:
                    self.problem("institutions", n, "ror", ror, exc.messages[0])
            obj.ror = ror
            obj.slug = self.slug_for(Institution, key, obj, taken)
            self.keep("institutions", obj, is_new, key)
            if ror:
                self.by_id["institutions"][ror] = obj

    def check_people(self, rows):
        keys = {r.get("id", "") for _, r in rows}
        found = self._lookup(Person, "people", keys)
        orcids = {normalize_orcid(r.get("orcid", "")) for _, r in rows} - {""}
        by_orcid = {p.orcid: p for p in Person.objects.filter(orcid__in=orcids)}
        seen, seen_orcid = {}, {}
        taken = set(Person.objects.values_list("slug", flat=True))
        for n, row in self.bar(rows, "people"):
            key = self.text("people", n, row, "id", 64, required=True)
            if not key or not self.identify("people", n, key, seen):
                continue
            orcid = normalize_orcid(row.get("orcid", "")) or None
            obj = found.get(key) or (by_orcid.get(orcid) if orcid else None)
            is_new = obj is None
            obj = obj or Person(external_id=key)
            obj.name = self.text("people", n, row, "name", 200, required=True)
            obj.sort_name = self.text(
                "people", n, row, "sort_name", 200
            ) or Person.default_sort_name(obj.name)
            obj.pronouns = self.text("people", n, row, "pronouns", 40)
            if orcid:
                try:
                    validate_orcid(orcid)
                except ValidationError as exc:
                    self.problem("people", n, "orcid", orcid, exc.messages[0])
                if orcid in seen_orcid:
                    self.problem(
                        "people",
                        n,
                        "orcid",
                        orcid,
                        f"is also the ORCID iD of row {seen_orcid[orcid]}",
                    )
                seen_orcid[orcid] = n
            obj.orcid = orcid
            if "email" in row:
                email = row["email"]
                if email:
                    try:
                        validate_email(email)
                    except ValidationError:
                        self.problem("people", n, "email", email, "is not an e-mail address")
                obj.email = email
            obj.slug = self.slug_for(Person, key, obj, taken)
            self.keep("people", obj, is_new, key)
            if orcid:
                self.by_id["people"][orcid] = obj

    def _person_refs(self, rows):
        keys = {r.get("person", "") for _, r in rows}
        self._resolve_refs("people", Person, keys, "orcid", normalize_orcid)

    def _history_rows(self, kind, model, rows, extra_fields, key_fields):
        """Memberships, affiliations and career stages: matched on person, start (and the
        other key fields); no two periods of one person may surely overlap."""
        self._person_refs(rows)
        if kind == "affiliations":
            self._resolve_refs(
                "institutions",
                Institution,
                {r.get("institution", "") for _, r in rows},
                "ror",
                normalize_ror,
            )
        planned = []
        for n, row in self.bar(rows, kind):
            person = self.ref(kind, n, row, "person", "people")
            obj = model()
            if person is not None:
                obj.person = person
            ok = self.period(obj, kind, n, row)
            for column, fn in extra_fields.items():
                setattr(obj, column, fn(n, row))
            if person is None or not ok or any(getattr(obj, c, None) is None for c in extra_fields):
                continue
            planned.append((n, obj))
        people = [o.person for _, o in planned if o.person.pk]
        existing = defaultdict(list)
        for e in model.objects.filter(person__in=people):
            existing[
                (e.person_id, *(getattr(e, model._meta.get_field(f).attname) for f in key_fields))
            ].append(e)
        groups = defaultdict(list)
        for n, obj in planned:
            scope = (
                obj.person.pk or id(obj.person),
                *(self._key_of(getattr(obj, f)) for f in key_fields),
            )
            match = next(
                (
                    e
                    for e in existing.get(scope, [])
                    if e.start == obj.start and e.start_precision == obj.start_precision
                ),
                None,
            )
            if match is not None:
                for f in ("end", "end_precision", *extra_fields):
                    setattr(match, f, getattr(obj, f))
                match.set_derived_dates()
                self.keep(kind, match, False)
                groups[scope].append((n, match))
            else:
                self.keep(kind, obj, True)
                groups[scope].append((n, obj))
        for scope, items in groups.items():
            matched = {id(o) for _, o in items}
            others = [e for e in existing.get(scope, []) if id(e) not in matched]
            everything = [o for _, o in items] + others
            if peak_holders(everything) > 1:
                self.problem(
                    kind,
                    items[-1][0],
                    "start",
                    str(items[-1][1].start_date),
                    f"overlaps another {kind[:-1].replace('_', ' ')} of this person",
                )

    @staticmethod
    def _key_of(value):
        return getattr(value, "pk", None) or id(value)

    def check_memberships(self, rows):
        self._history_rows("memberships", Membership, rows, {}, [])

    def check_affiliations(self, rows):
        self._history_rows(
            "affiliations",
            Affiliation,
            rows,
            {
                "institution": lambda n, row: self.ref(
                    "affiliations", n, row, "institution", "institutions"
                )
            },
            ["institution"],
        )

    def check_career_stages(self, rows):
        stages = CareerStage.Stage.values
        self._history_rows(
            "career_stages",
            CareerStage,
            rows,
            {"stage": lambda n, row: self.choice("career_stages", n, row, "stage", stages) or None},
            [],
        )

    def check_units(self, rows):
        keys = {r.get("id", "") for _, r in rows}
        found = self._lookup(OrgUnit, "units", keys)
        self._resolve_refs("units", OrgUnit, {r.get("parent", "") for _, r in rows} - keys)
        seen, taken = {}, set(OrgUnit.objects.values_list("slug", flat=True))
        parents = {}
        for n, row in rows:  # define every unit first: parents may come later in the file
            key = row.get("id", "")
            if key and key not in seen:
                seen[key] = n
                obj = found.get(key) or OrgUnit(external_id=key)
                self.by_id["units"][key] = obj
        seen = {}
        for n, row in self.bar(rows, "units"):
            key = self.text("units", n, row, "id", 64, required=True)
            if not key or not self.identify("units", n, key, seen):
                continue
            obj = self.by_id["units"][key]
            is_new = obj.pk is None
            obj.name = self.text("units", n, row, "name", 200, required=True)
            obj.short_name = self.text("units", n, row, "short_name", 40)
            obj.kind = self.choice("units", n, row, "kind", OrgUnit.Kind.values)
            obj.level = self.integer("units", n, row, "level", 0, 3)
            obj.description = row.get("description", "")
            obj.parent = self.ref("units", n, row, "parent", "units", required=False)
            parents[key] = (n, row.get("parent", ""))
            self.period(obj, "units", n, row)
            obj.slug = self.slug_for(OrgUnit, key, obj, taken)
            self.keep("units", obj, is_new)
        for key, (n, parent) in parents.items():
            hops, node = 0, parent
            while node and hops <= len(parents):
                node = parents.get(node, (0, ""))[1]
                hops += 1
                if node == key:
                    self.problem("units", n, "parent", parent, "makes a unit its own ancestor")
                    break

    def check_positions(self, rows):
        keys = {r.get("id", "") for _, r in rows}
        found = self._lookup(Position, "positions", keys)
        self._resolve_refs("units", OrgUnit, {r.get("unit", "") for _, r in rows})
        self._resolve_refs(
            "positions", Position, {r.get("deputizes_for", "") for _, r in rows} - keys
        )
        for _, row in rows:
            key = row.get("id", "")
            if key and key not in self.by_id["positions"]:
                self.by_id["positions"][key] = found.get(key) or Position(external_id=key)
        seen, taken = {}, set(Position.objects.values_list("slug", flat=True))
        for n, row in self.bar(rows, "positions"):
            key = self.text("positions", n, row, "id", 64, required=True)
            if not key or not self.identify("positions", n, key, seen):
                continue
            obj = self.by_id["positions"][key]
            is_new = obj.pk is None
            unit = self.ref("positions", n, row, "unit", "units")
            if unit is not None:
                obj.unit = unit
            obj.title = self.text("positions", n, row, "title", 200, required=True)
            obj.level = self.choice("positions", n, row, "level", Position.Level.values)
            obj.role = self.choice("positions", n, row, "role", Position.Role.values)
            obj.seats = self.integer("positions", n, row, "seats", 1, 500, default=1)
            obj.function = self.choice(
                "positions",
                n,
                row,
                "function",
                Position.Function.values,
                Position.Function.RESOURCES,
            )
            obj.term_months = self.integer("positions", n, row, "term_months", 1, 240)
            obj.term_limit = self.integer("positions", n, row, "term_limit", 1, 20)
            obj.deputizes_for = self.ref(
                "positions", n, row, "deputizes_for", "positions", required=False
            )
            if obj.role == Position.Role.DEPUTY and obj.deputizes_for is None:
                self.problem("positions", n, "deputizes_for", "", "a deputy must name its lead")
            if obj.deputizes_for is obj:
                self.problem("positions", n, "deputizes_for", key, "cannot deputize for itself")
            obj.filled_by = self.choice(
                "positions", n, row, "filled_by", Position.FilledBy.values, Position.FilledBy.CALL
            )
            obj.acting_counts_as_term = self.boolean(
                "positions", n, row, "acting_counts_as_term", False
            )
            obj.holdover_allowed = self.boolean("positions", n, row, "holdover_allowed", True)
            obj.mandate = row.get("mandate", "")
            obj.requirements = row.get("requirements", "")
            self.period(obj, "positions", n, row)
            obj.slug = self.slug_for(Position, key, obj, taken)
            self.keep("positions", obj, is_new)

    def check_appointments(self, rows):
        keys = {r.get("id", "") for _, r in rows}
        found = {}
        for a in Appointment.objects.filter(external_id__in=keys):
            found[a.external_id] = a
        self._person_refs(rows)
        self._resolve_refs(
            "positions",
            Position,
            {r.get("position", "") for _, r in rows} | {r.get("appointed_by", "") for _, r in rows},
        )
        seen = {}
        planned = []
        for n, row in self.bar(rows, "appointments"):
            key = self.text("appointments", n, row, "id", 64, required=True)
            if not key or not self.identify("appointments", n, key, seen):
                continue
            obj = found.get(key) or Appointment(external_id=key)
            is_new = obj.pk is None
            person = self.ref("appointments", n, row, "person", "people")
            position = self.ref("appointments", n, row, "position", "positions")
            if person is not None:
                obj.person = person
            if position is not None:
                obj.position = position
            ok = self.period(obj, "appointments", n, row)
            obj.capacity = self.choice(
                "appointments",
                n,
                row,
                "capacity",
                Appointment.Capacity.values,
                Appointment.Capacity.REGULAR,
            )
            obj.method = self.choice(
                "appointments", n, row, "method", Appointment.Method.values, Appointment.Method.CALL
            )
            obj.appointed_by = self.ref(
                "appointments", n, row, "appointed_by", "positions", required=False
            )
            obj.end_reason = self.choice(
                "appointments", n, row, "end_reason", Appointment.EndReason.values
            )
            if obj.end_reason and obj.end is None:
                self.problem(
                    "appointments",
                    n,
                    "end_reason",
                    obj.end_reason,
                    "an appointment that has not ended has no reason for ending",
                )
            obj.exception_justification = row.get("exception_justification", "")
            obj.exception_approved_by = self.text(
                "appointments", n, row, "exception_approved_by", 200
            )
            if bool(obj.exception_justification) != bool(obj.exception_approved_by):
                self.problem(
                    "appointments",
                    n,
                    "exception_approved_by",
                    obj.exception_approved_by,
                    "an exception needs both a justification and who approved it",
                )
            obj.note = row.get("note", "")
            if person is None or position is None or not ok:
                continue
            self.keep("appointments", obj, is_new)
            planned.append((n, obj))
        self._check_seats(planned)

    def _check_seats(self, planned):
        """The registry's rules over the file and the database together: seats, one person
        once per position, term limits (with the term numbers the rows will get)."""
        by_position = defaultdict(list)
        for n, obj in planned:
            by_position[id(obj.position)].append((n, obj))
        stored = defaultdict(list)
        saved_positions = [
            items[0][1].position for items in by_position.values() if items[0][1].position.pk
        ]
        planned_ids = {o.pk for _, o in planned if o.pk}
        for a in Appointment.objects.filter(position__in=saved_positions).exclude(
            pk__in=planned_ids
        ):
            stored[a.position_id].append(a)
        for items in by_position.values():
            position = items[0][1].position
            everything = [o for _, o in items] + stored.get(position.pk, [])
            for o in everything:
                o.single_seat = position.seats == 1
            if peak_holders(everything) > (position.seats or 1):
                n, obj = self._first_overflow(items, everything, position.seats or 1)
                self.problem(
                    "appointments",
                    n,
                    "start",
                    str(obj.start_date),
                    f"{position.seats} seat(s) of {position.title} would have too many holders",
                )
            per_person = defaultdict(list)
            for o in everything:
                per_person[o.person_id or id(o.person)].append(o)
            for o in stored.get(position.pk, []):
                if any(p.person is o.person or p.person.pk == o.person_id for _, p in items):
                    self.renumber.add((o.person_id, position))
            rows_of = {id(o): n for n, o in items}
            for mine in per_person.values():
                if peak_holders(mine) > 1:
                    n = next((rows_of[id(o)] for o in mine if id(o) in rows_of), items[0][0])
                    self.problem(
                        "appointments",
                        n,
                        "start",
                        "",
                        "overlaps another appointment of the same person to the same position",
                    )
                mine.sort(key=lambda a: (a.start, a.sure_from))
                numbers = term_numbers(mine, position.acting_counts_as_term)
                for o, number in zip(mine, numbers, strict=True):
                    o.term_number = number
                    if (
                        position.term_limit
                        and number
                        and number > position.term_limit
                        and not o.exception_justification
                        and id(o) in rows_of
                    ):
                        self.problem(
                            "appointments",
                            rows_of[id(o)],
                            "exception_justification",
                            "",
                            f"term {number} goes over the limit of "
                            f"{position.term_limit}: record an exception",
                        )

    @staticmethod
    def _first_overflow(items, everything, seats):
        for n, obj in items:
            same = [o for o in everything if o is obj or o.surely_overlaps(obj)]
            if peak_holders(same) > seats:
                return n, obj
        return items[0]

    def check_completions(self, rows):
        to_write, problems = check_completions(rows, extra_people=dict(self.by_id["people"]))
        for p in problems:
            self.problem("completions", p.row, p.column, p.value, p.problem)
        self.completions = to_write

    def bar(self, rows, kind):
        return tqdm(rows, desc=f"check {kind}", unit="row", disable=not self.progress, leave=False)


# -- writing ---------------------------------------------------------------------------------
FIELDS = {
    "institutions": ["name", "short_name", "country", "city", "ror", "slug", "external_id"],
    "people": ["name", "sort_name", "pronouns", "orcid", "email", "slug", "external_id"],
    "memberships": ["start", "start_precision", "end", "end_precision"],
    "affiliations": ["start", "start_precision", "end", "end_precision"],
    "career_stages": ["stage", "start", "start_precision", "end", "end_precision"],
    "units": [
        "name",
        "short_name",
        "parent",
        "kind",
        "level",
        "description",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "slug",
        "external_id",
    ],
    "positions": [
        "unit",
        "title",
        "level",
        "role",
        "seats",
        "function",
        "term_months",
        "term_limit",
        "deputizes_for",
        "filled_by",
        "acting_counts_as_term",
        "holdover_allowed",
        "mandate",
        "requirements",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "slug",
        "external_id",
    ],
    "appointments": [
        "person",
        "position",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "capacity",
        "method",
        "appointed_by",
        "end_reason",
        "exception_justification",
        "exception_approved_by",
        "note",
        "external_id",
    ],
}
MODELS = {
    "institutions": Institution,
    "people": Person,
    "memberships": Membership,
    "affiliations": Affiliation,
    "career_stages": CareerStage,
    "units": OrgUnit,
    "positions": Position,
    "appointments": Appointment,
}


class Writer:
    """Writes what the checker planned: new rows in batches (with their history), changed
    rows one by one through ``save()`` so the audit trail shows each change."""

    def __init__(self, checker: Checker, report: Report, progress: bool):
        self.checker = checker
        self.report = report
        self.progress = progress

    def run(self):
        for kind in ORDER:
            if kind == "completions":
                self.write_completions()
                continue
            plan = self.checker.plan.get(kind, [])
            if kind == "units":
                self.in_order(kind, plan, "parent")
            elif kind == "positions":
                self.in_order(kind, plan, "deputizes_for")
                for obj, _ in plan:  # seats decide whether the exclusion constraint applies
                    Appointment.objects.filter(position=obj).exclude(
                        single_seat=obj.seats == 1
                    ).update(single_seat=obj.seats == 1)
            elif plan:
                self.write(kind, plan)
        for person_id, position in self.checker.renumber:
            renumber_terms(person_id, position)

    @staticmethod
    def _fix_refs(obj):
        for f in obj._meta.concrete_fields:
            if f.is_relation and f.is_cached(obj):  # an uncached relation is unchanged
                related = getattr(obj, f.name, None)
                if related is not None and getattr(obj, f.attname) != related.pk:
                    setattr(obj, f.attname, related.pk)

    def in_order(self, kind, plan, link):
        """Rows that point at another row of the same kind (a parent unit, the post a deputy
        serves) are written after it."""
        pending = list(plan)
        while pending:
            ready = [
                (o, is_new)
                for o, is_new in pending
                if getattr(o, link) is None or getattr(o, link).pk is not None
            ]
            if not ready:
                raise RuntimeError(f"{kind} could not be ordered")  # cycles were refused
            self.write(kind, ready)
            done = {id(o) for o, _ in ready}
            pending = [(o, n) for o, n in pending if id(o) not in done]

    def write(self, kind, plan):
        model = MODELS[kind]
        new = [obj for obj, is_new in plan if is_new]
        old = [obj for obj, is_new in plan if not is_new]
        for obj in new:
            self._fix_refs(obj)
            if hasattr(obj, "set_derived_dates"):
                obj.set_derived_dates()
        with tqdm(
            total=len(plan),
            desc=f"write {kind}",
            unit="row",
            disable=not self.progress,
            leave=False,
        ) as bar:
            for i in range(0, len(new), BATCH):
                bulk_create_with_history(new[i : i + BATCH], model, batch_size=BATCH)
                bar.update(len(new[i : i + BATCH]))
            attnames = ["pk"] + [model._meta.get_field(f).attname for f in FIELDS[kind]]
            stored = {}
            for i in range(0, len(old), BATCH):
                chunk = [o.pk for o in old[i : i + BATCH]]
                for row in model.objects.filter(pk__in=chunk).values_list(*attnames):
                    stored[row[0]] = row[1:]
            for obj in old:
                self._fix_refs(obj)
                current = tuple(getattr(obj, a) for a in attnames[1:])
                if current != stored.get(obj.pk):
                    obj.save()
                    self.report.updated[kind] += 1
                else:
                    self.report.unchanged[kind] += 1
                bar.update(1)
        self.report.created[kind] += len(new)

    def write_completions(self):
        new = self.checker.completions
        for completion in new:
            self._fix_refs(completion)
        if new:
            bulk_create_with_history(new, type(new[0]), batch_size=BATCH)
        self.report.created["completions"] += len(new)


def import_path(path, *, dry_run: bool = False, progress: bool = False) -> Report:
    """Import everything at ``path`` all-or-nothing; see the module docstring."""
    tables = read_tables(Path(path))
    report = Report()
    with transaction.atomic():
        checker = Checker(tables, report, progress)
        checker.run()
        if report.problems:
            report.problems.sort(key=lambda p: (ORDER.index(p.kind), p.row))
            transaction.set_rollback(True)
            return report
        Writer(checker, report, progress).run()
        RegistryVersion.bump()
        if dry_run:
            transaction.set_rollback(True)
    return report
