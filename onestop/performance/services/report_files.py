"""Report files kept for download (``ReportFile``): written on demand by staff, and on schedule
by the worker (``tasks_volumes.write_due_report_files``, queued by ``onestop report-files``, a
step of ``onestop worker``).

The schedule: on and after the first day of each month, last month's file of every monthly
report; after each quarter (January, April, July, October), that quarter's file of every
quarterly report; from April, the last financial year's (April to March) file of every annual
report; each in every format the report offers, once (a unique rule), for every organisation.
A report not registered (its capability not installed) is skipped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.core import audit, reporting
from onestop.core import services as core_services
from onestop.core.models import AuditAction, Organisation, User
from onestop.performance.models import Cadence, ReportFile

#: Which reports are written on which schedule (reports not registered are skipped).
SCHEDULE: dict[str, tuple[str, ...]] = {
    "volumes": (Cadence.MONTH, Cadence.QUARTER, Cadence.YEAR),
    "backlog": (Cadence.MONTH, Cadence.QUARTER, Cadence.YEAR),
    "standards-compliance": (Cadence.MONTH, Cadence.QUARTER, Cadence.YEAR),
    "telephony": (Cadence.MONTH, Cadence.QUARTER, Cadence.YEAR),
    "complaints-monthly": (Cadence.MONTH,),
    "feedback-quarterly": (Cadence.QUARTER,),
    "complaints-annual": (Cadence.YEAR,),
}


@dataclass(frozen=True)
class Due:
    organisation: Organisation
    report: str
    cadence: str
    period: reporting.Period
    file_format: str


def periods_due(today: datetime.date) -> dict[str, reporting.Period]:
    """The last complete month, quarter and financial year before ``today``."""
    last_month = reporting.month_of(today.replace(day=1) - datetime.timedelta(days=1))
    this_quarter = reporting.quarter_of(today)
    last_quarter = reporting.quarter_of(this_quarter.first - datetime.timedelta(days=1))
    this_year = reporting.year_of(today, financial=True)
    last_year = reporting.year_of(this_year.first - datetime.timedelta(days=1), financial=True)
    return {Cadence.MONTH: last_month, Cadence.QUARTER: last_quarter, Cadence.YEAR: last_year}


def due_files(
    today: datetime.date, *, schedule: dict[str, tuple[str, ...]] | None = None
) -> list[Due]:
    """Every scheduled file not yet written, for every organisation."""
    periods = periods_due(today)
    registered = reporting.registered_reports()
    wanted = [
        (code, cadence, fmt)
        for code, cadences in (schedule or SCHEDULE).items()
        if code in registered
        for cadence in cadences
        for fmt in registered[code].formats
    ]
    if not wanted:
        return []
    due: list[Due] = []
    for organisation in Organisation.objects.order_by("pk"):
        written = set(
            ReportFile.objects.for_organisation(organisation)
            .exclude(cadence=Cadence.ON_DEMAND)
            .filter(first_day__in={period.first for period in periods.values()})
            .values_list("report", "first_day", "last_day", "file_format")
        )
        for code, cadence, fmt in wanted:
            period = periods[cadence]
            if (code, period.first, period.last, fmt) not in written:
                due.append(Due(organisation, code, cadence, period, fmt))
    return due


def write_report_file(
    organisation: Organisation,
    *,
    report: str,
    period: reporting.Period,
    file_format: str,
    service: str = "",
    cadence: str = Cadence.ON_DEMAND,
    by: User | None = None,
    ip_address: str | None = None,
) -> ReportFile:
    """Build and write one report file and keep it; audited as the report's run.  Raises
    ``reporting.ReportError`` for an unknown report, service or format (nothing kept)."""
    definition = reporting.report_named(report)
    request = reporting.ReportRequest(organisation, period, str(service)[:200], by=by)
    built = definition.build(request)
    content = reporting.write(definition, built, file_format)
    with transaction.atomic():
        kept = ReportFile(
            organisation=organisation,
            report=definition.code,
            title=str(definition.title)[:200],
            first_day=period.first,
            last_day=period.last,
            cadence=cadence,
            file_format=file_format,
            service=str(service)[:200],
            content=content,
            size=len(content),
            generated_at=timezone.now(),
            requested_by=by,
        )
        kept.save(force_insert=True)
        core_services.record_report_run(
            definition, built, file_format=file_format, ip_address=ip_address
        )
    return kept


def write_due_report_files(
    today: datetime.date | None = None, *, schedule: dict[str, tuple[str, ...]] | None = None
) -> int:
    """Write every scheduled file that is due; the number written.  A file another worker
    wrote meanwhile is skipped (the unique rule); a report that cannot be written for an
    organisation (``ReportError``) is skipped and tried again next time."""
    written = 0
    for item in due_files(today or timezone.localdate(), schedule=schedule):
        try:
            write_report_file(
                item.organisation,
                report=item.report,
                period=item.period,
                file_format=item.file_format,
                cadence=item.cadence,
            )
        except (IntegrityError, reporting.ReportError):
            continue
        written += 1
    return written


def record_download(report_file: ReportFile, *, by: User, ip_address: str | None) -> None:
    """Audit one download of a kept report file."""
    audit.record(
        organisation=report_file.organisation,
        by=by,
        action=AuditAction.EXPORTED,
        object_type="performance.reportfile",
        object_id=str(report_file.pk),
        summary=f"Downloaded {report_file.file_name}",
        changes={"report": report_file.report, "format": report_file.file_format},
        ip_address=ip_address,
    )
