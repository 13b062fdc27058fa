"""Names as people write them, likely duplicates at import and in the admin, and the merge
that makes one record of two without losing history."""

import datetime as dt

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
    ],
)
def test_sort_names_keep_particles_with_the_surname(name, sort_name):
    assert PersonFactory(name=name).sort_name == sort_name


def test_an_edited_sort_name_is_kept():
    """The parser reads "Anne Hamel de Monchel" as surname "de Monchel"; her surname is
    "Hamel de Monchel", and the record says so."""
    person = PersonFactory(name="Anne Hamel de Monchel", sort_name="Hamel de Monchel, Anne")
    person.pronouns = "she/her"
    person.save()
    person.refresh_from_db()
    assert person.sort_name == "Hamel de Monchel, Anne"


def test_a_derived_sort_name_follows_a_renaming_and_an_edited_one_stays():
    derived = PersonFactory(name="Maria Valle")
    edited = PersonFactory(name="Anne Hamel de Monchel", sort_name="Hamel de Monchel, Anne")
    for person, new_name in (
        (derived, "Maria Della Valle"),
        (edited, "Anne Hamel de Monchel-Ruiz"),
    ):
        person = Person.objects.get(pk=person.pk)
        person.name = new_name
        person.save()
    assert Person.objects.get(pk=derived.pk).sort_name == "Della Valle, Maria"
    assert Person.objects.get(pk=edited.pk).sort_name == "Hamel de Monchel, Anne"


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
