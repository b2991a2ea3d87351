"""Statutory requests: FOI, EIR and subject access (clarification, extension, identity,
exemptions, the disclosure log)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import deadlines, events, queries
from onestop.cases.errors import CaseError
from onestop.cases.models import (
    FINISHED_STATUSES,
    INFORMATION_KINDS,
    RELEASED_OUTCOMES,
    Case,
    CaseKind,
    Status,
)
from onestop.cases.services._common import (
    TEXT_LIMIT,
    _bump_version,
    _check_text,
    _refuse,
    _save,
    _send_to,
    _tell_parties,
)
from onestop.cases.services.clocks import (
    _calendar_of,
    _copy_primary,
    _primary,
    _restart_clocks,
    _schedule_escalation,
)
from onestop.core import audit
from onestop.core.models import AuditAction, User
from onestop.notify.models import Event

# Statutory extensions: EIR reg. 7 (complex and voluminous: 40 working days in all), FOIA s.10(3)
# public interest (ICO: no more than a further 20 working days), UK GDPR art. 12(3) (two months).
EIR_EXTENDED_WORKING_DAYS = 40
FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS = 20
SUBJECT_ACCESS_EXTRA_MONTHS = 2


# --- statutory requests: FOI, EIR, subject access -----------------------------------------------
def _statutory(case: Case, kinds: frozenset[str] | None = None) -> None:
    if not case.is_statutory or (kinds is not None and case.kind not in kinds):
        _refuse(
            CaseError.NOT_STATUTORY,
            _("This applies only to information and subject access requests"),
        )
    if not case.is_open:
        _refuse(CaseError.ALREADY_CLOSED, _("The request is finished: reopen it first"))


def record_clarification(case: Case, *, by: User | None, note: str = "") -> Case:
    """The requester answered our request for clarification: the clock starts afresh (FOIA s.1(3),
    EIR reg. 9(4), UK GDPR art. 12(3))."""
    _statutory(case)
    with transaction.atomic():
        _bump_version(case, None)
        fields = ["version"]
        if case.status == Status.WAITING_FOR_CUSTOMER:
            case.status = Status.IN_PROGRESS
            events.status_changed_event(
                case=case, by=by, old=Status.WAITING_FOR_CUSTOMER, new=Status.IN_PROGRESS
            )
            fields.append("status")
        _restart_clocks(case, timezone.now())
        _save(
            case,
            *fields,
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
        )
        events.clock_restarted_event(
            case=case, by=by, reason=note[:200] or _("Clarification received")
        )
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Clock restarted on {case.reference}",
            changes={"due_at": case.due_at},
        )
    return case


def extend_deadline(case: Case, *, by: User | None, reason: str) -> Case:
    """EIR: 40 working days for complex and voluminous requests; FOI: up to 20 more working days
    to consider the public interest; subject access: two more months.  Once, with a reason.

    The requester must be told (FOIA s.17, EIR reg. 7(3), UK GDPR art. 12(3)), so the extension
    (``Event.EXTENSION``: the new deadline and ``reason`` as written) goes, like the answer, to
    the one recipient ``queries.update_recipient`` names; with nobody to send it to, it is
    recorded as not sent and staff get a task to tell them another way (``_tell_parties``)."""
    _statutory(case)
    reason = _check_text(
        reason, field=_("reason"), error_field="reason", limit=TEXT_LIMIT, required=True
    )
    if case.extended_at is not None:
        _refuse(
            CaseError.ALREADY_EXTENDED, _("The deadline has already been extended once"), "reason"
        )
    recipient = queries.update_recipient(case, event=Event.EXTENSION)
    with transaction.atomic():
        _bump_version(case, None)
        row = _primary(case)
        if row is None:
            _refuse(CaseError.MISSING_STANDARD, _("The request has no deadline to extend"))
        assert row is not None  # noqa: S101
        calendar = _calendar_of(row, case)
        if case.kind == CaseKind.ENVIRONMENTAL_INFORMATION:
            row.amount = max(row.amount, EIR_EXTENDED_WORKING_DAYS)
        elif case.kind == CaseKind.FREEDOM_OF_INFORMATION:
            row.amount += FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS
        else:
            row.amount += SUBJECT_ACCESS_EXTRA_MONTHS
        row.due_at = deadlines.replay(row, row.amount, calendar)
        if row.paused_at is not None:
            row.due_at = row.due_at  # a paused clock keeps its (now longer) deadline
        row.calendar_version = calendar.version
        row.save(update_fields=["amount", "due_at", "calendar_version"])
        _copy_primary(case, row)
        case.extension_reason = reason
        case.extended_at = timezone.now()
        _schedule_escalation(case)
        _save(
            case,
            "version",
            "due_at",
            "calendar_version",
            "extension_reason",
            "extended_at",
        )
        events.deadline_extended_event(
            case=case,
            by=by,
            reason=reason,
            recipient=recipient.name if recipient else "",
            channel=recipient.channel if recipient else "",
        )
        if recipient is not None:
            _send_to(case, recipient, Event.EXTENSION, by=by, reason=reason)
        elif case.customer is not None or case.constituent_name:
            _tell_parties(case, Event.EXTENSION, by=by, reason=reason)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Deadline of {case.reference} extended",
            changes={"due_at": case.due_at, "reason": reason},
        )
    return case


def verify_identity(case: Case, *, by: User | None) -> Case:
    _statutory(case, frozenset({CaseKind.SUBJECT_ACCESS}))
    with transaction.atomic():
        _bump_version(case, None)
        case.identity_verified_at = timezone.now()
        _save(case, "version", "identity_verified_at")
        events.identity_verified_event(case=case, by=by)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Identity verified on {case.reference}",
        )
    return case


def record_exemptions(case: Case, *, by: User | None, exemptions: Sequence[str]) -> Case:
    """FOI exemptions (``s40(2)``) or EIR exceptions (``reg 12(5)(b)``) applied to the response."""
    _statutory(case, INFORMATION_KINDS)
    cleaned = sorted(
        {
            _check_text(item, field=_("exemption"), error_field="exemption", limit=60)
            for item in exemptions
        }
        - {""}
    )
    if len(cleaned) > 30:
        _refuse(CaseError.TOO_MANY, _("Record at most 30 exemptions"), "exemptions")
    with transaction.atomic():
        _bump_version(case, None)
        case.exemptions = cleaned
        _save(case, "version", "exemptions")
        events.exemptions_recorded_event(case=case, by=by, exemptions=cleaned)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Exemptions on {case.reference}",
            changes={"exemptions": cleaned},
        )
    return case


def publish_response(case: Case, *, by: User | None, summary: str) -> Case:
    """Add a released FOI/EIR response to the public disclosure log (no personal data)."""
    if case.kind not in INFORMATION_KINDS:
        _refuse(CaseError.NOT_STATUTORY, _("Only FOI and EIR responses go in the disclosure log"))
    if case.outcome not in RELEASED_OUTCOMES or case.status not in FINISHED_STATUSES:
        _refuse(
            CaseError.NOT_RELEASED,
            _("Only a finished request with information released can be published"),
            "summary",
        )
    summary = _check_text(
        summary, field=_("summary"), error_field="summary", limit=TEXT_LIMIT, required=True
    )
    with transaction.atomic():
        _bump_version(case, None)
        case.disclosure_summary = summary
        case.published_at = timezone.now()
        _save(case, "version", "disclosure_summary", "published_at")
        events.response_published_event(case=case, by=by)
        audit.record_change(
            case, by=by, action=AuditAction.CHANGED, summary=f"{case.reference} published"
        )
    return case
