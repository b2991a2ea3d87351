"""Finishing a case tells the customer (the user trial: a resident who reported a problem online
never heard back when it was done): the finish page offers to send the resolution, as written,
where the customer can be sent an answer (no consent to updates needed); the staff and the
customer's timelines say it was sent; reopening a case whose customer was told tells them too.
The note page says why nobody can be sent an update."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from onestop.cases import queries, services
from onestop.cases.errors import CaseError
from onestop.cases.models import Case, Outcome, Status
from onestop.core.errors import ServiceError
from onestop.core.models import User
from onestop.customers.models import Customer
from onestop.notify.models import Channel, Event, Language, Message, MessageStatus
from tests.cases import factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]
RESOLUTION = "We emptied your blue bin on Tuesday morning."


def _sam(world: World, *, language: str = "en") -> Customer:
    """A resident who gave an e-mail address and a mobile number online and did not agree to be
    sent updates (the user trial's resident)."""
    return customer_factories.customer(
        world.organisation,
        "Sam",
        "Resident",
        email="sam@example.com",
        phone="07700 900123",
        email_consent=False,
        sms_consent=False,
        language=language,
    )


def _messages(case: Case) -> list[Message]:
    return list(
        Message.objects.for_organisation(case.organisation_id)
        .filter(case_id=case.pk)
        .exclude(event=Event.ACKNOWLEDGEMENT)
        .order_by("id")
    )


def _version(case: Case) -> str:
    return str(Case.objects.for_organisation(case.organisation_id).get(pk=case.pk).version)


def _finish(client: Client, case: Case, *, finish: str = "closed", tell: bool = True) -> str:
    data = {
        "close-outcome": "resolved",
        "close-resolution": RESOLUTION,
        "close-finish": finish,
        "close-version": _version(case),
    }
    if tell:
        data["close-tell_customer"] = "on"
    response = client.post(f"/cases/{case.reference}/close/", data)
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


# --- the finish page -----------------------------------------------------------------------------
def test_the_finish_page_offers_to_send_the_resolution_ticked_with_a_hint(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world))
    page = client_for(world.leader).get(f"/cases/{case.reference}/close/").content.decode()
    assert "Send the resolution to Sam Resident by e-mail: sam@example.com" in page
    assert "They read the resolution exactly as you write it" in page
    assert 'name="close-tell_customer" type="checkbox" value="on" checked' in page


def test_closing_sends_the_resolution_as_written_without_consent_to_updates(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world))
    _finish(client_for(world.leader), case)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    [message] = _messages(case)
    assert (message.event, message.channel, message.address, message.status) == (
        Event.CLOSURE,
        Channel.EMAIL,
        "sam@example.com",
        MessageStatus.PENDING,
    )
    assert message.subject == f"Your request {case.reference} is closed"
    assert message.body.startswith("Dear Sam Resident,\n\nWe have closed your request")
    assert RESOLUTION in message.body
    assert queries.timeline_of(case)[-1].text == (
        "Closed: Resolved. Resolution sent to Sam Resident by e-mail"
    )


def test_resolving_sends_the_answer_and_a_welsh_customer_reads_it_in_welsh(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world, language="cy"))
    _finish(client_for(world.leader), case, finish="resolved")

    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    [message] = _messages(case)
    assert (message.event, message.language, message.address) == (
        Event.RESPONSE,
        Language.WELSH,
        "sam@example.com",
    )
    assert message.subject == f"Ein hateb i'ch cais {case.reference}"
    assert message.body.startswith("Annwyl Sam Resident,\n\n" + RESOLUTION)
    assert f"Eich cyfeirnod yw {case.reference}." in message.body


def test_a_text_message_closure_carries_the_resolution(world: World) -> None:
    customer = customer_factories.customer(
        world.organisation, "Mo", "Bile", phone="07700 900009", sms_consent=False
    )
    case = factories.raise_case(world.organisation, customer=customer)
    services.close_case(
        case, by=None, outcome=Outcome.RESOLVED, resolution=RESOLUTION, tell_customer=True
    )
    [message] = _messages(case)
    assert (message.channel, message.address) == (Channel.SMS, "+447700900009")
    assert RESOLUTION in message.body


def test_unticked_the_case_is_closed_and_nobody_is_sent_anything(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world))
    page = client_for(world.leader).get(f"/cases/{case.reference}/close/").content.decode()
    assert 'name="close-tell_customer"' in page  # offered, and left unticked
    _finish(client_for(world.leader), case, tell=False)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert _messages(case) == []
    assert queries.timeline_of(case)[-1].text == "Closed: Resolved"


def test_the_api_sends_the_resolution_only_when_asked(world: World, client_for: ClientFor) -> None:
    """The API (and imports, the demo) close without sending unless they ask."""
    quiet, told = (factories.raise_case(world.organisation, customer=_sam(world)) for _ in "ab")
    for case, body in (
        (quiet, {"outcome": "resolved", "resolution": RESOLUTION}),
        (told, {"outcome": "resolved", "resolution": RESOLUTION, "tell_customer": True}),
    ):
        response = client_for(world.officer).post(
            f"/api/v1/cases/{case.reference}/close",
            data=json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content.decode()
    assert _messages(quiet) == []
    assert [(m.event, m.address) for m in _messages(told)] == [(Event.CLOSURE, "sam@example.com")]


def test_with_nobody_to_send_it_to_the_page_says_why_and_the_service_refuses(
    world: World, client_for: ClientFor
) -> None:
    unreachable = customer_factories.customer(world.organisation, "Lena", "Hart")
    case = factories.raise_case(world.organisation, customer=unreachable)
    page = client_for(world.leader).get(f"/cases/{case.reference}/close/").content.decode()
    assert "tell_customer" not in page
    assert (
        "Nobody can be sent the resolution: Lena Hart has no e-mail address, mobile number or "
        "current postal address on their record"
    ) in page

    no_customer = factories.raise_case(world.organisation)
    page = client_for(world.leader).get(f"/cases/{no_customer.reference}/close/").content.decode()
    assert "Nobody can be sent the resolution: the case has no customer, so there is nobody" in page

    with pytest.raises(ServiceError) as refused:
        services.close_case(
            case, by=None, outcome=Outcome.RESOLVED, resolution=RESOLUTION, tell_customer=True
        )
    assert refused.value.code == CaseError.NO_RECIPIENT
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert _messages(case) == []


# --- reopening -----------------------------------------------------------------------------------
def test_reopening_tells_a_customer_who_was_sent_the_resolution_with_the_new_deadline(
    world: World, client_for: ClientFor
) -> None:
    with time_machine.travel("2026-03-02 10:00+00:00", tick=False):
        case = factories.raise_case(world.organisation, customer=_sam(world))
        _finish(client_for(world.leader), case)
    with time_machine.travel("2026-03-04 10:00+00:00", tick=False):
        page = client_for(world.leader).get(f"/cases/{case.reference}/reopen/").content.decode()
        assert "Sam Resident was sent the resolution, so they will be sent this reason" in page
        response = client_for(world.leader).post(
            f"/cases/{case.reference}/reopen/", {"reopen-reason": "The bin was missed again."}
        )
        assert response.status_code == 302

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    reopening = _messages(case)[-1]
    assert (reopening.event, reopening.address) == (Event.REOPENING, "sam@example.com")
    assert "The reason: The bin was missed again." in reopening.body
    assert case.due_at is not None
    assert f"We will reply by {case.due_at.day} March 2026." in reopening.body
    assert queries.timeline_of(case)[-1].text == (
        "Reopened with a new deadline and sent to Sam Resident by e-mail: The bin was missed again."
    )

    # A customer who was not sent the resolution is not sent the reopening.
    quiet = factories.raise_case(world.organisation, customer=_sam(world))
    _finish(client_for(world.leader), quiet, tell=False)
    page = client_for(world.leader).get(f"/cases/{quiet.reference}/reopen/").content.decode()
    assert "was sent the resolution" not in page
    quiet.refresh_from_db()
    services.reopen_case(quiet, by=None, reason="Missed again")
    assert _messages(quiet) == []


# --- the note page's reason ----------------------------------------------------------------------
def test_the_note_page_says_the_customer_has_not_agreed_to_updates(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world))
    page = client_for(world.officer).get(f"/cases/{case.reference}/notes/").content.decode()
    assert (
        "Nobody can be sent an update on this case: Sam Resident has not agreed to be sent "
        "updates by e-mail or text message, and has no current postal address"
    ) in page
    assert "it has no customer with an e-mail address" not in page


def test_the_note_page_says_the_customer_has_no_address(
    world: World, client_for: ClientFor
) -> None:
    unreachable = customer_factories.customer(world.organisation, "Lena", "Hart")
    case = factories.raise_case(world.organisation, customer=unreachable)
    page = client_for(world.officer).get(f"/cases/{case.reference}/notes/").content.decode()
    assert (
        "Nobody can be sent an update on this case: Lena Hart has no e-mail address, mobile "
        "number or current postal address on their record"
    ) in page
