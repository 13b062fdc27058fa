"""Every URL of Convener (the admin aside, which needs staff throughout), for every role:
the status a GET gets. A new URL without a row here fails this test."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from convener.core.roles import Role
from convener.nominations import services as calls
from tests.factories import UserFactory
from tests.nominations import world as w
from tests.site import collab

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "member", "committee", "manager", "officer", "staff"]
ALL = (200,) * 6
MEMBERS = (302, 200, 200, 200, 200, 200)
POST_MEMBERS = (302, 405, 405, 405, 405, 405)
MANAGERS = (302, 403, 403, 200, 403, 200)
MANAGEMENT = (302, 403, 403, 200, 200, 200)

MATRIX = {
    "site:home": ALL,
    "site:org": ALL,
    "site:org_download": ALL,
    "site:person_search": MEMBERS,
    "mail:preferences": MEMBERS,
    "site:position": ALL,
    "site:person": ALL,
    "site:institution": ALL,
    "site:search": ALL,
    "api:schema": ALL,
    "api:docs": ALL,
    "api:api-root": ALL,
    "api:institution-list": ALL,
    "api:institution-detail": ALL,
    "api:person-list": ALL,
    "api:person-detail": ALL,
    "api:orgunit-list": ALL,
    "api:orgunit-detail": ALL,
    "api:position-list": ALL,
    "api:position-detail": ALL,
    "api:appointment-list": ALL,
    "api:appointment-detail": ALL,
    "api:seatperiod-list": ALL,
    "api:seatperiod-detail": ALL,
    "api:call-list": ALL,
    "api:call-detail": ALL,
    "api:call-transition": (405,) * 6,  # POST only; writes are tested in tests/api
    "login": ALL,
    "oidc_authentication_init": (404,) * 6,  # single sign-on is off here; tests/accounts
    "oidc_authentication_callback": (404,) * 6,
    "logout": (405,) * 6,
    "password_change": MEMBERS,
    "password_change_done": MEMBERS,
    "password_reset": ALL,
    "password_reset_done": ALL,
    "password_reset_confirm": ALL,
    "password_reset_complete": ALL,
    "nominations:calls": ALL,
    "nominations:feed_ics": ALL,
    "nominations:feed_atom": ALL,
    "nominations:call_new": MANAGERS,
    "nominations:call": ALL,
    "nominations:nominate": MEMBERS,
    "nominations:manage": MANAGERS,
    "nominations:review": (302, 403, 200, 403, 403, 403),
    "nominations:recommend": (302, 403, 405, 403, 403, 405),
    "nominations:declare": (302, 403, 405, 403, 403, 405),
    "nominations:score": (302, 403, 405, 403, 403, 405),
    "nominations:vote": (302, 403, 405, 403, 403, 405),
    "nominations:mine": MEMBERS,
    "nominations:consent": POST_MEMBERS,
    "nominations:decline": POST_MEMBERS,
    "nominations:withdraw": POST_MEMBERS,
    "org:succession": MANAGEMENT,
    "org:timeline": MANAGEMENT,
    "org:junior": MANAGEMENT,
    "org:leaders": ALL,
    "org:to_complete": MANAGERS,
    "people:duplicates": MANAGERS,
    "people:merge": MANAGERS,
    "org:contact": MEMBERS,
    "org:ask": POST_MEMBERS,
    "training:dashboard": MEMBERS,
    "training:add": (302, 403, 403, 405, 403, 405),
    "training:import": MANAGERS,
    "training:template": MANAGERS,
    "exchange:upload": MANAGERS,
    "exchange:template": MANAGERS,
    "exchange:job": MANAGERS,  # the manager who asked for the import, and staff
    "exchange:job_progress": MANAGERS,
    "review:self_id": MEMBERS,
    "review:erase": POST_MEMBERS,
    "review:ask_confirmation": POST_MEMBERS,
    "review:confirm": MEMBERS,  # a button; the link's token is checked when it is pressed
    "review:officer": (302, 403, 403, 403, 200, 200),
    "review:prepare": (302, 403, 403, 403, 405, 405),
    "review:edition": (302, 403, 403, 403, 200, 200),
    "review:commentary": (302, 403, 403, 403, 405, 405),
    "review:publish": (302, 403, 403, 403, 405, 405),
    "review:officer_download": (302, 403, 403, 403, 200, 200),
    "review:officer_chart": (302, 403, 403, 403, 200, 200),
    "review:published": MEMBERS,
    "review:published_year": MEMBERS,
    "review:published_version": MEMBERS,
    "review:published_download": MEMBERS,
    "review:published_chart": MEMBERS,
    "review:goals": MANAGERS,
}


def url_names():
    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, p.namespace or ns)
            elif p.name:
                yield f"{ns}:{p.name}" if ns else p.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_has_a_row_in_the_matrix():
    assert [name for name in url_names() if name not in MATRIX] == []


@pytest.fixture
def world():
    org = collab.build(groups=1)
    world = w.build()
    candidacy = calls.nominate(world["call"], world["bob"], world["bob"], "Me")
    w.close_and_review(world)
    people = {
        "member": world["alice"].user,
        "committee": world["reviewers"][0].user,
        "manager": world["manager"],
        "officer": UserFactory(roles=[Role.MEMBER, Role.DIVERSITY_OFFICER]),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    group = org["groups"][0]
    kwargs = {
        "slug": group["lead"].slug,
        "pk": world["call"].pk,
        "cpk": candidacy.pk,
        "person_slug": group["people"][0].slug,
        "kind": "people",
        "uidb64": "MQ",
        "token": "bad-token",
    }
    review = _published_review(people["officer"])
    kwargs.update(year=review.year, version=review.version, fmt="csv")
    kwargs["review_pk"] = review.pk
    from convener.exchange.jobs import queue_import

    job = queue_import("people.csv", b"id,name\nx,X\n", user=people["manager"])
    return {
        "org": org,
        "people": people,
        "kwargs": kwargs,
        "candidacy": candidacy,
        "world": world,
        "job": job,
    }


def _published_review(officer):
    """A published review of 2025 (prepared from the world's few people)."""
    from convener.review import lifecycle

    review = lifecycle.request_preparation(2025, officer)
    lifecycle.run_queued()
    return lifecycle.publish(review, officer)


def _url(name, world):
    from django.urls import NoReverseMatch

    kwargs = world["kwargs"]
    overrides = {
        "site:person": {"slug": world["org"]["groups"][0]["people"][0].slug},
        "site:institution": {"slug": world["org"]["inst"].slug},
        "site:org_download": {"fmt": "svg"},
        "api:institution-detail": {"slug": world["org"]["inst"].slug},
        "api:person-detail": {"slug": world["org"]["groups"][0]["people"][0].slug},
        "api:orgunit-detail": {"slug": world["org"]["groups"][0]["unit"].slug},
        "api:appointment-detail": {"pk": world["org"]["groups"][0]["lead"].appointments.first().pk},
        "api:seatperiod-detail": {"pk": world["org"]["seat_period"].pk},
        "people:merge": {"slug": world["org"]["groups"][0]["people"][0].slug},
        "nominations:consent": {"pk": world["candidacy"].pk},
        "nominations:decline": {"pk": world["candidacy"].pk},
        "nominations:withdraw": {"pk": world["candidacy"].pk},
        "exchange:job": {"pk": world["job"].pk},
        "exchange:job_progress": {"pk": world["job"].pk},
        "review:edition": {"pk": kwargs["review_pk"]},
        "review:commentary": {"pk": kwargs["review_pk"]},
        "review:publish": {"pk": kwargs["review_pk"]},
        "review:officer_download": {"pk": kwargs["review_pk"], "fmt": "csv"},
        "review:officer_chart": {
            "pk": kwargs["review_pk"],
            "chart": "chart-gender-woman",
            "fmt": "svg",
        },
        "review:published_year": {"year": kwargs["year"]},
        "review:published_version": {"year": kwargs["year"], "version": kwargs["version"]},
        "review:published_download": {
            "year": kwargs["year"],
            "version": kwargs["version"],
            "fmt": "csv",
        },
        "review:published_chart": {
            "year": kwargs["year"],
            "version": kwargs["version"],
            "chart": "chart-gender-woman",
            "fmt": "svg",
        },
        "review:goals": {"year": kwargs["year"], "version": kwargs["version"]},
    }
    if name in overrides:
        return reverse(name, kwargs=overrides[name])
    for keys in (
        [],
        ["pk"],
        ["slug"],
        ["pk", "cpk"],
        ["slug", "person_slug"],
        ["kind"],
        ["uidb64", "token"],
        ["token"],
    ):
        try:
            return reverse(name, kwargs={k: kwargs[k] for k in keys})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


@pytest.mark.parametrize("index,role", list(enumerate(ROLES)))
def test_each_role_gets_the_expected_status_on_every_url(client, world, index, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    wrong = {}
    for name in url_names():
        status = client.get(_url(name, world)).status_code
        if status != MATRIX[name][index]:
            wrong[name] = (status, MATRIX[name][index])
    assert wrong == {}


@pytest.mark.parametrize(
    "role,expected", [("anonymous", 302), ("member", 302), ("manager", 302), ("staff", 200)]
)
def test_the_admin_needs_staff(client, world, role, expected):
    if role != "anonymous":
        client.force_login(world["people"][role])
    assert client.get("/admin/").status_code == expected
