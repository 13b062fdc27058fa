"""Reading a Jekyll site's own people and organization YAML into the registry, so that a
collaboration which already lists its people on its website starts with them.

A mapping file names where the site keeps its data and which of its fields holds each of the
registry's (see docs/jekyll.md, "Importing from the site"). The site's records become the
tables of the spreadsheet importer (:mod:`convener.exchange.importer`), which checks every row
and writes all or nothing; the two fields the spreadsheets do not carry (a person's public
profile links, a unit's order) are checked first and set afterwards in the same transaction.
Values the site leaves empty never erase what the registry holds.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from convener.core import spreadsheet
from convener.core.dates import PartialDate
from convener.core.validators import normalize_orcid, normalize_ror
from convener.exchange.importer import Report, import_path
from convener.exchange.kinds import KINDS
from convener.org.models import OrgUnit
from convener.people.models import Institution, Person

from .config import NotAJekyllSite, load_yaml

PEOPLE_FIELDS = ("id", "name", "sort_name", "pronouns", "orcid", "email", "photo_url", "website")
PEOPLE_EXTRA = ("institution", "institution_start")
UNIT_FIELDS = ("id", "name", "short_name", "parent", "kind", "level", "order", "description")
UNIT_EXTRA = ("start", "end")
MAPPING_KEYS = {
    "people": {"source", "fields", "values"},
    "units": {"source", "fields", "values", "children", "by_depth"},
    "site_url": None,
}
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


class MappingError(Exception):
    """The mapping file cannot be used; the message names the setting."""


@dataclass
class Record:
    """One person or unit as the site holds it, with where it came from."""

    source: str  # the site file, e.g. _data/people/ada.yml
    key: str  # its key in that file (a file name, a mapping key or a list position)
    data: dict
    depth: int = 0
    parent: str | None = None  # the id of the unit it is nested in
    position: int = 1  # its place among its siblings

    def where(self) -> str:
        return f"{self.source} ({self.key})"


@dataclass
class SiteImportReport:
    """What the import did or would do: problems (nothing is written when there is one),
    notes on what was left out, and the importer's counts."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # what the importer warns of (e.g. a likely duplicate person), named by the site's record
    warnings: list[str] = field(default_factory=list)
    imported: Report | None = None
    profiles_changed: int = 0
    orders_changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        parts = [self.imported.summary()] if self.imported else []
        if self.profiles_changed:
            parts.append(f"public profile links of {self.profiles_changed} people")
        if self.orders_changed:
            parts.append(f"order of {self.orders_changed} units")
        return "; ".join(parts) or "nothing to import"


# -- the mapping -------------------------------------------------------------------------------
def read_mapping(path: Path) -> dict:
    """The mapping file, checked: unknown sections, keys and registry fields are refused."""
    try:
        mapping = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not readable YAML ({exc})") from None
    if not isinstance(mapping, dict) or not ({"people", "units"} & set(mapping)):
        raise MappingError(f"{path}: expected a people: and/or a units: section")
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown:
        raise MappingError(f"{path}: unknown section(s) {', '.join(unknown)}")
    allowed = {
        "people": (*PEOPLE_FIELDS, *PEOPLE_EXTRA),
        "units": (*UNIT_FIELDS, *UNIT_EXTRA),
    }
    for section in ("people", "units"):
        if section not in mapping:
            continue
        spec = mapping[section]
        if not isinstance(spec, dict) or not spec.get("source"):
            raise MappingError(f"{section}: name the site's data with source: (a file or folder)")
        bad = sorted(set(spec) - MAPPING_KEYS[section])
        if bad:
            raise MappingError(f"{section}: unknown key(s) {', '.join(bad)}")
        for part in ("fields", "values", "by_depth"):
            given = spec.get(part) or {}
            if not isinstance(given, dict):
                raise MappingError(f"{section}.{part}: expected a mapping of registry fields")
            wrong = sorted(set(given) - set(allowed[section]))
            if wrong:
                raise MappingError(
                    f"{section}.{part}: unknown registry field(s) {', '.join(wrong)}; "
                    f"the fields are {', '.join(allowed[section])}"
                )
        if "id" not in (spec.get("fields") or {}):
            spec.setdefault("fields", {})["id"] = "@key"
    return mapping


# -- reading the site --------------------------------------------------------------------------
def _load_yaml(path: Path, site: Path):
    return load_yaml(path, str(path.relative_to(site)), MappingError)


def read_records(site: Path, source: str, children: str | None = None) -> list[Record]:
    """The records at ``source``: a folder of files (one record each, keyed by file name), a
    file holding a mapping (keyed by its keys) or a list (keyed by position); with
    ``children``, records nested under that field come after their parent."""
    path = site / source
    if not path.exists():
        raise MappingError(f"source {source}: the site has no such file or folder")
    records: list[Record] = []
    if path.is_dir():
        for i, item in enumerate(sorted(path.glob("*.y*ml")), start=1):
            data = _load_yaml(item, site)
            records.append(Record(str(item.relative_to(site)), item.stem, data or {}, position=i))
        return records
    data = _load_yaml(path, site)
    items = data.items() if isinstance(data, dict) else enumerate(data or [], start=1)

    def walk(entries, depth, parent, prefix):
        for i, (key, value) in enumerate(entries, start=1):
            if not isinstance(value, dict):
                raise MappingError(f"{source} ({prefix}{key}): expected a mapping of fields")
            record = Record(source, f"{prefix}{key}", value, depth, parent, i)
            records.append(record)
            nested = value.get(children) if children else None
            if nested:
                entries = nested.items() if isinstance(nested, dict) else enumerate(nested, 1)
                walk(entries, depth + 1, record, f"{prefix}{key}/{children}/")

    walk(items, 0, None, "")
    return records


def _value(record: Record, spec: dict, name: str, ids: dict[int, str]):
    """The value of registry field ``name`` for ``record``: the mapped site field (or template),
    else the enclosing unit for a parent, else the value for its depth, else a fixed value."""
    source = (spec.get("fields") or {}).get(name)
    value = None
    if source is not None:
        value = _read(record, str(source), ids)
    if value in (None, "") and name == "parent" and record.parent is not None:
        value = ids.get(id(record.parent))
    if value in (None, ""):
        by_depth = (spec.get("by_depth") or {}).get(name)
        if isinstance(by_depth, list) and record.depth < len(by_depth):
            value = by_depth[record.depth]
    if value in (None, ""):
        value = (spec.get("values") or {}).get(name)
    return "" if value is None else str(value).strip()


def _read(record: Record, source: str, ids: dict[int, str]):
    special = {
        "@key": record.key.rsplit("/", 1)[-1],
        "@depth": record.depth,
        "@position": record.position,
        "@parent": ids.get(id(record.parent)) if record.parent else None,
    }
    if source in special:
        return special[source]
    if "{" in source:
        fields = {**record.data, **{k[1:]: v for k, v in special.items()}}
        return _TEMPLATE.sub(lambda m: str(fields.get(m.group(1).strip(), "") or ""), source)
    return record.data.get(source)


# -- turning records into the importer's tables ------------------------------------------------
class SiteReader:
    """Builds the importer's tables from the site's records, remembering where each row came
    from, so that a problem names the site's file and field."""

    def __init__(self, site: Path, mapping: dict, report: SiteImportReport):
        self.site = site
        self.mapping = mapping
        self.report = report
        self.tables: dict[str, list[dict]] = {}
        self.origins: dict[str, list[tuple[Record, dict]]] = {}
        self.profiles: list[tuple[Record, str, dict]] = []  # (record, person key, links)
        self.orders: list[tuple[Record, str, str]] = []  # (record, unit id, order)
        self.site_url = self._site_url()

    def _site_url(self) -> str:
        given = self.mapping.get("site_url")
        if given:
            return str(given).rstrip("/")
        config = _load_yaml(self.site / "_config.yml", self.site) or {}
        url = str(config.get("url") or "").rstrip("/")
        return url + str(config.get("baseurl") or "").rstrip("/") if url else ""

    def problem(self, record: Record, site_field: str, value, text: str) -> None:
        shown = f" {value!r}" if value not in (None, "") else ""
        self.report.problems.append(f"{record.where()}, {site_field}:{shown} {text}")

    def add(self, kind: str, record: Record, row: dict, fields: dict) -> None:
        self.tables.setdefault(kind, []).append(row)
        self.origins.setdefault(kind, []).append((record, fields))

    def run(self) -> None:
        if "people" in self.mapping:
            self.people(self.mapping["people"])
        if "units" in self.mapping:
            self.units(self.mapping["units"])

    # people
    def people(self, spec: dict) -> None:
        records = read_records(self.site, spec["source"])
        fields = spec.get("fields") or {}
        values = {name: [] for name in ("keys", "orcids")}
        rows = []
        for record in records:
            row = {name: _value(record, spec, name, {}) for name in PEOPLE_FIELDS}
            row.update({name: _value(record, spec, name, {}) for name in PEOPLE_EXTRA})
            values["keys"].append(row["id"])
            values["orcids"].append(normalize_orcid(row["orcid"]))
            rows.append((record, row))
        existing = self._existing_people(values["keys"], values["orcids"])
        institutions = _InstitutionFinder()
        for record, row in rows:
            if not row["id"]:
                self.problem(record, fields.get("id", "@key"), "", "no id: every person needs one")
                continue
            stored = existing.get(row["id"]) or existing.get(
                ("orcid", normalize_orcid(row["orcid"]))
            )
            # profile links go through set_public_profile once made absolute (below)
            person = {c: row[c] for c in KINDS["people"] if c not in ("photo_url", "website")}
            if stored is not None:  # what the site leaves empty keeps the registry's value
                for column in ("name", "sort_name", "pronouns", "orcid"):
                    person[column] = person[column] or (getattr(stored, column) or "")
            if "email" not in fields and "email" not in (spec.get("values") or {}):
                person.pop("email")
            self.add("people", record, person, fields)
            links = {name: self._absolute(row[name]) for name in ("photo_url", "website")}
            links = {k: v for k, v in links.items() if v}
            if links:
                self._check_links(record, fields, links)
                self.profiles.append((record, row["id"], links))
            if row["institution"]:
                self.affiliation(record, row, fields, institutions)

    @staticmethod
    def _existing_people(keys, orcids) -> dict:
        found = {}
        orcids = [o for o in orcids if o]
        for p in Person.objects.filter(
            Q(external_id__in=keys) | Q(slug__in=keys) | Q(orcid__in=orcids)
        ):
            for k in (p.external_id, p.slug):
                if k:
                    found.setdefault(k, p)
            if p.orcid:
                found[("orcid", p.orcid)] = p
        return found

    def _absolute(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//") and self.site_url:
            return self.site_url + url
        return url

    def _check_links(self, record: Record, fields: dict, links: dict) -> None:
        for name, url in links.items():
            try:
                Person._meta.get_field(name).clean(url, None)
            except ValidationError as exc:
                hint = ""
                if url.startswith("/"):
                    hint = (
                        " (a path on the site: set url in _config.yml or site_url in the mapping)"
                    )
                self.problem(record, fields.get(name, name), url, exc.messages[0] + hint)

    def affiliation(self, record, row, fields, institutions) -> None:
        institution, error = institutions.find(row["institution"])
        if error:
            self.problem(
                record, fields.get("institution", "institution"), row["institution"], error
            )
            return
        if not row["institution_start"]:
            self.report.notes.append(
                f"{record.where()}: works at {row['institution']}, but the site gives no "
                "start date (map institution_start): the affiliation is not recorded"
            )
            return
        self.add(
            "affiliations",
            record,
            {"person": row["id"], "institution": institution, "start": row["institution_start"]},
            {"start": fields.get("institution_start", "institution_start"), **fields},
        )

    # units
    def units(self, spec: dict) -> None:
        records = read_records(self.site, spec["source"], spec.get("children"))
        fields = spec.get("fields") or {}
        ids: dict[int, str] = {}
        rows = []
        for record in records:  # parents come first: their ids are known to their children
            row = {name: _value(record, spec, name, ids) for name in (*UNIT_FIELDS, *UNIT_EXTRA)}
            ids[id(record)] = row["id"]
            rows.append((record, row))
        stored = {}
        keys = [row["id"] for _, row in rows]
        for unit in OrgUnit.objects.filter(
            Q(external_id__in=keys) | Q(slug__in=keys)
        ).select_related("parent"):
            for k in (unit.external_id, unit.slug):
                if k:
                    stored.setdefault(k, unit)
        for record, row in rows:
            if not row["id"]:
                self.problem(record, fields.get("id", "@key"), "", "no id: every unit needs one")
                continue
            unit = {c: row.get(c, "") for c in KINDS["units"]}
            existing = stored.get(row["id"])
            if existing is not None:
                for column, current in _unit_columns(existing).items():
                    unit[column] = unit[column] or current
            self.add("units", record, unit, fields)
            if row["order"]:
                try:
                    OrgUnit._meta.get_field("order").clean(row["order"], None)
                except ValidationError as exc:
                    self.problem(
                        record, fields.get("order", "order"), row["order"], exc.messages[0]
                    )
                self.orders.append((record, row["id"], row["order"]))


def _unit_columns(unit: OrgUnit) -> dict[str, str]:
    """A stored unit in the importer's columns."""
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "parent": (unit.parent.external_id or unit.parent.slug) if unit.parent else "",
        "kind": unit.kind,
        "level": "" if unit.level is None else str(unit.level),
        "description": unit.description,
        "start": str(PartialDate(unit.start, unit.start_precision)),
        "end": str(PartialDate(unit.end, unit.end_precision)) if unit.end else "",
    }


class _InstitutionFinder:
    """An institution already in the registry, by its id, ROR id, name or short name."""

    def __init__(self):
        self.by = {}
        for inst in Institution.objects.all():
            for k in (inst.external_id, inst.slug, inst.ror):
                if k:
                    self.by.setdefault(("id", k), inst)
            for k in (inst.name, inst.short_name):
                if k:
                    self.by.setdefault(("name", k.casefold()), []).append(inst)

    def find(self, text: str) -> tuple[str | None, str | None]:
        inst = self.by.get(("id", text)) or self.by.get(("id", normalize_ror(text) or text))
        if inst is None:
            named = {i.pk: i for i in self.by.get(("name", text.casefold()), [])}
            if len(named) > 1:
                return None, "names more than one institution of the registry: use its id"
            inst = next(iter(named.values()), None)
        if inst is None:
            return None, "is not an institution of the registry (add it first, with its country)"
        return inst.external_id or inst.slug, None


# -- running the import ------------------------------------------------------------------------
def import_site(site: Path, mapping_path: Path, *, dry_run: bool = False) -> SiteImportReport:
    """Import the people and units of the Jekyll site at ``site`` as ``mapping_path`` says.
    All or nothing: with any problem (in the site's data or by the registry's rules) nothing
    is written and each problem names the site's file, record and field."""
    site = Path(site)
    if not (site / "_config.yml").is_file():
        raise NotAJekyllSite(f"{site} is not a Jekyll site: it has no _config.yml")
    mapping = read_mapping(mapping_path)
    report = SiteImportReport()
    reader = SiteReader(site, mapping, report)
    reader.run()
    if report.problems:
        return report
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        for kind, rows in reader.tables.items():
            _write_csv(Path(folder) / f"{kind}.csv", kind, rows)
        imported = import_path(folder, dry_run=dry_run)
        report.imported = imported
        if not imported.ok:
            for p in imported.problems:
                record, fields = reader.origins[p.kind][p.row - 2]
                if p.follows and reader.origins[p.follows[0]][p.follows[1] - 2][0] is record:
                    continue  # the record's own problem is reported; this one only follows
                site_field = fields.get(p.column, p.column) if p.column else "record"
                value = "" if p.value in p.problem else p.value
                reader.problem(record, site_field, value, p.problem)
            return report
        _site_warnings(reader, report, imported)
        _apply_extras(reader, report, dry_run)
    return report


def _site_warnings(reader: SiteReader, report: SiteImportReport, imported: Report) -> None:
    """The importer's warnings (the same duplicate rule as every import path), each named by
    the site's file and record rather than by a row of the file the import wrote."""

    def record_of(kind: str, row: int) -> Record:
        return reader.origins[kind][row - 2][0]

    for w in imported.warnings:
        text = re.sub(
            r"row (\d+) of this file",
            lambda m, kind=w.kind: record_of(kind, int(m.group(1))).where(),
            w.problem,
        )
        report.warnings.append(f"{record_of(w.kind, w.row).where()}, {w.column}: {text}")


def _write_csv(path: Path, kind: str, rows: list[dict]) -> None:
    columns = [c for c in KINDS[kind] if any(c in row for row in rows)]
    with path.open("w", encoding="utf-8", newline="") as out:
        # the reader takes the formula guard off again, so every value arrives as the site had it
        writer = spreadsheet.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(rows)


def _apply_extras(reader: SiteReader, report: SiteImportReport, dry_run: bool) -> None:
    """Profile links and unit orders, set through the models' own methods once the rows they
    belong to exist (or counted, on a dry run, against what the registry holds)."""
    for _record, key, links in reader.profiles:
        person = Person.objects.filter(Q(external_id=key) | Q(slug=key)).first()
        if person is None:  # only on a dry run: the person would be new
            report.profiles_changed += 1
            continue
        if dry_run:
            report.profiles_changed += any(getattr(person, k) != v for k, v in links.items())
        else:
            report.profiles_changed += person.set_public_profile(**links)
    for _record, key, order in reader.orders:
        unit = OrgUnit.objects.filter(Q(external_id=key) | Q(slug=key)).first()
        if unit is None:
            report.orders_changed += 1
            continue
        if dry_run:
            report.orders_changed += unit.order != order
        else:
            report.orders_changed += unit.set_order(order)
