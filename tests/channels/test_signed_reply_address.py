"""A reply sent to a case's signed reply address threads onto that case first, before the
reference in the subject; an altered or forged signature is logged and the usual rules apply."""

from __future__ import annotations

import logging
import smtplib

import pytest

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseNote
from onestop.channels import services
from onestop.channels.models import InboundMessage, MessageOutcome
from onestop.core.models import Organisation
from onestop.notify.services import reply_address
from tests.cases import factories as case_factories
from tests.channels.conftest import MailWorld, message
from tests.channels.test_smtp import HOST, smtp_port

__all__ = ["smtp_port"]

TO = "enquiries@test-council.example"


def _open_case(mail_world: MailWorld, message_id: str = "<first@example.org>") -> Case:
    first = services.receive_message(message(message_id=message_id), recipient=TO)
    assert first.case is not None
    return first.case


def _reply_to(case: Case, mailbox: str = TO) -> str:
    return reply_address.reply_address_for(
        mailbox, organisation_id=case.organisation_id, reference=case.reference
    )


def _notes(case: Case) -> list[str]:
    return list(
        CaseNote.objects.for_organisation(case.organisation_id)
        .filter(case=case)
        .values_list("text", flat=True)
    )


def test_a_reply_to_the_signed_address_threads_without_a_reference_in_the_subject(
    mail_world: MailWorld,
) -> None:
    case = _open_case(mail_world)
    kept = services.receive_message(
        message("Still not emptied", subject="Re: your message", message_id="<r@example.org>"),
        recipient=_reply_to(case),
    )
    assert (kept.outcome, kept.case_id) == (MessageOutcome.THREADED, case.pk)
    assert kept.mailbox_id == mail_world.enquiries.pk
    assert _notes(case) == ["From sam@example.org\n\nStill not emptied"]


def test_the_signed_address_wins_over_another_reference_in_the_subject(
    mail_world: MailWorld,
) -> None:
    case = _open_case(mail_world)
    other = _open_case(mail_world, message_id="<second@example.org>")
    assert other.pk != case.pk
    kept = services.receive_message(
        message("About the first", subject=f"Re: {other.reference}", message_id="<r@example.org>"),
        recipient=_reply_to(case),
    )
    assert (kept.outcome, kept.case_id) == (MessageOutcome.THREADED, case.pk)
    assert _notes(other) == []


def test_an_altered_signature_is_logged_and_falls_back_to_the_subject(
    mail_world: MailWorld, caplog: pytest.LogCaptureFixture
) -> None:
    case = _open_case(mail_world)
    other = _open_case(mail_world, message_id="<second@example.org>")
    signed = _reply_to(case)
    local, domain = signed.split("@")
    altered = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
    with caplog.at_level(logging.WARNING, logger="onestop.channels.services"):
        kept = services.receive_message(
            message("Hello", subject=f"Re: {other.reference}", message_id="<r@example.org>"),
            recipient=altered,
        )
    assert (kept.outcome, kept.case_id) == (MessageOutcome.THREADED, other.pk)
    assert _notes(case) == []
    assert any("does not verify" in record.getMessage() for record in caplog.records)


def test_a_forged_address_for_a_guessed_reference_raises_a_new_case(
    mail_world: MailWorld, caplog: pytest.LogCaptureFixture
) -> None:
    case = _open_case(mail_world)
    forged = f"enquiries+{case.reference.lower()}.{'a' * 16}@test-council.example"
    with caplog.at_level(logging.WARNING, logger="onestop.channels.services"):
        kept = services.receive_message(
            message("Close it", subject="Please close", message_id="<f@example.net>"),
            recipient=forged,
        )
    assert kept.outcome == MessageOutcome.RAISED
    assert kept.case_id != case.pk
    assert _notes(case) == []
    assert any("does not verify" in record.getMessage() for record in caplog.records)


def test_another_organisations_signed_address_does_not_thread_here(
    mail_world: MailWorld, partner: Organisation
) -> None:
    case_factories.standards(partner)
    service = case_factories.service(partner, "Housing")
    team = case_factories.team(service, "Repairs")
    case_factories.case_type(
        partner, "general-enquiry", kind="general-enquiry", service=service, team=team
    )
    theirs = case_factories.raise_case(partner, "general-enquiry", title="Their case")
    # Their reply address, with our mailbox's local part and domain: signed for them, not us.
    address = _reply_to(theirs)
    kept = services.receive_message(
        message(subject="Hello", message_id="<x@example.org>"), recipient=address
    )
    assert kept.outcome == MessageOutcome.RAISED
    assert kept.case is not None
    assert kept.case.organisation_id == mail_world.world.organisation.pk
    assert not CaseNote.objects.for_organisation(partner).exists()


def test_a_finished_case_reached_by_its_signed_address_gets_a_linked_new_case(
    mail_world: MailWorld,
) -> None:
    case = _open_case(mail_world)
    case_services.close_case(
        case, by=mail_world.world.officer, outcome="resolved", resolution="Emptied"
    )
    kept = services.receive_message(
        message("Missed again", subject="Hello", message_id="<r@example.org>"),
        recipient=_reply_to(case),
    )
    assert kept.outcome == MessageOutcome.RAISED
    assert case.reference in kept.reason


@pytest.mark.django_db(transaction=True)
def test_a_reply_over_smtp_to_the_signed_address_threads(
    mail_world: MailWorld, smtp_port: int
) -> None:
    case = _open_case(mail_world)
    signed = _reply_to(case)
    with smtplib.SMTP(HOST, smtp_port, timeout=30) as client:
        client.ehlo("mx.example.org")
        assert client.mail("sam@example.org")[0] == 250
        assert client.rcpt(signed)[0] == 250
        code, reply = client.data(
            message("By SMTP", subject="Re: hello", message_id="<smtp@example.org>")
        )
    assert code == 250, reply
    kept = InboundMessage.objects.for_organisation(case.organisation_id).get(
        message_id="<smtp@example.org>"
    )
    assert (kept.outcome, kept.case_id) == (MessageOutcome.THREADED, case.pk)
