"""Defect (issue 15): a complaint about a named member of staff is seen only by complaints
officers and that person's managers, never by the person, and its messages to the customer
follow the complaint.  Over every role: inside the person's team or not, as the person, and
at another organisation, the complaint (``feedback_for``) and its acknowledgement
(``notify.queries.messages_for``) are visible to exactly the same staff."""

from __future__ import annotations

import pytest

from onestop.core import permissions
from onestop.core.models import Organisation, RoleCode, User
from onestop.directory import services as directory_services
from onestop.directory.models import TeamMembership
from onestop.feedback import queries, services
from onestop.feedback.models import Feedback, Kind
from onestop.notify import queries as notify_queries
from onestop.notify.models import Event, Message
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.feedback.conftest import World

MANAGERS = {RoleCode.TEAM_LEADER, RoleCode.MANAGER}
STAFF_VIEWERS = {RoleCode.COMPLAINTS_OFFICER}


def _complaint(world: World, person: User) -> tuple[Feedback, Message]:
    feedback = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT,
            what_happened="The driver shouted at me",
            service=world.waste,
            about="staff",
            staff_member=person,
        ),
    )
    services.acknowledge(feedback, by=world.officer)
    message = Message.objects.for_organisation(world.organisation).get(
        event=Event.COMPLAINT_ACKNOWLEDGEMENT, body__contains=feedback.reference
    )
    return feedback, message


def _sees(user: User, feedback: Feedback, message: Message) -> tuple[bool, bool]:
    return (
        queries.feedback_for(user).filter(pk=feedback.pk).exists(),
        notify_queries.messages_for(user).filter(pk=message.pk).exists(),
    )


@pytest.mark.parametrize("role", list(RoleCode))
@pytest.mark.parametrize("in_the_team", [True, False])
def test_each_role_sees_the_complaint_and_its_messages_alike(
    world: World, role: RoleCode, in_the_team: bool
) -> None:
    feedback, message = _complaint(world, world.crew_member)
    viewer = core_factories.staff(world.organisation, role, username=f"viewer.{role}")
    if in_the_team:
        case_factories.member(world.crews, viewer)
    may_view_feedback = permissions.can(viewer, permissions.FEEDBACK_VIEW)
    expected = may_view_feedback and (role in STAFF_VIEWERS or (in_the_team and role in MANAGERS))
    assert _sees(viewer, feedback, message) == (expected, expected)


@pytest.mark.parametrize("role", list(RoleCode))
def test_the_person_never_sees_either_whatever_their_role(world: World, role: RoleCode) -> None:
    person = core_factories.staff(
        world.organisation, role, RoleCode.COMPLAINTS_OFFICER, username=f"person.{role}"
    )
    case_factories.member(world.crews, person)
    feedback, message = _complaint(world, person)
    assert _sees(person, feedback, message) == (False, False)
    # ...while the team's leader, who manages the person, sees both.
    assert _sees(world.leader, feedback, message) == (True, True)


def test_a_manager_of_another_team_or_organisation_sees_neither(
    world: World, partner: Organisation
) -> None:
    feedback, message = _complaint(world, world.crew_member)
    assert _sees(world.other_manager, feedback, message) == (False, False)
    elsewhere = core_factories.staff(partner, RoleCode.MANAGER, username="partner.manager")
    assert _sees(elsewhere, feedback, message) == (False, False)


def test_a_manager_who_leaves_the_team_stops_seeing_the_messages(world: World) -> None:
    feedback, message = _complaint(world, world.crew_member)
    assert _sees(world.leader, feedback, message) == (True, True)
    directory_services.remove_team_member(
        TeamMembership.objects.for_organisation(world.organisation).get(
            team=world.crews, user=world.leader
        ),
        by=None,
    )
    assert _sees(world.leader, feedback, message) == (False, False)
