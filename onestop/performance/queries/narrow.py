"""The filters beyond the service a report request names (``onestop report --team ID --channel
CODE --access-point ID``: ``core.reporting.ReportRequest.narrow``), as the pages' ``Filters``."""

from __future__ import annotations

from onestop.contacts.models import Channel
from onestop.core import reporting
from onestop.directory.models import AccessPoint, Team
from onestop.performance.queries.compliance import Filters


def filters_of(request: reporting.ReportRequest) -> Filters:
    """The request's team, channel and access point (the service is left to the report);
    ``ReportError`` for one the organisation has not got."""
    given = dict(request.narrow)
    organisation = request.organisation
    team = point = None
    channel = str(given.get("channel", ""))[:30]
    if given.get("team"):
        text = str(given["team"])[:12]
        team = (
            Team.objects.for_organisation(organisation).filter(pk=int(text)).first()
            if text.isdigit()
            else None
        )
        if team is None:
            raise reporting.ReportError(f"{organisation.name} has no team {text!r}")
    if given.get("access-point"):
        text = str(given["access-point"])[:12]
        point = (
            AccessPoint.objects.for_organisation(organisation).filter(pk=int(text)).first()
            if text.isdigit()
            else None
        )
        if point is None:
            raise reporting.ReportError(f"{organisation.name} has no access point {text!r}")
    if channel and channel not in Channel.values:
        raise reporting.ReportError(f"there is no channel {channel!r}")
    return Filters(None, team, channel, point)
