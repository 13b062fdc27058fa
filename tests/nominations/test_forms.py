"""The nomination forms help: plain errors at the field and in a summary that takes the
focus, what was typed kept, one button per move, a reason and a confirmation for risky
steps, and scores that start empty and are saved together."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from convener.nominations import services
from convener.nominations.models import Call, Candidacy, Score

from . import world as w

pytestmark = pytest.mark.django_db


def _summary(page: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert found, "no error summary"
    assert "autofocus" in found.group(0) and 'tabindex="-1"' in found.group(0)
    return re.sub(r"<[^>]+>", " ", found.group(1))


def _no_raw_names(page: str) -> None:
    assert "[&#x27;" not in page and "['" not in page  # no Python list
    for raw in ("statement:", "call:", "nominee:", "cv_url", "reason:", "__all__"):
        assert raw not in re.sub(r'(name|id|for|href|aria-describedby)="[^"]*"', "", page)


def test_a_nomination_without_a_statement_says_so_and_keeps_the_choice(client):
    world = w.build()
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": world["bob"].pk, "statement": "   "},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why you nominate this person." in _summary(page)
    assert (
        '<ul class="errorlist" id="id_statement_error"><li>Say why you nominate this person.'
        in page
    )
    # the choice is kept: the picker's box names Bob and carries his id
    assert 'value="Bob Baker"' in page
    assert f'name="nominee_id" value="{world["bob"].pk}"' in page
    _no_raw_names(page)
    assert not Candidacy.objects.exists()


def test_a_refused_nomination_keeps_the_statement_typed(client):
    world = w.build()
    services.nominate(world["call"], world["bob"], world["alice"], "First time.")
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": world["bob"].pk, "statement": "Bob chaired the 2024 workshop."},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "You have already nominated Bob Baker for this call." in _summary(page)
    assert "Bob chaired the 2024 workshop.</textarea>" in page
    _no_raw_names(page)


def test_a_call_not_yet_open_says_when_it_opens(client):
    world = w.build()
    Call.objects.filter(pk=world["call"].pk).update(opens_at=timezone.now() + dt.timedelta(days=3))
    client.force_login(world["alice"].user)
    for url in (
        reverse("nominations:nominate", args=[world["call"].pk]),
        world["call"].get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        assert "This call is not open yet: nominations open on" in page
        assert "deadline" not in page


def test_a_bad_cv_link_is_explained_and_the_statement_kept(client):
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    client.force_login(world["bob"].user)
    response = client.post(
        reverse("nominations:consent", args=[candidacy.pk]),
        {"statement": "I will mentor the deputies.", "cv_url": "my cv"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the CV link as a web address, e.g. https://example.org/cv." in _summary(page)
    assert "I will mentor the deputies.</textarea>" in page
    candidacy.refresh_from_db()
    assert candidacy.state == "awaiting" and candidacy.statement == ""


def test_each_move_has_its_own_button_and_nothing_is_preselected(client):
    world = w.build()
    client.force_login(world["manager"])
    page = client.get(reverse("nominations:manage", args=[world["call"].pk])).content.decode()
    buttons = re.findall(r'<button type="submit"[^>]*>([^<]*)</button>', page)
    assert [b for b in buttons if b != "Sign out" and b != "Search"] == [
        "Close nominations now…",
        "Cancel the call…",
    ]
    assert "Move the call to" not in page and "checked" not in page
    assert 'name="to_state"' in page and "<select" not in page.split("<main")[1]


def test_closing_early_asks_a_reason_then_a_confirmation(client):
    world = w.build()
    call = world["call"]
    url = reverse("nominations:manage", args=[call.pk])
    client.force_login(world["manager"])
    no_reason = client.post(url, {"to_state": "closed", "reason": ""})
    assert no_reason.status_code == 400
    assert "Give the reason for this change; it is recorded." in _summary(
        no_reason.content.decode()
    )
    asked = client.post(url, {"to_state": "closed", "reason": "The seat was merged."})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Do you want to close nominations now?" in page
    assert 'name="confirmed" value="yes"' in page and 'value="The seat was merged."' in page
    call.refresh_from_db()
    assert call.state == "open"
    done = client.post(
        url, {"to_state": "closed", "reason": "The seat was merged.", "confirmed": "yes"}
    )
    assert done.status_code == 302
    call.refresh_from_db()
    assert call.state == "closed" and call.events.last().reason == "The seat was merged."


def test_reopening_with_a_past_date_keeps_the_reason_typed(client):
    world = w.build()
    call = world["call"]
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    services.run_periodic_jobs()
    client.force_login(world["manager"])
    response = client.post(
        reverse("nominations:manage", args=[call.pk]),
        {
            "to_state": "open",
            "reason": "Only one candidate stood.",
            "closes_at": "2001-01-01T10:00",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The closing date has passed; set a later one." in _summary(page)
    assert "Only one candidate stood.</textarea>" in page
    _no_raw_names(page)


def test_declining_is_confirmed_first_and_keeps_the_ticked_box(client):
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["alice"], "Bob.")
    client.force_login(world["bob"].user)
    url = reverse("nominations:decline", args=[candidacy.pk])
    asked = client.post(url, {"do_not_renominate": "on"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Do you want to decline your nomination" in page
    assert 'name="do_not_renominate" value="on"' in page
    candidacy.refresh_from_db()
    assert candidacy.state == "awaiting"
    client.post(url, {"do_not_renominate": "on", "confirmed": "yes"})
    candidacy.refresh_from_db()
    assert (candidacy.state, candidacy.do_not_renominate) == ("declined", True)


def test_withdrawing_is_confirmed_first(client):
    world = w.build()
    candidacy = services.nominate(world["call"], world["bob"], world["bob"], "Me.")
    client.force_login(world["bob"].user)
    url = reverse("nominations:withdraw", args=[candidacy.pk])
    assert "Do you want to withdraw" in client.post(url).content.decode()
    candidacy.refresh_from_db()
    assert candidacy.state == "consented"
    client.post(url, {"confirmed": "yes"})
    candidacy.refresh_from_db()
    assert candidacy.state == "withdrawn"


@pytest.fixture
def declared(client):
    world = w.build()
    world["c_bob"] = services.nominate(world["call"], world["bob"], world["bob"], "Me.")
    world["call"] = w.close_and_review(world)
    rita = world["reviewers"][0]
    services.declare_conflict(world["c_bob"], rita, conflicted=False)
    client.force_login(rita.user)
    return world


def test_score_inputs_start_empty_and_name_the_requirement(declared, client):
    page = client.get(reverse("nominations:review", args=[declared["call"].pk])).content.decode()
    c = declared["c_bob"].pk
    for i, text in enumerate(["Leads people", "Knows pixels"]):
        assert f'<label for="c{c}-score_{i}">Score for “{text}”:</label>' in page
        select = re.search(rf'<select name="score_{i}".*?</select>', page, re.S).group(0)
        assert '<option value="" selected>Choose a score</option>' in select
        assert select.count("selected") == 1
    assert page.count("Save my scores for Bob Baker") == 1


def test_all_scores_of_a_candidate_are_saved_together_or_not_at_all(declared, client):
    url = reverse("nominations:score", args=[declared["call"].pk, declared["c_bob"].pk])
    half = client.post(url, {"score_0": "4", "comment_0": "Chaired well.", "score_1": ""})
    page = half.content.decode()
    assert half.status_code == 400
    assert "Give “Knows pixels” a score from 1 to 5." in _summary(page)
    assert "Chaired well.</textarea>" in page and '<option value="4" selected>' in page
    assert not Score.objects.exists()
    whole = client.post(url, {"score_0": "4", "comment_0": "Chaired well.", "score_1": "2"})
    assert whole.status_code == 302
    assert sorted(Score.objects.values_list("requirement", "score", "comment")) == [
        (0, 4, "Chaired well."),
        (1, 2, ""),
    ]
    again = client.get(reverse("nominations:review", args=[declared["call"].pk])).content.decode()
    assert '<option value="2" selected>' in again  # a saved score is shown as saved
