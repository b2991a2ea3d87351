"""The pages of the volumes and backlog reports' records and of the kept report files:

- ``/performance/records/<kind>/?...``: the records behind one figure (contacts, visitors or
  open cases), paginated, audited as a list read;
- ``/performance/reports/``: the report files kept (written on schedule and on demand) for
  download, and the form that writes any registered report on demand;
- ``/performance/reports/<id>/``: one file, audited as a download.

Who: staff with ``performance.view`` (team leaders, managers, councillors, auditors) read;
writing a file needs ``performance.report-write``.  Thin: parse, reach records through
``queries``, write through ``services``, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.contacts.models import Channel
from onestop.core import audit, permissions, reporting
from onestop.core.access import action_for, require
from onestop.core.http import client_address, staff_user
from onestop.core.models import Organisation, User
from onestop.core.pagination import page_links
from onestop.directory.models import Team
from onestop.feedback.queries.reports import service_for
from onestop.performance.forms_reports import FORMAT_LABELS, ReportFileForm
from onestop.performance.queries import backlog as backlog_queries
from onestop.performance.queries import dashboard as dashboard_queries
from onestop.performance.queries import report_files as file_queries
from onestop.performance.queries import volumes as volume_queries
from onestop.performance.services import report_files as file_services

PAGE_SIZE = 50
KINDS = ("volumes", "visitors", "backlog")
FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
QUERY_NAMES = (
    "from",
    "to",
    "day",
    "dimension",
    "value",
    "measure",
    "access_point",
    "team",
    "channel",
)


def _organisation(user: User) -> Organisation:
    require(user, permissions.PERFORMANCE_VIEW)
    if user.organisation is None:  # pragma: no cover - staff without one hold no actions
        raise Http404
    return user.organisation


def _text(request: HttpRequest, name: str, limit: int = 40) -> str:
    return str(request.GET.get(name, ""))[:limit]


def _period(request: HttpRequest) -> reporting.Period:
    return reporting.make_period(
        reporting.parse_date(_text(request, "from"), _("The first day")),
        reporting.parse_date(_text(request, "to"), _("The last day")),
    )


def _rows(
    request: HttpRequest, organisation: Organisation, kind: str
) -> tuple[Any, str, dict[str, Any]]:
    """The records (a queryset or a list), what they are (for the audit) and what to say."""
    service = service_for(organisation, _text(request, "service", 200))
    if kind == "backlog":
        day = reporting.parse_date(_text(request, "day"), _("The day"))
        scope = volume_queries.Scope(organisation, reporting.Period(day, day), service)
        found = backlog_queries.cases_behind(
            scope, day, _text(request, "team"), _text(request, "figure")
        )
        return found, "cases.case", {"day": day}
    scope = volume_queries.Scope(organisation, _period(request), service)
    if kind == "visitors":
        channel = _text(request, "channel")
        if channel and channel not in Channel.values:
            raise ValueError(channel)
        scope = volume_queries.Scope(organisation, scope.period, service, channel=channel)
        visitors = volume_queries.visitors_behind(
            scope, _text(request, "access_point"), _text(request, "measure")
        ).select_related("access_point")
        return visitors.order_by("arrived_at", "id"), "contacts.visitorticket", {"scope": scope}
    contacts = dashboard_queries.narrow_contacts(
        volume_queries.contacts_behind(
            scope, _text(request, "dimension"), _text(request, "value"), _text(request, "measure")
        ),
        _text(request, "channel"),
        _text(request, "access_point"),
    ).select_related("service", "access_point")
    return contacts.order_by("received_at", "id"), "contacts.contact", {"scope": scope}


@require_GET
def records(request: HttpRequest, kind: str) -> HttpResponse:
    """The records one figure counts, scoped to the viewer's organisation."""
    user = staff_user(request)
    organisation = _organisation(user)
    if kind not in KINDS:
        raise Http404
    error = ""
    context: dict[str, Any] = {"kind": kind}
    try:
        found, what, extra = _rows(request, organisation, kind)
    except reporting.PeriodError as refused:
        error = str(refused)
    except (LookupError, ValueError):
        error = _("This link does not name a figure of a report. Go back to the report.")
    if error:
        context["error"] = error
        return render(request, "performance/volumes/records.html", context, status=400)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()

    def href(number: int) -> str:
        query["page"] = str(number)
        encoded: str = query.urlencode()
        return f"?{encoded}"

    shown = list(page.object_list)
    audit.record_list_read(
        user,
        what=what,
        ids=[getattr(row, "reference", None) or row.id for row in shown],
        query={name: _text(request, name) for name in (*QUERY_NAMES, "figure", "service")}
        | {"kind": kind, "page": page.number},
        ip_address=client_address(request),
    )
    context.update(extra)
    context.update(
        {
            "page": page,
            "rows": _backlog_rows(organisation, shown) if kind == "backlog" else shown,
            "count": page.paginator.count,
            "pagination": page_links(page, href),
        }
    )
    return render(request, "performance/volumes/records.html", context)


def _backlog_rows(
    organisation: Organisation, rows: list[backlog_queries.OpenCase]
) -> list[dict[str, Any]]:
    teams = {
        team.pk: str(team.name)
        for team in Team.objects.for_organisation(organisation).filter(
            pk__in={row.team_id for row in rows}
        )
    }
    return [
        {
            "reference": row.reference,
            "team": teams.get(row.team_id, ""),
            "received_at": row.received_at,
            "band": row.band,
            "deadline": str(backlog_queries.DEADLINES[row.deadline]),
        }
        for row in rows
    ]


def _default_form(user: User) -> ReportFileForm:
    last_month = reporting.month_of(timezone.localdate().replace(day=1) - datetime.timedelta(1))
    return ReportFileForm(
        initial={
            "report": "volumes",
            "file_format": "csv",
            "start": last_month.first,
            "end": last_month.last,
        },
        services=file_queries.services_for(user),
    )


@require_http_methods(["GET", "POST"])
def report_files(request: HttpRequest) -> HttpResponse:
    """The kept report files, newest first, and the form that writes one on demand."""
    user = staff_user(request)
    organisation = _organisation(user)
    require(
        user,
        action_for(
            request.method,
            read=permissions.PERFORMANCE_VIEW,
            write=permissions.PERFORMANCE_REPORT_WRITE,
        ),
    )
    status = 200
    if request.method == "POST":
        form = ReportFileForm(request.POST, services=file_queries.services_for(user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                written = file_services.write_report_file(
                    organisation,
                    report=data["report"],
                    period=data["period"],
                    file_format=data["file_format"],
                    service=data.get("service") or "",
                    by=user,
                    ip_address=client_address(request),
                )
            except reporting.ReportError as refused:
                form.add_error("report", str(refused))
            else:
                messages.success(
                    request,
                    _("%(name)s is written: it is first in the list below.")
                    % {"name": written.file_name},
                )
                return HttpResponseRedirect(reverse("performance:report-files"))
        status = 400
    else:
        form = _default_form(user)
    files = file_queries.files_for(user)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))

    def href(number: int) -> str:
        return f"?page={number}"

    shown = list(page.object_list)
    audit.record_list_read(
        user,
        what="performance.reportfile",
        ids=[item.pk for item in shown],
        query={"page": page.number},
        ip_address=client_address(request),
    )
    return render(
        request,
        "performance/volumes/report_files.html",
        {
            "form": form,
            "files": shown,
            "page": page,
            "pagination": page_links(page, href),
            "can_write": permissions.can(user, permissions.PERFORMANCE_REPORT_WRITE),
            "formats": {key: str(label) for key, label in FORMAT_LABELS.items()},
        },
        status=status,
    )


@require_GET
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One kept file, as an attachment."""
    user = staff_user(request)
    _organisation(user)
    found = file_queries.get_file_for(user, pk)
    file_services.record_download(found, by=user, ip_address=client_address(request))
    response = HttpResponse(bytes(found.content), content_type=FILE_TYPES.get(found.file_format))
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response
