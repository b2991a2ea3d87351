"""Per-officer figures beyond the cases' clocks (issue 17): call-backs count for the advisor who
made them (not yet made: the one they were promised to), calls for the agent who answered them,
complaint stages for the officer handling them; and the rule of who sees them: an officer their
own, a team leader their team's, nobody else anyone's individual figures."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback
from onestop.core import reporting
from onestop.core.models import Organisation, RoleCode, User
from onestop.feedback.models import ClockFrom, ComplaintStage, Feedback, Kind
from onestop.performance.queries import people
from onestop.standards import services as standards_services
from onestop.standards.models import Channel
from onestop.telephony import services as telephony_services
from tests import factories as core_factories
from tests.cases.conftest import World
from tests.performance.standards_story import at
from tests.telephony.conftest import csv_file, row

Clients = Callable[[User], Client]
MARCH = reporting.month_of(datetime.date(2026, 3, 1))
MARCH_QUERY = {"kind": "month", "month": "3", "year": "2026"}
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=reporting.LONDON)


def _standard(organisation: Organisation, code: str, applies_to: str, **fields: object) -> None:
    standards_services.save_standard(
        organisation,
        by=None,
        code=code,
        title=str(fields.pop("title")),
        applies_to=applies_to,
        target_percent=Decimal(90),
        **fields,  # type: ignore[arg-type]
    )


def _callback(world: World, by: User, day: int) -> Callback:
    with time_machine.travel(at(day, hour=9), tick=False):
        contact = contact_services.log_contact(
            world.organisation,
            by=by,
            customer=None,
            values=contact_services.ContactInput(
                outcome="callback-promised", callback_phone="07700 900123", notes="Bin"
            ),
        )
    found: Callback = Callback.objects.for_organisation(world.organisation).get(contact=contact)
    return found


def _stage(world: World, owner: User | None, number: int, *, answered_day: int | None) -> None:
    complaint = Feedback.objects.create(
        organisation=world.organisation,
        reference=f"FB-26-{number:05d}",
        kind=Kind.COMPLAINT,
        what_happened="Missed bin",
        channel="email",
        received_at=at(2),
    )
    ComplaintStage.objects.create(
        organisation=world.organisation,
        feedback=complaint,
        stage=1,
        label="Stage 1",
        owner=owner,
        response_days=10,
        response_from=ClockFrom.RECEIPT,
        opened_at=at(2),
        response_due_at=at(16, hour=23),
        responded_at=at(answered_day) if answered_day is not None else None,
    )


@pytest.fixture
def records(world: World) -> World:
    """In March 2026, for the officer (a member of the collection crews) and their colleague:

    - call-backs (1 working day): the officer promised three on 2 March; the first made by them
      on 3 March (met), the second made by their colleague on 5 March (late: the colleague's
      miss), the third never made (the officer's, overdue);
    - calls (20 seconds): the officer answered one in 10 seconds (met) and one in 30 (missed);
      one abandoned (nobody's); the colleague answered one in 5 (met);
    - complaint stages (answer): the officer handles two, one answered on 10 March (met), one
      on 20 March (missed); the colleague one still open and overdue; one with no owner.
    """
    organisation = world.organisation
    _standard(
        organisation, "call-back", Channel.CALL_BACK, title="Call back within 1 working day",
        start_event="call-back-promised", stop_event="call-returned", amount=1,
        unit="working_days",
    )  # fmt: skip
    _standard(
        organisation, "answer-calls", Channel.TELEPHONE, title="Answer calls within 20 seconds",
        start_event="call-offered", stop_event="call-answered", amount=20, unit="seconds",
    )  # fmt: skip
    first, second, _third = (_callback(world, world.officer, 2) for _index in range(3))
    with time_machine.travel(at(3, hour=15), tick=False):
        contact_services.complete_callback(first, by=world.officer)
    with time_machine.travel(at(5, hour=15), tick=False):
        contact_services.complete_callback(second, by=world.other_officer)
    officer, colleague = world.officer.username, world.other_officer.username
    calls = [
        row("o1", "Waste", "2026-03-02T09:00:00+00:00", "2026-03-02T09:00:10+00:00",
            "2026-03-02T09:05:00+00:00", "answered", officer),
        row("o2", "Waste", "2026-03-02T10:00:00+00:00", "2026-03-02T10:00:30+00:00",
            "2026-03-02T10:05:00+00:00", "answered", officer),
        row("x1", "Waste", "2026-03-02T11:00:00+00:00", "", "2026-03-02T11:01:00+00:00",
            "abandoned"),
        row("c1", "Waste", "2026-03-02T12:00:00+00:00", "2026-03-02T12:00:05+00:00",
            "2026-03-02T12:05:00+00:00", "answered", colleague),
    ]  # fmt: skip
    run = telephony_services.import_calls(
        organisation, csv_file(*calls), by=None, file_name="calls.csv"
    )
    assert run.refused == 0
    _stage(world, world.officer, 1, answered_day=10)
    _stage(world, world.officer, 2, answered_day=20)
    _stage(world, world.other_officer, 3, answered_day=None)
    _stage(world, None, 4, answered_day=12)
    return world


def _figures(world: World, officer: User) -> dict[str, tuple[int, int, int, int]]:
    with time_machine.travel(NOW, tick=False):
        rows = people.officer_compliance(world.organisation, MARCH, now=NOW, officer=officer)
    return {
        row.code: (row.counts.met, row.counts.missed, row.counts.overdue, row.counts.not_yet_due)
        for row in rows
    }


def test_each_officer_carries_their_own_records(records: World) -> None:
    assert _figures(records, records.officer) == {
        "call-back": (1, 0, 1, 0),
        "answer-calls": (1, 1, 0, 0),
        "answer-complaint": (1, 1, 0, 0),
    }
    assert _figures(records, records.other_officer) == {
        "call-back": (0, 1, 0, 0),
        "answer-calls": (1, 0, 0, 0),
        "answer-complaint": (0, 0, 1, 0),
    }
    # The leader holds none of these records.
    assert _figures(records, records.leader) == {}


def _page(client: Client, officer: User) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("performance:person", args=[officer.pk]), MARCH_QUERY)
    return response.status_code, response.content.decode()


def test_the_officers_page_shows_every_source_and_whose_figures_they_are(
    records: World, client_for: Clients
) -> None:
    status, html = _page(client_for(records.officer), records.officer)
    assert status == 200
    for code in ("call-back", "answer-calls", "answer-complaint"):
        assert f'data-standard="{code}"' in html
    assert "Call back within 1 working day" in html
    assert "Call-backs: a call-back made counts for the advisor who made it" in html
    assert "Calls: each call an agent answered" in html
    assert "Complaint stages: each stage" in html


def test_who_sees_whose_figures(records: World, client_for: Clients, partner: Organisation) -> None:
    """The officer their own; the team leader (of the collection crews) each member's; another
    officer of the council, not in the team, nobody else's; a manager nobody's individual
    figures; the partner's staff not even that the person exists."""
    outsider = core_factories.staff(
        records.organisation, RoleCode.BACK_OFFICE_OFFICER, username="outsider"
    )
    partner_leader = core_factories.staff(partner, RoleCode.TEAM_LEADER, username="p.leader")
    assert _page(client_for(records.officer), records.officer)[0] == 200
    assert _page(client_for(records.officer), records.other_officer)[0] == 403
    assert _page(client_for(records.leader), records.officer)[0] == 200
    assert _page(client_for(records.leader), records.other_officer)[0] == 200
    assert _page(client_for(outsider), records.officer)[0] == 403
    assert _page(client_for(outsider), outsider)[0] == 200
    assert 'data-standard="call-back"' not in _page(client_for(outsider), outsider)[1]
    assert _page(client_for(partner_leader), records.officer)[0] == 404
