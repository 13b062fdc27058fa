"""No NUL or other control character gets into Convener, on any path in: forms, the API,
the admin, the importer (file and command line), services that save without a form, and
the texts that are not model fields (self-described terms, messages sent by mail). Each
refusal names the field and leaves the database as it was (issue 15, item 7)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.inputs import text_problem
from convener.core.roles import Role
from convener.mail.models import OutgoingMail
from convener.nominations.models import Candidacy, Nomination
from convener.org.models import Position
from convener.people.models import Person
from convener.review.models import SelfIdentification
from tests.factories import PersonFactory, PositionFactory, UserFactory
from tests.nominations import world as w

pytestmark = pytest.mark.django_db

BAD = {
    "NUL": "Ada\x00Lovelace",
    "bell": "Ada\x07Lovelace",
    "escape": "Ada\x1b[31mLovelace",
    "C1": "Ada\x85Lovelace",
    "right-to-left override": "Ada\u202eecalevoL",
}


@pytest.mark.parametrize("value", ["Ada Lovelace", "Łukasz Żółć", "Zoë 'O'Brien-Ng", "李雷"])
def test_names_in_any_script_are_accepted(value):
    assert text_problem(value) is None


def test_multi_line_text_keeps_its_line_breaks_and_tabs_but_a_name_does_not():
    assert text_problem("- leads\r\n- knows\tpixels", multiline=True) is None
    assert "U+000A" in text_problem("Ada\nLovelace")


@pytest.mark.parametrize("what", list(BAD))
def test_the_api_refuses_a_control_character_and_names_the_field(what):
    api = APIClient()
    token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post("/api/people/", {"name": BAD[what]}, format="json")
    assert response.status_code == 400
    assert "control character" in " ".join(response.json()["name"])
    assert not Person.objects.exists()


@pytest.mark.parametrize("what", list(BAD))
def test_the_admin_refuses_a_control_character_on_the_field(client, what):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/people/person/add/",
        {
            "name": BAD[what],
            "affiliations-TOTAL_FORMS": 0,
            "affiliations-INITIAL_FORMS": 0,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "career_stages-TOTAL_FORMS": 0,
            "career_stages-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["name"]  # Django's own check names a NUL first, ours the rest
    assert not Person.objects.exists()


def test_a_mandate_written_in_the_admin_keeps_its_line_breaks_but_not_an_escape(client):
    position = PositionFactory(title="Pixel Lead")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/org/position/{position.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(unit=position.unit_pk if hasattr(position, "unit_pk") else position.unit_id)
    data.update(
        {
            "start": "1990-01-01",
            "mandate": "Runs the group.\r\n\r\n- Meets weekly\x1b[2J",
            "appointments-TOTAL_FORMS": 0,
            "appointments-INITIAL_FORMS": 0,
            "seat_periods-TOTAL_FORMS": 0,
            "seat_periods-INITIAL_FORMS": 0,
        }
    )
    data = {k: v for k, v in data.items() if not k.startswith(("sure_", "maybe_"))}
    response = client.post(url, data)
    assert "control character U+001B" in " ".join(
        response.context["adminform"].form.errors["mandate"]
    )
    data["mandate"] = "Runs the group.\r\n\r\n- Meets weekly"
    assert client.post(url, data).status_code == 302
    assert Position.objects.get(pk=position.pk).mandate.endswith("- Meets weekly")


def test_a_nomination_statement_with_a_control_character_is_refused_on_the_form(client):
    world = w.build()
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("nominations:nominate", args=[world["call"].pk]),
        {"nominee": world["bob"].pk, "statement": "Bob is great\x08\x08\x08terrible"},
    )
    assert response.status_code == 400
    assert "control character" in " ".join(response.context["form"].errors["statement"])
    assert not Candidacy.objects.exists() and not Nomination.objects.exists()
    kinds = {"nomination_received", "consent_requested"}
    assert not OutgoingMail.objects.filter(kind__in=kinds).exists()


@pytest.mark.parametrize("via", ["import_path", "command"])
def test_the_importer_refuses_a_control_character_by_row_and_column(tmp_path, capsys, via):
    from convener.exchange.importer import import_path

    path = tmp_path / "people.csv"
    path.write_text("id,name,pronouns\nada,Ada Lovelace,she/her\nbo,Bo\x00Chen,\n")
    if via == "import_path":
        report = import_path(path)
        assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "name", "Bo\\x00Chen")]
    else:
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import", str(path), verbosity=0)
        assert "people, row 3, column name" in capsys.readouterr().err
    assert not Person.objects.exists()


def test_a_service_that_saves_without_validation_still_cannot_store_one():
    with pytest.raises(ValidationError) as error:
        Person.objects.create(name="Shortcut\x1bName")
    assert "control character U+001B" in error.value.message_dict["name"][0]
    assert not Person.objects.exists()


def test_a_self_described_term_with_a_control_character_is_refused(client):
    world = w.build()
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("review:self_id"),
        {"gender": ["self_described"], "describe_gender": "non\x00binary", "consent": "1"},
    )
    assert response.status_code == 400 and "control character" in response.content.decode()
    assert not SelfIdentification.objects.exists()


def test_a_message_to_a_previous_holder_with_a_control_character_is_not_sent(client):
    from convener.org import services

    world = w.build()
    holder = PersonFactory(name="Former Lead", contact_opt_in=True)
    services.appoint(holder, world["position"], dt.date(2015, 1, 1))
    client.force_login(world["alice"].user)
    response = client.post(
        reverse("org:ask", args=[world["position"].slug, holder.slug]),
        {"message": "Hello\x07\x07\x07"},
        follow=True,
    )
    assert "control character U+0007" in response.content.decode()
    assert not OutgoingMail.objects.filter(kind="ask_previous_holder").exists()


@pytest.mark.parametrize(
    "url",
    ["/search/?q=%00", "/leaders/?unit=%00", "/api/people/?name=%00", "/org/?on=%00"],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_the_parameter(client, url):
    # on PostgreSQL a NUL used in a lookup was a 500 (text cannot hold it)
    response = client.get(url)
    assert response.status_code == 400
    assert "control character U+0000" in response.content.decode()


@pytest.mark.parametrize("column", ["orcid", "id", "name"])
def test_a_nul_in_a_column_the_importer_looks_up_is_reported_not_a_crash(tmp_path, column):
    # on PostgreSQL, looking a NUL up is an error of the database itself
    from convener.exchange.importer import import_path

    values = {"id": "ada", "name": "Ada Lovelace", "orcid": "0000-0002-1825-0097"}
    values[column] = values[column][:3] + "\x00" + values[column][3:]
    path = tmp_path / "people.csv"
    path.write_text("id,name,orcid\n" + ",".join(values.values()) + "\n")
    report = import_path(path)
    assert [(p.row, p.column) for p in report.problems] == [(2, column)]
    assert not Person.objects.exists()


def test_the_training_import_reports_a_control_character_by_row_and_column():
    from convener.training.services import import_completions

    written, problems = import_completions(
        "person,course,completed_on\n0000\x00-0002-1825-0097,Running meetings,2025-03-14\n"
    )
    assert written == 0 and [(p.row, p.column) for p in problems] == [(2, "person")]
