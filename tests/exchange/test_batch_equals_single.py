"""An import checks its rows in batches, with the same functions that check one saved row:
whatever the rows, one file refuses exactly the rows that saving them one at a time through
the service refuses, with the same messages, and numbers the terms the same."""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from convener.core.dates import PartialDate
from convener.exchange.importer import import_tables
from convener.org import services
from convener.org.models import Appointment
from convener.people.models import Membership, Person
from tests.factories import PersonFactory, PositionFactory

PEOPLE = ["ana", "ben", "cy"]
POSITIONS = ["chair", "board"]


def written(day: dt.date, precision: str) -> str:
    return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}", "day": day.isoformat()}[precision]


row = st.fixed_dictionaries(
    {
        "person": st.sampled_from(PEOPLE),
        "position": st.sampled_from(POSITIONS),
        "start": st.dates(dt.date(1998, 1, 1), dt.date(2012, 12, 31)),
        "start_precision": st.sampled_from(["year", "month", "day"]),
        "days": st.one_of(st.none(), st.integers(0, 1500)),
        "end_precision": st.sampled_from(["year", "month", "day"]),
        "capacity": st.sampled_from(["regular", "regular", "acting"]),
        "exception": st.booleans(),
    }
)


def as_cells(attempt) -> dict[str, str]:
    end = None if attempt["days"] is None else attempt["start"] + dt.timedelta(attempt["days"])
    return {
        "person": attempt["person"],
        "position": attempt["position"],
        "start": written(attempt["start"], attempt["start_precision"]),
        "end": "" if end is None else written(end, attempt["end_precision"]),
        "capacity": attempt["capacity"],
        "exception_justification": "Hard times" if attempt["exception"] else "",
        "exception_approved_by": "The board" if attempt["exception"] else "",
    }


def column(field: str) -> str:
    return field.removesuffix("_precision")


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class TestOneFileAgainstOneRowAtATime(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(attempts=st.lists(row, min_size=1, max_size=9))
    def test_a_file_refuses_exactly_what_single_saves_refuse(self, attempts):
        people = {k: PersonFactory(external_id=k, name=f"{k.title()} Example") for k in PEOPLE}
        positions = {
            "chair": PositionFactory(external_id="chair", seats=1, term_months=12, term_limit=2),
            "board": PositionFactory(external_id="board", seats=2, term_limit=None),
        }
        services.set_seat_period(
            positions["board"],
            dt.date(2004, 1, 1),
            3,
            start_precision="year",
            end=dt.date(2006, 1, 1),
            end_precision="year",
        )
        cells = [(n, {"id": f"a{n}", **as_cells(a)}) for n, a in enumerate(attempts, start=2)]

        # one at a time through the service, in the order the importer saves a file's rows
        # (position by position, as the handovers happened)
        def order(item):
            n, c = item
            probe = Appointment(**_dates(c))
            probe.set_derived_dates()
            return (positions[c["position"]].pk, *probe.chronology, n)

        single_refusals, single_terms = {}, {}
        with rolled_back():
            for n, c in sorted(cells, key=order):
                try:
                    made = services.appoint(
                        people[c["person"]],
                        positions[c["position"]],
                        **_dates(c),
                        capacity=c["capacity"],
                        exception_justification=c["exception_justification"],
                        exception_approved_by=c["exception_approved_by"],
                    )
                except ValidationError as error:
                    single_refusals[n] = [
                        (column(field), message)
                        for field, messages in error.message_dict.items()
                        for message in messages
                    ]
                else:
                    made.source = f"row {n}"
                    Appointment.objects.filter(pk=made.pk).update(external_id=f"a{n}")
            single_terms = dict(Appointment.objects.values_list("external_id", "term_number"))

        batch_refusals, batch_terms = {}, {}
        with rolled_back():
            report = import_tables({"appointments": cells})
            for p in report.problems:
                batch_refusals.setdefault(p.row, []).append((p.column, p.problem))
            if report.ok:
                batch_terms = dict(Appointment.objects.values_list("external_id", "term_number"))

        assert sorted(batch_refusals) == sorted(single_refusals)
        for n, refused in single_refusals.items():
            assert [c for c, _ in batch_refusals[n]] == [c for c, _ in refused]
            for (_, batch_text), (_, single_text) in zip(batch_refusals[n], refused, strict=True):
                # a seat clash in a file also names the other holder's row of the file
                assert batch_text.startswith(single_text.rstrip(".")), (batch_text, single_text)
        if not single_refusals:
            assert batch_terms == single_terms


def _dates(cells) -> dict:
    start = PartialDate.parse(cells["start"])
    dates = {"start": start.value, "start_precision": start.precision}
    if cells["end"]:
        end = PartialDate.parse(cells["end"])
        dates.update(end=end.value, end_precision=end.precision)
    return dates


pytestmark = pytest.mark.django_db


def test_a_refused_period_in_a_file_does_not_count_against_the_rows_after_it(tmp_path):
    """Worked by hand: 1990-2000 is kept; 1995-2005 overlaps it and is refused; 2003-2008
    overlaps only the refused one, so it is kept, as three saves one after another would."""
    PersonFactory(external_id="ana")
    rows = [
        (2, {"person": "ana", "start": "1990", "end": "2000"}),
        (3, {"person": "ana", "start": "1995", "end": "2005"}),
        (4, {"person": "ana", "start": "2003", "end": "2008"}),
    ]
    report = import_tables({"memberships": rows})
    assert [(p.row, p.column) for p in report.problems] == [(3, "start")]
    assert "overlaps another (1990 – 2000)" in report.problems[0].problem
    # the same rows without the refused one are written, in order
    report = import_tables({"memberships": [rows[0], rows[2]]})
    assert report.ok
    assert [str(m.period_display()) for m in Membership.objects.order_by("start")] == [
        "1990 – 2000",
        "2003 – 2008",
    ]


def test_a_later_row_of_a_file_counts_an_earlier_accepted_row_as_saved_for_the_term_limit():
    """Worked by hand: terms 2000-2002, 2002-2004 and 2004- of a post limited to two terms:
    the third row of the file is refused for the limit, the first two are not."""
    PersonFactory(external_id="vera", name="Vera Thrice")
    PositionFactory(external_id="lead", term_limit=2)
    rows = [
        (
            2,
            {
                "id": "t1",
                "person": "vera",
                "position": "lead",
                "start": "2000-01-01",
                "end": "2002-01-01",
            },
        ),
        (
            3,
            {
                "id": "t2",
                "person": "vera",
                "position": "lead",
                "start": "2002-01-01",
                "end": "2004-01-01",
            },
        ),
        (4, {"id": "t3", "person": "vera", "position": "lead", "start": "2004-01-01"}),
    ]
    report = import_tables({"appointments": rows})
    assert [(p.row, p.column) for p in report.problems] == [(4, "exception_justification")]
    assert "Term 3 would go over this position's limit of 2" in report.problems[0].problem


ORCID = "0000-0002-1825-0097"


def test_an_orcid_held_by_another_person_is_refused_in_a_file_as_in_a_single_save():
    PersonFactory(external_id="ana", name="Ana Sorel", orcid=ORCID)
    ben = PersonFactory(external_id="ben", name="Ben Ode")
    report = import_tables({"people": [(2, {"id": "ben", "name": "Ben Ode", "orcid": ORCID})]})
    ben.orcid = ORCID
    with pytest.raises(ValidationError) as single:
        ben.full_clean()
    assert [(p.row, p.column, p.problem) for p in report.problems] == [
        (2, "orcid", single.value.message_dict["orcid"][0])
    ]
    assert single.value.message_dict["orcid"] == ["Person with this ORCID iD already exists."]


def test_an_orcid_given_up_by_one_row_may_be_taken_by_a_later_row_of_the_same_file():
    """Ana's record loses the iD in row 2, Ben's takes it in row 3: saved one after the
    other this is fine, and so it is in one file (and in the database, on either side)."""
    PersonFactory(external_id="ana", name="Ana Sorel", orcid=ORCID)
    PersonFactory(external_id="ben", name="Ben Ode")
    rows = [
        (2, {"id": "ana", "name": "Ana Sorel", "orcid": ""}),
        (3, {"id": "ben", "name": "Ben Ode", "orcid": ORCID}),
    ]
    report = import_tables({"people": rows})
    assert report.ok, report.problems
    assert Person.objects.get(orcid=ORCID).external_id == "ben"
    # the other way round, the first row would take a value the second has not given up yet
    back = [
        (2, {"id": "ana", "name": "Ana Sorel", "orcid": ORCID}),
        (3, {"id": "ben", "name": "Ben Ode", "orcid": ""}),
    ]
    report = import_tables({"people": back})
    assert [(p.row, p.column) for p in report.problems] == [(2, "orcid")]


def test_a_file_that_ends_a_stored_term_may_hand_the_seat_to_its_next_row():
    """Worked by hand: Ana holds the single seat from 2000, open. The file ends her term in
    2004 and gives the seat to Ben from 2004: saved in the order they happened, both pass;
    Ben from 2003 would still overlap her and is refused, naming her."""
    ana = PersonFactory(external_id="ana", name="Ana Sorel")
    PersonFactory(external_id="ben", name="Ben Ode")
    chair = PositionFactory(external_id="chair", seats=1, term_limit=None)
    made = services.appoint(ana, chair, dt.date(2000, 1, 1))
    Appointment.objects.filter(pk=made.pk).update(external_id="a1")
    ended = {
        "id": "a1",
        "person": "ana",
        "position": "chair",
        "start": "2000-01-01",
        "end": "2004-01-01",
    }
    early = {"id": "b1", "person": "ben", "position": "chair", "start": "2003-01-01"}
    report = import_tables({"appointments": [(2, early), (3, ended)]})
    assert [(p.row, p.column) for p in report.problems] == [(2, "start")]
    assert "Ana Sorel (2000-01-01 – 2004-01-01)" in report.problems[0].problem
    report = import_tables({"appointments": [(2, dict(early, start="2004-01-01")), (3, ended)]})
    assert report.ok and report.updated["appointments"] == 1
    assert [(a.person.name, a.period_display()) for a in chair.appointments.order_by("start")] == [
        ("Ana Sorel", "2000-01-01 – 2004-01-01"),
        ("Ben Ode", "2004-01-01 –"),
    ]
