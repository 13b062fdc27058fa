"""Import all-or-nothing, export as open data, and the round trip between them."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from convener.exchange.exporter import export_csv, popolo
from convener.exchange.importer import ImportFileError, import_path
from convener.org.models import Appointment, OrgUnit
from convener.people.models import Institution, Person
from convener.synth.generator import Synthesizer
from tests.exchange.registry import empty_the_registry

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parent / "popolo-schemas"  # CC BY 4.0, see its README


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = {
    "institutions.csv": "id,name,country,ror\ncern,CERN,CH,01ggx4157\n"
    "brown,Brown University,US,05gq02987\n",
    "people.csv": "id,name,orcid,email\nada,Ada Lovelace,0000-0002-1825-0097,ada@example.org\n"
    "bo,Bo Chen,,\n",
    "units.csv": "id,name,parent,kind,level,start\ncollab,Collaboration,,collaboration,0,1994\n"
    "pix,Pixels,collab,area,2,1998-09\n",
    "positions.csv": "id,unit,title,level,role,seats,term_months,term_limit,start\n"
    "pix-lead,pix,Pixels L2 Manager,L2,lead,1,24,2,1998-09\n",
    "appointments.csv": "id,person,position,start,end,end_reason\n"
    "a1,ada,pix-lead,1998,2002,term_completed\n"
    "a2,bo,pix-lead,2002-03-01,,\n",
    "affiliations.csv": "person,institution,start\nada,cern,1995\nbo,01ggx4157,2001\n",
}


def folder_with(tmp_path, **changes):
    files = {**BASE, **changes}
    for name, text in files.items():
        if text is not None:
            write(tmp_path / "in", name, text)
    return tmp_path / "in"


def test_a_good_folder_is_imported_with_partial_dates_and_terms(tmp_path):
    report = import_path(folder_with(tmp_path))
    assert report.ok, report.problems
    a1 = Appointment.objects.get(external_id="a1")
    assert a1.period_display() == "1998 – 2002" and a1.term_number == 1
    assert Person.objects.get(external_id="bo").affiliations.get().institution.name == "CERN"
    assert OrgUnit.objects.get(slug="pix").parent.slug == "collab"


def test_reimporting_the_same_files_changes_nothing(tmp_path):
    folder = folder_with(tmp_path)
    import_path(folder)
    report = import_path(folder)
    assert report.ok and sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert report.unchanged["people"] == 2 and report.unchanged["appointments"] == 2


def test_a_changed_row_updates_the_record_and_its_history(tmp_path):
    import_path(folder_with(tmp_path))
    people = BASE["people.csv"].replace("Bo Chen", "Bo Chen-Li")
    report = import_path(folder_with(tmp_path, **{"people.csv": people}))
    assert report.updated["people"] == 1
    bo = Person.objects.get(external_id="bo")
    assert bo.name == "Bo Chen-Li"
    assert [h.name for h in bo.history.order_by("history_date")] == ["Bo Chen", "Bo Chen-Li"]


@pytest.mark.parametrize(
    "name,text,fragment",
    [
        ("people.csv", "id,name,orcid\nx,X,0000-0002-1825-0098\n", "check digit"),
        ("institutions.csv", "id,name,country,ror\nq,Q,XX,\n", "ISO 3166"),
        (
            "appointments.csv",
            "id,person,position,start\na9,nobody,pix-lead,2010\n",
            "unknown person",
        ),
        (
            "appointments.csv",
            "id,person,position,start,end\na9,ada,pix-lead,2010,2008\n",
            "before the start",
        ),
        (
            "appointments.csv",
            "id,person,position,start\na1,ada,pix-lead,1998\na2,bo,pix-lead,1999-05-01\n",
            "no free seat",
        ),
        (
            "appointments.csv",
            "id,person,position,start\na1,ada,pix-lead,2013-02-30\n",
            "not a real calendar date",
        ),
        (
            "units.csv",
            "id,name,parent,kind,start\nu1,U1,u2,area,1990\nu2,U2,u1,area,1990\n",
            "own ancestor",
        ),
        ("people.csv", "id,name\np,P\np,Q\n", "appears twice"),
    ],
)
def test_any_bad_row_is_reported_and_nothing_is_written(tmp_path, name, text, fragment):
    report = import_path(folder_with(tmp_path, **{name: text}))
    assert not report.ok
    assert any(fragment in str(p) for p in report.problems), report.problems
    assert Person.objects.count() == Institution.objects.count() == 0
    assert Appointment.objects.count() == 0


def test_a_term_over_the_limit_needs_an_exception_in_the_file(tmp_path):
    rows = (
        "id,person,position,start,end,end_reason\n"
        "a1,ada,pix-lead,2000-01-01,2002-01-01,term_completed\n"
        "a2,ada,pix-lead,2002-01-01,2004-01-01,term_completed\n"
        "a3,ada,pix-lead,2004-01-01,,\n"
    )
    report = import_path(folder_with(tmp_path, **{"appointments.csv": rows}))
    assert [p.column for p in report.problems] == ["exception_justification"]
    rows = rows.replace("header", "")
    fixed = (
        "id,person,position,start,end,end_reason,exception_justification,"
        "exception_approved_by\n"
        "a1,ada,pix-lead,2000-01-01,2002-01-01,term_completed,,\n"
        "a2,ada,pix-lead,2002-01-01,2004-01-01,term_completed,,\n"
        "a3,ada,pix-lead,2004-01-01,,,Installation year,Spokesperson\n"
    )
    assert import_path(folder_with(tmp_path, **{"appointments.csv": fixed})).ok


def test_a_bom_is_fine_and_another_encoding_is_named(tmp_path):
    path = write(tmp_path, "people.csv", "\ufeffid,name\nz,Zoë\n")
    assert import_path(path).ok and Person.objects.get(external_id="z").name == "Zoë"
    (tmp_path / "people.csv").write_bytes("id,name\nj,José\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_path(tmp_path / "people.csv")


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("id,nom\nx,y\n", "missing column(s) name"),
        ("id,name,shoe_size\nx,y,42\n", "unknown column(s) shoe_size"),
        ("", "empty"),
    ],
)
def test_unknown_or_missing_columns_are_named(tmp_path, text, fragment):
    with pytest.raises(ImportFileError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        import_path(write(tmp_path, "people.csv", text))


def test_a_workbook_with_one_sheet_per_kind_is_imported(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("people")
    sheet.append(["id", "name", "orcid"])
    sheet.append(["ada", "Ada Lovelace", "0000-0002-1825-0097"])
    units = book.create_sheet("units")
    units.append(["id", "name", "kind", "level", "start"])
    units.append(["c", "Collab", "collaboration", 0, dt.datetime(1994, 5, 1)])
    book.save(tmp_path / "registry.xlsx")
    assert import_path(tmp_path / "registry.xlsx").ok
    assert OrgUnit.objects.get(external_id="c").start == dt.date(1994, 5, 1)


def test_a_damaged_or_truncated_workbook_is_named(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "people"
    book.save(tmp_path / "good.xlsx")
    data = (tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError, match="XLSX"):
        import_path(tmp_path / "cut.xlsx")
    (tmp_path / "text.xlsx").write_text("not a workbook")
    with pytest.raises(ImportFileError, match="XLSX"):
        import_path(tmp_path / "text.xlsx")


def test_the_command_lists_problems_and_writes_nothing(tmp_path, capsys):
    folder = folder_with(tmp_path, **{"people.csv": "id,name,orcid\nx,X,1234\n"})
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", str(folder), verbosity=0)
    assert "people, row 2, column orcid" in capsys.readouterr().err
    assert Person.objects.count() == 0


def test_round_trip_export_import_export_is_identical(tmp_path, django_db_blocker):
    Synthesizer(300, 15, seed=5, today=dt.date(2026, 6, 30), progress=False).run()
    first = tmp_path / "first"
    export_csv(first)
    empty_the_registry()  # an empty database: everything the export holds is gone
    report = import_path(first)
    assert report.ok, report.problems[:5]
    second = tmp_path / "second"
    export_csv(second)
    for f in sorted(first.iterdir()):
        assert f.read_bytes() == (second / f.name).read_bytes(), f.name


def test_the_export_holds_no_private_data(tmp_path):
    import_path(folder_with(tmp_path))
    out = tmp_path / "out"
    export_csv(out)
    everything = "".join(p.read_text() for p in out.iterdir())
    everything += json.dumps(popolo())
    assert "ada@example.org" not in everything and "Ada Lovelace" in everything


def test_the_popolo_export_validates_against_the_popolo_schemas(tmp_path):
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT3

    Synthesizer(200, 10, seed=2, today=dt.date(2026, 6, 30), progress=False).run()
    schemas = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        schemas[path.stem] = schema
    registry = Registry().with_resources(
        (s["id"].rstrip("#"), Resource(s, specification=DRAFT3)) for s in schemas.values()
    )
    registry = registry.with_resources(
        (s["id"], Resource(s, specification=DRAFT3)) for s in schemas.values()
    )
    data = popolo()
    shutil.rmtree(tmp_path, ignore_errors=True)
    kinds = {
        "persons": "person",
        "organizations": "organization",
        "posts": "post",
        "memberships": "membership",
    }
    for key, name in kinds.items():
        validator = jsonschema.Draft3Validator(
            schemas[name], registry=registry, format_checker=jsonschema.FormatChecker()
        )
        assert data[key], key
        for item in data[key]:
            errors = list(validator.iter_errors(item))
            assert not errors, (key, item, errors[0].message)
    # a planted bad date is caught: the check is real
    bad = dict(data["memberships"][0], start_date="1998-9")
    assert list(
        jsonschema.Draft3Validator(schemas["membership"], registry=registry).iter_errors(bad)
    )


def test_the_upload_page_imports_for_managers_and_reports_problems(client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login("manager")
    good = SimpleUploadedFile("people.csv", b"id,name\nq,Quinn Q\n")
    response = client.post("/import/", {"file": good})
    assert response.status_code == 200 and "1 new" in response.content.decode()
    bad = SimpleUploadedFile("people.csv", b"id,name,orcid\nr,R,12\n")
    response = client.post("/import/", {"file": bad})
    assert response.status_code == 400
    assert "nothing was written" in response.content.decode()
    assert not Person.objects.filter(external_id="r").exists()
    assert client.get("/import/templates/appointments.csv").content.startswith(b"id*,person*")


@pytest.mark.parametrize(
    "role,status",
    [
        (None, 302),
        ("member", 403),
        ("manager", 200),
        ("diversity_officer", 403),
        ("staff", 200),
        ("committee_member", 403),
    ],
)
def test_only_managers_import(client, login, role, status):
    login(role)
    assert client.get("/import/").status_code == status


def test_a_bulk_import_gathers_the_planner_statistics_and_a_dry_run_does_not(tmp_path, monkeypatch):
    """A large load (here: 3 rows and more, for the test) ends with ANALYZE, as synth does;
    a dry run writes nothing, so it has nothing to gather."""
    from convener.core import batch

    calls = []
    monkeypatch.setattr(batch, "BULK_ROWS", 3)
    monkeypatch.setattr(batch, "refresh_statistics", lambda: calls.append("analyze"))
    folder = folder_with(tmp_path)
    assert import_path(folder, dry_run=True).ok and calls == []
    report = import_path(folder)
    assert report.ok and sum(report.created.values()) >= 3 and calls == ["analyze"]
    assert import_path(folder).ok and calls == ["analyze"]  # nothing new: nothing to gather
