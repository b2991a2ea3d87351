"""The ``smtp`` sender: Django's e-mail backend (``ONESTOP_EMAIL_HOST`` and the rest).

``From`` is the organisation's own address (``ONESTOP_MESSAGE_FROM_LOCAL_PART`` at its first
verified mail domain, the operator's ``ONESTOP_FROM_EMAIL`` while it has none).  The
Message-ID is made from the message's id and that domain, signed with the secret key, so a
resend after a crash carries the same Message-ID (the receiving side sees the same message
again) and a bounce quoting it can be matched to the message, but not forged.  Letters are
kept for the post room, as the local sender keeps them; a text message cannot go by e-mail.
"""

from __future__ import annotations

import hmac
import re
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.crypto import salted_hmac

from onestop.directory.models import MailDomain
from onestop.notify.models import Channel, Message, MessageStatus
from onestop.notify.senders import PermanentFailure, ReplyTo, Sent, TemporaryFailure
from onestop.notify.senders.local import LocalSender

_SALT = "onestop.notify.message-id"
#: ``<onestop-<message id>.<signature>@<domain>>``: what ``message_id`` makes.
MESSAGE_ID = re.compile(r"<onestop-(\d{1,19})\.([0-9a-f]{20})@([A-Za-z0-9.-]{1,253})>")


def _signature(message_id: int, domain: str) -> str:
    return salted_hmac(_SALT, f"{message_id}@{domain.lower()}").hexdigest()[:20]


def message_id(message_id: int, domain: str) -> str:
    """The Message-ID header of message ``message_id`` sent from ``domain`` (deterministic)."""
    return f"<onestop-{message_id}.{_signature(message_id, domain)}@{domain.lower()}>"


def message_ids_in(text: str) -> list[int]:
    """The ids of our messages whose genuine (correctly signed) Message-ID ``text`` quotes."""
    found = []
    for match in MESSAGE_ID.finditer(text):
        number, signature, domain = int(match[1]), match[2], match[3]
        if hmac.compare_digest(signature, _signature(number, domain)):
            found.append(number)
    return found


def from_address(message: Message) -> str:
    """The organisation's own From address, with its name."""
    domain = (
        MailDomain.objects.for_organisation(message.organisation_id)
        .filter(claim__isnull=False)
        .order_by("domain")
        .values_list("domain", flat=True)
        .first()
    )
    local_part = settings.ONESTOP_MESSAGE_FROM_LOCAL_PART or "notifications"
    address = f"{local_part}@{domain}" if domain else settings.DEFAULT_FROM_EMAIL
    return formataddr((message.organisation.name, address))


def _permanent_or_temporary(code: int, text: str) -> PermanentFailure | TemporaryFailure:
    reason = f"SMTP {code}: {text}"[:500]
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class SmtpSender:
    name = "smtp"

    def __init__(self, *, reply_to: ReplyTo | None = None) -> None:
        # The per-case signed Reply-To is wired here (notify.services.reply_address).
        self.reply_to = reply_to
        self.local = LocalSender()

    def send(self, message: Message) -> Sent:
        if message.channel == Channel.LETTER:
            return self.local.send(message)
        if message.channel != Channel.EMAIL:
            raise PermanentFailure(
                f"The SMTP sender sends e-mail only, not {message.get_channel_display()}"
            )
        sender = from_address(message)
        domain = sender.rsplit("@", 1)[-1].rstrip(">")
        identifier = message_id(message.pk, domain)
        reply_to = self.reply_to(message) if self.reply_to is not None else None
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[message.address],
            reply_to=[reply_to] if reply_to else None,
            headers={"Message-ID": identifier, "X-OneStop-Reference": message.reference},
            connection=get_connection(fail_silently=False),
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (550, b"refused"))
            raise _permanent_or_temporary(code, _text(text)) from error
        except smtplib.SMTPResponseException as error:
            raise _permanent_or_temporary(error.smtp_code, _text(error.smtp_error)) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"SMTP: {type(error).__name__}: {error}"[:500]) from error
        return Sent(
            provider=self.name,
            provider_id=identifier,
            status=MessageStatus.SENT,
            answer={"message_id": identifier, "from": sender, "reply_to": reply_to or ""},
        )

    def find(self, message: Message) -> Sent | None:
        """SMTP cannot be asked: ``None``, and the message goes again with the same Message-ID."""
        return None
