"""Track a request (issue 18 part B): the reference and a matching second detail open the
request's page in this browser only; anything else gets the same "not found", limited per
client address; the page shows the customer's events only; more information is filed on the
case as a message from the customer, with a photo checked by ``documents``."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from onestop.cases import services as case_services
from onestop.cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseNote,
    CaseType,
    NoteKind,
    Outcome,
    Status,
)
from onestop.contacts.models import Channel, Contact
from onestop.core import dates
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.customers import services as customer_services
from onestop.documents.models import Document
from onestop.feedback import services as feedback_services
from onestop.feedback.models import ComplaintStage, Feedback, FeedbackEvent, Kind
from onestop.feedback.models import Status as FeedbackStatus
from onestop.portal import services, throttle
from onestop.portal.models import WebForm
from tests.cases import factories as case_factories
from tests.cases.conftest import World
from tests.documents import files

TRACK = "/o/test-council/track/"
MONDAY = "2026-03-02 10:00+00:00"
NOT_FOUND = "We could not find a request with that reference and detail. Check both and try again"
# A real one-pixel PNG (Pillow re-encodes every photo, so it must decode).
PNG = files.png((1, 1))


def _report(web_form: WebForm, **changes: str) -> Case:
    values: dict[str, Any] = {
        "title": "Blue bin not emptied",
        "postcode": "HP20 1AA",
        "given_name": "Sam",
        "family_name": "Resident",
        "email": "Sam@Example.com",
        "phone": "07700 900123",
    }
    values.update(changes)
    return services.submit_report(
        web_form, report=services.Report(answers={"bin": "blue"}, **values)
    )


@pytest.fixture
def case(world: World, missed_bins_online: WebForm) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return _report(missed_bins_online)


def _track(client: Client, reference: str, detail: str) -> Any:
    return client.post(TRACK, {"reference": reference, "detail": detail})


def _html(response: Any) -> str:
    return str(response.content.decode())


# --- finding a request ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "detail",
    ["sam@example.com", "  SAM@EXAMPLE.COM ", "07700 900123", "+44 7700 900123", "hp201aa"],
)
def test_the_reference_and_any_detail_given_with_it_open_the_request(
    case: Case, client: Client, detail: str
) -> None:
    response = _track(client, f" {case.reference.lower()} ", detail)

    assert response.status_code == 302
    assert response["Location"] == f"{TRACK}{case.reference}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = _html(page)
    assert 'data-testid="status">Received</dd>' in html
    # Raised on Monday 2 March 2026: answer letters within 10 working days.
    assert 'data-testid="deadline">We will reply by 16 March 2026.</p>' in html
    assert "We received your request" in html
    assert "Missed bin" in html


def test_opening_a_request_is_audited_with_the_client_address(case: Case, client: Client) -> None:
    _track(client, case.reference, "sam@example.com")

    record = AuditRecord.objects.for_organisation(case.organisation_id).get(
        action=AuditAction.VIEWED, object_id=str(case.pk)
    )
    assert (record.actor_id, record.ip_address, record.summary) == (
        None,
        "127.0.0.1",
        f"{case.reference} tracked on the residents' site",
    )


@pytest.mark.parametrize(
    ("reference", "detail"),
    [
        ("right", "someone.else@example.com"),  # a wrong second detail
        ("right", "07700 900999"),
        ("right", "HP20 1AB"),
        ("right", "not a detail at all"),
        ("SR-26-ZZZZ*", "sam@example.com"),  # a reference nobody has
        ("other", "sam@example.com"),  # the other organisation's reference
    ],
)
def test_anything_wrong_gets_the_same_not_found_and_opens_nothing(
    case: Case,
    client: Client,
    partner: Organisation,
    reference: str,
    detail: str,
) -> None:
    if reference == "right":
        reference = case.reference
    elif reference == "other":
        case_factories.standards(partner)
        reference = _partner_case(partner).reference
    response = _track(client, reference, detail)

    assert response.status_code == 400
    html = _html(response)
    assert NOT_FOUND in html
    assert 'class="govuk-error-summary"' in html
    assert client.get(f"{TRACK}{case.reference}/").status_code == 404
    assert not AuditRecord.objects.for_organisation(case.organisation_id).filter(
        action=AuditAction.VIEWED
    )


# The fixture's case is the council's first service request of 2026: SR-26-00011.
@pytest.mark.parametrize(
    "typed",
    [
        "SR 26 00011",  # spaces for dashes
        "sr2600011",  # no dashes, lower case
        "SR-26-O0O11",  # the letter O for zero
        "sr-26-00oil",  # I and L for one
        "  Sr-26 00011 ",
    ],
)
def test_a_reference_written_the_way_people_write_it_finds_the_request(
    case: Case, client: Client, typed: str
) -> None:
    assert case.reference == "SR-26-00011"

    response = _track(client, typed, "sam@example.com")

    assert response.status_code == 302
    assert response["Location"] == f"{TRACK}SR-26-00011/"
    assert client.get(response["Location"]).status_code == 200


MISTYPED = (
    "Check your reference: a character is mistyped or missing. It ends with a letter, "
    "a number or one of * ~ $ ="
)


@pytest.mark.parametrize(
    "typed",
    [
        "SR-26-00012",  # a mistyped character: the check character does not match
        "SR-26-0001",  # the check character left off
        "sr 26 000111",  # a character too many
        "FB-26-0001",
    ],
)
def test_a_mistyped_reference_is_said_so_on_the_field_without_looking_it_up(
    case: Case, client: Client, typed: str
) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = _track(client, typed, "sam@example.com")

    assert response.status_code == 400
    html = _html(response)
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["id_reference"]
    assert html.count(MISTYPED) == 2  # in the summary and on the field
    assert NOT_FOUND not in html
    tables = (Case._meta.db_table, Feedback._meta.db_table)
    assert [query for query in queries if any(table in query["sql"] for table in tables)] == []
    # Nothing was looked up, so none of the allowance was used.
    assert not throttle.is_limited("127.0.0.1", throttle.TRACK)


def test_a_loosely_typed_reference_needs_the_right_detail_and_gets_the_same_not_found(
    case: Case, client: Client
) -> None:
    tries = [
        ("sr 26 OOO11", "someone.else@example.com"),  # the request's, typed loosely; wrong detail
        ("SR 26 ZZZZ*", "sam@example.com"),  # a reference nobody has, typed loosely
        ("SR-26-00011", "07700 900999"),  # the request's as printed; wrong detail
    ]

    responses = [_track(client, reference, detail) for reference, detail in tries]

    assert [response.status_code for response in responses] == [400, 400, 400]
    summaries = {
        _html(response).split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
        for response in responses
    }
    assert len(summaries) == 1
    assert NOT_FOUND in summaries.pop()
    assert not any(MISTYPED in _html(response) for response in responses)
    assert client.get(f"{TRACK}{case.reference}/").status_code == 404
    assert _track(client, "sr 26 OOO11", "sam@example.com").status_code == 302


def _partner_case(partner: Organisation) -> Case:
    """A case of the partner organisation, with the same customer details as the council's."""
    waste = case_factories.service(partner, "Estates")
    team = case_factories.team(waste, "Estate team")
    case_type = case_factories.case_type(
        partner, "repair", kind=CaseKind.SERVICE_REQUEST, service=waste, team=team
    )
    customer = case_factories.customer(partner)
    for number in range(3):  # past the council's references, so the partner's is its own
        case_services.raise_case(
            partner, by=None, case_type_code=case_type.code, title=f"Earlier {number}"
        )
    customer_services.add_email(customer, by=None, address="sam@example.com")
    return case_services.raise_case(
        partner,
        by=None,
        case_type_code=case_type.code,
        title="Repair",
        customer=customer,
        postcode="HP20 1AA",
    )


def test_the_other_organisations_reference_is_not_found_even_with_its_own_details(
    case: Case, client: Client, partner: Organisation
) -> None:
    case_factories.standards(partner)
    theirs = _partner_case(partner)

    response = _track(client, theirs.reference, "sam@example.com")

    assert response.status_code == 400
    assert NOT_FOUND in _html(response)


def test_the_requests_page_opens_only_in_the_browser_that_proved_the_reference(
    case: Case, client: Client
) -> None:
    assert _track(client, case.reference, "sam@example.com").status_code == 302
    stranger = Client()

    assert client.get(f"{TRACK}{case.reference}/").status_code == 200
    assert stranger.get(f"{TRACK}{case.reference}/").status_code == 404


def test_the_request_page_is_open_for_an_hour_at_most(case: Case, client: Client) -> None:
    with time_machine.travel(MONDAY, tick=False):
        _track(client, case.reference, "sam@example.com")
    # The browser's session ends after 30 idle minutes, so the resident comes back within them.
    for moment in ("2026-03-02 10:25+00:00", "2026-03-02 10:50+00:00"):
        with time_machine.travel(moment, tick=False):
            assert client.get(f"{TRACK}{case.reference}/").status_code == 200
    with time_machine.travel("2026-03-02 11:01+00:00", tick=False):
        assert client.get(f"{TRACK}{case.reference}/").status_code == 404


def test_a_councillors_enquiry_cannot_be_tracked_by_the_public(
    world: World, client: Client, councillor: User
) -> None:
    customer = case_factories.customer(world.organisation)
    customer_services.add_email(customer, by=None, address="sam@example.com")
    enquiry = case_services.raise_case(
        world.organisation,
        by=councillor,
        case_type_code=world.councillor_enquiry.code,
        title="Pothole",
        customer=customer,
        councillor=councillor,
    )

    response = _track(client, enquiry.reference, "sam@example.com")

    assert response.status_code == 400


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["id_reference", "id_detail"]),
        ({"reference": "", "detail": "   "}, ["id_reference", "id_detail"]),
        ({"reference": "S" * 10_000, "detail": "sam@example.com"}, ["id_reference"]),
        ({"reference": "SR-26-AAAA~", "detail": "x" * 100_000}, ["id_detail"]),
        ({"reference": "SR\x00-26", "detail": "sam@example.com"}, ["id_reference"]),
        ({"reference": "SR-26-AAAA~", "detail": "sam\u202e@example.com"}, ["id_detail"]),
    ],
)
def test_malformed_hostile_and_oversized_input_gets_the_error_summary_and_keeps_what_was_typed(
    case: Case, client: Client, data: dict[str, str], fields: list[str]
) -> None:
    response = client.post(TRACK, data)

    assert response.status_code == 400
    html = _html(response)
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">', summary) == fields
    if data.get("reference") and len(data["reference"]) < 100 and "\x00" not in data["reference"]:
        assert f'value="{data["reference"]}"' in html
    # Nothing was looked up, so none of the allowance was used.
    assert not throttle.is_limited("127.0.0.1", throttle.TRACK)
    assert throttle.limit(throttle.TRACK) == 20


def test_a_body_that_is_not_utf8_is_refused_like_an_empty_form(case: Case, client: Client) -> None:
    response = client.generic(
        "POST",
        TRACK,
        b"reference=\xff\xfe&detail=\xff",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "Enter your reference" in _html(response)


@override_settings(ONESTOP_PORTAL_TRACK_PER_HOUR=2)
def test_lookups_are_limited_per_client_address_whether_found_or_not(
    case: Case, client: Client
) -> None:
    assert _track(client, "SR-26-ZZZZ*", "sam@example.com").status_code == 400
    assert _track(client, case.reference, "sam@example.com").status_code == 302

    refused = _track(client, case.reference, "sam@example.com")

    assert refused.status_code == 429
    assert "You have tried too many times" in _html(refused)
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert _track(other_address, case.reference, "sam@example.com").status_code == 302


def test_an_unknown_organisation_is_404(client: Client, case: Case) -> None:
    assert client.get("/o/no-such-council/track/").status_code == 404
    assert _track(Client(), case.reference, "sam@example.com").status_code == 302
    assert client.post("/o/no-such-council/track/", {}).status_code == 404


# --- what the page shows -------------------------------------------------------------------------
def test_internal_notes_staff_names_and_reasons_are_never_shown(
    world: World, case: Case, client: Client
) -> None:
    officer = world.officer
    customer = case.customer
    assert customer is not None
    customer_services.update_customer(
        customer,
        by=None,
        version=customer.version,
        details=dataclasses.replace(
            customer_services.details_of(customer), consents_to_email_updates=True
        ),
    )
    customer.refresh_from_db()
    case_services.assign_case(
        case, by=officer, assignee=officer, team=world.crews, reason="Crew 7 SECRET reason"
    )
    case_services.add_note(case, by=officer, kind=NoteKind.INTERNAL, text="SECRET internal note")
    case_services.add_note(
        case, by=officer, kind=NoteKind.UPDATE_TO_CUSTOMER, text="The crew will call tomorrow."
    )
    case_services.change_status(case, by=officer, status=Status.IN_PROGRESS)
    _track(client, case.reference, "sam@example.com")

    html = _html(client.get(f"{TRACK}{case.reference}/"))

    assert "SECRET" not in html
    assert officer.display_name not in html
    assert officer.username not in html
    assert world.town_crews.name not in html
    timeline = html.split('data-testid="timeline">', 1)[1].split("</ol>", 1)[0]
    texts = re.findall(r"</strong>: ([^<]+)</p>", timeline)
    assert texts == [
        "We received your request",
        "Status: With the team that deals with it",
        "We sent you an update",
        "Status: Being dealt with",
    ]
    assert "The crew will call tomorrow." in timeline
    assert 'data-testid="status">Being dealt with</dd>' in html


def test_a_finished_request_shows_no_deadline_and_no_form(
    world: World, case: Case, client: Client
) -> None:
    case_services.close_case(
        case, by=world.officer, outcome=Outcome.RESOLVED, resolution="Collected"
    )
    _track(client, case.reference, "sam@example.com")

    response = client.get(f"{TRACK}{case.reference}/")
    html = _html(response)

    assert 'data-testid="status">Closed</dd>' in html
    assert 'data-testid="deadline"' not in html
    assert 'name="text"' not in html
    assert "This request is finished" in html
    refused = client.post(f"{TRACK}{case.reference}/", {"text": "Still not collected"})
    assert refused.status_code == 405
    assert not CaseNote.objects.for_organisation(case.organisation_id).filter(
        kind=NoteKind.FROM_CUSTOMER
    )


def test_feedback_with_a_reference_can_be_tracked(world: World, client: Client) -> None:
    customer = case_factories.customer(world.organisation)
    customer_services.add_email(customer, by=None, address="sam@example.com")
    feedback = feedback_services.record_feedback(
        world.organisation,
        by=None,
        customer=customer,
        values=feedback_services.FeedbackInput(
            kind=Kind.COMPLIMENT, what_happened="The crew were kind", channel=Channel.WEB_FORM
        ),
    )

    response = _track(client, feedback.reference, "sam@example.com")

    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert 'data-testid="status">Being dealt with</dd>' in html
    assert "We received it" in html
    assert 'name="text"' in html  # open feedback takes more information too
    assert 'name="photo"' not in html  # text only: feedback keeps no documents
    assert Feedback.objects.for_organisation(world.organisation).count() == 1


# --- adding information --------------------------------------------------------------------------
def _opened(client: Client, case: Case) -> str:
    _track(client, case.reference, "sam@example.com")
    return f"{TRACK}{case.reference}/"


def test_more_information_is_filed_on_the_case_as_a_message_from_the_customer(
    world: World, case: Case, client: Client
) -> None:
    case_services.change_status(case, by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
    page = _opened(client, case)
    contacts_before = Contact.objects.for_organisation(case.organisation_id).count()

    response = client.post(page, {"text": "  The bin is the blue one by the gate.  "})

    assert response.status_code == 302
    assert response["Location"] == page
    note = CaseNote.objects.for_organisation(case.organisation_id).get(kind=NoteKind.FROM_CUSTOMER)
    assert (note.text, note.written_by_id) == ("The bin is the blue one by the gate.", None)
    event = CaseEvent.objects.for_organisation(case.organisation_id).get(code="message-received")
    assert event.data == {"channel": Channel.WEB_FORM}
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS  # the resident answered: back to work
    contact = Contact.objects.for_organisation(case.organisation_id).order_by("-pk").first()
    assert contact is not None
    assert Contact.objects.for_organisation(case.organisation_id).count() == contacts_before + 1
    assert (contact.channel, contact.customer_id, contact.about_reference) == (
        Channel.WEB_FORM,
        case.customer_id,
        case.reference,
    )
    record = AuditRecord.objects.for_organisation(case.organisation_id).get(
        summary=f"More information added to {case.reference} on the residents' site"
    )
    assert (record.object_id, record.ip_address, record.actor_id) == (
        str(note.pk),
        "127.0.0.1",
        None,
    )
    html = _html(client.get(page))
    assert f"Thank you. We have added your information to {case.reference}" in html
    assert "You sent us more information online" in html
    assert "The bin is the blue one by the gate." in html


def test_a_photo_checked_by_content_is_attached(case: Case, client: Client) -> None:
    page = _opened(client, case)
    photo = SimpleUploadedFile("bin.png", PNG, content_type="image/png")

    response = client.post(page, {"text": "Photo of the bin", "photo": photo})

    assert response.status_code == 302
    document = Document.objects.for_organisation(case.organisation_id).get()
    assert (document.case_id, document.content_type, document.source) == (
        case.pk,
        "image/png",
        "web",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "id_text", "Enter the information you want to add"),
        ({"text": "x" * 5001}, "id_text", "5000"),
        ({"text": "bad \x00 text"}, "id_text", ""),
        (
            {
                "text": "A photo",
                "photo": SimpleUploadedFile("bin.png", b"<script>alert(1)</script>", "image/png"),
            },
            "id_photo",
            "",
        ),
    ],
)
def test_bad_information_changes_nothing_and_keeps_what_was_typed(
    case: Case, client: Client, data: dict[str, Any], field: str, message: str
) -> None:
    page = _opened(client, case)
    notes_before = CaseNote.objects.for_organisation(case.organisation_id).count()

    response = client.post(page, data)

    assert response.status_code == 400
    html = _html(response)
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">', summary) == [field]
    assert message in summary
    assert CaseNote.objects.for_organisation(case.organisation_id).count() == notes_before
    assert not Document.objects.for_organisation(case.organisation_id).exists()
    if data["text"] == "A photo":
        assert "A photo</textarea>" in html


def test_a_photo_that_is_not_a_picture_is_refused_naming_what_the_field_takes(
    case: Case, client: Client
) -> None:
    page = _opened(client, case)
    letter = SimpleUploadedFile("letter.pdf", files.pdf(), content_type="application/pdf")

    response = client.post(page, {"text": "A letter", "photo": letter})

    assert response.status_code == 400
    html = _html(response)
    assert "A JPG or PNG picture, smaller than" in html  # the hint
    assert re.findall(r'<a href="#id_photo">([^<]*)</a>', html) == [
        "The selected file must be a JPG or PNG picture"
    ]
    assert not Document.objects.for_organisation(case.organisation_id).exists()


def test_an_oversized_photo_is_refused(case: Case, client: Client) -> None:
    page = _opened(client, case)
    big = PNG + b"\x00" * (11 * 1024 * 1024)

    with override_settings(ONESTOP_DOCUMENT_MAX_BYTES=1024):
        response = client.post(
            page, {"text": "Big", "photo": SimpleUploadedFile("big.png", big, "image/png")}
        )

    assert response.status_code == 400
    assert not Document.objects.for_organisation(case.organisation_id).exists()
    assert not CaseNote.objects.for_organisation(case.organisation_id).filter(
        kind=NoteKind.FROM_CUSTOMER
    )


def test_information_cannot_be_added_without_proving_the_reference(
    case: Case, client: Client
) -> None:
    response = client.post(f"{TRACK}{case.reference}/", {"text": "Let me in"})

    assert response.status_code == 404
    assert not CaseNote.objects.for_organisation(case.organisation_id).filter(
        kind=NoteKind.FROM_CUSTOMER
    )


@override_settings(ONESTOP_PORTAL_ADD_INFORMATION_PER_HOUR=1)
def test_adding_information_is_limited_per_client_address(case: Case, client: Client) -> None:
    page = _opened(client, case)
    assert client.post(page, {"text": "First"}).status_code == 302

    refused = client.post(page, {"text": "Second"})

    assert refused.status_code == 429
    assert (
        CaseNote.objects.for_organisation(case.organisation_id)
        .filter(kind=NoteKind.FROM_CUSTOMER)
        .count()
        == 1
    )


# --- adding information to feedback --------------------------------------------------------------
@pytest.fixture
def complaint(world: World) -> Feedback:
    customer = case_factories.customer(world.organisation)
    customer_services.add_email(customer, by=None, address="sam@example.com")
    with time_machine.travel(MONDAY, tick=False):
        return feedback_services.record_feedback(
            world.organisation,
            by=None,
            customer=customer,
            values=feedback_services.FeedbackInput(
                kind=Kind.COMPLAINT,
                what_happened="The crew left my bin in the road",
                channel=Channel.WEB_FORM,
            ),
        )


def _opened_feedback(client: Client, feedback: Feedback) -> str:
    assert _track(client, feedback.reference, "sam@example.com").status_code == 302
    return f"{TRACK}{feedback.reference}/"


def _information_events(feedback: Feedback) -> list[FeedbackEvent]:
    return list(
        FeedbackEvent.objects.for_organisation(feedback.organisation_id).filter(
            feedback=feedback, code="information-added"
        )
    )


def test_a_tracked_complaint_says_when_its_open_stage_will_be_answered(
    world: World, complaint: Feedback, client: Client
) -> None:
    stage = ComplaintStage.objects.for_organisation(world.organisation).get(
        feedback=complaint, stage=complaint.current_stage, responded_at__isnull=True
    )
    due = dates.govuk_date(stage.due_at)

    html = _html(client.get(_opened_feedback(client, complaint)))

    assert due
    assert f'data-testid="deadline">We will reply by {due}.</p>' in html
    assert "We received it" in html


def test_more_information_is_added_to_feedback_as_a_message_from_the_customer(
    world: World, complaint: Feedback, client: Client
) -> None:
    page = _opened_feedback(client, complaint)
    contacts_before = Contact.objects.for_organisation(world.organisation).count()

    response = client.post(page, {"text": "  It happened again on Tuesday.  "})

    assert response.status_code == 302
    assert response["Location"] == page
    [event] = _information_events(complaint)
    assert event.by_id is None
    contact = Contact.objects.for_organisation(world.organisation).order_by("-pk").first()
    assert contact is not None
    assert event.data == {
        "text": "It happened again on Tuesday.",
        "from_customer": True,
        "channel": Channel.WEB_FORM,
        "contact": contact.pk,
    }
    assert Contact.objects.for_organisation(world.organisation).count() == contacts_before + 1
    assert (contact.channel, contact.customer_id, contact.about_reference) == (
        Channel.WEB_FORM,
        complaint.customer_id,
        complaint.reference,
    )
    record = AuditRecord.objects.for_organisation(world.organisation).get(
        summary=f"More information added to {complaint.reference} on the residents' site"
    )
    assert (record.object_id, record.ip_address, record.actor_id, record.action) == (
        str(complaint.pk),
        "127.0.0.1",
        None,
        AuditAction.CHANGED,
    )
    html = _html(client.get(page))
    assert f"Thank you. We have added your information to {complaint.reference}" in html
    assert "You sent us more information online" in html
    # The resident's page lists the event; the words stay on the staff record only.
    assert "It happened again on Tuesday." not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Enter the information you want to add"),
        ({"text": "   "}, "Enter the information you want to add"),
        ({"text": "x" * 5001}, "5000"),
        ({"text": "bad \x00 text"}, ""),
        ({"text": "bad \x1b[31m text"}, ""),
    ],
)
def test_bad_information_on_feedback_changes_nothing_and_keeps_what_was_typed(
    complaint: Feedback, client: Client, data: dict[str, Any], message: str
) -> None:
    page = _opened_feedback(client, complaint)

    response = client.post(page, data)

    assert response.status_code == 400
    html = _html(response)
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["id_text"]
    assert message in summary
    assert _information_events(complaint) == []


def test_hostile_markup_is_kept_as_text_and_never_rendered(
    world: World, complaint: Feedback, client: Client
) -> None:
    page = _opened_feedback(client, complaint)

    response = client.post(page, {"text": "<script>alert(1)</script>"})

    assert response.status_code == 302
    [event] = _information_events(complaint)
    assert event.data["text"] == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in _html(client.get(page))


def test_closed_feedback_takes_no_more_information(
    world: World, complaint: Feedback, client: Client
) -> None:
    page = _opened_feedback(client, complaint)
    Feedback.objects.for_organisation(world.organisation).filter(pk=complaint.pk).update(
        status=FeedbackStatus.CLOSED
    )

    shown = _html(client.get(page))
    posted = client.post(page, {"text": "One more thing"})

    assert 'name="text"' not in shown
    assert posted.status_code == 405
    assert _information_events(complaint) == []
    complaint.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        feedback_services.add_public_information(complaint, text="One more thing")
    assert refused.value.code == "closed"
    assert _information_events(complaint) == []


def test_information_cannot_be_added_to_feedback_without_proving_the_reference(
    complaint: Feedback, client: Client
) -> None:
    response = client.post(f"{TRACK}{complaint.reference}/", {"text": "Let me in"})

    assert response.status_code == 404
    assert _information_events(complaint) == []


@override_settings(ONESTOP_PORTAL_ADD_INFORMATION_PER_HOUR=1)
def test_adding_information_to_feedback_is_limited_per_client_address(
    complaint: Feedback, client: Client
) -> None:
    page = _opened_feedback(client, complaint)
    assert client.post(page, {"text": "First"}).status_code == 302

    refused = client.post(page, {"text": "Second"})

    assert refused.status_code == 429
    assert len(_information_events(complaint)) == 1


def test_anonymous_feedback_takes_information_without_a_customer(world: World) -> None:
    feedback = feedback_services.record_feedback(
        world.organisation,
        by=None,
        customer=None,
        values=feedback_services.FeedbackInput(
            kind=Kind.COMMENT, what_happened="More benches, please", channel=Channel.WEB_FORM
        ),
    )

    event = feedback_services.add_public_information(
        feedback, text="By the pond", ip_address="192.0.2.7"
    )

    assert event.data["text"] == "By the pond"
    contact = Contact.objects.for_organisation(world.organisation).get(pk=event.data["contact"])
    assert (contact.customer_id, contact.about_reference) == (None, feedback.reference)


def test_the_request_is_named_by_its_case_type_in_the_pages_language(
    case: Case, missed_bins_online: WebForm, world: World
) -> None:
    from django.utils import translation

    from onestop.portal import queries_track

    CaseType.objects.unscoped("test: the Welsh name").filter(
        pk=missed_bins_online.case_type_id
    ).update(name_cy="Bin heb ei gasglu")
    case = Case.objects.unscoped("test").select_related("case_type").get(pk=case.pk)
    assert queries_track.view_of(case).what == case.case_type.name
    with translation.override("cy"):
        assert queries_track.view_of(case).what == "Bin heb ei gasglu"
    # A case type with no Welsh name keeps its English one, in either language.
    other = world.foi
    with translation.override("cy"):
        names = queries_track.case_type_names(world.organisation.pk, [case.case_type, other])
    assert names == {case.case_type_id: "Bin heb ei gasglu", other.pk: other.name}
