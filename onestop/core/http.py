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
