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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.customers import services as customer_services
from onestop.notify import letters, sealing
from onestop.notify.models import (
    ChangeSource,
    Channel,
    Event,
    Message,
    MessageStatus,
    RecipientKind,
)
from onestop.notify.senders import (
    PermanentFailure,
    Sender,
    SendError,
    Sent,
    TemporaryFailure,
    configured,
)
from onestop.notify.services import bulk, history, reply_address

logger = logging.getLogger(__name__)
_random = secrets.SystemRandom()
UNSCOPED = "the worker sends every organisation's due messages"
#: Notify keeps notifications for seven days: older ones cannot be looked up.
NOTIFY_RETENTION = datetime.timedelta(days=7)
#: Look-up answers written (and audited) together.
LOOK_UP_CHUNK = 100


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
        before = dict(candidates.values_list("id", "status")[:limit])
        ids = sorted(before)
        if not ids:
            return []
        messages.filter(_due(now), id__in=ids).update(
            status=MessageStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=marker,
            updated_at=now,
        )
        claimed = list(
            messages.filter(id__in=ids, status=MessageStatus.SENDING, next_attempt_at=marker)
            .select_related("organisation")
            .order_by("id")
        )
        history.write(
            [history.Change(message, before[message.pk], message.status) for message in claimed],
            source=ChangeSource.WORKER,
        )
        return claimed


def _answer(sent: Sent) -> str:
    """The provider's answer for the history: its name, its id and the status it gave."""
    status = str(sent.answer.get("status", "")) if sent.answer else ""
    return f"{sent.provider}: id {sent.provider_id}" + (f", {status}" if status else "")


def _record(
    message: Message, sent: Sent, now: datetime.datetime, changes: list[history.Change]
) -> str:
    """Write what the provider answered; a receipt that got in first keeps its status."""
    values: dict[str, object] = {
        "status": sent.status,
        "provider": sent.provider,
        "provider_id": sent.provider_id[:200],
        "sent_at": now,
        "next_attempt_at": None,
        "last_error": "",
        "updated_at": now,
        "sealed": "",
    }
    if sent.status == MessageStatus.DELIVERED:
        values["delivered_at"] = now
    if sent.status == MessageStatus.PERMANENT_FAILURE:
        values["last_error"] = f"{sent.provider}: {sent.answer.get('status', 'refused')}"
    rows = Message.objects.unscoped(UNSCOPED)
    if rows.filter(pk=message.pk, status=MessageStatus.SENDING).update(**values):
        changes.append(history.Change(message, MessageStatus.SENDING, sent.status, _answer(sent)))
        return sent.status
    rows.filter(pk=message.pk, provider_id="").update(
        provider=sent.provider, provider_id=sent.provider_id[:200], updated_at=now
    )
    return str(rows.values_list("status", flat=True).get(pk=message.pk))


_SENT_BATCH_SQL = """
UPDATE {table} AS message
   SET status = %s, provider = answer.provider, provider_id = answer.provider_id,
       sent_at = %s, next_attempt_at = NULL, last_error = '', updated_at = %s, sealed = ''
  FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS answer(id, provider, provider_id)
 WHERE message.id = answer.id AND message.status = %s
RETURNING message.id
"""


def _record_sent(
    results: list[tuple[Message, Sent | SendError]],
    now: datetime.datetime,
    changes: list[history.Change],
) -> set[int]:
    """On PostgreSQL, the batch's messages the provider took (``sent``), recorded with one
    UPDATE instead of one each: the ids recorded.  The rest (failures, receipts that got in
    first, and every message on SQLite) go through ``record`` one by one."""
    taken = [
        (message, result)
        for message, result in results
        if isinstance(result, Sent) and result.status == MessageStatus.SENT
    ]
    if connection.vendor != "postgresql" or not taken:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            _SENT_BATCH_SQL.format(table=connection.ops.quote_name(Message._meta.db_table)),
            [
                MessageStatus.SENT,
                now,
                now,
                [message.pk for message, _result in taken],
                [result.provider for _message, result in taken],
                [result.provider_id[:200] for _message, result in taken],
                MessageStatus.SENDING,
            ],
        )
        recorded = {row[0] for row in cursor.fetchall()}
    changes.extend(
        history.Change(message, MessageStatus.SENDING, MessageStatus.SENT, _answer(result))
        for message, result in taken
        if message.pk in recorded
    )
    return recorded


def _retry_or_give_up(
    message: Message,
    reason: str,
    now: datetime.datetime,
    *,
    expected: list[str],
    changes: list[history.Change],
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
            "sealed": "",
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
    if not changed:
        return None
    before = message.status if message.status in expected else expected[0]
    changes.append(history.Change(message, before, status, history.summary(reason, message)))
    return status


def _temporary(message: Message, reason: str, changes: list[history.Change]) -> str:
    status = _retry_or_give_up(
        message, reason, timezone.now(), expected=[MessageStatus.SENDING], changes=changes
    )
    return status or MessageStatus.TEMPORARY_FAILURE


def _refused(
    message: Message, reason: str, now: datetime.datetime, changes: list[history.Change]
) -> str:
    if (
        Message.objects.unscoped(UNSCOPED)
        .filter(pk=message.pk, status=MessageStatus.SENDING)
        .update(
            status=MessageStatus.PERMANENT_FAILURE,
            next_attempt_at=None,
            last_error=reason[:2000],
            updated_at=now,
            sealed="",
        )
    ):
        changes.append(
            history.Change(
                message,
                MessageStatus.SENDING,
                MessageStatus.PERMANENT_FAILURE,
                history.summary(reason, message),
            )
        )
    return MessageStatus.PERMANENT_FAILURE


def attempt(message: Message, sender: Sender) -> Sent | SendError:
    """Send one claimed message (status ``sending``), or find it at the provider if it was
    tried before: what the provider answered, or the failure (nothing is written)."""
    try:
        found = sender.find(message) if message.attempts > 1 else None
        return found if found is not None else sender.send(sealing.opened(message))
    except sealing.SealBroken as error:
        return PermanentFailure(str(error))
    except SendError as error:
        return error
    except Exception as error:
        # A fault of ours (a letter that would not render, ...): logged, retried, then given up.
        logger.exception("Sending message %s failed", message.pk)
        return TemporaryFailure(f"{type(error).__name__}: {error}")


def record(
    message: Message, result: Sent | SendError, changes: list[history.Change] | None = None
) -> str:
    """Write the outcome of ``attempt``: the message's new status.  The change of status is
    added to ``changes`` (the caller writes the batch's history), else written at once."""
    own: list[history.Change] = [] if changes is None else changes
    # Within the caller's transaction no savepoint of its own (one costs two statements).
    with transaction.atomic(savepoint=False):
        if isinstance(result, PermanentFailure):
            status = _refused(message, result.reason, timezone.now(), own)
        elif isinstance(result, SendError):
            status = _temporary(message, result.reason, own)
        else:
            status = _record(message, result, timezone.now(), own)
        if changes is None:
            history.write(own, source=ChangeSource.WORKER)
    return status


def deliver(message: Message, sender: Sender) -> str:
    """Send one claimed message and record the outcome: the new status."""
    return record(message, attempt(message, sender))


@dataclass
class Run:
    """What one run of the worker's step did."""

    claimed: int = 0
    statuses: Counter[str] = field(default_factory=Counter)


def process_due(
    *,
    sender: Sender | None = None,
    batch: int | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> Run:
    """Send every due message, batch after batch, until none is due (or ``keep_going``
    answers ``False``: the worker is stopping); then return.  E-mail on a case carries the
    case's signed reply address as its Reply-To."""
    sender = sender or configured(reply_to=reply_address.reply_to)
    size = batch or settings.ONESTOP_MESSAGE_BATCH
    run = Run()
    while keep_going is None or keep_going():
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
            changes: list[history.Change] = []
            recorded = _record_sent(results, timezone.now(), changes)
            for message, result in results:
                if message.pk in recorded:
                    run.statuses[MessageStatus.SENT] += 1
                else:
                    run.statuses[record(message, result, changes)] += 1
            history.write(changes, source=ChangeSource.WORKER)
    return run


def send_now(message: Message, sender: Sender) -> tuple[str, Sent | None, str]:
    """Claim and send this one message at once (``notify send-test``): its status, what the
    provider answered (``None`` on a failure) and the failure's reason."""
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.ONESTOP_MESSAGE_SENDING_LEASE_SECONDS)
    rows = Message.objects.unscoped(UNSCOPED).filter(_due(now), pk=message.pk)
    before = message.status
    with transaction.atomic():
        if not rows.update(
            status=MessageStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + lease,
            updated_at=now,
        ):
            return message.status, None, "The message is not due"
        message.refresh_from_db()
        history.write(
            [history.Change(message, before, MessageStatus.SENDING)],
            source=ChangeSource.SEND_TEST,
        )
    changes: list[history.Change] = []
    with transaction.atomic():
        try:
            sent = sender.send(sealing.opened(message))
        except sealing.SealBroken as broken:
            status = _refused(message, str(broken), timezone.now(), changes)
            history.write(changes, source=ChangeSource.SEND_TEST)
            return status, None, str(broken)
        except SendError as error:
            if isinstance(error, PermanentFailure):
                status = _refused(message, error.reason, timezone.now(), changes)
            else:
                status = _temporary(message, error.reason, changes)
            history.write(changes, source=ChangeSource.SEND_TEST)
            return status, None, error.reason
        status = _record(message, sent, timezone.now(), changes)
        history.write(changes, source=ChangeSource.SEND_TEST)
    return status, sent, ""


# --- What the provider says later: receipts, look-ups, bounces ---------------------------------
#: A receipt may move a message only from these statuses (so a delivered message never goes
#: back to sent, and a replayed old receipt changes nothing).
RECEIPT_FROM: list[str] = [MessageStatus.SENDING, MessageStatus.SENT]


def apply_receipt(
    message: Message,
    status: str,
    *,
    reason: str = "",
    changes: list[history.Change] | None = None,
    source: str = ChangeSource.RECEIPT,
) -> bool:
    """Record the provider's later word on ``message`` (a ``MessageStatus`` value): delivered,
    a permanent failure, or a temporary one (retried after the backoff).  Whether it changed
    anything.  The change goes into ``changes`` (the caller writes the history), else it is
    written at once as made by ``source``."""
    own: list[history.Change] = [] if changes is None else changes
    # Within the caller's transaction no savepoint of its own (one costs two statements).
    with transaction.atomic(savepoint=False):
        changed = _apply_receipt(message, status, reason, own)
        if changes is None:
            history.write(own, source=source)
    return changed


def _apply_receipt(
    message: Message, status: str, reason: str, changes: list[history.Change]
) -> bool:
    now = timezone.now()
    rows = Message.objects.unscoped(UNSCOPED).filter(pk=message.pk, status__in=RECEIPT_FROM)
    before = message.status if message.status in RECEIPT_FROM else MessageStatus.SENT
    if status == MessageStatus.TEMPORARY_FAILURE:
        return (
            _retry_or_give_up(message, reason, now, expected=RECEIPT_FROM, changes=changes)
            is not None
        )
    if status == MessageStatus.DELIVERED:
        changed = rows.update(status=status, delivered_at=now, updated_at=now)
    elif status in {MessageStatus.PERMANENT_FAILURE, MessageStatus.TECHNICAL_FAILURE}:
        changed = rows.update(
            status=status, next_attempt_at=None, last_error=reason[:2000], updated_at=now
        )
    else:
        return False  # "sent" and the like add nothing to what is recorded
    if changed:
        changes.append(history.Change(message, before, status, history.summary(reason, message)))
    return bool(changed)


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
        # Asked before and Notify had no news: not again until ``waited`` has passed.
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("sent_at", "id")[:limit]
    )
    answers: list[tuple[Message, str, str]] = []
    asked: list[int] = []
    for message in candidates:
        try:
            notifications = sender.notifications(message)
        except SendError as error:
            logger.warning("Status look-up of message %s failed: %s", message.pk, error.reason)
            continue
        asked.append(message.pk)
        for item in notifications:
            notify_status = str(item.get("status", ""))
            status = status_of(notify_status)
            if str(item.get("id", "")) == message.provider_id and status is not None:
                answers.append((message, status, f"GOV.UK Notify: {notify_status}"))
    # Those Notify still has as sending (an international text: for good) wait before the next
    # look-up: the worker's step runs every few seconds.
    moved = {message.pk for message, status, _reason in answers if status != MessageStatus.SENT}
    Message.objects.unscoped(UNSCOPED).filter(
        pk__in=[pk for pk in asked if pk not in moved], status=MessageStatus.SENT
    ).update(next_attempt_at=now + waited)
    changed = 0
    # What Notify said, written in chunks: each chunk's changes, their history and one audit
    # record per organisation in one commit (no transaction held open while asking Notify).
    for start in range(0, len(answers), LOOK_UP_CHUNK):
        with transaction.atomic():
            changes: list[history.Change] = []
            for message, status, reason in answers[start : start + LOOK_UP_CHUNK]:
                changed += apply_receipt(message, status, reason=reason, changes=changes)
            history.write(changes, source=ChangeSource.LOOK_UP)
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
