"""Calendars built from the directory (opening hours) and per-service standards."""

from __future__ import annotations

import datetime
from datetime import time as T
from decimal import Decimal
from zoneinfo import ZoneInfo

from onestop.core.models import Organisation
from onestop.standards import clock, queries, services
from onestop.standards.models import Standard
from tests.directory import factories as directory

LONDON = ZoneInfo("Europe/London")


def _standard(organisation: Organisation, *, amount: int, service_id: int | None) -> Standard:
    return services.save_standard(
        organisation,
        by=None,
        code="letters",
        title="Answer letters",
        applies_to="letter",
        start_event="received",
        stop_event="answered",
        amount=amount,
        unit="working_days",
        target_percent=Decimal("90"),
        service_id=service_id,
    )


def test_a_service_uses_its_own_standard_where_it_has_one(council: Organisation) -> None:
    council_tax = directory.service(council, "Council Tax")
    planning = directory.service(council, "Planning")
    corporate = _standard(council, amount=10, service_id=None)
    own = _standard(council, amount=5, service_id=council_tax.pk)
    assert queries.standard_for(council, "letters", council_tax.pk) == own
    assert queries.standard_for(council, "letters", planning.pk) == corporate
    assert queries.standard_for(council, "letters") == corporate
    assert queries.standard_for(council, "no-such-standard") is None


def test_another_organisations_standard_never_applies(
    council: Organisation, partner: Organisation
) -> None:
    _standard(partner, amount=10, service_id=None)
    assert queries.standard_for(council, "letters") is None


def test_working_hours_follow_the_access_points_opening_sessions(council: Organisation) -> None:
    point = directory.access_point(council)
    directory.session(point, weekday=0, opens=T(9), closes=T(13))
    directory.session(point, weekday=0, opens=T(14), closes=T(16, 30))
    directory.session(point, weekday=1, opens=T(9), closes=T(13))
    calendar = queries.calendar_for_access_point(point)
    # Monday 30 November 2026, 12:00: one hour before lunch, 2.5 hours after, then Tuesday.
    start = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=LONDON)
    assert clock.deadline(start, 3, "working_hours", calendar) == datetime.datetime(
        2026, 11, 30, 16, 0, tzinfo=LONDON
    )
    assert clock.deadline(start, 4, "working_hours", calendar) == datetime.datetime(
        2026, 12, 1, 9, 30, tzinfo=LONDON
    )


def test_a_date_the_access_point_is_closed_all_day_is_not_a_working_day(
    council: Organisation,
) -> None:
    point = directory.access_point(council)
    directory.session(point, weekday=0, opens=T(9), closes=T(17))
    directory.session(point, weekday=1, opens=T(9), closes=T(17))
    directory.exception(point, date=datetime.date(2026, 12, 1), sessions=())
    calendar = queries.calendar_for_access_point(point)
    assert calendar.is_working_day(datetime.date(2026, 11, 30)) is True
    assert calendar.is_working_day(datetime.date(2026, 12, 1)) is False
    assert calendar.is_working_day(datetime.date(2026, 12, 2)) is False  # Wednesday: no sessions
