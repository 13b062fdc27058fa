"""View decorators for Convener's roles. Every view names its rule with one of these."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role, has_role

# Who may read each confidential field, wherever it is shown (API, pages, exports): decided
# here and nowhere else. A field not listed is public; an empty tuple means nobody reads it
# back (it is only ever written).
CONFIDENTIAL_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "org.Appointment": {
        "exception_justification": (Role.MANAGER, Role.DIVERSITY_OFFICER),
        "exception_approved_by": (Role.MANAGER, Role.DIVERSITY_OFFICER),
        "note": (Role.MANAGER, Role.DIVERSITY_OFFICER),
    },
    "people.Person": {"email": (), "user": ()},
}


def may_read_field(user, model, field: str) -> bool:
    """Whether ``user`` (anonymous included) may read ``field`` of ``model``."""
    readers = CONFIDENTIAL_FIELDS.get(model._meta.label, {}).get(field)
    if readers is None:
        return True
    return user is not None and any(has_role(user, role) for role in readers)


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
