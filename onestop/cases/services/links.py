"""Linked cases and cross-service contribution tasks."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import events
from onestop.cases.errors import CaseError
from onestop.cases.models import (
    Case,
    CaseLink,
    ContributionTask,
    LinkKind,
    TaskStatus,
)
from onestop.cases.services._common import (
    TEXT_LIMIT,
    _check_text,
    _refuse,
    _same_organisation,
)
from onestop.core import audit
from onestop.core.models import AuditAction, User
from onestop.directory.models import Team


def link_cases(case: Case, *, by: User | None, other: Case, kind: str) -> CaseLink:
    if kind not in LinkKind.values:
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Choose how the cases are linked"), "kind")
    _same_organisation(other, case.organisation_id, _("There is no such case"))
    if other.pk == case.pk:
        _refuse(CaseError.LINK_TO_ITSELF, _("A case cannot be linked to itself"), "other")
    with transaction.atomic():
        if case.links.filter(linked_case=other, kind=kind).exists():
            _refuse(CaseError.ALREADY_LINKED, _("These cases are already linked that way"), "other")
        link = CaseLink(
            organisation_id=case.organisation_id, case=case, linked_case=other, kind=kind
        )
        link.save(force_insert=True)
        events.case_linked_event(case=case, by=by, kind=kind, other=other.reference)
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=link,
            summary=f"{case.reference} {kind} {other.reference}",
        )
    return link


def add_contribution_task(
    case: Case, *, by: User | None, team: Team, description: str
) -> ContributionTask:
    """Ask a contributing service's team for its part; the case's (lead) service answers."""
    _same_organisation(team, case.organisation_id, _("Choose a team of your own organisation"))
    description = _check_text(
        description,
        field=_("description"),
        error_field="description",
        limit=TEXT_LIMIT,
        required=True,
    )
    with transaction.atomic():
        task = ContributionTask(
            organisation_id=case.organisation_id,
            case=case,
            service_id=team.service_id,
            team=team,
            description=description,
            created_at=timezone.now(),
        )
        task.save(force_insert=True)
        events.task_added_event(case=case, by=by, service=team.service.name)
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=task,
            summary=f"Task for {team.name} on {case.reference}",
        )
    return task


def complete_contribution_task(
    task: ContributionTask, *, by: User | None, response: str
) -> ContributionTask:
    response = _check_text(
        response, field=_("response"), error_field="response", limit=TEXT_LIMIT, required=True
    )
    if task.status == TaskStatus.DONE:
        _refuse(CaseError.ALREADY_CLOSED, _("This task is already done"), "response")
    with transaction.atomic():
        task.status = TaskStatus.DONE
        task.response = response
        task.completed_at = timezone.now()
        task.save(update_fields=["status", "response", "completed_at"])
        events.task_done_event(case=task.case, by=by, service=task.service.name)
        audit.record(
            organisation=task.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=task,
            summary=f"Task done on {task.case.reference}",
        )
    return task
