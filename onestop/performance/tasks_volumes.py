"""Background work of the performance reports (run by ``onestop worker``; immediate in tests)."""

from __future__ import annotations

from django_tasks import task

from onestop.performance.services import report_files


@task()
def write_due_report_files() -> int:
    """Write the monthly, quarterly and annual report files that are due (once each)."""
    return report_files.write_due_report_files()
