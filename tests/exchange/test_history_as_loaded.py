"""A historian's records loaded as a new user loads them (the importer, the API, the pages):
each test is a finding of an independent tester, written with invented records in the style
of old bulletins and minutes, with expectations worked out by hand."""

import datetime as dt

import pytest

from convener.exchange.importer import import_path
from convener.org.models import Appointment
from convener.people.models import Person

pytestmark = pytest.mark.django_db
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
    cells = [row.split("<td>")[4].split("</td>")[0] for row in history.split("<tr>")[2:]]
    assert cells == ["1", "2"]
    position = Appointment.objects.first().position
    page = client.get(position.get_absolute_url(), {"on": "2012-06-30"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Yara Benedek" in body.split('id="current-h"')[1].split("</section>")[0]
    assert "vacant" not in body.split('id="current-h"')[1].split("</section>")[0]
