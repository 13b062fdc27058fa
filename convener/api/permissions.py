from rest_framework.permissions import SAFE_METHODS, BasePermission

from convener.core.roles import Role, has_role


class PublicReadManagerWrite(BasePermission):
    """Anyone reads public data; only managers (and staff) write."""

    message = "Only managers may change the registry."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(
            request.user
            and request.user.is_authenticated
            and (request.user.is_staff or has_role(request.user, Role.MANAGER))
        )
