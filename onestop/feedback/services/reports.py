"""The complaint reports' one write: the audit record of a report read or exported.

A report holds counts, not personal data, but who looked at the council's complaint figures, for
which period and service, and in which file, is kept like any other read of feedback.  The record
is the one every registered report writes (``core.services.record_report_run``), so a complaint
report read on its own page and the same report written by ``onestop report`` leave the same
shape of audit record."""

from __future__ import annotations

from onestop.core import reporting
from onestop.core import services as core_services
from onestop.core.models import User
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
    definition = reporting.report_named(report.code)
    request = reporting.ReportRequest(scope.organisation, scope.period, scope.service_param, by=by)
    output = reporting.ReportOutput(
        code=report.code, title=report.title, request=request, tables=()
    )
    core_services.record_report_run(
        definition, output, file_format=file_format, ip_address=ip_address
    )
