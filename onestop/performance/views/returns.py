"""The quarterly return's pages under ``/performance/returns/``: the quarter's returns by service,
start one, complete and submit it, reopen a submitted one (managers), and the collated report's
files.  Thin: parse, reach records through ``queries.returns``, call one service, render."""

from __future__ import annotations

import datetime
from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import pages, reporting
from onestop.core import services as core_services
from onestop.core.http import client_address, staff_user
from onestop.performance import reports_returns
from onestop.performance.forms_returns import ReopenForm, ReturnForm, StartForm, quarter_label
from onestop.performance.queries import returns as queries
from onestop.performance.services import returns as services

GET_POST = ["GET", "POST"]
_form_page = partial(pages.form_page, template="core/form_page.html")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _today() -> datetime.date:
    return timezone.localdate(timezone=reporting.LONDON)


def _chosen_quarter(request: HttpRequest) -> reporting.Period:
    """The quarter named by ``?quarter=`` (its first day), else the last whole quarter."""
    offered = queries.quarters_offered(_today())
    text = str(request.GET.get("quarter", ""))[:20]
    for quarter in offered:
        if quarter.first.isoformat() == text:
            return quarter
    return offered[1]


@require_GET
def returns_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    quarter = _chosen_quarter(request)
    found = queries.returns_for(user, quarter.first)
    rows = [(service, found.get(service.pk)) for service in queries.services_shown_to(user)]
    completes = set(queries.services_completed_by(user).values_list("pk", flat=True))
    return render(
        request,
        "performance/returns/list.html",
        {
            "quarter": quarter,
            "quarter_label": quarter_label(quarter),
            "quarters": [
                (item, quarter_label(item)) for item in queries.quarters_offered(_today())
            ],
            "rows": rows,
            "completes": completes,
            "may_collate": queries.may_collate(user),
        },
    )


@require_http_methods(GET_POST)
def return_start(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    owned = queries.services_completed_by(user)
    if not owned.exists():
        raise PermissionDenied(queries.COMPLETE)
    quarters = queries.quarters_offered(_today())
    form = StartForm(
        pages.posted(request),
        services=owned,
        quarters=quarters,
        initial={"service": request.GET.get("service", ""), "quarter": request.GET.get("quarter")},
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.start_return(user, data["service"], data["quarter"]),
        done=lambda started: (
            _("Return started: its figures are filled in"),
            reverse("performance:return", args=[started.pk]),
        ),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Start a quarterly return"),
        back=reverse("performance:returns"),
        submit=_("Start the return"),
    )


@require_http_methods(GET_POST)
def return_page(request: HttpRequest, return_id: int) -> HttpResponse:
    user = staff_user(request)
    quarterly_return = queries.get_return_for(user, return_id)
    editable = queries.may_complete(user, quarterly_return)
    if request.method == "POST" and not editable:
        raise PermissionDenied(queries.COMPLETE)
    form = ReturnForm(
        pages.posted(request),
        initial={"commentary": quarterly_return.commentary, "actions": quarterly_return.actions},
    )
    submit = request.POST.get("action") == "submit"
    saved = pages.save_form(
        request,
        form,
        lambda data: services.save_return(
            quarterly_return,
            by=user,
            commentary=data["commentary"],
            actions=data["actions"],
            submit=submit,
        ),
        done=(
            _("Return submitted") if submit else _("Return saved"),
            reverse("performance:return", args=[quarterly_return.pk]),
        ),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound and form.errors else 200
    quarter = reporting.Period(quarterly_return.first, quarterly_return.last)
    return render(
        request,
        "performance/returns/return.html",
        {
            "form": form,
            "item": quarterly_return,
            "quarter_label": quarter_label(quarter),
            "editable": editable and not quarterly_return.is_submitted,
            "may_reopen": queries.may_collate(user) and quarterly_return.is_submitted,
            "back": f"{reverse('performance:returns')}?quarter={quarter.first.isoformat()}",
        },
        status=status,
    )


@require_http_methods(GET_POST)
def return_reopen(request: HttpRequest, return_id: int) -> HttpResponse:
    user = staff_user(request)
    quarterly_return = queries.get_return_for(user, return_id)
    if not queries.may_collate(user):
        raise PermissionDenied(queries.COLLATE)
    form = ReopenForm(pages.posted(request))
    page = reverse("performance:return", args=[quarterly_return.pk])
    saved = pages.save_form(
        request,
        form,
        lambda data: services.reopen_return(quarterly_return, by=user, reason=data["reason"]),
        done=(_("Return reopened"), page),
    )
    if saved is not None:
        return saved
    return _form_page(
        request,
        form,
        title=_("Reopen the return of %(service)s") % {"service": quarterly_return.service.name},
        back=page,
        submit=_("Reopen the return"),
    )


@require_GET
def collated(request: HttpRequest) -> HttpResponse:
    """The collated report of a quarter as CSV, XLSX or PDF (managers), audited as an export."""
    user = staff_user(request)
    if not queries.may_collate(user):
        raise PermissionDenied(queries.COLLATE)
    quarter = _chosen_quarter(request)
    file_format = str(request.GET.get("format", "csv"))[:10]
    if file_format not in CONTENT_TYPES:
        file_format = "csv"
    organisation = user.organisation
    assert organisation is not None  # noqa: S101 - may_collate() refuses a user of none
    definition = reporting.report_named(reports_returns.CODE)
    output = definition.build(reporting.ReportRequest(organisation, quarter, "", by=user))
    body = reporting.write(definition, output, file_format)
    core_services.record_report_run(
        definition, output, file_format=file_format, ip_address=client_address(request)
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    name = f"quarterly-returns-{quarter.first.isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
