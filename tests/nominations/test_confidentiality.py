"""Declined and withdrawn nominees, unsuccessful candidates and nominators never appear on
public pages or feeds."""

import pytest
from django.urls import reverse

from convener.nominations import services

from . import world as w

pytestmark = pytest.mark.django_db


def test_only_the_appointed_are_ever_named_in_public(client):
    world = w.build()
    call = world["call"]
    zed = w.member("Zed Declined")
    wanda = w.member("Wanda Withdrawn")
    ned = w.member("Ned Notappointed")
    nina = w.member("Nina Nominator")
    c_zed = services.nominate(call, zed, nina, "Zed!")
    services.decline(c_zed, zed, do_not_renominate=True)
    c_wanda = services.nominate(call, wanda, wanda, "Me")
    services.withdraw(c_wanda, wanda)
    services.nominate(call, ned, nina, "Ned!")
    c_ned = call.candidacies.get(nominee=ned)
    services.consent(c_ned, ned)
    winner = services.nominate(call, world["carol"], nina, "Carol!")
    services.consent(winner, world["carol"])
    call = w.close_and_review(world)
    world["call"] = call
    w.decide(world, [winner], rationale="Best plan.")

    pages = [
        reverse("nominations:calls"),
        call.get_absolute_url(),
        reverse("nominations:feed_ics"),
        reverse("nominations:feed_atom"),
        reverse("site:org"),
        reverse("site:org") + "?on=2026-02-01",
        world["position"].get_absolute_url(),
        world["carol"].get_absolute_url(),
        reverse("site:search") + "?q=Carol",
        reverse("site:home"),
    ]
    for person in (zed, wanda, ned):  # their own public pages say nothing of the call
        pages.append(person.get_absolute_url())
    secret = [
        "Zed Declined",
        "Wanda Withdrawn",
        "Ned Notappointed",
        "Nina Nominator",
        "Zed!",
        "Ned!",
        "Carol!",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        own = {p.name for p in (zed, wanda, ned) if url == p.get_absolute_url()}
        for text in secret:
            if text in own:
                continue
            assert text not in body, f"{text!r} leaked on {url}"
        assert call.title not in body or url not in {
            p.get_absolute_url() for p in (zed, wanda, ned)
        }
    detail = client.get(call.get_absolute_url()).content.decode()
    assert "Carol Chen" in detail and "2 candidates stood" in detail


def test_drafts_are_not_public(client):
    world = w.build(state="draft")
    assert client.get(world["call"].get_absolute_url()).status_code == 404
    assert world["call"].title not in client.get(reverse("nominations:calls")).content.decode()
    assert world["call"].title not in client.get(reverse("nominations:feed_ics")).content.decode()


def test_a_draft_cancelled_before_opening_never_becomes_public(client):
    from convener.core.roles import Role
    from tests.factories import UserFactory

    world = w.build(state="draft")
    call = world["call"]
    services.transition(call, "cancelled", by=world["manager"], reason="Seat abolished")
    call.refresh_from_db()
    assert call.state == "cancelled"
    title = "Call for Pixel L3 Convener"
    for who in (None, world["alice"].user, UserFactory(roles=[Role.COMMITTEE_MEMBER])):
        client.logout()
        if who:
            client.force_login(who)
        assert client.get(call.get_absolute_url()).status_code == 404
        assert client.get(f"/api/calls/{call.pk}/").status_code == 404
        for url in [
            reverse("nominations:calls"),
            reverse("nominations:feed_ics"),
            reverse("nominations:feed_atom"),
            "/api/calls/",
            "/api/calls/?state=cancelled",
        ]:
            body = client.get(url).content.decode()
            assert title not in body, url
    client.force_login(world["manager"])  # the managers still see it, as a record
    assert client.get(call.get_absolute_url()).status_code == 200


def test_a_call_cancelled_after_opening_stays_public_as_cancelled(client):
    world = w.build()
    services.transition(world["call"], "cancelled", by=world["manager"], reason="Unit merged")
    page = client.get(reverse("nominations:calls")).content.decode()
    assert "Call for Pixel L3 Convener" in page and "Cancelled" in page
    assert (
        "Call for Pixel L3 Convener" in client.get(reverse("nominations:feed_ics")).content.decode()
    )


def _messages(page: str) -> list[str]:
    import re

    return re.findall(r'<p class="message [^"]*">([^<]*)</p>', page)


def _nominate_page(client, world, nominee, statement):
    client.force_login(world["alice"].user)
    return client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": nominee.pk, "statement": statement},
        follow=True,
    )


@pytest.mark.parametrize("how", ["declined, not again", "withdrew"])
def test_nominating_someone_who_asked_not_to_be_nominated_looks_like_any_nomination(client, how):
    from convener.mail.models import OutgoingMail

    world = w.build()
    call = world["call"]
    if how == "withdrew":
        services.withdraw(services.nominate(call, world["bob"], world["bob"], "Me."), world["bob"])
    else:
        c = services.nominate(call, world["bob"], world["carol"], "Bob!")
        services.decline(c, world["bob"], do_not_renominate=True)
    OutgoingMail.objects.all().delete()

    quiet = _nominate_page(client, world, world["bob"], "Bob would be great.")
    quiet_mail = list(OutgoingMail.objects.values_list("kind", "to", "subject", "body"))
    OutgoingMail.objects.all().delete()
    plain = _nominate_page(client, world, world["dan"], "Bob would be great.")
    plain_mail = list(OutgoingMail.objects.values_list("kind", "to", "subject", "body"))

    assert quiet.status_code == plain.status_code == 200
    assert quiet.redirect_chain == plain.redirect_chain == [(reverse("nominations:mine"), 302)]
    quiet_page = quiet.content.decode()
    assert "Your nomination has been received." in quiet_page
    assert "asked not to be nominated" not in quiet_page and "declined" not in quiet_page.lower()
    assert (
        _messages(quiet_page)
        == _messages(plain.content.decode())
        == ["Your nomination has been received."]
    )
    # Alice's mail reads the same; Bob gets nothing, Dan is asked to consent
    assert [m[:2] for m in quiet_mail] == [("nomination_received", "alice.able@example.org")]
    assert quiet_mail[0][3].replace("Bob Baker", "X") == plain_mail[0][3].replace("Dan Dare", "X")
    assert sorted(m[:2] for m in plain_mail) == [
        ("consent_requested", "dan.dare@example.org"),
        ("nomination_received", "alice.able@example.org"),
    ]
    assert call.candidacies.get(nominee=world["bob"]).state in {"declined", "withdrawn"}


@pytest.mark.parametrize("name", ["mine", "review", "manage"])
def test_confidential_nomination_pages_are_never_stored_by_caches(client, name):
    world = w.build()
    w.close_and_review(world)
    users = {
        "mine": world["alice"].user,
        "review": world["reviewers"][0].user,
        "manage": world["manager"],
    }
    client.force_login(users[name])
    url = reverse(f"nominations:{name}", args=[] if name == "mine" else [world["call"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
