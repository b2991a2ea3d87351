"""Directory factories: each goes through the directory's own services (no raw creates)."""

from __future__ import annotations

import datetime

from onestop.core.models import Organisation, User
from onestop.directory import services
from onestop.directory.models import (
    AccessPoint,
    AccessPointKind,
    AccessPointShare,
    OpeningException,
    OpeningSession,
    OutOfHoursArrangement,
    Service,
    Team,
    TeamMembership,
)

T = datetime.time
NINE, ONE_PM = T(9), T(13)


def lgsl(*entries: tuple[int, str]) -> None:
    services.import_lgsl(list(entries) or [(524, "Household waste collection")])


def service(organisation: Organisation, name: str = "Council Tax", **fields: object) -> Service:
    return services.create_service(organisation, by=None, name=name, **fields)  # type: ignore[arg-type]


def team(of: Service, name: str = "Revenues") -> Team:
    return services.create_team(of, by=None, name=name)


def membership(of: Team, user: User) -> TeamMembership:
    return services.add_team_member(of, by=None, user=user)


def access_point(
    organisation: Organisation,
    name: str = "Customer Service Centre",
    kind: str = AccessPointKind.CUSTOMER_SERVICE_CENTRE,
) -> AccessPoint:
    return services.create_access_point(
        organisation, by=None, kind=kind, name=name, address="66 High Street", phone="01632 960001"
    )


def session(
    point: AccessPoint, weekday: int = 0, opens: T = NINE, closes: T = ONE_PM
) -> OpeningSession:
    return services.add_opening_session(point, by=None, weekday=weekday, opens=opens, closes=closes)


def exception(
    point: AccessPoint,
    date: datetime.date = datetime.date(2026, 12, 24),
    sessions: tuple[tuple[T, T], ...] = ((T(9), T(12)),),
    reason: str = "Christmas Eve",
) -> OpeningException:
    return services.set_opening_exception(
        point, by=None, date=date, reason=reason, sessions=sessions
    )


STANDBY = services.OutOfHoursInput(
    title="Emergency standby",
    contact="The Message Pad",
    phone="01632 960999",
    details="",
    starts_weekday=4,
    starts_at=T(16, 45),
    ends_weekday=0,
    ends_at=T(8, 45),
)


def out_of_hours(point: AccessPoint) -> OutOfHoursArrangement:
    return services.save_out_of_hours(point, by=None, data=STANDBY)


def share(point: AccessPoint, organisation: Organisation) -> AccessPointShare:
    return services.share_access_point(point, by=None, organisation=organisation)
