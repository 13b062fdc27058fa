"""The "Your tasks" panel of the home page: each role sees what waits for it, worked out
here by hand from a small collaboration built for the purpose."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.core.dates import add_months
from convener.core.roles import Role
from convener.nominations import services as calls
from convener.org import services
from convener.org.models import OrgUnit, Position
from convener.site.tasks import tasks_for
from convener.training.models import Course, Requirement
from tests.factories import OrgUnitFactory, PersonFactory, PositionFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db


def two_years_after(day: dt.date) -> dt.date:
    """A 24-month term's end worked out by hand: the same day two years on (29 February,
    which the later year lacks, ends on the 28th)."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year + 2, 2, 28)
    return day.replace(year=day.year + 2)


@pytest.fixture
def scene():
    """An open call with Bob nominated by Alice (awaiting his consent); two L1 areas, each
    with a group whose convener's term ends in two months; the tracker's L1 manager is a
    manager with an account; the tracker convener has an overdue course."""
    world = w.build()
    calls.nominate(world["call"], world["bob"], world["alice"], "Bob runs the meetings well.")
    today = timezone.localdate()
    root = OrgUnitFactory(name="Collaboration", kind=OrgUnit.Kind.COLLABORATION, level=0)
    areas = {}
    for name in ("Tracker", "Muons"):
        l1 = OrgUnitFactory(name=name, parent=root, level=1)
        group = OrgUnitFactory(name=f"{name} Pixels", parent=l1, kind="group", level=3)
        lead = PositionFactory(unit=l1, title=f"{name} L1 Manager", level="L1", term_months=24)
        convener = PositionFactory(
            unit=group, title=f"{name} Pixels Convener", level="L3", term_months=24
        )
        holder = PersonFactory(name=f"{name} Convener Person")
        # a 24-month term started 22 months ago ends in two months
        services.appoint(holder, convener, add_months(today, -22))
        areas[name] = {"l1": l1, "lead": lead, "convener": convener, "holder": holder}
    boss = PersonFactory(name="Tina Tracker", user=UserFactory(roles=[Role.MANAGER]))
    services.appoint(boss, areas["Tracker"]["lead"], today - dt.timedelta(days=10))
    holder = areas["Tracker"]["holder"]
    holder.user = UserFactory(roles=[Role.MEMBER])
    holder.save()
    course = Course.objects.create(title="Running meetings", provider="CMS")
    Requirement.objects.create(course=course, level="L3", within_months=3)
    return {"world": world, "areas": areas, "boss": boss, "today": today}


def test_a_nominee_sees_the_nomination_awaiting_their_answer(scene):
    world = scene["world"]
    tasks = tasks_for(world["bob"].user)
    assert [c.call for c in tasks.consent] == [world["call"]]
    assert tasks_for(world["alice"].user).count == 0  # the nominator has nothing to do


def test_a_manager_sees_terms_ending_in_their_area_only_and_none_with_a_call(scene):
    tasks = tasks_for(scene["boss"].user)
    assert tasks.area == "Tracker"
    assert [t.appointment.position for t in tasks.terms] == [scene["areas"]["Tracker"]["convener"]]
    start = tasks.terms[0].appointment.start
    assert tasks.terms[0].term_end == two_years_after(start)
    world = scene["world"]
    calls.create_call(
        scene["areas"]["Tracker"]["convener"],
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=20),
        committee=world["call"].committee,
        by=scene["boss"].user,
    )
    assert tasks_for(scene["boss"].user).terms == []  # a draft call is being prepared


def test_a_manager_without_a_post_answers_for_the_whole_collaboration(scene):
    manager = scene["world"]["manager"]  # no person record
    tasks = tasks_for(manager)
    assert tasks.area == "the whole collaboration"
    # the committee's seats (24-month terms from 2020) ended long ago: holdovers, no call
    assert {t.appointment.position.title for t in tasks.terms} == {
        "Tracker Pixels Convener",
        "Muons Pixels Convener",
        "Committee Member",
    }
    assert {t.appointment.position.title for t in tasks.terms if t.holdover_since} == {
        "Committee Member"
    }


def test_committee_and_management_see_a_call_in_review(scene):
    world = scene["world"]
    w.close_and_review(world)
    reviewer = world["reviewers"][0].user
    assert [c.pk for c in tasks_for(reviewer).review] == [world["call"].pk]
    assert [c.pk for c in tasks_for(world["manager"]).decide] == [world["call"].pk]
    assert tasks_for(world["bob"].user).consent == []  # the call closed


def test_a_holder_sees_their_overdue_course(scene):
    holder = scene["areas"]["Tracker"]["holder"]
    lines = tasks_for(holder.user).training
    assert [(line.requirement.course.title, line.status) for line in lines] == [
        ("Running meetings", "overdue")
    ]


def test_the_home_page_shows_the_panel_to_signed_in_people_only(client, scene):
    assert "Your tasks" not in client.get("/").content.decode()
    client.force_login(scene["world"]["bob"].user)
    html = client.get("/").content.decode()
    assert 'id="tasks"' in html and scene["world"]["call"].title in html
    client.force_login(scene["boss"].user)
    html = client.get("/").content.decode()
    position = scene["areas"]["Tracker"]["convener"]
    assert f"{reverse('nominations:call_new')}?position={position.pk}" in html
    assert "Muons Pixels Convener" not in html


# (first view after a change to the registry, the views after it): the figures and the
# current terms are read once per registry version (one query each, plus the version)
@pytest.mark.parametrize("who, first, then", [("bob", 9, 8), ("boss", 15, 13)])
def test_the_panel_takes_a_fixed_number_of_queries(
    client, scene, who, first, then, django_assert_num_queries
):
    user = scene["world"]["bob"].user if who == "bob" else scene["boss"].user
    client.force_login(user)
    client.get("/")
    with django_assert_num_queries(then):
        client.get("/")
    for i in range(4):  # more terms, more groups, more calls
        group = OrgUnitFactory(name=f"More {i}", parent=scene["areas"]["Tracker"]["l1"], level=3)
        post = PositionFactory(unit=group, level=Position.Level.L3, term_months=12)
        services.appoint(PersonFactory(), post, add_months(scene["today"], -10))
    with django_assert_num_queries(first):
        client.get("/")
    with django_assert_num_queries(then):
        client.get("/")


def test_a_manager_who_convenes_an_l3_group_answers_for_the_whole_collaboration(scene):
    manager = PersonFactory(name="Gina Group", user=UserFactory(roles=[Role.MANAGER]))
    group = OrgUnitFactory(name="Tiny Group", parent=scene["areas"]["Muons"]["l1"], level=3)
    services.appoint(manager, PositionFactory(unit=group, level="L3"), scene["today"])
    assert tasks_for(manager.user).area == "the whole collaboration"


def test_the_panel_lists_the_ten_soonest_terms_and_links_to_the_rest(client, scene):
    for i in range(11):  # eleven more terms ending in the tracker, later than the first
        group = OrgUnitFactory(name=f"Group {i}", parent=scene["areas"]["Tracker"]["l1"], level=3)
        post = PositionFactory(unit=group, title=f"Group {i} Convener", level="L3")
        services.appoint(PersonFactory(), post, add_months(scene["today"], -21))
    client.force_login(scene["boss"].user)
    html = client.get("/").content.decode()
    assert html.count(">Prepare a call<") == 10
    assert "Tracker Pixels Convener" in html  # the soonest, ending in two months
    assert "All 12 on the succession dashboard" in html
