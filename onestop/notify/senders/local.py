"""The ``local`` sender (the default for ``make run``): nothing leaves; the message is kept,
marked sent, and staff see it at ``/outbox/`` (letters with their rendered PDF).

With ``ONESTOP_LOCAL_MAIL_DIR`` set (``make run`` sets it to ``var/sent-mail/``), each e-mail
and text message is also written there as its recipient would get it, one file a message
(``<reference>.eml``, ``<reference>.txt``): the only place a demo's words sealed for the
recipient alone (a resident's sign-in link) can be read, since ``/outbox/`` never shows them.
A folder that cannot be written is the message's failure, retried as any sender's."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from onestop.notify.models import Channel, Message, MessageStatus
from onestop.notify.senders import Sent, TemporaryFailure


def _file_name(message: Message, suffix: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]", "-", message.reference or f"message-{message.pk}")
    return f"{name}{suffix}"


def _written(message: Message) -> tuple[str, bytes] | None:
    """The file a recipient's copy of ``message`` is kept in, and its bytes (none for a letter,
    which the post room prints from ``/outbox/``)."""
    if message.channel == Channel.EMAIL:
        email = EmailMessage()
        email["To"] = message.address
        email["Subject"] = message.subject
        email.set_content(message.body)
        return _file_name(message, ".eml"), email.as_bytes()
    if message.channel == Channel.SMS:
        return _file_name(message, ".txt"), f"To: {message.address}\n\n{message.body}\n".encode()
    return None


class LocalSender:
    name = "local"

    def send(self, message: Message) -> Sent:
        folder = str(getattr(settings, "ONESTOP_LOCAL_MAIL_DIR", "") or "")
        written = _written(message) if folder else None
        if written is not None:
            name, content = written
            try:
                Path(folder).mkdir(parents=True, exist_ok=True)
                (Path(folder) / name).write_bytes(content)
            except OSError as error:
                raise TemporaryFailure(
                    f"Could not keep the message in {folder}: {error}"
                ) from error
        return Sent(
            provider=self.name,
            provider_id=message.reference,
            status=MessageStatus.SENT,
            answer={"kept": message.reference},
        )

    def find(self, message: Message) -> Sent | None:
        return None
