"""Every read of the quarterly returns: who may complete which service's return, the returns a
user sees, one return (404 outside the user's organisation), and the pre-filled figures.

A head of service is a manager (``QUARTERLY_RETURN_COMPLETE``) in a team of the service
(``directory.TeamMembership``): they complete that service's return.  A collator
(``QUARTERLY_RETURN_COLLATE``) sees every service's return of the organisation, reopens a
submitted one, and collates them (the ``quarterly-return`` report)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from onestop.core import permissions, reporting
from onestop.core.access import get_or_404
from onestop.core.models import Organisation, User
from onestop.directory.models import Service, TeamMembership
from onestop.performance.models import QuarterlyReturn

COMPLETE = permissions.QUARTERLY_RETURN_COMPLETE
COLLATE = permissions.QUARTERLY_RETURN_COLLATE
# The reports whose figures a return is pre-filled with, by code, in this order; a code nobody
# registered is passed over (``ONESTOP_QUARTERLY_RETURN_REPORTS``).
DEFAULT_REPORTS = ("standards-compliance", "volumes", "telephony", "feedback-quarterly")
QUARTERS_OFFERED = 5


def prefilled_reports() -> tuple[str, ...]:
    """The registered reports a return is pre-filled from, in the configured order."""
    configured = getattr(settings, "ONESTOP_QUARTERLY_RETURN_REPORTS", DEFAULT_REPORTS)
    registered = reporting.registered_reports()
    return tuple(str(code) for code in configured if str(code) in registered)


def services_completed_by(user: User) -> QuerySet[Service]:
    """The services whose return ``user`` may complete: those of their teams, if they may
    complete returns at all."""
    if not permissions.can(user, COMPLETE):
        return Service.objects.none()
    team_services = (
        TeamMembership.objects.for_user(user).filter(user=user).values_list("team__service_id")
    )
    return Service.objects.for_user(user).filter(pk__in=team_services).order_by("name")


def may_complete(user: User, quarterly_return: QuarterlyReturn) -> bool:
    return (
        permissions.can(user, COMPLETE, quarterly_return)
        and services_completed_by(user).filter(pk=quarterly_return.service_id).exists()
    )


def may_collate(user: User) -> bool:
    return permissions.can(user, COLLATE)


def services_shown_to(user: User) -> QuerySet[Service]:
    """Every service of the organisation for a collator; a head of service's own otherwise."""
    if may_collate(user):
        return Service.objects.for_user(user).order_by("name")
    return services_completed_by(user)


def returns_for(user: User, first: datetime.date) -> dict[int, QuarterlyReturn]:
    """The returns of the quarter starting ``first`` the user may see, by service id."""
    if not (may_collate(user) or permissions.can(user, COMPLETE)):
        raise PermissionDenied(COMPLETE)
    shown = services_shown_to(user).values_list("pk")
    rows = (
        QuarterlyReturn.objects.for_user(user)
        .filter(first=first, service_id__in=shown)
        .select_related("service", "submitted_by")
    )
    return {row.service_id: row for row in rows}


def get_return_for(user: User, return_id: int) -> QuarterlyReturn:
    """One return of the user's organisation (404 otherwise) that they complete or collate
    (403 otherwise)."""
    action = COLLATE if may_collate(user) else COMPLETE
    found: QuarterlyReturn = get_or_404(
        user,
        QuarterlyReturn.objects.for_user(user).select_related(
            "service", "submitted_by", "started_by"
        ),
        action,
        pk=return_id,
    )
    if action == COMPLETE and not may_complete(user, found):
        raise PermissionDenied(COMPLETE)
    return found


def quarters_offered(today: datetime.date, count: int = QUARTERS_OFFERED) -> list[reporting.Period]:
    """The current quarter and the ones before it, newest first."""
    quarters = [reporting.quarter_of(today)]
    while len(quarters) < count:
        quarters.append(reporting.previous(quarters[-1]))
    return quarters


def _plain(value: object) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def figures_of(
    organisation: Organisation, service: Service, period: reporting.Period
) -> list[dict[str, Any]]:
    """Each pre-filled report's first table for the service and the quarter, as plain values
    (a report that cannot be written for the service is noted, not fatal)."""
    found: list[dict[str, Any]] = []
    for code in prefilled_reports():
        definition = reporting.report_named(code)
        request = reporting.ReportRequest(organisation, period, service.slug)
        try:
            output = definition.build(request)
        except reporting.ReportError as refused:
            found.append(
                {"report": code, "title": str(definition.title), "error": str(refused)[:300]}
            )
            continue
        if not output.tables:
            continue
        table = output.tables[0]
        found.append(
            {
                "report": code,
                "title": str(definition.title),
                "caption": str(table.caption),
                "columns": [str(column) for column in table.columns],
                "rows": [[_plain(value) for value in row] for row in table.rows],
            }
        )
    return found


def _total_row(rows: list[list[Any]]) -> list[Any] | None:
    """A first table's total: its row whose first cell is ``all`` (``telephony``'s), or its only
    row; ``None`` when it has neither (a table of many rows has no one figure to collate)."""
    totals = [row for row in rows if row and str(row[0]) == "all"]
    if len(totals) == 1:
        return totals[0]
    return rows[0] if len(rows) == 1 else None


def headline_figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures the corporate report collates: of each pre-filled report, the total row of
    its first table (``_total_row``), each column but the first named ``<report>:<column>``.
    A report whose first table has no total row is collated by its whole table in each return,
    not by a row that might be taken for a total."""
    found: dict[str, Any] = {}
    for figure in figures:
        rows = figure.get("rows") or []
        columns = figure.get("columns") or []
        total = _total_row(rows)
        if total is None:
            continue
        for column, value in list(zip(columns, total, strict=False))[1:]:
            found[f"{figure['report']}:{column}"] = value
    return found


def returns_in(
    organisation: Organisation, period: reporting.Period, service: Service | None
) -> QuerySet[QuarterlyReturn]:
    """The organisation's returns for the quarters inside ``period`` (for the report)."""
    rows = QuarterlyReturn.objects.for_organisation(organisation).filter(
        first__gte=period.first, last__lte=period.last
    )
    if service is not None:
        rows = rows.filter(service=service)
    return rows.select_related("service", "submitted_by").order_by("first", "service__name")
