"""Framework glue only: audit sign-in, sign-out and failed sign-in (STYLE: no domain signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
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
