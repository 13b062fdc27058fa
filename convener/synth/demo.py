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
    from convener.nominations.models import Call, Candidacy

    # the member login is someone whose nomination to an open call awaits their consent, and
    # preferably who has not self-identified: synthetic answers belong to no account, so a
    # demo account linked later could not see them (see review.services)
    awaiting = Candidacy.objects.filter(
        state=Candidacy.State.AWAITING_CONSENT,
        call__state=Call.State.OPEN,
        nominee__user__isnull=True,
    ).order_by("id")
    nominee = (
        awaiting.filter(nominee__self_id__isnull=True).values_list("nominee_id", flat=True).first()
        or awaiting.values_list("nominee_id", flat=True).first()
    )
    reviewers = Call.objects.filter(state=Call.State.REVIEW).values_list("committee_id", flat=True)
    committee_holder = (
        Appointment.objects.current()
        .filter(position__unit_id__in=reviewers, person__user__isnull=True)
        .order_by("id")
        .values_list("person_id", flat=True)
        .first()
    ) or committee_holder
    free_people = Person.objects.filter(user__isnull=True, self_id__isnull=True).exclude(
        pk=committee_holder
    )
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
        if staff:
            for name in Role.values:
                user.groups.add(Group.objects.get(name=name))
        if not hasattr(user, "person"):
            person_id = {Role.COMMITTEE_MEMBER: committee_holder, Role.MEMBER: nominee}.get(role)
            person = (
                Person.objects.filter(pk=person_id).first()
                if person_id
                else free_people.filter(memberships__end__isnull=True).first()
            )
            if person is not None:
                person.user = user
                person.save(update_fields=["user"])
        if hasattr(user, "person"):
            from convener.review.services import bind_demo_answers

            # the synthetic answers of the person behind a demo account were given from no
            # account: bind them to this one, so the demo can view, change and erase them
            bind_demo_answers(user.person)
        label = str(role.label) if role else "staff (admin site)"
        result.append((username, password, label))
    return result
