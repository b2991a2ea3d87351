"""A registered report built for the performance pages' filters (service, team, channel, access
point), for its page and its downloads alike, so the file holds the figures the page shows.

Which filters narrow which report (``REPORT_FILTERS``): compliance reads all four; a contact has
a channel and an access point but no team (``volumes``); an open case has a team, and no channel
or access point of its own (``backlog``); any other report (``telephony``, the complaint
reports) is narrowed by service only, through its own ``build``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.core import reporting
from onestop.performance import reports_standards, reports_volumes
from onestop.performance.queries import dashboard as queries
from onestop.performance.queries.compliance import Filters

SERVICE_ONLY = frozenset({"service"})
REPORT_FILTERS: dict[str, frozenset[str]] = {
    reports_standards.CODE: frozenset(queries.FILTERS),
    reports_volumes.VOLUMES: frozenset({"service", "channel", "access_point"}),
    reports_volumes.BACKLOG: frozenset({"service", "team"}),
}


def applied(code: str) -> frozenset[str]:
    """The filters that narrow the report ``code``."""
    return REPORT_FILTERS.get(code, SERVICE_ONLY)


def _described(title: str, filters: Filters, names: frozenset[str]) -> str:
    """The title with the filters beyond the service that narrow it, for the files' headings
    ("Contact volumes (channel: email; access point: Town hall)")."""
    parts = []
    if "team" in names and filters.team is not None:
        parts.append(_("team: %(name)s") % {"name": filters.team.name})
    if "channel" in names and filters.channel:
        parts.append(_("channel: %(name)s") % {"name": filters.channel})
    if "access_point" in names and filters.access_point is not None:
        parts.append(_("access point: %(name)s") % {"name": filters.access_point.name})
    return f"{title} ({'; '.join(parts)})" if parts else title


def build(
    definition: reporting.ReportDefinition,
    request: reporting.ReportRequest,
    filters: Filters,
    *,
    links: bool,
) -> reporting.ReportOutput:
    """``definition``'s report for ``request`` (its service code) narrowed by the ``filters``
    that apply to it; ``ReportError`` for a service the organisation has not got."""
    names = applied(definition.code)
    if definition.code == reports_standards.CODE:
        service = reports_standards.resolve_service(request)
        narrowed = Filters(service, filters.team, filters.channel, filters.access_point)
        output = reporting.ReportOutput(
            code=definition.code,
            title=str(definition.title),
            request=request,
            tables=reports_standards.tables(
                request.organisation, request.period, filters=narrowed, links=links
            ),
            service_name=service.name if service else "",
        )
    elif definition.code == reports_volumes.VOLUMES:
        output = reports_volumes.build_volumes(request, filters)
    elif definition.code == reports_volumes.BACKLOG:
        output = reports_volumes.build_backlog(request, filters)
    else:
        return definition.build(request)
    return reporting.ReportOutput(
        code=output.code,
        title=_described(output.title, filters, names),
        request=output.request,
        tables=output.tables,
        service_name=output.service_name,
        native=output.native,
    )
