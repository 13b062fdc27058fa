"""Demo accounts: one per role, each tied to a person of the synthetic collaboration."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from convener.core.roles import Role
from convener.org.models import Appointment, Position
from convener.people.models import Person

DEMO_ACCOUNTS = [
    # username, password, role, staff
    ("member", "member-demo", Role.MEMBER, False),
    ("manager", "manager-demo", Role.MANAGER, False),
    ("officer", "officer-demo", Role.DIVERSITY_OFFICER, False),
    ("committee", "committee-demo", Role.COMMITTEE_MEMBER, False),
    ("admin", "admin-demo", None, True),
]


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; returns (username, password, what it is)."""
    committee_holder = (
        Appointment.objects.current()
        .filter(position__level=Position.Level.COMMITTEE, person__user__isnull=True)
        .values_list("person_id", flat=True)
        .first()
    )
    free_people = Person.objects.filter(user__isnull=True).exclude(pk=committee_holder)
    result = []
    for username, password, role, staff in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = user.is_superuser = staff
        user.email = f"{username}@example.org"
        user.save()
        user.groups.clear()
        if role:
            user.groups.add(Group.objects.get(name=role))
            if role != Role.MEMBER:
                user.groups.add(Group.objects.get(name=Role.MEMBER))
        if not hasattr(user, "person"):
            person_id = committee_holder if role == Role.COMMITTEE_MEMBER else None
            person = (
                Person.objects.filter(pk=person_id).first()
                if person_id
                else free_people.filter(memberships__end__isnull=True).first()
            )
            if person is not None:
                person.user = user
                person.save(update_fields=["user"])
        label = str(role.label) if role else "staff (admin site)"
        result.append((username, password, label))
    return result
