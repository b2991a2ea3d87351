"""Issue 15's procedural steps on a complaint: contributions from other services to a
cross-service complaint, reassigning a stage's owner, and feedback a councillor records for a
constituent.  Each checks everything first, writes in one transaction with an audit record and
a timeline event, and refuses with a ``ServiceError`` naming the field (nothing changed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts.models import Channel
from onestop.core import permissions
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers import services as customer_services
from onestop.directory.models import Service, Team, TeamMembership
from onestop.feedback import queries
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import TEXT_LIMIT, ComplaintStage, Feedback, Kind
from onestop.feedback.procedure_models import Contribution, CouncillorSubmission
from onestop.feedback.queries import procedure as procedure_queries
from onestop.feedback.services import (
    FeedbackInput,
    _audit,
    _event,
    _give_stage_owner,
    _locked,
    _open_complaint,
    _refuse,
    _text,
    name_problem,
    new_customer,
    record_feedback,
)
from onestop.notify.models import Event, RecipientKind
from onestop.notify.services import compose

CONTRIBUTION_DAYS_LIMIT = 60


class ProcedureEvent:
    CONTRIBUTION_ASKED = "contribution-asked"
    CONTRIBUTED = "contributed"
    OWNER_CHANGED = "owner-changed"
    COUNCILLOR = "councillor-submitted"


# --- contributions to a cross-service complaint --------------------------------------------------
def _contributors(organisation_id: int, service: Service, team: Team | None) -> list[User]:
    """Team leaders and managers of the team asked, else of the service's teams."""
    members = TeamMembership.objects.for_organisation(organisation_id)
    members = (
        members.filter(team=team) if team is not None else members.filter(team__service=service)
    )
    return list(
        User.objects.filter(
            pk__in=members.values("user_id"),
            organisation_id=organisation_id,
            is_active=True,
            roles__code__in=sorted(queries.MANAGER_ROLES),
            roles__organisation_id=organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def request_contribution(
    feedback: Feedback,
    *,
    by: User,
    service: Service | None,
    team: Team | None,
    question: str,
    due_on: datetime.date | None,
) -> Contribution:
    """Ask another service (or one of its teams) for its part of the lead service's single
    answer, by a date; its team leaders and managers are told."""
    question = _text(
        question,
        label=_("what the service is asked"),
        field_name="question",
        limit=TEXT_LIMIT,
        required=True,
    )
    if service is None:
        raise _refuse(
            FeedbackError.REQUIRED, _("Select the service asked to contribute"), "service"
        )
    if service.organisation_id != feedback.organisation_id:
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION, _("Choose one of your organisation's own"), "service"
        )
    if team is not None and (
        team.organisation_id != feedback.organisation_id or team.service_id != service.pk
    ):
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION, _("Choose a team of the service asked"), "team"
        )
    today = timezone.localdate()
    if due_on is None:
        raise _refuse(FeedbackError.BAD_DATE, _("Enter the date the contribution is due"), "due_on")
    if due_on < today or (due_on - today).days > CONTRIBUTION_DAYS_LIMIT:
        raise _refuse(
            FeedbackError.BAD_DATE,
            _("The due date must be between today and %(limit)s days from now")
            % {"limit": CONTRIBUTION_DAYS_LIMIT},
            "due_on",
        )
    with transaction.atomic():
        feedback = _locked(feedback)
        _open_complaint(feedback)
        lead = procedure_queries.lead_service(feedback)
        if lead is None:
            raise _refuse(
                FeedbackError.NO_LEAD_SERVICE,
                _("Record the service the complaint is about first: it leads the answer"),
                "service",
            )
        if lead.pk == service.pk:
            raise _refuse(
                FeedbackError.REQUIRED,
                _("%(service)s leads the answer: ask another service") % {"service": lead.name},
                "service",
            )
        row = Contribution(
            organisation_id=feedback.organisation_id,
            feedback=feedback,
            service=service,
            team=team,
            question=question,
            due_on=due_on,
            requested_by=by,
            requested_at=timezone.now(),
        )
        row.save(force_insert=True)
        people = _contributors(feedback.organisation_id, service, team)
        for person in people:
            compose.message_to_staff(
                organisation_id=feedback.organisation_id,
                user=person,
                event=Event.CONTRIBUTION_REQUEST,
                context={
                    "reference": feedback.reference,
                    "service": service.name,
                    "lead_service": lead.name,
                    "question": question,
                    "due_date": due_on,
                },
                kind=RecipientKind.STAFF,
            )
        _event(
            feedback,
            ProcedureEvent.CONTRIBUTION_ASKED,
            by,
            service=service.name,
            due_on=due_on.isoformat(),
            told=len(people),
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Contribution to {feedback.reference} asked of {service.name}",
            contribution=row.pk,
            service=service.pk,
            team=team.pk if team is not None else None,
            due_on=due_on.isoformat(),
        )
    return row


def record_contribution(contribution: Contribution, *, by: User, text: str) -> Contribution:
    """The contributing service's text, recorded by one of its staff who handle complaints (or
    a complaints officer recording what the service sent)."""
    text = _text(
        text, label=_("the contribution"), field_name="text", limit=TEXT_LIMIT, required=True
    )
    if not procedure_queries.may_contribute(by, contribution):
        raise _refuse(
            FeedbackError.NOT_CONTRIBUTOR,
            _("Only the service asked, or a complaints officer, records its contribution"),
        )
    with transaction.atomic():
        feedback = _locked(contribution.feedback)
        _open_complaint(feedback)
        row: Contribution = (
            Contribution.objects.for_organisation(feedback.organisation_id)
            .select_for_update(of=("self",))
            .select_related("service")
            .get(pk=contribution.pk)
        )
        if row.contributed_at is not None:
            raise _refuse(
                FeedbackError.ALREADY_CONTRIBUTED, _("This contribution has already been recorded")
            )
        row.text = text
        row.contributed_by = by
        row.contributed_at = timezone.now()
        row.save(update_fields=["text", "contributed_by", "contributed_at"])
        _event(feedback, ProcedureEvent.CONTRIBUTED, by, service=row.service.name)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Contribution to {feedback.reference} from {row.service.name} recorded",
            contribution=row.pk,
            on_time=row.contributed_at.date() <= row.due_on,
        )
    return row


# --- a stage's owner -----------------------------------------------------------------------------
def reassign_owner(
    feedback: Feedback, *, by: User, owner: User | None, reason: str
) -> ComplaintStage:
    """Give the current stage a new owner, who must hold at least the rank the stage needs
    (informal: front line or team leader; stage 1: an operational manager; stage 2: the head
    of the service), may read the complaint and is not the person it is about."""
    reason = _text(
        reason,
        label=_("why the owner changes"),
        field_name="reason",
        limit=TEXT_LIMIT,
        required=True,
    )
    if owner is None:
        raise _refuse(FeedbackError.REQUIRED, _("Select the new owner"), "owner")
    if owner.organisation_id != feedback.organisation_id or not owner.is_active:
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION,
            _("Choose one of your organisation's own staff"),
            "owner",
        )
    with transaction.atomic():
        feedback = _locked(feedback)
        stage = _open_complaint(feedback)
        if stage.responded_at is not None:
            raise _refuse(
                FeedbackError.ALREADY_RESPONDED,
                _("%(stage)s has been answered: escalate it to give the next stage an owner")
                % {"stage": stage.label.capitalize()},
            )
        if stage.owner_id == owner.pk:
            raise _refuse(
                FeedbackError.SAME_OWNER,
                _("%(name)s already owns %(stage)s")
                % {"name": owner.display_name, "stage": stage.label},
                "owner",
            )
        if (
            feedback.staff_member_id == owner.pk
            or not queries.feedback_for(owner).filter(pk=feedback.pk).exists()
        ):
            raise _refuse(
                FeedbackError.OWNER_RANK,
                _("%(name)s may not see this complaint: choose someone who may")
                % {"name": owner.display_name},
                "owner",
            )
        needed = procedure_queries.required_rank(feedback, stage)
        held = procedure_queries.rank_of(owner, feedback)
        if held < needed:
            raise _refuse(
                FeedbackError.OWNER_RANK,
                _("%(stage)s must be owned by at least %(rank)s: %(name)s is %(held)s")
                % {
                    "stage": stage.label.capitalize(),
                    "rank": procedure_queries.RANK_LABELS[needed],
                    "name": owner.display_name,
                    "held": procedure_queries.RANK_LABELS[held],
                },
                "owner",
            )
        before = stage.owner
        _give_stage_owner(feedback, stage, owner)  # the stage moves to the new owner's team
        stage.save(update_fields=["owner", "team"])
        _event(
            feedback,
            ProcedureEvent.OWNER_CHANGED,
            by,
            stage=stage.label,
            to=owner.display_name,
            before=before.display_name if before is not None else "",
            reason=reason,
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Owner of {stage.label} of {feedback.reference} changed",
            stage=stage.stage,
            owner=[before.pk if before is not None else None, owner.pk],
            reason=reason,
        )
    return stage


# --- a councillor's feedback for a constituent ---------------------------------------------------
@dataclass(frozen=True)
class CouncillorFeedback:
    kind: str
    what_happened: str
    given_name: str
    family_name: str
    service: Service | None = None
    wanted: str = ""
    email: str = ""
    phone: str = ""


def record_for_constituent(
    organisation: Organisation, *, by: User, values: CouncillorFeedback
) -> Feedback:
    """A councillor's feedback for a constituent: a customer record for the constituent (the
    desk's duplicate check and merge join it to an existing one), the same record and contact
    as every route (channel: councillor referral), and the councillor following its progress."""
    if not permissions.can(by, permissions.FEEDBACK_COUNCILLOR, organisation):
        raise _refuse(FeedbackError.WRONG_ORGANISATION, _("Only a councillor records this"))
    if values.kind == Kind.UNCLASSIFIED:  # only the feedback mailbox files unclassified mail
        raise _refuse(FeedbackError.REQUIRED, _("Select what kind of feedback it is"), "kind")
    given = _text(
        values.given_name, label=_("their first name"), field_name="given_name", limit=100
    )
    family = _text(
        values.family_name, label=_("their last name"), field_name="family_name", limit=100
    )
    if not given and not family:
        raise _refuse(FeedbackError.REQUIRED, _("Enter your constituent's name"), "given_name")
    refused = name_problem(given, family, reply_to=False)
    if refused is not None:
        raise refused
    email = _text(values.email, label=_("their email address"), field_name="email", limit=254)
    phone = _text(values.phone, label=_("their phone number"), field_name="phone", limit=30)
    if email:
        email = customer_services.clean_email(email)
    if phone:
        phone = customer_services.clean_phone(phone)
    feedback_values = FeedbackInput(
        kind=values.kind,
        what_happened=values.what_happened,
        channel=Channel.COUNCILLOR_REFERRAL,
        service=values.service,
        wanted=values.wanted,
    )
    with transaction.atomic():
        customer = new_customer(organisation, by=by, name=(given, family), email=email, phone=phone)
        feedback = record_feedback(organisation, by=by, customer=customer, values=feedback_values)
        CouncillorSubmission(
            organisation_id=organisation.pk,
            feedback=feedback,
            councillor=by,
            submitted_at=timezone.now(),
        ).save(force_insert=True)
        _event(feedback, ProcedureEvent.COUNCILLOR, by, councillor=by.display_name)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"{feedback.reference} recorded by a councillor for a constituent",
            councillor=by.pk,
        )
    return feedback
