"""The tabular form of the registry: one table per kind, with documented columns. The same
columns are read by the importer and written by the CSV export, so a round trip holds."""

KINDS: dict[str, list[str]] = {
    "institutions": ["id", "name", "short_name", "country", "city", "ror"],
    "people": ["id", "name", "sort_name", "pronouns", "orcid", "email"],
    "memberships": ["person", "start", "end"],
    "affiliations": ["person", "institution", "start", "end"],
    "career_stages": ["person", "stage", "start", "end"],
    "units": ["id", "name", "short_name", "parent", "kind", "level", "description", "start", "end"],
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
    "appointments": [
        "id",
        "person",
        "position",
        "start",
        "end",
        "capacity",
        "method",
        "appointed_by",
        "end_reason",
        "exception_justification",
        "exception_approved_by",
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
        "appointments",
    ]
}

DESCRIPTIONS = {
    "id": "a stable identifier of your choice (kept as the record's external id)",
    "person": "the id of a person (or their ORCID iD)",
    "institution": "the id of an institution (or its ROR id)",
    "unit": "the id of an organizational unit",
    "parent": "the id of the parent unit",
    "position": "the id of a position",
    "deputizes_for": "the id of the position deputized",
    "appointed_by": "the id of the position that made the appointment",
    "start": "YYYY, YYYY-MM or YYYY-MM-DD",
    "end": "YYYY, YYYY-MM or YYYY-MM-DD; empty if current",
    "completed_on": "YYYY-MM-DD",
    "country": "ISO 3166 two-letter code",
    "ror": "ROR id, e.g. 01ggx4157",
    "orcid": "ORCID iD, e.g. 0000-0002-1825-0097",
}
