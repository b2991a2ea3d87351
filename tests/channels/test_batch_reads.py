"""Messages received in one batch (the IMAP poller's transaction, ``core.batch``) read the
mailbox's configuration once, and raise the same cases as messages received one at a time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onestop.cases.models import Case, CaseClock
from onestop.channels.models import MessageOutcome
from onestop.channels.services import receive_message
from onestop.core import batch
from onestop.notify.models import Message
from tests.channels.conftest import MailWorld, message

pytestmark = pytest.mark.django_db
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _receive(world: MailWorld, number: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        received = receive_message(
            message(message_id=f"<b{number}@example.org>", sender=f"R {number} <r{number}@x.org>"),
            recipient=world.enquiries.address,
            mailbox=world.enquiries,
        )
    assert received.outcome == MessageOutcome.RAISED
    return len(queries.captured_queries)


@time_machine.travel(MONDAY, tick=False)
def test_a_batch_reads_the_configuration_once_and_raises_the_same_cases(
    mail_world: MailWorld,
) -> None:
    alone = [_receive(mail_world, number) for number in range(2)]
    with transaction.atomic(), batch.batch():
        batched = [_receive(mail_world, number) for number in range(2, 5)]
    # The first message of the batch reads what a message alone reads but for how to reach the
    # customer it has just made (their e-mail, mobile and postal address: the batch remembers
    # what it wrote); the next ones also leave out the case type, routing, team, standards,
    # calendar version, escalation rules, service, organisation name and template.
    assert batched[0] == alone[1] - 3
    assert batched[1] == batched[2] <= alone[1] - 12
    cases = list(Case.objects.for_organisation(mail_world.world.organisation).order_by("pk"))
    assert len(cases) == 5
    assert {(case.case_type_id, case.team_id, case.standard_code) for case in cases} == {
        (cases[0].case_type_id, cases[0].team_id, cases[0].standard_code)
    }
    assert {case.due_at for case in cases} == {cases[0].due_at}
    assert cases[0].due_at is not None
    assert CaseClock.objects.for_organisation(mail_world.world.organisation).count() == 5
    acknowledgements = Message.objects.for_organisation(mail_world.world.organisation)
    assert sorted(message.subject for message in acknowledgements) == [
        f"We have received your request: {case.reference}" for case in cases
    ]
