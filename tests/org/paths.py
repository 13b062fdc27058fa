"""The four paths into the registry (services, admin, API, importer), each driven as its
users drive it, with one outcome shape: what was created, or which fields were refused."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from convener.core.roles import Role
from convener.exchange.importer import import_path
from convener.org import services
from convener.org.models import Appointment
from tests.factories import UserFactory
from tests.histories import end_partial, partial

PATHS = ["services", "admin", "api", "importer"]
_ids = itertools.count(1)


@dataclass
class Outcome:
    appointment: Appointment | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.appointment is None


def _field(name: str) -> str:
    return name.removesuffix("_precision")


class Paths:
    """Enter an appointment through a named path; dates are written as records write them
    ("1998", "2006-05", "2012-06-30", "unknown"; end None for an open one)."""

    def __init__(self, client, tmp_path):
        self.client = client
        self.tmp_path = tmp_path
        self._api_client = None
        self._staff = None

    def enter(self, path, person, position, start, end=None, **extra) -> Outcome:
        return getattr(self, f"_{path}")(person, position, start, end, extra)

    def _services(self, person, position, start, end, extra):
        try:
            made = services.appoint(person, position, **partial(start), **end_partial(end), **extra)
        except ValidationError as error:
            return Outcome(None, {_field(k): " ".join(v) for k, v in error.message_dict.items()})
        return Outcome(made)

    def _admin(self, person, position, start, end, extra):
        if self._staff is None:
            self._staff = UserFactory(is_staff=True, is_superuser=True)
        self.client.force_login(self._staff)
        s, e = partial(start), end_partial(end) or {"end": None, "end_precision": "day"}
        data = {
            "person": person.pk,
            "position": position.pk,
            "start": s["start"].isoformat() if s["start"] else "",
            "start_precision": s["start_precision"],
            "end": e["end"].isoformat() if e["end"] else "",
            "end_precision": e["end_precision"],
            "end_kind": extra.get("end_kind") or Appointment.EndKind.LEFT,
            "capacity": extra.get("capacity", "regular"),
            "method": extra.get("method", "unknown"),
            "exception_justification": extra.get("exception_justification", ""),
            "exception_approved_by": extra.get("exception_approved_by", ""),
            "source": extra.get("source", ""),
        }
        before = set(Appointment.objects.values_list("pk", flat=True))
        response = self.client.post(reverse("admin:org_appointment_add"), data)
        assert response.status_code in (200, 302), response.status_code  # never a 500
        if response.status_code == 302:
            made = Appointment.objects.exclude(pk__in=before).get()
            return Outcome(made)
        form = response.context_data["adminform"].form
        return Outcome(None, {_field(k): " ".join(v) for k, v in form.errors.items()})

    def _api(self, person, position, start, end, extra):
        if self._api_client is None:
            self._api_client = APIClient()
            token = Token.objects.create(user=UserFactory(roles=[Role.MANAGER]))
            self._api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        body = {"person": person.slug, "position": position.slug, "start": start}
        if end is not None:
            body["end"] = end
        body.update({k: v for k, v in extra.items() if v is not None})
        response = self._api_client.post("/api/appointments/", body, format="json")
        if response.status_code == 201:
            return Outcome(Appointment.objects.get(pk=response.json()["id"]))
        assert response.status_code == 400, response.content
        return Outcome(
            None,
            {_field(k): " ".join(map(str, v)) for k, v in response.json().items()},
        )

    def _importer(self, person, position, start, end, extra):
        key = f"row-{next(_ids)}"
        columns = ["id", "person", "position", "start", "end", *extra]
        values = [key, person.slug, position.slug, start, end or "", *extra.values()]
        folder = self.tmp_path / key
        folder.mkdir()
        text = ",".join(columns) + "\n" + ",".join(f'"{v}"' for v in values) + "\n"
        (folder / "appointments.csv").write_text(text, encoding="utf-8")
        report = import_path(folder)
        if report.ok:
            return Outcome(Appointment.objects.get(external_id=key))
        errors: dict[str, str] = {}
        for problem in report.problems:
            errors[problem.column] = (
                errors.get(problem.column, "") + " " + problem.problem
            ).strip()
        return Outcome(None, errors)
