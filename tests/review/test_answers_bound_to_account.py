"""Self-identification answers are bound to the account that gave them: the admin who links
a new account to someone's record, or takes over their account's sign-in, cannot read,
change or erase their answers. The relink is in the audit trail, the person is told by mail,
and only a confirmation through the address kept with the answers hands them to another
account (issue 15, item 1)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from convener.mail.models import OutgoingMail
from convener.people.models import Person
from convener.review import crypto, services
from convener.review.models import SelfIdentification, SelfIdEvent
from tests.factories import UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db
CANARY = "Canary-rk27-Quasar"


@pytest.fixture
def alice(client):
    """Alice (account "aliceable", address aliceable@example.org) has answered."""
    person = w.member("Alice Able")
    client.force_login(person.user)
    response = client.post(
        reverse("review:self_id"),
        {
            "gender": ["self_described"],
            "describe_gender": CANARY,
            "disability": ["yes"],
            "consent": "1",
        },
    )
    assert response.status_code == 302
    client.logout()
    return person


@pytest.fixture
def admin(client):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def stored() -> str:
    return SelfIdentification.objects.get().ciphertext


def admin_change(client, url, **changes):
    """Post an admin change form as the admin would: its current values, with ``changes``."""
    page = client.get(url)
    form = page.context["adminform"].form
    forms = [form]
    for inline in page.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for each in forms:
        for name, field in each.fields.items():
            value = each[name].value()
            if value is None or value is False or getattr(field, "disabled", False):
                continue
            if hasattr(field.widget, "widgets"):  # e.g. a date and a time in two inputs
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{each.add_prefix(name)}_{i}"] = part
                continue
            data[each.add_prefix(name)] = value
    data.update(changes)
    response = client.post(url, data)
    if response.status_code != 302:
        inline = [i.formset.errors for i in response.context.get("inline_admin_formsets", [])]
        raise AssertionError((response.context["adminform"].form.errors, inline))
    return response


def link_new_account_in_the_admin(client, admin, person) -> User:
    client.force_login(admin)
    spy = User.objects.create_user("spy", password="spy-password-1")
    spy.groups.add(*person.user.groups.all())
    response = admin_change(client, f"/admin/people/person/{person.pk}/change/", user=spy.pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get(pk=person.pk).user == spy
    return spy


def test_an_admin_who_links_a_new_account_cannot_read_change_or_erase_the_answers(
    client, alice, admin
):
    before = stored()
    spy = link_new_account_in_the_admin(client, admin, alice)
    client.force_login(spy)
    page = client.get(reverse("review:self_id")).content.decode()
    assert CANARY not in page and 'self_described" id="gender-self_described" checked' not in page
    assert "Answers given from another account" in page
    # changing them is refused, and nothing is written
    response = client.post(
        reverse("review:self_id"), {"gender": ["man"], "disability": ["no"], "consent": "1"}
    )
    assert response.status_code == 400 and "another account" in response.content.decode()
    # erasing them does nothing
    client.post(reverse("review:erase"))
    assert stored() == before
    assert CANARY in crypto.decrypt(stored())["described"]["gender"]
    # and the service says the same on every path
    alice.refresh_from_db()
    assert services.read(alice, spy) is None and services.read(alice) is None
    assert services.erase(alice, spy) is False


def test_the_relink_is_in_the_audit_trail_and_the_person_is_told_by_mail(client, alice, admin):
    link_new_account_in_the_admin(client, admin, alice)
    change = alice.history.order_by("-history_date", "-history_id").first()
    assert change.history_user == admin
    assert "account link changed" in change.history_change_reason
    assert SelfIdEvent.objects.filter(person=alice, kind="relinked").count() == 1
    mails = OutgoingMail.objects.filter(kind="account_relinked")
    # the address of the account that gave the answers, and the record's own address
    assert sorted(m.to for m in mails) == sorted(
        ["aliceable@example.org", "alice.able@example.org"]
    )
    assert all(CANARY not in m.body and "not handed over" in m.body for m in mails)


def test_linking_the_person_back_to_their_own_account_gives_them_their_answers(
    client, alice, admin
):
    original = alice.user
    link_new_account_in_the_admin(client, admin, alice)
    response = admin_change(client, f"/admin/people/person/{alice.pk}/change/", user=original.pk)
    assert response.status_code == 302
    client.force_login(original)
    assert CANARY in client.get(reverse("review:self_id")).content.decode()


def confirmation_link(address: str) -> str:
    """The link of the last confirmation mail: sent at once, never kept in the outbox that
    staff can read in the admin."""
    sent = mail.outbox[-1]
    assert sent.to == [address] and sent.subject == "Confirm your self-identification answers"
    link = re.search(r"http://testserver(/\S+)", sent.body).group(1)
    assert not OutgoingMail.objects.filter(body__contains=link).exists()
    return link


@pytest.mark.expects_mail
def test_the_new_account_takes_the_answers_over_only_through_the_kept_address(client, alice, admin):
    spy = link_new_account_in_the_admin(client, admin, alice)
    spy.email = "spy@example.org"  # whatever the new account's address, the link goes
    spy.save()  # to the one kept with the answers
    client.force_login(spy)
    client.post(reverse("review:ask_confirmation"))
    link = confirmation_link("aliceable@example.org")
    assert not OutgoingMail.objects.filter(to="spy@example.org").exists()
    assert [m.to for m in mail.outbox] == [["aliceable@example.org"]]
    # another account cannot use the link
    client.force_login(UserFactory(username="other", roles=["member"]))
    client.post(link)
    assert services.read(Person.objects.get(pk=alice.pk), spy) is None
    # the account it was made for can: the answers are now its own
    client.force_login(spy)
    assert "Confirm: these answers are mine" in client.get(link).content.decode()
    client.post(link)
    assert CANARY in client.get(reverse("review:self_id")).content.decode()
    assert SelfIdEvent.objects.filter(person=alice, kind="confirmed").count() == 1
    # and it works once
    before = stored()
    response = client.post(link, follow=True)
    assert "used already" in response.content.decode() and stored() == before


@pytest.mark.expects_mail
def test_a_forged_or_altered_confirmation_link_changes_nothing(client, alice, admin):
    spy = link_new_account_in_the_admin(client, admin, alice)
    client.force_login(spy)
    client.post(reverse("review:ask_confirmation"))
    link = confirmation_link("aliceable@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("review:confirm", args=[forged]), follow=True)
    assert "not a valid confirmation link" in response.content.decode()
    assert services.read(Person.objects.get(pk=alice.pk), spy) is None


@pytest.mark.expects_mail
@pytest.mark.parametrize("how", ["password", "email"])
def test_staff_who_take_over_the_account_itself_find_the_answers_sealed(client, alice, admin, how):
    client.force_login(admin)
    user_url = f"/admin/auth/user/{alice.user.pk}/"
    if how == "password":
        response = client.post(
            user_url + "password/",
            {"password1": "Taken-over-99", "password2": "Taken-over-99", "usable_password": "true"},
        )
    else:
        response = admin_change(client, user_url + "change/", email="root@example.org")
    assert response.status_code == 302
    client.force_login(User.objects.get(pk=alice.user.pk))
    page = client.get(reverse("review:self_id")).content.decode()
    assert CANARY not in page and "Answers given from another account" in page
    sealed = OutgoingMail.objects.filter(kind="answers_sealed")
    assert {m.to for m in sealed} == {"aliceable@example.org", "alice.able@example.org"}
    assert all(CANARY not in m.body for m in sealed)
    # the person, at their own address, gets them back
    client.post(reverse("review:ask_confirmation"))
    client.post(confirmation_link("aliceable@example.org"))
    assert CANARY in client.get(reverse("review:self_id")).content.decode()


def test_single_sign_on_linking_the_record_to_another_identity_hands_nothing_over(
    client, alice, admin
):
    from convener.accounts.services import account_for

    client.force_login(admin)
    # staff unlink the record and give it their own address at the provider...
    admin_change(client, f"/admin/people/person/{alice.pk}/change/", user="", email="root@idp.org")
    # ...then sign in through single sign-on with that verified address
    spy = account_for(
        {"sub": "root", "email": "root@idp.org", "email_verified": True, "groups": ["member"]}
    )
    assert Person.objects.get(pk=alice.pk).user == spy
    client.force_login(spy)
    page = client.get(reverse("review:self_id")).content.decode()
    assert CANARY not in page and "Answers given from another account" in page
    assert OutgoingMail.objects.filter(kind="account_relinked", to="aliceable@example.org").exists()


def test_answers_given_before_accounts_were_bound_belong_to_the_account_linked_then():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("convener.review.migrations.0006_answers_bound_to_accounts")
    person = w.member("Old Answer")
    SelfIdentification.objects.create(
        person=person,
        ciphertext=crypto.encrypt({"answers": {"disability": ["no"]}, "described": {}}),
        consent_id=1,
        consented_at="2024-01-01T00:00:00Z",
    )
    migration.bind_existing_answers(apps, None)
    data = crypto.decrypt(SelfIdentification.objects.get(person=person).ciphertext)
    assert (data["account"], data["contact"]) == (person.user.pk, "oldanswer@example.org")
    assert services.read(person, person.user) == {
        "answers": {"disability": ["no"]},
        "described": {},
    }


@pytest.mark.expects_mail
def test_confirmation_links_can_be_asked_for_three_times_an_hour(client, alice, admin):
    spy = link_new_account_in_the_admin(client, admin, alice)
    client.force_login(spy)
    statuses = [client.post(reverse("review:ask_confirmation")).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
