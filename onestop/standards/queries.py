"""Reads of standards and calendars, all scoped to an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext

from onestop.core import permissions
from onestop.core.access import get_or_404
from onestop.core.language import WELSH
from onestop.core.models import Organisation
from onestop.core.scoping import ScopedQuerySet
from onestop.directory.models import AccessPoint, OpeningException, OpeningSession
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


def standard_for(
    organisation: Organisation | int, code: str, service_id: int | None = None
) -> Standard | None:
    """The standard ``code`` that applies: the service's own if it has one, else the
    organisation-wide one (``None`` if the organisation has neither)."""
    candidates: ScopedQuerySet[Standard] = Standard.objects.for_organisation(organisation).filter(
        code=code
    )
    if service_id is not None:
        override = candidates.filter(service_id=service_id).first()
        if override is not None:
            return override
    return candidates.filter(service__isnull=True).first()


def calendar_for_access_point(access_point: AccessPoint) -> clock.Calendar:
    """The organisation's calendar with the access point's weekly opening hours, for units
    measured in working hours.  Dates the access point is closed all day (date exceptions
    without sessions) count as closure days; alternative sessions on exception dates are not
    yet modelled by the clock and fall back to the weekly pattern."""
    organisation = access_point.organisation
    weekly: list[list[clock.Session]] = [[] for _ in range(7)]
    for session in (
        OpeningSession.objects.for_organisation(organisation)
        .filter(access_point=access_point)
        .order_by("weekday", "opens")
    ):
        weekly[session.weekday].append(clock.Session(session.opens, session.closes))
    closed_all_day = (
        OpeningException.objects.for_organisation(organisation)
        .filter(access_point=access_point, sessions__isnull=True)
        .values_list("date", flat=True)
    )
    closures = [
        *ClosureDay.objects.for_organisation(organisation).values_list("date", flat=True),
        *closed_all_day,
    ]
    return clock.nation_calendar(
        clock.ORGANISATION_NATIONS[organisation.nation],
        closures=closures,
        opening=weekly,
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


# --- the residents' site: the customer charter --------------------------------------------------
@dataclass(frozen=True)
class Promise:
    """One published standard as residents read it: "We answer letters within 10 working
    days", with the share of the time the organisation aims to keep it this year."""

    standard: Standard
    sentence: str
    target_percent: Decimal
    service_name: str

    @property
    def always(self) -> bool:
        return self.target_percent >= 100


def _we(title: str, *, in_page_language: bool = True) -> str:
    """ "Answer letters within 10 working days" -> "We answer letters within 10 working days"
    ("Ateb llythyrau ..." -> "Byddwn yn ateb llythyrau ..." in Welsh).  A title that does not
    open with a verb in the usual case (an abbreviation, like "FOI requests answered ...") is
    shown as it is.  An English title on a Welsh page (no Welsh given) stays English whole
    (``in_page_language=False``), never half and half."""
    words = title.strip().split(" ", 1)
    first = words[0]
    if not (len(first) > 1 and first[0].isupper() and first[1:].islower()):
        return title.strip()
    first = first[0].lower() + first[1:]
    pattern = gettext("We %(promise)s") if in_page_language else "We %(promise)s"
    return pattern % {"promise": " ".join([first, *words[1:]])}


def charter(organisation: Organisation, year: int) -> list[Promise]:
    """Every standard the organisation publishes, organisation-wide ones first, then each
    service's own, by title; the target is the one in force in ``year`` (two queries)."""
    standards = list(
        Standard.objects.for_organisation(organisation)
        .select_related("service")
        .only(
            "title",
            "title_cy",
            "target_percent",
            "organisation_id",
            "service__name",
            "service__name_cy",
            "service__organisation_id",
        )
        .order_by("title", "pk")
    )
    # The latest target change on or before ``year`` for each standard (target_for_year's rule).
    changes: dict[int, Decimal] = dict(
        StandardTarget.objects.for_organisation(organisation)
        .filter(year__lte=year)
        .order_by("year")
        .values_list("standard_id", "target_percent")
    )
    promises = [
        Promise(
            standard=standard,
            sentence=_we(
                standard.public_title,
                in_page_language=bool(standard.title_cy) or get_language() != WELSH,
            ),
            target_percent=changes.get(standard.pk, standard.target_percent),
            service_name=standard.service.public_name if standard.service else "",
        )
        for standard in standards
    ]
    return sorted(promises, key=lambda promise: bool(promise.service_name))
