"""Finding 4: the demo's member account owns the answers of the person it is linked to, so
the demo can view, change and erase them; and the erase button says why when it cannot."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from convener.core.roles import Role
from convener.review import crypto, services
from convener.review.models import ConsentText, SelfIdentification
from convener.synth.demo import create_demo_accounts
from convener.synth.generator import Synthesizer
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_member_can_view_and_erase_their_answers(client):
    Synthesizer(400, 6, seed=3, today=dt.date(2026, 6, 30), progress=False).run()
    create_demo_accounts()
    member = User.objects.get(username="member")
    person = member.person
    if not SelfIdentification.objects.filter(person=person).exists():
        # a synthetic person who answered, as the demo's member may be
        SelfIdentification.objects.create(
            person=person,
            ciphertext=crypto.encrypt({"answers": {"disability": ["no"]}, "described": {}}),
            consent=ConsentText.objects.order_by("-version").first(),
            consented_at=timezone.now(),
        )
        create_demo_accounts()  # run again, as `convener demo` may be
        member = User.objects.get(username="member")
    client.force_login(member)
    page = client.get(reverse("review:self_id")).content.decode()
    assert "Withdraw consent and erase my answers" in page
    assert "given from another account" not in page
    assert services.read(person, member) is not None
    response = client.post(reverse("review:erase"), follow=True)
    assert "answers are erased" in response.content.decode()
    assert not SelfIdentification.objects.filter(person=person).exists()


def test_answers_given_from_an_account_are_never_bound_by_the_demo(client):
    """Only generated answers (given from no account at all) are bound; answers another
    account gave stay unreadable, and erasing them from this one says why."""
    owner, other = UserFactory(roles=[Role.MEMBER]), UserFactory(roles=[Role.MEMBER])
    person = PersonFactory(user=owner)
    consent = ConsentText.objects.order_by("-version").first()
    services.save(person, {"disability": ["yes"]}, {}, consent_version=consent.version)
    person.user = other
    person.save(update_fields=["user"])
    assert services.bind_demo_answers(person) is False
    assert services.binding(person, other) == services.Binding.OTHER
    client.force_login(other)
    response = client.post(reverse("review:erase"), follow=True)
    assert "so this one cannot erase them" in response.content.decode()
    assert SelfIdentification.objects.filter(person=person).exists()
