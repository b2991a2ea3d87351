"""Escalation: each threshold fires once, at the right time, recorded on the case."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from onestop.cases import services, tasks
from onestop.cases.models import (
    Case,
    CaseEscalation,
    CaseEvent,
    EscalationDue,
    Outcome,
    Status,
)
from onestop.cases.services import escalation
from onestop.core import audit
from onestop.core.models import AuditRecord
from onestop.notify.models import Message
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
RAISED = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
WARNING = datetime.datetime(2026, 3, 11, 23, 59, 59, tzinfo=LONDON)  # 7 of 10 working days
BREACH = datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
HEAD = datetime.datetime(2026, 3, 23, 23, 59, 59, tzinfo=LONDON)  # 15 working days
SECOND = datetime.timedelta(seconds=1)


def _next_at(case: Case) -> datetime.datetime | None:
    """When the sweep next has something to do for ``case`` (its ``EscalationDue`` row)."""
    return (
        EscalationDue.objects.for_organisation(case.organisation_id)
        .filter(case=case)
        .values_list("next_at", flat=True)
        .first()
    )


def _raised(world: World) -> Case:
    with time_machine.travel(RAISED, tick=False):
        case = factories.raise_case(world.organisation)
        services.assign_case(case, by=world.leader, assignee=world.officer)
    return case


def _sweep(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return services.escalate_due_cases()


def _applied(world: World, case: Case) -> list[tuple[int, str]]:
    return list(
        CaseEscalation.objects.for_organisation(world.organisation)
        .filter(case=case)
        .order_by("percent")
        .values_list("percent", "action")
    )


def test_the_next_escalation_time_is_stored_when_the_case_is_raised(world: World) -> None:
    case = _raised(world)
    assert _next_at(case) == WARNING


def test_a_case_raised_in_a_batch_gets_the_same_escalation_row_written_with_the_others(
    world: World,
) -> None:
    """A case just raised has no ``EscalationDue`` row yet, so its row is inserted, not
    upserted: inside a batch of held-back rows (the IMAP poller's) it is written with them (a
    ``COPY`` on PostgreSQL), with the very time a case raised alone gets."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from onestop.core import batch

    alone = _raised(world)
    with (
        time_machine.travel(RAISED, tick=False),
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        batch.without_savepoints(),
        audit.deferred(),
        batch.deferred_inserts(5),
    ):
        together = [factories.raise_case(world.organisation) for _ in range(2)]
    assert [_next_at(case) for case in together] == [_next_at(alone)] * 2 == [WARNING] * 2
    rows = EscalationDue.objects.for_organisation(world.organisation)
    assert rows.filter(case__in=together).count() == 2
    if connection.vendor == "postgresql":
        written = [q["sql"] for q in queries.captured_queries if "cases_escalationdue" in q["sql"]]
        assert any(sql.startswith('COPY "cases_escalationdue"') for sql in written)
        assert not any(sql.startswith("INSERT") for sql in written), written


def test_each_threshold_fires_once_at_its_time(world: World) -> None:
    case = _raised(world)
    assert _sweep(WARNING - SECOND) == 0
    assert _sweep(WARNING) == 1
    assert _sweep(WARNING + SECOND) == 0
    assert _applied(world, case) == [(75, "notify-assignee")]
    assert _sweep(BREACH) == 1
    assert _sweep(HEAD - SECOND) == 0
    assert _sweep(HEAD) == 1
    assert _sweep(HEAD + datetime.timedelta(days=30)) == 0
    assert _applied(world, case) == [
        (75, "notify-assignee"),
        (100, "notify-team-leader"),
        (150, "notify-head-of-service"),
    ]
    case.refresh_from_db()
    assert _next_at(case) is None


def test_notice_texts_and_timeline_data_are_stored_exactly_whatever_the_title(
    world: World,
) -> None:
    """The sweep writes its rows as PostgreSQL array text: quotes, backslashes, braces, commas,
    the word NULL and line breaks in a title are stored as typed, not parsed."""
    hostile = 'Bin "lid" \\ {broken}, NULL\nsecond line \\" end'
    with time_machine.travel(RAISED, tick=False):
        cases = [
            factories.raise_case(world.organisation, title=title)
            for title in (hostile, "NULL", "plain")
        ]
        for case in cases:
            services.assign_case(case, by=world.leader, assignee=world.officer)
    assert _sweep(WARNING) == 3
    for case in cases:
        notice = Message.objects.for_organisation(world.organisation).get(
            case=case, event="escalation"
        )
        assert f"Case {case.reference} ({case.title}) has used 75% of its time" in notice.body
        assert notice.recipient_user == world.officer
        events = CaseEvent.objects.for_organisation(world.organisation).filter(
            case=case, code="escalated"
        )
        assert [event.data for event in events] == [{"percent": 75, "action": "notify-assignee"}]
    assert cases[0].title == hostile


def test_each_notice_goes_to_the_right_people(world: World) -> None:
    case = _raised(world)
    _sweep(HEAD)
    notices = (
        Message.objects.for_organisation(world.organisation)
        .filter(case=case, event="escalation")
        .order_by("pk")
    )
    assert [(m.recipient_kind, m.recipient_user, m.channel, m.address) for m in notices] == [
        ("staff", world.officer, "email", world.officer.email),
        ("staff", world.leader, "email", world.leader.email),
        ("staff", world.head, "email", world.head.email),
    ]
    assert f"Case {case.reference} ({case.title}) has used 150% of its time" in notices[2].body


def test_a_late_sweep_applies_every_passed_threshold_once(world: World) -> None:
    case = _raised(world)
    assert _sweep(HEAD + datetime.timedelta(days=1)) == 3
    assert _sweep(HEAD + datetime.timedelta(days=2)) == 0
    assert len(_applied(world, case)) == 3


def test_a_closed_or_paused_case_does_not_escalate(world: World) -> None:
    closed = _raised(world)
    paused = _raised(world)
    with time_machine.travel(RAISED, tick=False):
        services.close_case(closed, by=None, outcome=Outcome.RESOLVED, resolution="Done")
        services.change_status(paused, by=None, status=Status.WAITING_FOR_CUSTOMER)
    assert _sweep(HEAD) == 0


def test_a_restarted_clock_escalates_again(world: World) -> None:
    case = _raised(world)
    _sweep(WARNING)
    with time_machine.travel(WARNING + SECOND, tick=False):
        services.close_case(case, by=None, outcome=Outcome.RESOLVED, resolution="Done")
        services.reopen_case(case, by=None, reason="Not fixed")
    case.refresh_from_db()
    next_at = _next_at(case)
    assert next_at is not None
    assert _sweep(next_at) == 1
    assert len(_applied(world, case)) == 2


def test_the_command_and_the_task_run_the_sweep(world: World) -> None:
    _raised(world)
    out = StringIO()
    with time_machine.travel(WARNING, tick=False):
        call_command("cases", "escalate", stdout=out)
    assert out.getvalue() == "1 escalations applied.\n"
    with time_machine.travel(BREACH, tick=False):
        result = tasks.escalate_cases.enqueue()
    assert result.return_value == 1


def test_the_sweep_keeps_the_audit_chain_whole(world: World) -> None:
    cases = [_raised(world) for _case in range(3)]
    assert _sweep(BREACH) == 6
    records = list(
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(summary__startswith="Escalation sweep")
        .values_list("summary", "changes")
    )
    assert [summary for summary, _changes in records] == [
        "Escalation sweep: 6 escalations on 3 cases"
    ]
    assert sorted(records[0][1]["escalations"]) == sorted(
        [case.reference, percent, action]
        for case in cases
        for percent, action in ((75, "notify-assignee"), (100, "notify-team-leader"))
    )
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert all(report.broken is None for report in audit.verify())


def test_a_sweep_in_many_chunks_applies_each_threshold_once(world: World) -> None:
    cases = [_raised(world) for _case in range(5)]
    with time_machine.travel(WARNING, tick=False):
        assert escalation.escalate(now=WARNING, chunk=2) == 5
        assert escalation.escalate(now=WARNING, chunk=2) == 0
    assert [_applied(world, case) for case in cases] == [[(75, "notify-assignee")]] * 5
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(summary__startswith="Escalation sweep")
        .count()
        == 3
    )
    for case in cases:
        case.refresh_from_db()
        assert _next_at(case) == BREACH
    assert all(report.broken is None for report in audit.verify())


def test_an_escalation_already_recorded_is_not_applied_again(world: World) -> None:
    """The once-only constraint is the backstop: a row already there is skipped, not doubled."""
    case = _raised(world)
    with time_machine.travel(WARNING, tick=False):
        rule = case.case_type.escalation_rules.get(percent=75)
        CaseEscalation.objects.create(
            organisation=world.organisation, case=case, rule=rule, percent=75,
            action=rule.action, applied_at=WARNING, clock_run=0,
        )  # fmt: skip
    assert _sweep(WARNING) == 0
    assert _applied(world, case) == [(75, "notify-assignee")]
    case.refresh_from_db()
    assert _next_at(case) == BREACH


def test_a_clock_paused_and_resumed_escalates_later_by_the_time_it_was_paused(
    world: World,
) -> None:
    """The sweep reads the clock's pauses (on PostgreSQL as text, decoded only when there are
    any) and works out the threshold from them."""
    case = _raised(world)
    with time_machine.travel(RAISED + datetime.timedelta(days=1), tick=False):
        services.change_status(case, by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
    with time_machine.travel(RAISED + datetime.timedelta(days=3), tick=False):
        services.change_status(case, by=world.officer, status=Status.IN_PROGRESS)
    warning = _next_at(case)
    assert warning is not None
    # Tuesday to Thursday paused: three working days later than without the pause.
    assert warning == datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=LONDON)
    assert _sweep(WARNING) == 0
    assert _sweep(warning - SECOND) == 0
    assert _sweep(warning) == 1
    assert _applied(world, case) == [(75, "notify-assignee")]
