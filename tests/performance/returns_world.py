"""The quarterly returns' world: a council with two services, the head of one (a manager in its
team), a manager of no team (a collator), calls in the last whole quarter on a queue of the
first service and the council's answer-time standard."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from onestop.core import reporting
from onestop.core.models import Organisation, RoleCode, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service
from onestop.standards import services as standard_services
from onestop.standards.models import Channel
from onestop.telephony import services as telephony_services
from onestop.telephony.models import CallQueue
from tests import factories


@dataclass
class ReturnWorld:
    organisation: Organisation
    service: Service
    other: Service
    head: User
    collator: User
    quarter: reporting.Period


def last_whole_quarter() -> reporting.Period:
    return reporting.previous(reporting.quarter_of(timezone.localdate(timezone=reporting.LONDON)))


def _calls(quarter: reporting.Period) -> bytes:
    day = quarter.first + datetime.timedelta(days=10)
    at = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    lines = ["call_id,queue,offered_at,answered_at,ended_at,outcome,agent,caller_number"]
    for number, (outcome, wait) in enumerate(
        [("answered", 10), ("answered", 30), ("abandoned", 50)], start=1
    ):
        offered = at + datetime.timedelta(minutes=number)
        reached = offered + datetime.timedelta(seconds=wait)
        ended = reached + datetime.timedelta(seconds=60 if outcome == "answered" else 0)
        answered = reached.isoformat() if outcome == "answered" else ""
        lines.append(
            f"r{number},Customer Services,{offered.isoformat()},{answered},"
            f"{ended.isoformat()},{outcome},,"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def returns_world(council: Organisation) -> ReturnWorld:
    service = directory_services.create_service(council, by=None, name="Customer Services")
    other = directory_services.create_service(council, by=None, name="Waste and recycling")
    team = directory_services.create_team(service, by=None, name="Advisors")
    head = factories.staff(council, RoleCode.MANAGER, username="head.of.service")
    directory_services.add_team_member(team, by=None, user=head)
    collator = factories.staff(council, RoleCode.MANAGER, username="corporate.manager")
    standard_services.save_standard(
        council,
        by=None,
        code="answer-calls",
        title="Answer calls within 20 seconds",
        applies_to=Channel.TELEPHONE,
        start_event="call-offered",
        stop_event="call-answered",
        amount=20,
        unit="seconds",
        target_percent=Decimal("90"),
    )
    quarter = last_whole_quarter()
    telephony_services.import_calls(council, io.BytesIO(_calls(quarter)), by=None)
    queue = CallQueue.objects.for_organisation(council).get(name="Customer Services")
    telephony_services.map_queue(queue, by=None, service=service, access_point=queue.access_point)
    return ReturnWorld(council, service, other, head, collator, quarter)
