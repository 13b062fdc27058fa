"""The tabular form of the registry: one table per kind, with documented columns. The same
columns are read by the importer and written by the CSV export, so a round trip holds; the
template of each kind shows them with their required marks and allowed values."""

from __future__ import annotations

import csv
import io

KINDS: dict[str, list[str]] = {
    "institutions": ["id", "name", "short_name", "country", "city", "ror"],
    "people": ["id", "name", "sort_name", "pronouns", "orcid", "email", "photo_url", "website"],
    "memberships": ["person", "start", "end"],
    "affiliations": ["person", "institution", "start", "end"],
    "career_stages": ["person", "stage", "start", "end"],
    "units": [
        "id",
        "name",
        "short_name",
        "parent",
        "kind",
        "level",
        "order",
        "description",
        "start",
        "end",
    ],
    "positions": [
        "id",
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
        "end",
    ],
    "seat_periods": ["position", "seats", "start", "end", "end_kind", "note"],
    "appointments": [
        "id",
        "person",
        "position",
        "start",
        "end",
        "end_kind",
        "capacity",
        "method",
        "appointed_by",
        "end_reason",
        "exception_justification",
        "exception_approved_by",
        "source",
        "note",
    ],
    "completions": ["person", "course", "completed_on"],
}

REQUIRED: dict[str, set[str]] = {
    "institutions": {"id", "name", "country"},
    "people": {"id", "name"},
    "memberships": {"person", "start"},
    "affiliations": {"person", "institution", "start"},
    "career_stages": {"person", "stage", "start"},
    "units": {"id", "name", "kind", "start"},
    "positions": {"id", "unit", "title", "level", "role", "start"},
    "seat_periods": {"position", "seats", "start"},
    "appointments": {"id", "person", "position", "start"},
    "completions": {"person", "course", "completed_on"},
}

# What the open-data CSV export writes: public kinds, public columns (no e-mail, no career
# stages, no training records).
EXPORTED: dict[str, list[str]] = {
    kind: [c for c in KINDS[kind] if c != "email"]
    for kind in [
        "institutions",
        "people",
        "memberships",
        "affiliations",
        "units",
        "positions",
        "seat_periods",
        "appointments",
    ]
}

DATES = "YYYY, YYYY-MM or YYYY-MM-DD"
DESCRIPTIONS = {
    "id": "a stable identifier of your choice (kept as the record's external id)",
    "person": "the id of a person (or their ORCID iD)",
    "institution": "the id of an institution (or its ROR id)",
    "unit": "the id of an organizational unit",
    "parent": "the id of the parent unit",
    "position": "the id of a position",
    "deputizes_for": "the id of the position deputized",
    "appointed_by": "the id of the position that made the appointment",
    "start": f"{DATES}, or “unknown” when the records do not say (units, positions and "
    "appointments)",
    "end": f"{DATES}; empty if still in force; “unknown” for an appointment that ended on a "
    "day nobody recorded",
    "end_kind": "whether the end is the last day in office or the day they left; empty: the "
    "collaboration's default",
    "level": "one vocabulary for units and positions: top, L1, L2, L3 (positions also board, "
    "committee)",
    "method": "how the appointment was made; empty: not recorded",
    "source": "where this is recorded: a URL, or a citation",
    "completed_on": "YYYY-MM-DD",
    "country": "ISO 3166 two-letter code",
    "ror": "ROR id, e.g. 01ggx4157",
    "orcid": "ORCID iD, e.g. 0000-0002-1825-0097",
    "seats": "a whole number from 1 to 500",
    "order": "the unit's place among its siblings, e.g. a WBS number such as 1.2.3",
    "photo_url": "a public web address of the person's photo, for the collaboration's site",
    "website": "a public web address of the person's own page",
}

COMMENT = "#"  # a row whose first cell begins with it is a comment and is not imported

# An invented example row per kind (never real people), shown commented out in the template.
EXAMPLES: dict[str, dict[str, str]] = {
    "institutions": {
        "id": "northfield",
        "name": "Northfield Institute of Physics",
        "short_name": "NIP",
        "country": "NZ",
        "city": "Northfield",
    },
    "people": {
        "id": "ines-arbel",
        "name": "Ines della Arbel",
        "sort_name": "della Arbel, Ines",
        "orcid": "0000-0002-1825-0097",
    },
    "memberships": {"person": "ines-arbel", "start": "1994", "end": ""},
    "affiliations": {"person": "ines-arbel", "institution": "northfield", "start": "1994-09"},
    "career_stages": {"person": "ines-arbel", "stage": "postdoc", "start": "1994", "end": "1998"},
    "units": {
        "id": "tracker",
        "name": "Tracker",
        "parent": "collaboration",
        "kind": "area",
        "level": "L1",
        "start": "1994",
    },
    "positions": {
        "id": "tracker-lead",
        "unit": "tracker",
        "title": "Tracker Project Leader",
        "level": "L1",
        "role": "lead",
        "seats": "1",
        "term_months": "24",
        "term_limit": "2",
        "start": "unknown",
    },
    "seat_periods": {
        "position": "tracker-lead",
        "seats": "2",
        "start": "2005",
        "end": "2011",
        "end_kind": "last_day",
        "note": "Two co-leaders during construction",
    },
    "appointments": {
        "id": "tracker-lead-1",
        "person": "ines-arbel",
        "position": "tracker-lead",
        "start": "1998-09",
        "end": "2000-08-31",
        "end_kind": "last_day",
        "capacity": "regular",
        "method": "election",
        "source": "Collaboration Bulletin 12, p. 3",
    },
    "completions": {
        "person": "ines-arbel",
        "course": "Leading meetings",
        "completed_on": "2024-03-01",
    },
}


def allowed_values(kind: str) -> dict[str, list[str]]:
    """Every column of ``kind`` that takes a value from a fixed list, with the list."""
    from convener.org.models import LEVEL_CODES, Appointment, OrgUnit, Position
    from convener.people.models import CareerStage

    yes_no = ["yes", "no"]
    table = {
        "units": {"kind": OrgUnit.Kind.values, "level": list(LEVEL_CODES.values())},
        "positions": {
            "level": Position.Level.values,
            "role": Position.Role.values,
            "function": Position.Function.values,
            "filled_by": Position.FilledBy.values,
            "acting_counts_as_term": yes_no,
            "holdover_allowed": yes_no,
        },
        "seat_periods": {"end_kind": Appointment.EndKind.values},
        "appointments": {
            "end_kind": Appointment.EndKind.values,
            "capacity": Appointment.Capacity.values,
            "method": Appointment.Method.values,
            "end_reason": Appointment.EndReason.values,
        },
        "career_stages": {"stage": CareerStage.Stage.values},
    }
    return table.get(kind, {})


def header_cell(kind: str, column: str) -> str:
    """A column as the template writes it: ``*`` when required, allowed values in brackets."""
    mark = "*" if column in REQUIRED[kind] else ""
    values = allowed_values(kind).get(column)
    return f"{column}{mark} ({'|'.join(values)})" if values else f"{column}{mark}"


def template(kind: str) -> str:
    """A CSV to fill in: the header marks required columns (*) and lists allowed values; the
    next row, commented out, is an invented example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header_cell(kind, c) for c in KINDS[kind]])
    example = EXAMPLES.get(kind, {})
    row = [example.get(c, "") for c in KINDS[kind]]
    row[0] = f"{COMMENT} example: {row[0]}"
    writer.writerow(row)
    return buffer.getvalue()
