"""Every write of the quarterly returns: start one (figures pre-filled), save the commentary and
actions (figures refreshed) or submit it (then locked), and reopen a submitted one with a reason.
Each refuses with a ``ServiceError`` and changes nothing; each change is audited."""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, reporting
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, User
from onestop.core.text import has_control_characters
from onestop.directory.models import Service
from onestop.performance.models import QuarterlyReturn, ReturnStatus
from onestop.performance.queries import returns as queries

COMMENTARY_LIMIT = 5000
ACTIONS_LIMIT = 20
ACTION_LIMIT = 500
REASON_LIMIT = 1000


class ReturnError(StrEnum):
    LOCKED = "quarterly-return-locked"
    NOT_SUBMITTED = "quarterly-return-not-submitted"
    EXISTS = "quarterly-return-exists"
    NOT_A_QUARTER = "quarterly-return-not-a-quarter"
    TOO_LONG = "quarterly-return-too-long"
    NOT_PLAIN = "quarterly-return-not-plain-text"
    REASON = "quarterly-return-reason"
    COMMENTARY = "quarterly-return-commentary"


def _check_text(value: str, field: str, limit: int) -> str:
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ServiceError(
            ReturnError.TOO_LONG,
            _("%(field)s must be %(limit)s characters or fewer")
            % {"field": field.capitalize(), "limit": f"{limit:,}"},
            field=field,
        )
    if has_control_characters(text.replace("\n", "").replace("\t", "")):
        raise ServiceError(
            ReturnError.NOT_PLAIN,
            _("%(field)s must not contain control or invisible characters")
            % {"field": field.capitalize()},
            field=field,
        )
    return text


def check_actions(value: str) -> str:
    text = _check_text(value, "actions", ACTIONS_LIMIT * (ACTION_LIMIT + 1))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > ACTIONS_LIMIT:
        raise ServiceError(
            ReturnError.TOO_LONG,
            _("Enter %(limit)s actions or fewer, one a line") % {"limit": ACTIONS_LIMIT},
            field="actions",
        )
    if any(len(line) > ACTION_LIMIT for line in lines):
        raise ServiceError(
            ReturnError.TOO_LONG,
            _("Each action must be %(limit)s characters or fewer") % {"limit": ACTION_LIMIT},
            field="actions",
        )
    return "\n".join(lines)


def start_return(user: User, service: Service, first: datetime.date) -> QuarterlyReturn:
    """A draft return of ``service`` for the quarter starting ``first``, its figures pre-filled
    (``PermissionDenied`` unless ``user`` completes the service's returns)."""
    if not queries.services_completed_by(user).filter(pk=service.pk).exists():
        raise PermissionDenied(queries.COMPLETE)
    quarter = reporting.quarter_of(first)
    if quarter.first != first:
        raise ServiceError(
            ReturnError.NOT_A_QUARTER, _("Choose a quarter from the list"), field="quarter"
        )
    organisation = service.organisation
    figures = queries.figures_of(organisation, service, quarter)
    try:
        with transaction.atomic():
            started: QuarterlyReturn = QuarterlyReturn.objects.create(
                organisation=organisation,
                service=service,
                first=quarter.first,
                last=quarter.last,
                figures=figures,
                figures_at=timezone.now(),
                started_by=user,
            )
            audit.record(
                organisation=organisation,
                by=user,
                action=AuditAction.CREATED,
                obj=started,
                summary=f"Quarterly return of {service.name} for {quarter.first.isoformat()} "
                f"to {quarter.last.isoformat()} started",
                changes={"service": service.pk, "from": quarter.first.isoformat()},
            )
    except IntegrityError:
        raise ServiceError(
            ReturnError.EXISTS,
            _("%(service)s's return for this quarter has been started already")
            % {"service": service.name},
            field="service",
        ) from None
    return started


def save_return(
    quarterly_return: QuarterlyReturn,
    *,
    by: User,
    commentary: str,
    actions: str,
    submit: bool = False,
) -> QuarterlyReturn:
    """Save the commentary and actions of a draft (its figures refreshed), and submit it if
    ``submit``.  A submitted return is locked: refused, whatever was posted."""
    commentary = _check_text(commentary, "commentary", COMMENTARY_LIMIT)
    actions = check_actions(actions)
    with transaction.atomic():
        locked: QuarterlyReturn = (
            QuarterlyReturn.objects.for_organisation(quarterly_return.organisation_id)
            .select_for_update()
            .select_related("service")
            .get(pk=quarterly_return.pk)
        )
        if not queries.may_complete(by, locked):
            raise PermissionDenied(queries.COMPLETE)
        if locked.is_submitted:
            raise ServiceError(
                ReturnError.LOCKED,
                _("This return has been submitted and cannot be changed"),
            )
        if submit and not commentary:
            raise ServiceError(
                ReturnError.COMMENTARY,
                _("Enter your commentary before you submit the return"),
                field="commentary",
            )
        before = {"commentary": locked.commentary, "actions": locked.actions}
        locked.commentary = commentary
        locked.actions = actions
        locked.figures = queries.figures_of(
            locked.service.organisation, locked.service, reporting.Period(locked.first, locked.last)
        )
        locked.figures_at = timezone.now()
        fields = ["commentary", "actions", "figures", "figures_at", "updated_at"]
        if submit:
            locked.status = ReturnStatus.SUBMITTED
            locked.submitted_by = by
            locked.submitted_at = locked.figures_at
            fields += ["status", "submitted_by", "submitted_at"]
        locked.save(update_fields=fields)
        changes: dict[str, object] = {
            name: [before[name], getattr(locked, name)]
            for name in before
            if before[name] != getattr(locked, name)
        }
        if submit:
            changes["status"] = [ReturnStatus.DRAFT, ReturnStatus.SUBMITTED]
        audit.record(
            organisation=locked.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=locked,
            summary=f"Quarterly return of {locked.service.name} for "
            f"{locked.first.isoformat()} " + ("submitted" if submit else "saved"),
            changes=changes,
        )
    return locked


def reopen_return(quarterly_return: QuarterlyReturn, *, by: User, reason: str) -> QuarterlyReturn:
    """A submitted return back to a draft, for a collator, with their reason."""
    if not queries.may_collate(by):
        raise PermissionDenied(queries.COLLATE)
    text = _check_text(reason, "reason", REASON_LIMIT)
    if not text:
        raise ServiceError(
            ReturnError.REASON, _("Enter why the return is being reopened"), field="reason"
        )
    with transaction.atomic():
        locked: QuarterlyReturn = (
            QuarterlyReturn.objects.for_organisation(quarterly_return.organisation_id)
            .select_for_update()
            .select_related("service")
            .get(pk=quarterly_return.pk)
        )
        if not locked.is_submitted:
            raise ServiceError(
                ReturnError.NOT_SUBMITTED,
                _("Only a submitted return can be reopened"),
                field="reason",
            )
        locked.status = ReturnStatus.DRAFT
        locked.reopened_reason = text
        locked.save(update_fields=["status", "reopened_reason", "updated_at"])
        audit.record(
            organisation=locked.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=locked,
            summary=f"Quarterly return of {locked.service.name} for "
            f"{locked.first.isoformat()} reopened",
            changes={
                "status": [ReturnStatus.SUBMITTED, ReturnStatus.DRAFT],
                "reason": text,
            },
        )
    return locked
