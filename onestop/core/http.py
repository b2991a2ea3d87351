"""Typed request classes for authenticated views."""

from __future__ import annotations

from django.http import HttpRequest

from onestop.core.models import Organisation, User


class StaffRequest(HttpRequest):
    user: User
    organisation: Organisation | None


def client_address(request: HttpRequest | None) -> str | None:
    """The caller's address, resolved the same way the sign-in lockout resolves it."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return address if isinstance(address, str) and address else None


def staff_user(request: HttpRequest) -> User:
    """The member of staff behind a page or API request.

    The staff door (pages) and the API's session check admit only staff, so anything else here
    is a wiring mistake: refuse rather than carry on with an anonymous user.
    """
    from django.core.exceptions import PermissionDenied

    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if not isinstance(user, User):
        raise PermissionDenied("staff only")
    return user
