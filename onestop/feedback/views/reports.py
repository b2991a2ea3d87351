"""The complaint reports' pages: the list of reports, each report (period and service filters,
GOV.UK tables with every figure linking to its records, CSV and XLSX), and the list behind a
figure (the officer's list at ``/feedback/`` narrowed by ``?measure=``).

Who: staff with ``feedback.view`` (team leaders, complaints officers, managers, auditors); the
pages only read.  Thin: parse, reach figures through ``queries.reports``, audit through
``services.reports``, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop.core import audit, permissions
from onestop.core.access import require
from onestop.core.http import client_address, staff_user
from onestop.core.models import Organisation, User
from onestop.feedback import report_files
from onestop.feedback.forms.reports import ReportFilterForm
from onestop.feedback.queries import reports, services_for
from onestop.feedback.services import reports as report_services

FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _organisation(user: User) -> Organisation:
    require(user, permissions.FEEDBACK_VIEW)
    if user.organisation is None:  # pragma: no cover - staff without one hold no actions
        raise Http404
    return user.organisation


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    _organisation(user)
    return render(
        request,
        "feedback/reports/index.html",
        {
            "reports": [
                (str(title), reverse("feedback:report", args=[code]))
                for code, title in reports.REPORTS.items()
            ]
        },
    )


def _services(user: User) -> list[tuple[str, str]]:
    return [(service.slug, service.name) for service in services_for(user)]


def _form(request: HttpRequest, user: User, code: str) -> ReportFilterForm:
    if any(name.startswith(("start_", "end_", "service")) for name in request.GET):
        return ReportFilterForm(request.GET, services=_services(user))
    period = reports.default_period(code, timezone.localdate())
    return ReportFilterForm(
        {
            "start_day": period.first.day,
            "start_month": period.first.month,
            "start_year": period.first.year,
            "end_day": period.last.day,
            "end_month": period.last.month,
            "end_year": period.last.year,
        },
        services=_services(user),
    )


def _records_url(report: reports.Report, cell: reports.Cell) -> str:
    query = {
        "report": report.code,
        "measure": cell.measure,
        "from": report.scope.period.first.isoformat(),
        "to": report.scope.period.last.isoformat(),
    }
    if cell.service:
        query["service"] = cell.service
    return f"{reverse('feedback:list')}?{urlencode(query)}"


@require_GET
def report_page(request: HttpRequest, report: str) -> HttpResponse:
    user = staff_user(request)
    organisation = _organisation(user)
    if report not in reports.REPORTS:
        raise Http404
    form = _form(request, user, report)
    file_format = str(request.GET.get("format", ""))[:10]
    context: dict[str, Any] = {"form": form, "title": str(reports.REPORTS[report]), "code": report}
    if not form.is_valid():
        return render(request, "feedback/reports/report.html", context)
    service = reports.service_for(organisation, form.cleaned_data.get("service") or "")
    built = reports.build(
        report, reports.ReportScope(organisation, form.cleaned_data["period"], service)
    )
    if file_format in FILE_TYPES:
        content: str | bytes = (
            report_files.as_csv(built) if file_format == "csv" else report_files.as_xlsx(built)
        )
        report_services.record_report_read(
            built, by=user, file_format=file_format, ip_address=client_address(request)
        )
        response = HttpResponse(content, content_type=FILE_TYPES[file_format])
        name = f"{report}-{built.scope.period.first}-{built.scope.period.last}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    report_services.record_report_read(built, by=user, ip_address=client_address(request))
    query = request.GET.copy()
    query.pop("format", None)
    context.update(
        {
            "report": built,
            "tables": [
                {
                    "table": table,
                    "rows": [
                        (
                            label,
                            [
                                (cell, _records_url(built, cell) if cell.measure else "")
                                for cell in cells
                            ],
                        )
                        for label, cells in table.rows
                    ],
                }
                for table in built.tables
            ],
            "csv_url": f"?{_with(query, 'csv')}",
            "xlsx_url": f"?{_with(query, 'xlsx')}",
        }
    )
    return render(request, "feedback/reports/report.html", context)


def _with(query: Any, file_format: str) -> str:
    query = query.copy()
    query["format"] = file_format
    encoded: str = query.urlencode()
    return encoded


def report_records(request: HttpRequest) -> HttpResponse:
    """The records behind one figure (``/feedback/?report=…&measure=…&from=…&to=…&service=…``):
    what the viewer may see, and how many more the figure counts that they may not."""
    user = staff_user(request)
    organisation = _organisation(user)
    code = str(request.GET.get("report", ""))[:40]
    measure = str(request.GET.get("measure", ""))[:80]
    error = ""
    drill: reports.DrillDown | None = None
    scope: reports.ReportScope | None = None
    try:
        period = reports.make_period(
            reports.parse_date(request.GET.get("from", ""), _("The first day")),
            reports.parse_date(request.GET.get("to", ""), _("The last day")),
        )
        service = reports.service_for(organisation, request.GET.get("service", ""))
        scope = reports.ReportScope(organisation, period, service)
        drill = reports.drill_down(user, scope, measure)
    except reports.PeriodError as refused:
        error = str(refused)
    except LookupError:
        error = _("This link does not name a figure of a report. Go back to the report.")
    if drill is not None:
        audit.record_list_read(
            user,
            what="feedback.feedback",
            query={
                name: request.GET.get(name, "")
                for name in ("report", "measure", "from", "to", "service")
            },
            ids=[row.reference for row in drill.rows],
            ip_address=client_address(request),
        )
    back = reverse("feedback:report", args=[code]) if code in reports.REPORTS else ""
    return render(
        request,
        "feedback/reports/records.html",
        {
            "drill": drill,
            "scope": scope,
            "error": error,
            "measure": measure,
            "back": back,
            "report_title": str(reports.REPORTS.get(code, "")),
        },
        status=400 if error else 200,
    )
