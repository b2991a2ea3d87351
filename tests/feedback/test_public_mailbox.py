"""The feedback mailbox (issue 15): a mailbox marked as the organisation's feedback mailbox files
its mail into feedback records through the real receive path (``receive_message`` and
``onestop mail-receive``): the kind from the subject, or unclassified for an officer to
classify; the customer matched as for cases; the e-mail kept as the contact; a reply quoting
the reference added to the same feedback.  Malformed and hostile mail is kept and refused or
filed harmlessly; one feedback mailbox per organisation."""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Callable

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from onestop.cases.models import Case
from onestop.channels import services as channel_services
from onestop.channels.models import InboundMessage, Mailbox, MessageOutcome
from onestop.contacts.models import Channel, Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.feedback import queries
from onestop.feedback.models import ComplaintStage, Feedback, FeedbackEvent, Kind
from onestop.feedback.services import mailbox as mailbox_services
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.channels.conftest import message
from tests.customers import factories as customer_factories
from tests.matrix import covers

TO = "feedback@test-council.example"
ClientFor = Callable[[User], Client]


@pytest.fixture
def feedback_mailbox(council: Organisation) -> Mailbox:
    directory_services.verify_mail_domain(council, by=None, domain="test-council.example")
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    enquiry = case_factories.case_type(
        council, "general-enquiry", kind="general-enquiry", service=waste, team=crews,
        standards=("answer-letters",),
    )  # fmt: skip
    return channel_services.save_mailbox(
        council,
        by=None,
        values=channel_services.MailboxInput(
            address="Feedback@Test-Council.example",
            name="Feedback",
            case_type=enquiry,
            files_feedback=True,
        ),
    )


def _receive(raw: bytes, **kwargs: object) -> InboundMessage:
    return channel_services.receive_message(raw, recipient=TO, **kwargs)  # type: ignore[arg-type]


def _only_feedback(organisation: Organisation) -> Feedback:
    found: Feedback = Feedback.objects.for_organisation(organisation).get()
    return found


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Complaint about my bin collection", Kind.COMPLAINT),
        ("I want to COMPLAIN", Kind.COMPLAINT),
        ("Cwyn am y casgliad", Kind.COMPLAINT),
        ("Thank you to the crew", Kind.COMPLIMENT),
        ("A compliment", Kind.COMPLIMENT),
        ("Suggestion: later collections", Kind.SUGGESTION),
        ("Comment on the new bins", Kind.COMMENT),
        ("Bins", Kind.UNCLASSIFIED),
        ("Uncomplaining", Kind.UNCLASSIFIED),  # whole words only
        ("", Kind.UNCLASSIFIED),
    ],
)
def test_new_mail_files_feedback_of_the_kind_its_subject_names(
    council: Organisation, feedback_mailbox: Mailbox, subject: str, kind: str
) -> None:
    kept = _receive(message("The crew left the bin in the road.", subject=subject))
    feedback = _only_feedback(council)
    assert (kept.outcome, kept.feedback_id, kept.case_id) == (
        MessageOutcome.FEEDBACK,
        feedback.pk,
        None,
    )
    assert (feedback.kind, feedback.channel) == (kind, Channel.EMAIL)
    assert feedback.what_happened == "The crew left the bin in the road."
    assert not Case.objects.for_organisation(council).exists()
    # A complaint starts the procedure; anything else waits (unclassified: for an officer).
    assert ComplaintStage.objects.for_organisation(council).count() == (
        1 if kind == Kind.COMPLAINT else 0
    )


def test_the_sender_is_matched_and_the_email_kept_as_the_contact(
    council: Organisation, feedback_mailbox: Mailbox
) -> None:
    known = customer_factories.customer(council, "Sam", "Resident", email="sam@example.org")
    at = datetime.datetime(2026, 5, 11, 9, 30, tzinfo=datetime.UTC)
    kept = _receive(message(subject="Complaint"), received_at=at)
    feedback = _only_feedback(council)
    assert feedback.customer_id == known.pk
    assert feedback.received_at == at
    contact = Contact.objects.for_organisation(council).get(pk=feedback.contact_id)
    assert (contact.channel, contact.customer_id, kept.contact_id) == (
        Channel.EMAIL,
        known.pk,
        contact.pk,
    )
    audit = AuditRecord.objects.get(
        organisation=council, object_type="channels.inboundmessage", action="created"
    )
    assert audit.changes["feedback"] == feedback.reference
    # A sender nobody has: a new customer, as cases do.
    _receive(message(subject="Comment", sender="Lee New <lee@example.org>", message_id="<2@x>"))
    newest = Feedback.objects.for_organisation(council).order_by("-pk").first()
    assert newest is not None
    newcomer = Customer.objects.for_organisation(council).get(pk=newest.customer_id)
    assert (newcomer.given_name, newcomer.family_name) == ("Lee", "New")


def test_a_reply_quoting_the_reference_is_added_to_the_same_feedback(
    council: Organisation, feedback_mailbox: Mailbox, client_for: ClientFor
) -> None:
    customer_factories.customer(council, "Sam", "Resident", email="sam@example.org")
    _receive(message("First", subject="Complaint about the crew"))
    feedback = _only_feedback(council)
    reply = _receive(
        message("More details: it was Tuesday.", subject=f"Re: {feedback.reference} Complaint",
                message_id="<reply@example.org>")
    )  # fmt: skip
    assert Feedback.objects.for_organisation(council).count() == 1
    assert (reply.outcome, reply.feedback_id, reply.reason) == (
        MessageOutcome.FEEDBACK_THREADED,
        feedback.pk,
        "",
    )
    event = FeedbackEvent.objects.for_organisation(council).get(code="email-received")
    assert event.data["text"] == "More details: it was Tuesday."
    assert event.data["from_customer"] is True
    contact = Contact.objects.for_organisation(council).get(pk=reply.contact_id)
    assert contact.about_reference == feedback.reference
    # Someone else quoting the (guessable) reference is added, marked, and not the customer's.
    forged = _receive(
        message("I am not Sam", subject=f"{feedback.reference}", sender="x@evil.example",
                message_id="<forged@x>")
    )  # fmt: skip
    assert (forged.outcome, forged.reason) == (
        MessageOutcome.FEEDBACK_THREADED,
        "Not from the customer's address",
    )
    forged_contact = Contact.objects.for_organisation(council).get(pk=forged.contact_id)
    assert forged_contact.customer_id is None
    officer = core_factories.staff(council, RoleCode.COMPLAINTS_OFFICER, username="co")
    record = client_for(officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert record.count('data-testid="feedback-email"') == 2
    assert "More details: it was Tuesday." in record
    assert "From x@evil.example (not the customer's address)" in record


def test_another_organisations_reference_is_just_text(
    council: Organisation, partner: Organisation, feedback_mailbox: Mailbox
) -> None:
    from onestop.feedback import services as feedback_services

    elsewhere = feedback_services.record_feedback(
        partner,
        by=None,
        customer=None,
        values=feedback_services.FeedbackInput(kind=Kind.COMMENT, what_happened="Theirs"),
    )
    kept = _receive(message("Hello", subject=f"Re: {elsewhere.reference}"))
    assert kept.outcome == MessageOutcome.FEEDBACK
    assert kept.feedback_id != elsewhere.pk
    assert Feedback.objects.for_organisation(partner).count() == 1
    assert not FeedbackEvent.objects.for_organisation(partner).filter(code="email-received")


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        (b"", MessageOutcome.REFUSED),
        (b"\r\n\r\n", MessageOutcome.REFUSED),
        (b"Subject: " + b"A" * 200_000 + b"\r\n\r\nbody", MessageOutcome.REFUSED),
        (message("Out of office", headers=("Auto-Submitted: auto-replied",)),
         MessageOutcome.IGNORED_AUTO_REPLY),
    ],
)  # fmt: skip
def test_malformed_and_automatic_mail_files_nothing(
    council: Organisation, feedback_mailbox: Mailbox, raw: bytes, outcome: str
) -> None:
    kept = _receive(raw)
    assert (kept.outcome, kept.feedback_id) == (outcome, None)
    assert not Feedback.objects.for_organisation(council).exists()


def test_hostile_mail_is_filed_as_plain_text(
    council: Organisation, feedback_mailbox: Mailbox
) -> None:
    body = "<script>alert(1)</script>\u202e evil \x00\x07 text " + "x" * 30_000
    kept = _receive(
        message(body, subject="Complaint =?utf-8?b?PHNjcmlwdD4=?= \u202e",
                sender="\"Robert'); DROP TABLE--\" <bobby@example.org>")
    )  # fmt: skip
    feedback = _only_feedback(council)
    assert kept.outcome == MessageOutcome.FEEDBACK
    assert feedback.kind == Kind.COMPLAINT
    assert len(feedback.what_happened) <= 10_000
    assert "\x00" not in feedback.what_happened
    assert "\u202e" not in feedback.what_happened


def test_a_loop_from_our_own_mailbox_files_nothing(
    council: Organisation, feedback_mailbox: Mailbox
) -> None:
    kept = _receive(message(sender="Feedback <feedback@test-council.example>"))
    assert kept.outcome == MessageOutcome.IGNORED_AUTO_REPLY
    assert not Feedback.objects.for_organisation(council).exists()


def test_the_command_files_mail_and_prints_the_feedback_reference(
    council: Organisation, feedback_mailbox: Mailbox
) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(message(subject="A compliment")))
    try:
        with pytest.raises(SystemExit) as exited:
            call_command("mail-receive", "--recipient", TO, stdout=stdout, stderr=stderr)
    finally:
        sys.stdin = saved
    assert exited.value.code == channel_services.EX_OK
    feedback = _only_feedback(council)
    assert stdout.getvalue().strip() == f"feedback: {feedback.reference}"
    assert feedback.kind == Kind.COMPLIMENT


def test_one_feedback_mailbox_per_organisation(
    council: Organisation, feedback_mailbox: Mailbox
) -> None:
    values = channel_services.MailboxInput(
        address="comments@test-council.example",
        name="Comments",
        case_type=feedback_mailbox.case_type,
        files_feedback=True,
    )
    with pytest.raises(ServiceError, match="already your feedback mailbox") as refused:
        channel_services.save_mailbox(council, by=None, values=values)
    assert refused.value.field == "files_feedback"
    assert Mailbox.objects.for_organisation(council).count() == 1
    # Saving the feedback mailbox itself again is fine.
    channel_services.save_mailbox(
        council,
        by=None,
        mailbox=feedback_mailbox,
        values=channel_services.MailboxInput(
            address=feedback_mailbox.address,
            name="Feedback and complaints",
            case_type=feedback_mailbox.case_type,
            files_feedback=True,
        ),
    )
    feedback_mailbox.refresh_from_db()
    assert (feedback_mailbox.name, feedback_mailbox.files_feedback) == (
        "Feedback and complaints",
        True,
    )


def test_the_mailbox_page_marks_the_feedback_mailbox(
    council: Organisation, feedback_mailbox: Mailbox, client_for: ClientFor
) -> None:
    admin = core_factories.staff(council, RoleCode.ADMINISTRATOR, username="mail.admin")
    client = client_for(admin)
    listed = client.get("/mailboxes/").content.decode()
    assert "Feedback (comments, compliments and complaints)" in listed
    page = client.get(f"/mailboxes/{feedback_mailbox.pk}/").content.decode()
    assert 'name="files_feedback"' in page
    assert "checked" in page.split('name="files_feedback"')[1][:80]


@covers("feedback:classify")
def test_classifying_unclassified_feedback(
    council: Organisation, feedback_mailbox: Mailbox, client_for: ClientFor, partner: Organisation
) -> None:
    with time_machine.travel("2026-05-11 09:00+01:00", tick=False):
        _receive(message("The crew were rude.", subject="Bins"))
    feedback = _only_feedback(council)
    assert feedback.kind == Kind.UNCLASSIFIED
    officer = core_factories.staff(council, RoleCode.COMPLAINTS_OFFICER, username="co")
    advisor = core_factories.staff(council, RoleCode.ADVISOR, username="advisor")
    auditor = core_factories.staff(council, RoleCode.AUDITOR, username="auditor")
    elsewhere = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="p.co")
    url = f"/feedback/{feedback.reference}/classify/"
    assert Client().post(url, {"classify-kind": "complaint"}).status_code == 302  # sign in
    assert client_for(advisor).post(url, {"classify-kind": "complaint"}).status_code == 403
    assert client_for(auditor).post(url, {"classify-kind": "complaint"}).status_code == 403
    assert client_for(elsewhere).post(url, {"classify-kind": "complaint"}).status_code == 404
    record = client_for(officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert f'href="{url}"' in record
    assert "The crew were rude." in record
    for bad in ("", "unclassified", "<script>", "complaint\u202e", "x" * 5000):
        refused = client_for(officer).post(url, {"classify-kind": bad})
        assert refused.status_code == 400
        assert "Select what kind of feedback it is" in refused.content.decode()
    feedback.refresh_from_db()
    assert feedback.kind == Kind.UNCLASSIFIED
    assert not ComplaintStage.objects.for_organisation(council).exists()
    with time_machine.travel("2026-05-13 10:00+01:00", tick=False):
        done = client_for(officer).post(url, {"classify-kind": "complaint"})
    assert done.status_code == 302
    feedback.refresh_from_db()
    assert feedback.kind == Kind.COMPLAINT
    stage = queries.current_stage(feedback)
    assert stage is not None
    # Counted from when the e-mail came (Monday 11 May), not from the classification.
    assert stage.opened_at == feedback.received_at
    assert stage.ack_due_at is not None
    assert stage.ack_due_at.date() == datetime.date(2026, 5, 18)
    again = client_for(officer).post(url, {"classify-kind": "comment"})
    assert again.status_code == 400
    assert "classified already" in again.content.decode()
    with pytest.raises(ServiceError, match="classified already"):
        mailbox_services.classify(feedback, by=officer, kind=Kind.COMMENT)


def test_unclassified_feedback_is_neither_acknowledged_nor_passed_on(
    council: Organisation, feedback_mailbox: Mailbox, client_for: ClientFor
) -> None:
    from onestop.feedback import services as feedback_services

    customer_factories.customer(council, "Sam", "Resident", email="sam@example.org")
    _receive(message("Something happened", subject="Bins"))
    feedback = _only_feedback(council)
    officer = core_factories.staff(council, RoleCode.COMPLAINTS_OFFICER, username="co")
    for step in (feedback_services.acknowledge, feedback_services.pass_on):
        with pytest.raises(ServiceError, match="Classify this feedback first"):
            step(feedback, by=officer)
    for path in ("acknowledge", "pass-on"):
        refused = client_for(officer).post(f"/feedback/{feedback.reference}/{path}/")
        assert refused.status_code == 400
        assert "Classify this feedback first" in refused.content.decode()
    feedback.refresh_from_db()
    assert (feedback.acknowledged_at, feedback.passed_on_at, feedback.status) == (
        None,
        None,
        "open",
    )
