"""An organisation's own GOV.UK Notify template with named placeholders (notifyops): an
administrator maps an event, channel and language to a Notify template id on the templates
page (a UUID; none for letters; audited); a message written while the mapping exists records it
with the event's placeholders' values, and the Notify sender sends exactly those to the local
Notify instead of the generic ``((subject))``/``((body))`` template."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.notify.models import Channel, Event, Language, Message, MessageTemplate
from onestop.notify.services import bulk, compose, sending, templates
from tests import factories as core_factories
from tests.customers import factories as customer_factories
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = pytest.mark.django_db

OWN = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
OWN_SMS = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
URL = "/message-templates/acknowledgement/email/en/"
WORDS = {"subject": "We have your request ((reference))", "body": "Dear ((customer_name))"}


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


@pytest.fixture
def notify(notify_server: FakeNotify, settings: Any) -> FakeNotify:
    notify_server.reset()
    notify_server.templates.update({OWN: "email", OWN_SMS: "sms"})
    settings.ONESTOP_MESSAGE_SENDER = "notify"
    settings.ONESTOP_NOTIFY_API_KEY = helpers.API_KEY
    settings.ONESTOP_NOTIFY_BASE_URL = notify_server.url
    settings.ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID = helpers.EMAIL_TEMPLATE
    settings.ONESTOP_NOTIFY_SMS_TEMPLATE_ID = helpers.SMS_TEMPLATE
    settings.ONESTOP_NOTIFY_RATE_PER_MINUTE = 0
    return notify_server


def _client(user: User) -> Client:
    client = Client()
    core_factories.sign_in_verified(client, user)
    return client


CONTEXT: compose.Context = {
    "reference": "SR-26-00042",
    "case_type": "Missed bin collection",
    "case_title": "Missed bin collection",
    "service": "Waste and Recycling",
    "deadline": datetime.date(2026, 12, 1),
    "track_link": "http://localhost:8000/o/test/track/",
}


def _acknowledge(organisation: Organisation, **customer: Any) -> Message:
    person = customer_factories.customer(organisation, "Sam", "Resident", **customer)
    outcome = compose.message_to_customer(
        organisation_id=organisation.pk,
        customer=person,
        event=Event.ACKNOWLEDGEMENT,
        context=CONTEXT,
    )
    return outcome.message


def test_an_administrator_maps_an_event_to_a_notify_template_and_it_is_audited(
    council: Organisation, administrator: User
) -> None:
    response = _client(administrator).post(
        URL, {**WORDS, "notify_template_id": f"  {OWN.upper()} "}
    )
    assert response.status_code == 302
    template = MessageTemplate.objects.for_organisation(council).get()
    assert template.notify_template_id == OWN  # as Notify shows it: lower case
    page = _client(administrator).get("/message-templates/").content.decode()
    assert f"GOV.UK Notify template {OWN}" in page
    edit = _client(administrator).get(URL)
    assert edit.context["form"]["notify_template_id"].value() == OWN
    # Emptied again: back to OneStop's words through the generic template.
    assert _client(administrator).post(URL, {**WORDS, "notify_template_id": ""}).status_code == 302
    template.refresh_from_db()
    assert (template.notify_template_id, template.version) == ("", 2)
    records = list(
        AuditRecord.objects.for_organisation(council)
        .filter(object_type="notify.messagetemplate")
        .order_by("sequence")
    )
    assert [record.changes for record in records] == [
        {"before": {}, "after": {**WORDS, "notify_template_id": OWN}},
        {
            "before": {**WORDS, "notify_template_id": OWN},
            "after": {**WORDS, "notify_template_id": ""},
        },
    ]
    templates.reset_template(
        council.pk, by=administrator, event="acknowledgement", channel="email", language="en"
    )
    last = AuditRecord.objects.for_organisation(council).order_by("sequence").last()
    assert last is not None
    assert last.changes == {"before": {**WORDS, "notify_template_id": ""}}


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("not-a-uuid", "Enter the GOV.UK Notify template id as Notify shows it"),
        ("<script>alert(1)</script>", "Enter the GOV.UK Notify template id as Notify shows it"),
        ("'; DROP TABLE notify_message; --", "Enter the GOV.UK Notify template id"),
        (OWN + "\u200b", "Remove the special characters"),
        (OWN[:-1] + "\u0661", "Enter the GOV.UK Notify template id as Notify shows it"),
        ("x" * 61, "Enter the GOV.UK Notify template id as Notify shows it"),
        (OWN.replace("-", ""), "Enter the GOV.UK Notify template id as Notify shows it"),
    ],
)
def test_a_bad_notify_template_id_is_refused_and_nothing_changes(
    council: Organisation, administrator: User, typed: str, error: str
) -> None:
    response = _client(administrator).post(URL, {**WORDS, "notify_template_id": typed})
    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors["notify_template_id"])
    # What the administrator typed is kept on the page.
    assert response.context["form"]["body"].value() == WORDS["body"]
    assert not MessageTemplate.objects.for_organisation(council).exists()
    assert (
        not AuditRecord.objects.for_organisation(council)
        .filter(object_type="notify.messagetemplate")
        .exists()
    )


def test_a_letter_has_no_notify_template(council: Organisation, administrator: User) -> None:
    url = "/message-templates/acknowledgement/letter/en/"
    assert "notify_template_id" not in _client(administrator).get(url).context["form"].fields
    with pytest.raises(ServiceError, match=r"Letters are sent to GOV\.UK Notify as PDFs"):
        templates.save_template(
            council.pk,
            by=administrator,
            event=Event.ACKNOWLEDGEMENT,
            channel=Channel.LETTER,
            language=Language.ENGLISH,
            subject="Hello",
            body="Hello",
            notify_template_id=OWN,
        )


def test_only_administrators_map_templates(
    council: Organisation, administrator: User, partner_administrator: User
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    form = {**WORDS, "notify_template_id": OWN}
    assert _client(manager).post(URL, form).status_code == 403
    assert _client(partner_administrator).post(URL, form).status_code == 302
    assert not MessageTemplate.objects.for_organisation(council).exists()


def test_a_mapped_email_goes_with_the_own_template_and_the_named_placeholders(
    notify: FakeNotify, council: Organisation, administrator: User
) -> None:
    templates.save_template(
        council.pk,
        by=administrator,
        event=Event.ACKNOWLEDGEMENT,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        notify_template_id=OWN,
        **WORDS,
    )
    message = _acknowledge(council, email="sam@example.org")
    expected = {
        "reference": "SR-26-00042",
        "customer_name": "Sam Resident",
        "case_type": "Missed bin collection",
        "case_title": "Missed bin collection",
        "deadline": "1 December 2026",
        "service": "Waste and Recycling",
        "track_link": "http://localhost:8000/o/test/track/",
        "organisation": council.name,
    }
    assert (message.notify_template_id, message.personalisation) == (OWN, expected)
    # OneStop's own words are still rendered: the outbox shows what was meant.
    assert message.subject == "We have your request SR-26-00042"
    sending.process_due()
    [notification] = notify.by_reference(message.reference)
    assert notification["template"]["id"] == OWN
    assert notification["personalisation"] == expected
    assert notification["email_address"] == "sam@example.org"


def test_a_mapped_welsh_text_message_goes_with_its_own_template(
    notify: FakeNotify, council: Organisation, administrator: User
) -> None:
    templates.save_template(
        council.pk,
        by=administrator,
        event=Event.ACKNOWLEDGEMENT,
        channel=Channel.SMS,
        language=Language.WELSH,
        subject="",
        body="Mae gennym eich cais ((reference))",
        notify_template_id=OWN_SMS,
    )
    english = _acknowledge(council, phone="07700900123")
    welsh = _acknowledge(council, phone="07700900456", language="cy")
    assert english.channel == welsh.channel == Channel.SMS
    assert (english.notify_template_id, english.personalisation) == ("", {})
    assert welsh.notify_template_id == OWN_SMS
    assert welsh.personalisation["deadline"] == "1 Rhagfyr 2026"
    sending.process_due()
    [to_english] = notify.by_reference(english.reference)
    [to_welsh] = notify.by_reference(welsh.reference)
    assert to_english["template"]["id"] == helpers.SMS_TEMPLATE
    assert to_english["personalisation"] == {"subject": "", "body": english.body}
    assert to_welsh["template"]["id"] == OWN_SMS
    assert to_welsh["personalisation"] == welsh.personalisation


def test_staff_notices_written_set_based_carry_the_mapping(
    notify: FakeNotify, council: Organisation, administrator: User
) -> None:
    templates.save_template(
        council.pk,
        by=administrator,
        event=Event.ESCALATION,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        subject="Escalation ((reference))",
        body="((staff_name)): ((case_title)) is at ((percent))%",
        notify_template_id=OWN,
    )
    deadline = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    notice = compose.StaffNotice(
        case_id=None,
        user_id=administrator.pk,
        label="Alex Officer",
        context={
            "reference": "SR-26-00042",
            "case_title": "Missed bin collection",
            "deadline": deadline,
            "deadline_time": deadline,
            "percent": 75,
        },
    )
    assert compose.staff_notices(council.pk, Event.ESCALATION, [notice], now=timezone.now()) == 1
    message = Message.objects.for_organisation(council).get()
    assert message.notify_template_id == OWN
    assert message.personalisation == {
        "reference": "SR-26-00042",
        "case_title": "Missed bin collection",
        "deadline": "1 December 2026",
        "deadline_time": "1 December 2026, 17:00",
        "percent": "75",
        "staff_name": "Alex Officer",
        "organisation": council.name,
    }


def test_a_message_written_before_the_mapping_keeps_the_generic_template(
    notify: FakeNotify, council: Organisation, administrator: User
) -> None:
    before = _acknowledge(council, email="sam@example.org")
    templates.save_template(
        council.pk,
        by=administrator,
        event=Event.ACKNOWLEDGEMENT,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        notify_template_id=OWN,
        **WORDS,
    )
    sending.process_due()
    [notification] = notify.by_reference(before.reference)
    assert notification["template"]["id"] == helpers.EMAIL_TEMPLATE
    assert notification["personalisation"] == {"subject": before.subject, "body": before.body}


def test_a_message_to_many_customers_with_the_council_template_carries_the_mapping(
    notify: FakeNotify, council: Organisation, administrator: User
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    templates.save_template(
        council.pk,
        by=administrator,
        event=Event.BULK,
        channel=Channel.EMAIL,
        language=Language.ENGLISH,
        subject="News from ((organisation))",
        body="Dear ((customer_name)), ((text))",
        notify_template_id=OWN,
    )
    customer_factories.customer(
        council, "Sam", "Resident", email="sam@example.org", email_consent=True, postcode="NN1 5AB"
    )
    draft = bulk.create_bulk(
        council.pk,
        by=manager,
        title="Snow closure",
        group={"kind": "postcode", "postcode": "NN1"},
        use_template=True,
        subject="",
        message="The office is closed today because of snow.",
        channels=["email"],
    )
    bulk.send(draft, by=manager)
    sending.process_due()
    message = Message.objects.for_organisation(council).get(bulk_message=draft)
    expected = {
        "customer_name": "Sam Resident",
        "text": "The office is closed today because of snow.",
        "organisation": council.name,
    }
    assert (message.notify_template_id, message.personalisation) == (OWN, expected)
    [notification] = notify.by_reference(message.reference)
    assert notification["template"]["id"] == OWN
    assert notification["personalisation"] == expected
