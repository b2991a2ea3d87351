"""Messages to the customer about a complaint concerning a named member of staff are as
confidential as the complaint (issue 15): the person and ordinary colleagues never see them in
the customer's history, the outbox, a message's page or its retry and cancel (404), nor the
tasks about them; complaints officers (``complaint.staff-view``) and the person's managers
(team leaders and managers of their teams, who see the complaint) do.  Messages about ordinary
complaints are unaffected.  ``notify.queries.messages_for`` is the one rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.cases.models import CaseKind
from onestop.core import permissions
from onestop.core.models import RoleCode, User
from onestop.customers import history
from onestop.feedback import services
from onestop.feedback.models import Feedback, Kind
from onestop.notify import queries as notify_queries
from onestop.notify.models import Event, Message, MessageStatus, StaffTask, TaskStatus
from onestop.notify.services import compose
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers import factories as customer_factories
from tests.feedback.conftest import World

ClientFor = Callable[[User], Client]


def _feedback(world: World, **values: Any) -> Feedback:
    return services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=values.pop("kind", Kind.COMPLAINT),
            what_happened=values.pop("what_happened", "The crew left rubbish in the road"),
            service=world.waste,
            **values,
        ),
    )


def _acknowledgement(world: World, feedback: Feedback) -> Message:
    services.acknowledge(feedback, by=world.officer)
    found: Message = Message.objects.for_organisation(world.organisation).get(
        event=Event.COMPLAINT_ACKNOWLEDGEMENT, body__contains=feedback.reference
    )
    return found


@pytest.fixture
def outbox_officer(world: World) -> User:
    """A complaints officer who also manages messages (a team leader's role): may open the
    outbox and read confidential messages."""
    return core_factories.staff(
        world.organisation, RoleCode.COMPLAINTS_OFFICER, RoleCode.TEAM_LEADER, username="co.tl"
    )


@pytest.fixture
def colleague(world: World) -> User:
    """A team leader of another team: manages messages, no complaint.staff-view."""
    return core_factories.staff(world.organisation, RoleCode.TEAM_LEADER, username="other.tl")


@pytest.fixture
def confidential(world: World) -> Message:
    return _acknowledgement(world, _feedback(world, about="staff", staff_member=world.crew_member))


@pytest.fixture
def ordinary(world: World) -> Message:
    return _acknowledgement(world, _feedback(world))


def test_feedback_marks_the_message_about_a_named_member_of_staff(
    world: World, confidential: Message, ordinary: Message
) -> None:
    assert confidential.visible_with == permissions.COMPLAINT_STAFF_VIEW
    assert confidential.hidden_from_id == world.crew_member.pk
    assert confidential.status == MessageStatus.PENDING  # still sent to the customer
    assert confidential.address == "pat@example.org"
    assert ordinary.visible_with == ""
    assert ordinary.hidden_from_id is None


def test_every_message_about_the_complaint_is_marked(world: World) -> None:
    named = _feedback(world, about="staff", staff_named="The driver called Sam")
    services.acknowledge(named, by=world.officer)
    services.extend(named, by=world.officer, days=5, reason="Waiting for the crew")
    marked = Message.objects.for_organisation(world.organisation).filter(
        body__contains=named.reference
    )
    assert sorted(marked.values_list("event", "visible_with", "hidden_from")) == [
        (Event.COMPLAINT_ACKNOWLEDGEMENT, permissions.COMPLAINT_STAFF_VIEW, None),
        (Event.COMPLAINT_EXTENSION, permissions.COMPLAINT_STAFF_VIEW, None),
    ]


def _history_kinds(user: User, world: World) -> list[tuple[str, str]]:
    found = history.history_of(user, world.customer)
    return sorted((entry.kind, entry.title) for entry in found.object_list)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", True),  # complaints officer
        ("crew_member", False),  # the person the complaint is about (a team leader too)
        ("advisor", False),  # an ordinary colleague
        ("leader", True),  # the person's team leader sees the complaint and its messages
    ],
)
def test_the_customer_history_shows_the_message_to_complaints_officers_and_managers(
    world: World,
    client_for: ClientFor,
    confidential: Message,
    ordinary: Message,
    who: str,
    sees: bool,
) -> None:
    person: User = getattr(world, who)
    ids = set(notify_queries.messages_to_customer(person, world.customer.pk).values_list("pk"))
    assert ((confidential.pk,) in ids) is sees
    assert (ordinary.pk,) in ids
    entries = notify_queries.messages_for(person).filter(event=Event.COMPLAINT_ACKNOWLEDGEMENT)
    assert entries.count() == (2 if sees else 1)
    acknowledgements = [
        kind
        for kind in _history_kinds(person, world)
        if kind == ("message", "Complaint acknowledgement")
    ]
    assert len(acknowledgements) == (2 if sees else 1)
    page = client_for(person).get(f"/customers/{world.customer.pk}/").content.decode()
    assert page.count("Complaint acknowledgement") == (2 if sees else 1)


def test_the_outbox_hides_the_message_from_the_person_and_colleagues(
    world: World,
    client_for: ClientFor,
    confidential: Message,
    ordinary: Message,
    outbox_officer: User,
    colleague: User,
) -> None:
    for person in (world.crew_member, colleague):
        client = client_for(person)
        listed = client.get("/outbox/").content.decode()
        assert f"/outbox/{ordinary.pk}/" in listed
        assert f"/outbox/{confidential.pk}/" not in listed
        assert client.get(f"/outbox/{ordinary.pk}/").status_code == 200
        assert client.get(f"/outbox/{confidential.pk}/").status_code == 404
        assert client.post(f"/outbox/{confidential.pk}/retry/").status_code == 404
        assert client.post(f"/outbox/{confidential.pk}/cancel/").status_code == 404
        assert notify_queries.outbox_for(person, notify_queries.OutboxFilter()).count() == 1
    confidential.refresh_from_db()
    assert confidential.status == MessageStatus.PENDING  # nothing changed
    officer = client_for(outbox_officer)
    listed = officer.get("/outbox/").content.decode()
    assert f"/outbox/{confidential.pk}/" in listed
    assert f"/outbox/{ordinary.pk}/" in listed
    assert notify_queries.outbox_for(outbox_officer, notify_queries.OutboxFilter()).count() == 2
    page = officer.get(f"/outbox/{confidential.pk}/")
    assert page.status_code == 200
    assert "We have received your complaint" in page.content.decode()
    assert officer.post(f"/outbox/{confidential.pk}/cancel/").status_code == 302
    confidential.refresh_from_db()
    assert confidential.status == MessageStatus.CANCELLED


def test_the_person_never_sees_it_even_as_a_complaints_officer(world: World) -> None:
    person = core_factories.staff(
        world.organisation, RoleCode.COMPLAINTS_OFFICER, RoleCode.TEAM_LEADER, username="co.self"
    )
    feedback = _feedback(world, about="staff", staff_member=person)
    message = _acknowledgement(world, feedback)
    assert not notify_queries.messages_for(person).filter(pk=message.pk).exists()
    assert notify_queries.messages_for(world.officer).filter(pk=message.pk).exists()


def test_tasks_about_a_confidential_message_follow_the_message(
    world: World, client_for: ClientFor
) -> None:
    unreachable = customer_factories.customer(world.organisation, "Lee", "Nowhere")
    feedback = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=unreachable,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT,
            what_happened="Rude at the door",
            service=world.waste,
            about="staff",
            staff_member=world.crew_member,
        ),
    )
    services.acknowledge(feedback, by=world.officer)
    task = StaffTask.objects.for_organisation(world.organisation).get(customer=unreachable)
    assert task.status == TaskStatus.OPEN
    for person in (world.crew_member, world.advisor):
        assert not notify_queries.open_tasks_of_customer(person, unreachable.pk).exists()
        assert client_for(person).post(f"/staff-tasks/{task.pk}/done/").status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert list(notify_queries.open_tasks_of_customer(world.officer, unreachable.pk)) == [task]


def test_the_case_page_honours_the_rule(world: World, client_for: ClientFor) -> None:
    """Any app may mark a message confidential: the case page's list follows the rule too."""
    case_factories.standards(world.organisation)
    case_factories.case_type(
        world.organisation,
        "missed-bin",
        kind=CaseKind.SERVICE_REQUEST,
        service=world.waste,
        team=world.crews,
        standards=("answer-letters",),
    )
    case = case_factories.raise_case(world.organisation, attributes={}, customer=world.customer)
    compose.message_to_customer(
        organisation_id=world.organisation.pk,
        customer=world.customer,
        event=Event.ESCALATION,
        context={"reference": case.reference},
        case_id=case.pk,
        visible_with=permissions.COMPLAINT_STAFF_VIEW,
        hidden_from=world.crew_member,
    )
    everything = Message.objects.for_organisation(world.organisation).filter(case=case).count()
    seen = {
        person.username: len(notify_queries.messages_of_case(person, case.pk))
        for person in (world.officer, world.crew_member, world.advisor)
    }
    assert seen == {
        "complaints": everything,
        "crew.member": everything - 1,
        "desk.advisor": everything - 1,
    }
    for person, shown in ((world.advisor, 0), (world.officer, 1)):
        page = client_for(person).get(f"/cases/{case.reference}/")
        assert page.status_code == 200
        assert page.content.decode().count("Escalation notice") == shown


def test_compose_refuses_an_unknown_permission_or_another_organisations_person(
    world: World, partner_advisor: User
) -> None:
    with pytest.raises(ValueError, match="Unknown permission"):
        compose.message_to_customer(
            organisation_id=world.organisation.pk,
            customer=world.customer,
            event=Event.UPDATE,
            context={},
            visible_with="nobody.may<script>",
        )
    with pytest.raises(ValueError, match="another organisation"):
        compose.message_to_customer(
            organisation_id=world.organisation.pk,
            customer=world.customer,
            event=Event.UPDATE,
            context={},
            hidden_from=partner_advisor,
        )
    assert (
        not Message.objects.for_organisation(world.organisation).filter(event=Event.UPDATE).exists()
    )
