"""The type-ahead person picker: the server's search, and the field that accepts a choice or
typed text that names one person."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from convener.people.models import Person
from convener.people.picker import PersonChoiceField, search_people
from tests.factories import (
    AffiliationFactory,
    InstitutionFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def two_garcias():
    """Two members called Maria Garcia, told apart by institution and role; a third person
    who left the collaboration."""
    lund = InstitutionFactory(name="Lund University", short_name="Lund")
    pisa = InstitutionFactory(name="University of Pisa", short_name="Pisa")
    first = PersonFactory(name="Maria Garcia", orcid="0000-0002-1825-0097")
    second = PersonFactory(name="Maria Garcia")
    gone = PersonFactory(name="Mario Garcin")
    for person, inst in ((first, lund), (second, pisa), (gone, pisa)):
        AffiliationFactory(person=person, institution=inst, start=D(2010, 1, 1))
    MembershipFactory(person=first, start=D(2010, 1, 1))
    MembershipFactory(person=second, start=D(2010, 1, 1))
    MembershipFactory(person=gone, start=D(2010, 1, 1), end=D(2015, 1, 1))
    from convener.org import services

    services.appoint(first, PositionFactory(title="Tracker L2 Manager"), D(2020, 1, 1))
    return {"first": first, "second": second, "gone": gone}


def test_people_with_the_same_name_are_told_apart_by_institution_and_role(
    client, login, two_garcias
):
    login("member")
    response = client.get(reverse("site:person_search"), {"q": "garcia"})
    results = response.json()["results"]
    assert [(r["name"], r["detail"]) for r in results] == [
        ("Maria Garcia", "Lund · Tracker L2 Manager"),
        ("Maria Garcia", "Pisa"),
    ]


def test_the_members_scope_leaves_out_people_who_left(client, login, two_garcias):
    login("member")
    everyone = client.get(reverse("site:person_search"), {"q": "gar"}).json()["results"]
    members = client.get(reverse("site:person_search"), {"q": "gar", "scope": "members"})
    assert "Mario Garcin" in {r["name"] for r in everyone}
    assert "Mario Garcin" not in {r["name"] for r in members.json()["results"]}


def test_an_orcid_finds_exactly_that_person(two_garcias):
    found = search_people("0000-0002-1825-0097")
    assert [m.person for m in found] == [two_garcias["first"]]


def test_a_search_of_one_letter_finds_nobody_and_an_unknown_scope_is_a_400(client, login):
    login("member")
    assert client.get(reverse("site:person_search"), {"q": "m"}).json() == {"results": []}
    response = client.get(reverse("site:person_search"), {"q": "ma", "scope": "robots"})
    assert response.status_code == 400 and "scope" in response.json()["error"]


def test_the_search_takes_a_fixed_number_of_queries(client, login, django_assert_num_queries):
    user = login("member")
    for i in range(3):
        PersonFactory(name=f"Ana Lopez{i}")
    # session, user, the user's roles, then people, affiliations, appointments
    with django_assert_num_queries(6):
        client.get(reverse("site:person_search"), {"q": "lopez"})
    for i in range(20):
        AffiliationFactory(person=PersonFactory(name=f"Ana Lopez-{i}"))
    with django_assert_num_queries(6):
        assert len(client.get(reverse("site:person_search"), {"q": "lopez"}).json()["results"])
    assert user


def _clean(field, text="", chosen=""):
    return field.clean({"text": text, "id": chosen})


def test_typed_text_that_names_one_person_is_enough_without_javascript(two_garcias):
    field = PersonChoiceField(queryset=Person.objects.all())
    assert _clean(field, "Garcin") == two_garcias["gone"]


def test_typed_text_that_names_several_people_asks_for_more(two_garcias):
    field = PersonChoiceField(queryset=Person.objects.all())
    with pytest.raises(ValidationError) as error:
        _clean(field, "Maria Garcia")
    assert "2 people match “Maria Garcia”" in str(error.value)


def test_a_chosen_person_outside_the_list_is_refused_in_plain_words(two_garcias):
    members = Person.objects.filter(memberships__end__isnull=True)
    field = PersonChoiceField(queryset=members)
    with pytest.raises(ValidationError) as error:
        _clean(field, "Mario Garcin", chosen=str(two_garcias["gone"].pk))
    assert "cannot be chosen here" in str(error.value)
    with pytest.raises(ValidationError) as error:
        _clean(field, "Nobody Atall")
    assert "Nobody here matches “Nobody Atall”" in str(error.value)


def test_the_nomination_form_has_no_drop_down_of_members(client, two_garcias):
    from tests.nominations import world as w

    world = w.build()
    client.force_login(world["alice"].user)
    html = client.get(reverse("nominations:nominate", args=[world["call"].pk])).content.decode()
    assert "<select" not in html
    assert 'data-person-picker data-search-url="/search/people.json?scope=members"' in html


def test_someone_with_no_current_post_is_shown_with_their_last_institution_and_role(client, login):
    from convener.org import services

    cern = InstitutionFactory(name="CERN", short_name="CERN")
    emeritus = PersonFactory(name="Otto Oldtimer")
    AffiliationFactory(person=emeritus, institution=cern, start=D(1990, 1, 1), end=D(2004, 6, 30))
    post = PositionFactory(title="Magnet L2 Manager")
    services.appoint(emeritus, post, D(1995, 1, 1), end=D(1999, 1, 1))
    login("member")
    results = client.get(reverse("site:person_search"), {"q": "oldtimer"}).json()["results"]
    assert results[0]["detail"] == "CERN until 2004 · formerly Magnet L2 Manager"


def test_every_word_must_be_in_the_name_or_the_sort_name_and_nothing_else_matches():
    """Hand-worked: the sort name is "family, given" (the particle kept in front), so a word
    can be found in either; a word is never found across the two
    (the text the database searches joins them with a space), and % or _ typed by someone
    are letters, not wildcards."""
    strasse = PersonFactory(name="Jürgen Straße")
    hamel = PersonFactory(name="Anna de Hamel")
    PersonFactory(name="Anna Hamelin")
    PersonFactory(name="Annabel Stone")
    assert (strasse.sort_name, hamel.sort_name) == ("Straße, Jürgen", "de Hamel, Anna")
    assert [m.person for m in search_people("straße")] == [strasse]
    assert [m.person for m in search_people("jürg STR")] == [strasse]
    # "hamel" and "de": both in one person's names; "anna hamel" matches Hamelin's too
    assert [m.person for m in search_people("hamel de")] == [hamel]
    assert {m.person.name for m in search_people("anna hamel")} == {
        "Anna de Hamel",
        "Anna Hamelin",
    }
    # the end of the name joined to the start of the sort name is not a word of either
    assert search_people("aßestr") == [] and search_people("Straßestraße") == []
    assert search_people("ann%") == [] and search_people("a_na") == []


def test_capitals_beyond_ascii_match_in_either_case_on_both_databases():
    """Hand-worked: "JÜRG" is in "Jürgen" and "élo" in "ÉLODIE"; SQLite's own UPPER leaves
    "ü" and "é" as they are, which made the embedded demo miss them."""
    jurgen = PersonFactory(name="Jürgen Straße")
    elodie = PersonFactory(name="ÉLODIE Øster")
    PersonFactory(name="Jurgen Strasse")  # the letters without their marks are other letters
    assert [m.person for m in search_people("JÜRG")] == [jurgen]
    assert [m.person for m in search_people("jÜrGeN")] == [jurgen]
    assert [m.person for m in search_people("élo øst")] == [elodie]
    assert search_people("ELOD") == []


def test_on_postgresql_the_search_can_read_the_trigram_index():
    """The search text in the query and the one the index holds (migration people 0008) must
    be the same expression, or PostgreSQL reads every person (47 ms at 60,000 people instead
    of 1.4). With sequential scans off, a plan without the index means they differ."""
    from django.db import connection

    from convener.people.picker import _matching

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    PersonFactory(name="Maria Mullins")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = _matching(Person.objects.all(), "mull ins").explain()
    assert "person_search_trgm_idx" in plan, plan
