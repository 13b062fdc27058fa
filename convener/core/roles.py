"""The roles people play in Convener, as Django groups created by a migration."""

from django.db import models


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    MANAGER = "manager", "Manager"
    DIVERSITY_OFFICER = "diversity_officer", "Diversity officer"
    COMMITTEE_MEMBER = "committee_member", "Committee member"


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cache = getattr(user, "_convener_roles", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._convener_roles = cache
    return role in cache
