"""The dashboard's period and filters (the dashboard itself: ``views.dashboard``), the reports'
downloads, the cases behind a compliance
figure, people's own figures and the comparator rows (perf-standards).

Who: the dashboard, downloads and records need ``performance.view``; a person's figures go
through ``queries.people`` (own, or a team leader's team); comparators need
``comparator.manage`` to add.  Thin: parse, read through the queries, audit through the
services, render."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.contacts.models import Channel
from onestop.core import permissions, reporting
from onestop.core import services as core_services
from onestop.core.access import require
from onestop.core.http import client_address, staff_user
from onestop.core.models import Organisation, User
from onestop.directory.models import AccessPoint, Service, Team
from onestop.performance import narrowed
from onestop.performance.forms.standards import ComparatorForm, PeriodForm
from onestop.performance.queries import comparators as comparator_queries
from onestop.performance.queries import compliance, people
from onestop.performance.services import standards as services
from onestop.standards import measures

FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
RECORDS_LIMIT = 500


def _organisation(user: User, action: str) -> Organisation:
    require(user, action)
    if user.organisation is None:  # pragma: no cover - staff without one hold no actions
        raise Http404
    return user.organisation


def _choices(organisation: Organisation) -> dict[str, list[tuple[str, str]]]:
    return {
        "services": [
            (service.slug, service.name)
            for service in Service.objects.for_organisation(organisation).order_by("name")
        ],
        "teams": [
            (str(team.pk), team.name)
            for team in Team.objects.for_organisation(organisation).order_by("name")
        ],
        "access_points": [
            (str(point.pk), point.name)
            for point in AccessPoint.objects.for_organisation(organisation).order_by("name")
        ],
    }


def _form(request: HttpRequest, organisation: Organisation) -> PeriodForm:
    data: Any = request.GET
    if "kind" not in request.GET:
        last_month = reporting.previous(reporting.month_of(timezone.localdate()))
        data = {"kind": "month", "month": last_month.first.month, "year": last_month.first.year}
    return PeriodForm(data, **_choices(organisation))


def _filters(form: PeriodForm, organisation: Organisation) -> compliance.Filters:
    data = form.cleaned_data
    service = (
        Service.objects.for_organisation(organisation).filter(slug=data["service"]).first()
        if data.get("service")
        else None
    )
    team = (
        Team.objects.for_organisation(organisation).filter(pk=int(data["team"])).first()
        if data.get("team")
        else None
    )
    point = (
        AccessPoint.objects.for_organisation(organisation)
        .filter(pk=int(data["access_point"]))
        .first()
        if data.get("access_point")
        else None
    )
    return compliance.Filters(service, team, data.get("channel") or "", point)


@require_GET
def download(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    organisation = _organisation(user, permissions.PERFORMANCE_VIEW)
    definition = reporting.registered_reports().get(code)
    if definition is None:
        raise Http404
    file_format = str(request.GET.get("format", ""))[:10]
    try:
        period = reporting.make_period(
            reporting.parse_date(request.GET.get("from", ""), _("From")),
            reporting.parse_date(request.GET.get("to", ""), _("To")),
        )
        asked = reporting.ReportRequest(
            organisation, period, str(request.GET.get("service", ""))[:200], by=user
        )
        filters = _download_filters(request, organisation)
        if filters == compliance.Filters():
            output = definition.build(asked)
        else:
            output = narrowed.build(definition, asked, filters, links=False)
        content = reporting.write(definition, output, file_format)
    except (reporting.ReportError, reporting.PeriodError) as error:
        return render(
            request, "performance/standards/refused.html", {"error": str(error)}, status=400
        )
    core_services.record_report_run(
        definition, output, file_format=file_format, ip_address=client_address(request)
    )
    response = HttpResponse(content, content_type=FILE_TYPES.get(file_format, "text/plain"))
    name = f"{code}-{period.first}-{period.last}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _download_filters(request: HttpRequest, organisation: Organisation) -> compliance.Filters:
    """The report page's team, channel and access point, as its download links carry them (the
    service is the request's own code); ``ReportError`` for one the organisation has not got."""
    team_text = str(request.GET.get("team", ""))[:12]
    point_text = str(request.GET.get("access_point", ""))[:12]
    channel = str(request.GET.get("channel", ""))[:30]
    team = point = None
    if team_text:
        team = Team.objects.for_organisation(organisation).filter(pk=_int(team_text) or 0).first()
        if team is None:
            raise reporting.ReportError(_("There is no such team."))
    if point_text:
        point = (
            AccessPoint.objects.for_organisation(organisation)
            .filter(pk=_int(point_text) or 0)
            .first()
        )
        if point is None:
            raise reporting.ReportError(_("There is no such access point."))
    if channel and channel not in Channel.values:
        raise reporting.ReportError(_("There is no such channel."))
    return compliance.Filters(None, team, channel, point)


def _int(value: object) -> int | None:
    text = str(value or "")[:12]
    return int(text) if text.isdigit() else None


@require_GET
def records(request: HttpRequest) -> HttpResponse:
    """The cases behind one compliance figure."""
    user = staff_user(request)
    organisation = _organisation(user, permissions.PERFORMANCE_VIEW)
    figure = str(request.GET.get("figure", ""))[:20]
    try:
        period = reporting.make_period(
            reporting.parse_date(request.GET.get("from", ""), _("From")),
            reporting.parse_date(request.GET.get("to", ""), _("To")),
        )
    except reporting.PeriodError as error:
        return render(
            request, "performance/standards/refused.html", {"error": str(error)}, status=400
        )
    if figure not in compliance.FIGURES:
        return render(
            request,
            "performance/standards/refused.html",
            {"error": _("Choose a figure from the dashboard.")},
            status=400,
        )
    standard = str(request.GET.get("standard", ""))[:60]
    team = (
        Team.objects.for_organisation(organisation).filter(pk=_int(request.GET.get("team"))).first()
    )
    service = (
        Service.objects.for_organisation(organisation)
        .filter(pk=_int(request.GET.get("service")))
        .first()
    )
    point = (
        AccessPoint.objects.for_organisation(organisation)
        .filter(pk=_int(request.GET.get("access_point")))
        .first()
    )
    filters = compliance.Filters(service, team, str(request.GET.get("channel", ""))[:30], point)
    # A team's row (its id), or the "No team" row (``none``) of the per-team table.
    no_team = str(request.GET.get("in_team", ""))[:12] == compliance.NO_TEAM
    team_id = None if no_team else _int(request.GET.get("in_team"))
    rows = compliance.clocks_behind(
        organisation,
        period,
        now=timezone.now(),
        figure=figure,
        code=standard,
        service_id=_int(request.GET.get("in_service")),
        team_id=team_id,
        filters=filters,
        no_team=no_team,
    )
    counted = rows.count()
    listed = list(rows[:RECORDS_LIMIT])
    # The other records behind the figure: call-backs, visitors, calls, complaint stages
    # (``standards.measures``), each narrowed to the team row's records as its figure counts
    # them (visitors are in no team's row).
    others = compliance.records_behind(
        organisation,
        period,
        now=timezone.now(),
        pick=measures.Pick(
            figure,
            standard,
            _int(request.GET.get("in_service")),
            limit=RECORDS_LIMIT - len(listed),
            team_id=team_id,
            no_team=no_team,
        ),
        filters=filters,
    )
    services.record_records_read(
        organisation,
        by=user,
        period=period,
        figure=figure,
        standard=standard,
        listed=len(listed) + len(others.records),
        ip_address=client_address(request),
    )
    return render(
        request,
        "performance/standards/records.html",
        {
            "clocks": listed,
            "counted": counted,
            "others": others.records,
            "others_counted": others.counted,
            "period": period,
            "figure": figure,
        },
    )


@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    """The people whose figures the viewer may see (themselves; a team leader's team)."""
    user = staff_user(request)
    require(user, permissions.PERFORMANCE_OWN)
    visible = people.officers_visible_to(user)
    staff = User.objects.filter(organisation=user.organisation, pk__in=visible).order_by(
        "first_name", "last_name", "username"
    )
    return render(request, "performance/standards/people.html", {"people": staff})


@require_GET
def person(request: HttpRequest, officer_id: str) -> HttpResponse:
    user = staff_user(request)
    officer = people.get_officer_for(user, officer_id)
    organisation = user.organisation
    if organisation is None:  # pragma: no cover - checked by get_officer_for
        raise Http404
    form = _form(request, organisation)
    context: dict[str, Any] = {"form": form, "officer": officer}
    if form.is_valid():
        period = form.period()
        context["period"] = period
        context["rows"] = people.officer_compliance(
            organisation, period, now=timezone.now(), officer=officer
        )
        context["rules"] = people.officer_rules()
        services.record_individual_read(
            organisation,
            by=user,
            officer=officer,
            period=period,
            ip_address=client_address(request),
        )
    return render(request, "performance/standards/person.html", context)


@require_http_methods(["GET", "POST"])
def comparators(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    may_add = permissions.can(user, permissions.COMPARATOR_MANAGE)
    action = (
        permissions.COMPARATOR_MANAGE
        if request.method == "POST" or may_add
        else permissions.PERFORMANCE_VIEW
    )
    organisation = _organisation(user, action)
    form = ComparatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.add_comparator(organisation, by=user, **form.cleaned_data)
        return redirect("performance:comparators")
    rows = comparator_queries.comparators_of(organisation)
    refused = request.method == "POST"
    return render(
        request,
        "performance/standards/comparators.html",
        {
            "form": form,
            "rows": rows,
            "can_add": may_add,
        },
        status=400 if refused else 200,
    )
