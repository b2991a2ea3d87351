"""The SMTP and LMTP server, in real sessions: aiosmtpd on a free port in this process, spoken
to with smtplib.  The server's worker thread writes to the database, so these tests commit
(``transaction=True``)."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator

import pytest
from django.test import override_settings

from onestop.cases.models import Case, Source
from onestop.channels import services, smtp
from onestop.channels.models import InboundMessage, MessageOutcome
from onestop.contacts.models import Channel, Contact
from onestop.core.models import AuditRecord, Organisation
from onestop.customers.models import Customer
from onestop.notify.models import Message
from tests.channels.conftest import (
    MailWorld,
    message,
    nested_comment_sender,
    nested_multiparts,
    nested_rfc822,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1"
TO = "enquiries@test-council.example"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _server(lmtp: bool) -> Iterator[int]:
    port = _free_port()
    server = smtp.controller(host=HOST, port=port, lmtp=lmtp)
    server.start()
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture
def smtp_port(mail_world: MailWorld) -> Iterator[int]:
    yield from _server(lmtp=False)


@pytest.fixture
def lmtp_port(mail_world: MailWorld) -> Iterator[int]:
    yield from _server(lmtp=True)


def _kept(organisation: Organisation) -> tuple[int, int, int, int]:
    return (
        InboundMessage.objects.for_organisation(organisation).count(),
        Case.objects.for_organisation(organisation).count(),
        Customer.objects.for_organisation(organisation).count(),
        Contact.objects.for_organisation(organisation).count(),
    )


def _assert_raised(organisation: Organisation) -> None:
    kept = InboundMessage.objects.for_organisation(organisation).get()
    assert kept.outcome == MessageOutcome.RAISED
    assert kept.envelope_sender == "sam@example.org"
    case = kept.case
    assert case is not None
    assert (case.title, case.source) == ("Missed bin", Source.EMAIL)
    assert case.customer is not None
    assert case.customer.display_name == "Sam Resident"
    contact = kept.contact
    assert contact is not None
    assert (contact.channel, contact.customer_id) == (Channel.EMAIL, case.customer_id)
    assert list(
        Message.objects.for_organisation(organisation)
        .filter(case=case)
        .values_list("event", flat=True)
    ) == ["acknowledgement"]
    assert AuditRecord.objects.filter(
        organisation=organisation,
        object_type="channels.inboundmessage",
        object_id=str(kept.pk),
        actor=None,
    ).exists()
    assert AuditRecord.objects.filter(
        organisation=organisation, object_type="cases.case", object_id=str(case.pk)
    ).exists()


def test_a_message_sent_over_smtp_raises_an_acknowledged_case(
    mail_world: MailWorld, smtp_port: int
) -> None:
    with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
        client.ehlo("mx.example.org")
        assert client.has_extn("size")
        code, _reply = client.mail("sam@example.org")
        assert code == 250
        assert client.rcpt(TO)[0] == 250
        code, reply = client.data(message())
    assert code == 250, reply
    _assert_raised(mail_world.world.organisation)


def test_a_message_handed_over_by_lmtp_raises_a_case(mail_world: MailWorld, lmtp_port: int) -> None:
    with smtplib.LMTP(HOST, lmtp_port) as client:
        refused = client.sendmail("sam@example.org", [TO], message())
    assert refused == {}
    _assert_raised(mail_world.world.organisation)


def test_lmtp_answers_each_recipient(mail_world: MailWorld, lmtp_port: int) -> None:
    with smtplib.LMTP(HOST, lmtp_port) as client:
        client.ehlo_or_helo_if_needed()
        client.mail("sam@example.org")
        assert client.rcpt(TO)[0] == 250
        assert client.rcpt("foi@test-council.example")[0] == 250
        client.putcmd("data")
        assert client.getreply()[0] == 354
        client.send(smtplib.quotedata(message().decode()).encode() + b"\r\n.\r\n")
        first, second = client.getreply(), client.getreply()
    assert (first[0], second[0]) == (250, 250)
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation)
    assert sorted(kept.values_list("mailbox__address", flat=True)) == [
        "enquiries@test-council.example",
        "foi@test-council.example",
    ]


def test_an_unknown_recipient_is_refused_with_550_and_nothing_kept(
    mail_world: MailWorld, smtp_port: int
) -> None:
    organisation = mail_world.world.organisation
    before = _kept(organisation)
    with (
        smtplib.SMTP(HOST, smtp_port, timeout=30) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("sam@example.org", ["nobody@test-council.example"], message())
    code, reply = refused.value.recipients["nobody@test-council.example"]
    assert code == 550
    assert b"5.1.1" in reply
    assert _kept(organisation) == before


def test_a_message_over_the_size_limit_is_refused_with_552_and_nothing_kept(
    mail_world: MailWorld,
) -> None:
    organisation = mail_world.world.organisation
    before = _kept(organisation)
    with override_settings(ONESTOP_MAIL_MAX_BYTES=2000):
        port = _free_port()
        server = smtp.controller(host=HOST, port=port)
        server.start()
        try:
            big = message(("x" * 70 + "\r\n") * 100)
            # Declared too big (ESMTP SIZE): refused at MAIL FROM.
            with (
                smtplib.SMTP(HOST, port, timeout=30) as client,
                pytest.raises(smtplib.SMTPSenderRefused) as declared,
            ):
                client.sendmail("sam@example.org", [TO], big)
            assert declared.value.smtp_code == 552
            # Not declared: refused when the data passes the limit.
            with smtplib.SMTP(HOST, port, timeout=30) as client:
                client.ehlo()
                client.esmtp_features.pop("size", None)
                client.mail("sam@example.org")
                client.rcpt(TO)
                code, _reply = client.data(big)
            assert code == 552
        finally:
            server.stop()
    assert _kept(organisation) == before


def test_a_redelivery_over_smtp_is_accepted_once(mail_world: MailWorld, smtp_port: int) -> None:
    for _attempt in range(2):
        with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
            assert client.sendmail("sam@example.org", [TO], message()) == {}
    organisation = mail_world.world.organisation
    assert Case.objects.for_organisation(organisation).count() == 1
    assert InboundMessage.objects.for_organisation(organisation).count() == 1


def test_a_bounce_with_a_null_sender_is_taken_and_ignored(
    mail_world: MailWorld, smtp_port: int
) -> None:
    with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
        assert client.sendmail("<>", [TO], message("Delivery failed")) == {}
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.IGNORED_AUTO_REPLY
    assert not Case.objects.for_organisation(mail_world.world.organisation).exists()


def test_a_kept_but_refused_message_is_answered_554(mail_world: MailWorld, smtp_port: int) -> None:
    headers = tuple(f"X-Filler-{n}: {'y' * 900}" for n in range(200))
    with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
        client.ehlo()
        client.mail("sam@example.org")
        client.rcpt(TO)
        code, reply = client.data(message(headers=headers))
    assert code == 554
    assert b"header section" in reply
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.REFUSED


def test_answers_for_outcomes() -> None:
    assert smtp.answer_for(MessageOutcome.RAISED, "").startswith("250 ")
    assert smtp.answer_for(MessageOutcome.DUPLICATE, "x").startswith("250 ")
    assert smtp.answer_for(MessageOutcome.REFUSED, "bad\r\nthing").startswith("554 5.6.0 bad thing")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(nested_multiparts(1000), id="1000-nested-multiparts"),
        pytest.param(nested_rfc822(2000), id="2000-nested-messages"),
        pytest.param(nested_comment_sender(), id="nested-comments-in-from"),
    ],
)
def test_a_message_too_deep_to_parse_is_answered_554_and_kept(
    mail_world: MailWorld, smtp_port: int, raw: bytes
) -> None:
    with smtplib.SMTP(HOST, smtp_port, timeout=60) as client:
        client.ehlo()
        client.mail("sam@example.org")
        client.rcpt(TO)
        code, reply = client.data(raw)
    assert code == 554, reply
    assert b"unparseable" in reply
    assert b"RecursionError" not in reply or b"could not be read" in reply
    kept = InboundMessage.objects.for_organisation(mail_world.world.organisation).get()
    assert kept.outcome == MessageOutcome.REFUSED


def test_an_unexpected_failure_is_answered_451_without_its_text(
    mail_world: MailWorld, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> InboundMessage:
        raise ValueError("secret internals")

    monkeypatch.setattr(services, "receive_message", broken)
    with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
        client.ehlo()
        client.mail("sam@example.org")
        client.rcpt(TO)
        code, reply = client.data(message())
    assert code == 451
    assert b"secret" not in reply
    assert b"ValueError" not in reply
