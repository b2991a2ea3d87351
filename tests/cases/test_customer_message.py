"""Messages between the customer and a case: a message from the customer about an open case
(``services.record_customer_message``, as the e-mail channel files a reply quoting the case's
reference), and what acknowledgements repeat of what the public typed."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.cases import queries, services
from onestop.cases.errors import InvalidTransition
from onestop.cases.models import CaseNote, NoteKind, Outcome, Source, Status
from onestop.contacts.models import Channel
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord
from onestop.notify.models import Message
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def test_the_message_is_kept_on_the_case_timeline_and_audited(world: World) -> None:
    case = factories.raise_case(world.organisation, customer=factories.customer(world.organisation))
    note = services.record_customer_message(
        case, channel=Channel.EMAIL, text="The bin is still full <b>today</b>"
    )
    assert (note.kind, note.written_by, note.text) == (
        NoteKind.FROM_CUSTOMER,
        None,
        "The bin is still full <b>today</b>",
    )
    last = queries.timeline_of(case)[-1]
    assert (last.text, last.note, last.by, last.is_internal) == (
        "Message received from the customer by e-mail",
        "The bin is still full <b>today</b>",
        "OneStop",
        False,
    )
    assert AuditRecord.objects.filter(
        organisation=world.organisation, object_id=str(note.pk), summary__contains="from-customer"
    ).exists()
    # Nothing is sent back by recording it: the acknowledgement of the case was the only message.
    assert list(
        Message.objects.for_organisation(world.organisation)
        .filter(case=case)
        .values_list("event", flat=True)
    ) == ["acknowledgement"]


def test_a_reply_to_a_case_waiting_for_the_customer_restarts_the_work_and_the_clock(
    world: World,
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation)
        services.change_status(case, by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
    with time_machine.travel(MONDAY + datetime.timedelta(days=2), tick=False):
        services.record_customer_message(case, channel=Channel.EMAIL, text="Here is the photo")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.clock_paused_at is None
    # The same deadline as when an officer resumes it: three working days were paused.
    assert case.due_at == datetime.datetime(2026, 3, 19, 23, 59, 59, tzinfo=LONDON)


def test_a_message_that_must_not_resume_leaves_a_waiting_case_waiting(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation)
        services.change_status(case, by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
        case.refresh_from_db()
        paused_at = case.clock_paused_at
    with time_machine.travel(MONDAY + datetime.timedelta(days=2), tick=False):
        note = services.record_customer_message(
            case, channel=Channel.EMAIL, text="Maybe not the customer", resume=False
        )
    case.refresh_from_db()
    assert note.kind == NoteKind.FROM_CUSTOMER
    assert case.status == Status.WAITING_FOR_CUSTOMER
    assert case.clock_paused_at == paused_at is not None


def test_a_case_in_progress_keeps_its_status(world: World) -> None:
    case = factories.raise_case(world.organisation)
    services.change_status(case, by=world.officer, status=Status.IN_PROGRESS)
    services.record_customer_message(case, channel=Channel.WEB_FORM, text="Any news?")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert queries.timeline_of(case)[-1].text == "Message received from the customer by web form"


def test_a_finished_case_refuses_the_message_so_the_channel_raises_a_new_one(
    world: World,
) -> None:
    case = factories.raise_case(world.organisation)
    services.close_case(case, by=world.officer, outcome=Outcome.RESOLVED, resolution="Emptied")
    with pytest.raises(InvalidTransition):
        services.record_customer_message(case, channel=Channel.EMAIL, text="Thanks")
    assert not CaseNote.objects.for_organisation(world.organisation).filter(case=case).exists()


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 10_001])
def test_empty_hostile_or_oversized_messages_are_refused_and_nothing_is_saved(
    world: World, text: str
) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError):
        services.record_customer_message(case, channel=Channel.EMAIL, text=text)
    assert not CaseNote.objects.for_organisation(world.organisation).filter(case=case).exists()


def test_staff_cannot_write_a_note_as_if_it_came_from_the_customer(world: World) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError):
        services.add_note(case, by=world.officer, kind=NoteKind.FROM_CUSTOMER, text="Forged")
    assert not CaseNote.objects.for_organisation(world.organisation).filter(case=case).exists()


SPAM = "Claim your prize at http://phish.example now"


@pytest.mark.parametrize("source", [Source.WEB, Source.EMAIL])
def test_an_acknowledgement_of_a_public_report_names_the_type_not_the_typed_title(
    world: World, source: str
) -> None:
    """Anyone can raise a case by web form or e-mail with any address: the council must not
    relay the text they typed to it."""
    customer = factories.customer(world.organisation)
    case = factories.raise_case(world.organisation, title=SPAM, customer=customer, source=source)
    body = Message.objects.for_organisation(world.organisation).get(case=case).body
    assert SPAM not in body
    assert world.missed_bin.name in body
    assert case.reference in body
    assert case.title == SPAM  # staff still see what was written


def test_an_acknowledgement_of_a_desk_case_repeats_its_title(world: World) -> None:
    customer = factories.customer(world.organisation)
    case = factories.raise_case(world.organisation, title="Bins by the gate", customer=customer)
    body = Message.objects.for_organisation(world.organisation).get(case=case).body
    assert "Bins by the gate" in body
