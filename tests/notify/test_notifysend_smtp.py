"""The SMTP sender against a real SMTP server on loopback (aiosmtpd): the headers (From the
organisation's own domain, a signed deterministic Message-ID, Reply-To from the function given),
the body, SMTP's refusals, the resend after a crash, and a bounce matched to its message."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from onestop.channels import services as channel_services
from onestop.core.models import AuditRecord, Organisation
from onestop.directory import services as directory_services
from onestop.notify.models import Channel, Message, MessageChange, MessageStatus
from onestop.notify.senders import smtp
from onestop.notify.services import reply_address, sending
from tests.cases import factories as case_factories
from tests.channels.conftest import MailWorld, mail_world, world
from tests.notify import notifysend_helpers as helpers

pytestmark = pytest.mark.django_db
__all__ = ["mail_world", "world"]  # the channels world's fixtures, used here

HOST = "127.0.0.1"


@dataclass
class Handler:
    """Keeps what it accepts; answers ``reply`` instead of 250 while one is set."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    reply: str = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def mail(smtp_server: tuple[Handler, int], settings: Any) -> Handler:
    handler, port = smtp_server
    handler.received.clear()
    handler.envelopes.clear()
    handler.reply = ""
    settings.ONESTOP_MESSAGE_SENDER = "smtp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = port
    settings.ONESTOP_MESSAGE_RETRY_SECONDS = 60
    return handler


@pytest.fixture
def verified(council: Organisation) -> Organisation:
    directory_services.verify_mail_domain(council, by=None, domain="test-council.example")
    return council


def _fresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


def test_an_email_leaves_from_the_organisation_with_a_signed_message_id(
    mail: Handler, verified: Organisation
) -> None:
    message = helpers.message(verified, body="Dear Sam,\n\nWe have your request. Gwych!")
    sending.process_due()
    [received] = mail.received
    assert received["From"] == "Test District Council <notifications@test-council.example>"
    assert received["To"] == "sam@example.org"
    assert received["Subject"] == "We have your request"
    assert received.get_content().replace("\r\n", "\n").strip() == (
        "Dear Sam,\n\nWe have your request. Gwych!"
    )
    expected_id = smtp.message_id(message.pk, "test-council.example")
    assert received["Message-ID"] == expected_id
    assert expected_id.startswith(f"<onestop-{message.pk}.")
    assert received["X-OneStop-Reference"] == message.reference
    assert received["Reply-To"] is None
    message = _fresh(message)
    assert (message.status, message.provider, message.provider_id) == (
        MessageStatus.SENT,
        "smtp",
        expected_id,
    )
    assert mail.envelopes == [("notifications@test-council.example", ["sam@example.org"])]


def test_the_reply_to_comes_from_the_function_given(mail: Handler, verified: Organisation) -> None:
    message = helpers.message(verified)
    sender = smtp.SmtpSender(reply_to=lambda m: f"enquiries+{m.reference}.sig@test-council.example")
    sending.process_due(sender=sender)
    [received] = mail.received
    assert received["Reply-To"] == f"enquiries+{message.reference}.sig@test-council.example"


def test_without_a_verified_domain_the_operator_address_is_used(
    mail: Handler, council: Organisation, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "onestop@operator.example"
    helpers.message(council)
    sending.process_due()
    [received] = mail.received
    assert received["From"] == "Test District Council <onestop@operator.example>"
    assert received["Message-ID"].endswith("@operator.example>")


def test_a_resend_after_a_crash_carries_the_same_message_id(
    mail: Handler, verified: Organisation
) -> None:
    message = helpers.message(verified)
    [claimed] = sending.claim(1)
    smtp.SmtpSender().send(claimed)  # sent, then the worker died before recording it
    Message.objects.for_organisation(verified).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    sending.process_due()
    first, second = mail.received
    assert first["Message-ID"] == second["Message-ID"]
    assert _fresh(message).status == MessageStatus.SENT


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("550 5.1.1 No such user", MessageStatus.PERMANENT_FAILURE),
        ("554 5.7.1 Rejected", MessageStatus.PERMANENT_FAILURE),
        ("451 4.3.0 Try again later", MessageStatus.TEMPORARY_FAILURE),
    ],
)
def test_smtp_refusals(mail: Handler, verified: Organisation, reply: str, status: str) -> None:
    mail.reply = reply
    message = helpers.message(verified)
    sending.process_due()
    message = _fresh(message)
    assert message.status == status
    assert reply.split(" ", 1)[1] in message.last_error
    assert mail.received == []


def test_no_server_is_a_temporary_failure(
    mail: Handler, verified: Organisation, settings: Any
) -> None:
    settings.EMAIL_PORT = _free_port()
    message = helpers.message(verified)
    sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.TEMPORARY_FAILURE
    assert "ConnectionRefusedError" in message.last_error


def test_text_messages_cannot_go_by_email_and_letters_are_kept(
    mail: Handler, verified: Organisation
) -> None:
    text = helpers.message(verified, channel=Channel.SMS, address="+447700900123")
    letter = helpers.message(verified, channel=Channel.LETTER, address="1 High Street\nTT1 1AA")
    sending.process_due()
    assert _fresh(text).status == MessageStatus.PERMANENT_FAILURE
    assert "e-mail only" in _fresh(text).last_error
    assert (_fresh(letter).status, _fresh(letter).provider) == (MessageStatus.SENT, "local")
    assert mail.received == []


def _report(original_message_id: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery-status report (RFC 3464) from the recipient's MTA."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: notifications@test-council.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.org>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; sam@example.org\r\nAction: {action}\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: notifications@test-council.example\r\nMessage-ID: {original_message_id}\r\n"
        "Subject: We have your request\r\n"
        "--b--\r\n"
    ).encode()


def test_a_bounce_received_by_channels_marks_its_message_not_delivered(
    mail: Handler, mail_world: MailWorld
) -> None:
    organisation = mail_world.world.organisation
    message = helpers.message(organisation)
    delayed = helpers.message(organisation, address="slow@example.org")
    replied = helpers.message(organisation, address="away@example.org")
    sending.process_due()
    identifier = _fresh(message).provider_id
    inbound = channel_services.receive_message(
        _report(identifier), recipient="enquiries@test-council.example", envelope_sender=""
    )
    assert f"not delivered: {message.reference}" in inbound.reason
    message = _fresh(message)
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert message.last_error.startswith("Bounced (5.1.1) smtp; 550 5.1.1 User unknown")
    # In the message's history and the audit trail, as the bounce's doing.
    bounced = MessageChange.objects.for_organisation(organisation).filter(message=message).last()
    assert bounced is not None
    assert (bounced.source, bounced.from_status, bounced.to_status) == (
        "bounce",
        "sent",
        "permanent-failure",
    )
    assert bounced.detail == "Bounced (5.1.1) smtp; 550 5.1.1 User unknown"
    record = (
        AuditRecord.objects.for_organisation(organisation)
        .filter(object_type="notify.message", object_id=str(message.pk))
        .last()
    )
    assert record is not None
    assert record.summary == f"Bounced e-mail: Message {message.pk}: sent to permanent-failure"
    # A delay notice, and an out-of-office reply quoting our Message-ID, are no bounces.
    channel_services.receive_message(
        _report(_fresh(delayed).provider_id, action="delayed", status="4.4.7"),
        recipient="enquiries@test-council.example",
        envelope_sender="",
    )
    out_of_office = (
        "From: away@example.org\r\nTo: enquiries@test-council.example\r\n"
        "Subject: Out of office\r\nAuto-Submitted: auto-replied\r\n"
        f"In-Reply-To: {_fresh(replied).provider_id}\r\nMessage-ID: <ooo@example.org>\r\n\r\n"
        "I am away.\r\n"
    ).encode()
    channel_services.receive_message(
        out_of_office, recipient="enquiries@test-council.example", envelope_sender=""
    )
    assert _fresh(delayed).status == MessageStatus.SENT
    assert _fresh(replied).status == MessageStatus.SENT


def test_a_forged_or_foreign_message_id_in_a_bounce_marks_nothing(
    mail: Handler, mail_world: MailWorld, partner: Organisation
) -> None:
    organisation = mail_world.world.organisation
    ours = helpers.message(organisation)
    theirs = helpers.message(partner)
    sending.process_due()
    forged = f"<onestop-{ours.pk}.{'0' * 20}@test-council.example>"
    for identifier in (forged, _fresh(theirs).provider_id):
        channel_services.receive_message(
            _report(identifier), recipient="enquiries@test-council.example", envelope_sender=""
        )
    assert _fresh(ours).status == MessageStatus.SENT
    assert _fresh(theirs).status == MessageStatus.SENT


def test_an_email_on_a_case_carries_the_case_s_signed_reply_address(
    mail: Handler, verified: Organisation
) -> None:
    """The worker's own sender wires the reply address: the customer's reply threads onto the
    case whatever becomes of the subject (channels verifies the signature)."""
    case_factories.standards(verified)
    waste = case_factories.service(verified, "Waste")
    case_factories.case_type(
        verified,
        "missed-bin",
        kind="service-request",
        service=waste,
        team=case_factories.team(waste, "Crews"),
    )
    case = case_factories.raise_case(verified, attributes={})
    Message.objects.for_organisation(verified.pk).filter(case=case).delete()
    helpers.message(verified, case=case)
    sending.process_due()
    [received] = mail.received
    reply_to = received["Reply-To"]
    assert reply_to.startswith(f"notifications+{case.reference.lower()}.")
    assert reply_to.endswith("@test-council.example")
    assert reply_address.verify(reply_to, organisation_id=verified.pk) == case.reference
    assert reply_address.verify(reply_to.replace("notifications+", "x+"), organisation_id=0) is None
