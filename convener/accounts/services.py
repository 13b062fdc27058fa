"""From the identity provider's claims to a local account with the right Convener roles."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from convener.core.roles import Role
from convener.people.models import Person

from .models import SingleSignOn


def claimed_groups(claims: dict) -> set[str]:
    """The groups claim as a set, whether the provider sends a list or a delimited string."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None:
        return set()
    if isinstance(value, str):
        return {g for g in re.split(r"[\s,]+", value) if g}
    return {str(g) for g in value}


def roles_from_claims(claims: dict) -> set[str]:
    groups = claimed_groups(claims)
    return {role for role, group in settings.OIDC_ROLE_GROUPS.items() if group in groups}


def _free_username(wanted: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


@transaction.atomic
def account_for(claims: dict):
    """The account for these claims: found by the provider's subject; else, for a verified
    e-mail, the one local account with that address (so existing accounts move to single
    sign-on); else a new one. Its Convener roles are set to what the groups claim says,
    and it is linked to the registry's person with the same verified address if there is
    exactly one and it has no account yet."""
    User = get_user_model()
    subject = str(claims["sub"])
    email = (claims.get("email") or "").strip()
    verified = bool(email) and claims.get("email_verified") is True
    link = SingleSignOn.objects.select_related("user").filter(subject=subject).first()
    if link:
        user = link.user
        link.save(update_fields=["last_seen"])
    else:
        matches = (
            list(User.objects.filter(email__iexact=email, single_sign_on__isnull=True)[:2])
            if verified
            else []
        )
        if len(matches) == 1:
            user = matches[0]
        else:
            wanted = claims.get("preferred_username") or email.split("@")[0] or subject
            # no password given: the account has an unusable one, so only SSO opens it
            user = User.objects.create_user(_free_username(wanted), email=email)
        SingleSignOn.objects.create(user=user, subject=subject)
    user.first_name = (claims.get("given_name") or user.first_name)[:150]
    user.last_name = (claims.get("family_name") or user.last_name)[:150]
    if email:
        user.email = email
    user.save()
    _set_roles(user, roles_from_claims(claims))
    if verified and not Person.objects.filter(user=user).exists():
        people = list(Person.objects.filter(email__iexact=email, user__isnull=True)[:2])
        if len(people) == 1:
            people[0].user = user
            people[0].save(update_fields=["user"])
    return user


def _set_roles(user, roles: set[str]) -> None:
    """The provider is the source of truth for Convener's roles; other groups are kept."""
    convener_groups = Group.objects.filter(name__in=Role.values)
    keep = [g for g in user.groups.all() if g.name not in Role.values]
    user.groups.set(keep + [g for g in convener_groups if g.name in roles])
