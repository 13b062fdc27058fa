"""Import of spreadsheets and Popolo JSON, all or nothing, through the registry's own code.

Each row becomes an unsaved model instance, validated with the model's own ``full_clean``
and domain checks, inside one transaction: the few units, positions and seat periods through
the same ``save()`` (and its locks, renumbering and history) that the admin, the API and the
forms use; the many people, their periods and appointments through the models' batches
(``people.models.Batch``, ``org.models.AppointmentBatch``), which check each row with those
same rules as if the rows accepted before it were saved, and write the accepted ones a few
hundred at a time with their history. Every problem — a value that cannot
be read, a reference to nothing, any rule of the registry — becomes a row of the report naming
kind, row, column and value; with any problem the transaction is rolled back and nothing is
written. Re-importing the same file changes nothing (rows are matched by their id, ORCID iD or
ROR id); a changed row updates its record, and the change shows in the audit history. Likely
duplicate people are reported as warnings, which do not stop the import.

Reading files is :mod:`convener.exchange.reading`'s job; this module only sees tables of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from convener.core import batch
from convener.core.batch import CHUNK, chunked
from convener.core.dates import UNKNOWN_WORDS, PartialDate, Precision
from convener.core.inputs import text_problem
from convener.core.models import RegistryVersion
from convener.core.validators import normalize_orcid, normalize_ror
from convener.org.models import (
    Appointment,
    AppointmentBatch,
    OrgUnit,
    Position,
    SeatPeriod,
    level_from_code,
)
from convener.people.models import (
    Affiliation,
    Batch,
    CareerStage,
    Institution,
    Membership,
    MergedPerson,
    Person,
)
from convener.training.services import check_completions

from .kinds import DESCRIPTIONS, KINDS, allowed_values
from .reading import ORDER, ImportFileError, Tables, read_tables

__all__ = ["ImportFileError", "Problem", "Report", "import_path", "import_tables"]


@dataclass
class Problem:
    kind: str
    row: int
    column: str
    value: str
    problem: str
    # the (kind, row) whose own problem this one follows from, for a reader that can tell
    # when both are one record of its own file
    follows: tuple[str, int] | None = None

    def __str__(self):
        where = f"{self.kind}, row {self.row}" + (f", column {self.column}" if self.column else "")
        # the value once: not when the message already quotes it
        shown = self.value and self.value not in self.problem
        value = f" {self.value!r}" if shown else ""
        return f"{where}:{value} {self.problem}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
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


class _Failed:
    """Stands for a row of the file that has a problem: references to it are not reported
    again as "unknown"."""

    def __init__(self, kind: str, row: int):
        self.kind, self.row = kind, row


# model fields whose errors belong to a differently named column
_COLUMN_OF = {
    "start_precision": "start",
    "end_precision": "end",
    "external_id": "id",
    "slug": "id",
    "exception_justification": "exception_justification",
}
_NOUN = {
    "people": "person",
    "units": "unit",
    "positions": "position",
    "institutions": "institution",
}
YES = {"1", "true", "yes", "y"}
NO = {"0", "false", "no", "n"}


# Free text that may hold line breaks and tabs (Markdown); other cells are one line.
MULTILINE_COLUMNS = {"mandate", "requirements", "description", "note", "exception_justification"}


def _ref(obj) -> tuple:
    """A record's place in ``Importer.row_of``: its id, or itself while it has none."""
    return (obj._meta.model_name, obj.pk) if obj.pk is not None else ("unsaved", id(obj))


class Importer:
    """Turns rows into model instances and has the models check and write them: row by row
    through ``save()`` for the few units, positions and seat periods; in batches checked by the
    same rules for the many people, their periods and appointments."""

    def __init__(self, tables: Tables, report: Report, progress=False, user=None):
        self.tables = tables
        self.report = report
        self.progress = progress  # True: progress bars; a callable: told (rows done, note)
        self.user = user  # who imports: the author of every history record written
        self.total = max(1, sum(len(rows) for rows in tables.values()))
        self.done = 0
        self.by_id: dict[str, dict[str, object]] = defaultdict(dict)
        self.row_of: dict[tuple, tuple[str, int]] = {}  # _ref(record) -> (kind, row)

    # -- reporting -----------------------------------------------------------------------
    def problem(self, kind, row, column, value, text, follows=None):
        self.report.problems.append(Problem(kind, row, column, str(value), text, follows))

    def refused(self, kind, n, row, error: ValidationError):
        """Every message of a model's ValidationError as report rows, on the file's columns."""
        errors = error.error_dict if hasattr(error, "error_dict") else {"": error.error_list}
        for name, items in errors.items():
            column = _COLUMN_OF.get(name, name)
            if column not in KINDS[kind]:
                column = ""
            for item in items:
                text = item.message % item.params if item.params else item.message
                if item.code == "invalid_choice":
                    allowed = allowed_values(kind).get(column)
                    if allowed:
                        text = f"is not one of {', '.join(allowed)}"
                    elif column in DESCRIPTIONS:
                        text = f"is not valid here: use {DESCRIPTIONS[column]}"
                elif item.code == "seats":
                    rows = sorted(
                        r
                        for other in item.params.get("others", [])
                        if (r := self.row_of.get(_ref(other)))
                    )
                    if rows:
                        text += (
                            " Other holder(s) from this file: "
                            + ", ".join(f"{k} row {r}" for k, r in rows)
                            + "."
                        )
                self.problem(kind, n, column, row.get(column, "") if column else "", text)

    # -- reading values ------------------------------------------------------------------
    def set_period(self, obj, kind, n, row) -> bool:
        ok = True
        for bound in ("start", "end"):
            if bound not in row and obj.pk is not None:
                continue
            text = row.get(bound, "").strip()
            if text.lower() in UNKNOWN_WORDS:
                setattr(obj, bound, None)
                setattr(obj, f"{bound}_precision", Precision.UNKNOWN)
                continue
            if not text:
                setattr(obj, bound, None)
                setattr(obj, f"{bound}_precision", Precision.DAY)
                continue
            try:
                date = PartialDate.parse(text)
            except ValueError as exc:
                message = str(exc)
                if "use YYYY" in message:
                    message = "is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or unknown"
                self.problem(kind, n, bound, text, message)
                ok = False
                continue
            setattr(obj, bound, date.value)
            setattr(obj, f"{bound}_precision", date.precision)
        return ok

    def set_text(self, obj, row, column, attname=None):
        if column in row:
            setattr(obj, attname or column, row[column])

    def set_choice(self, obj, row, column):
        """An empty cell means the field's default (e.g. "not recorded" for a method)."""
        if column not in row:
            return
        value = row[column].strip()
        setattr(obj, column, value or obj._meta.get_field(column).get_default())

    def set_integer(self, obj, kind, n, row, column, default=None) -> bool:
        if column not in row:
            if obj.pk is None and default is not None:
                setattr(obj, column, default)
            return True
        text = row[column].strip()
        if not text:
            setattr(obj, column, default)
            return True
        try:
            setattr(obj, column, int(text))
        except ValueError:
            self.problem(kind, n, column, text, "is not a whole number")
            return False
        return True

    def set_boolean(self, obj, kind, n, row, column) -> bool:
        if column not in row:
            return True
        text = row[column].strip().lower()
        if not text:
            setattr(obj, column, obj._meta.get_field(column).get_default())
        elif text in YES or text in NO:
            setattr(obj, column, text in YES)
        else:
            self.problem(kind, n, column, text, "is not yes or no")
            return False
        return True

    def ref(self, kind, n, row, column, target, required=True):
        """The record a cell names: from this file, or already in the registry."""
        key = row.get(column, "").strip()
        if not key:
            if required:
                self.problem(kind, n, column, "", "is required")
            return None
        obj = self.by_id[target].get(key)
        if isinstance(obj, _Failed):
            self.problem(
                kind,
                n,
                column,
                key,
                f"refers to {obj.kind} row {obj.row}, which has a problem",
                follows=(obj.kind, obj.row),
            )
            return None
        if obj is None:
            self.problem(kind, n, column, key, f"unknown {_NOUN.get(target, target[:-1])}")
        return obj

    def known(self, target, model, keys, extra=None):
        """Load the records of ``target`` that ``keys`` name by external id or slug (or the
        ``extra`` field, e.g. an ORCID iD), so that cells can refer to them."""
        keys = {k.strip() for k in keys if k and k.strip()} - set(self.by_id[target])
        if not keys:
            return
        for chunk in chunked(sorted(keys), CHUNK // 3):  # three lookups of the chunk each
            chunk = set(chunk)
            q = Q(external_id__in=chunk) | Q(slug__in=chunk)
            normalized = {}
            if extra:
                name, normalize = extra
                normalized = {normalize(k): k for k in chunk if normalize(k)}
                q |= Q(**{f"{name}__in": list(normalized)})
            for obj in model.objects.filter(q):
                for k in (obj.external_id, obj.slug):
                    if k in chunk:
                        self.by_id[target].setdefault(k, obj)
                if extra and getattr(obj, extra[0]) in normalized:
                    self.by_id[target].setdefault(normalized[getattr(obj, extra[0])], obj)
        if model is Person:
            missing = keys - set(self.by_id[target])
            for chunk in chunked(sorted(missing), CHUNK // 2):  # two lookups of the chunk
                for merged in MergedPerson.objects.filter(
                    Q(external_id__in=chunk) | Q(slug__in=chunk)
                ).select_related("into"):
                    for k in (merged.external_id, merged.slug):
                        if k in missing:
                            self.by_id[target].setdefault(k, merged.into)

    def identify(self, kind, n, key, seen) -> bool:
        if not key:
            self.problem(kind, n, "id", "", "is required")
            return False
        if key in seen:
            self.problem(kind, n, "id", key, f"appears twice (also row {seen[key]})")
            return False
        if len(key) > 64:
            self.problem(kind, n, "id", key[:40] + "…", "longer than 64 characters")
            return False
        seen[key] = n
        return True

    def new_slug(self, model, key, taken):
        base = slugify(key)[:74] or model.__name__.lower()
        slug, i = base, 1
        while slug in taken:
            i += 1
            slug = f"{base}-{i}"
        taken.add(slug)
        return slug

    # -- writing one row -----------------------------------------------------------------
    @staticmethod
    def _state(obj) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    def write(self, kind, n, row, obj, before: dict | None, key=None) -> bool:
        """Validate ``obj`` with its model's rules and save it through its ``save()``, in a
        savepoint; a refusal becomes report rows and leaves the database as it was."""
        if self.user is not None:
            obj._history_user = self.user
        try:
            with transaction.atomic():
                if not isinstance(obj, (Appointment, SeatPeriod)):  # their save() validates
                    obj.full_clean()
                elif hasattr(obj, "set_derived_dates"):
                    obj.set_derived_dates()
                if before is not None and self._state(obj) == before:
                    self.report.unchanged[kind] += 1
                else:
                    obj.save()
                    counter = self.report.created if before is None else self.report.updated
                    counter[kind] += 1
        except ValidationError as error:
            self.refused(kind, n, row, error)
        except IntegrityError as error:
            self.problem(kind, n, "", "", f"refused by the database: {error}".splitlines()[0])
        else:
            self.row_of[_ref(obj)] = (kind, n)
            if key is not None:
                self.by_id[kind][key] = obj
            return True
        if key is not None:
            self.by_id[kind][key] = _Failed(kind, n)
        return False

    def checked(self, kind, n, row, obj, before, batch, key=None) -> bool:
        """Check ``obj`` with ``batch`` (its model's rules, as saving it would); a refusal
        becomes report rows. Returns whether it is to be written (new or changed)."""
        error = batch.check(obj)
        if error is not None:
            self.refused(kind, n, row, error)
            if key is not None:
                self.by_id[kind][key] = _Failed(kind, n)
            return False
        self.row_of[_ref(obj)] = (kind, n)
        if key is not None:
            self.by_id[kind][key] = obj
        if before is not None and self._state(obj) == before:
            self.report.unchanged[kind] += 1
            return False
        counter = self.report.created if before is None else self.report.updated
        counter[kind] += 1
        return True

    def written(self, kind, rows) -> None:
        """Rows just written have ids: file them under their ids."""
        for obj in rows:
            n = self.row_of.pop(("unsaved", id(obj)), None)
            if n is not None:
                self.row_of[_ref(obj)] = n

    def bar(self, rows, kind):
        """``rows`` as they are worked through, telling the progress every few hundred."""
        if callable(self.progress):
            return self._told(rows, kind)
        return tqdm(rows, desc=f"import {kind}", unit="row", disable=not self.progress)

    def _told(self, rows, kind):
        rows = list(rows)
        for i, row in enumerate(rows):
            if i % 250 == 0:
                self.progress(self.done + i, self.total, f"{kind}: row {i + 1:,} of {len(rows):,}")
            yield row
        self.done += len(rows)
        self.progress(self.done, self.total, f"{kind}: done")

    # -- kinds ---------------------------------------------------------------------------
    def run(self):
        for kind in ORDER:
            if kind in self.tables:
                self.check_characters(kind, self.tables[kind])
        if self.report.problems:
            return  # such values are never looked up (PostgreSQL cannot even compare a NUL)
        for kind in ORDER:
            if kind in self.tables:
                try:
                    getattr(self, f"import_{kind}")(self.tables[kind])
                except IntegrityError as error:  # the model layer lets nothing through to it
                    message = f"refused by the database: {error}".splitlines()[0]
                    self.problem(kind, self.tables[kind][0][0], "", "", message)
                    return

    def check_characters(self, kind, rows):
        """No control character in any cell: the rule of every path in (core.inputs)."""
        for n, row in rows:
            for column, value in row.items():
                problem = text_problem(value, multiline=column in MULTILINE_COLUMNS)
                if problem:
                    shown = value.encode("unicode_escape").decode("ascii")
                    self.problem(kind, n, column, shown[:40], problem)

    def import_institutions(self, rows):
        self.known(
            "institutions", Institution, [r.get("id", "") for _, r in rows], ("ror", normalize_ror)
        )
        self.known(
            "institutions", Institution, [r.get("ror", "") for _, r in rows], ("ror", normalize_ror)
        )
        owners = dict(Institution.objects.values_list("slug", "pk"))
        taken = set(owners)
        seen = {}
        stored = [i for i in self.by_id["institutions"].values() if isinstance(i, Institution)]
        batch, to_write = Batch(Institution, stored, user=self.user), []
        batch.unique.complete("slug", owners)
        batch.expect(
            external_id=[r.get("id", "").strip() for _, r in rows],
            ror=[normalize_ror(r.get("ror", "")) for _, r in rows],
        )
        for n, row in self.bar(rows, "institutions"):
            key = row.get("id", "").strip()
            if not self.identify("institutions", n, key, seen):
                continue
            ror = normalize_ror(row.get("ror", "")) or None
            obj = self.by_id["institutions"].get(key) or (
                self.by_id["institutions"].get(ror) if ror else None
            )
            obj = obj if isinstance(obj, Institution) else None
            before = self._state(obj) if obj else None
            obj = obj or Institution(external_id=key, slug=self.new_slug(Institution, key, taken))
            for column in ("name", "short_name", "city"):
                self.set_text(obj, row, column)
            if "country" in row:
                obj.country = row["country"].strip().upper()
            if "ror" in row:
                obj.ror = row["ror"]
            if self.checked("institutions", n, row, obj, before, batch, key):
                to_write.append(obj)
            if obj.ror and self.by_id["institutions"].get(key) is obj:
                self.by_id["institutions"][obj.ror] = obj
        batch.save(to_write)
        self.written("institutions", to_write)

    def import_people(self, rows):
        self.known("people", Person, [r.get("id", "") for _, r in rows], ("orcid", normalize_orcid))
        self.known(
            "people", Person, [r.get("orcid", "") for _, r in rows], ("orcid", normalize_orcid)
        )
        owners = dict(Person.objects.values_list("slug", "pk"))
        taken = set(owners)
        seen = {}
        stored = [p for p in self.by_id["people"].values() if isinstance(p, Person)]
        batch, to_write, new = Batch(Person, stored, user=self.user), [], []
        batch.unique.complete("slug", owners)
        batch.expect(
            external_id=[r.get("id", "").strip() for _, r in rows],
            orcid=[normalize_orcid(r.get("orcid", "")) for _, r in rows],
        )
        for n, row in self.bar(rows, "people"):
            key = row.get("id", "").strip()
            if not self.identify("people", n, key, seen):
                continue
            orcid = normalize_orcid(row.get("orcid", "")) or None
            obj = self.by_id["people"].get(key) or (
                self.by_id["people"].get(orcid) if orcid else None
            )
            obj = obj if isinstance(obj, Person) else None
            before = self._state(obj) if obj else None
            obj = obj or Person(external_id=key, slug=self.new_slug(Person, key, taken))
            for column in ("name", "pronouns", "email", "photo_url", "website"):
                self.set_text(obj, row, column)
            if "sort_name" in row:
                obj.sort_name = row["sort_name"].strip() or Person.default_sort_name(obj.name)
            if "orcid" in row:
                obj.orcid = row["orcid"]
            if self.checked("people", n, row, obj, before, batch, key):
                to_write.append(obj)
                if before is None:
                    new.append(obj)
            if obj.orcid and self.by_id["people"].get(key) is obj:
                self.by_id["people"][obj.orcid] = obj
        batch.save(to_write)
        self.written("people", to_write)
        self.warn_duplicates(new)

    def warn_duplicates(self, new):
        """A warning for each new person who may be someone already there or someone the file
        named before, as saving them one by one would find: ids follow the file's order."""
        duplicates = Person.likely_duplicates_of(new)
        for person in new:
            n = self.row_of[_ref(person)][1]
            for other in [o for o in duplicates[person.pk] if o.pk < person.pk][:5]:
                where = self.row_of.get(_ref(other))
                if where and where[1] < n:
                    place = f"row {where[1]} of this file"
                else:
                    place = f"/people/{other.slug}/"
                self.report.warnings.append(
                    Problem(
                        "people",
                        n,
                        "name",
                        person.name,
                        f"may be the same person as {other.name} ({place}): check, and merge "
                        "them if so",
                    )
                )

    def _person_history(self, kind, model, rows, extra=None):
        """Memberships, affiliations and career stages: matched on person, start (and the
        institution); the model refuses periods of one person that surely overlap."""
        self.known(
            "people", Person, [r.get("person", "") for _, r in rows], ("orcid", normalize_orcid)
        )
        if kind == "affiliations":
            self.known(
                "institutions",
                Institution,
                [r.get("institution", "") for _, r in rows],
                ("ror", normalize_ror),
            )
        ids = set()
        for _n, r in rows:
            person = self.by_id["people"].get(r.get("person", "").strip())
            if isinstance(person, Person):
                ids.add(person.pk)
        stored = [
            e for chunk in chunked(sorted(ids)) for e in model.objects.filter(person_id__in=chunk)
        ]
        batch, to_write = Batch(model, user=self.user, stored=stored), []
        batch.expect(person=ids)
        if kind == "affiliations":
            batch.expect(
                institution=[
                    i.pk for i in self.by_id["institutions"].values() if isinstance(i, Institution)
                ]
            )
        for n, row in self.bar(rows, kind):
            person = self.ref(kind, n, row, "person", "people")
            target = None
            if kind == "affiliations":
                target = self.ref(kind, n, row, "institution", "institutions")
                if target is None:
                    continue
            if person is None:
                continue
            probe = model(person=person)
            if target is not None:
                probe.institution = target
            if not self.set_period(probe, kind, n, row):
                continue
            match = next(
                (
                    e
                    for e in batch.peers.get(probe.scope_key(), [])
                    if e.start == probe.start and e.start_precision == probe.start_precision
                ),
                None,
            )
            before = self._state(match) if match else None
            obj = match or probe
            if match:
                self.set_period(obj, kind, n, row)
            if extra:
                self.set_choice(obj, row, extra)
            if self.checked(kind, n, row, obj, before, batch):
                to_write.append(obj)
        batch.save(to_write)
        self.written(kind, to_write)

    def import_memberships(self, rows):
        self._person_history("memberships", Membership, rows)

    def import_affiliations(self, rows):
        self._person_history("affiliations", Affiliation, rows)

    def import_career_stages(self, rows):
        self._person_history("career_stages", CareerStage, rows, extra="stage")

    @staticmethod
    def _parents_first(rows, link):
        """Rows that name another row of the same file (a parent unit, the post a deputy
        serves) come after it; a cycle keeps the file's order (and the model refuses it)."""
        keys = {r.get("id", "").strip(): (n, r) for n, r in rows}
        done, ordered = set(), []

        def visit(key, trail):
            if key in done or key not in keys or key in trail:
                return
            n, r = keys[key]
            visit(r.get(link, "").strip(), trail | {key})
            done.add(key)
            ordered.append((n, r))

        for _n, r in rows:
            visit(r.get("id", "").strip(), frozenset())
        placed = {n for n, _r in ordered}
        return ordered + [(n, r) for n, r in rows if n not in placed]

    def import_units(self, rows):
        self.known(
            "units",
            OrgUnit,
            [r.get("id", "") for _, r in rows] + [r.get("parent", "") for _, r in rows],
        )
        taken = set(OrgUnit.objects.values_list("slug", flat=True))
        seen = {}
        file_keys = {r.get("id", "").strip() for _, r in rows}
        self._check_cycles(rows, "units", "parent")
        for n, row in self.bar(self._parents_first(rows, "parent"), "units"):
            key = row.get("id", "").strip()
            if not self.identify("units", n, key, seen):
                continue
            obj = self.by_id["units"].get(key)
            obj = obj if isinstance(obj, OrgUnit) else None
            before = self._state(obj) if obj else None
            obj = obj or OrgUnit(external_id=key, slug=self.new_slug(OrgUnit, key, taken))
            for column in ("name", "short_name", "description", "order"):
                self.set_text(obj, row, column)
            self.set_choice(obj, row, "kind")
            ok = True
            if "level" in row:
                try:
                    obj.level = level_from_code(row["level"]) if row["level"].strip() else None
                except ValueError:
                    self.problem(
                        "units",
                        n,
                        "level",
                        row["level"],
                        "is not one of top, L1, L2, L3, board, committee",
                    )
                    ok = False
            if "parent" in row:
                parent_key = row["parent"].strip()
                if parent_key in file_keys and parent_key in self.cyclic:
                    self.by_id["units"][key] = _Failed("units", n)
                    continue
                obj.parent = self.ref("units", n, row, "parent", "units", required=False)
                ok = ok and (obj.parent is not None or not parent_key)
            ok = self.set_period(obj, "units", n, row) and ok
            if ok:
                self.write("units", n, row, obj, before, key)
            else:
                self.by_id["units"][key] = _Failed("units", n)

    def _check_cycles(self, rows, kind, link):
        parents = {r.get("id", "").strip(): (n, r.get(link, "").strip()) for n, r in rows}
        self.cyclic = set()
        for key, (n, parent) in parents.items():
            node, hops = parent, 0
            while node and hops <= len(parents):
                if node == key:
                    self.problem(kind, n, link, parent, "makes a unit its own ancestor")
                    self.cyclic.add(key)
                    break
                node = parents.get(node, (0, ""))[1]
                hops += 1

    def import_positions(self, rows):
        self.known("units", OrgUnit, [r.get("unit", "") for _, r in rows])
        self.known(
            "positions",
            Position,
            [r.get("id", "") for _, r in rows] + [r.get("deputizes_for", "") for _, r in rows],
        )
        taken = set(Position.objects.values_list("slug", flat=True))
        seen = {}
        for n, row in self.bar(self._parents_first(rows, "deputizes_for"), "positions"):
            key = row.get("id", "").strip()
            if not self.identify("positions", n, key, seen):
                continue
            obj = self.by_id["positions"].get(key)
            obj = obj if isinstance(obj, Position) else None
            before = self._state(obj) if obj else None
            obj = obj or Position(external_id=key, slug=self.new_slug(Position, key, taken))
            unit = self.ref("positions", n, row, "unit", "units")
            ok = unit is not None
            if unit is not None:
                obj.unit = unit
            for column in ("title", "mandate", "requirements"):
                self.set_text(obj, row, column)
            for column in ("level", "role", "function", "filled_by"):
                self.set_choice(obj, row, column)
            ok = self.set_integer(obj, "positions", n, row, "seats", default=1) and ok
            ok = self.set_integer(obj, "positions", n, row, "term_months") and ok
            ok = self.set_integer(obj, "positions", n, row, "term_limit") and ok
            for column in ("acting_counts_as_term", "holdover_allowed"):
                ok = self.set_boolean(obj, "positions", n, row, column) and ok
            if "deputizes_for" in row:
                lead_key = row["deputizes_for"].strip()
                obj.deputizes_for = (
                    self.ref("positions", n, row, "deputizes_for", "positions")
                    if lead_key
                    else None
                )
                ok = ok and (obj.deputizes_for is not None or not lead_key)
            ok = self.set_period(obj, "positions", n, row) and ok
            if ok:
                self.write("positions", n, row, obj, before, key)
            else:
                self.by_id["positions"][key] = _Failed("positions", n)

    def import_seat_periods(self, rows):
        self.known("positions", Position, [r.get("position", "") for _, r in rows])
        positions = [p for p in self.by_id["positions"].values() if isinstance(p, Position)]
        stored = defaultdict(list)
        for p in SeatPeriod.objects.filter(position__in=positions):
            stored[p.position_id].append(p)
        for n, row in self.bar(rows, "seat_periods"):
            position = self.ref("seat_periods", n, row, "position", "positions")
            if position is None:
                continue
            probe = SeatPeriod(position=position)
            if not self.set_period(probe, "seat_periods", n, row):
                continue
            match = next(
                (
                    p
                    for p in stored.get(position.pk, [])
                    if p.start == probe.start and p.start_precision == probe.start_precision
                ),
                None,
            )
            before = self._state(match) if match else None
            obj = match or probe
            if match:
                self.set_period(obj, "seat_periods", n, row)
            if not self.set_integer(obj, "seat_periods", n, row, "seats"):
                continue
            self.set_choice(obj, row, "end_kind")
            self.set_text(obj, row, "note")
            if self.write("seat_periods", n, row, obj, before) and match is None:
                stored[position.pk].append(obj)

    def import_appointments(self, rows):
        self.known(
            "people", Person, [r.get("person", "") for _, r in rows], ("orcid", normalize_orcid)
        )
        self.known(
            "positions",
            Position,
            [r.get("position", "") for _, r in rows] + [r.get("appointed_by", "") for _, r in rows],
        )
        keys = sorted({r.get("id", "").strip() for _, r in rows} - {""})
        stored = {
            a.external_id: a
            for chunk in chunked(keys)
            for a in Appointment.objects.filter(external_id__in=chunk)
        }
        seen, planned = {}, []
        for n, row in rows:
            key = row.get("id", "").strip()
            if not self.identify("appointments", n, key, seen):
                continue
            obj = stored.get(key)
            before = self._state(obj) if obj else None
            obj = obj or Appointment(external_id=key)
            person = self.ref("appointments", n, row, "person", "people")
            position = self.ref("appointments", n, row, "position", "positions")
            ok = person is not None and position is not None
            if ok:
                obj.person, obj.position = person, position
            if "appointed_by" in row:
                by_key = row["appointed_by"].strip()
                obj.appointed_by = (
                    self.ref("appointments", n, row, "appointed_by", "positions")
                    if by_key
                    else None
                )
                ok = ok and (obj.appointed_by is not None or not by_key)
            ok = self.set_period(obj, "appointments", n, row) and ok
            for column in ("end_kind", "capacity", "method", "end_reason"):
                self.set_choice(obj, row, column)
            for column in ("exception_justification", "exception_approved_by", "source", "note"):
                self.set_text(obj, row, column)
            if ok:
                obj.set_derived_dates()
                planned.append((n, row, obj, before))
        # handovers in the order they happened, so a successor follows the predecessor's end
        planned.sort(key=lambda p: (p[2].position.pk, *p[2].chronology, p[0]))
        by_position = defaultdict(list)
        for n, row, obj, before in self.bar(planned, "appointments"):
            self.row_of[_ref(obj)] = ("appointments", n)
            if before is not None and self._state(obj) == before:
                self.report.unchanged["appointments"] += 1
                continue  # as ``save`` is not called for a row that changes nothing
            by_position[obj.position.pk].append((n, row, obj, before))
        batch = AppointmentBatch(
            [obj for group in by_position.values() for _n, _r, obj, _b in group], user=self.user
        )
        for group in by_position.values():
            position = group[0][2].position
            results = batch.save(position, [obj for _n, _r, obj, _b in group])
            for (n, row, obj, before), error in zip(group, results, strict=True):
                if error is not None:
                    self.refused("appointments", n, row, error)  # names rows not yet written
                    self.row_of.pop(_ref(obj), None)
                else:
                    counter = self.report.created if before is None else self.report.updated
                    counter["appointments"] += 1
        batch.flush()
        self.written("appointments", [obj for g in by_position.values() for _n, _r, obj, _b in g])

    def import_completions(self, rows):
        people = {k: v for k, v in self.by_id["people"].items() if isinstance(v, Person)}
        to_write, problems = check_completions(rows, extra_people=people)
        for p in problems:
            self.problem("completions", p.row, p.column, p.value, p.problem)
        if to_write and not problems:
            bulk_create_with_history(to_write, type(to_write[0]), batch_size=2000)
        self.report.created["completions"] += len(to_write)


def import_tables(tables: Tables, *, dry_run: bool = False, progress=False, user=None) -> Report:
    """Import ``tables`` all-or-nothing through the models; see the module docstring.
    ``progress``: True for progress bars, or a callable told (rows done, rows, note);
    ``user``: who imports (the author of the history records)."""
    report = Report()
    with transaction.atomic():
        with RegistryVersion.deferred():
            Importer(tables, report, progress, user).run()
        if report.problems:
            report.problems.sort(key=lambda p: (ORDER.index(p.kind), p.row))
            transaction.set_rollback(True)
        elif dry_run:
            transaction.set_rollback(True)
    if not dry_run and not report.problems and sum(report.created.values()) >= batch.BULK_ROWS:
        batch.refresh_statistics()
    return report


def import_path(path, *, dry_run: bool = False, progress=False, user=None) -> Report:
    """Read the file(s) at ``path`` and import them all-or-nothing."""
    return import_tables(read_tables(Path(path)), dry_run=dry_run, progress=progress, user=user)
