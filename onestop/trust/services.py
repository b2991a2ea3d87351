"""Writes of sign-in and the audit trail: second factor, enrolment, exports.

Each function opens one transaction and writes its audit record inside it.  Session handling
(``django_otp.login``, cycling the session key) stays in the views: it is HTTP glue, not data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core import audit
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, User
from onestop.trust.errors import TrustError
from onestop.trust.queries import (
    ENROLMENT_DEVICE_NAME,
    RECOVERY_DEVICE_NAME,
    AuditFilters,
    has_authenticator,
)

RECOVERY_CODE_COUNT = 10
#: Wrong codes in a row that are not throttled: a person who mistypes and simply retypes is not
#: made to wait.  From then on django-otp's throttle doubles the wait after each wrong code.
FREE_CODE_ATTEMPTS = 3


@dataclass(frozen=True)
class _Attempt:
    device: Device | None
    locked_until: dt.datetime | None


def _organisation_of(user: User) -> int | None:
    return user.organisation_id


def _try_devices(devices: list[Device], code: str) -> _Attempt:
    """Offer ``code`` to each device in turn; django-otp throttles and counts failures, from
    the ``FREE_CODE_ATTEMPTS``-th wrong code in a row on."""
    locked_until: dt.datetime | None = None
    for device in devices:
        if device.throttling_failure_count < FREE_CODE_ATTEMPTS:
            # Not yet throttled (in memory only: a wrong code records its own time again).
            device.throttling_failure_timestamp = None
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until") or timezone.now()
            continue
        if device.verify_token(code):
            return _Attempt(device, None)
    return _Attempt(None, locked_until)


def _refusal(attempt: _Attempt) -> ServiceError:
    if attempt.locked_until is not None:
        seconds = max(1, math.ceil((attempt.locked_until - timezone.now()).total_seconds()))
        return ServiceError(
            TrustError.TOO_MANY_CODES,
            ngettext(
                "You entered too many wrong codes. Wait %(seconds)d second and try again",
                "You entered too many wrong codes. Wait %(seconds)d seconds and try again",
                seconds,
            )
            % {"seconds": seconds},
            field="code",
        )
    return ServiceError(
        TrustError.WRONG_CODE,
        _("The code is not correct or has been used already. Check it and try again"),
        field="code",
    )


def verify_second_factor(
    user: User, *, by: User, code: str, recovery: bool, ip_address: str | None
) -> Device:
    """The device that accepts ``code``: the authenticator app, or a recovery code (used once).

    A wrong code raises ``ServiceError`` and leaves the session as it was; the failure is
    counted (django-otp throttling) and audited all the same.
    """
    model: type[Device] = StaticDevice if recovery else TOTPDevice
    with transaction.atomic():
        devices = list(
            model.objects.filter(user=user, confirmed=True).select_for_update().order_by("pk")
        )
        attempt = _try_devices(devices, code)
        organisation_id = _organisation_of(user)
        if organisation_id is not None:
            audit.record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.SIGNED_IN if attempt.device else AuditAction.SIGN_IN_FAILED,
                obj=attempt.device or user,
                summary=(
                    ("Recovery code accepted" if recovery else "Authenticator code accepted")
                    if attempt.device
                    else ("Wrong recovery code" if recovery else "Wrong authenticator code")
                ),
                ip_address=ip_address,
            )
    if attempt.device is None:
        raise _refusal(attempt)
    return attempt.device


def start_enrolment(user: User, *, by: User) -> TOTPDevice:
    """The authenticator the user is setting up: an unconfirmed TOTP device, made once."""
    if has_authenticator(user):
        raise ServiceError(
            TrustError.ALREADY_ENROLLED, _("Two-factor authentication is already set up")
        )
    with transaction.atomic():
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": ENROLMENT_DEVICE_NAME}
        )
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def confirm_enrolment(
    device: TOTPDevice, *, by: User, code: str, ip_address: str | None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code from it; returns it and 10 new recovery codes.

    The recovery codes are returned once, to be shown once; each works once.
    """
    user = device.user
    if has_authenticator(user):
        raise ServiceError(
            TrustError.ALREADY_ENROLLED, _("Two-factor authentication is already set up")
        )
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
        attempt = _try_devices([locked], code)
        if attempt.device is not None:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            organisation_id = _organisation_of(user)
            if organisation_id is not None:
                audit.record(
                    organisation=organisation_id,
                    by=by,
                    action=AuditAction.CREATED,
                    obj=locked,
                    summary=f"Two-factor authentication set up with {len(codes)} recovery codes",
                    ip_address=ip_address,
                )
    if attempt.device is None:
        raise _refusal(attempt)
    return locked, codes


def record_audit_export(*, by: User, filters: AuditFilters, ip_address: str | None) -> AuditRecord:
    """Audit an export of the audit trail (browsing it is not audited: it would never end)."""
    if by.organisation_id is None:
        raise ServiceError(TrustError.NO_ORGANISATION, _("Your account has no organisation"))
    with transaction.atomic():
        return audit.record(
            organisation=by.organisation_id,
            by=by,
            action=AuditAction.EXPORTED,
            object_type=audit.object_type_of(AuditRecord),
            summary="Audit trail exported as CSV",
            changes={"filters": filters.as_dict()},
            ip_address=ip_address,
        )


def change_password(user: User, *, by: User, old_password: str, new_password: str) -> User:
    """A member of staff changes their own password (checked against the password rules).

    Only the user themself may do this; the old password must be right.  Audited.
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if by.pk != user.pk:
        raise ServiceError(TrustError.NOT_YOURS, _("You can only change your own password"))
    if not user.check_password(old_password):
        raise ServiceError(
            TrustError.WRONG_PASSWORD, _("Your current password is not right"), field="old_password"
        )
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise ServiceError(
            TrustError.WEAK_PASSWORD, " ".join(error.messages), field="new_password"
        ) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        organisation_id = _organisation_of(user)
        if organisation_id is not None:
            audit.record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.CHANGED,
                obj=user,
                summary="Password changed",
            )
    return user


def reset_second_factor(user: User, *, by: User) -> int:
    """Remove a member of staff's authenticator and recovery codes (they lost their phone).

    Their next sign-in asks them to set up a new authenticator; the administrator must have
    checked who they are first.  Returns how many devices were removed.  Audited.
    """
    if by.pk == user.pk:
        raise ServiceError(TrustError.NOT_YOURS, _("Ask another administrator to do this"))
    with transaction.atomic():
        removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
        organisation_id = _organisation_of(user)
        if organisation_id is not None:
            audit.record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.CHANGED,
                obj=user,
                summary="Second factor reset",
                changes={"devices_removed": removed},
            )
    return removed
