"""The feedback world: a council with a waste service and its crews, a complaints officer, the
crews' team leader, a crew member complaints can be about, a manager of another service, an
advisor and a customer who can be written to."""

from __future__ import annotations

from dataclasses import dataclass

from onestop.core.models import Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.directory.models import Service, Team
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers import factories as customer_factories
from tests.shared import shared_fixture


@dataclass
class World:
    organisation: Organisation
    waste: Service
    crews: Team
    housing: Service
    officer: User  # complaints officer
    leader: User  # team leader of the crews
    crew_member: User  # a back-office officer in the crews (and a team leader elsewhere)
    other_manager: User  # manager of housing, not of the crews
    advisor: User
    customer: Customer


@shared_fixture
def world(council: Organisation) -> World:
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    housing = case_factories.service(council, "Housing")
    housing_team = case_factories.team(housing, "Tenancy team")
    officer = core_factories.staff(council, RoleCode.COMPLAINTS_OFFICER, username="complaints")
    leader = core_factories.staff(council, RoleCode.TEAM_LEADER, username="crew.leader")
    crew_member = core_factories.staff(
        council, RoleCode.BACK_OFFICE_OFFICER, RoleCode.TEAM_LEADER, username="crew.member"
    )
    other = core_factories.staff(council, RoleCode.MANAGER, username="housing.manager")
    advisor = core_factories.staff(council, RoleCode.ADVISOR, username="desk.advisor")
    for person in (leader, crew_member):
        case_factories.member(crews, person)
    case_factories.member(housing_team, other)
    customer = customer_factories.customer(council, "Pat", "Resident", email="pat@example.org")
    return World(
        organisation=council,
        waste=waste,
        crews=crews,
        housing=housing,
        officer=officer,
        leader=leader,
        crew_member=crew_member,
        other_manager=other,
        advisor=advisor,
        customer=customer,
    )
