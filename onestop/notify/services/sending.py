"""The worker's step (C7): claim due messages, hand them to the sender, record the answer.

A message is due when it is ``pending``, or a ``temporary-failure`` whose ``next_attempt_at``
has come, or ``sending`` past its lease (the worker that claimed it died).  Claiming marks it
``sending``, counts the attempt and sets the lease, and commits before anything is sent: on
PostgreSQL with ``SELECT ... FOR UPDATE SKIP LOCKED``, so workers never wait for each other;
on both databases the UPDATE repeats the "still due" test and stamps a marker of its own, so
only the rows this worker really claimed come back (SQLite serialises writers, and a second
worker's UPDATE no longer finds them due).

Never twice: a message tried before (left ``sending`` by a crash, or retried after a
temporary failure) is first looked for at the provider (``Sender.find``: GOV.UK Notify by
``reference``) and recorded if the provider has it; SMTP cannot be asked, so the message goes
again with the same Message-ID.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.customers import services as customer_services
from onestop.notify import letters
from onestop.notify.models import Channel, Event, Message, MessageStatus, RecipientKind
from onestop.notify.senders import (
    PermanentFailure,
    Sender,
    SendError,
    Sent,
    TemporaryFailure,
    configured,
)
from onestop.notify.services import bulk, reply_address

logger = logging.getLogger(__name__)
_random = secrets.SystemRandom()
UNSCOPED = "the worker sends every organisation's due messages"
#: Notify keeps notifications for seven days: older ones cannot be looked up.
NOTIFY_RETENTION = datetime.timedelta(days=7)


def _due(now: datetime.datetime) -> Q:
    due = Q(status=MessageStatus.PENDING, next_attempt_at__isnull=True) | Q(
        status__in=[MessageStatus.PENDING, MessageStatus.TEMPORARY_FAILURE, MessageStatus.SENDING],
        next_attempt_at__lte=now,
    )
    if letters.post_room_enabled():
        # Letters wait for the council's post room (/letters/), which marks them posted.
        return due & ~Q(channel=Channel.LETTER)
    return due


def due_count(now: datetime.datetime | None = None) -> int:
    """How many messages are due now (every organisation's)."""
    return Message.objects.unscoped(UNSCOPED).filter(_due(now or timezone.now())).count()


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff with jitter: the first retry after about
    ``ONESTOP_MESSAGE_RETRY_SECONDS``, doubling each time up to the cap; each delay drawn
    between half and the whole of that, so workers retrying together spread out."""
    base = settings.ONESTOP_MESSAGE_RETRY_SECONDS
    ceiling = min(settings.ONESTOP_MESSAGE_RETRY_CAP_SECONDS, base * 2 ** max(attempts - 1, 0))
    return datetime.timedelta(seconds=ceiling / 2 + _random.uniform(0, ceiling / 2))


def claim(limit: int, *, now: datetime.datetime | None = None) -> list[Message]:
    """Claim up to ``limit`` due messages for this worker (committed before returning)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.ONESTOP_MESSAGE_SENDING_LEASE_SECONDS)
    # A moment no other claim uses: which rows this claim stamped is read back by it.
    marker = now + lease + datetime.timedelta(microseconds=_random.randrange(1, 999_999))
    messages = Message.objects.unscoped(UNSCOPED)
    with transaction.atomic():
        candidates = messages.filter(_due(now)).order_by("id")
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        messages.filter(_due(now), id__in=ids).update(
            status=MessageStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=marker,
            updated_at=now,
        )
        return list(
            messages.filter(id__in=ids, status=MessageStatus.SENDING, next_attempt_at=marker)
            .select_related("organisation")
            .order_by("id")
        )


def _record(message: Message, sent: Sent, now: datetime.datetime) -> str:
    """Write what the provider answered; a receipt that got in first keeps its status."""
    values: dict[str, object] = {
        "status": sent.status,
        "provider": sent.provider,
        "provider_id": sent.provider_id[:200],
        "sent_at": now,
        "next_attempt_at": None,
        "last_error": "",
        "updated_at": now,
    }
    if sent.status == MessageStatus.DELIVERED:
        values["delivered_at"] = now
    if sent.status == MessageStatus.PERMANENT_FAILURE:
        values["last_error"] = f"{sent.provider}: {sent.answer.get('status', 'refused')}"
    rows = Message.objects.unscoped(UNSCOPED)
    if rows.filter(pk=message.pk, status=MessageStatus.SENDING).update(**values):
        return sent.status
    rows.filter(pk=message.pk, provider_id="").update(
        provider=sent.provider, provider_id=sent.provider_id[:200], updated_at=now
    )
    return str(rows.values_list("status", flat=True).get(pk=message.pk))


def _retry_or_give_up(
    message: Message, reason: str, now: datetime.datetime, *, expected: list[str]
) -> str | None:
    """A temporary failure: try again after the backoff, or, once the attempts are used up,
    mark the message a technical failure.  Only while it is still in ``expected``: the new
    status, or ``None`` when the message had moved on."""
    if message.attempts >= settings.ONESTOP_MESSAGE_MAX_ATTEMPTS:
        status: str = MessageStatus.TECHNICAL_FAILURE
        values: dict[str, object] = {
            "status": status,
            "next_attempt_at": None,
            "last_error": f"Gave up after {message.attempts} attempts: {reason}"[:2000],
        }
    else:
        status = MessageStatus.TEMPORARY_FAILURE
        values = {
            "status": status,
            "next_attempt_at": now + retry_delay(message.attempts),
            "last_error": reason[:2000],
        }
    changed = (
        Message.objects.unscoped(UNSCOPED)
        .filter(pk=message.pk, status__in=expected)
        .update(updated_at=now, **values)
    )
    return status if changed else None


def _temporary(message: Message, reason: str) -> str:
    status = _retry_or_give_up(message, reason, timezone.now(), expected=[MessageStatus.SENDING])
    return status or MessageStatus.TEMPORARY_FAILURE


def _refused(message: Message, reason: str, now: datetime.datetime) -> str:
    Message.objects.unscoped(UNSCOPED).filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.PERMANENT_FAILURE,
        next_attempt_at=None,
        last_error=reason[:2000],
        updated_at=now,
    )
    return MessageStatus.PERMANENT_FAILURE


def attempt(message: Message, sender: Sender) -> Sent | SendError:
    """Send one claimed message (status ``sending``), or find it at the provider if it was
    tried before: what the provider answered, or the failure (nothing is written)."""
    try:
        found = sender.find(message) if message.attempts > 1 else None
        return found if found is not None else sender.send(message)
    except SendError as error:
        return error
    except Exception as error:
        # A fault of ours (a letter that would not render, ...): logged, retried, then given up.
        logger.exception("Sending message %s failed", message.pk)
        return TemporaryFailure(f"{type(error).__name__}: {error}")


def record(message: Message, result: Sent | SendError) -> str:
    """Write the outcome of ``attempt``: the message's new status."""
    if isinstance(result, PermanentFailure):
        return _refused(message, result.reason, timezone.now())
    if isinstance(result, SendError):
        return _temporary(message, result.reason)
    return _record(message, result, timezone.now())


def deliver(message: Message, sender: Sender) -> str:
    """Send one claimed message and record the outcome: the new status."""
    return record(message, attempt(message, sender))


@dataclass
class Run:
    """What one run of the worker's step did."""

    claimed: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


def process_due(*, sender: Sender | None = None, batch: int | None = None) -> Run:
    """Send every due message, batch after batch, until none is due; then return.  E-mail on
    a case carries the case's signed reply address as its Reply-To."""
    sender = sender or configured(reply_to=reply_address.reply_to)
    size = batch or settings.ONESTOP_MESSAGE_BATCH
    run = Run()
    while True:
        # Messages to many customers being sent: the next chunk of recipients (services.bulk).
        expanded = bulk.expand_due()
        claimed = claim(size)
        if not claimed:
            if expanded:
                continue
            return run
        run.claimed += len(claimed)
        results = [(message, attempt(message, sender)) for message in claimed]
        # The batch's outcomes in one commit (a crash before it leaves them "sending": found
        # again at the provider when their lease ends, not sent twice).
        with transaction.atomic():
            for message, result in results:
                run.statuses[record(message, result)] += 1


def send_now(message: Message, sender: Sender) -> tuple[str, Sent | None, str]:
    """Claim and send this one message at once (``notify send-test``): its status, what the
    provider answered (``None`` on a failure) and the failure's reason."""
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.ONESTOP_MESSAGE_SENDING_LEASE_SECONDS)
    rows = Message.objects.unscoped(UNSCOPED).filter(_due(now), pk=message.pk)
    if not rows.update(
        status=MessageStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + lease,
        updated_at=now,
    ):
        return message.status, None, "The message is not due"
    message.refresh_from_db()
    try:
        sent = sender.send(message)
    except SendError as error:
        if isinstance(error, PermanentFailure):
            status = _refused(message, error.reason, timezone.now())
        else:
            status = _temporary(message, error.reason)
        return status, None, error.reason
    return _record(message, sent, timezone.now()), sent, ""


# --- What the provider says later: receipts, look-ups, bounces ---------------------------------
#: A receipt may move a message only from these statuses (so a delivered message never goes
#: back to sent, and a replayed old receipt changes nothing).
RECEIPT_FROM: list[str] = [MessageStatus.SENDING, MessageStatus.SENT]


def apply_receipt(message: Message, status: str, *, reason: str = "") -> bool:
    """Record the provider's later word on ``message`` (a ``MessageStatus`` value): delivered,
    a permanent failure, or a temporary one (retried after the backoff).  Whether it changed
    anything."""
    now = timezone.now()
    rows = Message.objects.unscoped(UNSCOPED).filter(pk=message.pk, status__in=RECEIPT_FROM)
    if status == MessageStatus.DELIVERED:
        return bool(rows.update(status=status, delivered_at=now, updated_at=now))
    if status in {MessageStatus.PERMANENT_FAILURE, MessageStatus.TECHNICAL_FAILURE}:
        return bool(
            rows.update(
                status=status, next_attempt_at=None, last_error=reason[:2000], updated_at=now
            )
        )
    if status == MessageStatus.TEMPORARY_FAILURE:
        return _retry_or_give_up(message, reason, now, expected=RECEIPT_FROM) is not None
    return False  # "sent" and the like add nothing to what is recorded


def look_up_statuses(
    *, sender: Sender | None = None, now: datetime.datetime | None = None, limit: int = 1000
) -> int:
    """Ask GOV.UK Notify about messages ``sent`` more than
    ``ONESTOP_NOTIFY_STATUS_AFTER_MINUTES`` ago with no receipt (a callback that never came);
    record what it says.  The number of messages whose status changed."""
    from onestop.notify.senders.govuk import NotifySender, status_of

    sender = sender or configured()
    if not isinstance(sender, NotifySender):
        return 0
    now = now or timezone.now()
    waited = datetime.timedelta(minutes=settings.ONESTOP_NOTIFY_STATUS_AFTER_MINUTES)
    candidates = (
        Message.objects.unscoped(UNSCOPED)
        .filter(
            provider=sender.name,
            status=MessageStatus.SENT,
            sent_at__lte=now - waited,
            sent_at__gte=now - NOTIFY_RETENTION,
        )
        .order_by("sent_at", "id")[:limit]
    )
    changed = 0
    for message in candidates:
        try:
            notifications = sender.notifications(message)
        except SendError as error:
            logger.warning("Status look-up of message %s failed: %s", message.pk, error.reason)
            continue
        for item in notifications:
            if str(item.get("id", "")) != message.provider_id:
                continue
            notify_status = str(item.get("status", ""))
            status = status_of(notify_status)
            if status is not None and apply_receipt(
                message, status, reason=f"GOV.UK Notify: {notify_status}"
            ):
                changed += 1
    return changed


def test_message(organisation: Organisation, to: str) -> Message:
    """A test message from ``organisation`` to ``to`` (an e-mail address or a phone number),
    written ``pending`` (``ServiceError`` naming what is wrong with the address)."""
    to = to.strip()
    if "@" in to:
        channel, address = Channel.EMAIL, customer_services.clean_email(to, "to")
    else:
        channel, address = Channel.SMS, customer_services.clean_phone(to, "to")
    now = timezone.now()
    message: Message = Message.objects.create(
        organisation=organisation,
        recipient_kind=RecipientKind.STAFF,
        recipient_label="Test recipient",
        address=address,
        channel=channel,
        event=Event.TEST,
        subject=f"Test message from {organisation.name}",
        body=(
            f"This is a test message from OneStop for {organisation.name}. "
            "It was sent to check the message settings; no reply is needed."
        ),
        created_at=now,
        updated_at=now,
    )
    return message
