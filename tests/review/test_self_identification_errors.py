"""A self-identification form that cannot be saved says why at the top, in words, where a
phone's user lands after pressing "Save" at the bottom, and keeps every tick and every word
typed (issue 16: errors in plain words, never a Python list; nothing lost)."""

import pytest
from django.urls import reverse

from convener.review.models import SelfIdentification
from tests.nominations import world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    world = w.build()
    client.force_login(world["alice"].user)
    return world["alice"]


def test_without_consent_the_summary_says_so_and_everything_typed_stays(client, alice):
    response = client.post(
        reverse("review:self_id"),
        {
            "gender": ["woman", "self_described"],
            "describe_gender": "genderqueer",
            "region": ["europe"],
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    summary = body.split('class="error-summary"')[1].split("</div>")[0]
    assert "There is a problem: your answers are not saved yet" in summary
    assert (
        '<a href="#consent">Tick the box to accept the consent text before saving.</a>' in summary
    )
    assert 'name="describe_gender" value="genderqueer"' in body
    assert 'value="woman" id="gender-woman" checked' in body
    assert 'value="self_described" id="gender-self_described" checked' in body
    assert 'value="europe" id="region-europe" checked' in body
    assert not SelfIdentification.objects.exists()


def test_a_refused_answer_is_said_in_words_at_its_question_and_consent_stays_ticked(client, alice):
    response = client.post(
        reverse("review:self_id"),
        {"gender": ["woman", "prefer_not"], "describe_gender": "", "consent": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "[" not in body.split('class="error-summary"')[1].split("</div>")[0]
    assert (
        '<a href="#gender-woman">What is your current gender? Choose all that apply. '
        "“Prefer not to say” cannot be combined with other answers.</a>" in body
    )
    assert (
        '<p class="errorlist" id="err-gender">“Prefer not to say” cannot be combined with '
        "other answers.</p>" in body
    )
    assert 'id="consent" name="consent" value="1" checked' in body
    assert not SelfIdentification.objects.exists()
