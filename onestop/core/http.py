"""Typed request classes for authenticated views, and the address a request came from."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from onestop.core.models import Organisation, User


class StaffRequest(HttpRequest):
    user: User
    organisation: Organisation | None


def request_address(request: HttpRequest) -> str | None:
    """The address the request came from, seen through ``ONESTOP_TRUSTED_PROXIES`` reverse
    proxies (the sign-in lockout's ``AXES_CLIENT_IP_CALLABLE``, and so ``client_address``).

    With no trusted proxy it is the connection's own address (``REMOTE_ADDR``): a header a
    client can write is never believed.  Behind N proxies, each of which appends the address it
    received the request from to ``X-Forwarded-For``, the client is the N-th entry from the
    right; whatever stands further left was written by the client and is ignored.  A request
    that did not pass through all N (too few entries) or an entry that is not an IP address
    falls back to the connection's address."""
    direct = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "ONESTOP_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return direct
    entries = [
        entry.strip()
        for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", ""))[:2000].split(",")
        if entry.strip()
    ]
    if len(entries) < proxies:
        return direct
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return direct


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
