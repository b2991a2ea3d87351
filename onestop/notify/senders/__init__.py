"""Senders: where a message leaves OneStop (C7).  Chosen by ``ONESTOP_MESSAGE_SENDER``.

A sender sends one message and answers what the provider said (``Sent``), or raises
``TemporaryFailure`` (try again later: a network error, 429, 5xx) or ``PermanentFailure`` (the
provider refused it: try again would fail the same way).  ``find`` asks the provider whether it
already has a message (a worker crashed after sending, before recording): the GOV.UK Notify
sender looks it up by ``reference``; the others cannot ask, so they answer ``None`` and the
message is sent again (SMTP with the same Message-ID, so the resend is recognisable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onestop.notify.models import Message

SENDERS = ("local", "smtp", "notify")

#: Computes a message's Reply-To (the per-case signed reply address), or ``None`` for none.
ReplyTo = Callable[[Message], str | None]


@dataclass(frozen=True)
class Sent:
    """What the provider answered: its name, its id for the message, the message's status now
    (a ``MessageStatus`` value) and the answer itself (for ``notify send-test``)."""

    provider: str
    provider_id: str
    status: str
    answer: dict[str, Any] = field(default_factory=dict)


class SendError(Exception):
    """The provider did not take the message; ``reason`` says why in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(SendError):
    """Try again later (network error, 429, 5xx)."""


class PermanentFailure(SendError):
    """The provider refused the message (4xx other than 429): sending again cannot help."""


class Sender(Protocol):
    name: str

    def send(self, message: Message) -> Sent: ...

    def find(self, message: Message) -> Sent | None: ...


def configured(*, reply_to: ReplyTo | None = None) -> Sender:
    """The sender ``ONESTOP_MESSAGE_SENDER`` names, its settings checked (``ImproperlyConfigured``
    with one plain line naming the setting when one is missing or wrong).

    ``reply_to`` is where the per-case signed Reply-To is wired in (the SMTP sender puts what it
    returns in the Reply-To header)."""
    name = str(getattr(settings, "ONESTOP_MESSAGE_SENDER", "local") or "local").strip().lower()
    if name == "local":
        from onestop.notify.senders.local import LocalSender

        return LocalSender()
    if name == "smtp":
        from onestop.notify.senders.smtp import SmtpSender

        return SmtpSender(reply_to=reply_to)
    if name == "notify":
        from onestop.notify.senders.govuk import NotifySender

        return NotifySender.from_settings()
    raise ImproperlyConfigured(
        f"ONESTOP_MESSAGE_SENDER must be one of {', '.join(SENDERS)}, not {name!r}."
    )
