"""Whose individual figures a member of staff may see: the one place it is decided.

- Everyone with ``performance.own`` sees their own.
- Someone with ``performance.team`` (team leaders) also sees every member of the teams they
  belong to.
- Nobody sees anyone else's individual figures (managers and auditors see teams, not people).

Whose figure a clock is (``officer_compliance``): a clock stopped by closing or resolving the
case counts for the member of staff who did that, as the case's timeline records it (the first
"resolved" or "closed" event at or after the moment the clock stopped); a clock still running,
or stopped with nobody recorded (closed by the system), counts for the case's assignee now.  So
an officer who closes a colleague's case late carries the miss, and a case handed on after it
was closed stays with whoever closed it.

The other records measured against the standards count for the member of staff they carry
(``standards.measures.ComplianceSource.officer_counts``): a call-back for the advisor who made it
(not yet made: the one it was promised to), a call for the agent who answered it, a complaint's
stage for the officer handling it.  A visitor's ticket carries nobody, so counts for no one.
Per team (``compliance.compliance_by``), those records count for the team recorded on each when
it was made (a call-back the team it was given to, a call its queue's team at import, a stage
the team handling it), so a person moving team later changes no past period's team figures;
what a team leader may see of people is decided here, what of teams by ``performance.view``.

``get_officer_for`` answers 404 for a person outside the viewer's organisation (or unknown) and
403 for a colleague whose figures the viewer may not see.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseClock, CaseEvent
from onestop.core import permissions
from onestop.core.models import Organisation, User
from onestop.core.reporting import Period
from onestop.directory.models import TeamMembership
from onestop.performance.queries import compliance
from onestop.standards import measures
from onestop.standards.measures import Counts

# The timeline events that stop a case's clocks (``cases.events.EventType``'s stable codes).
STOPPING_EVENTS = ("resolved", "closed")


def officers_visible_to(user: Any) -> set[int]:
    """The ids of the people whose individual figures ``user`` may see (maybe none)."""
    actions = permissions.actions_of(user)
    found: set[int] = set()
    if permissions.PERFORMANCE_OWN in actions:
        found.add(user.pk)
    if permissions.PERFORMANCE_TEAM in actions:
        memberships = TeamMembership.objects.for_organisation(user.organisation_id)
        teams = memberships.filter(user=user).values("team_id")
        found.update(memberships.filter(team_id__in=teams).values_list("user_id", flat=True))
    return found


def get_officer_for(user: Any, officer_id: object) -> User:
    """The member of staff ``officer_id`` if ``user`` may see their figures."""
    text = str(officer_id)[:12]
    if not text.isdigit():
        raise Http404
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        raise Http404
    officer = User.objects.filter(organisation_id=organisation_id, pk=int(text)).first()
    if officer is None:
        raise Http404
    if officer.pk not in officers_visible_to(user):
        raise PermissionDenied
    return officer


def _officer() -> Coalesce:
    """The member of staff a clock counts for (see the module's docstring)."""
    stopped_by = (
        CaseEvent.objects.filter(
            organisation_id=OuterRef("organisation_id"),
            case_id=OuterRef("case_id"),
            code__in=STOPPING_EVENTS,
            at__gte=OuterRef("stopped_at"),
        )
        .order_by("at", "id")
        .values("by_id")[:1]
    )
    return Coalesce(Subquery(stopped_by), F("case__assignee_id"), output_field=BigIntegerField())


def officer_clocks(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    officer: User,
    figure: str = "measured",
    code: str = "",
) -> QuerySet[CaseClock]:
    """The clocks one of ``officer``'s figures counts (the drill-down of their own page)."""
    rows = compliance.clocks_behind(organisation, period, now=now, figure=figure, code=code)
    return rows.annotate(officer=_officer()).filter(officer=officer.pk)


def _source_counts(
    organisation: Organisation, period: Period, now: datetime.datetime, officer: User
) -> dict[str, Counts]:
    """``officer``'s counts from every compliance source whose records carry a member of staff
    (call-backs, calls answered, complaint stages), by standard code."""
    found: dict[str, Counts] = {}
    for source in measures.compliance_sources():
        if source.officer_counts is None:
            continue
        for code, counts in source.officer_counts(organisation, period, officer.pk, now).items():
            found[code] = found.get(code, Counts()) + counts
    return found


def officer_rules() -> list[str]:
    """Whose record each kind is, for the person page (the cases' clocks first)."""
    rules = [
        str(
            _(
                "Cases: a clock stopped by closing or resolving the case counts for whoever did "
                "it; a running clock for the officer the case is assigned to."
            )
        )
    ]
    rules += [
        source.officer_rule() for source in measures.compliance_sources() if source.officer_rule
    ]
    return rules


def officer_compliance(
    organisation: Organisation, period: Period, *, now: datetime.datetime, officer: User
) -> list[compliance.ComplianceRow]:
    """Per standard, ``officer``'s figures against the organisation-wide target: the cases'
    clocks they carry, and every other source's records that are theirs (``_source_counts``)."""
    grouped: Any = (
        officer_clocks(organisation, period, now=now, officer=officer)
        .order_by()
        .values("standard_code")
        .annotate(
            **{
                name: Count("id", filter=compliance.figure_q(name, now))
                for name in ("met", "missed", "overdue", "not_yet_due")
            }
        )
        .order_by("standard_code")
    )
    standards = compliance.standards_of(organisation, period.first.year)
    totals: dict[str, Counts] = {
        row["standard_code"]: Counts(row["met"], row["missed"], row["overdue"], row["not_yet_due"])
        for row in grouped
    }
    for code, counts in _source_counts(organisation, period, now, officer).items():
        totals[code] = totals.get(code, Counts()) + counts
    found: list[compliance.ComplianceRow] = []
    for code in sorted(totals):
        if not totals[code].measured:
            continue
        info = standards.get(code)
        target = info.targets.get(None) if info else None
        found.append(
            compliance.ComplianceRow(
                code,
                info.title if info else code,
                totals[code],
                None if target is None else (target / 100).quantize(compliance.FOUR_PLACES),
                group_id=officer.pk,
                group_name=officer.get_full_name() or officer.get_username(),
            )
        )
    return found
