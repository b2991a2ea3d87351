"""Background work of cases (run by ``onestop worker``; immediate in tests)."""

from __future__ import annotations

from django_tasks import task

from onestop.cases import services


@task()
def escalate_cases() -> int:
    """The escalation sweep: apply every threshold that has passed, once each."""
    return services.escalate_due_cases()
