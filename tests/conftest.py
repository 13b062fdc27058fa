import socket

import pytest
from django.core import mail  # noqa: F401

from convener.core.roles import Role

from .factories import UserFactory

ROLES = [None, Role.MEMBER, Role.COMMITTEE_MEMBER, Role.MANAGER, Role.DIVERSITY_OFFICER, "staff"]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never reach beyond this machine."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and not host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as a fresh server would."""
    from django.core.cache import cache

    from convener.core import cache as page_cache

    cache.clear()
    page_cache.forget_local_pages()
    yield
    cache.clear()
    page_cache.forget_local_pages()


@pytest.fixture(autouse=True)
def _ends_as_days_of_leaving(request, settings):
    """The suite's hand-built worlds were written with ends as days of leaving (a successor
    starts on the predecessor's end day), as the default was when they were written; they say
    so here once rather than in every row. Tests marked ``shipped_end_dates`` run with the
    collaboration-wide default Convener ships (the last day in office), as a new user gets."""
    if "shipped_end_dates" not in request.keywords:
        settings.CONVENER_END_DATES = "left"


@pytest.fixture(autouse=True)
def _no_unexpected_mail(request, settings):
    """Mail goes to the in-memory outbox; a test that does not expect mail fails if any left."""
    yield
    from django.core import mail as outbox

    if "expects_mail" not in request.keywords and getattr(outbox, "outbox", []):
        pytest.fail(f"unexpected outbound mail: {[m.subject for m in outbox.outbox]}")


@pytest.fixture
def login(client, db):
    """Log the test client in with a given role (None = anonymous, 'staff' = admin)."""

    def _login(role):
        if role is None:
            client.logout()
            return None
        if role == "staff":
            user = UserFactory(is_staff=True, is_superuser=True)
        else:
            user = UserFactory(roles=[role])
        client.force_login(user)
        return user

    return _login
