"""Background work of sending (run by ``onestop worker``; immediate in tests)."""

from __future__ import annotations

from django_tasks import task

from onestop.notify.services import sending


@task()
def send_due_messages() -> int:
    """Send every due message: how many were claimed."""
    return sending.process_due().claimed


@task()
def look_up_statuses() -> int:
    """Ask GOV.UK Notify about messages sent long ago with no receipt: how many changed."""
    return sending.look_up_statuses()
