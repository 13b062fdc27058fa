"""The person picker: a type-ahead field that finds people on the server and tells apart
people with the same name by their institution and current role.

Without JavaScript the field is a text box: a name (or part of it) or an ORCID iD that
matches one person is enough; several matches are named back so the person can type more.
With JavaScript, GOV.UK's accessible-autocomplete (vendored from npm; tested with screen
readers and the keyboard alone) shows the matches as the person types and records the one
chosen. Forms, the admin and the nomination form all use this one field, so no page ever
lists thousands of people in a drop-down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Upper
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from convener.core.validators import normalize_orcid

from .apps import SQLITE_UPPER
from .models import Affiliation, Membership, Person

SCOPES = ("all", "members", "holders")
LIMIT = 12


@dataclass
class Match:
    person: Person
    institution: str
    role: str

    @property
    def detail(self) -> str:
        return " · ".join(x for x in (self.institution, self.role) if x)

    def as_json(self) -> dict:
        return {
            "id": self.person.pk,
            "name": self.person.name,
            "detail": self.detail,
        }


def in_scope(scope: str, today: dt.date):
    """The people a picker of ``scope`` offers: everyone in the registry, current members, or
    current holders of a position."""
    from convener.org.models import Appointment

    people = Person.objects.all()
    if scope == "members":
        people = people.filter(pk__in=Membership.objects.surely_on(today).values("person_id"))
    elif scope == "holders":
        people = people.filter(pk__in=Appointment.objects.surely_on(today).values("person_id"))
    return people


# On PostgreSQL, the name and the sort name as one upper-cased text, which is what the trigram
# index of migration people 0008 holds: one index scan for every word, where a condition per
# column ("in the name or in the sort name") made the planner read all 60,000 rows. Words hold
# no spaces, so a word is in this text exactly when it is in the name or in the sort name.
SEARCH_TEXT_SQL = "UPPER(people_person.name::text || ' ' || people_person.sort_name::text)"


def _matching(people, query: str):
    q = query.strip()
    orcid = normalize_orcid(q)
    if orcid and len(orcid) == 19:
        return people.filter(orcid=orcid)
    words = q.split()[:5]
    if connections[people.db].vendor == "postgresql":
        people = people.alias(search_text=RawSQL(SEARCH_TEXT_SQL, (), output_field=TextField()))
        for word in words:
            # upper-cased by the database, as the indexed text is (Python's upper differs)
            people = people.filter(search_text__contains=Upper(Value(word)))
        return people
    # SQLite (the embedded demo): the same text, upper-cased by Python on both sides (see
    # people.apps: SQLite's own UPPER leaves "ü" as it is)
    people = people.alias(
        search_text=RawSQL(
            f"{SQLITE_UPPER}(people_person.name || ' ' || people_person.sort_name)",
            (),
            output_field=TextField(),
        )
    )
    for word in words:
        people = people.filter(search_text__contains=word.upper())
    return people


def search_people(
    query: str, *, scope: str = "all", today: dt.date | None = None, limit: int = LIMIT, people=None
) -> list[Match]:
    """Up to ``limit`` people whose name contains every word of ``query`` (or whose ORCID iD
    it is), by family name, each with their institution and a current role. Three queries."""
    from convener.org.models import Appointment

    today = today or timezone.localdate()
    if len(query.strip()) < 2:
        return []
    base = people if people is not None else in_scope(scope, today)
    # ordered by an expression of the sort key, not the column: with the column, PostgreSQL
    # walks the sort-key index and filters every row until it has enough (all 60,000 for
    # a name late in the alphabet); with the expression it reads the trigram indexes of the
    # matching names (migration people 0006) and sorts those few
    found = list(_matching(base, query).order_by(Concat("sort_key", Value("")), "pk")[:limit])
    ids = [p.pk for p in found]
    # today's institution and role; for someone who has none, the last ones, said as past
    institutions: dict[int, str] = {}
    for aff in (
        Affiliation.objects.filter(person_id__in=ids, start__lte=today)
        .select_related("institution")
        .order_by("start", "pk")
    ):
        name = aff.institution.short_name or aff.institution.name
        if aff.possibly_covers(today):
            institutions[aff.person_id] = name
        elif aff.end is not None:
            institutions[f"past-{aff.person_id}"] = f"{name} until {aff.end.year}"
    roles: dict[int, str] = {}
    for a in (
        Appointment.objects.filter(person_id__in=ids, start__lte=today)
        .select_related("position")
        .order_by("start", "pk")
    ):
        if a.possibly_covers(today):
            roles[a.person_id] = a.position.title
        else:
            roles[f"past-{a.person_id}"] = f"formerly {a.position.title}"

    def pick(table, pk):
        return table.get(pk) or table.get(f"past-{pk}", "")

    return [Match(p, pick(institutions, p.pk), pick(roles, p.pk)) for p in found]


class PersonPicker(forms.Widget):
    """A text box with the chosen person's id beside it (``<name>_id``)."""

    template_name = "people/person_picker.html"

    class Media:
        css = {"all": ["vendor/accessible-autocomplete.min.css", "convener/picker.css"]}
        js = ["vendor/accessible-autocomplete.min.js", "convener/picker.js"]

    def __init__(self, scope: str = "all", attrs=None):
        super().__init__(attrs)
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        self.scope = scope

    def value_from_datadict(self, data, files, name):
        text = data.get(name, "")
        if f"{name}_id" not in data and str(text).strip().isdigit():
            return {"text": "", "id": str(text).strip()}  # a client that posts the id itself
        return {"text": text, "id": data.get(f"{name}_id", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def format_value(self, value):
        if isinstance(value, dict):
            if value.get("id") and not value.get("text"):  # posted as an id alone
                person = (
                    Person.objects.filter(pk=str(value["id"])).first()
                    if str(value["id"]).isdigit()
                    else None
                )
                return {"text": person.name if person else "", "id": value["id"]}
            return value
        if isinstance(value, Person):
            return {"text": value.name, "id": str(value.pk)}
        if value in (None, ""):
            return {"text": "", "id": ""}
        person = Person.objects.filter(pk=value).first()
        return {"text": person.name if person else "", "id": str(value) if person else ""}

    def render(self, name, value, attrs=None, renderer=None):
        # the project's template engine, where templates/people/ lives
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse("site:person_search") + f"?scope={self.scope}"
        return context


class PersonChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` over people, chosen with :class:`PersonPicker`. The person must
    be in ``queryset``; typed text must match exactly one of them."""

    default_error_messages = {
        "required": "Type a name and choose the person from the list.",
        "invalid_choice": "That person cannot be chosen here.",
        "none": "Nobody here matches “%(text)s”. Check the spelling, or type the ORCID iD.",
        "several": "%(count)s people match “%(text)s”: type more of the name and choose one "
        "from the list.",
    }

    def __init__(self, queryset=None, *, scope: str = "all", **kwargs):
        kwargs.setdefault("widget", PersonPicker(scope=scope))
        super().__init__(queryset if queryset is not None else Person.objects.all(), **kwargs)

    def to_python(self, value):
        if isinstance(value, dict):
            chosen, text = str(value.get("id", "")).strip(), value.get("text", "").strip()
            if chosen:
                return super().to_python(chosen)
            if not text:
                return None
            matches = list(_matching(self.queryset, text)[:LIMIT])
            if len(matches) == 1:
                return matches[0]
            exact = [p for p in matches if p.name.casefold() == text.casefold()]
            if len(exact) == 1:
                return exact[0]
            if not matches:
                raise ValidationError(
                    self.error_messages["none"], code="none", params={"text": text[:80]}
                )
            raise ValidationError(
                self.error_messages["several"],
                code="several",
                params={
                    "text": text[:80],
                    "count": "More than ten" if len(matches) >= LIMIT else len(matches),
                },
            )
        return super().to_python(value)

    def has_changed(self, initial, data):
        chosen = data.get("id") if isinstance(data, dict) else data
        return str(self.prepare_value(initial) or "") != str(chosen or "")


class PersonPickerAdminMixin:
    """Admin pages pick people with the type-ahead picker (institution and role shown)
    instead of a drop-down or a bare-name autocomplete. Put it before ``ModelAdmin``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Person:
            kwargs["form_class"] = PersonChoiceField
            kwargs["widget"] = PersonPicker(scope="all")
            return db_field.formfield(**kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
