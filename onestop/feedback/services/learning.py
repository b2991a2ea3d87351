"""Learning actions: what a service changes because a complaint was upheld or partly upheld
(Aylesbury's CO6, Northampton's "lessons learnt and changes made"), each with an owner, a due
date, a status, the evidence and what changed, tracked to completion.  A complaint with no
point upheld or partly upheld is refused one.  The learning log per service reads them
(``queries.learning``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.models import AuditAction, User
from onestop.feedback import queries
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import (
    TEXT_LIMIT,
    Feedback,
    LearningAction,
    LearningStatus,
    PointOutcome,
)
from onestop.feedback.services import _audit, _event, _locked, _refuse, _text

ACTION_LIMIT = 2_000


class EventCode:
    ADDED = "learning-added"
    UPDATED = "learning-updated"
    DONE = "learning-done"


UPHELD = frozenset({PointOutcome.UPHELD, PointOutcome.PARTLY_UPHELD})


def is_upheld(feedback: Feedback) -> bool:
    """Whether any point of the complaint was upheld or partly upheld."""
    return any(point.outcome in UPHELD for point in queries.points_of(feedback))


def _owner(owner: User | None, feedback: Feedback) -> User:
    if owner is None or owner.organisation_id != feedback.organisation_id or not owner.is_active:
        raise _refuse(FeedbackError.REQUIRED, _("Select who owns the action"), "owner")
    return owner


def add_action(
    feedback: Feedback,
    *,
    by: User | None,
    action: str,
    owner: User | None,
    due_on: datetime.date | None,
) -> LearningAction:
    """Add a learning action to an upheld or partly upheld complaint."""
    action = _text(
        action, label=_("what will change"), field_name="action", limit=ACTION_LIMIT, required=True
    )
    if due_on is None:
        raise _refuse(FeedbackError.REQUIRED, _("Enter the date it is due"), "due_on")
    if due_on < timezone.localdate():
        raise _refuse(
            FeedbackError.DATE_ORDER, _("The date it is due must be today or in the future"),
            "due_on",
        )  # fmt: skip
    with transaction.atomic():
        feedback = _locked(feedback)
        owner = _owner(owner, feedback)
        if not feedback.is_complaint or not is_upheld(feedback):
            raise _refuse(
                FeedbackError.NOT_UPHELD,
                _(
                    "Learning actions are for complaints upheld or partly upheld: no point of "
                    "%(reference)s was upheld"
                )
                % {"reference": feedback.reference},
            )
        now = timezone.now()
        row = LearningAction(
            organisation_id=feedback.organisation_id,
            feedback=feedback,
            service_id=feedback.lead_service_id or feedback.service_id,
            action=action,
            owner=owner,
            due_on=due_on,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
        row.save(force_insert=True)
        _event(feedback, EventCode.ADDED, by, learning=row.pk, owner=owner.display_name,
               due_on=due_on.isoformat())  # fmt: skip
        _audit(
            feedback,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Complaint {feedback.reference}: learning action added",
            learning=row.pk,
            owner=owner.pk,
            due_on=due_on.isoformat(),
        )
    return row


@dataclass(frozen=True)
class Progress:
    status: str
    evidence: str = ""
    what_changed: str = ""
    completed_on: datetime.date | None = None


def update_action(row: LearningAction, *, by: User | None, progress: Progress) -> LearningAction:
    """Record progress on a learning action; marking it done needs what changed, the evidence
    and the date it was completed."""
    if progress.status not in LearningStatus.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select the status from the list"), "status")
    evidence = _text(
        progress.evidence, label=_("the evidence"), field_name="evidence", limit=TEXT_LIMIT
    )
    changed = _text(
        progress.what_changed,
        label=_("what changed"),
        field_name="what_changed",
        limit=TEXT_LIMIT,
    )
    completed_on = progress.completed_on
    if progress.status == LearningStatus.DONE:
        if not changed:
            raise _refuse(
                FeedbackError.REQUIRED, _("Enter what changed, to mark it done"), "what_changed"
            )
        if not evidence:
            raise _refuse(
                FeedbackError.REQUIRED, _("Enter the evidence, to mark it done"), "evidence"
            )
        if completed_on is None:
            raise _refuse(
                FeedbackError.REQUIRED, _("Enter the date it was completed"), "completed_on"
            )
        if completed_on > timezone.localdate():
            raise _refuse(
                FeedbackError.DATE_ORDER,
                _("The date it was completed must be today or in the past"),
                "completed_on",
            )
    elif completed_on is not None:
        raise _refuse(
            FeedbackError.DATE_ORDER,
            _("Only an action marked done has a date it was completed"),
            "completed_on",
        )
    with transaction.atomic():
        feedback = _locked(row.feedback)
        row = LearningAction.objects.for_organisation(row.organisation_id).get(pk=row.pk)
        if row.status == LearningStatus.DONE:
            raise _refuse(FeedbackError.LEARNING_DONE, _("This action is already done"))
        if completed_on is not None and completed_on < timezone.localtime(row.created_at).date():
            raise _refuse(
                FeedbackError.DATE_ORDER,
                _("The date it was completed must be on or after the action was set"),
                "completed_on",
            )
        before = row.status
        row.status = progress.status
        row.evidence = evidence
        row.what_changed = changed
        row.completed_on = completed_on
        row.updated_at = timezone.now()
        row.save(update_fields=["status", "evidence", "what_changed", "completed_on", "updated_at"])
        code = EventCode.DONE if row.status == LearningStatus.DONE else EventCode.UPDATED
        _event(feedback, code, by, learning=row.pk, status=row.status)
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference}: learning action {row.status}",
            learning=row.pk,
            status=[before, row.status],
            completed_on=completed_on.isoformat() if completed_on else None,
        )
    return row
