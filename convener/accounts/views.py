"""Single sign-on: the two steps of the authorization-code flow, when it is configured."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from convener.core.permissions import public
from convener.core.ratelimit import mail_rate_limited


class _WhenConfigured:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured on this server.")
        return super().dispatch(request, *args, **kwargs)


class SignIn(_WhenConfigured, OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with state, nonce and PKCE."""


class Callback(_WhenConfigured, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back with a code."""


sign_in = public(SignIn.as_view())
callback = public(Callback.as_view())


class LoginView(auth_views.LoginView):
    """The local sign-in form, with the single sign-on button when it is configured."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso=settings.OIDC_ENABLED,
            sso_name=settings.OIDC_PROVIDER_NAME,
            sso_failed=self.request.GET.get("sso") == "failed",
            **kwargs,
        )


login = public(LoginView.as_view())


# Anyone may ask for a password-reset mail: five an hour per client address.
password_reset = public(mail_rate_limited("5/h")(auth_views.PasswordResetView.as_view()))
