"""Helpers shared by the case services (no transactions of their own): refusals, text checks,
the version claim, the outbox (audit records: ``core.audit.record_change``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases.errors import CaseError
from onestop.cases.models import (
    Case,
    OutboxMessage,
)
from onestop.core.errors import ServiceError
from onestop.core.models import User

TITLE_LIMIT = 200
TEXT_LIMIT = 10_000
ATTRIBUTE_TEXT_LIMIT = 2_000
ATTRIBUTE_COUNT_LIMIT = 50
BULK_LIMIT = 500


# --- helpers (no transactions of their own) -----------------------------------------------------
def _refuse(code: CaseError, message: str, field: str | None = None) -> None:
    raise ServiceError(code, message, field=field)


def _check_text(
    value: str, *, field: str, limit: int, required: bool = False, error_field: str | None = None
) -> str:
    """``value`` trimmed, or refused: ``field`` names it, ``error_field`` is the input."""
    label, field = field, error_field or field
    value = (value or "").strip()
    if required and not value:
        _refuse(CaseError.MISSING_ATTRIBUTE, _("Enter the %(field)s") % {"field": label}, field)
    if len(value) > limit:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("The %(field)s must be %(limit)s characters or fewer")
            % {"field": label, "limit": limit},
            field,
        )
    if "\x00" in value:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("The %(field)s has a null character") % {"field": label},
            field,
        )
    return value


def _bump_version(case: Case, expected_version: int | None) -> None:
    """Claim the case for this change: refused when someone changed it since ``expected``."""
    expected = case.version if expected_version is None else expected_version
    changed = (
        Case.objects.for_organisation(case.organisation_id)
        .filter(pk=case.pk, version=expected)
        .update(version=F("version") + 1)
    )
    if changed != 1:
        _refuse(
            CaseError.STALE_UPDATE,
            _(
                "Someone else changed case %(reference)s while you were working on it: "
                "reload the case, check their change and try again"
            )
            % {"reference": case.reference},
            "version",
        )
    case.version = expected + 1


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


def _same_organisation(obj: Any, case_or_org_id: int, message: str) -> None:
    if getattr(obj, "organisation_id", None) != case_or_org_id:
        _refuse(CaseError.WRONG_ORGANISATION, message)


def _outbox(
    case: Case,
    *,
    template: str,
    recipient_kind: str,
    recipient_label: str,
    body: str,
    recipient_user: User | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        organisation_id=case.organisation_id,
        case=case,
        template=template,
        recipient_kind=recipient_kind,
        recipient_user=recipient_user,
        recipient_label=recipient_label[:200],
        body=body,
        created_at=timezone.now(),
    )
    message.save(force_insert=True)
    return message
