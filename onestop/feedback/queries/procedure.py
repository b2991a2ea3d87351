"""Reads for issue 15's procedural steps: contributions to a cross-service complaint, the rank
a stage's owner must hold, and a councillor's own feedback."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import IntEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import access, permissions
from onestop.core.models import RoleCode, User
from onestop.directory.models import Service, TeamMembership
from onestop.feedback.models import ComplaintStage, Feedback, Preset, Status
from onestop.feedback.procedure_models import Contribution, CouncillorSubmission


class Rank(IntEnum):
    NONE = 0
    FRONT_LINE = 1
    TEAM_LEADER = 2
    OPERATIONAL_MANAGER = 3
    HEAD_OF_SERVICE = 4


RANK_LABELS = {
    Rank.NONE: _("not a complaint handler"),
    Rank.FRONT_LINE: _("front line"),
    Rank.TEAM_LEADER: _("a team leader"),
    Rank.OPERATIONAL_MANAGER: _("an operational manager"),
    Rank.HEAD_OF_SERVICE: _("the head of service"),
}

# The rank each stage's owner needs, by preset (issue 15: the informal stage by the front line
# or a team leader; stage 1 by at least an operational manager; stage 2 investigated by a head
# of service).  The Scottish model's stage 1 is the frontline response.
OWNER_RANKS: dict[str, dict[int, Rank]] = {
    Preset.SEEDS: {0: Rank.FRONT_LINE, 1: Rank.OPERATIONAL_MANAGER, 2: Rank.HEAD_OF_SERVICE},
    Preset.CODE: {1: Rank.OPERATIONAL_MANAGER, 2: Rank.HEAD_OF_SERVICE},
    Preset.SCOTTISH: {1: Rank.FRONT_LINE, 2: Rank.HEAD_OF_SERVICE},
}


def required_rank(feedback: Feedback, stage: ComplaintStage) -> Rank:
    by_stage = OWNER_RANKS.get(feedback.procedure, {})
    if stage.stage in by_stage:
        return by_stage[stage.stage]
    return (
        (Rank.FRONT_LINE, Rank.OPERATIONAL_MANAGER)[stage.stage]
        if stage.stage < 2
        else (Rank.HEAD_OF_SERVICE)
    )


def lead_service(feedback: Feedback) -> Service | None:
    """The service that coordinates the single answer: the lead named, else the service."""
    return feedback.lead_service or feedback.service


def rank_of(user: User, feedback: Feedback) -> Rank:
    """The highest rank ``user`` holds for ``feedback``: a manager in a team of the lead service
    (or the service) is its head of service (as ``cases`` names the head of service), any manager
    an operational manager; a complaint with no service takes any manager as its head."""
    if user.organisation_id != feedback.organisation_id or not user.is_active:
        return Rank.NONE
    codes = set(
        user.roles.filter(organisation_id=user.organisation_id).values_list("code", flat=True)
    )
    if RoleCode.MANAGER in codes:
        services = [pk for pk in (feedback.lead_service_id, feedback.service_id) if pk]
        if not services:
            return Rank.HEAD_OF_SERVICE
        heads = TeamMembership.objects.for_organisation(feedback.organisation_id).filter(
            user=user, team__service_id__in=services
        )
        return Rank.HEAD_OF_SERVICE if heads.exists() else Rank.OPERATIONAL_MANAGER
    if RoleCode.TEAM_LEADER in codes:
        return Rank.TEAM_LEADER
    if permissions.can(user, permissions.COMPLAINT_HANDLE) or permissions.can(
        user, permissions.FEEDBACK_RECORD
    ):
        return Rank.FRONT_LINE
    return Rank.NONE


def owner_choices(user: User) -> list[User]:
    return list(
        User.objects.filter(organisation_id=user.organisation_id or 0, is_active=True)
        .exclude(roles__code=RoleCode.COUNCILLOR)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# --- contributions -------------------------------------------------------------------------------
def contributions_of(feedback: Feedback) -> list[Contribution]:
    return list(
        Contribution.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .select_related("service", "team", "requested_by", "contributed_by")
        .order_by("requested_at", "pk")
    )


def outstanding_count(feedback: Feedback) -> int:
    return (
        Contribution.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback, contributed_at__isnull=True)
        .count()
    )


def may_contribute(user: User, contribution: Contribution) -> bool:
    """Staff who handle complaints in the team asked (or the service's teams), or a complaints
    officer recording what the service sent."""
    if not permissions.can(user, permissions.COMPLAINT_HANDLE, contribution):
        return False
    if permissions.can(user, permissions.COMPLAINT_STAFF_VIEW):
        return True
    members = TeamMembership.objects.for_organisation(contribution.organisation_id).filter(
        user=user
    )
    if contribution.team_id is not None:
        return members.filter(team_id=contribution.team_id).exists()
    return members.filter(team__service_id=contribution.service_id).exists()


def get_contribution_for(user: User, feedback: Feedback, pk: int) -> Contribution:
    found: Contribution = access.get_or_404(
        user,
        Contribution.objects.for_user(user)
        .filter(feedback=feedback)
        .select_related("feedback", "service", "team"),
        permissions.COMPLAINT_HANDLE,
        pk=pk,
    )
    return found


# --- a councillor's own feedback -----------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    reference: str
    kind_label: str
    submitted_at: datetime.datetime
    status_label: str
    stage_label: str
    due_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    is_overdue: bool


def councillor_progress(user: User) -> list[Progress]:
    """The feedback ``user`` recorded as a councillor, with how far it has got (their own only:
    none for anybody without ``feedback.councillor``)."""
    if not permissions.can(user, permissions.FEEDBACK_COUNCILLOR):
        return []
    rows = (
        CouncillorSubmission.objects.for_user(user)
        .filter(councillor=user)
        .select_related("feedback")
        .order_by("-submitted_at", "-pk")[:200]
    )
    feedback_ids = [row.feedback_id for row in rows]
    stages: dict[int, ComplaintStage] = {}
    for stage in ComplaintStage.objects.for_user(user).filter(feedback_id__in=feedback_ids):
        if stage.feedback_id not in stages or stage.stage > stages[stage.feedback_id].stage:
            stages[stage.feedback_id] = stage
    now = timezone.now()
    found = []
    for row in rows:
        feedback = row.feedback
        stage = stages.get(feedback.pk)
        due = stage.due_at if stage is not None and stage.responded_at is None else None
        found.append(
            Progress(
                reference=feedback.reference,
                kind_label=str(feedback.get_kind_display()),
                submitted_at=row.submitted_at,
                status_label=str(Status(feedback.status).label),
                stage_label=stage.label if stage is not None else "",
                due_at=due if feedback.status != Status.CLOSED else None,
                answered_at=stage.responded_at if stage is not None else None,
                is_overdue=bool(due is not None and feedback.status != Status.CLOSED and due < now),
            )
        )
    return found
