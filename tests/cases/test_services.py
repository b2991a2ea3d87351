"""Raising, routing, working, closing, reopening and linking cases through the services."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.cases import queries, services
from onestop.cases.errors import CaseError
from onestop.cases.models import (
    Case,
    CaseClock,
    CaseLink,
    EscalationDue,
    NoteKind,
    Outcome,
    Status,
)
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.core.references import parse
from onestop.notify.models import Message
from tests.cases import factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def _count(model: type, organisation: Organisation) -> int:
    return int(model.objects.for_organisation(organisation).count())  # type: ignore[attr-defined]


@time_machine.travel(MONDAY, tick=False)
def test_raising_a_case_gives_a_reference_deadlines_from_the_clock_and_an_acknowledgement(
    world: World,
) -> None:
    customer = factories.customer(world.organisation)
    case = factories.raise_case(world.organisation, by=world.officer, customer=customer)
    assert parse(case.reference)[0:2] == ("SR", 26)
    assert case.status == Status.NEW
    assert case.team == world.crews
    assert case.due_at == datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
    clocks = list(CaseClock.objects.for_organisation(world.organisation).filter(case=case))
    assert [(c.standard_code, c.is_primary, c.calendar_version) for c in clocks] == [
        ("answer-letters", True, 1),
        ("acknowledge-email", False, 1),
    ]
    assert case.standard_code == "answer-letters"
    assert case.calendar_version == 1
    messages = list(Message.objects.for_organisation(world.organisation).filter(case=case))
    assert [(m.event, m.recipient_label) for m in messages] == [("acknowledgement", "Sam Resident")]
    assert case.reference in messages[0].body
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_type="cases.case", object_id=str(case.pk), action="created")
        .count()
        == 1
    )


@pytest.mark.parametrize(
    ("postcode", "ward", "team"),
    [
        ("HP20 1UB", "", "town_crews"),
        ("hp21 7qq", "", "crews"),
        ("HP20 1UB", "north", "north_crews"),
        ("MK18 1AA", "", "crews"),
        ("", "", "crews"),
    ],
)
def test_routing_picks_the_ward_then_the_longest_postcode_area_then_the_default(
    world: World, postcode: str, ward: str, team: str
) -> None:
    case = factories.raise_case(world.organisation, postcode=postcode, ward=ward)
    assert case.team == getattr(world, team)


@pytest.mark.parametrize(
    ("code", "attributes", "error", "field"),
    [
        ("no-such-type", {}, CaseError.UNKNOWN_TYPE, "case_type"),
        ("missed-bin", {}, CaseError.MISSING_ATTRIBUTE, "attribute_bin"),
        ("missed-bin", {"bin": "purple"}, CaseError.INVALID_ATTRIBUTE, "attribute_bin"),
        ("missed-bin", {"bin": "blue", "bags": "lots"}, CaseError.INVALID_ATTRIBUTE,
         "attribute_bags"),
        ("missed-bin", {"bin": "blue", "bags": "1e999"}, CaseError.INVALID_ATTRIBUTE,
         "attribute_bags"),
        ("missed-bin", {"bin": "blue", "collection-day": "2026-02-30"}, CaseError.INVALID_ATTRIBUTE,
         "attribute_collection-day"),
        ("missed-bin", {"bin": "blue", "problems": ["stolen"]}, CaseError.INVALID_ATTRIBUTE,
         "attribute_problems"),
        ("missed-bin", {"bin": "blue", "where": "x" * 201}, CaseError.INVALID_ATTRIBUTE,
         "attribute_where"),
        ("missed-bin", {"bin": "blue", "colour": "red"}, CaseError.UNKNOWN_ATTRIBUTE,
         "attribute_colour"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly_and_nothing_is_created(
    world: World, code: str, attributes: dict[str, object], error: CaseError, field: str
) -> None:
    with pytest.raises(ServiceError) as raised:
        factories.raise_case(world.organisation, code, attributes=attributes)
    assert (raised.value.code, raised.value.field) == (error, field)
    assert raised.value.message
    assert _count(Case, world.organisation) == 0
    assert _count(Message, world.organisation) == 0


@pytest.mark.parametrize(
    ("title", "field"),
    [("", "title"), ("x" * 201, "title"), ("bad\x00title", "title")],
)
def test_hostile_or_oversized_titles_are_refused(world: World, title: str, field: str) -> None:
    with pytest.raises(ServiceError) as raised:
        factories.raise_case(world.organisation, title=title)
    assert raised.value.field == field
    assert _count(Case, world.organisation) == 0


@pytest.mark.parametrize(
    ("values", "error", "field", "message"),
    [
        ({"title": "  "}, CaseError.MISSING_ATTRIBUTE, "title", "Enter the title"),
        (
            {"title": "x" * 201},
            CaseError.INVALID_ATTRIBUTE,
            "title",
            "The title must be 200 characters or fewer",
        ),
        (
            {"description": "x" * 10_001},
            CaseError.INVALID_ATTRIBUTE,
            "description",
            "The description must be 10000 characters or fewer",
        ),
        (
            {"constituent_name": "Sam\x00"},
            CaseError.INVALID_ATTRIBUTE,
            "constituent_name",
            "The constituent's name has a null character",
        ),
        (
            {"ward": "x" * 101},
            CaseError.INVALID_ATTRIBUTE,
            "ward",
            "The ward must be 100 characters or fewer",
        ),
    ],
)
def test_a_refused_detail_is_named_in_the_refusal(
    world: World, values: dict[str, Any], error: CaseError, field: str, message: str
) -> None:
    """The details' names are translated only when one is refused (``raise_case``'s lazy
    names): the refusal reads as it always has."""
    with pytest.raises(ServiceError) as raised:
        factories.raise_case(world.organisation, **values)
    assert (raised.value.code, raised.value.field, raised.value.message) == (error, field, message)
    assert _count(Case, world.organisation) == 0


@pytest.mark.parametrize("party", ["customer", "contact", "councillor"])
def test_a_party_of_another_organisation_is_refused_by_name(world: World, party: str) -> None:
    from onestop.contacts import services as contact_services
    from onestop.contacts.models import Channel, Direction
    from tests import factories as core_factories

    other = core_factories.organisation()
    customer = customer_factories.customer(other, "Sam", "Elsewhere")
    given: dict[str, Any] = {
        "customer": customer,
        "contact": contact_services.log_contact(
            other,
            by=None,
            customer=customer,
            values=contact_services.ContactInput(
                channel=Channel.EMAIL, direction=Direction.INBOUND, notes="About a bin"
            ),
        ),
        "councillor": core_factories.staff(other),
    }
    with pytest.raises(ServiceError) as raised:
        factories.raise_case(world.organisation, **{party: given[party]})
    assert raised.value.code == CaseError.WRONG_ORGANISATION
    assert raised.value.message == f"The {party} belongs to another organisation"
    assert _count(Case, world.organisation) == 0


def test_markup_in_input_is_stored_as_text(world: World) -> None:
    case = factories.raise_case(world.organisation, title="<script>alert(1)</script>")
    assert case.title == "<script>alert(1)</script>"


def test_all_the_answers_are_normalised(world: World) -> None:
    case = factories.raise_case(
        world.organisation,
        attributes={
            "bin": "green",
            "bags": " 2 ",
            "collection-day": "2026-03-02",
            "problems": ["damaged"],
            "where": "By the gate",
        },
    )
    assert case.attributes == {
        "bin": "green",
        "bags": "2",
        "collection-day": "2026-03-02",
        "problems": ["damaged"],
        "where": "By the gate",
    }


def test_a_stale_update_is_refused_and_changes_nothing(world: World) -> None:
    case = factories.raise_case(world.organisation)
    mine = Case.objects.for_organisation(world.organisation).get(pk=case.pk)
    theirs = Case.objects.for_organisation(world.organisation).get(pk=case.pk)
    services.update_case(theirs, by=world.other_officer, expected_version=1, title="Their title")
    with pytest.raises(ServiceError) as raised:
        services.update_case(mine, by=world.officer, expected_version=1, title="My title")
    assert raised.value.code == CaseError.STALE_UPDATE
    case.refresh_from_db()
    assert (case.title, case.version) == ("Their title", 2)


def test_a_stale_status_change_is_refused(world: World) -> None:
    case = factories.raise_case(world.organisation)
    services.change_status(case, by=world.officer, status=Status.IN_PROGRESS, expected_version=1)
    with pytest.raises(ServiceError) as raised:
        services.change_status(
            case, by=world.officer, status=Status.WAITING_FOR_THIRD_PARTY, expected_version=1
        )
    assert raised.value.code == CaseError.STALE_UPDATE
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_an_illegal_transition_through_the_service_changes_nothing(world: World) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError) as raised:
        services.change_status(case, by=world.officer, status=Status.CLOSED)
    assert raised.value.code == CaseError.INVALID_TRANSITION
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.NEW, 1)


def test_assigning_to_a_team_member_moves_the_case_to_assigned(world: World) -> None:
    case = factories.raise_case(world.organisation)
    services.assign_case(case, by=world.leader, assignee=world.officer, reason="Round 3")
    case.refresh_from_db()
    assert (case.status, case.assignee) == (Status.ASSIGNED, world.officer)


def test_assigning_to_someone_outside_the_team_is_refused(world: World, advisor: User) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError) as raised:
        services.assign_case(case, by=world.leader, assignee=advisor)
    assert raised.value.code == CaseError.NOT_A_TEAM_MEMBER


def test_reassigning_to_another_team_moves_the_service_too(world: World) -> None:
    case = factories.raise_case(world.organisation)
    services.assign_case(case, by=world.leader, assignee=None, team=world.information_team,
                         reason="Wrong queue")  # fmt: skip
    case.refresh_from_db()
    assert (case.team, case.service) == (world.information_team, world.information)


def test_claiming_takes_an_unassigned_case_once(world: World) -> None:
    case = factories.raise_case(world.organisation)
    stale = Case.objects.for_organisation(world.organisation).get(pk=case.pk)
    assert services.claim_case(case, by=world.officer) is True
    assert services.claim_case(stale, by=world.other_officer) is False
    case.refresh_from_db()
    assert case.assignee == world.officer


def test_an_update_to_the_customer_is_recorded_in_the_outbox_and_an_internal_note_is_not(
    world: World,
) -> None:
    customer = customer_factories.customer(world.organisation, "Sam", "Resident", email="s@ex.org")
    case = factories.raise_case(world.organisation, customer=customer)
    services.add_note(case, by=world.officer, kind=NoteKind.INTERNAL, text="Crew says gate locked")
    services.add_note(
        case, by=world.officer, kind=NoteKind.UPDATE_TO_CUSTOMER, text="Coming Friday"
    )
    updates = Message.objects.for_organisation(world.organisation).filter(event="update")
    assert [(m.channel, m.address) for m in updates] == [("email", "s@ex.org")]
    assert "Coming Friday" in updates[0].body
    timeline = [entry.text for entry in queries.timeline_of(case)]
    assert timeline[-2:] == ["Internal note added", "Update sent to Sam Resident by e-mail"]


def test_waiting_for_the_customer_pauses_the_clock_and_moves_the_deadline(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation)
        services.change_status(case, by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
        assert case.clock_paused_at == MONDAY
        assert (
            EscalationDue.objects.for_organisation(case.organisation_id).get(case=case).next_at
            is None
        )
    with time_machine.travel(MONDAY + datetime.timedelta(days=2), tick=False):
        services.change_status(case, by=world.officer, status=Status.IN_PROGRESS)
    # Paused Monday to Wednesday: three working days lost (both ends included).
    assert case.due_at == datetime.datetime(2026, 3, 19, 23, 59, 59, tzinfo=LONDON)
    assert case.clock_paused_at is None


@time_machine.travel(MONDAY, tick=False)
def test_closing_stops_the_clock_and_records_outcome_and_resolution(world: World) -> None:
    case = factories.raise_case(world.organisation)
    services.close_case(case, by=world.officer, outcome=Outcome.RESOLVED, resolution="Emptied")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.resolution) == (Status.CLOSED, "resolved", "Emptied")
    clocks = CaseClock.objects.for_organisation(world.organisation).filter(case=case)
    assert {(c.stopped_at, c.is_met) for c in clocks} == {(MONDAY, True)}


def test_closing_without_an_outcome_is_refused(world: World) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError) as raised:
        services.close_case(case, by=world.officer, outcome="", resolution="Done")
    assert raised.value.code == CaseError.OUTCOME_REQUIRED
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_reopening_within_the_period_starts_a_new_clock(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation)
        services.close_case(case, by=world.officer, outcome=Outcome.RESOLVED, resolution="Done")
    later = MONDAY + datetime.timedelta(days=14)
    with time_machine.travel(later, tick=False):
        services.reopen_case(case, by=world.officer, reason="Bin missed again")
    case.refresh_from_db()
    assert (case.status, case.reopened_count, case.outcome) == (Status.IN_PROGRESS, 1, "")
    assert case.due_at == datetime.datetime(2026, 3, 30, 23, 59, 59, tzinfo=LONDON)
    primary = CaseClock.objects.for_organisation(world.organisation).get(case=case, is_primary=True)
    assert (primary.started_at, primary.stopped_at, primary.restarted_count) == (later, None, 1)


def test_reopening_after_the_period_is_refused(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation)
        services.close_case(case, by=world.officer, outcome=Outcome.RESOLVED, resolution="Done")
    with (
        time_machine.travel(MONDAY + datetime.timedelta(days=30), tick=False),
        pytest.raises(ServiceError) as raised,
    ):
        services.reopen_case(case, by=world.officer, reason="Again")
    assert raised.value.code == CaseError.REOPEN_PERIOD_PASSED
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_open_case_cannot_be_reopened(world: World) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError) as raised:
        services.reopen_case(case, by=world.officer, reason="Why")
    assert raised.value.code == CaseError.NOT_REOPENABLE


def test_cases_link_as_duplicate_related_or_cause_and_show_both_ways(world: World) -> None:
    first = factories.raise_case(world.organisation)
    second = factories.raise_case(world.organisation)
    services.link_cases(second, by=world.officer, other=first, kind="duplicate-of")
    services.link_cases(second, by=world.officer, other=first, kind="caused-by")
    assert [link.kind for link in queries.links_of(first)] == ["duplicate-of", "caused-by"]
    with pytest.raises(ServiceError) as raised:
        services.link_cases(second, by=world.officer, other=first, kind="duplicate-of")
    assert raised.value.code == CaseError.ALREADY_LINKED
    with pytest.raises(ServiceError) as to_itself:
        services.link_cases(first, by=world.officer, other=first, kind="related-to")
    assert to_itself.value.code == CaseError.LINK_TO_ITSELF
    assert CaseLink.objects.for_organisation(world.organisation).count() == 2


def test_a_cross_service_case_has_tasks_for_contributing_services(world: World) -> None:
    case = factories.raise_case(world.organisation)
    task = services.add_contribution_task(
        case, by=world.officer, team=world.information_team, description="Check the records"
    )
    services.complete_contribution_task(task, by=world.officer, response="Nothing held")
    task.refresh_from_db()
    assert (task.service, task.status, task.response) == (world.information, "done", "Nothing held")
    assert case.service == world.waste  # the lead service still owns the single response
    assert [e.text for e in queries.timeline_of(case)][-2:] == [
        "Task added for Information Governance",
        "Task done by Information Governance",
    ]


def test_bulk_reassignment_is_all_or_nothing(world: World, advisor: User) -> None:
    cases = [factories.raise_case(world.organisation) for _ in range(3)]
    closed = factories.raise_case(world.organisation)
    services.close_case(closed, by=None, outcome=Outcome.RESOLVED, resolution="Done")
    with pytest.raises(ServiceError):
        services.bulk_reassign([*cases, closed], by=world.leader, team=world.crews,
                               assignee=world.officer, reason="Holiday cover")  # fmt: skip
    assert (
        Case.objects.for_organisation(world.organisation).filter(assignee=world.officer).count()
        == 0
    )
    fresh = list(
        Case.objects.for_organisation(world.organisation).filter(pk__in=[c.pk for c in cases])
    )
    assert services.bulk_reassign(fresh, by=world.leader, team=world.crews, assignee=world.officer,
                                  reason="Holiday cover") == 3  # fmt: skip


def test_open_cases_for_customer_lists_open_cases_soonest_first(
    world: World, advisor: User
) -> None:
    customer = factories.customer(world.organisation)
    with time_machine.travel(MONDAY, tick=False):
        later = factories.raise_case(world.organisation, customer=customer, title="Later")
    with time_machine.travel(MONDAY - datetime.timedelta(days=7), tick=False):
        sooner = factories.raise_case(world.organisation, customer=customer, title="Sooner")
    done = factories.raise_case(world.organisation, customer=customer, title="Done")
    services.close_case(done, by=None, outcome=Outcome.RESOLVED, resolution="Done")
    with time_machine.travel(MONDAY, tick=False):
        found = queries.open_cases_for_customer(advisor, customer.pk)
    assert [(s.reference, s.title, s.status_label) for s in found] == [
        (sooner.reference, "Sooner", "New"),
        (later.reference, "Later", "New"),
    ]
    assert found[0].url == f"/cases/{sooner.reference}/"


def test_open_cases_for_customer_shows_nothing_to_another_organisation(
    world: World, partner_advisor: User
) -> None:
    customer = factories.customer(world.organisation)
    factories.raise_case(world.organisation, customer=customer)
    assert queries.open_cases_for_customer(partner_advisor, customer.pk) == []
