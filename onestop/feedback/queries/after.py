"""Reads for what follows the council's last word: the ombudsman's cases, learning actions and
the learning log per service, and the satisfaction survey's answers.  Every staff read goes
through ``feedback_for(user)``, so a complaint a user may not see (another organisation's, or
about them) brings none of its ombudsman cases, actions or answers with it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from onestop.core import access, permissions
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.directory.models import Service
from onestop.feedback.models import (
    Feedback,
    LearningAction,
    LearningStatus,
    OmbudsmanCase,
    SatisfactionSurvey,
)
from onestop.feedback.queries import feedback_for

LOG_LIMIT = 500


# --- the ombudsman -------------------------------------------------------------------------------
def ombudsman_cases_of(feedback: Feedback) -> list[OmbudsmanCase]:
    return list(
        OmbudsmanCase.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .select_related("recorded_by", "decided_by")
        .order_by("enquiry_on", "pk")
    )


def get_ombudsman_case_for(
    user: User, feedback: Feedback, case_id: int, action: str
) -> OmbudsmanCase:
    """The ombudsman case ``case_id`` of ``feedback`` (which the caller reached through
    ``get_feedback_for``); 404 for any other id."""
    found: OmbudsmanCase = access.get_or_404(
        user,
        OmbudsmanCase.objects.for_user(user).filter(feedback=feedback).select_related("feedback"),
        action,
        pk=case_id,
    )
    return found


def ombudsman_remedies_pending() -> ScopedQuerySet[OmbudsmanCase]:
    """Every organisation's remedies with a date to comply by, not yet carried out nor
    reminded (the reminder sweep, which acts for no organisation in particular)."""
    return OmbudsmanCase.objects.unscoped(
        "the ombudsman reminder sweep runs across organisations"
    ).filter(comply_by__isnull=False, complied_on__isnull=True, reminded_at__isnull=True)


# --- learning ------------------------------------------------------------------------------------
def learning_of(feedback: Feedback) -> list[LearningAction]:
    return list(
        LearningAction.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .select_related("owner")
        .order_by("due_on", "pk")
    )


def get_learning_for(user: User, feedback: Feedback, action_id: int, action: str) -> LearningAction:
    found: LearningAction = access.get_or_404(
        user,
        LearningAction.objects.for_user(user).filter(feedback=feedback).select_related("feedback"),
        action,
        pk=action_id,
    )
    return found


def learning_owners(user: User) -> QuerySet[User]:
    return User.objects.filter(organisation_id=user.organisation_id or 0, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


@dataclass(frozen=True)
class ServiceLog:
    service: Service | None
    actions: list[LearningAction]

    @property
    def done(self) -> int:
        return sum(1 for row in self.actions if row.status == LearningStatus.DONE)


def learning_log(user: User, service: Service | None = None) -> list[ServiceLog]:
    """The learning log: every learning action on complaints ``user`` may see, by service
    (service name order; actions without a service last), due date first; one service's when
    ``service`` is given."""
    rows = (
        LearningAction.objects.for_user(user)
        .filter(feedback__in=feedback_for(user))
        .select_related("feedback", "owner", "service")
        .order_by("due_on", "pk")
    )
    if service is not None:
        rows = rows.filter(service=service)
    grouped: dict[int | None, ServiceLog] = {}
    for row in rows[:LOG_LIMIT]:
        key = row.service_id
        if key not in grouped:
            grouped[key] = ServiceLog(row.service, [])
        grouped[key].actions.append(row)
    return sorted(
        grouped.values(),
        key=lambda log: (log.service is None, log.service.name if log.service else ""),
    )


def get_service_for(user: User, service_id: int) -> Service:
    """A service of the user's organisation (404 for another's)."""
    found: Service = access.get_or_404(
        user, Service.objects.for_user(user), permissions.FEEDBACK_VIEW, pk=service_id
    )
    return found


# --- the survey ----------------------------------------------------------------------------------
def survey_of(feedback: Feedback) -> SatisfactionSurvey | None:
    found: SatisfactionSurvey | None = (
        SatisfactionSurvey.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .first()
    )
    return found
