"""The ``standards-compliance`` report in the register of every report (``core.reporting``).

CSV (the first table): one row per standard and service, then the standard's corporate row
(service ``all``), with exactly these columns first:
``standard,service,measured,met,missed,open,compliance,target``, then ``open_not_yet_due``,
``open_overdue`` (``open`` is their sum), ``service_name`` and ``title``.  ``compliance`` and
``target`` are shares to 4 places (``0.9167``); ``compliance`` is empty when nothing measured has
a known result.  The second table is the same figures per team (the cases' clocks and the
call-backs, calls and complaint stages recorded with their team; a "No team" row per standard for
those recorded with none); the third the corporate rows for a chart.  What each figure counts:
``queries.compliance``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.directory.models import Service
from onestop.feedback.queries import reports as feedback_reports
from onestop.performance.queries import compliance as queries
from onestop.performance.queries import narrow as narrow_queries

CODE = "standards-compliance"
CSV_COLUMNS = (
    "standard",
    "service",
    "measured",
    "met",
    "missed",
    "open",
    "compliance",
    "target",
    "open_not_yet_due",
    "open_overdue",
    "service_name",
    "title",
)
LINKED = ("measured", "met", "missed", "open", "not_yet_due", "overdue")


def definitions() -> list[str]:
    return [
        _(
            "Each clock a standard sets on a case is counted once, in the period its result was "
            "decided: a clock stopped by its deadline in the period it stopped (met); every "
            "other clock in the period its deadline falls in."
        ),
        _("Met: the clock stopped at or before its deadline."),
        _("Missed: the clock stopped after its deadline."),
        _(
            "Open: the clock is still running. Overdue: its deadline has passed. Not yet due: "
            "its deadline is still to come, or the clock is paused (a pause moves the deadline "
            "on when the clock resumes)."
        ),
        _("Measured = met + missed + open; open = not yet due + overdue."),
        _(
            "Compliance = met / (met + missed + overdue), to 4 places; empty when that is 0. "
            "Target: the standard's target for the year the period starts in (the service's own "
            "standard's target where it has one)."
        ),
        _(
            "A reopened case starts its clocks again and is measured by the new run. Deadlines "
            "are the ones the clock stored, after pauses and calendar changes."
        ),
        _(
            "The other records a standard is measured on are counted by the same rule, each "
            "once, in the period its result was decided. A record with no service counts only "
            "in the whole council's row. Per team, a case counts for the team it is with now; "
            "a call-back, call or complaint stage for the team recorded on it when it was made "
            "(see the per-team table), and a visitor for none."
        ),
        *queries.source_definitions(),
    ]


def resolve_service(request: reporting.ReportRequest) -> Service | None:
    organisation = request.organisation
    try:
        found = feedback_reports.service_for(organisation, request.service)
    except LookupError:
        found = feedback_reports.NO_SERVICE
    if found is not None and not isinstance(found, Service):
        raise reporting.ReportError(
            f"{organisation.slug} has no service {str(request.service)[:60]!r}"
        )
    return found


def _link(period: reporting.Period, figure: str, **extra: object) -> str:
    query = {"from": period.first.isoformat(), "to": period.last.isoformat(), "figure": figure}
    query.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return f"{reverse('performance:standards-records')}?{urlencode(query)}"


def tables(
    organisation: Organisation,
    period: reporting.Period,
    *,
    filters: queries.Filters,
    links: bool = False,
) -> list[reporting.Table]:
    with queries.one_reading():  # the per-service and per-team figures: the clocks read once
        return _tables(organisation, period, filters=filters, links=links)


def _tables(
    organisation: Organisation,
    period: reporting.Period,
    *,
    filters: queries.Filters,
    links: bool,
) -> list[reporting.Table]:
    now = timezone.now()
    rows = queries.compliance(organisation, period, now=now, filters=filters)
    slugs = dict(
        Service.objects.for_organisation(organisation)
        .filter(pk__in={row.service_id for row in rows if row.service_id})
        .values_list("pk", "slug")
    )
    main_rows: list[list[reporting.Value]] = []
    main_links: list[list[str | None]] = []
    filter_args = {
        "service": filters.service.pk if filters.service else None,
        "team": filters.team.pk if filters.team else None,
        "channel": filters.channel,
        "access_point": filters.access_point.pk if filters.access_point else None,
    }
    for row in rows:
        counts = row.counts
        main_rows.append(
            [
                row.code,
                slugs.get(row.service_id or 0, "all"),
                counts.measured,
                counts.met,
                counts.missed,
                counts.open,
                counts.compliance,
                row.target,
                counts.not_yet_due,
                counts.overdue,
                row.service_name or _("All services"),
                row.title,
            ]
        )
        if links:
            base = {"standard": row.code, "in_service": row.service_id, **filter_args}
            main_links.append(
                [
                    None,
                    None,
                    *[_link(period, figure, **base) for figure in LINKED[:4]],
                    None,
                    None,
                    _link(period, "not_yet_due", **base),
                    _link(period, "overdue", **base),
                    None,
                    None,
                ]
            )
    teams = queries.compliance_by(organisation, period, now=now, by="team", filters=filters)
    team_rows: list[list[reporting.Value]] = [
        [
            row.group_name,
            row.code,
            row.counts.measured,
            row.counts.met,
            row.counts.missed,
            row.counts.open,
            row.counts.compliance,
            row.target,
        ]
        for row in teams
    ]
    team_links: list[list[str | None]] = []
    if links:
        for row in teams:
            base = {
                "standard": row.code,
                "in_team": queries.NO_TEAM if row.no_team else row.group_id,
                **filter_args,
            }
            team_links.append(
                [None, None, *[_link(period, figure, **base) for figure in LINKED[:4]], None, None]
            )
    summary = [
        [
            row.title,
            None if row.counts.compliance is None else row.counts.compliance.scaled(100),
            None if row.target is None else row.target * 100,
        ]
        for row in rows
        if row.is_corporate
    ]
    return [
        reporting.Table(
            name="compliance",
            caption=_("Compliance with each standard, per service and for the whole council"),
            columns=CSV_COLUMNS,
            rows=main_rows,
            definitions=definitions(),
            links=main_links,
        ),
        reporting.Table(
            name="teams",
            caption=_("Compliance with each standard, per team"),
            columns=(
                "team",
                "standard",
                "measured",
                "met",
                "missed",
                "open",
                "compliance",
                "target",
            ),
            rows=team_rows,
            definitions=queries.team_rules(),
            links=team_links,
        ),
        reporting.Table(
            name="corporate",
            caption=_("Compliance against target, whole council (per cent)"),
            columns=(_("Standard"), _("Compliance (%)"), _("Target (%)")),
            rows=summary,
            chart=reporting.Chart("bar", labels=0, values=(1, 2)),
        ),
    ]


def build(request: reporting.ReportRequest) -> reporting.ReportOutput:
    service = resolve_service(request)
    given = narrow_queries.filters_of(request)
    filters = queries.Filters(service, given.team, given.channel, given.access_point)
    return reporting.ReportOutput(
        code=CODE,
        title=str(gettext_lazy("Compliance with the standards")),
        request=request,
        tables=tables(request.organisation, request.period, filters=filters),
        service_name=service.name if service else "",
    )


def register() -> None:
    reporting.register_report(
        reporting.ReportDefinition(
            code=CODE,
            title=gettext_lazy("Compliance with the standards"),
            build=build,
            object_type="performance.report",
            narrows=("team", "channel", "access-point"),
        )
    )
