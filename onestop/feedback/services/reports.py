"""The complaint reports' one write: the audit record of a report read or exported.

A report holds counts, not personal data, but who looked at the council's complaint figures, for
which period and service, and in which file, is kept like any other read of feedback."""

from __future__ import annotations

from django.db import transaction

from onestop.core import audit
from onestop.core.models import AuditAction, User
from onestop.feedback.queries.reports import Report


def record_report_read(
    report: Report,
    *,
    by: User | None,
    file_format: str = "",
    ip_address: str | None = None,
) -> None:
    """Audit one showing (``file_format`` empty) or export (``csv``, ``xlsx``) of ``report``;
    ``by=None`` for the command line."""
    scope = report.scope
    with transaction.atomic():
        audit.record(
            organisation=scope.organisation,
            by=by,
            action=AuditAction.EXPORTED if file_format else AuditAction.VIEWED,
            object_type="feedback.report",
            object_id=report.code,
            summary=f"{report.code} {scope.period.first.isoformat()} to "
            f"{scope.period.last.isoformat()}",
            changes={
                "from": scope.period.first.isoformat(),
                "to": scope.period.last.isoformat(),
                "service": scope.service_param,
                "format": file_format or "page",
            },
            ip_address=ip_address,
        )
