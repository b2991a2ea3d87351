"""At risk: past the case type's warning threshold (its first escalation rule below 100% of the
time) on the primary clock and not yet overdue; worked out for a whole queue page at once."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.cases import queries, services
from onestop.cases.models import Case, CaseKind, EscalationAction, Outcome, Status
from onestop.core.models import User
from onestop.standards import services as standards_services
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
LONDON = ZoneInfo("Europe/London")
RAISED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
# Missed bins: 10 working days; the warning is at 75% (7 working days), the deadline at 100%.
WARNING = datetime.datetime(2026, 3, 11, 23, 59, 59, tzinfo=LONDON)
DEADLINE = datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)


def _raise(world: World, code: str = "missed-bin", *, at: datetime.datetime = RAISED) -> Case:
    with time_machine.travel(at, tick=False):
        return factories.raise_case(world.organisation, code)


def _queue(world: World, at: datetime.datetime, **filters: object) -> dict[str, tuple[bool, bool]]:
    """Each queued case's reference with (overdue, at risk), as the queue page shows them."""
    with time_machine.travel(at, tick=False):
        queue = queries.queue_for(
            world.leader,
            queries.QueueFilters(team_id=world.crews.pk, **filters),  # type: ignore[arg-type]
        )
        return {row.reference: (row.overdue, row.at_risk) for row in queue.cases}


def test_a_case_is_not_at_risk_before_its_warning_threshold(world: World) -> None:
    case = _raise(world)
    assert _queue(world, WARNING - SECOND) == {case.reference: (False, False)}


def test_a_case_is_at_risk_from_its_warning_threshold_until_its_deadline(world: World) -> None:
    case = _raise(world)
    assert _queue(world, WARNING) == {case.reference: (False, True)}
    assert _queue(world, DEADLINE) == {case.reference: (False, True)}


def test_an_overdue_case_is_overdue_not_at_risk(world: World) -> None:
    case = _raise(world)
    assert _queue(world, DEADLINE + SECOND) == {case.reference: (True, False)}


def test_at_risk_does_not_wait_for_the_escalation_sweep(world: World) -> None:
    case = _raise(world)
    with time_machine.travel(WARNING + SECOND, tick=False):
        assert services.escalate_due_cases() == 1
    assert _queue(world, WARNING + SECOND) == {case.reference: (False, True)}


def test_the_first_rule_below_100_percent_is_the_warning(world: World) -> None:
    factories.case_type(
        world.organisation, "pothole", kind=CaseKind.SERVICE_REQUEST, service=world.waste,
        team=world.crews, escalation=((100, EscalationAction.NOTIFY_TEAM_LEADER),
                                      (80, EscalationAction.NOTIFY_TEAM_LEADER),
                                      (50, EscalationAction.NOTIFY_ASSIGNEE)),
    )  # fmt: skip
    case = _raise(world, "pothole")
    half_time = datetime.datetime(2026, 3, 9, 23, 59, 59, tzinfo=LONDON)  # 5 working days
    assert _queue(world, half_time - SECOND) == {case.reference: (False, False)}
    assert _queue(world, half_time) == {case.reference: (False, True)}


def test_a_type_without_a_warning_rule_is_never_at_risk(world: World) -> None:
    factories.case_type(
        world.organisation, "fly-tipping", kind=CaseKind.SERVICE_REQUEST, service=world.waste,
        team=world.crews, escalation=((100, EscalationAction.NOTIFY_TEAM_LEADER),),
    )  # fmt: skip
    case = _raise(world, "fly-tipping")
    assert _queue(world, DEADLINE - datetime.timedelta(hours=1)) == {case.reference: (False, False)}


def test_a_clock_paused_before_the_threshold_is_not_at_risk_while_paused(world: World) -> None:
    paused_early = _raise(world)
    paused_late = _raise(world)
    with time_machine.travel(RAISED + datetime.timedelta(days=2), tick=False):
        services.change_status(paused_early, by=None, status=Status.WAITING_FOR_CUSTOMER)
    with time_machine.travel(WARNING + SECOND, tick=False):
        services.change_status(paused_late, by=None, status=Status.WAITING_FOR_CUSTOMER)
    assert _queue(world, WARNING + datetime.timedelta(days=2)) == {
        paused_early.reference: (False, False),
        paused_late.reference: (False, True),
    }


def test_a_restarted_clock_is_not_at_risk_until_its_new_threshold(world: World) -> None:
    case = _raise(world)
    with time_machine.travel(WARNING + SECOND, tick=False):
        services.close_case(case, by=None, outcome=Outcome.RESOLVED, resolution="Done")
        services.reopen_case(case, by=None, reason="Not fixed")
    assert _queue(world, WARNING + datetime.timedelta(minutes=1)) == {
        case.reference: (False, False)
    }


def test_the_due_within_filter_is_by_deadline_not_by_risk(world: World) -> None:
    factories.case_type(
        world.organisation, "fly-tipping", kind=CaseKind.SERVICE_REQUEST, service=world.waste,
        team=world.crews, escalation=((100, EscalationAction.NOTIFY_TEAM_LEADER),),
    )  # fmt: skip
    at_risk = _raise(world)  # due 16 March
    # Due 13 March, and never at risk: its type has no warning rule.
    due_sooner = _raise(world, "fly-tipping", at=datetime.datetime(2026, 2, 27, 10, tzinfo=LONDON))
    assert _queue(world, WARNING + SECOND, due_within_days=2) == {
        due_sooner.reference: (False, False)
    }
    assert _queue(world, WARNING + SECOND, due_within_days=5) == {
        due_sooner.reference: (False, False),
        at_risk.reference: (False, True),
    }


def test_the_queue_page_works_out_at_risk_in_constant_statements(world: World) -> None:
    """No statement per case, and none for the calendar: the counts, and the page with each
    case's clock, warning percent and the calendar's version, for one case as for six."""
    _raise(world)
    queries.queue_for(world.leader, queries.QueueFilters())  # the user's organisation, loaded
    with time_machine.travel(WARNING, tick=False), CaptureQueriesContext(connection) as one:
        queue = queries.queue_for(world.leader, queries.QueueFilters(team_id=world.crews.pk))
    for _case in range(5):
        _raise(world)
    with time_machine.travel(WARNING, tick=False), CaptureQueriesContext(connection) as six:
        queue = queries.queue_for(world.leader, queries.QueueFilters(team_id=world.crews.pk))
    assert len(queue.cases) == 6
    assert [row.at_risk for row in queue.cases] == [True] * 6
    assert len(one) == len(six) == 2


def test_at_risk_follows_a_closure_day_added_after_the_calendar_was_cached(world: World) -> None:
    """The calendar is cached by the organisation calendar's version, read with the page: a
    closure day before the warning moves the warning a working day later at once."""
    case = _raise(world)
    assert _queue(world, WARNING) == {case.reference: (False, True)}
    with time_machine.travel(RAISED, tick=False):
        standards_services.add_closure_day(
            world.organisation, by=None, day=datetime.date(2026, 3, 4), reason="Election count"
        )
    assert _queue(world, WARNING) == {case.reference: (False, False)}
    assert _queue(world, WARNING + datetime.timedelta(days=1)) == {case.reference: (False, True)}


def test_the_queue_badges_match_the_case_page_badges(world: World) -> None:
    """Each row's badges are what ``is_overdue`` and ``is_at_risk`` say of the case itself."""
    cases = [_raise(world, at=RAISED + datetime.timedelta(days=day)) for day in range(0, 12, 2)]
    with time_machine.travel(WARNING + SECOND, tick=False):
        services.change_status(cases[0], by=None, status=Status.WAITING_FOR_CUSTOMER)
    seen: set[tuple[bool, bool, bool]] = set()
    for moment in (WARNING - SECOND, WARNING, WARNING + DAY, DEADLINE + SECOND, DEADLINE + 5 * DAY):
        with time_machine.travel(moment, tick=False):
            queue = queries.queue_for(world.leader, queries.QueueFilters(team_id=world.crews.pk))
            expected = {
                case.reference: (
                    queries.is_overdue(found, queue.now),
                    queries.is_at_risk(found, queue.now),
                    found.is_clock_paused,
                )
                for case in cases
                for found in [Case.objects.for_organisation(world.organisation).get(pk=case.pk)]
            }
        assert {
            row.reference: (row.overdue, row.at_risk, row.is_clock_paused) for row in queue.cases
        } == expected
        seen.update(expected.values())
    # Every badge was shown and not shown along the way (the paused clock: at risk).
    assert {(False, False, False), (True, False, False), (False, True, False)} <= seen
    assert (False, True, True) in seen


def test_the_queue_and_case_pages_show_the_at_risk_badge(
    world: World, client_for: ClientFor
) -> None:
    case = _raise(world)
    with time_machine.travel(WARNING - SECOND, tick=False):
        before = client_for(world.officer).get("/queues/").content.decode()
    with time_machine.travel(WARNING + SECOND, tick=False):
        queue = client_for(world.officer).get("/queues/").content.decode()
        page = client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert "moj-badge--orange" not in before
    assert queue.count("moj-badge--orange") == 1
    assert "moj-badge--orange" in page


def test_the_member_view_shows_the_at_risk_badge(
    world: World, councillor: User, client_for: ClientFor
) -> None:
    factories.case_type(
        world.organisation, "member-enquiry", kind=CaseKind.COUNCILLOR_ENQUIRY,
        service=world.members, team=world.members_team,
        escalation=((75, EscalationAction.NOTIFY_ASSIGNEE),),
    )  # fmt: skip
    with time_machine.travel(RAISED, tick=False):
        enquiry = services.raise_case(
            world.organisation, by=councillor, case_type_code="member-enquiry",
            title="Streetlight out", attributes={}, constituent_name="Ann Other",
        )  # fmt: skip
    with time_machine.travel(WARNING + SECOND, tick=False):
        body = client_for(councillor).get("/enquiries/").content.decode()
    assert enquiry.reference in body
    assert body.count("moj-badge--orange") == 1
