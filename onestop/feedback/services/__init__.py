"""Every write of feedback: taking it, and each step of the complaints procedure.

Each function takes ``by=`` (``None``: the public or the system), checks everything before it
writes, runs in one transaction with an audit record and a timeline event, and sends what the
customer or staff are told through ``notify.services.compose`` in the same transaction (the
message is the outbox of the change).  A refusal is a ``ServiceError`` naming the input to fix,
and nothing has changed.  Every deadline comes from ``standards.clock`` on the organisation's
calendar, started by the event the procedure names (the receipt or the acknowledgement).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel, Direction
from onestop.contacts.models import Outcome as ContactOutcome
from onestop.core import audit, permissions, references
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.core.text import has_control_characters, visible
from onestop.customers import services as customer_services
from onestop.customers.models import Customer, PreferredChannel
from onestop.customers.models import Language as CustomerLanguage
from onestop.directory import queries as directory_queries
from onestop.directory.models import Service, TeamMembership
from onestop.feedback import procedures, queries
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import (
    REFERENCE_PREFIX,
    TEXT_LIMIT,
    About,
    AlternativeRoute,
    Characteristic,
    ClockFrom,
    ClosedAs,
    ComplaintPoint,
    ComplaintProcedure,
    ComplaintStage,
    Feedback,
    FeedbackEvent,
    Kind,
    PointOutcome,
    Remedy,
    Status,
)
from onestop.feedback.queries import procedure as procedure_queries
from onestop.notify.models import Event, RecipientKind
from onestop.notify.services import compose
from onestop.standards import clock

OTHER_PREFIX = "FB"  # comments, compliments and suggestions
POINT_LIMIT = 500
POINTS_LIMIT = 20
NAME_LIMIT = 200
AMOUNT_LIMIT = Decimal("100000")

# Where a customer goes after the council's last word, by the organisation's nation.
OMBUDSMEN: dict[str, str] = {
    "england": "the Local Government and Social Care Ombudsman (or, for council housing, the "
    "Housing Ombudsman)",
    "wales": "the Public Services Ombudsman for Wales",
    "scotland": "the Scottish Public Services Ombudsman",
    "northern-ireland": "the Northern Ireland Public Services Ombudsman",
}


class EventCode:
    RECORDED = "recorded"
    ACKNOWLEDGED = "acknowledged"
    EXTENDED = "extended"
    ESCALATED = "escalated"
    RESPONDED = "responded"
    CLOSED = "closed"
    OUTSIDE = "outside-procedure"
    PASSED_ON = "passed-on"
    PROCEDURE_SET = "procedure-set"
    # fb-public: the feedback mailbox
    EMAIL_RECEIVED = "email-received"
    CLASSIFIED = "classified"
    # issue 18: more information the customer added on the residents' site
    INFORMATION_ADDED = "information-added"


# --- helpers (no transactions of their own) ------------------------------------------------------
def _refuse(code: FeedbackError, message: str, field_name: str | None = None) -> ServiceError:
    return ServiceError(code, message, field=field_name)


def _text(value: str, *, label: str, field_name: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _refuse(FeedbackError.REQUIRED, _("Enter %(label)s") % {"label": label}, field_name)
    if len(value) > limit:
        raise _refuse(
            FeedbackError.TOO_LONG,
            _("%(label)s must be %(limit)s characters or fewer")
            % {"label": label[:1].upper() + label[1:], "limit": limit},
            field_name,
        )
    if has_control_characters(value):
        raise _refuse(
            FeedbackError.CONTROL_CHARACTERS,
            _("Remove the special characters from %(label)s: only ordinary text is allowed")
            % {"label": label},
            field_name,
        )
    return value


def _event(feedback: Feedback, code: str, by: User | None, **data: Any) -> FeedbackEvent:
    event = FeedbackEvent(
        organisation_id=feedback.organisation_id,
        feedback=feedback,
        code=code,
        at=timezone.now(),
        by=by,
        data=data,
    )
    event.save(force_insert=True)
    return event


def _refuse_unclassified(feedback: Feedback) -> None:
    """Feedback that came by e-mail without saying what it is (fb-public) is classified first."""
    if feedback.kind == Kind.UNCLASSIFIED:
        raise _refuse(FeedbackError.REQUIRED, _("Classify this feedback first"))


def _audit(
    feedback: Feedback, *, by: User | None, action: AuditAction, summary: str, **changes: Any
) -> None:
    audit.record(
        organisation=feedback.organisation_id,
        by=by,
        action=action,
        obj=feedback,
        summary=summary,
        changes=changes,
    )


def _working_days(
    organisation: Organisation, start: datetime.datetime, days: int
) -> datetime.datetime:
    return clock.deadline(start, days, clock.Unit.WORKING_DAYS, queries.calendar_of(organisation))


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _locked(feedback: Feedback) -> Feedback:
    """The feedback's row, locked for this change, as it is now (two officers acting at once
    queue, and the second sees the first's change)."""
    found: Feedback = (
        Feedback.objects.for_organisation(feedback.organisation_id)
        .select_for_update(of=("self",))
        .select_related("organisation", "service", "customer")
        .get(pk=feedback.pk)
    )
    return found


def _tell_customer(
    feedback: Feedback, event: str, *, by: User | None, **context: Any
) -> int | None:
    """``event``'s message to the customer; anonymous feedback has nobody to tell.  The
    message about feedback concerning a named member of staff is as confidential as the record
    (``queries.feedback_for``): read only by complaints officers, never by the person."""
    if feedback.customer is None:
        return None
    confidential = feedback.about_staff
    outcome = compose.message_to_customer(
        organisation_id=feedback.organisation_id,
        customer=feedback.customer,
        event=event,
        context={**queries.message_context(feedback), **context},
        by=by,
        visible_with=permissions.COMPLAINT_STAFF_VIEW if confidential else "",
        hidden_from=feedback.staff_member if confidential else None,
    )
    return outcome.message.pk


def _open_stage(
    feedback: Feedback,
    rule: procedures.StageRule,
    at: datetime.datetime,
    *,
    reason: str = "",
) -> ComplaintStage:
    organisation = feedback.organisation
    stage = ComplaintStage(
        organisation_id=feedback.organisation_id,
        feedback=feedback,
        stage=rule.stage,
        label=rule.label,
        acknowledge_days=rule.acknowledge_days,
        response_days=rule.response_days,
        response_from=rule.response_from,
        extension_days=rule.extension_days,
        opened_at=at,
        escalation_reason=reason,
        ack_due_at=_working_days(organisation, at, rule.acknowledge_days)
        if rule.acknowledge_days is not None
        else None,
        response_due_at=_working_days(organisation, at, rule.response_days)
        if rule.response_from == ClockFrom.RECEIPT
        else None,
    )
    stage.save(force_insert=True)
    return stage


def _give_stage_owner(feedback: Feedback, stage: ComplaintStage, owner: User | None) -> None:
    """Set ``stage``'s owner and, with it, the team handling the stage: the owner's team for the
    complaint's lead service (else its service) as the memberships stand now, kept when people
    move teams later (``directory.queries.team_of``; none when that places them in no team or
    several).  The caller saves ``owner`` and ``team`` in its own transaction."""
    stage.owner = owner
    stage.team_id = directory_queries.team_of(
        feedback.organisation_id,
        owner.pk if owner is not None else None,
        feedback.lead_service_id or feedback.service_id,
    )


def _current(feedback: Feedback) -> ComplaintStage:
    stage = queries.current_stage(feedback)
    if stage is None:
        raise _refuse(FeedbackError.NOT_A_COMPLAINT, _("Only a complaint goes through the stages"))
    return stage


def _open_complaint(feedback: Feedback) -> ComplaintStage:
    if not feedback.is_complaint:
        raise _refuse(FeedbackError.NOT_A_COMPLAINT, _("Only a complaint goes through the stages"))
    if feedback.status == Status.CLOSED:
        raise _refuse(
            FeedbackError.CLOSED,
            _("Complaint %(reference)s is closed: it cannot be changed")
            % {"reference": feedback.reference},
        )
    return _current(feedback)


# --- the procedure -------------------------------------------------------------------------------
def set_procedure(
    organisation: Organisation, *, by: User | None, preset: str
) -> ComplaintProcedure:
    """Follow ``preset``'s stages and timescales from now on (complaints already received keep
    the timescales their stages opened with)."""
    if preset not in procedures.PRESETS:
        raise _refuse(
            FeedbackError.UNKNOWN_PRESET, _("Select a complaints procedure from the list"), "preset"
        )
    stages = [rule.as_data() for rule in procedures.stages_of(preset)]
    with transaction.atomic():
        row: ComplaintProcedure
        row, created = ComplaintProcedure.objects.for_organisation(organisation).get_or_create(
            organisation=organisation,
            defaults={"preset": preset, "stages": stages, "updated_at": timezone.now()},
        )
        before = row.preset
        if not created:
            row.preset, row.stages, row.updated_at = preset, stages, timezone.now()
            row.save(update_fields=["preset", "stages", "updated_at"])
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED if created else AuditAction.CHANGED,
            obj=row,
            summary=f"Complaints procedure: {preset}",
            changes={"preset": [None if created else before, preset]},
        )
    return row


# --- taking feedback -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedbackInput:
    """What the customer told us, however it arrived."""

    kind: str
    what_happened: str
    channel: str = Channel.TELEPHONE
    about: str = About.SERVICE
    service: Service | None = None
    staff_member: User | None = None
    staff_named: str = ""
    wanted: str = ""
    unequal_treatment: bool = False
    characteristic: str = ""
    impolite_treatment: bool = False
    lead_service: Service | None = None
    points: Sequence[str] = field(default_factory=tuple)
    received_at: datetime.datetime | None = None


def _clean(organisation: Organisation, values: FeedbackInput) -> FeedbackInput:
    if values.kind not in Kind.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select what kind of feedback it is"), "kind")
    if values.about not in About.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select what the feedback is about"), "about")
    if values.channel not in Channel.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select how it was received"), "channel")
    what = _text(
        values.what_happened,
        label=_("what happened"),
        field_name="what_happened",
        limit=TEXT_LIMIT,
        required=True,
    )
    wanted = _text(
        values.wanted, label=_("what they want done"), field_name="wanted", limit=TEXT_LIMIT
    )
    named = visible(
        _text(
            values.staff_named,
            label=_("the name of the member of staff"),
            field_name="staff_named",
            limit=NAME_LIMIT,
        )
    )
    for obj, name in (
        (values.service, "service"),
        (values.lead_service, "lead_service"),
        (values.staff_member, "staff_member"),
    ):
        if obj is not None and obj.organisation_id != organisation.pk:
            raise _refuse(
                FeedbackError.WRONG_ORGANISATION, _("Choose one of your organisation's own"), name
            )
    if values.about == About.STAFF and values.staff_member is None and not named:
        raise _refuse(
            FeedbackError.NAMED_PERSON,
            _("Select the member of staff it is about, or enter their name"),
            "staff_member",
        )
    characteristic = values.characteristic or ""
    if characteristic and characteristic not in Characteristic.values:
        raise _refuse(
            FeedbackError.REQUIRED, _("Select the protected characteristic"), "characteristic"
        )
    if values.unequal_treatment and not characteristic:
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Select the protected characteristic the unequal treatment was about"),
            "characteristic",
        )
    if not values.unequal_treatment:
        characteristic = ""
    points = [
        _text(point, label=_("each point of complaint"), field_name="points", limit=POINT_LIMIT)
        for point in values.points
    ]
    points = [point for point in points if point]
    if len(points) > POINTS_LIMIT:
        raise _refuse(
            FeedbackError.TOO_LONG,
            _("Enter %(limit)s points of complaint or fewer") % {"limit": POINTS_LIMIT},
            "points",
        )
    if values.kind == Kind.COMPLAINT and not points:
        summary = " ".join(what.split())
        points = [summary if len(summary) <= POINT_LIMIT else summary[: POINT_LIMIT - 1] + "…"]
    received = values.received_at or timezone.now()
    if received > timezone.now() + datetime.timedelta(minutes=5):
        raise _refuse(
            FeedbackError.REQUIRED, _("The date received must be in the past"), "received_at"
        )
    return FeedbackInput(
        kind=values.kind,
        what_happened=what,
        channel=values.channel,
        about=values.about,
        service=values.service,
        staff_member=values.staff_member if values.about == About.STAFF else None,
        staff_named=named if values.about == About.STAFF else "",
        wanted=wanted,
        unequal_treatment=values.unequal_treatment,
        characteristic=characteristic,
        impolite_treatment=values.impolite_treatment,
        lead_service=values.lead_service,
        points=tuple(points) if values.kind == Kind.COMPLAINT else (),
        received_at=received,
    )


def record_feedback(
    organisation: Organisation,
    *,
    by: User | None,
    customer: Customer | None,
    values: FeedbackInput,
    ip_address: str | None = None,
) -> Feedback:
    """Take feedback (any route): a contact logged, the record with its reference, and for a
    complaint the first stage of the organisation's procedure with its deadlines."""
    if customer is not None and customer.organisation_id != organisation.pk:
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION, _("Choose one of your own customers"), "customer"
        )
    values = _clean(organisation, values)
    at = values.received_at or timezone.now()
    is_complaint = values.kind == Kind.COMPLAINT
    procedure = queries.procedure_of(organisation) if is_complaint else None
    kind_label = str(Kind(values.kind).label)
    with transaction.atomic():
        reference = references.next_reference(
            organisation,
            REFERENCE_PREFIX if is_complaint else OTHER_PREFIX,
            timezone.localdate(at).year,
        )
        contact = contact_services.log_contact(
            organisation,
            by=by,
            customer=customer,
            values=contact_services.ContactInput(
                channel=values.channel,
                direction=Direction.INBOUND,
                service=values.service,
                received_at=at,
                outcome=ContactOutcome.REQUEST_RAISED,
                # A complaint about a member of staff is not named where they could read it.
                notes=_("Feedback recorded")
                if values.about == About.STAFF
                else _("%(kind)s %(reference)s recorded")
                % {"kind": kind_label, "reference": reference},
                # A restriction on the customer's contact limits how, never whether, they
                # may complain or comment (``services.restrictions``).
                restriction_reason=_("Feedback taken: a restriction never stops feedback"),
            ),
        )
        feedback = Feedback(
            organisation=organisation,
            reference=reference,
            kind=values.kind,
            about=values.about,
            service=values.service,
            lead_service=values.lead_service,
            staff_member=values.staff_member,
            staff_named=values.staff_named,
            what_happened=values.what_happened,
            wanted=values.wanted,
            channel=values.channel,
            customer=customer,
            contact=contact,
            received_at=at,
            unequal_treatment=values.unequal_treatment,
            characteristic=values.characteristic,
            impolite_treatment=values.impolite_treatment,
            about_staff=values.about == About.STAFF,
            procedure=procedure.preset if procedure is not None else "",
            recorded_by=by,
        )
        stage = None
        if procedure is not None:
            feedback.current_stage = procedure.stages[0].stage
        feedback.save(force_insert=True)
        if procedure is not None:
            stage = _open_stage(feedback, procedure.stages[0], at)
            for position, summary in enumerate(values.points, start=1):
                ComplaintPoint(
                    organisation=organisation,
                    feedback=feedback,
                    position=position,
                    summary=summary,
                ).save(force_insert=True)
        _event(
            feedback,
            EventCode.RECORDED,
            by,
            kind=values.kind,
            channel=values.channel,
            stage=stage.label if stage is not None else "",
            due_at=_iso(stage.due_at) if stage is not None else None,
        )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=feedback,
            summary=f"{kind_label} {reference} recorded",
            changes={
                "kind": values.kind,
                "channel": values.channel,
                "customer": customer.pk if customer is not None else None,
                "contact": contact.pk,
                "procedure": feedback.procedure,
                "about_staff": feedback.about_staff,
            },
            ip_address=ip_address,
        )
    return feedback


# --- acknowledging -------------------------------------------------------------------------------
def acknowledge(feedback: Feedback, *, by: User | None) -> Feedback:
    """Acknowledge the feedback to the customer.  For a complaint, the current stage's
    acknowledgement is recorded, and a response clock counted from the acknowledgement starts
    now; the customer is told the date."""
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status == Status.CLOSED:
            raise _refuse(FeedbackError.CLOSED, _("It is closed: it cannot be acknowledged"))
        _refuse_unclassified(feedback)
        now = timezone.now()
        if not feedback.is_complaint:
            if feedback.acknowledged_at is not None:
                raise _refuse(
                    FeedbackError.ALREADY_ACKNOWLEDGED, _("It has already been acknowledged")
                )
            feedback.acknowledged_at = now
            feedback.save(update_fields=["acknowledged_at", "updated_at"])
            message = _tell_customer(feedback, Event.FEEDBACK_ACKNOWLEDGEMENT, by=by)
            _event(feedback, EventCode.ACKNOWLEDGED, by, message=message)
            _audit(
                feedback,
                by=by,
                action=AuditAction.CHANGED,
                summary=f"{feedback.reference} acknowledged",
                acknowledged_at=_iso(now),
            )
            return feedback
        stage = _current(feedback)
        if stage.acknowledged_at is not None:
            raise _refuse(
                FeedbackError.ALREADY_ACKNOWLEDGED,
                _("%(stage)s has already been acknowledged") % {"stage": stage.label.capitalize()},
            )
        stage.acknowledged_at = now
        if stage.owner is None:
            _give_stage_owner(feedback, stage, by)
        if stage.response_from == ClockFrom.ACKNOWLEDGEMENT:
            stage.response_due_at = _working_days(feedback.organisation, now, stage.response_days)
        stage.save(update_fields=["acknowledged_at", "owner", "team", "response_due_at"])
        message = _tell_customer(
            feedback,
            Event.COMPLAINT_ACKNOWLEDGEMENT,
            by=by,
            stage=stage.label,
            deadline=stage.response_due_at,
        )
        _event(
            feedback,
            EventCode.ACKNOWLEDGED,
            by,
            stage=stage.label,
            due_at=_iso(stage.response_due_at),
            late=bool(stage.ack_due_at and now > stage.ack_due_at),
            message=message,
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} acknowledged at {stage.label}",
            stage=stage.stage,
            acknowledged_at=_iso(now),
            response_due_at=_iso(stage.response_due_at),
        )
    return feedback


# --- extending -----------------------------------------------------------------------------------
def extend(feedback: Feedback, *, by: User | None, days: int, reason: str) -> ComplaintStage:
    """Extend the current stage's deadline once, by at most what the procedure allows, with a
    reason; the customer is told the new date (and the ombudsman they may go to)."""
    reason = _text(
        reason,
        label=_("the reason for the extension"),
        field_name="reason",
        limit=TEXT_LIMIT,
        required=True,
    )
    with transaction.atomic():
        feedback = _locked(feedback)
        stage = _open_complaint(feedback)
        if stage.responded_at is not None:
            raise _refuse(
                FeedbackError.ALREADY_RESPONDED,
                _("%(stage)s has been answered: there is nothing to extend")
                % {"stage": stage.label.capitalize()},
            )
        if stage.is_extended:
            raise _refuse(
                FeedbackError.ALREADY_EXTENDED,
                _("%(stage)s has already been extended once: the procedure allows one extension")
                % {"stage": stage.label.capitalize()},
                "days",
            )
        if stage.extension_days == 0:
            raise _refuse(
                FeedbackError.EXTENSION_TOO_LONG,
                _("The procedure allows no extension at %(stage)s") % {"stage": stage.label},
                "days",
            )
        if not 1 <= days <= stage.extension_days:
            raise _refuse(
                FeedbackError.EXTENSION_TOO_LONG,
                _(
                    "Enter a number of working days from 1 to %(limit)s: the procedure allows at "
                    "most %(limit)s more at %(stage)s"
                )
                % {"limit": stage.extension_days, "stage": stage.label},
                "days",
            )
        if stage.response_due_at is None:
            raise _refuse(
                FeedbackError.NOT_ACKNOWLEDGED,
                _(
                    "Acknowledge the complaint first: its deadline is counted from the "
                    "acknowledgement"
                ),
            )
        now = timezone.now()
        stage.extended_due_at = _working_days(feedback.organisation, stage.response_due_at, days)
        stage.extension_reason = reason
        stage.extended_at = now
        stage.save(update_fields=["extended_due_at", "extension_reason", "extended_at"])
        ombudsman = OMBUDSMEN.get(feedback.organisation.nation, "")
        message = _tell_customer(
            feedback,
            Event.COMPLAINT_EXTENSION,
            by=by,
            stage=stage.label,
            deadline=stage.extended_due_at,
            reason=reason,
            ombudsman=_("If you are unhappy with the delay you can contact %(ombudsman)s.")
            % {"ombudsman": ombudsman}
            if ombudsman
            else "",
        )
        _event(
            feedback,
            EventCode.EXTENDED,
            by,
            stage=stage.label,
            days=days,
            reason=reason,
            due_at=_iso(stage.extended_due_at),
            message=message,
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} extended by {days} working days",
            stage=stage.stage,
            due_at=[_iso(stage.response_due_at), _iso(stage.extended_due_at)],
            reason=reason,
        )
    return stage


# --- escalating ----------------------------------------------------------------------------------
def escalate(feedback: Feedback, *, by: User | None, reason: str) -> ComplaintStage:
    """Take the complaint to the procedure's next stage at the customer's request, with their
    reasons: once the current stage is answered, or its deadline has passed unanswered."""
    reason = _text(
        reason,
        label=_("why the customer wants it escalated"),
        field_name="reason",
        limit=TEXT_LIMIT,
        required=True,
    )
    with transaction.atomic():
        feedback = _locked(feedback)
        stage = _open_complaint(feedback)
        now = timezone.now()
        due = stage.due_at
        if stage.responded_at is None and (due is None or due >= now):
            raise _refuse(
                FeedbackError.NOT_RESPONDED,
                _("%(stage)s has not been answered yet and is not overdue: answer it first")
                % {"stage": stage.label.capitalize()},
            )
        rule = _next_rule(feedback, stage.stage)
        if rule is None:
            raise _refuse(
                FeedbackError.NO_FURTHER_STAGE,
                _(
                    "%(stage)s is the last stage of the procedure: the customer can go to "
                    "%(ombudsman)s"
                )
                % {
                    "stage": stage.label.capitalize(),
                    "ombudsman": OMBUDSMEN.get(feedback.organisation.nation, _("the ombudsman")),
                },
            )
        new = _open_stage(feedback, rule, now, reason=reason)
        feedback.current_stage = new.stage
        feedback.status = Status.OPEN
        feedback.save(update_fields=["current_stage", "status", "updated_at"])
        _event(
            feedback,
            EventCode.ESCALATED,
            by,
            stage=new.label,
            reason=reason,
            due_at=_iso(new.due_at),
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} escalated to {new.label}",
            stage=[stage.stage, new.stage],
            reason=reason,
        )
    return new


def _next_rule(feedback: Feedback, number: int) -> procedures.StageRule | None:
    """The stage after ``number`` under the preset the complaint was received under (so a
    changed procedure never changes a complaint's route half way)."""
    if feedback.procedure in procedures.PRESETS:
        own = queries.procedure_of(feedback.organisation)
        rules = (
            own.stages
            if own.preset == feedback.procedure
            else procedures.stages_of(feedback.procedure)
        )
    else:  # pragma: no cover - every complaint records its preset
        rules = queries.procedure_of(feedback.organisation).stages
    return next((rule for rule in rules if rule.stage > number), None)


# --- answering -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointDecision:
    outcome: str = ""
    remedy: str = Remedy.NONE
    remedy_detail: str = ""
    amount: Decimal | None = None


def _decisions(
    points: list[ComplaintPoint], decisions: Mapping[int, PointDecision]
) -> dict[int, PointDecision]:
    cleaned: dict[int, PointDecision] = {}
    for point in points:
        decision = decisions.get(point.pk)
        name = f"point_{point.pk}"
        if decision is None or decision.outcome not in PointOutcome.values:
            raise _refuse(
                FeedbackError.OUTCOME_PER_POINT,
                _("Select an outcome for point %(position)s: %(summary)s")
                % {"position": point.position, "summary": point.summary[:80]},
                f"{name}_outcome",
            )
        remedy = decision.remedy or Remedy.NONE
        if remedy not in Remedy.values:
            raise _refuse(
                FeedbackError.REQUIRED, _("Select the remedy from the list"), f"{name}_remedy"
            )
        detail = _text(
            decision.remedy_detail, label=_("the remedy"), field_name=f"{name}_detail", limit=2_000
        )
        amount = decision.amount
        if remedy == Remedy.FINANCIAL:
            if amount is None or amount <= 0:
                raise _refuse(
                    FeedbackError.AMOUNT_REQUIRED,
                    _("Enter the amount of the financial redress for point %(position)s")
                    % {"position": point.position},
                    f"{name}_amount",
                )
            if amount > AMOUNT_LIMIT:
                raise _refuse(
                    FeedbackError.TOO_LONG,
                    _("The amount must be £%(limit)s or less") % {"limit": f"{AMOUNT_LIMIT:,}"},
                    f"{name}_amount",
                )
        else:
            amount = None
        cleaned[point.pk] = PointDecision(decision.outcome, remedy, detail, amount)
    return cleaned


def _outcome_text(points: list[ComplaintPoint], decisions: dict[int, PointDecision]) -> str:
    lines = []
    for point in points:
        decision = decisions[point.pk]
        line = f"{point.position}. {point.summary}: {PointOutcome(decision.outcome).label}"
        if decision.remedy != Remedy.NONE:
            remedy = str(Remedy(decision.remedy).label)
            if decision.amount is not None:
                remedy = f"{remedy} of £{decision.amount:,.2f}"
            if decision.remedy_detail:
                remedy = f"{remedy} ({decision.remedy_detail})"
            line = f"{line}. {remedy}"
        lines.append(line)
    return "\n".join(lines)


def default_appeal_route(feedback: Feedback) -> str:
    """What the customer can do next if not satisfied (pre-filled on the response page)."""
    stage = queries.current_stage(feedback)
    following = _next_rule(feedback, stage.stage) if stage is not None else None
    if following is not None:
        return _(
            "You can ask us to look at your complaint again at %(stage)s. Tell us why you are "
            "not satisfied, quoting %(reference)s."
        ) % {"stage": following.label, "reference": feedback.reference}
    ombudsman = OMBUDSMEN.get(feedback.organisation.nation, _("the ombudsman"))
    return _("This is our final answer. You can ask %(ombudsman)s to look at your complaint.") % {
        "ombudsman": ombudsman
    }


def respond(
    feedback: Feedback,
    *,
    by: User | None,
    findings: str,
    decisions: Mapping[int, PointDecision],
    appeal_route: str,
    outstanding_reason: str = "",
) -> ComplaintStage:
    """Answer the current stage: what was found, the outcome of every point of complaint and
    any remedy, and the next route of appeal, sent to the customer.  Refused while other
    services' contributions are outstanding, unless ``outstanding_reason`` says why."""
    findings = _text(
        findings, label=_("what was found"), field_name="findings", limit=TEXT_LIMIT, required=True
    )
    appeal_route = _text(
        appeal_route,
        label=_("the route of appeal"),
        field_name="appeal_route",
        limit=2_000,
        required=True,
    )
    with transaction.atomic():
        feedback = _locked(feedback)
        stage = _open_complaint(feedback)
        if stage.responded_at is not None:
            raise _refuse(
                FeedbackError.ALREADY_RESPONDED,
                _("%(stage)s has already been answered") % {"stage": stage.label.capitalize()},
            )
        outstanding, without = _outstanding_contributions(feedback, outstanding_reason)
        points = queries.points_of(feedback)
        cleaned = _decisions(points, decisions)
        now = timezone.now()
        for point in points:
            decision = cleaned[point.pk]
            point.outcome = decision.outcome
            point.remedy = decision.remedy
            point.remedy_detail = decision.remedy_detail
            point.amount = decision.amount
            point.save(update_fields=["outcome", "remedy", "remedy_detail", "amount"])
        stage.responded_at = now
        stage.findings = findings
        stage.appeal_route = appeal_route
        if stage.owner is None:
            _give_stage_owner(feedback, stage, by)
        stage.point_outcomes = [
            {
                "point": point.position,
                "summary": point.summary,
                "outcome": cleaned[point.pk].outcome,
                "remedy": cleaned[point.pk].remedy,
                "amount": str(cleaned[point.pk].amount)
                if cleaned[point.pk].amount is not None
                else None,
            }
            for point in points
        ]
        stage.save(
            update_fields=[
                "responded_at",
                "findings",
                "appeal_route",
                "owner",
                "team",
                "point_outcomes",
            ]
        )
        feedback.status = Status.RESPONDED
        feedback.save(update_fields=["status", "updated_at"])
        message = _tell_customer(
            feedback,
            Event.COMPLAINT_RESPONSE,
            by=by,
            stage=stage.label,
            response_text=f"{findings}\n\n{_outcome_text(points, cleaned)}",
            appeal_route=appeal_route,
        )
        due = stage.due_at
        _event(
            feedback,
            EventCode.RESPONDED,
            by,
            stage=stage.label,
            on_time=bool(due is None or clock.is_met(now, due)),
            message=message,
            outstanding_contributions=outstanding,
            outstanding_reason=without,
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} answered at {stage.label}",
            stage=stage.stage,
            outcomes=stage.point_outcomes,
            outstanding_contributions=outstanding,
            outstanding_reason=without,
        )
    return stage


def _outstanding_contributions(feedback: Feedback, reason: str) -> tuple[int, str]:
    """How many contributions other services still owe (a cross-service complaint), refused
    unless the lead says why it answers without them; returns (outstanding, reason)."""
    reason = _text(
        reason,
        label=_("why you are answering without every contribution"),
        field_name="outstanding_reason",
        limit=TEXT_LIMIT,
    )
    outstanding = procedure_queries.outstanding_count(feedback)
    if outstanding and not reason:
        raise _refuse(
            FeedbackError.CONTRIBUTIONS_OUTSTANDING,
            _(
                "%(count)s contribution(s) from other services are outstanding: wait for them, "
                "or say why you are answering without them"
            )
            % {"count": outstanding},
            "outstanding_reason",
        )
    return outstanding, reason if outstanding else ""


# --- closing -------------------------------------------------------------------------------------
def close(feedback: Feedback, *, by: User | None) -> Feedback:
    """Close an answered complaint (it can no longer be escalated)."""
    with transaction.atomic():
        feedback = _locked(feedback)
        _open_complaint(feedback)
        if feedback.status != Status.RESPONDED:
            raise _refuse(
                FeedbackError.NOT_RESPONDED,
                _("Answer the complaint before closing it, or close it as outside the procedure"),
            )
        feedback.status = Status.CLOSED
        feedback.closed_as = ClosedAs.ANSWERED
        feedback.closed_at = timezone.now()
        feedback.save(update_fields=["status", "closed_as", "closed_at", "updated_at"])
        _event(feedback, EventCode.CLOSED, by, closed_as=feedback.closed_as)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} closed",
            status="closed",
        )
        # The complainant's satisfaction survey (fb-after): ``services.survey``.
        from onestop.feedback.services import survey

        survey.send_after_closure(feedback, by=by)
    return feedback


def close_outside_procedure(
    feedback: Feedback, *, by: User | None, route: str, signposting: str
) -> Feedback:
    """Close a complaint that belongs to another route (a planning appeal, a tribunal, the
    statutory social care procedure...), telling the customer where to go."""
    if route not in AlternativeRoute.values:
        raise _refuse(
            FeedbackError.REQUIRED, _("Select where the complaint belongs instead"), "route"
        )
    signposting = _text(
        signposting,
        label=_("what the customer is told"),
        field_name="signposting",
        limit=TEXT_LIMIT,
        required=True,
    )
    with transaction.atomic():
        feedback = _locked(feedback)
        stage = _open_complaint(feedback)
        now = timezone.now()
        feedback.status = Status.CLOSED
        feedback.closed_as = ClosedAs.OUTSIDE
        feedback.closed_at = now
        feedback.alternative_route = route
        feedback.signposting = signposting
        feedback.save(
            update_fields=[
                "status",
                "closed_as",
                "closed_at",
                "alternative_route",
                "signposting",
                "updated_at",
            ]
        )
        message = _tell_customer(
            feedback,
            Event.COMPLAINT_RESPONSE,
            by=by,
            stage=stage.label,
            response_text=signposting,
            appeal_route=str(AlternativeRoute(route).label),
        )
        _event(feedback, EventCode.OUTSIDE, by, route=route, message=message)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference} closed as outside the procedure",
            route=route,
        )
    return feedback


# --- comments, compliments and suggestions -------------------------------------------------------
def _service_managers(feedback: Feedback) -> list[User]:
    """The team leaders and managers in the teams of the feedback's service."""
    if feedback.service_id is None:
        return []
    members = TeamMembership.objects.for_organisation(feedback.organisation_id).filter(
        team__service_id=feedback.service_id
    )
    return list(
        User.objects.filter(
            pk__in=members.values("user_id"),
            organisation_id=feedback.organisation_id,
            is_active=True,
            roles__code__in=sorted(queries.MANAGER_ROLES),
            roles__organisation_id=feedback.organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def pass_on(feedback: Feedback, *, by: User | None) -> list[User]:
    """Pass a comment, compliment or suggestion to the member of staff named and their
    managers, else to the service's team leaders and managers; it is then closed."""
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.is_complaint:
            raise _refuse(
                FeedbackError.NOT_A_COMPLAINT,
                _("A complaint is answered through the procedure, not passed on"),
            )
        if feedback.status == Status.CLOSED:
            raise _refuse(FeedbackError.CLOSED, _("It has already been passed on or closed"))
        _refuse_unclassified(feedback)
        recipients: list[User] = []
        if feedback.staff_member is not None:
            recipients = [feedback.staff_member, *queries.managers_of(feedback.staff_member)]
        else:
            recipients = _service_managers(feedback)
        recipients = list({person.pk: person for person in recipients}.values())
        if not recipients:
            raise _refuse(
                FeedbackError.REQUIRED,
                _(
                    "There is nobody to pass it to: it names no member of staff, and its service "
                    "has no team leader or manager"
                ),
            )
        summary = " ".join(feedback.what_happened.split())[:500]
        context = {**queries.message_context(feedback), "summary": summary}
        for person in recipients:
            compose.message_to_staff(
                organisation_id=feedback.organisation_id,
                user=person,
                event=Event.FEEDBACK_PASSED_ON,
                context=context,
                kind=RecipientKind.STAFF,
            )
        now = timezone.now()
        feedback.passed_on_at = now
        feedback.status = Status.CLOSED
        feedback.closed_as = ClosedAs.PASSED_ON
        feedback.closed_at = now
        feedback.save(
            update_fields=["passed_on_at", "status", "closed_as", "closed_at", "updated_at"]
        )
        names = [person.display_name for person in recipients]
        _event(feedback, EventCode.PASSED_ON, by, to=names)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"{feedback.reference} passed on to {len(names)} staff",
            to=[person.pk for person in recipients],
        )
    return recipients


# --- the public form -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicFeedback:
    """What a resident typed into the public form (``/feedback/o/<organisation>/``)."""

    kind: str
    what_happened: str
    about: str = About.SERVICE
    service: Service | None = None
    staff_named: str = ""
    wanted: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    # The language the resident used (``customers.models.Language``), recorded on the customer
    # record a name makes, so the answers follow it.
    language: str = CustomerLanguage.ENGLISH


def name_problem(given_name: str, family_name: str, *, reply_to: bool) -> ServiceError | None:
    """What is wrong with the resident's name, if anything (the form asks the same question).
    A name is optional; a name given makes a customer record, which needs both names; an e-mail
    address or phone number needs a name, so the council knows whom it is answering."""
    if reply_to and not (given_name or family_name):
        return _refuse(
            FeedbackError.REQUIRED,
            _("Enter your name so that we know who to reply to"),
            "given_name",
        )
    if given_name and not family_name:
        return _refuse(FeedbackError.REQUIRED, _("Enter your last name"), "family_name")
    if family_name and not given_name:
        return _refuse(FeedbackError.REQUIRED, _("Enter your first name"), "given_name")
    return None


def new_customer(
    organisation: Organisation,
    *,
    by: User | None,
    name: tuple[str, str],
    email: str,
    phone: str,
    language: str = "en",
) -> Customer:
    """A new customer record for someone who gave their name (and perhaps a way to reply) from
    outside the desk: the public form, a councillor for a constituent.  Never matched to an
    existing record here; the desk's duplicate check and merge join them later."""
    given, family = name
    return customer_services.create_customer(
        organisation,
        by=by,
        details=customer_services.CustomerDetails(
            given_name=given,
            family_name=family,
            preferred_channel=PreferredChannel.EMAIL
            if email
            else PreferredChannel.TELEPHONE
            if phone
            else PreferredChannel.NO_PREFERENCE,
            language=CustomerLanguage.WELSH
            if language == CustomerLanguage.WELSH
            else CustomerLanguage.ENGLISH,
        ),
        contact_details=customer_services.ContactDetails(
            phones=(phone,) if phone else (), emails=(email,) if email else ()
        ),
    )


def submit_public_feedback(
    organisation: Organisation, *, values: PublicFeedback, ip_address: str | None = None
) -> Feedback:
    """A resident's comment, compliment, complaint or suggestion from the public form: their
    customer record (only when they gave a name; never matched to an existing one, as the
    public cannot prove who they are), a web-form contact, and the record, by the public
    (``by=None``) with the sender's address on the audit record."""
    given = visible(_text(values.given_name, label=_("your first name"),
                          field_name="given_name", limit=100))  # fmt: skip
    family = visible(_text(values.family_name, label=_("your last name"),
                           field_name="family_name", limit=100))  # fmt: skip
    email = _text(values.email, label=_("your email address"), field_name="email", limit=254)
    phone = _text(values.phone, label=_("your phone number"), field_name="phone", limit=30)
    if email:
        email = customer_services.clean_email(email)
    if phone:
        phone = customer_services.clean_phone(phone)
    refused = name_problem(given, family, reply_to=bool(email or phone))
    if refused is not None:
        raise refused
    if values.kind not in Kind.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select what you want to tell us"), "kind")
    feedback_values = FeedbackInput(
        kind=values.kind,
        what_happened=values.what_happened,
        channel=Channel.WEB_FORM,
        about=values.about,
        service=values.service,
        staff_named=values.staff_named,
        wanted=values.wanted,
    )
    _clean(organisation, feedback_values)  # refused before anything is written
    with transaction.atomic():
        customer = None
        if given or family:
            customer = new_customer(organisation, by=None, name=(given, family),
                                    email=email, phone=phone,
                                    language=values.language)  # fmt: skip
        return record_feedback(
            organisation,
            by=None,
            customer=customer,
            values=feedback_values,
            ip_address=ip_address,
        )


INFORMATION_LIMIT = 5_000


def add_public_information(
    feedback: Feedback, *, text: str, ip_address: str | None = None
) -> FeedbackEvent:
    """More information from the resident on their open feedback, sent from its page on the
    residents' site (reached with its reference and a second detail, or through "Your
    requests"): added to its timeline as a message from the customer, logged as a web-form
    contact, and audited with the sender's address, in one transaction.  Closed feedback is
    refused and nothing is written (the resident raises new feedback instead)."""
    text = (text or "").strip()
    if not text:
        raise _refuse(FeedbackError.REQUIRED, _("Enter the information you want to add"), "text")
    text = _text(text, label=_("the information"), field_name="text", limit=INFORMATION_LIMIT)
    if not feedback.is_open:
        raise _refuse(
            FeedbackError.CLOSED,
            _("This is closed, so you cannot add to it. Tell us again with a new form instead"),
        )
    with transaction.atomic():
        contact = contact_services.log_contact(
            feedback.organisation,
            by=None,
            customer=feedback.customer,
            values=contact_services.ContactInput(
                channel=Channel.WEB_FORM,
                direction=Direction.INBOUND,
                service=feedback.service,
                about_reference=feedback.reference,
                notes=_("More information added online to %(reference)s")
                % {"reference": feedback.reference},
            ),
        )
        event = _event(
            feedback,
            EventCode.INFORMATION_ADDED,
            None,
            text=text,
            from_customer=True,
            channel=Channel.WEB_FORM,
            contact=contact.pk,
        )
        audit.record(
            organisation=feedback.organisation_id,
            by=None,
            action=AuditAction.CHANGED,
            obj=feedback,
            summary=f"More information added to {feedback.reference} on the residents' site",
            changes={"event": event.pk, "contact": contact.pk},
            ip_address=ip_address,
        )
    return event


def save_public_equality(feedback: Feedback, *, answers: Mapping[str, str]) -> Feedback:
    """The resident's optional equality answers, kept with their customer record as the
    customers capability keeps them (never on the feedback); anonymous feedback has no record
    to keep them with."""
    if feedback.customer is None:
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Equality questions are asked only when you give your name"),
        )
    customer_services.save_equality_monitoring(feedback.customer, by=None, answers=dict(answers))
    return feedback


def record_feedback_viewed(feedback: Feedback, *, by: User, ip_address: str | None = None) -> None:
    """Audit one reading of a feedback record (what the customer said is personal data, and a
    complaint may be about a named member of staff): who, when, from where."""
    with transaction.atomic():
        audit.viewed(
            feedback,
            by=by,
            ip_address=ip_address,
            summary=f"Feedback {feedback.reference} viewed",
        )
