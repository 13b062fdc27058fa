"""Schemathesis generates requests from the OpenAPI schema for every operation: no server
error, and every response matches the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.nominations import world as w
from tests.site import collab

pytestmark = pytest.mark.django_db
EXAMPLES = 12


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the request
    signals from closing the test's database connection (and its transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations():
    from convener.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("as_manager", [False, True], ids=["anonymous", "manager"])
def test_the_api_never_errors_and_matches_its_schema(as_manager):
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory

    collab.build(groups=1)
    w.build()
    headers = {}
    if as_manager:  # then writes are generated and run through the registry's rules too
        token = Token.objects.create(user=UserFactory(roles=["manager"]))
        headers = {"Authorization": f"Token {token.key}"}
    operations = _operations()
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {error}")
    assert failures == []
