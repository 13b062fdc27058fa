"""A historian's records loaded as a new user loads them (the importer, the API, the pages):
each test is a finding of an independent tester, written with invented records in the style
of old bulletins and minutes, with expectations worked out by hand."""

import datetime as dt

import pytest

from convener.exchange.importer import import_path
from convener.org.models import Appointment
from convener.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.shipped_end_dates]
D = dt.date

PEOPLE = (
    "id,name\n"
    "yara-benedek,Yara Benedek\n"
    "oskar-lindell,Oskar Lindell\n"
    "pia-moravec,Pia Moravec\n"
    "ruben-achterberg,Ruben Achterberg\n"
)
UNITS = (
    "id,name,kind,level,start\n"
    "calyx,Calyx Collaboration,collaboration,top,1962\n"
    "tracker,Tracker,area,L1,1980\n"
)
POSITIONS = (
    "id,unit,title,level,role,seats,term_months,term_limit,start\n"
    "tracker-lead,tracker,Tracker Project Leader,L1,lead,1,24,3,1980\n"
    "spokesperson,calyx,Spokesperson,top,lead,1,48,2,1975\n"
)


def folder(tmp_path, **files):
    out = tmp_path / "in"
    out.mkdir(exist_ok=True)
    for name, text in {"people": PEOPLE, "units": UNITS, "positions": POSITIONS, **files}.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    return out


def load(tmp_path, **files):
    report = import_path(folder(tmp_path, **files))
    assert not report.problems, [str(p) for p in report.problems]
    return report


# -- finding 3: "from 2012-07-01" after "to 2012-06-30" is a second consecutive term -----------


def test_a_mandate_starting_the_day_after_a_written_end_is_the_second_term(tmp_path, client):
    """The bulletin says "2010-01-01 to 2012-06-30", then "2012-07-01 to 2014-06-30"; the file
    leaves end_kind empty, as most files do. Most sources write the last day in office, so
    the collaboration's default reads it so: terms 1 and 2, and no vacant day between."""
    load(
        tmp_path,
        appointments="id,person,position,start,end,end_kind\n"
        "t1,yara-benedek,tracker-lead,2010-01-01,2012-06-30,\n"
        "t2,yara-benedek,tracker-lead,2012-07-01,2014-06-30,\n",
    )
    rows = Appointment.objects.order_by("start")
    assert [a.term_number for a in rows] == [1, 2]
    assert [a.end_kind for a in rows] == ["last_day", "last_day"]
    person = Person.objects.get(name="Yara Benedek")
    history = client.get(person.get_absolute_url()).content.decode()
    history = history.split('id="history-h"')[1]
    cells = [
        row.split('<td data-label="Term">')[1].split("</td>")[0]
        for row in history.split("<tr>")[2:]
    ]
    assert cells == ["1", "2"]
    position = Appointment.objects.first().position
    page = client.get(position.get_absolute_url(), {"on": "2012-06-30"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Yara Benedek" in body.split('id="current-h"')[1].split("</section>")[0]
    assert "vacant" not in body.split('id="current-h"')[1].split("</section>")[0]


# -- finding 2: a seat period "2005 to 2011" covers 2011 -----------------------------------------

CO_SPOKESPERSONS = (
    "id,person,position,start,end,end_kind\n"
    "s1,yara-benedek,spokesperson,2005-01-01,2008-12-31,last_day\n"
    "s2,oskar-lindell,spokesperson,2005-01-01,2011-12-31,last_day\n"
    "s3,pia-moravec,spokesperson,2009-01-01,2011-12-31,last_day\n"
    "s4,ruben-achterberg,spokesperson,2012-01-01,,\n"
)


@pytest.mark.parametrize("end_kind", ["", "last_day"])
def test_a_seat_period_written_to_a_year_covers_that_whole_year(tmp_path, end_kind):
    """The minutes say "two co-spokespersons from 2005 to 2011": through 2011, so two holders
    on 2011-12-31 have their two seats, and one from 2012-01-01 has the one seat."""
    report = import_path(
        folder(
            tmp_path,
            seat_periods=f"position,seats,start,end,end_kind\nspokesperson,2,2005,2011,{end_kind}\n",
            appointments=CO_SPOKESPERSONS,
        ),
        dry_run=True,
    )
    assert not report.problems, [str(p) for p in report.problems]


def test_a_seat_period_ending_on_its_day_of_leaving_says_it_is_the_cause(tmp_path):
    """Written as the day it ended, "to 2011" may end on 1 January 2011: the clash of
    2011-12-31 is then certain, and the message points at the seat period."""
    report = import_path(
        folder(
            tmp_path,
            seat_periods="position,seats,start,end,end_kind\nspokesperson,2,2005,2011,left\n",
            appointments=CO_SPOKESPERSONS,
        ),
        dry_run=True,
    )
    (problem,) = report.problems
    text = str(problem)
    assert "2011-12-31" in text
    assert "seat period of 2 seats (2005 – 2011)" in text
    assert "last day" in text


def test_convener_ships_ends_read_as_the_last_day_in_office(settings):
    """Issue 12: most sources give an end as the last day in office."""
    assert settings.CONVENER_END_DATES == "last_day"
    assert Appointment().end_kind == "last_day"


# -- finding 4: a holder known only to a year, on a post full all that year ---------------------


@pytest.fixture
def full_2011(tmp_path):
    load(
        tmp_path,
        seat_periods="position,seats,start,end\nspokesperson,2,2005,2011\n",
        appointments=CO_SPOKESPERSONS,
    )


def test_a_holder_known_only_to_a_year_is_refused_where_every_seat_is_held_all_year(
    tmp_path, full_2011
):
    """Two co-spokespersons hold both seats every day of 2011; "2011 to 2011" surely served
    some day of 2011, so a third holder then is a certain clash, whichever day it was."""
    report = import_path(
        folder(
            tmp_path,
            appointments="id,person,position,start,end,end_kind\n"
            "s5,yara-benedek,spokesperson,2011,2011,last_day\n",
        ),
        dry_run=True,
    )
    (problem,) = report.problems
    assert "on every day of 2011 – 2011, 2 seat(s) already held by" in str(problem)
    assert "Oskar Lindell" in str(problem) and "Pia Moravec" in str(problem)


def test_the_api_refuses_the_same_holder_and_the_page_keeps_two(tmp_path, full_2011, client):
    from rest_framework.test import APIClient

    from convener.core.roles import Role
    from tests.factories import UserFactory

    api = APIClient()
    api.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    position = Appointment.objects.get(external_id="s1").position
    person = Person.objects.get(name="Yara Benedek")
    before = Appointment.objects.count()
    response = api.post(
        "/api/appointments/",
        {
            "person": person.slug,
            "position": position.slug,
            "start": "2011",
            "end": "2011",
            "end_kind": "last_day",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "no free seat" in str(response.json())
    assert Appointment.objects.count() == before


def test_a_holder_who_may_have_served_on_a_free_day_is_accepted(tmp_path):
    """The tracker leader held the one seat to 2012-06-30; "2012 to 2012" may have served in
    the second half of 2012, when the seat was free: a clash is possible, not certain."""
    report = import_path(
        folder(
            tmp_path,
            appointments="id,person,position,start,end,end_kind\n"
            "t1,yara-benedek,tracker-lead,2010-01-01,2012-06-30,last_day\n"
            "t2,oskar-lindell,tracker-lead,2012,2012,last_day\n",
        ),
        dry_run=True,
    )
    assert not report.problems, [str(p) for p in report.problems]


def test_the_same_holder_known_to_a_year_while_the_seat_is_held_all_year_is_refused(tmp_path):
    report = import_path(
        folder(
            tmp_path,
            appointments="id,person,position,start,end,end_kind\n"
            "t1,yara-benedek,tracker-lead,2008-05,2012-06-30,last_day\n"
            "t2,oskar-lindell,tracker-lead,2011,2011,last_day\n",
        ),
        dry_run=True,
    )
    (problem,) = report.problems
    assert problem.row == 3
    assert "on every day of 2011 – 2011, 1 seat(s) already held by Yara Benedek" in str(problem)


# -- finding 5: a merge folds the same affiliation held by both records ------------------------


def test_a_merge_folds_the_affiliation_both_records_have(tmp_path, client, login):
    """The same person entered twice ("Kofi Amankwah", "Kofi Amankwa"), both at Calder from
    1997 (one record also to 2004-06 at Vastmoor): the manager merges; the kept record is
    at Calder from 1997 once, and still at Vastmoor to 2004-06."""
    from convener.core.roles import Role
    from convener.people.models import Affiliation

    load(
        tmp_path,
        people="id,name\nyara-benedek,Yara Benedek\nyara-benedeck,Yara Benedeck\n",
        institutions="id,name,country\ncalder,Calder Polytechnic,US\nvast,Vastmoor University,GB\n",
        affiliations="person,institution,start,end\n"
        "yara-benedek,calder,1997,\n"
        "yara-benedeck,calder,1997,\n"
        "yara-benedeck,vast,2001,2004-06\n",
    )
    login(Role.MANAGER)
    keep = Person.objects.get(name="Yara Benedek")
    dup = Person.objects.get(name="Yara Benedeck")
    response = client.post(
        f"/registry/people/{keep.slug}/merge/", {"duplicate": dup.slug, "confirm": "on"}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    rows = sorted(
        (a.institution.name, str(a.start_date), str(a.end_date) if a.end else None)
        for a in Affiliation.objects.filter(person=keep)
    )
    assert rows == [
        ("Calder Polytechnic", "1997", None),
        ("Vastmoor University", "2001", "2004-06"),
    ]
    assert not Person.objects.filter(name="Yara Benedeck").exists()


def test_a_merge_folds_overlapping_affiliations_into_their_union(tmp_path):
    """Calder "1997 to 2003" on one record and "2001" onwards on the other: one affiliation
    from 1997, still current."""
    from convener.people.models import Affiliation
    from convener.people.services import merge_people

    load(
        tmp_path,
        people="id,name\nyara-benedek,Yara Benedek\nyara-benedeck,Yara Benedeck\n",
        institutions="id,name,country\ncalder,Calder Polytechnic,US\n",
        affiliations="person,institution,start,end\n"
        "yara-benedek,calder,1997,2003\n"
        "yara-benedeck,calder,2001,\n",
    )
    keep = Person.objects.get(name="Yara Benedek")
    merge_people(keep, Person.objects.get(name="Yara Benedeck"))
    (row,) = Affiliation.objects.filter(person=keep)
    assert (str(row.start_date), row.end, row.is_open) == ("1997", None, True)


# -- finding 13: values nobody entered are neither shown nor exported ---------------------------


def test_a_position_whose_function_and_filling_nobody_recorded_says_so(tmp_path, client):
    import csv

    from convener.exchange.exporter import export_csv, popolo
    from convener.org.models import Position

    load(tmp_path)  # positions.csv has no function and no filled_by column
    position = Position.objects.get(title="Spokesperson")
    body = client.get(position.get_absolute_url()).content.decode()
    assert "<dt>Function</dt><dd>not recorded</dd>" in body
    assert "<dt>Filled by</dt><dd>not recorded</dd>" in body
    assert "Call for nominations" not in body and "Allocates resources" not in body
    export_csv(tmp_path / "out")
    with open(tmp_path / "out" / "positions.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {(r["function"], r["filled_by"]) for r in rows} == {("", "")}
    posts = popolo()["posts"]
    assert {(p["convener"]["function"], p["convener"]["filled_by"]) for p in posts} == {("", "")}


# -- findings 12, 16, 17: holdovers, vacancies and term status as the records give them ---------

LONG_AGO = (
    "id,person,position,start,end,end_kind\n"
    # a spokesperson from 2001-07-01 with a 48-month term, no end recorded: holding over
    # since the term ended, 2005-07-01
    "s1,yara-benedek,spokesperson,2001-07-01,,\n"
    # the tracker leader's last day was "1990"; the post has been empty since
    "t1,oskar-lindell,tracker-lead,1986,1990,last_day\n"
)


@pytest.fixture
def long_ago(tmp_path):
    load(tmp_path, appointments=LONG_AGO)


def test_a_holdover_is_shown_on_the_position_and_person_pages(long_ago, client):
    """The chart says "holdover since 2005-07"; so do the position and person pages."""
    spokesperson = Appointment.objects.get(external_id="s1").position
    chart = client.get("/org/").content.decode()
    assert "Yara Benedek" in chart and "(holdover since 2005-07)" in chart
    page = client.get(spokesperson.get_absolute_url()).content.decode()
    current = page.split('id="current-h"')[1].split("</section>")[0]
    assert 'since 2001-07-01 (term 1) <span class="holdover">(holdover since 2005-07)' in current
    person = Person.objects.get(name="Yara Benedek")
    roles = client.get(person.get_absolute_url()).content.decode().split('id="current-h"')[1]
    assert "(holdover since 2005-07)" in roles.split("</section>")[0]


def test_vacancies_are_dated_as_precisely_as_the_records(long_ago, client, login):
    """The tracker leader's last day was "1990": the table says vacant since 1990, not
    1990-01-02; the spokesperson post is held (held over), not vacant."""
    from convener.core.roles import Role

    login(Role.MANAGER)
    body = client.get("/succession/").content.decode()
    table = body.split('id="vac-h"')[1].split("</table>")[0]
    row = table.split("Tracker Project Leader")[1].split("</tr>")[0]
    assert '<td data-label="Vacant since">1990</td>' in row
    assert "1990-01-02" not in body
    assert "Spokesperson" not in table


def test_a_term_that_ended_long_ago_is_not_a_term_ending_soon(long_ago, client, login):
    from convener.core.roles import Role

    login(Role.MANAGER)
    body = client.get("/succession/", {"months": "120"}).content.decode()
    row = body.split("Yara Benedek")[1].split("</tr>")[0]
    assert "Term ended" in row and "Term ends soon" not in row
    soon = client.get("/succession/", {"months": "120", "status": "ends_soon"}).content
    assert "Yara Benedek" not in soon.decode().split('id="holdover-h"')[0]


# -- findings 10 and 20: the chart of a past day -------------------------------------------------


def test_the_drawn_chart_of_a_past_day_links_to_the_positions_of_that_day(long_ago, client):
    """On 1989-06-30 the tracker leader was in office and the spokesperson post empty: the
    drawing links to each position's page of that day, and one vacancy reads in the singular."""
    tracker = Appointment.objects.get(external_id="t1").position
    body = client.get("/org/", {"on": "1989-06-30"}).content.decode()
    svg = body.split("<svg")[1].split("</svg>")[0]
    assert f'href="{tracker.get_absolute_url()}?on=1989-06-30"' in svg
    assert f'href="{tracker.get_absolute_url()}"' not in svg
    assert "1 position was vacant." in body
    today = client.get("/org/").content.decode().split("<svg")[1].split("</svg>")[0]
    assert f'href="{tracker.get_absolute_url()}"' in today


# -- finding 6: a sub-unit lies within its parent's life -----------------------------------------


def test_a_sub_unit_starting_after_its_parent_was_retired_is_refused(tmp_path):
    """Computing ran 1990 to 2010; an archive group under it "from 2011" is refused, naming
    the parent and its dates."""
    report = import_path(
        folder(
            tmp_path,
            units="id,name,parent,kind,level,start,end\n"
            "calyx,Calyx Collaboration,,collaboration,top,1962,\n"
            "computing,Computing,calyx,area,L1,1990,2010\n"
            "archive,Archive,computing,group,L2,2011,\n",
            positions="id,unit,title,level,role,seats,start\n",
        ),
        dry_run=True,
    )
    (problem,) = report.problems
    assert problem.row == 4
    assert "runs past the end of its parent unit Computing (1990 – 2010)" in str(problem)


def test_a_parent_cannot_be_retired_before_its_sub_unit(tmp_path):
    from django.core.exceptions import ValidationError

    from convener.org.models import OrgUnit

    load(
        tmp_path,
        units="id,name,parent,kind,level,start,end\n"
        "calyx,Calyx Collaboration,,collaboration,top,1962,\n"
        "computing,Computing,calyx,area,L1,1990,\n"
        "archive,Archive,computing,group,L2,2011,\n",
        positions="id,unit,title,level,role,seats,start\n",
    )
    computing = OrgUnit.objects.get(name="Computing")
    computing.end, computing.end_precision = dt.date(2010, 1, 1), "year"
    with pytest.raises(ValidationError) as refused:
        computing.full_clean()
    assert "Archive (2011 –)" in str(refused.value)


# -- finding 7: the Jekyll-site import warns of likely duplicates as the CSV import does ----------


def test_the_site_import_warns_of_a_person_already_in_the_registry(tmp_path, capsys):
    """The registry already has "Lena White" (no ORCID); the site's _data/people/lwhite.yml
    names her too: the import warns, naming the site's record, as the CSV import would."""
    from django.core.management import call_command

    from tests.exchange import fixture
    from tests.factories import InstitutionFactory, PersonFactory

    for name, short, country in [
        ("Testville Institute", "TVI", "CH"),
        ("Lakeside University", "", "DE"),
        ("Northfield Laboratory", "NFL", "US"),
    ]:
        InstitutionFactory(name=name, short_name=short, country=country)
    PersonFactory(name="Lena White")
    site = fixture.copy(tmp_path)
    call_command("import", jekyll=str(site), mapping=str(site / "convener-mapping.yml"))
    err = capsys.readouterr().err
    assert "Warning: _data/people/lwhite.yml" in err
    assert "may be the same person as Lena White (/people/lena-white/)" in err


# -- finding 14: unit order and public profile links survive export then import -----------------


@pytest.mark.parametrize("form", ["csv", "popolo"])
def test_unit_order_and_profile_links_survive_export_and_import(tmp_path, form):
    from convener.exchange.exporter import export_csv, export_popolo
    from convener.org.models import OrgUnit
    from tests.exchange.registry import empty_the_registry

    load(tmp_path)
    OrgUnit.objects.get(name="Tracker").set_order("2.1")
    Person.objects.get(name="Pia Moravec").set_public_profile(
        photo_url="https://calyx.example.org/img/pia.jpg",
        website="https://www.example.org/~pia/",
    )
    out = tmp_path / "out"
    if form == "csv":
        export_csv(out)
    else:
        out.mkdir()
        out = out / "registry.json"
        export_popolo(out)
    empty_the_registry()
    report = import_path(out)
    assert not report.problems, [str(p) for p in report.problems]
    assert OrgUnit.objects.get(name="Tracker").order == "2.1"
    pia = Person.objects.get(name="Pia Moravec")
    assert pia.photo_url == "https://calyx.example.org/img/pia.jpg"
    assert pia.website == "https://www.example.org/~pia/"


# -- finding 19: what the Jekyll data publishes can be read back -------------------------------


def test_the_published_units_and_history_read_back(tmp_path):
    """units.yml says a board's level is "board" (the vocabulary of the site's levels
    setting); the unit importer takes it back as a unit without a management level. The
    history says what each end is."""
    import yaml

    from convener.exchange.jekyll import publish
    from convener.org.models import OrgUnit

    load(
        tmp_path,
        units="id,name,parent,kind,level,start\n"
        "calyx,Calyx Collaboration,,collaboration,top,1962\n"
        "tracker,Tracker,calyx,area,L1,1980\n"
        "cb,Collaboration Board,calyx,board,,1975\n",
        appointments="id,person,position,start,end,end_kind\n"
        "t1,yara-benedek,tracker-lead,2010-01-01,2012-06-30,last_day\n",
    )
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_layouts" / "default.html").write_text("{{ content }}\n")
    (site / "_config.yml").write_text("title: x\n")
    publish(site)
    data = site / "_data" / "convener"
    units = yaml.safe_load((data / "units.yml").read_text())
    board = next(u for u in units if u["name"] == "Collaboration Board")
    assert board["level"] == "board"
    history = yaml.safe_load((data / "history.yml").read_text())
    assert [(h["end"], h["end_kind"]) for h in history] == [("2012-06-30", "last_day")]
    rows = "id,name,parent,kind,level,start\n" + "".join(
        f"{u['id']},{u['name']},{u['parent'] or ''},{u['kind']},{u['level']},1975\n" for u in units
    )
    back = tmp_path / "back"
    back.mkdir()
    (back / "units.csv").write_text(rows, encoding="utf-8")
    report = import_path(back, dry_run=True)
    assert not report.problems, [str(p) for p in report.problems]
    assert OrgUnit.objects.get(name="Collaboration Board").level is None


# -- finding 11: the timeline draws an appointment whose end nobody recorded ---------------------


def test_the_timeline_draws_an_appointment_with_an_unknown_end(tmp_path, client, login):
    from convener.core.roles import Role

    load(
        tmp_path,
        appointments="id,person,position,start,end,end_kind\n"
        "s1,yara-benedek,spokesperson,1975,unknown,\n"
        "s2,oskar-lindell,spokesperson,1980,1983,last_day\n",
    )
    login(Role.MANAGER)
    unit = Appointment.objects.get(external_id="s1").position.unit
    body = client.get("/succession/timeline/", {"unit": unit.slug}).content.decode()
    svg = body.split("<svg")[1].split("</svg>")[0]
    assert "<title>Yara Benedek, 1975 – ?, end not recorded</title>" in svg
    assert "<title>Oskar Lindell, 1980 – 1983</title>" in svg
