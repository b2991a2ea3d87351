"""The cases world: a council with waste, FOI and Member services, their teams, case types,
an officer, a team leader and a head of service in the right teams, and a councillor."""

from __future__ import annotations

from dataclasses import dataclass

from onestop.cases.models import CaseKind, CaseType
from onestop.core.models import Organisation, RoleCode, User
from onestop.directory.models import Service, Team
from tests import factories as core_factories
from tests.cases import factories
from tests.shared import shared_fixture


@dataclass
class World:
    organisation: Organisation
    waste: Service
    crews: Team
    north_crews: Team
    town_crews: Team
    information: Service
    information_team: Team
    members: Service
    members_team: Team
    missed_bin: CaseType
    foi: CaseType
    eir: CaseType
    subject_access: CaseType
    councillor_enquiry: CaseType
    officer: User
    other_officer: User
    leader: User
    head: User


@shared_fixture
def councillor(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.COUNCILLOR, username="councillor")


@shared_fixture
def world(council: Organisation, team_leader: User) -> World:
    factories.standards(council)
    waste = factories.service(council, "Waste and Recycling")
    crews = factories.team(waste, "Collection crews")
    north = factories.team(waste, "North crews")
    town = factories.team(waste, "Town crews")
    information = factories.service(council, "Information Governance")
    information_team = factories.team(information, "Information team")
    members = factories.service(council, "Member Services")
    members_team = factories.team(members, "Member enquiries")
    officer = core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")
    other = core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer.two")
    head = core_factories.staff(council, RoleCode.MANAGER, username="head.of.waste")
    handler = core_factories.staff(
        council, RoleCode.COMPLAINTS_OFFICER, username="information.officer"
    )
    for person in (officer, other, team_leader, head):
        factories.member(crews, person)
    factories.member(information_team, handler)
    factories.member(information_team, team_leader)
    kind = CaseKind
    return World(
        organisation=council,
        waste=waste,
        crews=crews,
        north_crews=north,
        town_crews=town,
        information=information,
        information_team=information_team,
        members=members,
        members_team=members_team,
        missed_bin=factories.case_type(
            council,
            "missed-bin",
            kind=kind.SERVICE_REQUEST,
            service=waste,
            team=crews,
            attributes=factories.BIN_QUESTIONS,
            escalation=factories.ESCALATION,
            routing=(("", "North", north), ("HP20", "", town), ("HP2", "", crews)),
            standards=("answer-letters", "acknowledge-email"),
        ),
        foi=factories.case_type(
            council, "foi", kind=kind.FREEDOM_OF_INFORMATION, service=information,
            team=information_team, standards=("answer-foi-eir",),
        ),
        eir=factories.case_type(
            council, "eir", kind=kind.ENVIRONMENTAL_INFORMATION, service=information,
            team=information_team, standards=("answer-foi-eir",),
        ),
        subject_access=factories.case_type(
            council, "subject-access", kind=kind.SUBJECT_ACCESS, service=information,
            team=information_team, standards=("answer-subject-access",),
        ),
        councillor_enquiry=factories.case_type(
            council, "councillor-enquiry", kind=kind.COUNCILLOR_ENQUIRY, service=members,
            team=members_team, standards=("answer-councillor-enquiry",),
        ),
        officer=officer,
        other_officer=other,
        leader=team_leader,
        head=head,
    )  # fmt: skip
