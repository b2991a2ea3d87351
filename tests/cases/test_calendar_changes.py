"""Calendar changes: the sweep recalculates open clocks behind the calendar's version, never
bringing a deadline forward; a later deadline is told to the customer and shown on the case."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine

from onestop.cases import services
from onestop.cases.models import Case, CaseClock, CaseEvent, EscalationDue
from onestop.customers.models import Customer
from onestop.notify.models import Message
from onestop.standards import services as standards_services
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
RAISED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)  # a Monday
DUE = datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)  # 10 working days
DUE_AFTER_CLOSURE = datetime.datetime(2026, 3, 17, 23, 59, 59, tzinfo=LONDON)
WARNING_AFTER_CLOSURE = datetime.datetime(2026, 3, 12, 23, 59, 59, tzinfo=LONDON)  # 7 days
CHANGED = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=LONDON)
CLOSED_DAY = datetime.date(2026, 3, 10)


def _raised(world: World, customer: Customer) -> Case:
    with time_machine.travel(RAISED, tick=False):
        return factories.raise_case(world.organisation, customer=customer)


def _sweep(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return services.escalate_due_cases()


def _messages(case: Case) -> list[tuple[str, str]]:
    return list(
        Message.objects.for_organisation(case.organisation_id)
        .filter(case=case, event="deadline-moved")
        .values_list("recipient_kind", "recipient_label")
    )


def _moved_events(case: Case) -> list[dict[str, object]]:
    return list(
        CaseEvent.objects.for_organisation(case.organisation_id)
        .filter(case=case, code="deadline-moved")
        .values_list("data", flat=True)
    )


def _versions(case: Case) -> list[int | None]:
    return list(
        CaseClock.objects.for_organisation(case.organisation_id)
        .filter(case=case)
        .order_by("standard_code")
        .values_list("calendar_version", flat=True)
    )


def test_a_new_closure_day_moves_the_deadline_later_once_and_tells_the_customer(
    world: World,
) -> None:
    customer = factories.customer(world.organisation, "Sam Resident")
    case = _raised(world, customer)
    assert case.due_at == DUE
    with time_machine.travel(CHANGED, tick=False):
        standards_services.add_closure_day(
            world.organisation, by=None, day=CLOSED_DAY, reason="Election count"
        )
    _sweep(CHANGED)
    _sweep(CHANGED + datetime.timedelta(minutes=5))
    case.refresh_from_db()
    assert case.due_at == DUE_AFTER_CLOSURE
    assert case.calendar_version == 2
    assert (
        EscalationDue.objects.for_organisation(case.organisation_id).get(case=case).next_at
        == WARNING_AFTER_CLOSURE
    )
    assert _versions(case) == [2, 2]
    assert _messages(case) == [("customer", "Sam Resident")]
    body = Message.objects.for_organisation(world.organisation).get(
        case=case, event="deadline-moved"
    )
    assert "17 March 2026" in body.body
    assert _moved_events(case) == [
        {
            "standard": "answer-letters",
            "old": DUE.isoformat(),
            "new": DUE_AFTER_CLOSURE.isoformat(),
            "calendar_version": 2,
            "customer_told": True,
        }
    ]


def test_a_removed_closure_day_never_brings_the_deadline_forward(world: World) -> None:
    customer = factories.customer(world.organisation, "Sam Resident")
    with time_machine.travel(RAISED - datetime.timedelta(days=3), tick=False):
        closure = standards_services.add_closure_day(
            world.organisation, by=None, day=CLOSED_DAY, reason="Election count"
        )
    case = _raised(world, customer)
    assert case.due_at == DUE_AFTER_CLOSURE
    with time_machine.travel(CHANGED, tick=False):
        standards_services.remove_closure_day(closure, by=None)
    _sweep(CHANGED)
    case.refresh_from_db()
    assert case.due_at == DUE_AFTER_CLOSURE
    assert case.calendar_version == 3
    assert _versions(case) == [3, 3]
    assert _messages(case) == []
    assert _moved_events(case) == []


def test_finished_and_united_kingdom_clocks_are_left_alone(world: World) -> None:
    customer = factories.customer(world.organisation, "Sam Resident")
    with time_machine.travel(RAISED, tick=False):
        foi = factories.raise_case(
            world.organisation, "foi", title="Spending on potholes", customer=customer
        )
    foi_due = foi.due_at
    with time_machine.travel(CHANGED, tick=False):
        standards_services.add_closure_day(
            world.organisation, by=None, day=CLOSED_DAY, reason="Election count"
        )
    _sweep(CHANGED)
    foi.refresh_from_db()
    assert foi.due_at == foi_due
    assert _messages(foi) == []
