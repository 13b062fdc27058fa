"""Training requirements, compliance, completions and the all-or-nothing import."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from convener.mail.models import OutgoingMail
from convener.org import services as org_services
from convener.training import services
from convener.training.models import Completion, Course, Requirement
from tests.factories import PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)


@pytest.fixture
def setup():
    meetings = Course.objects.create(title="Running meetings", provider="CMS", topics=["meetings"])
    conduct = Course.objects.create(
        title="Code of conduct",
        provider="DEI office",
        topics=["code_of_conduct"],
        validity_months=24,
    )
    Requirement.objects.create(course=meetings, level="L2", within_months=6)
    Requirement.objects.create(course=conduct, level="", within_months=3)
    l2 = PositionFactory(title="L2 manager", level="L2")
    l3 = PositionFactory(title="L3 convener", level="L3")
    people = {
        n: PersonFactory(name=n, orcid=o)
        for n, o in [
            ("Ada", "0000-0002-1825-0097"),
            ("Ben", "0000-0001-5109-3700"),
            ("Cy", "0000-0002-1694-233X"),
        ]
    }
    org_services.appoint(people["Ada"], l2, D(2025, 1, 1))  # needs both; overdue meetings
    org_services.appoint(people["Ben"], l3, D(2026, 4, 1))  # needs conduct; due 2026-07-01
    org_services.appoint(people["Cy"], PositionFactory(level="L2"), D(2020, 1, 1))
    Completion.objects.create(person=people["Ada"], course=conduct, completed_on=D(2024, 7, 1))
    Completion.objects.create(person=people["Cy"], course=meetings, completed_on=D(2020, 2, 1))
    Completion.objects.create(person=people["Cy"], course=conduct, completed_on=D(2024, 1, 1))
    return {"meetings": meetings, "conduct": conduct, "people": people}


def _table(lines):
    return sorted(
        (line.person.name, line.requirement.course.title, line.status, line.due) for line in lines
    )


def test_who_lacks_which_required_course(setup):
    assert _table(services.compliance(TODAY)) == [
        ("Ada", "Code of conduct", "expiring", D(2026, 7, 1)),
        ("Ada", "Running meetings", "overdue", D(2025, 7, 1)),
        ("Ben", "Code of conduct", "due", D(2026, 7, 1)),
        ("Cy", "Code of conduct", "expired", D(2026, 1, 1)),
        ("Cy", "Running meetings", "ok", None),
    ]


def test_a_person_sees_only_their_own_record(setup):
    lines = services.compliance(TODAY, person=setup["people"]["Ben"])
    assert {line.person.name for line in lines} == {"Ben"}


def test_a_completion_in_the_future_or_twice_is_refused(setup):
    ben = setup["people"]["Ben"]
    with pytest.raises(ValidationError) as info:
        services.record_completion(ben, setup["conduct"], timezone.localdate() + dt.timedelta(1))
    assert "completed_on" in info.value.message_dict
    services.record_completion(ben, setup["conduct"], D(2026, 5, 1))
    with pytest.raises(ValidationError, match="already has"):
        services.record_completion(ben, setup["conduct"], D(2026, 5, 1))
    assert Completion.objects.filter(person=ben).count() == 1


GOOD = (
    "\ufeffperson,course,completed_on\n"
    "0000-0001-5109-3700,Code of conduct,2026-05-02\n"
    "0000-0002-1825-0097,Running meetings,2026-05-03\n"
)


def test_a_good_file_is_imported_whole_and_a_second_time_is_refused(setup):
    written, problems = services.import_completions(GOOD)
    assert (written, problems) == (2, [])
    written, problems = services.import_completions(GOOD)
    assert written == 0 and [p.problem for p in problems] == ["duplicate: already recorded"] * 2
    assert Completion.objects.count() == 5


def test_a_file_with_any_bad_row_writes_nothing_and_reports_every_problem(setup):
    bad = (
        "person,course,completed_on\n"
        "0000-0001-5109-3700,Code of conduct,2026-05-02\n"
        "nobody@example.org,Code of conduct,2026-05-02\n"
        "0000-0002-1825-0097,Juggling,2026-05-03\n"
        "0000-0002-1825-0097,Running meetings,2099-01-01\n"
        "0000-0002-1825-0097,Running meetings,02/03/2026\n"
        "0000-0001-5109-3700,Code of conduct,2026-05-02\n"
    )
    written, problems = services.import_completions(bad)
    assert written == 0
    assert [(p.row, p.column, p.problem) for p in problems] == [
        (3, "person", "unknown person"),
        (4, "course", "unknown course"),
        (5, "completed_on", "A completion cannot be in the future."),  # the model's words
        (6, "completed_on", "not a date of the form YYYY-MM-DD"),
        (7, "completed_on", "duplicate of row 2"),
    ]
    assert Completion.objects.count() == 3


def test_unknown_or_missing_columns_are_named(setup):
    _, problems = services.import_completions("who,course,date\nx,y,z\n")
    assert "missing" in problems[0].problem and "person" in problems[0].column


def test_the_import_command_reports_and_refuses(setup, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("person,course,completed_on\nnobody,Code of conduct,2026-01-01\n")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_completions", str(path), verbosity=0)
    path.write_text(GOOD)
    call_command("import_completions", str(path), verbosity=0)
    assert Completion.objects.count() == 5


def test_reminders_are_queued_once(setup):
    sent = services.send_reminders(TODAY)
    assert sent == 4  # Ada x2, Ben (due within 30 days), Cy expired
    assert services.send_reminders(TODAY) == 0
    assert OutgoingMail.objects.filter(kind="training_reminder").count() == 4


def test_the_upload_page_reports_by_row(client, login, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login("manager")
    bad = SimpleUploadedFile("c.csv", b"person,course,completed_on\nnobody,x,2026-01-01\n")
    response = client.post(reverse("training:import"), {"file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "unknown person" in html and "nothing was written" in html
    latin = SimpleUploadedFile(
        "c.csv", "person,course,completed_on\nJosé,x,2026\n".encode("latin-1")
    )
    response = client.post(reverse("training:import"), {"file": latin})
    assert "not UTF-8" in response.content.decode()
