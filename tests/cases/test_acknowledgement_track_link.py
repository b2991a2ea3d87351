"""The acknowledgement reads naturally and links to the residents' track page (the user trial:
"We have received your request Missed bin collection." and no way to follow it): the request is
named after a colon, the link is the organisation's ``/o/<slug>/track/`` made whole with
``ONESTOP_PUBLIC_URL`` (in Welsh with ``?lang=cy``), and the message says what the page asks
for.  A case nobody can track (a councillor's enquiry) is sent no link.  An organisation's own
words keep working without the new ``((track_link))``, and may use it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.cases import queries
from onestop.cases.errors import CaseError
from onestop.cases.models import Case, Source
from onestop.core.errors import ServiceError
from onestop.core.models import User
from onestop.customers.models import Customer
from onestop.notify.models import Channel, Event, Language, Message
from onestop.notify.services import templates
from tests.cases import factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]
LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
TRACK = "http://localhost:8000/o/test-council/track/"


def _sam(world: World, *, language: str = "en") -> Customer:
    return customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.com", language=language
    )


def _acknowledgements(case: Case) -> list[Message]:
    return list(
        Message.objects.for_organisation(case.organisation_id)
        .filter(case_id=case.pk, event=Event.ACKNOWLEDGEMENT)
        .order_by("id")
    )


@time_machine.travel(MONDAY, tick=False)
def test_the_acknowledgement_names_the_request_and_links_to_the_track_page(world: World) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world), source=Source.WEB)

    [message] = _acknowledgements(case)
    assert message.subject == f"We have received your request: {case.reference}"
    assert message.body == (
        "Dear Sam Resident,\n\nWe have received your request: Missed bin.\n\nYour reference is "
        f"{case.reference}. We will reply by 16 March 2026.\n\nTo see how your request is going, "
        f"go to {TRACK} and enter your reference and the email address, phone number or "
        "postcode you gave us.\n\nTest District Council"
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_welsh_customer_is_sent_the_welsh_track_page(world: World) -> None:
    case = factories.raise_case(
        world.organisation,
        customer=_sam(world, language="cy"),
        by=world.officer,
        title="Bin glas heb ei wagio",
    )

    [message] = _acknowledgements(case)
    assert message.language == Language.WELSH
    assert message.body == (
        "Annwyl Sam Resident,\n\nRydym wedi cael eich cais: Bin glas heb ei wagio.\n\nEich "
        f"cyfeirnod yw {case.reference}. Byddwn yn ymateb erbyn 16 Mawrth 2026.\n\nI weld sut "
        f"mae eich cais yn dod yn ei flaen, ewch i {TRACK}?lang=cy a rhowch eich cyfeirnod a'r "
        "cyfeiriad e-bost, y rhif ffôn neu'r cod post a roesoch i ni.\n\nTest District Council"
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_text_message_acknowledgement_links_to_the_track_page(world: World) -> None:
    customer = customer_factories.customer(
        world.organisation, "Mo", "Bile", phone="07700 900009", sms_consent=False
    )
    case = factories.raise_case(world.organisation, customer=customer, source=Source.WEB)

    [message] = _acknowledgements(case)
    assert message.channel == Channel.SMS
    assert message.body == (
        "Test District Council: we have received your request: Missed bin. Your reference is "
        f"{case.reference}. We will reply by 16 March 2026.\n\nTrack it at {TRACK} with your "
        "reference and this phone number."
    )


@override_settings(ONESTOP_PUBLIC_URL="https://onestop.example.gov.uk/")
def test_the_link_starts_with_the_public_address(world: World) -> None:
    case = factories.raise_case(world.organisation, customer=_sam(world))

    [message] = _acknowledgements(case)
    assert "go to https://onestop.example.gov.uk/o/test-council/track/ and enter" in message.body


@time_machine.travel(MONDAY, tick=False)
def test_a_councillors_enquiry_is_sent_no_link(world: World, councillor: User) -> None:
    """The track page does not show a councillor's enquiry: neither the constituent nor the
    councillor is sent a link to it, and the rest of the message is whole."""
    case = factories.raise_case(
        world.organisation,
        "councillor-enquiry",
        by=councillor,
        title="Pothole on Mill Lane",
        customer=_sam(world),
    )

    constituent, copy = _acknowledgements(case)
    assert queries.message_context(case)["track_link"] == ""
    assert constituent.body == (
        "Dear Sam Resident,\n\nWe have received your request: Pothole on Mill Lane.\n\nYour "
        f"reference is {case.reference}. We will reply by 16 March 2026.\n\nTest District "
        "Council"
    )
    assert "track" not in copy.body
    assert copy.body.endswith(".\n\nTest District Council")


# --- an organisation's own words ------------------------------------------------------------------
OLD_WORDS = (
    "Dear ((customer_name)),\n\nThanks for telling us about ((case_title)). Your reference is "
    "((reference)).\n\n((organisation))"
)


def test_an_organisations_own_words_without_the_link_still_read_as_written(
    world: World, administrator: User
) -> None:
    templates.save_template(
        world.organisation.pk,
        by=administrator,
        event=Event.ACKNOWLEDGEMENT,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        subject="Your request ((reference))",
        body=OLD_WORDS,
    )
    case = factories.raise_case(world.organisation, customer=_sam(world), source=Source.WEB)

    [message] = _acknowledgements(case)
    assert (message.template_version, message.subject, message.body) == (
        1,
        f"Your request {case.reference}",
        "Dear Sam Resident,\n\nThanks for telling us about Missed bin. Your reference is "
        f"{case.reference}.\n\nTest District Council",
    )


@pytest.mark.parametrize(
    "event", [Event.ACKNOWLEDGEMENT, Event.UPDATE, Event.RESPONSE, Event.CLOSURE, Event.EXTENSION]
)
def test_every_message_about_a_case_may_name_the_track_link(
    world: World, administrator: User, event: str
) -> None:
    saved = templates.save_template(
        world.organisation.pk,
        by=administrator,
        event=event,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        subject="About ((reference))",
        body="Follow it at ((track_link))",
    )
    assert saved.body == "Follow it at ((track_link))"


def test_own_words_naming_the_link_typed_in_a_form_lose_its_paragraph_when_there_is_none(
    world: World, administrator: User, councillor: User
) -> None:
    """A form sends its lines with CR LF; the paragraph is still found and left out."""
    templates.save_template(
        world.organisation.pk,
        by=administrator,
        event=Event.ACKNOWLEDGEMENT,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        subject="Your request ((reference))",
        body="Dear ((customer_name)),\r\n\r\nFollow it at ((track_link))\r\n\r\n((organisation))",
    )
    tracked = factories.raise_case(world.organisation, customer=_sam(world))
    enquiry = factories.raise_case(
        world.organisation, "councillor-enquiry", by=councillor, customer=_sam(world)
    )

    assert _acknowledgements(tracked)[0].body == (
        f"Dear Sam Resident,\r\n\r\nFollow it at {TRACK}\r\n\r\nTest District Council"
    )
    assert _acknowledgements(enquiry)[0].body == ("Dear Sam Resident,\r\n\r\nTest District Council")


# --- hostile titles -------------------------------------------------------------------------------
def test_a_title_with_markup_and_blank_lines_is_one_plain_line_and_the_link_stays(
    world: World,
) -> None:
    title = "<b>Bin</b>\n\n not emptied <script>alert(1)</script>\r\n((track_link))"
    case = factories.raise_case(world.organisation, customer=_sam(world), title=title)

    [message] = _acknowledgements(case)
    assert (
        "We have received your request: <b>Bin</b> not emptied <script>alert(1)</script> "
        "((track_link)).\n\nYour reference is"
    ) in message.body
    assert message.body.count(TRACK) == 1
    assert message.body.endswith("postcode you gave us.\n\nTest District Council")


def test_the_longest_title_is_sent_whole_and_a_longer_one_is_refused(world: World) -> None:
    title = "Bin " * 49 + "emp."  # 200 characters
    case = factories.raise_case(world.organisation, customer=_sam(world), title=title)

    [message] = _acknowledgements(case)
    assert f"We have received your request: {' '.join(title.split())}.\n\n" in message.body
    assert message.subject == f"We have received your request: {case.reference}"
    with pytest.raises(ServiceError) as refused:
        factories.raise_case(world.organisation, customer=_sam(world), title=title + "x")
    assert refused.value.code == CaseError.INVALID_ATTRIBUTE


def test_the_template_preview_shows_the_organisations_track_page(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    english = client.get("/message-templates/acknowledgement/email/en/")
    welsh = client.get("/message-templates/acknowledgement/email/cy/")
    assert f"go to {TRACK} and enter" in english.context["preview_body"]
    assert f"ewch i {TRACK}?lang=cy a rhowch" in welsh.context["preview_body"]
    assert "((track_link))" in english.content.decode()  # the placeholders the page lists
