"""Tasks for staff (``StaffTask``): opened by ``compose``, marked done here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, User
from onestop.notify.errors import NotifyError
from onestop.notify.models import StaffTask, TaskStatus


def complete_task(task: StaffTask, *, by: User) -> StaffTask:
    """Mark ``task`` done by ``by`` (audited); a task already done is refused."""
    with transaction.atomic():
        now = timezone.now()
        changed = (
            StaffTask.objects.for_organisation(task.organisation_id)
            .filter(pk=task.pk, status=TaskStatus.OPEN)
            .update(status=TaskStatus.DONE, done_at=now, done_by=by)
        )
        if changed != 1:
            raise ServiceError(NotifyError.TASK_DONE, _("This task was already marked as done"))
        task.status, task.done_at, task.done_by = TaskStatus.DONE, now, by
        audit.record_change(
            task,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Task for staff done: {task.kind}",
            changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]},
        )
    return task
