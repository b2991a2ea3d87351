"""Administrators' pages for call records: upload a file (and see what became of each import),
and map the telephone system's queues to services.  Thin: parse the form, reach records through
``queries``, call one service, render or redirect."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import audit, pages, reporting
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.telephony import forms, queries, services
from onestop.telephony.errors import ImportUnreadable, TelephonyError
from onestop.telephony.formats import FormatError
from onestop.telephony.models import CallImportRun, CallRecord
from onestop.telephony.queries import measures

GET_POST = ["GET", "POST"]
MANAGE = queries.MANAGE
_queue_page = partial(
    pages.form_page, template="core/form_page.html", back_label=gettext_lazy("Back to call queues")
)


@require_http_methods(GET_POST)
def import_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    posted = pages.posted(request)
    form = forms.ImportForm(posted, request.FILES if posted is not None else None)

    def save(data: dict[str, object]) -> CallImportRun:
        upload = data["file"]
        try:
            return services.import_calls(
                user.organisation,  # type: ignore[arg-type]  # staff always have one
                upload,  # type: ignore[arg-type]  # an UploadedFile reads as bytes
                by=user,
                format_name=str(data["format"]),
                file_name=str(getattr(upload, "name", "") or ""),
                all_or_nothing=bool(data["all_or_nothing"]),
            )
        except (ImportUnreadable, FormatError) as error:
            raise ServiceError(
                TelephonyError.UNREADABLE_FILE,
                _("The selected file cannot be imported: %(reason)s") % {"reason": error},
                field="file",
            ) from None

    saved = pages.save_form(
        request,
        form,
        save,
        done=lambda run: (_finished(request, run), reverse("telephony:run", args=[run.pk])),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "telephony/import.html",
        {
            "form": form,
            "runs": queries.runs_for(user),
            "submit": _("Import call records"),
            "back": reverse("telephony:queues"),
            "cancel": _("Map call queues"),
        },
        status=status,
    )


def _finished(request: HttpRequest, run: CallImportRun) -> str:
    """The success message of an import that went as planned; otherwise "" and a warning (a
    notification banner without the success styling) saying plainly what happened."""
    refused = ngettext("%(count)s row was refused", "%(count)s rows were refused", run.refused) % {
        "count": run.refused
    }
    if run.refused and not run.imported:
        warning = (
            _(
                "Nothing was imported: %(refused)s, and the file was to be imported whole or "
                "not at all: see below"
            )
            if run.all_or_nothing
            else _("Nothing was imported: %(refused)s: see below")
        )
        messages.warning(request, warning % {"refused": refused})
    elif run.refused:
        imported = ngettext("%(count)s call imported", "%(count)s calls imported", run.imported) % {
            "count": run.imported
        }
        messages.warning(
            request,
            _("%(imported)s; %(refused)s: see below")
            % {
                "imported": imported,
                "refused": refused,
            },
        )
    elif not run.imported:
        present = ngettext(
            "%(count)s call was already present",
            "%(count)s calls were already present",
            run.already_present,
        ) % {"count": run.already_present}
        messages.warning(
            request,
            _("Nothing was imported: %(present)s") % {"present": present}
            if run.already_present
            else _("Nothing was imported: the file holds no calls"),
        )
    else:
        return _("Import finished: %(summary)s") % {"summary": run.summary}
    return ""


@require_GET
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    user = staff_user(request)
    run = queries.get_run_for(user, run_id)
    return render(
        request,
        "telephony/run.html",
        {"run": run, "refusals": queries.refusals_of(run), "shown": queries.REFUSALS_SHOWN},
    )


class _Echo:
    """A file-like object whose ``write`` hands back the line, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def _refusal_lines(refusals: Iterator[tuple[int, str]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(["line", "reason"])
    for line, reason in refusals:
        yield writer.writerow([line, reporting.safe_text(reason)])


@require_GET
def run_refusals(request: HttpRequest, run_id: int) -> StreamingHttpResponse:
    """Every refused row of an import as CSV (line, reason), for its organisation's
    administrators (404 outside it), streamed; the download is audited as an export."""
    user = staff_user(request)
    run = queries.get_run_for(user, run_id)
    services.record_refusals_download(run, by=user, ip_address=client_address(request))
    response = StreamingHttpResponse(
        _refusal_lines(queries.every_refusal_of(run)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="call-import-{run.pk}-refused.csv"'
    return response


@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    return render(request, "telephony/queues.html", {"queues": queries.queues_for(user)})


@require_http_methods(GET_POST)
def queue_edit(request: HttpRequest, queue_id: int) -> HttpResponse:
    user = staff_user(request)
    queue = queries.get_queue_for(user, queue_id)
    form = forms.QueueForm(
        pages.posted(request),
        initial={
            "service": queue.service_id,
            "access_point": queue.access_point_id,
            "team": queue.team_id,
        },
        services=queries.services_for_queues(user),
        access_points=queries.telephone_access_points_for(user),
        teams=queries.teams_for_queues(user),
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.map_queue(
            queue,
            by=user,
            service=data["service"],
            access_point=data["access_point"],
            team=data["team"],
        ),
        done=(
            _("Call queue %(name)s mapped") % {"name": queue.name},
            reverse("telephony:queues"),
        ),
    )
    if saved is not None:
        return saved
    return _queue_page(
        request,
        form,
        title=_("Map the call queue %(name)s") % {"name": queue.name},
        back=reverse("telephony:queues"),
        submit=_("Save mapping"),
    )


REPORT = "telephony"  # the report whose figures the calls list shows (telephony.reports.CODE)
# What a list opened from the dashboard keeps of the dashboard's query, to link back to it.
DASHBOARD_QUERY_LIMIT = 500  # characters of the carried query read
DASHBOARD_FIELDS_KEPT = 12  # the dashboard's form has eight
DASHBOARD_VALUE_LIMIT = 60
DASHBOARD_FIELD = re.compile(r"[a-z_]{1,20}")


def _dashboard_url(query: str) -> str:
    """The dashboard as the list was opened from it: its query as the link carried it (at most
    a few short, plainly named fields, each encoded again; the dashboard checks them as it
    checks its own form)."""
    given = QueryDict(query[:DASHBOARD_QUERY_LIMIT])
    kept = [
        (name, given.get(name, "")[:DASHBOARD_VALUE_LIMIT])
        for name in list(given)[:DASHBOARD_FIELDS_KEPT]
        if DASHBOARD_FIELD.fullmatch(name) and given.get(name)
    ]
    url = reverse("performance:dashboard")
    return f"{url}?{urlencode(kept)}" if kept else url


def _report_url(period: reporting.Period | None, service: str) -> str:
    """The telephony report's page for ``period`` and ``service``, as its filter form asks for
    them (a month, a quarter, or a calendar or financial year; another period, as the command
    may report on, opens the report's own default period)."""
    query: dict[str, str | int] = {}
    if period is not None:
        first = period.first
        if period == reporting.month_of(first):
            query = {"kind": "month", "month": first.month, "year": first.year}
        elif period == reporting.quarter_of(first):
            query = {"kind": "quarter", "month": first.month, "year": first.year}
        elif period == reporting.year_of(first, financial=False):
            query = {"kind": "year", "year_kind": "calendar", "month": 1, "year": first.year}
        elif period == reporting.year_of(first, financial=True):
            query = {"kind": "year", "year_kind": "financial", "month": 4, "year": first.year}
    if service:
        query["service"] = service
    url = reverse("performance:report", args=[REPORT])
    return f"{url}?{urlencode(query)}" if query else url


def _whole_number(value: str, label: str) -> int | None:
    text = str(value).strip()[:10]
    if not text:
        return None
    if not text.isdigit():
        raise LookupError(label)
    return int(text)


@require_GET
def calls(request: HttpRequest) -> HttpResponse:
    """The calls behind one figure of the telephony report (``/calls/list/?from=…&to=…&
    measure=…&queue=…`` and optionally ``service``, ``day``, ``hour``, ``half``): for those who
    read performance figures, in their own organisation, each list read audited."""
    user = staff_user(request)
    params = request.GET
    error = ""
    shown: list[CallRecord] = []
    counted = 0
    scope: measures.Scope | None = None
    period: reporting.Period | None = None
    service = str(params.get("service", ""))[:200]
    from_dashboard = params.get("back") == "dashboard"  # opened from the dashboard's figures
    try:
        period = reporting.make_period(
            reporting.parse_date(params.get("from", ""), _("The first day")),
            reporting.parse_date(params.get("to", ""), _("The last day")),
        )
        queue_text = str(params.get("queue", measures.ALL))[:20]
        day_text = str(params.get("day", "")).strip()[:20]
        part = measures.Slice(
            queue=None if queue_text == measures.ALL else _whole_number(queue_text, "queue"),
            measure=str(params.get("measure", measures.Measure.OFFERED))[:20],
            day=reporting.parse_date(day_text, _("The day")) if day_text else None,
            hour=_whole_number(params.get("hour", ""), "hour"),
            half=_whole_number(params.get("half", ""), "half"),
        )
        scope, found = queries.calls_behind_figure(user, period, service, part)
        counted = found.count()
        shown = list(found[: queries.CALLS_LISTED])
    except reporting.PeriodError as refused:
        error = str(refused)
    except LookupError:
        error = _("This link does not name a figure of the telephone report.")
    if scope is not None:
        audit.record_list_read(
            user,
            what="telephony.callrecord",
            query={
                name: params.get(name, "")
                for name in ("from", "to", "measure", "queue", "service", "day", "hour", "half")
            },
            ids=[call.external_id for call in shown],
            ip_address=client_address(request),
        )
    return render(
        request,
        "telephony/calls.html",
        {
            "error": error,
            "scope": scope,
            "calls": shown,
            "counted": counted,
            "listed": len(shown),
            "back_url": _dashboard_url(params.get("dashboard", ""))
            if from_dashboard
            else _report_url(
                period,
                getattr(scope.service, "slug", service) if scope is not None else service,
            ),
            "from_dashboard": from_dashboard,
        },
        status=400 if error else 200,
    )
