"""Composing a message (``notify.services.compose``): every branch of the channel choice
(preference, consent, fallback, nobody to reach), formats, language and the templates' words."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from onestop.core.models import AuditRecord, Organisation, RoleCode
from onestop.customers.models import Customer
from onestop.notify import wording
from onestop.notify.models import (
    Event,
    Message,
    MessageStatus,
    MessageTemplate,
    RecipientKind,
    StaffTask,
    TaskKind,
)
from onestop.notify.services import compose
from tests import factories as core_factories
from tests.customers import factories as customer_factories

LONDON = ZoneInfo("Europe/London")
DUE = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=LONDON)
CONTEXT = {
    "reference": "SR-26-00001",
    "case_type": "Missed bin",
    "case_title": "Missed blue bin",
    "deadline": DUE,
    "service": "Waste",
}


def _send(customer: Customer, event: str = Event.UPDATE, **context: object) -> compose.Outcome:
    return compose.message_to_customer(
        organisation_id=customer.organisation_id,
        customer=customer,
        event=event,
        context={**CONTEXT, "update_text": "Crew booked for Friday", **context},  # type: ignore[dict-item]
    )


def _customer(council: Organisation, **details: object) -> Customer:
    preferred = str(details.pop("preferred", ""))
    customer = customer_factories.customer(council, "Sam", "Resident", **details)  # type: ignore[arg-type]
    if preferred:
        customer.preferred_channel = preferred
        customer.save(update_fields=["preferred_channel"])
    return customer


# --- channel choice -------------------------------------------------------------------------------
def test_email_with_consent_goes_by_email_in_english(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org", postcode="HP20 1UB")
    outcome = _send(customer)
    message = outcome.message
    assert (message.channel, message.address, message.language) == (
        "email",
        "sam@example.org",
        "en",
    )
    assert (message.status, message.template_version, outcome.tasks) == ("pending", 0, [])
    assert message.subject == "An update on your request SR-26-00001"
    assert message.body.startswith("Dear Sam Resident,\n\nCrew booked for Friday")
    assert message.body.endswith(council.name)
    assert message.next_attempt_at is not None


def test_the_preferred_channel_comes_first(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org", phone="+447700900123", preferred="sms")
    message = _send(customer).message
    assert (message.channel, message.address, message.subject) == ("sms", "+447700900123", "")
    assert message.body == f"{council.name}, SR-26-00001: Crew booked for Friday"


def test_without_consent_to_email_an_update_falls_back_to_sms_then_letter(
    council: Organisation,
) -> None:
    to_sms = _customer(council, email="a@example.org", phone="+447700900123", email_consent=False)
    assert _send(to_sms).message.channel == "sms"
    to_letter = _customer(
        council,
        email="b@example.org",
        phone="+447700900124",
        postcode="HP20 1UB",
        email_consent=False,
        sms_consent=False,
    )
    message = _send(to_letter).message
    assert (message.channel, message.address) == ("letter", "1 High Street\nAylesbury\nHP20 1UB")


def test_an_acknowledgement_answers_at_the_address_given_even_without_consent_to_updates(
    council: Organisation,
) -> None:
    customer = _customer(council, email="sam@example.org", email_consent=False)
    message = _send(customer, Event.ACKNOWLEDGEMENT).message
    assert (message.channel, message.address) == ("email", "sam@example.org")
    assert "We will reply by 1 December 2026." in message.body


def test_a_preferred_channel_without_an_address_falls_back(council: Organisation) -> None:
    customer = _customer(council, phone="+447700900123", preferred="email")
    assert _send(customer).message.channel == "sms"
    telephone = _customer(council, postcode="HP20 1UB", preferred="telephone")
    assert _send(telephone).message.channel == "letter"


def test_nobody_to_reach_records_the_message_as_not_sent_and_opens_a_task(
    council: Organisation,
) -> None:
    customer = _customer(council, email="sam@example.org", email_consent=False)
    outcome = _send(customer)
    message = outcome.message
    assert (message.channel, message.address, message.status) == (
        "",
        "",
        MessageStatus.TECHNICAL_FAILURE,
    )
    assert message.next_attempt_at is None
    assert "Sam Resident has no e-mail address or mobile number" in message.last_error
    assert not outcome.sendable
    [task] = outcome.tasks
    assert (task.kind, task.customer_id, task.message_id, task.status) == (
        TaskKind.NO_WAY_TO_REACH,
        customer.pk,
        message.pk,
        "open",
    )
    assert "No way to reach Sam Resident" in task.description
    assert AuditRecord.objects.filter(
        organisation=council, object_type="notify.stafftask", object_id=str(task.pk)
    ).exists()


def test_a_person_with_no_customer_record_gets_a_task(council: Organisation) -> None:
    outcome = compose.message_to_customer(
        organisation_id=council.pk,
        customer=None,
        name="Pat Jones",
        event=Event.ACKNOWLEDGEMENT,
        context=CONTEXT,  # type: ignore[arg-type]
    )
    assert (outcome.message.recipient_label, outcome.message.channel) == ("Pat Jones", "")
    assert [task.kind for task in outcome.tasks] == [TaskKind.NO_WAY_TO_REACH]


# --- formats and language -------------------------------------------------------------------------
def test_large_print_goes_as_a_large_print_letter_even_with_an_email(
    council: Organisation,
) -> None:
    customer = _customer(
        council, email="sam@example.org", postcode="HP20 1UB", format="large-print"
    )
    outcome = _send(customer)
    assert (outcome.message.channel, outcome.message.format) == ("letter", "large-print")
    assert outcome.tasks == []


def test_large_print_with_no_postal_address_goes_by_email(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org", format="large-print")
    message = _send(customer).message
    assert (message.channel, message.format) == ("email", "")


@pytest.mark.parametrize(
    ("format", "kind", "needed"),
    [
        ("braille", TaskKind.BRAILLE, "braille"),
        ("audio", TaskKind.AUDIO, "audio"),
        ("easy-read", TaskKind.EASY_READ, "easy read"),
    ],
)
def test_a_format_onestop_cannot_make_opens_a_task_and_the_message_still_goes(
    council: Organisation, format: str, kind: str, needed: str
) -> None:
    customer = _customer(council, email="sam@example.org", format=format)
    outcome = _send(customer)
    assert outcome.message.channel == "email"
    [task] = outcome.tasks
    assert task.kind == kind
    assert f"Sam Resident asked for {needed}" in task.description


def test_an_interpreter_need_opens_a_task(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org")
    customer.needs_interpreter = True
    customer.interpreter_language = "Polish"
    customer.save(update_fields=["needs_interpreter", "interpreter_language"])
    outcome = _send(customer)
    assert [(task.kind, "(Polish)" in task.description) for task in outcome.tasks] == [
        (TaskKind.INTERPRETER, True)
    ]


def test_a_welsh_customer_gets_welsh(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org", language="cy")
    message = _send(customer, Event.ACKNOWLEDGEMENT).message
    assert message.language == "cy"
    assert message.subject == "Rydym wedi cael eich cais: SR-26-00001"
    assert message.body.startswith("Annwyl Sam Resident,")
    assert "Byddwn yn ymateb erbyn 1 Rhagfyr 2026." in message.body


def test_another_language_gets_english(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org", language="pl")
    assert _send(customer).message.language == "en"


# --- the organisation's own words -----------------------------------------------------------------
def test_the_organisations_template_is_used_and_its_version_recorded(
    council: Organisation,
) -> None:
    MessageTemplate(
        organisation=council,
        event=Event.UPDATE,
        channel="email",
        language="en",
        subject="News on ((reference))",
        body="Hello ((customer_name)): ((update_text)) ((unknown))",
        version=3,
        updated_at=timezone.now(),
    ).save()
    message = _send(_customer(council, email="sam@example.org")).message
    assert (message.subject, message.template_version) == ("News on SR-26-00001", 3)
    assert message.body == "Hello Sam Resident: Crew booked for Friday "


def test_a_value_is_never_read_as_a_placeholder(council: Organisation) -> None:
    customer = _customer(council, email="sam@example.org")
    message = _send(customer, update_text="((reference)) and ((organisation))").message
    assert "((reference)) and ((organisation))" in message.body


def test_every_event_has_words_for_every_channel_in_both_languages() -> None:
    for event in Event.values:
        for channel in ("email", "sms", "letter"):
            for language in ("en", "cy"):
                words = wording.default(event, channel, language)
                assert words.body
                assert (words.subject == "") == (channel == "sms")
                assert wording.unknown_placeholders(event, words.subject + words.body) == []
    english = wording.default(Event.ACKNOWLEDGEMENT, "email", "en")
    welsh = wording.default(Event.ACKNOWLEDGEMENT, "email", "cy")
    assert english.body != welsh.body


def test_unknown_placeholders_are_named() -> None:
    assert wording.unknown_placeholders(Event.UPDATE, "((reference)) ((refrence)) ((x))") == [
        "refrence",
        "x",
    ]


def test_dates_are_written_as_people_write_them() -> None:
    assert wording.long_date(datetime.date(2026, 12, 1)) == "1 December 2026"
    assert wording.long_date(datetime.date(2026, 3, 9), "cy") == "9 Mawrth 2026"
    assert wording.long_date_time(DUE) == "1 December 2026, 17:00"


# --- staff ----------------------------------------------------------------------------------------
def test_a_message_to_staff_goes_by_email(council: Organisation) -> None:
    officer = core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER)
    message = compose.message_to_staff(
        organisation_id=council.pk,
        user=officer,
        event=Event.ESCALATION,
        context={**CONTEXT, "percent": 75, "deadline_time": DUE},  # type: ignore[dict-item]
    )
    assert (message.recipient_kind, message.channel, message.address) == (
        RecipientKind.STAFF,
        "email",
        officer.email,
    )
    assert "has used 75% of its time: it is due 1 December 2026, 17:00." in message.body


def test_staff_notices_are_one_insert_and_a_role_nobody_holds_is_recorded_as_not_sent(
    council: Organisation,
) -> None:
    officer = core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER)
    notices = [
        compose.StaffNotice(None, officer.pk, officer.display_name, {"percent": 75}),
        compose.StaffNotice(None, None, "Team leader of Crews", {"percent": 100}),
    ]
    assert compose.staff_notices(council.pk, Event.ESCALATION, notices) == 2
    rows = list(Message.objects.for_organisation(council).order_by("pk"))
    assert [(m.recipient_user_id, m.status, m.channel) for m in rows] == [
        (officer.pk, "pending", "email"),
        (None, "technical-failure", ""),
    ]
    assert rows[1].last_error == "Not sent: nobody holds this role"


def test_another_organisations_customer_is_refused(
    council: Organisation, partner: Organisation
) -> None:
    customer = _customer(partner, email="sam@example.org")
    with pytest.raises(ValueError, match="another organisation"):
        compose.message_to_customer(
            organisation_id=council.pk, customer=customer, event=Event.UPDATE, context={}
        )
    assert not Message.objects.for_organisation(council).exists()
    assert not StaffTask.objects.for_organisation(council).exists()
