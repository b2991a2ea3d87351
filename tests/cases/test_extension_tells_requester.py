"""Extending a statutory request's deadline tells the requester (the user trial: the extension
message was written but never sent): one ``Event.EXTENSION`` message, with the new deadline and
the reason as written, in their language, to the one recipient the extend page names.  The law
says the requester must be told (FOIA s.17, EIR reg. 7(3), UK GDPR art. 12(3)), so it is an
answer: no consent to updates is needed.  With no way to reach them, the message is recorded as
not sent and staff get a task; with no customer, nothing is recorded."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from onestop.cases import queries, services
from onestop.cases.errors import CaseError
from onestop.cases.models import Case
from onestop.core.errors import ServiceError
from onestop.core.models import User
from onestop.customers.models import Customer
from onestop.notify.models import (
    Channel,
    Event,
    Language,
    Message,
    MessageStatus,
    StaffTask,
    TaskKind,
)
from tests.cases import factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]
LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
REASON = "We need to consider the public interest in releasing the contract prices."
TRACK = "http://localhost:8000/o/test-council/track/"


def _requester(world: World, *, language: str = "en") -> Customer:
    """A requester who wrote from their e-mail address and did not agree to be sent updates."""
    return customer_factories.customer(
        world.organisation,
        "Sam",
        "Resident",
        email="sam@example.com",
        email_consent=False,
        language=language,
    )


def _extensions(case: Case) -> list[Message]:
    return list(
        Message.objects.for_organisation(case.organisation_id)
        .filter(case_id=case.pk, event=Event.EXTENSION)
        .order_by("id")
    )


@time_machine.travel(MONDAY, tick=False)
def test_extending_sends_one_extension_with_the_new_deadline_and_the_reason(
    world: World,
) -> None:
    case = factories.raise_case(
        world.organisation, "foi", title="Contract prices", customer=_requester(world)
    )
    services.extend_deadline(case, by=None, reason=REASON)

    [message] = _extensions(case)
    assert (message.channel, message.address, message.status, message.language) == (
        Channel.EMAIL,
        "sam@example.com",
        MessageStatus.PENDING,
        Language.ENGLISH,
    )
    assert message.subject == f"We need more time for your request {case.reference}"
    # 20 more working days: 30 April 2026 (from 31 March).
    assert message.body == (
        "Dear Sam Resident,\n\nWe need more time to answer your request: Contract prices. "
        f"We will now reply by 30 April 2026.\n\nThe reason: {REASON}\n\nYour reference is "
        f"{case.reference}.\n\nTo see how your request is going, go to {TRACK} and enter your "
        "reference and the email address, phone number or postcode you gave us.\n\n"
        "Test District Council"
    )
    assert queries.timeline_of(case)[-1].text == (
        f"Deadline extended and sent to Sam Resident by e-mail: {REASON}"
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_welsh_requester_reads_the_extension_in_welsh(world: World) -> None:
    case = factories.raise_case(
        world.organisation, "eir", title="Air quality", customer=_requester(world, language="cy")
    )
    services.extend_deadline(case, by=None, reason="Cymhleth a swmpus")

    [message] = _extensions(case)
    assert message.language == Language.WELSH
    assert message.subject == f"Mae angen mwy o amser arnom ar gyfer eich cais {case.reference}"
    assert "Byddwn nawr yn ymateb erbyn 30 Ebrill 2026." in message.body
    assert "Y rheswm: Cymhleth a swmpus" in message.body
    assert f"ewch i {TRACK}?lang=cy a rhowch eich cyfeirnod" in message.body


@time_machine.travel(MONDAY, tick=False)
def test_a_text_message_extension_states_the_new_deadline(world: World) -> None:
    customer = customer_factories.customer(
        world.organisation, "Mo", "Bile", phone="07700 900009", sms_consent=False
    )
    case = factories.raise_case(world.organisation, "subject-access", customer=customer)
    services.extend_deadline(case, by=None, reason="Many and complex requests")

    [message] = _extensions(case)
    assert (message.channel, message.address) == (Channel.SMS, "+447700900009")
    assert message.body == (
        f"Test District Council: we need more time for your request {case.reference}. We will "
        "now reply by 3 June 2026."
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_requester_with_no_way_to_reach_them_is_sent_nothing_and_staff_get_a_task(
    world: World,
) -> None:
    unreachable = customer_factories.customer(world.organisation, "Lena", "Hart")
    case = factories.raise_case(world.organisation, "foi", customer=unreachable)
    services.extend_deadline(case, by=None, reason=REASON)

    [message] = _extensions(case)
    assert (message.channel, message.address, message.status) == (
        "",
        "",
        MessageStatus.TECHNICAL_FAILURE,
    )
    tasks = StaffTask.objects.for_organisation(world.organisation).filter(message=message)
    assert list(tasks.values_list("kind", flat=True)) == [TaskKind.NO_WAY_TO_REACH]
    assert queries.timeline_of(case)[-1].text == f"Deadline extended: {REASON}"


@time_machine.travel(MONDAY, tick=False)
def test_a_request_with_no_customer_records_no_message(world: World) -> None:
    case = factories.raise_case(world.organisation, "foi", title="Spending")
    services.extend_deadline(case, by=None, reason=REASON)

    assert _extensions(case) == []
    assert case.extension_reason == REASON


@time_machine.travel(MONDAY, tick=False)
def test_a_refused_extension_sends_nothing(world: World) -> None:
    case = factories.raise_case(world.organisation, "foi", customer=_requester(world))
    services.extend_deadline(case, by=None, reason=REASON)
    with pytest.raises(ServiceError) as refused:
        services.extend_deadline(case, by=None, reason="Again")
    assert refused.value.code == CaseError.ALREADY_EXTENDED
    assert len(_extensions(case)) == 1


# --- the extend page -----------------------------------------------------------------------------
@time_machine.travel(MONDAY, tick=False)
def test_the_extend_page_names_whom_the_reason_goes_to_and_extending_sends_it(
    world: World, client_for: ClientFor
) -> None:
    handler = User.objects.get(username="information.officer")
    case = factories.raise_case(world.organisation, "foi", customer=_requester(world))
    client = client_for(handler)
    page = client.get(f"/cases/{case.reference}/extend/").content.decode()
    assert (
        "Sam Resident will be sent this reason exactly as you write it, with the new deadline, "
        "by e-mail: sam@example.com"
    ) in page

    response = client.post(f"/cases/{case.reference}/extend/", {"extend-reason": REASON})
    assert response.status_code == 302
    [message] = _extensions(case)
    assert "We will now reply by 30 April 2026." in message.body


def test_the_extend_page_says_why_nobody_can_be_sent_it(
    world: World, client_for: ClientFor
) -> None:
    handler = User.objects.get(username="information.officer")
    client = client_for(handler)
    unreachable = customer_factories.customer(world.organisation, "Lena", "Hart")
    case = factories.raise_case(world.organisation, "foi", customer=unreachable)
    page = client.get(f"/cases/{case.reference}/extend/").content.decode()
    assert (
        "Nobody can be sent the extension: Lena Hart has no e-mail address, mobile number or "
        "current postal address on their record. A task will be opened to tell them another way"
    ) in page

    no_customer = factories.raise_case(world.organisation, "foi")
    page = client.get(f"/cases/{no_customer.reference}/extend/").content.decode()
    assert (
        "Nobody can be sent the extension: the case has no customer, so there is nobody to "
        "send it to"
    ) in page
