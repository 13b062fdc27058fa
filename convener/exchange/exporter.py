"""Open-data exports: one CSV per public kind (the importer's columns), and Popolo JSON.
Only public data leaves: no e-mail, nominations, reviews, training or demographics."""

from __future__ import annotations

import io
import json
from pathlib import Path

from convener.core import spreadsheet
from convener.core.dates import PartialDate, Precision
from convener.core.private_files import make_private_dir, write_private
from convener.org.models import Appointment, OrgUnit, Position, SeatPeriod
from convener.people.models import Affiliation, Institution, Membership, Person

from .kinds import EXPORTED

CHUNK = 5000


def _key(obj) -> str:
    return obj.external_id or obj.slug


def _pd(value, precision) -> str:
    """A date as written in files: its precision, "unknown" when nobody recorded it, or empty
    (an end still open)."""
    if precision == Precision.UNKNOWN:
        return "unknown"
    return str(PartialDate(value, precision)) if value else ""


def _popolo_date(value, precision) -> str | None:
    """Popolo's dates have no word for "unknown": those go in the ``convener`` object."""
    return _pd(value, precision) if value else None


def _rows(kind):
    """Every public row of ``kind`` as a dict of strings, in a stable order."""
    if kind == "institutions":
        for o in Institution.objects.order_by("slug").iterator(CHUNK):
            yield {
                "id": _key(o),
                "name": o.name,
                "short_name": o.short_name,
                "country": str(o.country),
                "city": o.city,
                "ror": o.ror or "",
            }
    elif kind == "people":
        for o in Person.objects.order_by("slug").iterator(CHUNK):
            yield {
                "id": _key(o),
                "name": o.name,
                "sort_name": o.sort_name,
                "pronouns": o.pronouns,
                "orcid": o.orcid or "",
                "photo_url": o.photo_url,
                "website": o.website,
            }
    elif kind in {"memberships", "affiliations"}:
        model = Membership if kind == "memberships" else Affiliation
        qs = model.objects.select_related("person").order_by("person__slug", "start", "id")
        if kind == "affiliations":
            qs = qs.select_related("institution")
        for o in qs.iterator(CHUNK):
            row = {
                "person": _key(o.person),
                "start": _pd(o.start, o.start_precision),
                "end": _pd(o.end, o.end_precision),
            }
            if kind == "affiliations":
                row["institution"] = _key(o.institution)
            yield row
    elif kind == "units":
        for o in OrgUnit.objects.select_related("parent").order_by("slug").iterator(CHUNK):
            yield {
                "id": _key(o),
                "name": o.name,
                "short_name": o.short_name,
                "parent": _key(o.parent) if o.parent else "",
                "kind": o.kind,
                "level": o.level_code,
                "order": o.order,
                "description": o.description,
                "start": _pd(o.start, o.start_precision),
                "end": _pd(o.end, o.end_precision),
            }
    elif kind == "positions":
        qs = Position.objects.select_related("unit", "deputizes_for").order_by("slug")
        for o in qs.iterator(CHUNK):
            yield _position_row(o)
    elif kind == "seat_periods":
        qs = SeatPeriod.objects.select_related("position").order_by("position__slug", "start")
        for o in qs:
            yield {
                "position": _key(o.position),
                "seats": str(o.seats),
                "start": _pd(o.start, o.start_precision),
                "end": _pd(o.end, o.end_precision),
                "end_kind": o.end_kind,
                "note": o.note,
            }
    elif kind == "appointments":
        qs = Appointment.objects.select_related("person", "position", "appointed_by")
        rows = [_appointment_row(o) for o in qs.iterator(CHUNK)]
        yield from sorted(rows, key=lambda r: r["id"])


def _position_row(o: Position) -> dict[str, str]:
    return {
        "id": _key(o),
        "unit": _key(o.unit),
        "title": o.title,
        "level": o.level,
        "role": o.role,
        "seats": str(o.seats),
        "function": o.function,
        "term_months": str(o.term_months or ""),
        "term_limit": str(o.term_limit or ""),
        "deputizes_for": _key(o.deputizes_for) if o.deputizes_for else "",
        "filled_by": o.filled_by,
        "acting_counts_as_term": "yes" if o.acting_counts_as_term else "no",
        "holdover_allowed": "yes" if o.holdover_allowed else "no",
        "mandate": o.mandate,
        "requirements": o.requirements,
        "start": _pd(o.start, o.start_precision),
        "end": _pd(o.end, o.end_precision),
    }


def _appointment_row(o: Appointment) -> dict[str, str]:
    """An appointment as the importer's columns (acting flag and source included)."""
    return {
        "id": o.external_id or f"appointment-{o.pk}",
        "person": _key(o.person),
        "position": _key(o.position),
        "start": _pd(o.start, o.start_precision),
        "end": _pd(o.end, o.end_precision),
        "end_kind": o.end_kind,
        "capacity": o.capacity,
        "method": o.method,
        "appointed_by": _key(o.appointed_by) if o.appointed_by else "",
        "end_reason": o.end_reason,
        "exception_justification": o.exception_justification,
        "exception_approved_by": o.exception_approved_by,
        "source": o.source,
        "note": o.note,
    }


def export_csv(out: Path) -> dict[str, int]:
    """Write ``<kind>.csv`` for every public kind into ``out``; returns rows per kind."""
    out = make_private_dir(Path(out))
    counts = {}
    for kind, columns in EXPORTED.items():
        buffer = io.StringIO()
        writer = spreadsheet.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in _rows(kind):
            writer.writerow(row)
            n += 1
        # readable by the owner only: rows can carry notes and exception justifications
        write_private(out / f"{kind}.csv", buffer.getvalue().encode("utf-8"))
        counts[kind] = n
    return counts


def popolo() -> dict:
    """The registry in the Popolo open-data format: persons, organizations (institutions and
    units), posts (positions) and memberships (appointments, affiliations). What Popolo has no
    field for (levels, seats and seat periods, terms, acting capacity, "unknown" dates, end
    semantics) is kept in a ``convener`` object on each item, so that importing this file
    gives back the same registry. An acting or interim appointment says so in its role label;
    its source is a Popolo source link when it is a URL."""
    persons = [
        {
            "id": f"person/{_key(p)}",
            "name": p.name,
            "sort_name": p.sort_name,
            **({"identifiers": [{"scheme": "orcid", "identifier": p.orcid}]} if p.orcid else {}),
            **({"image": p.photo_url} if p.photo_url else {}),
            **({"links": [{"url": p.website, "note": "website"}]} if p.website else {}),
            **({"convener": {"pronouns": p.pronouns}} if p.pronouns else {}),
        }
        for p in Person.objects.order_by("slug").iterator(CHUNK)
    ]
    organizations = [
        {
            "id": f"institution/{_key(i)}",
            "name": i.name,
            "classification": "institution",
            **({"identifiers": [{"scheme": "ror", "identifier": i.ror}]} if i.ror else {}),
            "convener": {"short_name": i.short_name, "country": str(i.country), "city": i.city},
        }
        for i in Institution.objects.order_by("slug")
    ]
    for u in OrgUnit.objects.select_related("parent").order_by("slug"):
        organizations.append(
            {
                "id": f"unit/{_key(u)}",
                "name": u.name,
                "classification": u.kind,
                "parent_id": f"unit/{_key(u.parent)}" if u.parent else None,
                "founding_date": _popolo_date(u.start, u.start_precision),
                "dissolution_date": _popolo_date(u.end, u.end_precision),
                "convener": {
                    "short_name": u.short_name,
                    "level": u.level_code,
                    "order": u.order,
                    "description": u.description,
                    "start": _pd(u.start, u.start_precision),
                    "end": _pd(u.end, u.end_precision),
                },
            }
        )
    periods: dict[int, list[dict]] = {}
    for sp in SeatPeriod.objects.order_by("position_id", "start"):
        periods.setdefault(sp.position_id, []).append(
            {
                "seats": str(sp.seats),
                "start": _pd(sp.start, sp.start_precision),
                "end": _pd(sp.end, sp.end_precision),
                "end_kind": sp.end_kind,
                "note": sp.note,
            }
        )
    posts = []
    for p in Position.objects.select_related("unit", "deputizes_for").order_by("slug"):
        row = _position_row(p)
        posts.append(
            {
                "id": f"post/{_key(p)}",
                "label": p.title,
                "role": p.get_role_display(),
                "organization_id": f"unit/{_key(p.unit)}",
                "start_date": _popolo_date(p.start, p.start_precision),
                "end_date": _popolo_date(p.end, p.end_precision),
                "convener": {
                    **{k: v for k, v in row.items() if k not in {"id", "unit", "title"}},
                    "seat_periods": periods.get(p.pk, []),
                },
            }
        )
    memberships = []
    qs = Appointment.objects.select_related("person", "position", "position__unit", "appointed_by")
    for a in qs.order_by("id").iterator(CHUNK):
        row = _appointment_row(a)
        role = a.position.get_role_display()
        memberships.append(
            {
                "id": f"appointment/{row['id']}",
                "person_id": f"person/{_key(a.person)}",
                "post_id": f"post/{_key(a.position)}",
                "organization_id": f"unit/{_key(a.position.unit)}",
                "role": f"{role} ({a.get_capacity_display().lower()})" if a.is_acting else role,
                "label": a.position.title,
                "start_date": _popolo_date(a.start, a.start_precision),
                "end_date": _popolo_date(a.end, a.end_precision),
                **({"sources": [{"url": a.source}]} if a.source_is_url else {}),
                "convener": {k: v for k, v in row.items() if k not in {"id", "person", "position"}},
            }
        )
    memberships.sort(key=lambda m: m["id"])  # by id, not by storage order: a re-import agrees
    qs = Affiliation.objects.select_related("person", "institution")
    for a in qs.order_by("person__slug", "institution__slug", "start", "id").iterator(CHUNK):
        start = _pd(a.start, a.start_precision)
        memberships.append(
            {
                "id": f"affiliation/{_key(a.person)}/{_key(a.institution)}/{start}",
                "person_id": f"person/{_key(a.person)}",
                "organization_id": f"institution/{_key(a.institution)}",
                "role": "member",
                "start_date": _popolo_date(a.start, a.start_precision),
                "end_date": _popolo_date(a.end, a.end_precision),
            }
        )
    return {
        "persons": persons,
        "organizations": organizations,
        "posts": posts,
        "memberships": memberships,
    }


def export_popolo(out: Path) -> dict[str, int]:
    data = popolo()
    write_private(Path(out), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return {k: len(v) for k, v in data.items()}
