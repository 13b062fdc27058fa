"""An import that teaches: templates that say what to write, one vocabulary of levels, seat
errors that name the other holder's row, values said once, and Popolo in as well as out."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from convener.exchange.exporter import export_popolo
from convener.exchange.importer import import_path
from convener.exchange.kinds import template
from convener.org.models import OrgUnit, Position, SeatPeriod
from convener.people.models import Person
from convener.synth.generator import Synthesizer
from tests.exchange.registry import empty_the_registry

pytestmark = pytest.mark.django_db


def folder(tmp_path, **files):
    out = tmp_path / "in"
    out.mkdir(exist_ok=True)
    for name, text in files.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    return out


def test_the_template_marks_required_columns_and_lists_allowed_values(tmp_path, capsys):
    call_command("import", template="units", out=str(tmp_path / "units.csv"))
    header, example = (tmp_path / "units.csv").read_text().splitlines()
    assert header.startswith("id*,name*,short_name,parent,")
    assert "kind* (collaboration|organisation|area|group|board|committee)" in header
    assert "level (top|L1|L2|L3)" in header
    assert example.startswith("# example: tracker,")
    # the template as written imports (its example row is a comment): nothing, and no error
    report = import_path(tmp_path / "units.csv")
    assert report.ok and sum(report.created.values()) == 0
    assert "start (required)" in capsys.readouterr().err


def test_every_kind_has_a_template_whose_example_is_filled_in_where_required():
    # the kinds the README's import section lists, written out here
    kinds = ["institutions", "people", "memberships", "affiliations", "career_stages", "units"]
    kinds += ["positions", "seat_periods", "appointments", "completions"]
    for kind in kinds:
        header = template(kind).splitlines()[0]
        assert header.count("*") >= 1, kind


def test_units_and_positions_share_one_vocabulary_of_levels_and_a_lab_is_a_unit_kind(tmp_path):
    report = import_path(
        folder(
            tmp_path,
            units="id,name,parent,kind,level,start\n"
            "lab,Northfield Laboratory,,organisation,top,1962\n"
            "det,Detector,lab,area,L1,1994\n"
            "old,Old Style,lab,area,2,1994\n",
            positions="id,unit,title,level,role,start\ndir,lab,Director,top,lead,unknown\n",
        )
    )
    assert report.ok, report.problems
    assert OrgUnit.objects.get(external_id="det").level_code == "L1"
    assert OrgUnit.objects.get(external_id="old").level_code == "L2"
    assert OrgUnit.objects.get(external_id="lab").get_kind_display() == "Laboratory or organisation"
    assert Position.objects.get(external_id="dir").start is None
    bad = import_path(_only(tmp_path, "units", "id,name,kind,level,start\nx,X,area,L4,1994\n"))
    assert [str(p) for p in bad.problems] == [
        "units, row 2, column level: 'L4' is not one of top, L1, L2, L3, board, committee"
    ]


def _only(tmp_path, kind, text):
    path = tmp_path / "single" / f"{kind}.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BASE = {
    "people": "id,name\nana,Ana Sorel\nben,Ben Okafor\ncy,Cy Lindqvist\n",
    "units": "id,name,kind,level,start\nlab,Northfield Laboratory,organisation,top,1962\n",
    "positions": "id,unit,title,level,role,seats,start\ndir,lab,Director,top,lead,1,1962\n",
}


def test_every_seat_clash_names_the_other_holders_row_and_the_first_day(tmp_path):
    report = import_path(
        folder(
            tmp_path,
            **BASE,
            appointments="id,person,position,start,end\n"
            "a,ana,dir,2000-01-01,2010-01-01\n"
            "b,ben,dir,2002-03-01,2004-01-01\n"
            "c,cy,dir,2006-05,2008\n",
        )
    )
    problems = {p.row: str(p) for p in report.problems}
    assert sorted(problems) == [3, 4]
    assert "from 2002-03-01, 1 seat(s) already held by Ana Sorel" in problems[3]
    assert "appointments row 2" in problems[3]
    assert "from 2006-05-31, 1 seat(s) already held by Ana Sorel" in problems[4]
    assert "appointments row 2" in problems[4]
    assert Person.objects.count() == 0  # all or nothing


def test_a_value_is_said_once_in_a_problem(tmp_path):
    report = import_path(_only(tmp_path, "people", "id,name,orcid\nx,X,0000-0002-1825-0098\n"))
    text = str(report.problems[0])
    assert text.count("0000-0002-1825-0098") == 1
    dates = import_path(
        folder(tmp_path, **BASE, appointments="id,person,position,start\na,ana,dir,2013-02-30\n")
    )
    assert [str(p).count("2013-02-30") for p in dates.problems] == [1]


def test_progress_bars_are_drawn_only_on_a_terminal(tmp_path):
    err = io.StringIO()
    call_command(
        "import", str(folder(tmp_path, **BASE)), verbosity=1, stderr=err, stdout=io.StringIO()
    )
    assert "row/s" not in err.getvalue() and "it/s" not in err.getvalue()


def test_popolo_export_then_import_gives_back_the_same_registry(tmp_path):
    Synthesizer(120, 12, seed=3, today=dt.date(2026, 6, 30), progress=False).run()
    position = Position.objects.filter(seats=1, end__isnull=True).first()
    SeatPeriod.objects.create(
        position=position,
        seats=3,
        start=dt.date(position.start.year + 1, 1, 1),
        start_precision="year",
    )
    first = tmp_path / "first.json"
    export_popolo(first)
    empty_the_registry()
    report = import_path(first)
    assert report.ok, report.problems[:5]
    second = tmp_path / "second.json"
    export_popolo(second)
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    assert SeatPeriod.objects.get().seats == 3
