"""Reads of sign-in state and of the audit trail, always scoped to the signed-in user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core import audit_labels
from onestop.core.models import AuditRecord, User
from onestop.core.scoping import ScopedQuerySet

ENROLMENT_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def has_authenticator(user: User) -> bool:
    """Whether the user has finished setting up an authenticator app."""
    found: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return found


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that were set, as plain strings (for the export's own audit record)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: value for name, value in values.items() if value}


def _start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_records_for(
    user: User, filters: AuditFilters | None = None
) -> ScopedQuerySet[AuditRecord]:
    """The user's organisation's audit trail, newest first, narrowed by ``filters``.

    Dates are days in Europe/London: "to" includes the whole of its day.
    """
    filters = filters or AuditFilters()
    records: ScopedQuerySet[AuditRecord] = AuditRecord.objects.for_user(user)
    if filters.actor:
        records = records.filter(actor_label__iexact=filters.actor)
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.object_type:
        records = records.filter(object_type__in=audit_labels.codes_of(filters.object_type))
    if filters.date_from is not None:
        records = records.filter(at__gte=_start_of_local_day(filters.date_from))
    if filters.date_to is not None:
        records = records.filter(at__lt=_start_of_local_day(filters.date_to + dt.timedelta(days=1)))
    return records.order_by("-sequence")
