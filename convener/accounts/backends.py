"""mozilla-django-oidc's authorization-code flow, with Convener's account rules."""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import services


class ConvenerOIDCBackend(OIDCAuthenticationBackend):
    def get_userinfo(self, access_token, id_token, payload):
        # some providers put the groups in the ID token, others in the userinfo answer
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("the provider sent no subject (sub) claim")
        if payload.get("sub") != claims.get("sub"):
            raise SuspiciousOperation("the ID token and userinfo name different subjects")
        return services.account_for(claims)
