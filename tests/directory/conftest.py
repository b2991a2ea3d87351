"""The directory's world: a council with one of everything, and a partner it shares with."""

from __future__ import annotations

from dataclasses import dataclass

from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.directory.models import (
    AccessPoint,
    AccessPointShare,
    ExceptionSession,
    LgslService,
    OpeningException,
    OpeningSession,
    OutOfHoursArrangement,
    Service,
    Team,
    TeamMembership,
)
from tests import factories as core_factories
from tests.directory import factories
from tests.shared import shared_fixture


@dataclass(frozen=True)
class World:
    service: Service
    team: Team
    membership: TeamMembership
    point: AccessPoint
    shared_point: AccessPoint
    session: OpeningSession
    exception: OpeningException
    arrangement: OutOfHoursArrangement
    share: AccessPointShare
    partner_point: AccessPoint
    partner_service: Service


@shared_fixture
def councillor(council: Organisation) -> User:
    """Council staff whose role does not include the directory."""
    return core_factories.staff(council, RoleCode.COUNCILLOR, username="councillor")


@shared_fixture
def world(council: Organisation, partner: Organisation, advisor: User) -> World:
    factories.lgsl((524, "Household waste collection"), (57, "Council Tax payments"))
    service = factories.service(council, "Council Tax", lgsl_code=57)
    team = factories.team(service, "Revenues")
    point = factories.access_point(council, "Winslow Area Office")
    shared_point = factories.access_point(council, "Buckingham One-Stop Shop")
    return World(
        service=service,
        team=team,
        membership=factories.membership(team, advisor),
        point=point,
        shared_point=shared_point,
        session=factories.session(point),
        exception=factories.exception(point),
        arrangement=factories.out_of_hours(point),
        share=factories.share(shared_point, partner),
        partner_point=factories.access_point(partner, "Housing Office"),
        partner_service=factories.service(partner, "Tenancy Services"),
    )


def snapshot() -> dict[str, object]:
    """Everything a denied request must leave as it was."""
    reason = "test snapshot"
    return {
        "services": sorted(
            Service.objects.unscoped(reason).values_list("name", "description", "lgsl_id")
        ),
        "teams": sorted(Team.objects.unscoped(reason).values_list("name", "email")),
        "memberships": TeamMembership.objects.unscoped(reason).count(),
        "points": sorted(AccessPoint.objects.unscoped(reason).values_list("name", "phone")),
        "shares": AccessPointShare.objects.unscoped(reason).count(),
        "sessions": sorted(
            OpeningSession.objects.unscoped(reason).values_list("weekday", "opens", "closes")
        ),
        "exceptions": OpeningException.objects.unscoped(reason).count(),
        "exception_sessions": ExceptionSession.objects.unscoped(reason).count(),
        "out_of_hours": sorted(
            OutOfHoursArrangement.objects.unscoped(reason).values_list("title", "contact")
        ),
        "organisations": sorted(Organisation.objects.values_list("name", "branding_text")),
        "roles": sorted(
            (name, code or "") for name, code in User.objects.values_list("username", "roles__code")
        ),
        "lgsl": LgslService.objects.count(),
        "audit": AuditRecord.objects.unscoped(reason).exclude(action=AuditAction.SIGNED_IN).count(),
    }
