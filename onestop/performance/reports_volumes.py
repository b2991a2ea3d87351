"""The ``volumes`` and ``backlog`` reports, registered in ``core.reporting`` from the app's
``ready()``; their figures come from ``queries.volumes`` and ``queries.backlog``, and each links
to the records behind it (``/performance/records/<kind>/?...``).

``volumes`` CSV (one row per dimension and value; the ``organisation`` row is the total):
``dimension,value,label,contacts,inbound,resolved_first_contact,first_contact_resolution,
repeats,assessed,avoidable,avoidable_share``.  ``backlog`` CSV (one row per team, then ``all``):
``team,open,age_0_5,age_6_10,age_11_20,age_21_plus,not_yet_due,overdue,clock_paused,
no_deadline``.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop.core import reporting
from onestop.core.reporting import Chart, ReportDefinition, ReportOutput, ReportRequest, Table
from onestop.directory.models import Service
from onestop.performance.queries import backlog as backlog_queries
from onestop.performance.queries import narrow as narrow_queries
from onestop.performance.queries import volumes as volume_queries
from onestop.performance.queries.compliance import Filters

VOLUMES = "volumes"
BACKLOG = "backlog"

VOLUME_COLUMNS = (
    "dimension",
    "value",
    "label",
    "contacts",
    "inbound",
    "resolved_first_contact",
    "first_contact_resolution",
    "repeats",
    "assessed",
    "avoidable",
    "avoidable_share",
)
VOLUME_MEASURES = ("contacts", "inbound", "resolved", "repeats", "assessed", "avoidable")
KIND_COLUMNS = ("avoidable", "label", "contacts", "share_of_assessed")
VISITOR_COLUMNS = (
    "access_point",
    "label",
    "arrived",
    "seen",
    "seen_within_15_minutes",
    "percent_seen_within_15_minutes",
    "left_unseen",
    "still_waiting",
    "average_wait_seconds",
    "longest_wait_seconds",
)
BACKLOG_COLUMNS = (
    "team",
    "open",
    "age_0_5",
    "age_6_10",
    "age_11_20",
    "age_21_plus",
    "not_yet_due",
    "overdue",
    "clock_paused",
    "no_deadline",
)
CHARTED = (
    volume_queries.Dimension.CHANNEL,
    volume_queries.Dimension.SERVICE,
    volume_queries.Dimension.HOUR,
    volume_queries.Dimension.WEEKDAY,
    volume_queries.Dimension.MONTH,
)


def _service_query(scope: volume_queries.Scope) -> dict[str, str]:
    if isinstance(scope.service, Service):
        return {"service": scope.service.slug}
    if scope.service:
        return {"service": str(scope.service)}
    return {}


def _narrowed_query(scope: volume_queries.Scope) -> dict[str, str]:
    """The page's channel and access point filters, for the links to the contacts behind a
    figure (the records page narrows by them as the figures are narrowed)."""
    found = {}
    if scope.channel:
        found["channel"] = scope.channel
    if scope.access_point is not None:
        found["access_point"] = str(scope.access_point.pk)
    return found


def records_url(kind: str, **query: str) -> str:
    return f"{reverse('performance:records', args=[kind])}?{urlencode(query)}"


def _service_name(scope: volume_queries.Scope) -> str:
    if isinstance(scope.service, Service):
        return str(scope.service.name)
    if scope.service:
        return str(_("No service recorded"))
    return ""


def build_volumes(request: ReportRequest, filters: Filters | None = None) -> ReportOutput:
    """The report for ``request``; the report page passes its ``filters`` (channel and access
    point narrow the contacts and the visitors; a team does not: a contact has none)."""
    scope = volume_queries.scope_for(
        request, filters if filters is not None else narrow_queries.filters_of(request)
    )
    period = {"from": scope.period.first.isoformat(), "to": scope.period.last.isoformat()}
    period.update(_service_query(scope))
    narrowed = _narrowed_query(scope)
    rows, kinds = volume_queries.volumes_and_kinds(scope)

    # Each row's four links differ only in the measure: the address and the common parts of the
    # query are made once (the same text ``records_url`` gives, in the same order).
    base = reverse("performance:records", args=[VOLUMES])
    after = urlencode(period | narrowed)
    measures = {measure: urlencode({"measure": measure}) for measure in VOLUME_MEASURES}
    made: dict[tuple[str, str], list[str | None]] = {}

    def links(row: volume_queries.Row) -> list[str | None]:
        key = (row.dimension, row.value)
        if key not in made:
            before = urlencode({"dimension": row.dimension, "value": row.value})
            urls = {
                measure: f"{base}?{before}&{measures[measure]}&{after}"
                for measure in VOLUME_MEASURES
            }
            made[key] = [
                None,
                None,
                None,
                urls["contacts"],
                urls["inbound"],
                urls["resolved"],
                None,
                urls["repeats"],
                urls["assessed"],
                urls["avoidable"],
                None,
            ]
        return made[key]

    def values(row: volume_queries.Row) -> list[reporting.Value]:
        return [
            row.dimension,
            row.value,
            row.label,
            row.contacts,
            row.inbound,
            row.resolved,
            row.first_contact_resolution,
            row.repeats,
            row.assessed,
            row.avoidable,
            row.avoidable_share,
        ]

    tables = [
        Table(
            name="volumes",
            caption=str(_("Contacts by dimension")),
            columns=VOLUME_COLUMNS,
            rows=[values(row) for row in rows],
            definitions=[str(text) for text in volume_queries.DEFINITIONS],
            links=[links(row) for row in rows],
        )
    ]
    for dimension in CHARTED:
        chosen = volume_queries.dimension_rows(rows, dimension)
        tables.append(
            Table(
                name=dimension,
                caption=str(
                    _("Contacts by %(dimension)s")
                    % {"dimension": str(volume_queries.DIMENSIONS[dimension]).lower()}
                ),
                columns=(
                    str(volume_queries.DIMENSIONS[dimension]),
                    str(_("Contacts")),
                    str(_("Inbound")),
                    str(_("Resolved at first contact")),
                    str(_("First-contact resolution")),
                    str(_("Repeats")),
                    str(_("Avoidable")),
                    str(_("Avoidable (share of assessed)")),
                ),
                rows=[
                    [
                        row.label,
                        row.contacts,
                        row.inbound,
                        row.resolved,
                        row.first_contact_resolution,
                        row.repeats,
                        row.avoidable,
                        row.avoidable_share,
                    ]
                    for row in chosen
                ],
                links=[
                    [None, *(links(row)[3:6]), None, links(row)[7], links(row)[9], None]
                    for row in chosen
                ],
                chart=Chart("bar", 0, (1,)),
            )
        )
    tables.append(
        Table(
            name="avoidable",
            caption=str(_("Avoidable contact by kind")),
            columns=KIND_COLUMNS,
            rows=[[row.value, row.label, row.contacts, row.share] for row in kinds],
            definitions=[str(text) for text in volume_queries.KIND_DEFINITIONS],
            links=[
                [
                    None,
                    None,
                    records_url(
                        VOLUMES,
                        dimension=volume_queries.Dimension.AVOIDABLE,
                        value=row.value,
                        measure="contacts",
                        **period,
                        **narrowed,
                    ),
                    None,
                ]
                for row in kinds
            ],
            chart=Chart("bar", 1, (2,)),
        )
    )
    visitors = volume_queries.visitors(scope)
    # Narrowed to an access point, the row "all" is that access point's visitors.
    everywhere = str(scope.access_point.pk) if scope.access_point is not None else "all"
    for_visitors = {**period, **({"channel": scope.channel} if scope.channel else {})}

    def point(row: volume_queries.VisitorRow) -> str:
        return everywhere if row.access_point == volume_queries.ALL_VALUE else row.access_point

    tables.append(
        Table(
            name="visitors",
            caption=str(_("Visitors: wait to be seen")),
            columns=VISITOR_COLUMNS,
            rows=[
                [
                    row.access_point,
                    row.label,
                    row.arrived,
                    row.seen,
                    row.seen_within_15_minutes,
                    row.percent_seen_within_15_minutes,
                    row.left_unseen,
                    row.waiting,
                    volume_queries.seconds(row.average_wait),
                    volume_queries.seconds(row.longest_wait),
                ]
                for row in visitors
            ],
            definitions=[str(text) for text in volume_queries.VISITOR_DEFINITIONS],
            links=[
                [
                    None,
                    None,
                    *(
                        records_url(
                            "visitors", access_point=point(row), measure=measure, **for_visitors
                        )
                        for measure in ("arrived", "seen", "seen-within-15-minutes")
                    ),
                    None,
                    *(
                        records_url(
                            "visitors", access_point=point(row), measure=measure, **for_visitors
                        )
                        for measure in ("left-unseen", "waiting")
                    ),
                    None,
                    None,
                ]
                for row in visitors
            ],
            # The waits: average and longest, in seconds, per access point.
            chart=Chart("bar", 1, (8, 9)),
        )
    )
    return ReportOutput(
        VOLUMES,
        str(_("Contact volumes")),
        request,
        tables,
        service_name=_service_name(scope),
    )


def _backlog_values(row: backlog_queries.BacklogRow) -> list[reporting.Value]:
    return [
        row.open,
        *(row.bands[band] for band in backlog_queries.BANDS),
        *(row.deadlines[state] for state in backlog_queries.DEADLINES),
    ]


FIGURES = (
    "open",
    *(f"band:{band}" for band in backlog_queries.BANDS),
    *(f"deadline:{state}" for state in backlog_queries.DEADLINES),
)


def build_backlog(request: ReportRequest, filters: Filters | None = None) -> ReportOutput:
    """The report for ``request``; the report page passes its ``filters`` (a team narrows the
    cases to the team's; channel and access point do not: the backlog reads no contact)."""
    scope = volume_queries.scope_for(
        request, filters if filters is not None else narrow_queries.filters_of(request)
    )
    service = _service_query(scope)
    day = scope.period.last
    rows = backlog_queries.backlog(scope, day)
    # Narrowed to a team, the row "all" is that team's cases.
    every_team = str(scope.team.pk) if scope.team is not None else "all"

    def links(team: str, on: datetime.date) -> list[str | None]:
        chosen = every_team if team == "all" else team
        return [
            records_url(BACKLOG, day=on.isoformat(), team=chosen, figure=figure, **service)
            for figure in FIGURES
        ]

    trend_rows: list[list[reporting.Value]] = []
    trend_links: list[list[str | None]] = []
    for end in backlog_queries.month_ends(scope.period):
        total = backlog_queries.backlog(scope, end)[-1]
        trend_rows.append([end, *_backlog_values(total)])
        trend_links.append([None, *links("all", end)])
    tables = [
        Table(
            name="backlog",
            caption=str(_("Open cases at the end of %(day)s") % {"day": day.isoformat()}),
            columns=BACKLOG_COLUMNS,
            rows=[
                [row.team if row.team == "all" else row.label, *_backlog_values(row)]
                for row in rows
            ],
            definitions=[str(text) for text in backlog_queries.DEFINITIONS],
            links=[[None, *links(row.team, day)] for row in rows],
        ),
        Table(
            name="trend",
            caption=str(_("Open cases at each month end")),
            columns=("month_end", *BACKLOG_COLUMNS[1:]),
            rows=trend_rows,
            links=trend_links,
            chart=Chart("line", 0, (1, 7)),
        ),
    ]
    return ReportOutput(
        BACKLOG,
        str(_("Backlog and ageing of open cases")),
        request,
        tables,
        service_name=_service_name(scope),
    )


def register() -> None:
    reporting.register_report(
        ReportDefinition(
            VOLUMES, _("Contact volumes"), build_volumes, narrows=("channel", "access-point")
        )
    )
    reporting.register_report(
        ReportDefinition(
            BACKLOG, _("Backlog and ageing of open cases"), build_backlog, narrows=("team",)
        )
    )
