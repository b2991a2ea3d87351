"""Staff put a message right from the outbox page: retry one that failed or is stuck (back to
``pending``, due now) or cancel one that has not gone (``cancelled``).  Each change is audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, User
from onestop.notify.errors import NotifyError
from onestop.notify.models import FAILED_STATUSES, ChangeSource, Message, MessageStatus
from onestop.notify.services import history

#: A message may be retried from these, and from ``sending`` once stuck there (``STUCK_AFTER``:
#: a worker that died mid-send; the sender's own crash safety stops a second copy).
RETRYABLE = frozenset({*FAILED_STATUSES, MessageStatus.PENDING})
STUCK_AFTER = datetime.timedelta(minutes=15)
#: A message may be cancelled until it has left OneStop.
CANCELLABLE = frozenset(
    {MessageStatus.PENDING, MessageStatus.TEMPORARY_FAILURE, MessageStatus.TECHNICAL_FAILURE}
    | {MessageStatus.PERMANENT_FAILURE}
)


def _move(message: Message, *, allowed: Q, **values: object) -> int:
    return (
        Message.objects.for_organisation(message.organisation_id)
        .filter(allowed, pk=message.pk)
        .update(updated_at=timezone.now(), **values)
    )


def retry(message: Message, *, by: User) -> Message:
    """Send ``message`` again: pending and due now.  Refused for a message with no channel or
    address (fix the customer's record and send a new one) and for one already sent."""
    if not message.channel or not message.address:
        raise ServiceError(
            NotifyError.NOT_RETRYABLE,
            _(
                "This message has no channel or address to send it to: add one to the "
                "recipient's record, then send a new message"
            ),
        )
    with transaction.atomic():
        old = message.status
        now = timezone.now()
        stuck = Q(status=MessageStatus.SENDING, updated_at__lt=now - STUCK_AFTER)
        moved = _move(
            message,
            allowed=Q(status__in=sorted(RETRYABLE)) | stuck,
            status=MessageStatus.PENDING,
            next_attempt_at=now,
        )
        if moved != 1:
            raise ServiceError(
                NotifyError.NOT_RETRYABLE,
                _(
                    "This message is being sent, has been sent or was cancelled: it cannot be "
                    "sent again"
                ),
            )
        message.status, message.next_attempt_at = MessageStatus.PENDING, now
        history.write(
            [history.Change(message, old, MessageStatus.PENDING, "Sent again by staff")],
            source=ChangeSource.STAFF,
            by=by,
            audited=False,  # the record below says it
        )
        audit.record_change(
            message,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Message {message.pk} to send again",
            changes={"status": [old, MessageStatus.PENDING]},
        )
    return message


def cancel(message: Message, *, by: User) -> Message:
    """Stop ``message``: it will not be sent.  Refused once sent, delivered or cancelled."""
    with transaction.atomic():
        old = message.status
        moved = _move(
            message,
            allowed=Q(status__in=sorted(CANCELLABLE)),
            status=MessageStatus.CANCELLED,
            next_attempt_at=None,
            sealed="",  # words only the recipient could read go with it
        )
        if moved != 1:
            raise ServiceError(
                NotifyError.NOT_CANCELLABLE,
                _("This message has already been sent or cancelled"),
            )
        message.status, message.next_attempt_at = MessageStatus.CANCELLED, None
        history.write(
            [history.Change(message, old, MessageStatus.CANCELLED, "Cancelled by staff")],
            source=ChangeSource.STAFF,
            by=by,
            audited=False,  # the record below says it
        )
        audit.record_change(
            message,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Message {message.pk} cancelled",
            changes={"status": [old, MessageStatus.CANCELLED]},
        )
    return message
