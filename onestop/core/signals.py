"""Framework glue only: audit sign-in, sign-out and failed sign-in (STYLE: no domain signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from onestop.core import audit
from onestop.core.http import client_address
from onestop.core.models import AuditAction, User


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if user.organisation_id is not None:
        audit.record(
            organisation=user.organisation_id,
            by=user,
            action=AuditAction.SIGNED_IN,
            obj=user,
            ip_address=client_address(request),
        )


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.organisation_id is not None:
        audit.record(
            organisation=user.organisation_id,
            by=user,
            action=AuditAction.SIGNED_OUT,
            obj=user,
            ip_address=client_address(request),
        )


@receiver(user_login_failed)
def audit_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Record a refused password in the trail of the named user's organisation, if they exist.

    Unknown usernames leave no record (there is no organisation to hold it); the lockout still
    counts them.  The password never reaches here: Django masks it in ``credentials``.
    """
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if not isinstance(username, str) or not username:
        return
    user = User.objects.filter(username=username).only("pk", "username", "organisation").first()
    if user is None or user.organisation_id is None:
        return
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        organisation=user.organisation_id,
        by=user,  # the identity claimed; the summary says it was refused
        action=AuditAction.SIGN_IN_FAILED,
        obj=user,
        summary="Sign-in refused: locked out" if locked_out else "Sign-in refused: wrong password",
        ip_address=client_address(request),
    )
