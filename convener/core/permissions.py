"""View decorators for Convener's roles. Every view names its rule with one of these."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import has_role


def public(view):
    """Anyone, signed in or not, may see this view."""
    view.convener_permission = "public"
    return view


def role_required(*roles):
    """Signed-in users holding at least one of ``roles``; others get 403 (anonymous: login)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(has_role(request.user, role) for role in roles):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        wrapped.convener_permission = "roles:" + ",".join(roles)
        return wrapped

    return decorator


def person_of(user):
    """The registry's person for a signed-in user, or None."""
    return getattr(user, "person", None) if user.is_authenticated else None


def form_errors_from(form, error) -> None:
    """Put a service's ValidationError on the form, on the fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            # a field the form does not show: the message alone (it names what it is about),
            # never the model's field name
            form.add_error(field if field in form.fields else None, list(messages))
    else:
        form.add_error(None, error.messages)
