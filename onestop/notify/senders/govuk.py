"""The ``notify`` sender: GOV.UK Notify through its own client (``notifications-python-client``,
which signs each request's JWT and knows the API).

E-mail and text messages use the generic templates configured in Notify (subject
``((subject))``, body ``((body))``): OneStop renders the words, so Welsh and an organisation's
own wording need nothing in Notify.  An organisation that maps an event to a Notify template of
its own (``MessageTemplate.notify_template_id``) gets that template, with the event's named
placeholders as personalisation (recorded on the message when it was written).  Letters go as
precompiled PDFs (``notify.letters.render_pdf``).  Notify's ``reference`` is the message's
``reference`` (its id, never personal data), which is how a message left ``sending`` by a crash
is found again instead of sent twice.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from onestop.customers.models import Format
from onestop.notify import letters
from onestop.notify.models import Channel, Message, MessageStatus
from onestop.notify.senders import PermanentFailure, Sent, TemporaryFailure
from onestop.notify.senders.ratelimit import TokenBucket

#: Notify's statuses, as ours.  Notify's own temporary and technical failures both mean "not
#: delivered, you may send again": OneStop retries them (up to its limit).
STATUSES = {
    "created": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "pending": MessageStatus.SENT,
    "sent": MessageStatus.SENT,  # an international text message: no receipt will come
    "accepted": MessageStatus.SENT,  # a letter being printed
    "pending-virus-check": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "received": MessageStatus.DELIVERED,  # a letter handed to the postal service
    "permanent-failure": MessageStatus.PERMANENT_FAILURE,
    "validation-failed": MessageStatus.PERMANENT_FAILURE,
    "virus-scan-failed": MessageStatus.PERMANENT_FAILURE,
    "cancelled": MessageStatus.PERMANENT_FAILURE,
    "temporary-failure": MessageStatus.TEMPORARY_FAILURE,
    "technical-failure": MessageStatus.TEMPORARY_FAILURE,
}
RESENDABLE = frozenset({"temporary-failure", "technical-failure"})


def status_of(notify_status: str) -> str | None:
    """Our status for one of Notify's (``None`` for a word Notify does not use)."""
    found = STATUSES.get(notify_status)
    return None if found is None else str(found)


def _uuid_setting(name: str, value: str, *, required: bool = True) -> str:
    value = value.strip()
    if not value and not required:
        return ""
    try:
        uuid.UUID(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be the id of a template in GOV.UK Notify (a UUID), not {value[:40]!r}."
        ) from None
    return value


def _api_key(value: str) -> str:
    value = value.strip()
    if not value:
        raise ImproperlyConfigured(
            "ONESTOP_NOTIFY_API_KEY must be set for ONESTOP_MESSAGE_SENDER=notify "
            "(the key from your Notify service's API integration page)."
        )
    try:
        uuid.UUID(value[-73:-37])
        uuid.UUID(value[-36:])
    except ValueError:
        raise ImproperlyConfigured(
            "ONESTOP_NOTIFY_API_KEY is not a GOV.UK Notify API key (name, service id and "
            "secret joined by hyphens, as Notify shows it)."
        ) from None
    return value


def _errors(error: APIError) -> str:
    detail = error.message
    if isinstance(detail, list):
        detail = "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}"
            for item in detail
            if isinstance(item, dict)
        )
    return f"GOV.UK Notify {error.status_code}: {detail}"[:500]


def failure(error: APIError) -> PermanentFailure | TemporaryFailure:
    """A 429, a 5xx and a network error (the client's 503) are temporary; any other 4xx is
    permanent."""
    code = error.status_code
    if code == 429 or code >= 500:
        return TemporaryFailure(_errors(error))
    return PermanentFailure(_errors(error))


class NotifySender:
    name = "notify"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        email_template_id: str,
        sms_template_id: str,
        per_minute: int,
        postage: str = "second",
        timeout: int = 30,
    ) -> None:
        # The client's methods are untyped: it is held as Any, its answers read as dicts.
        self.client: Any = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            api_key, base_url=base_url, timeout=timeout
        )
        self.email_template_id = email_template_id
        self.sms_template_id = sms_template_id
        self.postage = postage
        self.bucket = TokenBucket(per_minute)

    @classmethod
    def from_settings(cls) -> NotifySender:
        base_url = settings.ONESTOP_NOTIFY_BASE_URL.strip()
        if not base_url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                f"ONESTOP_NOTIFY_BASE_URL must be an http(s) URL, not {base_url[:60]!r}."
            )
        postage = settings.ONESTOP_NOTIFY_LETTER_POSTAGE.strip() or "second"
        if postage not in {"first", "second", "economy"}:
            raise ImproperlyConfigured(
                f"ONESTOP_NOTIFY_LETTER_POSTAGE must be first, second or economy, not {postage!r}."
            )
        return cls(
            api_key=_api_key(settings.ONESTOP_NOTIFY_API_KEY),
            base_url=base_url,
            email_template_id=_uuid_setting(
                "ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID", settings.ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID
            ),
            sms_template_id=_uuid_setting(
                "ONESTOP_NOTIFY_SMS_TEMPLATE_ID", settings.ONESTOP_NOTIFY_SMS_TEMPLATE_ID
            ),
            per_minute=settings.ONESTOP_NOTIFY_RATE_PER_MINUTE,
            postage=postage,
            timeout=settings.ONESTOP_NOTIFY_TIMEOUT_SECONDS,
        )

    def _template(self, message: Message, generic: str) -> tuple[str, dict[str, Any]]:
        """The template and personalisation: the organisation's own Notify template with its
        named placeholders when the message was written with one, else the generic template
        with OneStop's rendered ``subject`` and ``body``."""
        if message.notify_template_id:
            return message.notify_template_id, dict(message.personalisation)
        return generic, {"subject": message.subject, "body": message.body}

    def _post(self, message: Message) -> dict[str, Any]:
        self.bucket.take()
        if message.channel == Channel.EMAIL:
            template_id, personalisation = self._template(message, self.email_template_id)
            answer = self.client.send_email_notification(
                email_address=message.address,
                template_id=template_id,
                personalisation=personalisation,
                reference=message.reference,
            )
        elif message.channel == Channel.SMS:
            template_id, personalisation = self._template(message, self.sms_template_id)
            answer = self.client.send_sms_notification(
                phone_number=message.address,
                template_id=template_id,
                personalisation=personalisation,
                reference=message.reference,
            )
        elif message.channel == Channel.LETTER:
            pdf = letters.render_pdf(
                message,
                organisation_name=message.organisation.name,
                large_print=message.format == Format.LARGE_PRINT,
            )
            answer = self.client.send_precompiled_letter_notification(
                reference=message.reference, pdf_file=io.BytesIO(pdf), postage=self.postage
            )
        else:
            raise PermanentFailure(f"No channel to send by ({message.channel!r})")
        return dict(answer)

    def send(self, message: Message) -> Sent:
        try:
            answer = self._post(message)
        except APIError as error:
            raise failure(error) from error
        provider_id = str(answer.get("id", ""))
        if not provider_id:
            raise TemporaryFailure("GOV.UK Notify answered without a notification id")
        return Sent(self.name, provider_id, MessageStatus.SENT, answer)

    def notifications(self, message: Message) -> list[dict[str, Any]]:
        """What Notify holds under the message's reference, newest first."""
        self.bucket.take()
        try:
            answer = self.client.get_all_notifications(reference=message.reference)
        except APIError as error:
            raise failure(error) from error
        found = [item for item in answer.get("notifications", []) if isinstance(item, dict)]
        return sorted(found, key=lambda item: str(item.get("created_at", "")), reverse=True)

    def find(self, message: Message) -> Sent | None:
        """The notification Notify already has for this message, unless every one it has
        failed in a way that asks for sending again."""
        for item in self.notifications(message):
            notify_status = str(item.get("status", ""))
            if notify_status in RESENDABLE:
                continue
            return Sent(
                self.name,
                str(item.get("id", "")),
                status_of(notify_status) or MessageStatus.SENT,
                item,
            )
        return None
