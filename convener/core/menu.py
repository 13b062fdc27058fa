"""The header of every page: the signed-in person's name and the pages their roles can use.

Both are kept in the session from sign-in (``user_logged_in``), so a page pays no query for
its header. The menu only shows the way: every view still checks its own permission rule on
every request, so a role taken away is refused at once and leaves the menu at the next
sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse

from .roles import Role, has_role

SESSION_KEY = "convener_header"


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    roles: tuple[str, ...]  # any of these; empty = every signed-in account
    section: str  # the app namespace (or url name) that marks it as the current page
    anchor: str = ""


# The pages that need a sign-in, in the order the menu shows them.
PERSONAL = [
    Item("Your tasks", "site:home", (), "tasks", "#tasks"),
    Item("My nominations", "nominations:mine", (Role.MEMBER,), "nominations:mine"),
    Item("Succession", "org:succession", (Role.MANAGER, Role.DIVERSITY_OFFICER), "org:succession"),
    Item("New call", "nominations:call_new", (Role.MANAGER,), "nominations:call_new"),
    Item("Training", "training:dashboard", (Role.MEMBER, Role.MANAGER), "training"),
    Item("Import", "exchange:upload", (Role.MANAGER,), "exchange"),
    Item("Annual review", "review:officer", (Role.DIVERSITY_OFFICER,), "review:officer"),
    Item("Published review", "review:published", (Role.MEMBER,), "review:published"),
    Item("Self-identification", "review:self_id", (Role.MEMBER,), "review:self_id"),
    Item("Contact by successors", "org:contact", (Role.MEMBER,), "org:contact"),
    Item("Mail settings", "mail:preferences", (), "mail:preferences"),
]


def header_for(user) -> dict:
    """The name and the menu items (label, url) a signed-in user's roles allow."""
    person = getattr(user, "person", None)
    items = [
        (item.label, reverse(item.url_name) + item.anchor, item.section)
        for item in PERSONAL
        if not item.roles or any(has_role(user, role) for role in item.roles)
    ]
    if user.is_staff:
        items.append(("Administration", reverse("admin:index"), "admin"))
    name = person.name if person is not None else (user.get_full_name() or user.get_username())
    return {"name": name, "items": items}


@receiver(user_logged_in)
def remember_header(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = header_for(user)


def header(request) -> dict:
    """Context processor: ``header`` for signed-in users (from the session)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    data = request.session.get(SESSION_KEY)
    if data is None:  # a session opened before this existed
        data = request.session[SESSION_KEY] = header_for(user)
    match = getattr(request, "resolver_match", None)
    current = ""
    if match is not None:
        current = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    items = [
        {
            "label": label,
            "url": url,
            "current": current == section or current.split(":")[0] == section,
        }
        for label, url, section in data["items"]
    ]
    return {"header": {"name": data["name"], "items": items}}
