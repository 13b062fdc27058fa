"""Names as people write them, likely duplicates at import and in the admin, and the merge
that makes one record of two without losing history."""

import csv as csv_module
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from convener.exchange.importer import import_path
from convener.org import services
from convener.org.models import Appointment
from convener.people.models import MergedPerson, Person
from convener.people.services import likely_duplicate_pairs, merge_people
from tests.factories import (
    AffiliationFactory,
    InstitutionFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    "name,sort_name",
    [
        ("Maria Della Valle", "Della Valle, Maria"),
        ("Pieter van der Hoek", "van der Hoek, Pieter"),
        ("Jean-Luc De Smet", "De Smet, Jean-Luc"),
        ("Ada Lovelace", "Lovelace, Ada"),
        ("Bo", "Bo"),
        # a capitalized word before a lower-case particle belongs to the surname
        ("Aurélien Hamel de Vry", "Hamel de Vry, Aurélien"),
        ("Giulia della Ruvere", "della Ruvere, Giulia"),
        ("Anna ter Horst", "ter Horst, Anna"),
    ],
)
def test_sort_names_keep_particles_with_the_surname(name, sort_name):
    assert PersonFactory(name=name).sort_name == sort_name


def test_an_edited_sort_name_is_kept():
    """Two given names before a particle read as a compound surname ("Piet van den Akker");
    his given names are "Jan Piet", and the record says so."""
    person = PersonFactory(name="Jan Piet van den Akker", sort_name="van den Akker, Jan Piet")
    person.pronouns = "he/him"
    person.save()
    person.refresh_from_db()
    assert person.sort_name == "van den Akker, Jan Piet"


def test_a_derived_sort_name_follows_a_renaming_and_an_edited_one_stays():
    derived = PersonFactory(name="Maria Valle")
    edited = PersonFactory(name="Jan Piet van den Akker", sort_name="van den Akker, Jan Piet")
    for person, new_name in (
        (derived, "Maria Della Valle"),
        (edited, "Jan Piet van den Akker-Ruiz"),
    ):
        person = Person.objects.get(pk=person.pk)
        person.name = new_name
        person.save()
    assert Person.objects.get(pk=derived.pk).sort_name == "Della Valle, Maria"
    assert Person.objects.get(pk=edited.pk).sort_name == "van den Akker, Jan Piet"


# Hand-sorted: the sort names compared without case or accents ("della Ruvere" under D
# after "De Smet"; "Émile" as "Emile"), the particle kept as written.
ALPHABETICAL = [
    "Yaw Abara",
    "Pieter de Smet",
    "Giulia della Ruvere",
    "Émile Durand",
    "Aurélien Hamel de Vry",
    "Zora Ilić",
    "Anna ter Horst",
    "Jan van den Akker",
    "Ans van Hool",
    "Marek Wierzba",
]


def test_every_list_of_people_sorts_without_case_or_accents(client, login):
    """Lower-case particles used to sort after "Wierzba"; people list, API and the
    leadership CSV now agree with the hand-sorted list."""
    for n, name in enumerate(reversed(ALPHABETICAL)):
        person = PersonFactory(name=name)
        position = PositionFactory(level="L1", term_limit=None)
        services.appoint(person, position, D(2010 + n % 3, 1, 1), end=D(2015, 1, 1))
    assert [p.name for p in Person.objects.all()] == ALPHABETICAL
    login("staff")
    api = client.get("/api/people/").json()
    listed = api["results"] if isinstance(api, dict) else api
    assert [p["name"] for p in listed] == ALPHABETICAL
    csv = client.get(reverse("org:leaders"), {"format": "csv"}).content.decode()
    rows = [row[0] for row in list(csv_module.reader(io.StringIO(csv)))[1:]]
    assert rows == ALPHABETICAL


def test_an_edited_sort_name_decides_the_order():
    PersonFactory(name="Ada Zeller")
    PersonFactory(name="Marek Wierzba", sort_name="Aardvark, Marek")
    assert [p.name for p in Person.objects.all()] == ["Marek Wierzba", "Ada Zeller"]


@pytest.mark.parametrize(
    "a,b,flagged",
    [
        ("Kofi Amankwa", "Kofi Amankwah", True),
        ("Kofi Amankwa", "K. Amankwah", True),
        ("Ama Owusu", "ama OWUSU", True),
        ("Ana Silva", "Ana Souza", False),
        ("Ana Santos", "Ana Santana", False),
        ("Wei Chen", "Wei Cheng", False),  # short surnames a letter apart are other names
        ("Kofi Amankwa", "Kwame Amankwah", True),  # same initial: a manager looks
        ("Kofi Amankwa", "Ama Amankwah", False),
    ],
)
def test_near_same_names_are_likely_duplicates(a, b, flagged):
    PersonFactory(name=a)
    PersonFactory(name=b)
    pairs = [tuple(p.name for p in pair) for pair in likely_duplicate_pairs()]
    assert pairs == ([(a, b)] if flagged else [])
    second = Person.objects.get(name=b)
    assert [p.name for p in second.likely_duplicates()] == ([a] if flagged else [])


def test_the_duplicates_page_and_an_import_flag_a_near_same_name(client, login, tmp_path):
    PersonFactory(name="Kofi Amankwa", slug="kofi-amankwa")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name\nka,Kofi Amankwah\nas,Ana Souza\nas2,Ana Silva\n", encoding="utf-8"
    )
    report = import_path(folder)
    assert report.ok
    assert [(w.row, w.problem.split(" (")[0]) for w in report.warnings] == [
        (2, "may be the same person as Kofi Amankwa")
    ]
    login("manager")
    page = client.get(reverse("people:duplicates")).content.decode()
    assert "Kofi Amankwah" in page and "Ana Souza" not in page


def test_an_import_warns_of_a_likely_duplicate_and_still_imports(tmp_path):
    PersonFactory(name="José García-Luna", slug="jose-garcia-luna")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name\njgl,Jose Garcia-Luna\nkn,Kai Nakamura\nkn2,K. Nakamura\n", encoding="utf-8"
    )
    report = import_path(folder)
    assert report.ok
    warned = {(w.row, w.problem.split(" (")[0]) for w in report.warnings}
    assert warned == {
        (2, "may be the same person as José García-Luna"),
        (4, "may be the same person as Kai Nakamura"),
    }
    assert any("row 3 of this file" in w.problem for w in report.warnings)
    assert Person.objects.count() == 4


def test_the_admin_warns_of_a_likely_duplicate(client, login):
    login("staff")
    PersonFactory(name="Kai Nakamura")
    response = client.post(
        reverse("admin:people_person_add"),
        {
            "name": "KAI NAKAMURA",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "affiliations-TOTAL_FORMS": 0,
            "affiliations-INITIAL_FORMS": 0,
            "career_stages-TOTAL_FORMS": 0,
            "career_stages-INITIAL_FORMS": 0,
        },
        follow=True,
    )
    assert "may already be recorded" in response.content.decode()
    assert [tuple(p.name for p in pair) for pair in likely_duplicate_pairs()] == [
        ("Kai Nakamura", "KAI NAKAMURA")
    ]


def _duplicate_world():
    from convener.training.models import Completion, Course

    keep = PersonFactory(name="Lena Ortvik", external_id="lena")
    dup = PersonFactory(name="L. Ortvik", external_id="l-ortvik", orcid="0000-0002-1825-0097")
    position = PositionFactory(term_limit=None)
    services.appoint(keep, position, D(2010, 1, 1), end=D(2012, 1, 1))
    services.appoint(dup, position, D(2012, 1, 1), end=D(2014, 1, 1))
    AffiliationFactory(person=dup, institution=InstitutionFactory(), start=D(2005, 1, 1))
    course = Course.objects.create(title="Chairing meetings")
    Completion.objects.create(person=dup, course=course, completed_on=D(2020, 5, 1))
    return keep, dup, position


def test_a_merge_moves_every_record_renumbers_terms_and_keeps_the_history():
    from tests.nominations import world as w

    keep, dup, position = _duplicate_world()
    world = w.build()
    from convener.nominations import services as calls

    MembershipFactory(person=dup, start=D(2000, 1, 1))
    calls.nominate(world["call"], dup, world["alice"], "A fine convener")
    merge_people(keep, dup, by="manager")
    assert not Person.objects.filter(pk=dup.pk).exists()
    assert [a.term_number for a in keep.appointments.order_by("start")] == [1, 2]
    assert keep.affiliations.count() == 1 and keep.completions.count() == 1
    assert keep.candidacies.count() == 1 and keep.memberships.count() == 1
    keep.refresh_from_db()
    assert keep.orcid == "0000-0002-1825-0097"
    assert MergedPerson.objects.get().external_id == "l-ortvik"
    history = Person.history.filter(id=dup.pk).order_by("history_date")
    assert history.last().history_type == "-"
    assert "merged into Lena Ortvik" in history.last().history_change_reason


def test_a_merged_record_keeps_its_address_and_an_old_file_finds_the_kept_person(client, tmp_path):
    keep, dup, position = _duplicate_world()
    old_slug = dup.slug
    merge_people(keep, dup)
    response = client.get(f"/people/{old_slug}/")
    assert response.status_code == 301 and response["Location"] == keep.get_absolute_url()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text("id,name\nl-ortvik,L. Ortvik\n", encoding="utf-8")
    assert import_path(folder).ok
    assert Person.objects.count() == 1  # updated the kept record, no new duplicate


def test_a_merge_that_would_put_one_person_twice_in_a_seat_is_refused_and_changes_nothing():
    keep, dup = PersonFactory(name="Ona Peld"), PersonFactory(name="O. Peld")
    position = PositionFactory(seats=2)
    services.appoint(keep, position, D(2010, 1, 1))
    services.appoint(dup, position, D(2011, 1, 1))
    with pytest.raises(ValidationError) as info:
        merge_people(keep, dup)
    assert "already holds this position" in str(info.value)
    assert Person.objects.count() == 2 and Appointment.objects.filter(person=dup).count() == 1


@pytest.mark.parametrize("role,status", [("member", 403), ("manager", 302)])
def test_only_managers_merge_through_the_page(client, login, role, status):
    login(role)
    keep, dup, _ = _duplicate_world()
    url = reverse("people:merge", args=[keep.slug])
    assert "What moves from" in client.get(f"{url}?other={dup.slug}").content.decode() or (
        role != "manager"
    )
    response = client.post(url, {"duplicate": dup.slug, "confirm": "on"})
    assert response.status_code == status
    assert Person.objects.filter(pk=dup.pk).exists() is (role != "manager")
