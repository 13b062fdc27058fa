"""Training compliance, completions (one at a time or imported all-or-nothing), reminders."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from convener.core import cache, limits
from convener.core.batch import chunked, max_params, rows_per_statement
from convener.core.dates import add_months, range_problem
from convener.core.inputs import text_problem
from convener.core.validators import normalize_orcid
from convener.mail.services import queue_mail
from convener.org.models import Appointment
from convener.people.models import Person

from .models import Completion, Course, Reminder, Requirement

EXPIRY_WARNING_DAYS = 60


class Status(models.TextChoices):
    OK = "ok", "Done"
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"


@dataclass
class Line:
    appointment: Appointment
    requirement: Requirement
    status: str
    due: dt.date | None
    completion: Completion | None

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def person(self):
        return self.appointment.person


def _current_appointments(today: dt.date, person: Person | None = None) -> list[Appointment]:
    appointments = Appointment.objects.surely_on(today).select_related(
        "person", "position", "position__unit"
    )
    if person is not None:
        appointments = appointments.filter(person=person)
    return list(appointments.order_by("person__sort_key", "position__title"))


def compliance(
    today: dt.date,
    person: Person | None = None,
    requirements: list | None = None,
    version: int | None = None,
) -> list[Line]:
    """For every current leadership appointment and every requirement that applies to it:
    done, expiring soon, expired, due (still within the grace period) or overdue. Everyone's
    current appointments are the registry's alone: read once per registry version for every
    process. ``requirements`` (with their courses) and the registry's ``version``, when the
    caller has them already."""
    if person is None:
        appointments = cache.registry_derived(
            "current-appointments",
            lambda: _current_appointments(today),
            today.isoformat(),
            version=version,
        )
    else:
        appointments = _current_appointments(today, person)
    if requirements is None:
        requirements = list(Requirement.objects.select_related("course"))
    latest: dict[tuple[int, int], Completion] = {}
    holders = (
        Appointment.objects.surely_on(today).values("person_id")  # no list of thousands of ids
        if person is None
        else {a.person_id for a in appointments}  # none: no query
    )
    for c in Completion.objects.filter(person_id__in=holders).select_related("course"):
        key = (c.person_id, c.course_id)
        if key not in latest or c.completed_on > latest[key].completed_on:
            latest[key] = c
    warn = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    lines = []
    for a in appointments:
        for r in requirements:
            if not r.applies_to(a.position):
                continue
            done = latest.get((a.person_id, r.course_id))
            due = add_months(a.start_date.latest, r.within_months)
            if done is not None and (done.expires_on is None or done.expires_on > today):
                status = (
                    Status.EXPIRING if done.expires_on and done.expires_on <= warn else Status.OK
                )
                due = done.expires_on
            elif done is not None:
                status, due = Status.EXPIRED, done.expires_on
            else:
                status = Status.DUE if due >= today else Status.OVERDUE
            lines.append(Line(a, r, status, due, done))
    return lines


@transaction.atomic
def record_completion(
    person: Person, course: Course, completed_on: dt.date, source: str = Completion.Source.MANUAL
) -> Completion:
    completion = Completion(person=person, course=course, completed_on=completed_on, source=source)
    completion.full_clean(validate_unique=False, validate_constraints=False)
    if Completion.objects.filter(person=person, course=course, completed_on=completed_on).exists():
        raise ValidationError(
            {"completed_on": f"{person} already has {course} completed on {completed_on}."}
        )
    completion.save()
    return completion


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    problem: str


COLUMNS = ["person", "course", "completed_on"]


def import_completions(
    text: str, *, dry_run: bool = False, name: str = "The file"
) -> tuple[int, list[RowProblem]]:
    """Read a CSV of completions (columns: person = ORCID iD, e-mail or external id; course =
    title; completed_on = YYYY-MM-DD). Every row is checked first; with any problem nothing is
    written and every problem is reported by row and column. Returns (rows written, problems).

    The limits of every import hold (``convener.core.limits``): a file larger than the limit,
    or with more rows than the limit, is refused whole with ``ValidationError`` on ``file``
    before any row is looked up."""
    too_large = limits.size_problem(name, len(text.encode("utf-8")))
    if too_large:
        raise ValidationError({"file": too_large})
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems: list[RowProblem] = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        if missing:
            problems.append(RowProblem(1, ", ".join(missing), "", "missing column(s)"))
        if unknown:
            problems.append(
                RowProblem(
                    1, ", ".join(unknown), "", f"unknown column(s); expected {', '.join(COLUMNS)}"
                )
            )
        return 0, problems
    rows = []
    try:
        for n, row in enumerate(reader, start=2):
            if len(rows) == settings.IMPORT_MAX_ROWS:  # count the rest, keep none of them
                found = len(rows) + 1 + sum(1 for _ in reader)
                raise ValidationError({"file": limits.rows_problem(name, found)})
            rows.append((n, {k.strip(): (v or "").strip() for k, v in row.items() if k}))
    except csv.Error as exc:
        raise ValidationError({"file": f"{name}: not readable as CSV ({exc})"}) from None
    problems = [  # the rule of every path in (core.inputs); such values are never looked up
        RowProblem(n, column, value.encode("unicode_escape").decode("ascii")[:40], problem)
        for n, row in rows
        for column, value in row.items()
        if (problem := text_problem(value))
    ]
    if problems:
        return 0, problems
    to_write, problems = check_completions(rows)
    if problems or dry_run:
        return 0, problems
    try:
        with transaction.atomic():  # each with its audit record, a few statements in all
            bulk_create_with_history(
                to_write, Completion, batch_size=rows_per_statement(Completion)
            )
    except IntegrityError:
        return 0, [RowProblem(0, "", "", "another import wrote the same rows meanwhile")]
    return len(to_write), []


def send_reminders(today: dt.date) -> int:
    """Queue one reminder per expiring, expired, due-within-30-days or overdue requirement."""
    sent = 0
    soon = today + dt.timedelta(days=30)
    by_person = defaultdict(list)
    for line in compliance(today):
        if line.status == Status.OK or (line.status == Status.DUE and line.due > soon):
            continue
        by_person[line.person].append(line)
    for person, lines in by_person.items():
        for line in lines:
            with transaction.atomic():
                _, created = Reminder.objects.get_or_create(
                    person=person,
                    course=line.requirement.course,
                    kind=line.status,
                    due=line.due or today,
                )
                if created:
                    queue_mail("training_reminder", person.email, {"person": person, "line": line})
                    sent += 1
    return sent


def check_completions(
    rows: list[tuple[int, dict]], extra_people: dict | None = None
) -> tuple[list[Completion], list[RowProblem]]:
    """Check numbered rows (person, course, completed_on) against the registry and each
    other; returns the completions to write and every problem found."""
    problems: list[RowProblem] = []
    keys = sorted({r["person"] for _, r in rows})
    people = {}
    # a chunk at a time: each key is bound four times, and a statement binds at most
    # ``max_params`` values (SQLite's limit) whatever the size of the file
    for chunk in chunked(keys, max(1, max_params() // 4 - 1)):
        orcids = {normalize_orcid(k) for k in chunk}
        for p in Person.objects.filter(
            Q(orcid__in=orcids) | Q(email__in=chunk) | Q(external_id__in=chunk) | Q(slug__in=chunk)
        ):
            for k in (p.orcid, p.email, p.external_id, p.slug):
                if k:
                    people[k] = p
    people.update(extra_people or {})
    courses = {c.title: c for c in Course.objects.all()}
    existing = set()
    for chunk in chunked(sorted({p.pk for p in people.values() if p.pk})):
        existing.update(
            Completion.objects.filter(person_id__in=chunk).values_list(
                "person_id", "course_id", "completed_on"
            )
        )
    seen, to_write = {}, []
    for number, row in rows:
        person = people.get(row["person"]) or people.get(normalize_orcid(row["person"]))
        course = courses.get(row["course"])
        if person is None:
            problems.append(RowProblem(number, "person", row["person"], "unknown person"))
        if course is None:
            problems.append(RowProblem(number, "course", row["course"], "unknown course"))
        try:
            day = dt.date.fromisoformat(row["completed_on"])
        except ValueError:
            problems.append(
                RowProblem(
                    number, "completed_on", row["completed_on"], "not a date of the form YYYY-MM-DD"
                )
            )
            continue
        if range_problem(day):
            problems.append(
                RowProblem(number, "completed_on", row["completed_on"], range_problem(day))
            )
            continue
        if person is None or course is None:
            continue
        completion = Completion(
            person=person, course=course, completed_on=day, source=Completion.Source.IMPORT
        )
        try:  # the model's own rules, as for a completion entered by hand
            completion.full_clean(
                exclude=["person"] if person.pk is None else None,
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                value = row.get(field, "")
                problems += [RowProblem(number, field, value, m) for m in messages]
            continue
        key = (person.pk or id(person), course.pk, day)
        if key in existing:
            problems.append(
                RowProblem(
                    number, "completed_on", row["completed_on"], "duplicate: already recorded"
                )
            )
        elif key in seen:
            problems.append(
                RowProblem(
                    number, "completed_on", row["completed_on"], f"duplicate of row {seen[key]}"
                )
            )
        else:
            seen[key] = number
            to_write.append(completion)
    return to_write, problems
