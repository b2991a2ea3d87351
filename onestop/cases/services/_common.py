"""Helpers shared by the case services (no transactions of their own): refusals, text checks,
the version claim, the words a message about a case is filled in with (audit records:
``core.audit.record_change``; messages: ``notify.services.compose``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from onestop.cases import queries
from onestop.cases.errors import CaseError
from onestop.cases.models import Case
from onestop.core.errors import ServiceError
from onestop.core.models import User
from onestop.notify.models import RecipientKind
from onestop.notify.services import compose

TITLE_LIMIT = 200
TEXT_LIMIT = 10_000
ATTRIBUTE_TEXT_LIMIT = 2_000
ATTRIBUTE_COUNT_LIMIT = 50
BULK_LIMIT = 500


# --- helpers (no transactions of their own) -----------------------------------------------------
def _refuse(code: CaseError, message: str, field: str | None = None) -> None:
    raise ServiceError(code, message, field=field)


def _check_text(
    value: str,
    *,
    field: str | Promise,
    limit: int,
    required: bool = False,
    error_field: str | None = None,
) -> str:
    """``value`` trimmed, or refused: ``field`` names it (a lazy translation is translated
    only when the value is refused), ``error_field`` is the input."""
    label, field = field, error_field or str(field)
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


def _message_context(case: Case, language: str | None = None, **extra: Any) -> dict[str, Any]:
    """``queries.message_context`` in ``language`` (by default the customer's) with ``extra``."""
    return {**queries.message_context(case, language), **extra}


def _tell_parties(case: Case, event: str, *, by: User | None = None, **extra: Any) -> None:
    """``event``'s message to the case's customer and to the councillor whose enquiry it is.
    A constituent with no customer record is told through their councillor; with no councillor
    either, the message is recorded as not sent and staff get a task to tell them."""
    context = _message_context(case, **extra)
    if case.customer is not None or (case.constituent_name and case.councillor is None):
        compose.message_to_customer(
            organisation_id=case.organisation_id,
            customer=case.customer,
            name=case.constituent_name,
            event=event,
            context=context,
            case_id=case.pk,
            by=by,
        )
    if case.councillor is not None:
        compose.message_to_staff(
            organisation_id=case.organisation_id,
            user=case.councillor,
            event=event,
            context={
                **_message_context(case, language="", **extra),  # staff read English
                "customer_name": case.councillor.display_name,
            },
            case_id=case.pk,
            kind=RecipientKind.COUNCILLOR,
        )


def _send_to(
    case: Case, recipient: queries.UpdateRecipient, event: str, *, by: User | None, **extra: Any
) -> None:
    """``event``'s message to the one ``recipient`` the staff form named (``update_recipient``):
    the councillor of a councillor's enquiry, else the customer."""
    if recipient.user is not None:
        compose.message_to_staff(
            organisation_id=case.organisation_id,
            user=recipient.user,
            event=event,
            # Staff (a councillor) read English.
            context={
                **_message_context(case, language="", **extra),
                "customer_name": recipient.name,
            },
            case_id=case.pk,
            kind=recipient.kind,
        )
        return
    compose.message_to_customer(
        organisation_id=case.organisation_id,
        customer=case.customer,
        event=event,
        context=_message_context(case, **extra),
        case_id=case.pk,
        by=by,
    )
