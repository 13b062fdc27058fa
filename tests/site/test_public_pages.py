"""Public pages: what they show, what they never show, and how many queries they take."""

import datetime as dt

import pytest
from django.urls import reverse

from convener.org import services
from tests.factories import AppointmentFactory, PersonFactory, PositionFactory

from . import collab

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_the_site_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "leadership registry" in response.content.decode()


def test_the_org_chart_shows_todays_holders_and_marks_vacancies(client):
    world = collab.build(groups=1)
    response = client.get(reverse("site:org"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Leader 0-2" in html  # the current convener
    assert "Leader 0-0" not in html  # a past convener
    assert 'class="vacant">Vacant' in html  # nobody is deputy today, nor spokesperson
    assert world["groups"][0]["unit"].name in html


def test_the_org_chart_on_a_past_date_shows_who_held_the_positions_then(client):
    collab.build(groups=1)
    html = client.get(reverse("site:org"), {"on": "2007-06-30"}).content.decode()
    assert "Leader 0-1" in html  # deputy then
    assert "Leader 0-2" not in html
    assert "30 June 2007" in html


def test_a_holder_known_only_by_year_is_shown_as_uncertain_in_the_boundary_year(client):
    collab.build(groups=1)
    html = client.get(reverse("site:org"), {"on": "2005-03-01"}).content.decode()
    assert "Leader 0-0" in html and "(dates uncertain)" in html


def test_units_retired_before_a_date_are_absent_from_that_dates_chart(client):
    world = collab.build(groups=1)
    unit = world["groups"][0]["unit"]
    unit.end = dt.date(2001, 1, 1)
    unit.save()
    assert unit.name not in client.get(reverse("site:org")).content.decode()
    assert unit.name in client.get(reverse("site:org"), {"on": "2000-01-01"}).content.decode()


@pytest.mark.parametrize("value", ["2015-13-01", "yesterday", "2015-02-30", "15-01-01"])
def test_an_unreadable_date_is_a_400_that_names_the_parameter(client, value):
    response = client.get(reverse("site:org"), {"on": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>on</code>" in html and value in html


def test_the_position_page_shows_mandate_terms_holders_deputies_and_succession(client):
    world = collab.build(groups=1)
    group = world["groups"][0]
    lead = group["lead"]
    lead.mandate = "Runs the **group**.\n\n<script>alert(1)</script>"
    lead.save()
    html = client.get(lead.get_absolute_url()).content.decode()
    assert "<strong>group</strong>" in html
    assert "<script>alert(1)" not in html
    assert "24 months" in html and "at most 2 consecutive terms" in html
    assert group["deputy"].title in html
    for person in group["people"]:
        assert person.name in html
    # succession is in order, most recent first, with precision kept
    line = html[html.index('id="succession-h"') :]
    assert line.index("Leader 0-2") < line.index("Leader 0-1") < line.index("Leader 0-0")
    assert ">1995<" in line and ">2005<" in line


def test_a_long_succession_comes_a_page_at_a_time_most_recent_first(client):
    position = PositionFactory(title="Collaboration board member", seats=500)
    holders = [
        AppointmentFactory(
            position=position,
            person=PersonFactory(name=f"Board Member{i:03d}", contact_opt_in=True),
            start=dt.date(1991, 1, 1) + dt.timedelta(days=30 * i),
            end=dt.date(1991, 1, 1) + dt.timedelta(days=30 * i + 400),
        )
        for i in range(130)
    ]
    first = client.get(position.get_absolute_url()).content.decode()
    table = first[first.index('id="succession-h"') :]
    assert "Board Member129" in table and "Board Member030" in table
    assert "Board Member029" not in table
    assert "1–100 of 130" in table and 'href="?page=2#succession"' in table
    # only the twenty most recent previous holders are offered to ask
    ask = first[first.index('id="ask-h"') : first.index('id="succession-h"')]
    assert "Board Member129" in ask and "Board Member110" in ask
    assert "Board Member109" not in ask
    second = client.get(position.get_absolute_url() + "?page=2").content.decode()
    table = second[second.index('id="succession-h"') :]
    assert "Board Member029" in table and "Board Member000" in table
    assert "Board Member030" not in table
    assert 'href="?page=1#succession"' in table
    # a page beyond the end shows the last one rather than an error
    assert "Board Member000" in client.get(position.get_absolute_url() + "?page=9").content.decode()
    assert len(holders) == 130


def test_the_person_page_shows_the_deputy_to_lead_pathway_and_no_email(client):
    world = collab.build(groups=1)
    person = world["groups"][0]["people"][1]
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Deputy, then lead from 2010-01-01" in html
    assert person.email and person.email not in html


def test_the_person_page_names_the_current_institution(client):
    world = collab.build(groups=1)
    person = world["groups"][0]["people"][2]
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Testville Institute" in html


def test_the_institution_page_lists_roles_held_from_it(client):
    world = collab.build(groups=1)
    html = client.get(world["inst"].get_absolute_url()).content.decode()
    assert "Leader 0-2" in html and "Members today" in html


def test_search_finds_people_positions_and_units(client):
    collab.build(groups=2)
    html = client.get(reverse("site:search"), {"q": "group 1"}).content.decode()
    assert "Group 1 Convener" in html and "Group 1" in html
    html = client.get(reverse("site:search"), {"q": "Leader 0-2"}).content.decode()
    assert "/people/leader-0-2/" in html


def test_a_one_letter_search_asks_for_more(client):
    html = client.get(reverse("site:search"), {"q": "a"}).content.decode()
    assert "at least two characters" in html


def test_unknown_slugs_are_404(client):
    for name in ("site:position", "site:person", "site:institution"):
        assert client.get(reverse(name, args=["nope"])).status_code == 404


def test_public_pages_refuse_writes(client):
    collab.build(groups=1)
    assert client.post(reverse("site:org")).status_code == 405


PAGES = {
    "home": lambda w: reverse("site:home"),
    "org": lambda w: reverse("site:org"),
    "org_past": lambda w: reverse("site:org") + "?on=2007-01-01",
    "position": lambda w: w["groups"][0]["lead"].get_absolute_url(),
    "person": lambda w: w["groups"][0]["people"][1].get_absolute_url(),
    "institution": lambda w: w["inst"].get_absolute_url(),
    "search": lambda w: reverse("site:search") + "?q=group",
}
# Pinned query counts: a page that needs more queries as the collaboration grows fails here.
QUERIES = {
    "home": 2,  # the registry's version, then its four figures in one query
    "org": 7,  # seat periods of the day, and the appointees who have not started yet
    "org_past": 6,
    "position": 10,  # its seat periods, and the appointees who have not started yet
    "person": 4,
    "institution": 4,
    "search": 3,
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_takes_a_fixed_number_of_queries_whatever_the_size(
    page, client, django_assert_num_queries
):
    world = collab.build(groups=2)
    url = PAGES[page](world)
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(url).status_code == 200
    more = collab.build(groups=6)  # three times as many groups, people and appointments
    for g in more["groups"]:
        services.appoint(PersonFactory(), g["deputy"], dt.date(2021, 1, 1))
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(url).status_code == 200


def test_the_position_page_query_count_does_not_grow_with_its_history(
    client, django_assert_max_num_queries
):
    position = PositionFactory(seats=3)
    AppointmentFactory(position=position)
    with django_assert_max_num_queries(QUERIES["position"]):
        client.get(position.get_absolute_url())
    for year in range(1990, 2000):
        AppointmentFactory(
            position=position, start=dt.date(year, 1, 1), end=dt.date(year + 1, 1, 1)
        )
    with django_assert_max_num_queries(QUERIES["position"]):
        client.get(position.get_absolute_url())


def test_the_org_chart_is_cached_and_a_change_shows_at_once(client, django_assert_num_queries):
    world = collab.build(groups=1)
    url = reverse("site:org")
    client.get(url)
    with django_assert_num_queries(1):  # only the registry's version
        assert "Leader 0-2" in client.get(url).content.decode()
    group = world["groups"][0]
    services.appoint(
        PersonFactory(name="Nadia Newdeputy"),
        group["deputy"],
        dt.date.today() - dt.timedelta(days=1),
    )
    assert "Nadia Newdeputy" in client.get(url).content.decode()


@pytest.mark.parametrize("page", ["home", "org", "position", "person", "institution"])
def test_a_public_page_is_cached_whole_for_visitors_without_cookies(
    page, client, django_assert_num_queries
):
    world = collab.build(groups=1)
    url = PAGES[page](world)
    first = client.get(url)
    with django_assert_num_queries(1):  # only the registry's version
        again = client.get(url)
    assert again.content == first.content and "Cookie" in again["Vary"]
    for header in ["Content-Security-Policy", "X-Frame-Options", "Content-Type"]:
        assert again[header] == first[header]
    assert int(again["Content-Length"]) == len(first.content)
    group = world["groups"][0]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    services.appoint(PersonFactory(name="Nadia Newdeputy"), group["deputy"], yesterday)
    with django_assert_num_queries(QUERIES[page]):  # a change anywhere: every page anew
        fresh = client.get(url)
    assert fresh.status_code == 200
    if page == "org":
        assert "Nadia Newdeputy" in fresh.content.decode()


def test_only_the_parameters_a_page_reads_make_cache_entries(client):
    from convener.core import cache as page_cache

    world = collab.build(groups=1)
    url = PAGES["org"](world)
    client.get(url + "?on=2007-01-01")
    client.get(url + "?utm_source=newsletter")
    client.get(url + "?on=not-a-date")  # a 400 is not kept either
    # every page kept (in Redis and in the memo) goes through the memo
    assert [k.split(":", 3)[-1] for k in page_cache._memo] == ["/org/?on=2007-01-01"]


def test_a_signed_in_visitor_never_gets_the_cached_public_page(client, login):
    world = collab.build(groups=1)
    url = PAGES["position"](world)
    client.get(url)
    user = login("member")
    page = client.get(url).content.decode()
    assert f"Signed in as <strong>{user.username}</strong>" in page  # no person: the login
    client.logout()
    assert "Signed in as" not in client.get(url).content.decode()


REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": "convener-test",
    }
}
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_with_redis_down_pages_are_still_served_uncached(client, settings, caplog):
    collab.build(groups=1)
    settings.CACHES = REDIS_DOWN
    response = client.get(reverse("site:org"))
    assert response.status_code == 200 and "Leader 0-2" in response.content.decode()
    assert "cache unavailable" in caplog.text


def test_the_org_chart_is_cached_in_redis_when_configured(
    client, settings, django_assert_num_queries
):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    collab.build(groups=1)
    settings.CACHES = REDIS
    from django.core.cache import cache

    cache.clear()
    client.get(reverse("site:org"))
    with django_assert_num_queries(1):
        assert client.get(reverse("site:org")).status_code == 200
    cache.clear()
