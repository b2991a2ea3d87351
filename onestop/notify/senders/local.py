"""The ``local`` sender (the default for ``make run``): nothing leaves; the message is kept,
marked sent, and staff see it at ``/outbox/`` (letters with their rendered PDF)."""

from __future__ import annotations

from onestop.notify.models import Message, MessageStatus
from onestop.notify.senders import Sent


class LocalSender:
    name = "local"

    def send(self, message: Message) -> Sent:
        return Sent(
            provider=self.name,
            provider_id=message.reference,
            status=MessageStatus.SENT,
            answer={"kept": message.reference},
        )

    def find(self, message: Message) -> Sent | None:
        return None
