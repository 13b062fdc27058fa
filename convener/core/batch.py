"""Checking and writing many rows of one model at once, with the model's own rules.

A batch is checked one row at a time, in order, exactly as if each accepted row had already
been saved when the next is checked: the rules are the models' own ``full_clean`` and domain
checks; only what they read comes from memory, loaded once for the batch, instead of from the
database once per row. Accepted rows are then written in a few statements, with their audit
history. No statement binds more than ``MAX_PARAMS`` values, whatever the database (SQLite
builds before 3.32 allow no more; PostgreSQL allows 65,535 per statement).

What a batch reads is told in advance (``expect``, ``complete``) or read when first met.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

T = TypeVar("T")
CHUNK = 500  # values in one ``__in`` lookup


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def max_params() -> int:
    """The most values one statement may bind: SQLite's (999, as Django assumes for builds
    before 3.32), or half of PostgreSQL's 65,535."""
    return connection.features.max_query_params or 32_000


def rows_per_statement(model, *, update: bool = False) -> int:
    """How many rows of ``model`` one INSERT (or UPDATE, which binds each value twice) may
    carry within ``max_params``."""
    fields = len(model._meta.concrete_fields)
    return max(1, max_params() // (2 * fields + 1 if update else fields))


class UniqueValues:
    """The fields a model declares unique, over a batch: ``problems`` gives what
    ``validate_unique`` would refuse were the rows accepted so far already saved, with its
    messages; ``claim`` records a row as accepted (a changed row frees the value it had).
    The values that ``rows`` hold are read at once, a chunk at a time; a value met later
    (a row built after) is read when first met."""

    def __init__(self, model, rows=()):
        self.model = model
        self.checks, self.multi = [], []
        for model_class, names in model()._get_unique_checks()[0]:
            if len(names) > 1:
                self.multi.append((model_class, names))  # unique together: as Django does
                continue
            field = model_class._meta.get_field(names[0])
            if not field.primary_key:
                self.checks.append((model_class, field))
        self.owner: dict[str, dict] = {f.name: {} for _, f in self.checks}
        self.known: dict[str, set] = {f.name: set() for _, f in self.checks}
        self.whole: set[str] = set()  # fields whose every value in use is known
        self.held: dict[object, dict[str, object]] = {}  # stored values of changed rows
        self.released: set[tuple[str, object]] = set()
        # a value passed from one stored row to another: such rows must be written one at a
        # time, in order, for the database's own unique check to pass at every step
        self.passed_on = False
        self.load(rows)

    def complete(self, name: str, owners: dict) -> None:
        """Every value of field ``name`` in use, with the id of the row holding it."""
        self.owner[name].update(owners)
        self.whole.add(name)

    def expect(self, name: str, values) -> None:
        """Read at once which rows hold ``values`` of field ``name``."""
        for model_class, field in self.checks:
            if field.name != name or name in self.whole:
                continue
            values = set(values) - {None, ""} - self.known[name]
            self.known[name] |= values
            for chunk in chunked(sorted(values, key=str)):
                found = model_class._default_manager.filter(**{f"{field.attname}__in": chunk})
                for value, pk in found.values_list(field.attname, "pk"):
                    self.owner[name].setdefault(value, pk)

    def load(self, rows) -> None:
        """Read which rows hold the values of ``rows`` (and what the saved ones hold)."""
        if not self.checks:
            return
        rows = list(rows)
        for _, field in self.checks:
            self.expect(field.name, [getattr(r, field.attname) for r in rows])
        saved = {self._key(r) for r in rows if not r._state.adding}
        saved = [key for key in saved if key not in self.held]
        attnames = [f.attname for _, f in self.checks]
        for chunk in chunked(sorted(saved)):
            found = self.model._default_manager.filter(pk__in=chunk)
            for pk, *values in found.values_list("pk", *attnames):
                self.held[pk] = {}
                for (_, field), value in zip(self.checks, values, strict=True):
                    self.held[pk][field.name] = value
                    if value is not None:
                        self.known[field.name].add(value)
                        self.owner[field.name].setdefault(value, pk)

    @staticmethod
    def _key(row):
        return row.pk if not row._state.adding else ("new", id(row))

    def problems(self, row, exclude=()) -> dict[str, list]:
        """The unique fields of ``row`` whose value another row holds."""
        self.load([row])
        errors: dict[str, list] = {}
        key = self._key(row)
        for model_class, field in self.checks:
            if field.name in exclude:
                continue
            value = getattr(row, field.attname)
            if value is None or (
                value == "" and connection.features.interprets_empty_strings_as_nulls
            ):
                continue
            owner = self.owner[field.name].get(value)
            if owner is not None and owner != key:
                errors.setdefault(field.name, []).append(
                    row.unique_error_message(model_class, (field.name,))
                )
        for model_class, names in self.multi:
            if any(name in exclude for name in names):
                continue
            for name, messages in row._perform_unique_checks([(model_class, names)]).items():
                errors.setdefault(name or NON_FIELD_ERRORS, []).extend(messages)
        return errors

    def claim(self, row) -> None:
        """``row`` is accepted: it holds its values now, and no longer those it had."""
        key = self._key(row)
        now = {f.name: getattr(row, f.attname) for _, f in self.checks}
        for name, value in self.held.get(key, {}).items():
            if value != now[name] and self.owner[name].get(value) == key:
                del self.owner[name][value]
                self.released.add((name, value))
        for name, value in now.items():
            if value is not None:
                self.passed_on |= (name, value) in self.released
                self.owner[name][value] = key
        if key in self.held:
            self.held[key] = now


class References:
    """The foreign keys of a model, over a batch: what ``ForeignKey.validate`` checks (the
    record referred to exists), with its message, from ids read once a chunk at a time."""

    def __init__(self, model):
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation
            and not f.remote_field.parent_link
            and not f.get_limit_choices_to()  # a limited choice: its own query, as Django does
        ]
        self.names = {f.name for f in self.fields}
        self.existing: dict[str, set] = {f.name: set() for f in self.fields}
        self.asked: dict[str, set] = {f.name: set() for f in self.fields}

    def expect(self, name: str, values) -> None:
        """Read at once which of ``values`` (of foreign key ``name``) exist."""
        field = next(f for f in self.fields if f.name == name)
        values = set(values) - {None} - self.asked[name]
        self.asked[name] |= values
        target = field.remote_field.model._base_manager
        to = field.remote_field.field_name
        for chunk in chunked(sorted(values)):
            found = target.filter(**{f"{to}__in": chunk}).values_list(to, flat=True)
            self.existing[name].update(found)

    def problems(self, row, exclude=()) -> dict[str, list]:
        """What ``clean_fields`` says of the foreign keys of ``row``."""
        errors: dict[str, list] = {}
        for field in self.fields:
            if field.name in exclude:
                continue
            value = getattr(row, field.attname)
            if field.blank and value in field.empty_values:
                continue
            try:
                value = field.to_python(value)
                models.Field.validate(field, value, row)  # choices, null, blank
                if value is not None:
                    if value not in self.asked[field.name]:
                        self.expect(field.name, [value])
                    if value not in self.existing[field.name]:
                        raise ValidationError(
                            field.error_messages["invalid"],
                            code="invalid",
                            params={
                                "model": field.remote_field.model._meta.verbose_name,
                                "pk": value,
                                "field": field.remote_field.field_name,
                                "value": value,
                            },
                        )
                field.run_validators(value)
            except ValidationError as error:
                errors[field.name] = error.error_list
        return errors

    def written(self, rows) -> None:
        """Rows just written exist now, for the rows of other batches that refer to them."""
        for row in rows:
            for field in self.fields:
                self.existing[field.name].add(getattr(row, field.attname))


def full_clean_in_batch(row, unique: UniqueValues, refs: References, *, exclude=()) -> None:
    """``row.full_clean()`` with the unique fields and foreign keys checked against the
    batch (``unique``, ``refs``) instead of one query per field and row; raises the same
    ``ValidationError``."""
    errors = refs.problems(row, exclude)
    try:
        row.full_clean(
            exclude=[*exclude, *refs.names], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    settled = {*exclude, *(name for name in errors if name != NON_FIELD_ERRORS)}
    for name, messages in unique.problems(row, exclude=settled).items():
        errors.setdefault(name, []).extend(messages)
    try:
        row.validate_constraints(exclude=settled)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def write(model, rows, *, user=None, one_by_one: bool = False) -> None:
    """Write checked rows of ``model``: new ones in a few INSERTs, changed ones in a few
    UPDATEs (or one at a time, in order, with ``one_by_one``), each with its history record
    (by ``user``); nothing else runs, so the caller has checked them with the model's rules
    and sets derived fields first."""
    new = [r for r in rows if r._state.adding]
    changed = [r for r in rows if not r._state.adding]
    if one_by_one:
        for row in changed:
            if user is not None:
                row._history_user = user
            models.Model.save(row)
        changed = []
    with transaction.atomic():
        if new:
            size = rows_per_statement(model)
            bulk_create_with_history(new, model, batch_size=size, default_user=user)
        if changed:
            fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
            size = rows_per_statement(model, update=True)
            bulk_update_with_history(changed, model, fields, batch_size=size, default_user=user)


# A load of this many rows or more changes the tables enough that the query planner needs
# new statistics. Production servers run autovacuum, which would gather them within minutes;
# a server without it (this project's own bench machine) would otherwise plan every query
# with none, and a picker search reads 60,000 people instead of an index.
BULK_ROWS = 10_000


def refresh_statistics() -> None:
    """The planner's statistics gathered anew (``ANALYZE``), after a bulk load. PostgreSQL
    and SQLite both have the statement; it may run inside a transaction. On PostgreSQL the
    GIN indexes' pending lists are merged first: rows added in bulk wait there, read one by
    one by every search (3.3 ms instead of 0.24 for the picker's index at 60,000 people),
    until a VACUUM, which cannot run inside a transaction, or this."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE a.amname = 'gin'"
            )
        cursor.execute("ANALYZE")
