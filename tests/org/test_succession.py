"""Succession answers checked against small hand-computed cases."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from convener.org import services, succession
from convener.org.models import OrgUnit, Position
from tests.factories import (
    CareerStageFactory,
    OrgUnitFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)


@pytest.fixture
def area():
    """One L1 area with three L2 lead posts: A (deputy ready), B (deputy new), C (none)."""
    l1 = OrgUnitFactory(name="Tracker", level=1)
    l2 = OrgUnitFactory(name="Pixels", parent=l1, level=2)
    posts = {}
    for name in "ABC":
        posts[name] = PositionFactory(unit=l2, title=f"Lead {name}", term_months=24, term_limit=2)
    dep_a = PositionFactory(
        unit=l2, title="Deputy A", role="deputy", deputizes_for=posts["A"], term_months=24
    )
    dep_b = PositionFactory(
        unit=l2, title="Deputy B", role="deputy", deputizes_for=posts["B"], term_months=24
    )
    people = {k: PersonFactory(name=f"Holder {k}") for k in ["a", "b", "c", "da", "db"]}
    services.appoint(people["a"], posts["A"], D(2025, 3, 1))  # term ends 2027-03-01
    services.appoint(people["b"], posts["B"], D(2022, 1, 1), end=D(2024, 1, 1))
    services.appoint(people["b"], posts["B"], D(2024, 1, 1))  # term 2 of 2, ends 2026-01-01
    services.appoint(people["c"], posts["C"], D(2024, 9, 1))  # term ends 2026-09-01
    services.appoint(people["da"], dep_a, D(2023, 1, 1))  # served > 24 months: ready
    services.appoint(people["db"], dep_b, D(2025, 9, 1))  # not yet
    return {"l1": l1, "posts": posts, "people": people}


def test_which_terms_end_within_the_next_year(area):
    terms = succession.current_terms(TODAY)
    ending = succession.ending_within(terms, TODAY, 12)
    # terms already over (holdovers) come first: they are the most urgent
    assert [(t.appointment.position.title, t.term_end) for t in ending] == [
        ("Deputy A", D(2025, 1, 1)),
        ("Lead B", D(2026, 1, 1)),
        ("Lead C", D(2026, 9, 1)),
        ("Lead A", D(2027, 3, 1)),
    ]
    six = succession.ending_within(terms, TODAY, 6)
    assert [t.appointment.position.title for t in six] == ["Deputy A", "Lead B", "Lead C"]
    status = {t.appointment.position.title: t.status for t in terms}
    assert status == {
        "Lead A": "within",
        "Lead B": "at_limit",
        "Lead C": "ends_soon",
        "Deputy A": "ended",  # its term ended on 2025-01-01: held over, not ending soon
        "Deputy B": "within",
    }


def test_a_holder_past_their_term_is_a_holdover(area):
    terms = {t.appointment.position.title: t for t in succession.current_terms(TODAY)}
    assert terms["Lead B"].holdover_since == D(2026, 1, 1)
    assert terms["Lead A"].holdover_since is None


def test_which_lead_positions_lack_a_deputy_and_who_is_ready(area):
    lines = succession.lead_lines(TODAY)
    assert [line.position.title for line in lines if not line.deputies] == ["Lead C"]
    assert [a.person.name for line in lines for a in line.ready] == ["Holder da"]
    (row,) = succession.bench_strength(lines, TODAY)
    assert (row["area"], row["leads"], row["with_deputy"], row["ready"]) == (area["l1"], 3, 2, 1)


def test_vacancies_say_since_when(area):
    post = PositionFactory(unit=area["posts"]["A"].unit, title="Lead D", start=D(2020, 1, 1))
    services.appoint(PersonFactory(), post, D(2020, 1, 1), end=D(2025, 5, 1))
    found = {v.position.title: v for v in succession.vacancies(TODAY)}
    assert found["Lead D"].since == D(2025, 5, 1)
    assert "Lead A" not in found


def test_going_over_the_term_limit_needs_a_recorded_exception(area):
    post, person = area["posts"]["B"], area["people"]["b"]
    services.end_appointment(
        post.appointments.get(end__isnull=True), D(2026, 1, 1), reason="term_completed"
    )
    with pytest.raises(ValidationError) as info:
        services.appoint(person, post, D(2026, 1, 1))
    assert "limit of 2" in info.value.message_dict["exception_justification"][0]
    assert post.appointments.count() == 2
    third = services.appoint(
        person,
        post,
        D(2026, 1, 1),
        exception_justification="Installation year",
        exception_approved_by="Spokesperson",
    )
    assert third.term_number == 3
    assert succession.exceptions() == [third]


def test_an_exception_without_justification_is_refused(area):
    with pytest.raises(ValidationError) as info:
        services.appoint(
            PersonFactory(), PositionFactory(), D(2020, 1, 1), exception_approved_by="Spokesperson"
        )
    assert "exception_justification" in info.value.message_dict


def test_the_junior_share_of_l3_seats_in_a_year():
    """2019: three L3 seats held on 1 July; two by people junior when appointed."""
    unit = OrgUnitFactory(level=3, kind=OrgUnit.Kind.GROUP)
    posts = [
        PositionFactory(unit=unit, title=f"Convener {i}", level=Position.Level.L3) for i in range(4)
    ]
    student, postdoc, senior, late = (PersonFactory() for _ in range(4))
    CareerStageFactory(person=student, stage="student", start=D(2015, 1, 1))
    CareerStageFactory(person=postdoc, stage="postdoc", start=D(2016, 1, 1), end=D(2020, 1, 1))
    CareerStageFactory(person=postdoc, stage="scientist", start=D(2020, 1, 1))
    CareerStageFactory(person=senior, stage="faculty_senior", start=D(2000, 1, 1))
    services.appoint(student, posts[0], D(2018, 1, 1))
    services.appoint(postdoc, posts[1], D(2019, 3, 1), end=D(2021, 1, 1))
    services.appoint(senior, posts[2], D(2017, 1, 1))
    services.appoint(late, posts[3], D(2019, 8, 1))  # after 1 July: not counted in 2019
    data = succession.junior_participation([2019, 2021])
    row = {(r["year"], r["level"]): r for r in data["table"]}
    assert (row[2019, "L3"]["seats"], row[2019, "L3"]["junior"]) == (3, 2)
    assert row[2019, "L3"]["share"] == pytest.approx(2 / 3)
    assert (row[2021, "L3"]["seats"], row[2021, "L3"]["junior"]) == (3, 1)


def test_junior_deputies_who_went_on_to_lead_are_counted():
    unit = OrgUnitFactory(level=3, kind=OrgUnit.Kind.GROUP)
    lead = PositionFactory(unit=unit, level="L3")
    deputy = PositionFactory(unit=unit, level="L3", role="deputy", deputizes_for=lead)
    climber, stayer = PersonFactory(), PersonFactory()
    for p in (climber, stayer):
        CareerStageFactory(person=p, stage="postdoc", start=D(2010, 1, 1))
    services.appoint(climber, deputy, D(2012, 1, 1), end=D(2014, 1, 1))
    services.appoint(stayer, deputy, D(2014, 1, 1))
    services.appoint(climber, lead, D(2014, 1, 1))
    data = succession.junior_participation([2015])
    assert (data["junior_deputies"], data["went_on_to_lead"]) == (2, 1)


def test_the_org_chart_marks_holdovers(client, area):
    html = client.get(reverse("site:org"), {"on": "2026-06-01"}).content.decode()
    assert "holdover since 2026-01" in html


def test_the_leadership_database_filters_and_exports_csv(client, area):
    html = client.get(reverse("org:leaders"), {"from": "2025-01-01"}).content.decode()
    assert "Holder a" in html and "Holder c" in html
    response = client.get(reverse("org:leaders"), {"to": "2022-06-01", "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:3] == ["person", "orcid", "position"]
    assert [line[0] for line in lines[1:]] == ["Holder b"]
    assert client.get(reverse("org:leaders"), {"level": "L9"}).status_code == 400
    assert client.get(reverse("org:leaders"), {"from": "2025-13-01"}).status_code == 400


def test_a_willing_previous_holder_can_be_asked_without_revealing_their_address(client, area):
    from convener.mail.models import OutgoingMail
    from tests.nominations.world import member

    old = area["people"]["b"]
    old.contact_opt_in = True
    old.email = "secret-address@example.org"
    old.save()
    post = area["posts"]["B"]
    services.end_appointment(
        post.appointments.get(end__isnull=True), D(2026, 1, 1), reason="term_completed"
    )
    asker = member("Ann Asker")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Ask a previous holder" in html and "secret-address" not in html
    client.force_login(asker.user)
    client.post(reverse("org:ask", args=[post.slug, old.slug]), {"message": "How was it?"})
    mail = OutgoingMail.objects.get(kind="ask_previous_holder")
    assert mail.to == "secret-address@example.org" and "How was it?" in mail.body
    assert asker.email in mail.body
