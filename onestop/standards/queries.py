"""Reads of standards and calendars, all scoped to an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from onestop.core import permissions
from onestop.core.access import get_or_404
from onestop.core.models import Organisation
from onestop.core.scoping import ScopedQuerySet
from onestop.standards import clock
from onestop.standards.models import (
    CalendarChoice,
    CalendarVersion,
    ClosureDay,
    Standard,
    StandardTarget,
)


def standards_for(user: Any) -> ScopedQuerySet[Standard]:
    return Standard.objects.for_user(user).prefetch_related("targets").order_by("code", "pk")


def closure_days_for(user: Any) -> ScopedQuerySet[ClosureDay]:
    return ClosureDay.objects.for_user(user).order_by("date")


def get_standard_for(user: Any, standard_id: int) -> Standard:
    standard: Standard = get_or_404(
        user, Standard.objects.for_user(user), permissions.STANDARD_VIEW, pk=standard_id
    )
    return standard


def get_closure_day_for(user: Any, closure_day_id: int, action: str) -> ClosureDay:
    closure: ClosureDay = get_or_404(
        user, ClosureDay.objects.for_user(user), action, pk=closure_day_id
    )
    return closure


def target_for_year(standard: Standard, year: int) -> Decimal:
    """The target in force in ``year``: the latest change on or before it, else the standard's."""
    history: list[StandardTarget] = sorted(standard.targets.all(), key=lambda item: item.year)
    found = standard.target_percent
    for target in history:
        if target.year <= year:
            found = target.target_percent
    return found


def calendar_version_of(organisation: Organisation | int) -> int:
    version = CalendarVersion.objects.for_organisation(organisation).first()
    return 1 if version is None else version.number


def calendar_for_organisation(organisation: Organisation) -> clock.Calendar:
    """The clock's calendar: the organisation's nation, its closure days and version."""
    closures: list[date] = list(
        ClosureDay.objects.for_organisation(organisation).values_list("date", flat=True)
    )
    return clock.nation_calendar(
        clock.ORGANISATION_NATIONS[organisation.nation],
        closures=closures,
        version=calendar_version_of(organisation),
    )


def calendar_for_standard(standard: Standard, organisation: Organisation) -> clock.Calendar:
    if standard.calendar == CalendarChoice.UNITED_KINGDOM:
        return clock.nation_calendar(clock.Nation.UNITED_KINGDOM)
    return calendar_for_organisation(organisation)


@dataclass(frozen=True)
class StandardRow:
    standard: Standard
    target_this_year: Decimal
    history: list[StandardTarget]
