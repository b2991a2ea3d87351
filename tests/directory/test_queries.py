"""Directory reads: opening sessions on a date, out-of-hours cover, scoping."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from onestop.core import permissions
from onestop.core.models import User
from onestop.directory import queries
from onestop.directory.models import OutOfHoursArrangement
from tests.directory import factories
from tests.directory.conftest import World

T = datetime.time
MONDAY = datetime.date(2026, 12, 21)
CHRISTMAS_EVE = datetime.date(2026, 12, 24)


@pytest.mark.parametrize(
    ("date", "sessions"),
    [
        (MONDAY, [(T(9), T(13)), (T(14), T(16, 30))]),
        (MONDAY + datetime.timedelta(days=1), []),
        (CHRISTMAS_EVE, [(T(9), T(12))]),
        (datetime.date(2026, 12, 28), []),
    ],
    ids=["weekly", "closed day", "exception", "closed exception"],
)
def test_opening_sessions_on_a_date(
    world: World, date: datetime.date, sessions: list[tuple[T, T]]
) -> None:
    factories.session(world.point, 0, T(14), T(16, 30))
    factories.exception(
        world.point, datetime.date(2026, 12, 28), sessions=(), reason="Bank holiday"
    )
    assert queries.opening_sessions_on(world.point, date) == sessions


@pytest.mark.parametrize(
    ("weekday", "at", "covered"),
    [
        (4, T(16, 44), False),
        (4, T(16, 45), True),
        (5, T(12), True),
        (6, T(23, 59), True),
        (0, T(8, 44), True),
        (0, T(8, 45), False),
        (2, T(12), False),
    ],
)
def test_the_weekend_standby_window_wraps_the_week(
    world: World, weekday: int, at: T, covered: bool
) -> None:
    arrangement = OutOfHoursArrangement.objects.for_organisation(world.point.organisation_id).get()
    assert arrangement.covers(weekday, at) is covered


def test_out_of_hours_at_a_moment(world: World) -> None:
    saturday = datetime.datetime(2026, 12, 26, 10, tzinfo=datetime.UTC)
    assert [a.title for a in queries.out_of_hours_at(world.point, saturday)] == [
        "Emergency standby"
    ]


def test_weekly_hours_lists_every_day(world: World) -> None:
    hours = queries.weekly_hours(world.point)
    assert [(day.label, len(day.sessions)) for day in hours] == [
        ("Monday", 1),
        ("Tuesday", 0),
        ("Wednesday", 0),
        ("Thursday", 0),
        ("Friday", 0),
        ("Saturday", 0),
        ("Sunday", 0),
    ]


def test_the_partner_reads_a_shared_point_but_may_not_manage_it(
    world: World, partner_administrator: User
) -> None:
    assert queries.get_access_point_for(partner_administrator, world.shared_point.pk) == (
        world.shared_point
    )
    with pytest.raises(PermissionDenied):
        queries.get_access_point_for(
            partner_administrator, world.shared_point.pk, permissions.DIRECTORY_MANAGE
        )
    with pytest.raises(Http404):
        queries.get_access_point_for(partner_administrator, world.point.pk)


def test_staff_lists_carry_roles_and_teams(world: World, advisor: User) -> None:
    staff = list(queries.staff_for(advisor))
    teams = [
        (member.username, [m.team.name for m in member.team_memberships.all()]) for member in staff
    ]
    assert teams == [("advisor", ["Revenues"])]
