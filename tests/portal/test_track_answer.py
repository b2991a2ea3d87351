"""The user trial: a resident who reports a problem online hears back when the council finishes
it, at the address they gave, and their track page says so in plain words (no staff names, no
resolution text on the page)."""

from __future__ import annotations

import time_machine
from django.test import Client
from django.utils import translation

from onestop.cases import services as case_services
from onestop.cases.events import EventType, describe_for_customer
from onestop.cases.models import Case, CaseEvent, Outcome
from onestop.notify.models import Channel, Event, Message
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.portal.test_track import MONDAY, _html, _report, _track

RESOLUTION = "We emptied your blue bin on Tuesday."


def _closed_online_report(world: World, web_form: WebForm, *, tell: bool) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        case = _report(web_form)
    case_services.close_case(
        case,
        by=world.leader,
        outcome=Outcome.RESOLVED,
        resolution=RESOLUTION,
        tell_customer=tell,
    )
    return case


def test_a_resident_who_reported_online_is_sent_the_resolution_and_the_page_says_so(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    case = _closed_online_report(world, missed_bins_online, tell=True)
    assert case.customer is not None
    # They gave an e-mail address and a phone number online, without agreeing to updates.
    assert not case.customer.consents_to_email_updates
    [message] = Message.objects.for_organisation(case.organisation_id).filter(
        case_id=case.pk, event=Event.CLOSURE
    )
    assert (message.channel, message.address) == (Channel.EMAIL, "Sam@Example.com")
    assert RESOLUTION in message.body

    page = client.get(_track(client, case.reference, "sam@example.com")["Location"])
    html = _html(page)
    assert "We closed your request and sent you our answer" in html
    assert world.leader.display_name not in html
    assert RESOLUTION not in html

    # The page does not claim an answer nobody was sent.
    quiet = _closed_online_report(world, missed_bins_online, tell=False)
    html = _html(client.get(_track(client, quiet.reference, "sam@example.com")["Location"]))
    assert "We closed your request" in html
    assert "sent you our answer" not in html


def test_a_welsh_reader_is_told_in_welsh() -> None:
    event = CaseEvent(code=EventType.CLOSED, data={"customer_told": True})
    with translation.override("cy"):
        assert describe_for_customer(event) == "Gwnaethom gau eich cais ac anfon ein hateb atoch"
