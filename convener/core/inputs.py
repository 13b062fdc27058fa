"""What Convener accepts on every path in: text without control characters, and dates within
the range it keeps (``dates.EARLIEST`` to ``dates.LATEST``).

One rule, enforced at three layers that every path goes through:

- ``install_field_validators`` (run once at start-up) gives every text, date and date-time
  field of Convener's models (and the account's names) the validators below (free text
  also its length limit, ``TEXT_MAX_CHARS``), so every
  ``full_clean`` applies them: the admin's forms, the API's serializers (DRF copies a model
  field's validators), the services that validate with ``full_clean``. They are added to the
  field's validator list at run time, not declared on the field, so no migration records them.
- ``refuse_bad_values`` runs before every save of those models (``pre_save``), so a path that
  saves without ``full_clean`` cannot store what the validators refuse either.
- ``text_problem`` and ``date_problem`` are called directly where input is not a model field
  (the importer's cells, the self-described terms kept encrypted, messages that go by mail).

PostgreSQL refuses NUL in text outright; the rest would reach pages, mail and spreadsheets.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.utils.deconstruct import deconstructible

from .dates import range_problem

# C0 and C1 control characters, DEL, lone surrogates (not encodable, so never storable), and
# the bidirectional overrides and isolates that make text display in another order than it
# is stored ("Trojan source"). Tab, line feed and carriage return are fine in multi-line text.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_MULTI_LINE = re.compile(f"[{_ALWAYS}]")
_ONE_LINE = re.compile(f"[{_ALWAYS}\t\n\r\u2028\u2029]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` may not be stored (it holds a control character), or None."""
    if not isinstance(value, str):
        return None
    match = (_MULTI_LINE if multiline else _ONE_LINE).search(value)
    if match is None:
        return None
    return (
        f"contains the control character U+{ord(match.group()):04X} at position "
        f"{match.start() + 1}; remove it (only letters, digits, punctuation and spaces"
        f"{', tabs and line breaks' if multiline else ''} are accepted)."
    )


def date_problem(value) -> str | None:
    """Why the date or date-time ``value`` may not be stored, or None."""
    if isinstance(value, dt.date):
        return range_problem(value)
    return None


@deconstructible
class NoControlCharacters:
    """Refuses text holding a control character (see ``text_problem``)."""

    code = "control_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            raise ValidationError(f"This text {problem}", code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


@deconstructible
class WithinDateRange:
    """Refuses a date (or date-time) outside the dates Convener keeps."""

    code = "date_out_of_range"

    def __call__(self, value):
        problem = date_problem(value)
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other):
        return isinstance(other, WithinDateRange)


# Free text that people type (a statement, a mandate, a note, a rationale): at most this many
# characters, about 3,000 words. Text Convener writes itself is not limited (see below).
TEXT_MAX_CHARS = 20_000
# Text fields that Convener writes, never a person: ciphertexts, snapshots, mail bodies, errors.
MACHINE_WRITTEN = {
    ("review", "ciphertext"),
    ("review", "confidential"),
    ("review", "error"),
    ("exchange", "error"),
    ("mail", "body"),
    ("mail", "last_error"),
}


def length_problem(value: str, limit: int = TEXT_MAX_CHARS) -> str | None:
    """Why ``value`` is too long to store as free text, or None."""
    if not isinstance(value, str) or len(value) <= limit:
        return None
    return (
        f"This text has {len(value):,} characters; at most {limit:,} are accepted. "
        "Shorten it, or link to a longer document."
    )


@deconstructible
class FreeTextLength:
    """Refuses free text longer than ``TEXT_MAX_CHARS``."""

    code = "max_length"

    def __call__(self, value):
        problem = length_problem(value)
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other):
        return isinstance(other, FreeTextLength)


def _is_free_text(field) -> bool:
    return (
        isinstance(field, models.TextField)
        and (field.model._meta.app_label, field.name) not in MACHINE_WRITTEN
    )


def _validator_for(field):
    if isinstance(field, models.TextField):
        return NoControlCharacters(multiline=True)
    if isinstance(field, models.CharField):  # also e-mail, slug and URL fields
        return NoControlCharacters()
    if isinstance(field, (models.DateField, models.DateTimeField)):
        return WithinDateRange()
    return None


def guarded_models():
    """Convener's own models (their history tables included) and the accounts."""
    for model in apps.get_models():
        if model._meta.app_config.name.startswith("convener.") or model._meta.label == (
            "auth.User"
        ):
            yield model


def install_field_validators() -> None:
    """Give every guarded field its validator (idempotent)."""
    for model in guarded_models():
        for field in model._meta.concrete_fields:
            validators = [_validator_for(field), FreeTextLength() if _is_free_text(field) else None]
            for validator in validators:
                if validator is not None and validator not in field.validators:
                    # the cached list ``full_clean`` reads, not the declared ``_validators``
                    # that migrations compare
                    field.validators.append(validator)
        pre_save.connect(
            refuse_bad_values, sender=model, dispatch_uid=f"inputs:{model._meta.label}"
        )


@cache
def _checked_fields(model) -> tuple[tuple[str, str, str | None], ...]:
    """(field name, attribute, "date" or "text"/"multiline") for every checked field."""
    checked = []
    for field in model._meta.concrete_fields:
        validator = _validator_for(field)
        if isinstance(validator, WithinDateRange):
            checked.append((field.name, field.attname, "date"))
        elif validator is not None:
            checked.append(
                (field.name, field.attname, "multiline" if validator.multiline else "text")
            )
        if _is_free_text(field):
            checked.append((field.name, field.attname, "length"))
    return tuple(checked)


def instance_problems(instance) -> dict[str, str]:
    """Every field of ``instance`` whose value may not be stored, with the reason."""
    problems = {}
    for name, attname, kind in _checked_fields(type(instance)):
        value = getattr(instance, attname)
        if name in problems:
            continue
        if kind == "date":
            problem = date_problem(value)
        elif kind == "length":
            problem = length_problem(value)
        else:
            problem = text_problem(value, multiline=kind == "multiline")
            problem = problem and f"This text {problem}"
        if problem:
            problems[name] = problem
    return problems


def refuse_bad_values(sender, instance, raw=False, **kwargs):
    """Before every save: nothing a validator above refuses reaches the database."""
    if raw:  # loaddata restores a backup as it was written
        return
    problems = instance_problems(instance)
    if problems:
        raise ValidationError(problems)
