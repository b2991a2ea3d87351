"""The manager's dashboard's headline figures: each measure narrowed by every filter that applies
to it, for one period.  The figures are the reports' own (``queries.volumes``,
``queries.backlog``, ``queries.compliance``, ``telephony.queries.measures``), read through their
record sets, so a headline figure equals the count of the records its link lists.

Which filter narrows which measure (``APPLIES``): a contact has a service, a channel and an
access point but no team; an open case has a service and a team (its channel and access point
are the first contact's, which the backlog does not read); a call has a queue (narrowed by
service through the queue's service) and nothing else; compliance reads all four."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from onestop.contacts.models import Channel, Contact
from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.performance.queries import backlog as backlog_queries
from onestop.performance.queries import compliance
from onestop.performance.queries import volumes as volume_queries
from onestop.telephony.queries import measures as call_measures


class Measure:
    COMPLIANCE = "compliance"
    CONTACTS = "contacts"
    BACKLOG = "backlog"
    TELEPHONY = "telephony"


FILTERS = ("service", "team", "channel", "access_point")
APPLIES: Mapping[str, frozenset[str]] = {
    Measure.COMPLIANCE: frozenset(FILTERS),
    Measure.CONTACTS: frozenset({"service", "channel", "access_point"}),
    Measure.BACKLOG: frozenset({"service", "team"}),
    Measure.TELEPHONY: frozenset({"service"}),
}


def not_applied(filters: compliance.Filters) -> dict[str, list[str]]:
    """By measure, the filters chosen that do not narrow it (empty lists left out)."""
    chosen = {
        "service": filters.service is not None,
        "team": filters.team is not None,
        "channel": bool(filters.channel),
        "access_point": filters.access_point is not None,
    }
    found: dict[str, list[str]] = {}
    for measure, applies in APPLIES.items():
        left = [name for name in FILTERS if chosen[name] and name not in applies]
        if left:
            found[measure] = left
    return found


# --- contacts ------------------------------------------------------------------------------------
def contacts_for(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters
) -> QuerySet[Contact]:
    """The contacts of the period the filters that apply to contacts narrow to."""
    rows = volume_queries.contacts_in(volume_queries.Scope(organisation, period, filters.service))
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.access_point is not None:
        rows = rows.filter(access_point=filters.access_point)
    return rows


def narrow_contacts(rows: QuerySet[Contact], channel: str, access_point: str) -> QuerySet[Contact]:
    """A figure's contacts narrowed further by a channel code ("none": not recorded) and an
    access point's id, as the dashboard's filters narrow them; ``ValueError`` for a value there
    cannot be (the caller has already scoped ``rows`` to the organisation)."""
    channel = str(channel)[:30]
    point = str(access_point)[:12]
    if channel == volume_queries.NONE_VALUE:
        rows = rows.filter(channel="")
    elif channel:
        if channel not in Channel.values:
            raise ValueError(channel)
        rows = rows.filter(channel=channel)
    if point:
        if not point.isdigit():
            raise ValueError(point)
        rows = rows.filter(access_point_id=int(point))
    return rows


@dataclass(frozen=True)
class ContactFigures:
    contacts: int
    inbound: int
    resolved: int
    repeats: int
    assessed: int
    avoidable: int

    @property
    def first_contact_resolution(self) -> reporting.Value:
        return volume_queries.rate(self.resolved, self.inbound)

    @property
    def avoidable_share(self) -> reporting.Value:
        return volume_queries.rate(self.avoidable, self.assessed)


def _figures(found: Mapping[str, Any]) -> ContactFigures:
    """The figures from a row of counts named as the measures (``volume_queries.MEASURES``)."""
    return ContactFigures(**{measure: int(found[measure]) for measure in volume_queries.MEASURES})


def _contact_counts() -> dict[str, Count]:
    return {
        measure: Count("id", filter=condition)
        for measure, condition in volume_queries.MEASURES.items()
    }


def contact_figures(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters
) -> ContactFigures:
    return _figures(contacts_for(organisation, period, filters).aggregate(**_contact_counts()))


def contacts_by_channel(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters
) -> list[tuple[str, ContactFigures]]:
    """Per channel (by its code, "" for none recorded), the same figures."""
    grouped: Any = (
        contacts_for(organisation, period, filters)
        .order_by()
        .values("channel")
        .annotate(**_contact_counts())
        .order_by("channel")
    )
    return [(str(row["channel"] or ""), _figures(row)) for row in grouped]


def avoidable_kinds(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters
) -> list[volume_queries.KindRow]:
    """Each kind of avoidable contact (then not avoidable, not assessed), the filters applied."""
    scope = volume_queries.Scope(organisation, period, filters.service)
    return volume_queries.avoidable_kinds(scope, contacts_for(organisation, period, filters))


# --- backlog -------------------------------------------------------------------------------------
def backlog_at(
    organisation: Organisation, day: datetime.date, filters: compliance.Filters
) -> backlog_queries.BacklogRow:
    """The open cases at the end of ``day``: the chosen team's row, or every team's."""
    scope = volume_queries.Scope(organisation, reporting.Period(day, day), filters.service)
    rows = backlog_queries.backlog(scope, day)
    wanted = str(filters.team.pk) if filters.team is not None else "all"
    for row in rows:
        if row.team == wanted:
            return row
    label = filters.team.name if filters.team is not None else ""
    return backlog_queries.BacklogRow(
        wanted,
        str(label),
        0,
        dict.fromkeys(backlog_queries.BANDS, 0),
        dict.fromkeys(backlog_queries.DEADLINES, 0),
    )


# --- telephone calls -----------------------------------------------------------------------------
def call_figures(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters
) -> call_measures.TelephonyFigures:
    return call_measures.figures(call_measures.Scope(organisation, period, filters.service))
