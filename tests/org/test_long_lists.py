"""Succession and training, the long management lists: filters by L1 area, level and status,
counts, the most urgent first, pages; and a term's end said in words that fit it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.core.dates import add_months
from convener.core.roles import Role
from convener.org import services
from convener.org.models import OrgUnit
from convener.org.succession import Term, TermStatus
from convener.training.models import Course, Requirement
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_areas():
    """Tracker has an L2 post whose term ends in 5 days and an L3 post ending in 4 months;
    Muons has an L3 post whose holder is over the limit, ending in 2 months."""
    today = timezone.localdate()
    root = OrgUnitFactory(name="Collaboration", kind=OrgUnit.Kind.COLLABORATION, level=0)
    tracker = OrgUnitFactory(name="Tracker", parent=root, level=1)
    muons = OrgUnitFactory(name="Muons", parent=root, level=1)
    strips = OrgUnitFactory(name="Strips", parent=tracker, level=2)
    pixels = OrgUnitFactory(name="Pixels", parent=strips, level=3, kind="group")
    chambers = OrgUnitFactory(name="Chambers", parent=muons, level=3, kind="group")
    posts = {
        "strips": PositionFactory(unit=strips, title="Strips L2 Manager", level="L2"),
        "pixels": PositionFactory(unit=pixels, title="Pixels Convener", level="L3"),
        "chambers": PositionFactory(
            unit=chambers, title="Chambers Convener", level="L3", term_months=12, term_limit=1
        ),
    }
    # 24-month terms: started 24 months less 5 days ago ends in 5 days
    services.appoint(
        PersonFactory(name="Sam Strips"),
        posts["strips"],
        add_months(today, -24) + dt.timedelta(days=5),
    )
    services.appoint(PersonFactory(name="Pia Pixels"), posts["pixels"], add_months(today, -20))
    carl = PersonFactory(name="Carl Chambers")
    services.appoint(carl, posts["chambers"], add_months(today, -22), end=add_months(today, -10))
    services.appoint(  # a second term where one is allowed
        carl,
        posts["chambers"],
        add_months(today, -10),
        exception_justification="Nobody else stood",
        exception_approved_by="the spokesperson",
    )
    return {"today": today, "tracker": tracker, "muons": muons, "posts": posts}


def _ending(client, **params):
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    response = client.get(reverse("org:succession"), params)
    assert response.status_code == 200
    return [t.appointment.position.title for t in response.context["ending"]], response


def test_the_most_urgent_come_first_over_the_limit_before_the_soonest(client, two_areas):
    titles, _ = _ending(client)
    assert titles == ["Chambers Convener", "Strips L2 Manager", "Pixels Convener"]


def test_sorted_by_position_the_list_is_alphabetical(client, two_areas):
    titles, _ = _ending(client, sort="position")
    assert titles == ["Chambers Convener", "Pixels Convener", "Strips L2 Manager"]


def test_filters_by_l1_area_level_and_status(client, two_areas):
    assert _ending(client, area="tracker")[0] == ["Strips L2 Manager", "Pixels Convener"]
    assert _ending(client, level="L3")[0] == ["Chambers Convener", "Pixels Convener"]
    assert _ending(client, area="tracker", level="L3")[0] == ["Pixels Convener"]
    assert _ending(client, status="over_limit")[0] == ["Chambers Convener"]


def test_the_status_counts_are_those_of_the_area_and_level_chosen(client, two_areas):
    _, response = _ending(client, area="tracker")
    assert response.context["filters"].counts == {"ends_soon": 2}


def test_a_term_ending_in_five_days_is_said_to_end_in_five_days(client, two_areas):
    _, response = _ending(client)
    html = response.content.decode()
    assert "(ends in 5 days)" in html
    assert "within 6 months" not in html


@pytest.mark.parametrize(
    "end, words",
    [
        (dt.date(2026, 3, 6), "ends in 5 days"),
        (dt.date(2026, 3, 1), "ends today"),
        (dt.date(2026, 7, 1), "ends in 4 months"),
        (dt.date(2026, 2, 20), "ended 9 days ago"),
        (dt.date(2025, 10, 15), "ended 4 months ago"),
    ],
)
def test_a_terms_end_in_words(end, words):
    assert Term(None, end, TermStatus.WITHIN).ends_in(dt.date(2026, 3, 1)) == words


def test_no_call_links_to_a_new_call_for_that_position(client, two_areas):
    _, response = _ending(client, area="muons")
    post = two_areas["posts"]["chambers"]
    assert f'{reverse("nominations:call_new")}?position={post.pk}">No call: prepare one' in (
        response.content.decode()
    )
    form = client.get(reverse("nominations:call_new"), {"position": post.pk}).context["form"]
    assert str(form["position"].value()) == str(post.pk)


def test_the_officer_sees_no_call_without_a_link_to_make_one(client, two_areas):
    client.force_login(UserFactory(roles=[Role.DIVERSITY_OFFICER]))
    html = client.get(reverse("org:succession")).content.decode()
    assert "No call: prepare one" not in html and "No call" in html


@pytest.mark.parametrize(
    "params, param",
    [({"area": "atlantis"}, "area"), ({"level": "L9"}, "level"), ({"sort": "random"}, "sort")],
)
def test_an_unknown_filter_is_a_400_naming_it(client, two_areas, params, param):
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    for url in (reverse("org:succession"), reverse("training:dashboard")):
        response = client.get(url, params)
        assert response.status_code == 400
        assert f"“{params[param]}”" in response.content.decode()


def test_training_filters_by_area_and_status_most_urgent_first(client, two_areas):
    course = Course.objects.create(title="Running meetings", provider="CMS")
    Requirement.objects.create(course=course, level="", within_months=3)
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    response = client.get(reverse("training:dashboard"), {"area": "tracker"})
    people = [line.person.name for line in response.context["lines"]]
    # both Tracker holders started over three months ago: overdue; Muons left out
    assert people == ["Sam Strips", "Pia Pixels"]
    response = client.get(reverse("training:dashboard"), {"status": "due"})
    assert [line.person.name for line in response.context["lines"]] == []
