"""Write paths that used to go around the domain operation, each tried through that path
(issue 13, "One door per state change"). The review's command line is tried in
``tests/review/test_lifecycle.py``."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from convener.org import services as org_services
from convener.training import services as training
from convener.training.models import Completion, Course
from tests.factories import PersonFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db
FUTURE = "A completion cannot be in the future."  # the model's own words, on every path


@pytest.fixture
def staff(client):
    user = UserFactory(username="stella", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def course():
    return Course.objects.create(title="Running meetings", provider="HR")


def _tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


def test_a_completion_added_in_the_admin_is_recorded_by_the_service(client, staff, course):
    ada = PersonFactory(name="Ada Lovelace")
    data = {"person": ada.pk, "course": course.pk, "completed_on": "2024-05-01", "source": "manual"}
    with mock.patch.object(
        training, "record_completion", wraps=training.record_completion
    ) as service:
        response = client.post(reverse("admin:training_completion_add"), data)
    assert response.status_code == 302
    assert service.call_count == 1
    assert list(Completion.objects.values_list("person__name", "completed_on")) == [
        ("Ada Lovelace", dt.date(2024, 5, 1))
    ]


def test_a_completion_in_the_future_is_refused_alike_by_admin_form_service_and_import(
    client, staff, course
):
    ada = PersonFactory(name="Ada Lovelace", orcid="0000-0002-1825-0097")
    org_services.appoint(ada, PositionFactory(level="L2"), dt.date(2020, 1, 1))  # the form's
    day = _tomorrow()
    data = {"person": ada.pk, "course": course.pk, "completed_on": day, "source": "manual"}
    response = client.post(reverse("admin:training_completion_add"), data)
    assert response.status_code == 200 and FUTURE in response.content.decode()

    manager = UserFactory(username="mona", roles=["manager"])
    client.force_login(manager)
    response = client.post(reverse("training:add"), data)
    assert response.status_code == 400 and FUTURE in response.content.decode()

    written, problems = training.import_completions(
        f"person,course,completed_on\n0000-0002-1825-0097,Running meetings,{day}\n"
    )
    assert written == 0
    assert [(p.row, p.column, p.problem) for p in problems] == [(2, "completed_on", FUTURE)]
    assert not Completion.objects.exists()


def test_a_completion_is_not_edited_in_the_admin(client, staff, course):
    ada = PersonFactory(name="Ada Lovelace")
    done = training.record_completion(ada, course, dt.date(2024, 5, 1))
    url = reverse("admin:training_completion_change", args=[done.pk])
    data = {"person": ada.pk, "course": course.pk, "completed_on": "2020-01-01", "source": "manual"}
    assert client.post(url, data).status_code == 403
    done.refresh_from_db()
    assert done.completed_on == dt.date(2024, 5, 1)


def test_goals_are_recorded_only_against_a_published_review(client, staff):
    """The admin used to add and change goals with no published review, no baseline and no
    audit entry; now only the goals page (``lifecycle.record_goal``) records them."""
    from convener.review.models import Goal

    add = reverse("admin:review_goal_add")
    data = {"year": 2026, "level": "L1", "question": "gender", "option": "woman", "target": "0.4"}
    assert client.get(add).status_code == 403
    assert client.post(add, data).status_code == 403
    assert not Goal.objects.exists()
    assert client.get(reverse("admin:review_goal_changelist")).status_code == 200


# -- the admin's history pages --------------------------------------------------------------
def test_a_call_cannot_be_put_back_in_an_earlier_state_from_its_admin_history(client, staff):
    """Reverting to an old version in the admin saved every field of that version: a call in
    review went back to "open" with no transition, no event and no check."""
    from convener.nominations.models import Call
    from tests.nominations import world as w

    world = w.build()
    call = w.close_and_review(world)
    was_open = call.history.filter(state="open").order_by("history_id").first()
    url = reverse("admin:nominations_call_simple_history", args=[call.pk, was_open.history_id])
    response = client.post(url, {"title": call.title})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.state == Call.State.REVIEW
    assert list(call.events.values_list("to_state", flat=True)) == [
        "draft",
        "open",
        "closed",
        "review",
    ]
    assert client.get(url).status_code == 200  # the old version is still shown


def test_no_history_page_of_the_admin_writes(rf, staff):
    """Every admin that shows a record's history refuses to save an old version, before it
    even looks the version up (id 0 exists nowhere)."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied
    from simple_history.admin import SimpleHistoryAdmin

    with_history = {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    }
    assert sorted(with_history) == [  # the registry's and the workflow's records, by hand
        "nominations.Call",
        "nominations.Candidacy",
        "org.Appointment",
        "org.OrgUnit",
        "org.Position",
        "people.Institution",
        "people.Person",
        "training.Completion",
        "training.Course",
        "training.Requirement",
    ]
    for model_admin in with_history.values():
        request = rf.post("/", {})
        request.user = staff
        with pytest.raises(PermissionDenied):
            model_admin.history_form_view(request, "0", "0")


def test_a_consent_text_is_never_rewritten_after_the_fact(client, staff):
    """People consented to a wording: the admin adds a new version, never edits one."""
    from convener.review.models import ConsentText

    text = ConsentText.objects.create(version=90, text="Your answers are used for statistics.")
    url = reverse("admin:review_consenttext_change", args=[text.pk])
    data = {"version": 90, "text": "Your answers are sold."}
    assert client.post(url, data).status_code == 403
    delete = reverse("admin:review_consenttext_delete", args=[text.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    text.refresh_from_db()
    assert text.text == "Your answers are used for statistics."
    add = client.post(
        reverse("admin:review_consenttext_add"),
        {
            "version": 91,
            "text": "A new wording.",
            "created_at_0": "2026-01-01",
            "created_at_1": "09:00:00",
        },
    )
    assert add.status_code == 302
    assert ConsentText.objects.filter(version=91).exists()
