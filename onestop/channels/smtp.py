"""The inbound SMTP and LMTP server (``onestop mail-serve``), built on aiosmtpd.

The council's MTA (Postfix, Exim) relays mail for the shared mailboxes' domain here, or hands
it over by LMTP.  Each recipient is checked against the mailboxes at ``RCPT TO`` (550 for an
unknown one), the size is limited (``SIZE`` advertised, 552 beyond it), and the message is
handed to ``services.receive_message`` in a worker thread (``sync_to_async``), one call per
recipient.  Answers: 250 kept, 550/552/554 refused (the MTA bounces), 451 on a temporary
failure such as a database error (the MTA retries; a redelivery is recognised by its
Message-ID, so nothing is raised twice).  LMTP answers once per recipient after DATA.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import DatabaseError, close_old_connections, connections

from onestop.channels import services
from onestop.channels.errors import MailRefused
from onestop.channels.models import MessageOutcome

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure: please try again later"


def answer_for(outcome: str, reason: str) -> str:
    """The SMTP reply for a kept message: refused ones are told no, everything else 250."""
    if outcome == MessageOutcome.REFUSED:
        text = " ".join(reason.split())[:200] or "Message refused"
        return f"554 5.6.0 {text}"
    return "250 2.0.0 OK: message received"


def _release() -> None:
    """Close this worker thread's database connections after each call: mail arrives in
    bursts and a connection left open idles against the server's limit (and would keep a
    test database from being dropped)."""
    connections.close_all()


def _mailbox_exists(recipient: str) -> bool:
    close_old_connections()
    try:
        return services.mailbox_for(recipient) is not None
    finally:
        _release()


def _deliver(raw: bytes, recipient: str, envelope_sender: str | None) -> str:
    close_old_connections()
    try:
        message = services.receive_message(
            raw, recipient=recipient, envelope_sender=envelope_sender
        )
    except MailRefused as refusal:
        return refusal.smtp
    except DatabaseError:
        logger.exception("Inbound e-mail for a mailbox could not be stored")
        return TEMPORARY_FAILURE
    except Exception:  # anything unexpected: the MTA retries; the client never sees the text
        logger.exception("Inbound e-mail failed unexpectedly")
        return TEMPORARY_FAILURE
    finally:
        _release()
    return answer_for(message.outcome, message.reason)


class MailHandler:
    """aiosmtpd handler: check recipients, hand each message to ``receive_message``."""

    def __init__(self, *, lmtp: bool = False) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            known = await sync_to_async(_mailbox_exists)(address)
        except DatabaseError:
            logger.exception("Mailboxes could not be read")
            return TEMPORARY_FAILURE
        if not known:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):  # pragma: no cover - decode_data is off
            raw = raw.encode("utf-8", "surrogateescape")
        sender = envelope.mail_from
        answers = [
            await sync_to_async(_deliver)(raw, recipient, sender) for recipient in envelope.rcpt_tos
        ]
        if self.lmtp:
            return "\r\n".join(answers)
        return _one_answer(answers)


def _one_answer(answers: list[str]) -> str:
    """SMTP has one reply for all recipients: retry if any failed for now, else succeed if any
    was kept (refused ones are visible to staff), else the first refusal."""
    if any(answer.startswith("4") for answer in answers):
        return TEMPORARY_FAILURE
    kept = [answer for answer in answers if answer.startswith("2")]
    return kept[0] if kept else answers[0]


class LMTPController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def controller(
    *, host: str, port: int, lmtp: bool = False, hostname: str | None = None
) -> Controller:
    """A threaded server (``start()``/``stop()``) for the mailboxes on ``host``:``port``."""
    kwargs: dict[str, Any] = {
        "hostname": host,
        "port": port,
        "data_size_limit": services.max_bytes(),
        "enable_SMTPUTF8": True,
        "decode_data": False,
    }
    if hostname:
        kwargs["server_hostname"] = hostname
    handler = MailHandler(lmtp=lmtp)
    if lmtp:
        return LMTPController(handler, **kwargs)
    return Controller(handler, **kwargs)
