"""Declined and withdrawn nominees, unsuccessful candidates and nominators never appear on
public pages or feeds."""

import datetime as dt

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
