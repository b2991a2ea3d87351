"""What providers tell OneStop after sending: GOV.UK Notify's delivery receipts and received
text messages (``views_send``), and bounces of e-mail sent by SMTP (``channels`` hands over the
bounces it recognises).

Every function takes whatever arrived and changes nothing unless it is well formed and names a
message OneStop sent: an unknown id, a status Notify does not use, or a receipt older than what
is recorded (a delivered message never goes back to sent) is answered and ignored.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel as ContactChannel
from onestop.contacts.models import Contact, Direction
from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.customers import services as customer_services
from onestop.customers.models import Customer, Phone
from onestop.notify.models import ChangeSource, Channel, Message, MessageStatus
from onestop.notify.senders import smtp
from onestop.notify.senders.govuk import status_of
from onestop.notify.services.sending import UNSCOPED, apply_receipt

logger = logging.getLogger(__name__)

UPDATED = "updated"
UNCHANGED = "unchanged"  # known message, but the receipt adds nothing (a replay, an older word)
UNKNOWN = "unknown"
INVALID = "invalid"
RECORDED = "recorded"
DUPLICATE = "duplicate"

_REFERENCE = re.compile(r"onestop-(\d{1,19})")
TEXT_LIMIT = 4000  # characters of a received text kept (Notify's longest is 918)
#: Bytes of a bounce read for the returned message's headers.
BOUNCE_BYTES = 1024 * 1024


def _text(payload: dict[str, Any], key: str, limit: int) -> str:
    value = payload.get(key)
    return value[:limit] if isinstance(value, str) else ""


def _notify_id(payload: dict[str, Any]) -> str:
    try:
        return str(uuid.UUID(_text(payload, "id", 36)))
    except ValueError:
        return ""


def _message_for_receipt(notify_id: str, reference: str) -> Message | None:
    messages = Message.objects.unscoped(UNSCOPED)
    found: Message | None = messages.filter(provider="notify", provider_id=notify_id).first()
    if found is not None:
        return found
    # The receipt came before the worker recorded Notify's id (it is still "sending").
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        return None
    found = messages.filter(pk=int(match[1]), provider_id="", status=MessageStatus.SENDING).first()
    if found is not None:
        messages.filter(pk=found.pk, provider_id="").update(
            provider="notify", provider_id=notify_id
        )
    return found


def record_receipt(payload: object) -> str:
    """A delivery receipt (Notify's JSON: ``id``, ``reference``, ``status`` and times)."""
    if not isinstance(payload, dict):
        return INVALID
    notify_id = _notify_id(payload)
    notify_status = _text(payload, "status", 40)
    status = status_of(notify_status)
    if not notify_id or status is None:
        return INVALID
    message = _message_for_receipt(notify_id, _text(payload, "reference", 60))
    if message is None:
        return UNKNOWN
    changed = apply_receipt(message, status, reason=f"GOV.UK Notify: {notify_status}")
    return UPDATED if changed else UNCHANGED


def _organisation_for_reply(number: str) -> tuple[Organisation | None, Message | None]:
    """The organisation whose text message to ``number`` was answered (the latest one), else
    ``ONESTOP_NOTIFY_INBOUND_ORGANISATION``."""
    replied_to = (
        Message.objects.unscoped("a text reply names no organisation: the message it answers does")
        .filter(channel=Channel.SMS, address=number)
        .exclude(status__in=[MessageStatus.PENDING, MessageStatus.CANCELLED])
        .select_related("organisation")
        .order_by("-created_at", "-id")
        .first()
    )
    if replied_to is not None:
        return replied_to.organisation, replied_to
    slug = settings.ONESTOP_NOTIFY_INBOUND_ORGANISATION.strip()
    if slug:
        return Organisation.objects.filter(slug=slug).first(), None
    return None, None


def _customer_with(
    organisation: Organisation, number: str, replied_to: Message | None
) -> Customer | None:
    """The one customer with this number (the replied-to message's own, when it is theirs);
    ``None`` when nobody or several have it."""
    owners = set(
        Phone.objects.for_organisation(organisation)
        .filter(number=number, customer__merged_into__isnull=True)
        .values_list("customer_id", flat=True)
    )
    chosen: int | None = None
    if replied_to is not None and replied_to.customer_id in owners:
        chosen = replied_to.customer_id
    elif len(owners) == 1:
        chosen = owners.pop()
    if chosen is None:
        return None
    return Customer.objects.for_organisation(organisation).filter(pk=chosen).first()


def _received_at(payload: dict[str, Any]) -> datetime.datetime:
    parsed = parse_datetime(_text(payload, "date_received", 40))
    now = timezone.now()
    if parsed is None:
        return now
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return min(parsed, now)


def record_received_text(payload: object) -> str:
    """A text message to the service's number (Notify's JSON: ``id``, ``source_number``,
    ``destination_number``, ``message``, ``date_received``): an SMS contact on the customer
    with that number, or an unmatched one.  Notify sends a callback again when it is not sure
    it arrived: the second is recognised by Notify's id and changes nothing."""
    if not isinstance(payload, dict):
        return INVALID
    notify_id = _notify_id(payload)
    text = _text(payload, "message", TEXT_LIMIT).strip()
    if not notify_id:
        return INVALID
    try:
        number = customer_services.clean_phone(_text(payload, "source_number", 40))
    except ServiceError:
        return INVALID
    organisation, replied_to = _organisation_for_reply(number)
    if organisation is None:
        logger.warning("A text message from an unknown number to no organisation was dropped")
        return UNKNOWN
    marker = f"(GOV.UK Notify received text {notify_id})"
    if (
        Contact.objects.for_organisation(organisation)
        .filter(channel=ContactChannel.SMS, notes__endswith=marker)
        .exists()
    ):
        return DUPLICATE
    customer = _customer_with(organisation, number, replied_to)
    notes = f"Text message from {number}:\n{text or '(empty)'}\n\n{marker}"
    contact_services.log_contact(
        organisation,
        by=None,
        customer=customer,
        values=contact_services.ContactInput(
            channel=ContactChannel.SMS,
            direction=Direction.INBOUND,
            received_at=_received_at(payload),
            notes=notes,
        ),
    )
    return RECORDED


def _failed_delivery(report: EmailMessage) -> str:
    """The failure a delivery-status report gives ("" when no recipient failed for good)."""
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload: Any = part.get_payload()
        blocks: list[Any] = payload if isinstance(payload, list) else []
        for block in blocks:
            action = str(block.get("action", "")).strip().lower()
            status = str(block.get("status", "")).strip()
            if action == "failed" and status.startswith("5"):
                diagnostic = " ".join(str(block.get("diagnostic-code", "")).split())
                return f"Bounced ({status}) {diagnostic}".strip()[:500]
    return ""


def _returned_headers(report: EmailMessage) -> str:
    """The returned message's headers (the ``message/rfc822`` or ``text/rfc822-headers`` part
    of the report), where its Message-ID is quoted."""
    found: list[str] = []
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            raw: Any = part.get_payload(decode=True)
            found.append(raw.decode("latin-1") if isinstance(raw, bytes) else "")
        elif kind == "message/rfc822":
            inner: Any = part.get_payload()
            if isinstance(inner, list):
                found.extend(str(item.get("message-id", "")) for item in inner)
    return "\n".join(found)


def record_bounce(raw: bytes, *, organisation_id: int) -> list[int]:
    """A delivery-status report (RFC 3464) saying e-mail we sent failed for good: each message
    whose signed Message-ID the returned headers quote, in this organisation, becomes a
    permanent failure with the report's reason.  Only the returned message's own headers
    count (an auto-reply's In-Reply-To quotes our Message-ID too, and is no bounce).  The ids
    of the messages marked."""
    try:
        report = message_from_bytes(raw[:BOUNCE_BYTES], policy=policy.compat32)
    except Exception:  # the parser gave up: not a report we can read
        return []
    if report.get_content_type() != "multipart/report":
        return []
    reason = _failed_delivery(report)
    if not reason:
        return []
    marked = []
    for number in smtp.message_ids_in(_returned_headers(report)):
        message = (
            Message.objects.for_organisation(organisation_id)
            .filter(pk=number, provider="smtp")
            .first()
        )
        if message is not None and apply_receipt(
            message, MessageStatus.PERMANENT_FAILURE, reason=reason, source=ChangeSource.BOUNCE
        ):
            marked.append(number)
    return marked
