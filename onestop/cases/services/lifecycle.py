"""A case's life: raising, status, assignment, notes, details, resolving, closing and reopening."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases import deadlines, events, queries
from onestop.cases.errors import CaseError, InvalidTransition
from onestop.cases.models import (
    ALLOWED_TRANSITIONS,
    FINISHED_STATUSES,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    RELEASED_OUTCOMES,
    STAFF_NOTE_KINDS,
    Case,
    CaseKind,
    CaseNote,
    CaseType,
    NoteKind,
    Outcome,
    Source,
    Status,
    outcomes_for,
)
from onestop.cases.services._common import (
    BULK_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
    _bump_version,
    _check_text,
    _refuse,
    _same_organisation,
    _save,
    _send_to,
    _tell_parties,
)
from onestop.cases.services.attributes import clean_attributes
from onestop.cases.services.clocks import (
    _pause_clocks,
    _restart_clocks,
    _resume_clocks,
    _save_clocks,
    _start_clocks,
    _stop_clocks,
)
from onestop.cases.services.points import Point, clean_point
from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core import audit, batch, references
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Customer
from onestop.directory.models import Team, TeamMembership
from onestop.notify.models import Event
from onestop.standards import clock
from onestop.standards.models import CalendarChoice

# --- raising ------------------------------------------------------------------------------------
# The names ``raise_case``'s checks give its fields, translated only when one is refused (a
# case raised per e-mail asked for each translation at every call).
_TITLE = gettext_lazy("title")
_DESCRIPTION = gettext_lazy("description")
_CONSTITUENT_NAME = gettext_lazy("constituent's name")
_WARD = gettext_lazy("ward")


def raise_case(
    organisation: Organisation,
    *,
    by: User | None,
    case_type_code: str,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    customer: Customer | None = None,
    contact: Contact | None = None,
    postcode: str = "",
    ward: str = "",
    source: str = Source.DESK,
    councillor: User | None = None,
    constituent_name: str = "",
    received_at: datetime.datetime | None = None,
    point: Point | None = None,
) -> Case:
    """Raise a case: reference, routing, deadlines from the clock, acknowledgement recorded.
    ``point`` is where the problem is on the map (checked again by ``clean_point``)."""
    case_type = _active_case_type(organisation, case_type_code)
    title = _check_text(title, field=_TITLE, error_field="title", limit=TITLE_LIMIT, required=True)
    description = _check_text(
        description, field=_DESCRIPTION, error_field="description", limit=TEXT_LIMIT
    )
    constituent_name = _check_text(
        constituent_name, field=_CONSTITUENT_NAME, error_field="constituent_name", limit=200
    )
    ward = _check_text(ward, field=_WARD, error_field="ward", limit=100)
    cleaned = clean_attributes(case_type, attributes or {})
    if point is not None:
        point = clean_point(point.latitude, point.longitude, organisation=organisation)
    _check_parties(organisation, customer=customer, contact=contact, councillor=councillor)
    if case_type.kind == CaseKind.COUNCILLOR_ENQUIRY:
        if councillor is None and by is not None and queries.is_councillor(by):
            councillor = by
        if not constituent_name and customer is None:
            _refuse(
                CaseError.MISSING_CONSTITUENT,
                _("Enter the name of the constituent the enquiry is for"),
                "constituent_name",
            )
    if contact is not None and customer is None:
        customer = contact.customer
    at = received_at or timezone.now()
    team = queries.route(case_type, postcode=postcode, ward=ward)
    with transaction.atomic():
        case = Case(
            organisation=organisation,
            reference=references.next_reference(
                organisation, case_type.reference_prefix, timezone.localdate(at).year
            ),
            case_type=case_type,
            kind=case_type.kind,
            title=title,
            description=description,
            attributes=cleaned,
            source=source,
            customer=customer,
            contact=contact,
            councillor=councillor,
            constituent_name=constituent_name,
            postcode=queries.postcode_key(postcode),
            latitude=point.latitude if point is not None else None,
            longitude=point.longitude if point is not None else None,
            ward=ward,
            service_id=case_type.service_id,
            team=team,
            raised_by=by,
            received_at=at,
        )
        clocks = _start_clocks(case, case_type, at)  # its deadline, before it is inserted
        batch.insert(case)  # with the batch's others in the IMAP poller's batch
        _save_clocks(case, clocks)
        events.case_raised_event(case=case, by=by)
        if contact is not None:
            contact_services.complete_request(contact, by=by)
        _tell_parties(case, Event.ACKNOWLEDGEMENT, by=by)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Case {case.reference} raised",
            changes={"case_type": case_type.code, "team": team.pk, "customer": case.customer_id},
        )
    return case


def _active_case_type(organisation: Organisation, code: str) -> CaseType:
    """The organisation's case type ``code``, refused when there is none or it is retired
    (read once per ``core.batch``)."""
    case_type: CaseType | None = batch.remembered(
        ("cases.case_type", organisation.pk, str(code)[:60]),
        lambda: CaseType.objects.for_organisation(organisation).filter(code=str(code)[:60]).first(),
    )
    if case_type is None:
        raise ServiceError(
            CaseError.UNKNOWN_TYPE,
            _("There is no case type “%(code)s”: choose one from the list")
            % {"code": str(code)[:60]},
            field="case_type",
        )
    if not case_type.is_active:
        _refuse(
            CaseError.INACTIVE_TYPE,
            _("%(type)s is no longer in use: choose another") % {"type": case_type.name},
            "case_type",
        )
    return case_type


_CUSTOMER = gettext_lazy("customer")
_CONTACT = gettext_lazy("contact")
_COUNCILLOR = gettext_lazy("councillor")


def _check_parties(
    organisation: Organisation,
    *,
    customer: Customer | None,
    contact: Contact | None,
    councillor: User | None,
) -> None:
    """Refused when the customer, contact or councillor given belongs to another organisation
    (the refusal's words are translated only when one does)."""
    for obj, label in ((customer, _CUSTOMER), (contact, _CONTACT), (councillor, _COUNCILLOR)):
        if obj is not None and getattr(obj, "organisation_id", None) != organisation.pk:
            _same_organisation(
                obj,
                organisation.pk,
                _("The %(what)s belongs to another organisation") % {"what": label},
            )


# --- the lifecycle ------------------------------------------------------------------------------
def _transition(case: Case, to: str, *, by: User | None) -> str:
    """Move ``case`` to ``to`` or raise ``InvalidTransition``; pauses or resumes the clock."""
    old = case.status
    if to not in ALLOWED_TRANSITIONS.get(old, frozenset()):
        raise InvalidTransition(
            _("A case that is %(old)s cannot be made %(new)s")
            % {"old": Status(old).label.lower(), "new": Status(to).label.lower()}
            if to in Status.values
            else _("“%(new)s” is not a status") % {"new": str(to)[:40]}
        )
    now = timezone.now()
    if to in PAUSED_STATUSES and old not in PAUSED_STATUSES:
        _pause_clocks(case, now)
        events.clock_paused_event(case=case, by=by)
    elif old in PAUSED_STATUSES and to not in PAUSED_STATUSES and to in OPEN_STATUSES:
        _resume_clocks(case, now)
        events.clock_resumed_event(case=case, by=by)
    case.status = to
    events.status_changed_event(case=case, by=by, old=old, new=to)
    return old


def change_status(
    case: Case, *, by: User | None, status: str, expected_version: int | None = None
) -> Case:
    """Move an open case between working statuses (resolving and closing have their own)."""
    if status in FINISHED_STATUSES:
        raise InvalidTransition(_("Use resolve or close to finish a case, with its outcome"))
    if case.status in FINISHED_STATUSES:
        raise InvalidTransition(
            _("Reopen the case first: it is %(status)s")
            % {"status": Status(case.status).label.lower()}
        )
    with transaction.atomic():
        _bump_version(case, expected_version)
        old = _transition(case, status, by=by)
        _save(
            case,
            "status",
            "version",
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
        )
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} {status}",
            changes={"status": [old, status]},
        )
    return case


def assign_case(
    case: Case,
    *,
    by: User | None,
    assignee: User | None,
    team: Team | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Assign to a person (in the case's team, or ``team``) or to a team's queue, with a reason."""
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500)
    target_team = team or case.team
    _same_organisation(
        target_team, case.organisation_id, _("Choose a team of your own organisation")
    )
    if assignee is not None:
        _same_organisation(
            assignee, case.organisation_id, _("Choose someone in your own organisation")
        )
        if (
            not TeamMembership.objects.for_organisation(case.organisation_id)
            .filter(team=target_team, user=assignee)
            .exists()
        ):
            _refuse(
                CaseError.NOT_A_TEAM_MEMBER,
                _("%(name)s is not in %(team)s: choose a member of the team")
                % {"name": assignee.display_name, "team": target_team.name},
                "assignee",
            )
    if case.status in FINISHED_STATUSES:
        _refuse(CaseError.ALREADY_CLOSED, _("Reopen the case before you assign it"), "assignee")
    with transaction.atomic():
        _bump_version(case, expected_version)
        before = {"assignee": case.assignee_id, "team": case.team_id}
        case.assignee = assignee
        case.team = target_team
        case.service_id = case.service_id if team is None else target_team.service_id
        fields = ["assignee", "team", "service", "version"]
        if assignee is not None and case.status == Status.NEW:
            _transition(case, Status.ASSIGNED, by=by)
            fields.append("status")
        elif assignee is None and case.status == Status.ASSIGNED:
            _transition(case, Status.NEW, by=by)
            fields.append("status")
        _save(case, *fields)
        events.case_assigned_event(
            case=case,
            by=by,
            assignee=assignee.display_name if assignee else "",
            team=target_team.name,
            reason=reason,
        )
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} assigned",
            changes={
                "assignee": [before["assignee"], case.assignee_id],
                "team": [before["team"], case.team_id],
            },
        )
    return case


def claim_case(case: Case, *, by: User) -> bool:
    """Take an unassigned case from the queue: ``UPDATE … WHERE assignee IS NULL``, one row."""
    with transaction.atomic():
        claimed = (
            Case.objects.for_organisation(case.organisation_id)
            .filter(pk=case.pk, assignee__isnull=True, status=Status.NEW)
            .update(
                assignee=by,
                status=Status.ASSIGNED,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
        )
        if claimed != 1:
            return False
        case.refresh_from_db()
        events.status_changed_event(case=case, by=by, old=Status.NEW, new=Status.ASSIGNED)
        events.case_assigned_event(
            case=case,
            by=by,
            assignee=by.display_name,
            team=case.team.name,
            reason=_("Taken from the queue"),
        )
        audit.record_change(
            case, by=by, action=AuditAction.CHANGED, summary=f"Case {case.reference} claimed"
        )
    return True


def bulk_reassign(
    cases: Iterable[Case], *, by: User, team: Team, assignee: User | None, reason: str
) -> int:
    """Reassign many cases at once (team leaders); all or nothing."""
    chosen = list(cases)
    if len(chosen) > BULK_LIMIT:
        _refuse(
            CaseError.TOO_MANY,
            _("Reassign at most %(limit)s cases at a time") % {"limit": BULK_LIMIT},
            "references",
        )
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500, required=True)
    with transaction.atomic():
        for case in chosen:
            assign_case(case, by=by, assignee=assignee, team=team, reason=reason)
    return len(chosen)


def add_note(case: Case, *, by: User | None, kind: str, text: str) -> CaseNote:
    """An internal note, or an update to the customer (a message, in the same transaction)."""
    if kind not in STAFF_NOTE_KINDS:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("Choose whether the note is internal or an update to the customer"),
            "kind",
        )
    text = _check_text(text, field=_("note"), error_field="text", limit=TEXT_LIMIT, required=True)
    to_customer = kind == NoteKind.UPDATE_TO_CUSTOMER
    recipient = queries.update_recipient(case) if to_customer else None
    if to_customer and recipient is None:
        _refuse(CaseError.NO_RECIPIENT, _no_recipient_message(case), "kind")
    with transaction.atomic():
        note = CaseNote(
            organisation_id=case.organisation_id,
            case=case,
            kind=kind,
            text=text,
            written_by=by,
            written_at=timezone.now(),
        )
        note.save(force_insert=True)
        if recipient is not None:
            _send_to(case, recipient, Event.UPDATE, by=by, update_text=text)
        events.note_added_event(
            case=case,
            by=by,
            to_customer=to_customer,
            recipient=recipient.name if recipient else "",
            channel=recipient.channel if recipient else "",
            recipient_user=recipient.user if recipient else None,
        )
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=note,
            summary=f"{kind} on {case.reference}",
        )
    return note


def _no_recipient_message(case: Case) -> str:
    if case.customer is None and case.councillor_id is None:
        return _(
            "This case has no customer, so there is nobody to send an update to: "
            "add an internal note instead"
        )
    # Why, as the note form says it (``queries.no_recipient_reason``), and what to do.
    return _("%(reason)s: record how to reach them, or add an internal note instead") % {
        "reason": queries.no_recipient_reason(case)
    }


def finishing_event(to: str) -> str:
    """The message a case finished as ``to`` sends its customer: the resolution as the answer
    (``Event.RESPONSE``) when resolved, with the closure's words (``Event.CLOSURE``) when
    closed; both carry the resolution as ``response_text``."""
    return Event.CLOSURE if to == Status.CLOSED else Event.RESPONSE


def record_customer_message(
    case: Case,
    *,
    channel: str,
    text: str,
    received_at: datetime.datetime | None = None,
    resume: bool = True,
) -> CaseNote:
    """A message from the customer about an open case, arrived by ``channel`` (e-mail, web):
    kept on the case as a note, and a case waiting for the customer goes back to work with its
    clock running again (not when ``resume`` is false: a message whose sender may not be the
    customer is kept but changes nothing).  A finished case is refused: the channel raises a
    new case instead."""
    if case.status in FINISHED_STATUSES:
        raise InvalidTransition(
            _("The case is %(status)s: raise a new case and link it")
            % {"status": Status(case.status).label.lower()}
        )
    text = _check_text(
        text, field=_("message"), error_field="text", limit=TEXT_LIMIT, required=True
    )
    with transaction.atomic():
        note = CaseNote(
            organisation_id=case.organisation_id,
            case=case,
            kind=NoteKind.FROM_CUSTOMER,
            text=text,
            written_by=None,
            written_at=received_at or timezone.now(),
        )
        note.save(force_insert=True)
        events.message_received_event(case=case, channel=channel)
        audit.record(
            organisation=case.organisation_id,
            by=None,
            action=AuditAction.CREATED,
            obj=note,
            summary=f"{NoteKind.FROM_CUSTOMER} on {case.reference} by {channel}",
        )
        if resume and case.status == Status.WAITING_FOR_CUSTOMER:
            change_status(case, by=None, status=Status.IN_PROGRESS)
    return note


def update_case(
    case: Case,
    *,
    by: User | None,
    expected_version: int | None,
    title: str | None = None,
    description: str | None = None,
    attributes: dict[str, Any] | None = None,
    ward: str | None = None,
) -> Case:
    """Change a case's details (not its status); refused if someone changed it meanwhile."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _check_text(
            title, field=_("title"), error_field="title", limit=TITLE_LIMIT, required=True
        )
    if description is not None:
        changes["description"] = _check_text(
            description, field=_("description"), error_field="description", limit=TEXT_LIMIT
        )
    if attributes is not None:
        changes["attributes"] = clean_attributes(case.case_type, attributes, kept=case.attributes)
    if ward is not None:
        changes["ward"] = _check_text(ward, field=_("ward"), error_field="ward", limit=100)
    with transaction.atomic():
        _bump_version(case, expected_version)
        before = {name: getattr(case, name) for name in changes}
        for name, value in changes.items():
            setattr(case, name, value)
        _save(case, "version", *changes)
        events.case_updated_event(case=case, by=by, fields=sorted(changes))
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} changed",
            changes={**{name: [before[name], value] for name, value in changes.items()}},
        )
    return case


def _finish(
    case: Case,
    *,
    by: User | None,
    to: str,
    outcome: str,
    resolution: str,
    expected_version: int | None,
    tell_customer: bool,
) -> Case:
    if outcome not in Outcome.values:
        _refuse(CaseError.OUTCOME_REQUIRED, _("Choose the outcome"), "outcome")
    if outcome not in outcomes_for(case.kind):
        _refuse(
            CaseError.OUTCOME_REQUIRED,
            _("Choose an outcome a %(kind)s can have") % {"kind": case.get_kind_display().lower()},
            "outcome",
        )
    resolution = _check_text(
        resolution, field=_("resolution"), error_field="resolution", limit=TEXT_LIMIT, required=True
    )
    if (
        case.kind == CaseKind.SUBJECT_ACCESS
        and case.identity_verified_at is None
        and outcome in RELEASED_OUTCOMES
    ):
        _refuse(
            CaseError.IDENTITY_NOT_VERIFIED,
            _("Verify the requester's identity before releasing their data"),
            "outcome",
        )
    event = finishing_event(to)
    recipient = queries.update_recipient(case, event=event) if tell_customer else None
    if tell_customer and recipient is None:
        _refuse(
            CaseError.NO_RECIPIENT,
            _("Nobody can be sent the resolution: %(reason)s")
            % {"reason": queries.no_recipient_reason(case, event=event)},
            "tell_customer",
        )
    with transaction.atomic():
        _bump_version(case, expected_version)
        now = timezone.now()
        old = _transition(case, to, by=by)
        if case.resolved_at is None or old in OPEN_STATUSES:
            case.resolved_at = now
            _stop_clocks(case, now)
        case.outcome = outcome
        case.resolution = resolution
        fields = [
            "status",
            "version",
            "outcome",
            "resolution",
            "resolved_at",
            "clock_paused_at",
        ]
        told = {
            "recipient": recipient.name if recipient else "",
            "channel": recipient.channel if recipient else "",
        }
        if to == Status.CLOSED:
            case.closed_at = now
            fields.append("closed_at")
            events.case_closed_event(case=case, by=by, **told)
        else:
            events.case_resolved_event(case=case, by=by, **told)
        _save(case, *fields)
        if recipient is not None:
            _send_to(case, recipient, event, by=by, response_text=resolution)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} {to}",
            changes={"status": [old, to], "outcome": outcome},
        )
    return case


def resolve_case(
    case: Case,
    *,
    by: User | None,
    outcome: str,
    resolution: str,
    expected_version: int | None = None,
    tell_customer: bool = False,
) -> Case:
    """The answer is given: the clocks stop (met or missed) and the case waits to be closed.
    ``tell_customer``: send the resolution, as written, to the customer (``Event.RESPONSE``,
    an answer: no consent needed) or the councillor of an enquiry, refused when nobody can be
    sent it; callers that act on many cases at once leave it false."""
    return _finish(
        case,
        by=by,
        to=Status.RESOLVED,
        outcome=outcome,
        resolution=resolution,
        expected_version=expected_version,
        tell_customer=tell_customer,
    )


def close_case(
    case: Case,
    *,
    by: User | None,
    outcome: str,
    resolution: str,
    expected_version: int | None = None,
    tell_customer: bool = False,
) -> Case:
    """Close the case with its outcome and resolution text (stops the clocks if still running).
    ``tell_customer``: send the resolution, as written, with the closure's words
    (``Event.CLOSURE``), as ``resolve_case`` does."""
    return _finish(
        case,
        by=by,
        to=Status.CLOSED,
        outcome=outcome,
        resolution=resolution,
        expected_version=expected_version,
        tell_customer=tell_customer,
    )


def reopen_case(
    case: Case, *, by: User | None, reason: str, expected_version: int | None = None
) -> Case:
    """Reopen a resolved or closed case within the type's period; its clocks start afresh.
    A customer (or councillor) who was sent the resolution is sent the reopening, with
    ``reason`` as written and the new deadline (``Event.REOPENING``), where they can still be
    reached."""
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500, required=True)
    if case.status not in FINISHED_STATUSES or case.resolved_at is None:
        _refuse(
            CaseError.NOT_REOPENABLE, _("Only a resolved or closed case can be reopened"), "status"
        )
    finished = case.closed_at or case.resolved_at
    assert finished is not None  # noqa: S101  # resolved_at checked above
    limit = clock.deadline(
        finished,
        case.case_type.reopen_within_days,
        clock.Unit.CALENDAR_DAYS,
        deadlines.calendar_named(CalendarChoice.ORGANISATION, case.organisation),
    )
    now = timezone.now()
    if now > limit:
        _refuse(
            CaseError.REOPEN_PERIOD_PASSED,
            _(
                "%(type)s cases can be reopened for %(days)s days after closing: "
                "raise a new case instead"
            )
            % {"type": case.case_type.name, "days": case.case_type.reopen_within_days},
            "reason",
        )
    recipient = (
        queries.update_recipient(case, event=Event.REOPENING)
        if queries.customer_told_it_was_finished(case)
        else None
    )
    with transaction.atomic():
        _bump_version(case, expected_version)
        _transition(case, Status.IN_PROGRESS, by=by)
        case.reopened_count += 1
        case.outcome = ""
        case.resolved_at = None
        case.closed_at = None
        _restart_clocks(case, now)
        _save(
            case,
            "status",
            "version",
            "reopened_count",
            "outcome",
            "resolved_at",
            "closed_at",
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
        )
        events.case_reopened_event(
            case=case,
            by=by,
            reason=reason,
            recipient=recipient.name if recipient else "",
            channel=recipient.channel if recipient else "",
        )
        if recipient is not None:
            _send_to(case, recipient, Event.REOPENING, by=by, reason=reason)
        audit.record_change(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} reopened",
            changes={"reason": reason},
        )
    return case


def record_case_viewed(case: Case, *, by: User) -> None:
    with transaction.atomic():
        audit.viewed(case, by=by, summary=f"Case {case.reference} viewed")
