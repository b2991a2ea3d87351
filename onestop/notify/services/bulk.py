"""A message to many customers at once: staff write it (a draft), confirm it (``sending``), and
the worker writes each recipient's message in chunks; staff may cancel it until it has gone.

Nothing here writes thousands of rows in a request.  ``send`` only marks the message
``sending``; the worker's step (``sending.process_due``) calls ``expand_due`` before it claims
messages, and each call writes one chunk of recipients per message being sent: the customers of
the group after ``cursor`` in id order, routed by the rule of every update
(``queries_bulk.recipients``), their messages inserted and the cursor and counts moved on, all
in one transaction with the bulk message's row locked.  A worker killed mid-chunk leaves the
chunk undone (rolled back) and the next run does it again; the unique rule on
``(organisation, bulk_message, customer)`` is the last guard against a second message to a
customer.  The sending loop's rate limit then throttles delivery like any other message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, text
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.notify import queries_bulk, wording
from onestop.notify.errors import NotifyError
from onestop.notify.models import (
    BulkMessage,
    BulkStatus,
    Channel,
    Event,
    Message,
    MessageStatus,
    RecipientKind,
    SkipReason,
)
from onestop.notify.queries import language_for
from onestop.notify.services import compose
from onestop.notify.services.templates import BODY_LIMIT, SMS_LIMIT, SUBJECT_LIMIT

UNSCOPED = "the worker writes every organisation's messages to many customers"
TITLE_LIMIT = 100
#: What cancelling stops: messages that have not left OneStop.
UNSENT = (MessageStatus.PENDING, MessageStatus.TEMPORARY_FAILURE)


def _refuse(message: str, field: str) -> ServiceError:
    return ServiceError(NotifyError.INVALID_BULK_MESSAGE, message, field=field)


def _clean_text(value: str, *, field: str, label: str, limit: int, required: str) -> str:
    value = value.strip()
    if text.has_control_characters(value):
        raise _refuse(text.refusal_message(label), field)
    if required and not value:
        raise _refuse(required, field)
    if len(value) > limit:
        raise _refuse(
            _("%(label)s must be %(limit)s characters or fewer") % {"label": label, "limit": limit},
            field,
        )
    return value


def check_group(organisation_id: int, group: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The group's definition in its standard form and how staff name it, or refused on the
    field to fix."""
    kind = group.get("kind")
    if kind == queries_bulk.POSTCODE:
        part = queries_bulk.parse_postcode_part(str(group.get("postcode", "")))
        if part is None:
            raise _refuse(
                _("Enter a postcode area, district or sector, like NN, NN1 or NN1 5"), "postcode"
            )
        return (
            {"kind": kind, "postcode": part.label},
            _("Customers whose current address is in %(postcode)s") % {"postcode": part.label},
        )
    if kind == queries_bulk.VISIT:
        point_id = str(group.get("access_point_id") or "")
        point = (
            queries_bulk.access_points(organisation_id).filter(pk=int(point_id)).first()
            if point_id.isdigit() and len(point_id) < 19
            else None
        )
        if point is None:
            raise _refuse(_("Select the place"), "access_point")
        date = group.get("date")
        if date is None:
            raise _refuse(_("Enter the date of the visit"), "visit_date")
        return (
            {"kind": kind, "access_point_id": point.pk, "date": date.isoformat()},
            _("Customers who came to %(place)s on %(date)s")
            % {"place": point.name, "date": wording.long_date(date, "en")},
        )
    registered = queries_bulk.registered_group(kind)
    if registered is not None:
        value = str(group.get("value") or "")
        names = dict(registered.choices(organisation_id))
        if value not in names:
            raise _refuse(registered.refusal, registered.field)
        return (
            {"kind": registered.kind, "value": value},
            registered.named % {"name": names[value]},
        )
    raise _refuse(_("Select who the message is for"), "group_kind")


def create_bulk(
    organisation_id: int,
    *,
    by: User,
    title: str,
    group: Mapping[str, Any],
    use_template: bool,
    subject: str,
    message: str,
    channels: Sequence[str],
) -> BulkMessage:
    """A draft message to many customers (nothing is sent until ``send``)."""
    title = _clean_text(
        title, field="title", label=_("Name"), limit=TITLE_LIMIT, required=_("Enter a name")
    )
    definition, label = check_group(organisation_id, group)
    allowed = [name for name in Channel.values if name in channels]
    if not allowed or len(allowed) != len(set(channels)):
        raise _refuse(_("Select at least one way to send it"), "channels")
    limit = SMS_LIMIT if Channel.SMS in allowed else BODY_LIMIT
    body = _clean_text(
        message, field="message", label=_("Message"), limit=limit, required=_("Enter the message")
    )
    subject = "" if use_template else subject
    if not use_template:
        needs_subject = any(name != Channel.SMS for name in allowed)
        subject = _clean_text(
            subject,
            field="subject",
            label=_("Subject"),
            limit=SUBJECT_LIMIT,
            required=_("Enter the subject") if needs_subject else "",
        )
        own = [name for name in wording.PLACEHOLDERS[Event.BULK] if name != "text"]
        for value, field in ((subject, "subject"), (body, "message")):
            unknown = [name for name in wording.placeholders_in(value) if name not in own]
            if unknown:
                raise ServiceError(
                    NotifyError.UNKNOWN_PLACEHOLDER,
                    _("((%(name)s)) is not a placeholder of this message: use only %(allowed)s")
                    % {"name": unknown[0], "allowed": ", ".join(f"(({n}))" for n in own)},
                    field=field,
                )
    now = timezone.now()
    with transaction.atomic():
        bulk = BulkMessage(
            organisation_id=organisation_id,
            title=title,
            group=definition,
            group_label=label[:300],
            use_template=use_template,
            subject=subject,
            text=body,
            channels=allowed,
            created_at=now,
            created_by=by,
            updated_at=now,
        )
        bulk.save(force_insert=True)
        audit.record_change(
            bulk,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Message to many customers: {title}",
            changes={"group": definition, "channels": allowed, "use_template": use_template},
        )
    return bulk


def _locked(bulk: BulkMessage) -> BulkMessage:
    rows = BulkMessage.objects.for_organisation(bulk.organisation_id).filter(pk=bulk.pk)
    if connection.vendor == "postgresql":
        rows = rows.select_for_update()
    locked: BulkMessage = rows.get()
    return locked


def send(bulk: BulkMessage, *, by: User) -> BulkMessage:
    """Confirm a draft: ``sending``, the worker writes the recipients' messages.  Refused when
    it is not a draft, and when nobody is in the group now."""
    with transaction.atomic():
        locked = _locked(bulk)
        if locked.status != BulkStatus.DRAFT:
            raise ServiceError(
                NotifyError.NOT_SENDABLE,
                _("This message has already been sent or cancelled"),
            )
        if not queries_bulk.group_customers(locked.organisation_id, locked.group).exists():
            raise ServiceError(
                NotifyError.NOT_SENDABLE,
                _("Nobody is in this group now: there is no one to send to"),
            )
        now = timezone.now()
        locked.status, locked.send_at, locked.sent_by, locked.updated_at = (
            BulkStatus.SENDING,
            now,
            by,
            now,
        )
        locked.save(update_fields=["status", "send_at", "sent_by", "updated_at"])
        audit.record_change(
            locked,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Message to many customers sent: {locked.title}",
            changes={"status": [BulkStatus.DRAFT, BulkStatus.SENDING]},
        )
    return locked


def cancel(bulk: BulkMessage, *, by: User) -> tuple[BulkMessage, int]:
    """Stop it: no more recipients are written, and their messages that have not left OneStop
    are cancelled.  The number of messages cancelled.  Refused once sent in full or cancelled."""
    with transaction.atomic():
        locked = _locked(bulk)
        old = locked.status
        messages = Message.objects.for_organisation(locked.organisation_id).filter(
            bulk_message=locked, status__in=UNSENT
        )
        if old == BulkStatus.CANCELLED or (old == BulkStatus.SENT and not messages.exists()):
            raise ServiceError(
                NotifyError.NOT_CANCELLABLE,
                _("This message has already been sent or cancelled"),
            )
        now = timezone.now()
        stopped = messages.update(
            status=MessageStatus.CANCELLED, next_attempt_at=None, updated_at=now
        )
        locked.status, locked.cancelled_at, locked.cancelled_by, locked.updated_at = (
            BulkStatus.CANCELLED,
            now,
            by,
            now,
        )
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        audit.record_change(
            locked,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Message to many customers cancelled: {locked.title}",
            changes={"status": [old, BulkStatus.CANCELLED], "messages_cancelled": stopped},
        )
    return locked, stopped


# --- the worker -----------------------------------------------------------------------------------
class _Words:
    """The words of each recipient's message, read once per channel and language."""

    def __init__(self, bulk: BulkMessage) -> None:
        self.bulk = bulk
        self.organisation_name = str(
            Organisation.objects.filter(pk=bulk.organisation_id).values_list("name", flat=True)[0]
        )
        self._cache: dict[tuple[str, str], wording.Wording] = {}

    def __call__(self, channel: str, language: str) -> wording.Wording:
        key = (channel, language)
        if key not in self._cache:
            if self.bulk.use_template:
                found = compose.wording_for(
                    self.bulk.organisation_id, Event.BULK, channel, language
                )
            else:
                subject = "" if channel == Channel.SMS else self.bulk.subject
                found = wording.Wording(subject, self.bulk.text, 0)
            self._cache[key] = found
        return self._cache[key]

    def render(self, channel: str, language: str, name: str) -> tuple[str, str, int]:
        words = self(channel, language)
        values = self.values(name)
        return (
            wording.render(words.subject, values)[:300],
            wording.render(words.body, values),
            words.version,
        )

    def values(self, name: str) -> dict[str, str]:
        return {
            "customer_name": name,
            "text": self.bulk.text,
            "organisation": self.organisation_name,
        }

    def own_notify_template(self, channel: str, language: str, name: str) -> dict[str, Any]:
        """The organisation's own GOV.UK Notify template for the council's template, if it
        names one (notifyops): the message's ``notify_template_id`` and ``personalisation``."""
        words = self(channel, language)
        return {
            "notify_template_id": words.notify_template_id,
            "personalisation": compose.personalisation_for(Event.BULK, words, self.values(name)),
        }


def expand_chunk(bulk_id: int, *, size: int = queries_bulk.CHUNK) -> int:
    """Write the messages of the next chunk of recipients of a message being sent: how many
    customers the chunk held (0 when there were none left, or it is no longer being sent)."""
    with transaction.atomic():
        rows = BulkMessage.objects.unscoped(UNSCOPED).filter(pk=bulk_id)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update()
        bulk = rows.first()
        if bulk is None or bulk.status != BulkStatus.SENDING:
            return 0
        organisation_id = bulk.organisation_id
        now = timezone.now()
        chunk = next(
            queries_bulk.chunks(organisation_id, bulk.group, after=bulk.cursor, size=size), []
        )
        if not chunk:
            bulk.status, bulk.finished_at, bulk.updated_at = BulkStatus.SENT, now, now
            bulk.save(update_fields=["status", "finished_at", "updated_at"])
            audit.record_change(
                bulk,
                by=None,
                action=AuditAction.CHANGED,
                summary=f"Message to many customers written for every recipient: {bulk.title}",
                changes={
                    "status": [BulkStatus.SENDING, BulkStatus.SENT],
                    "messages": bulk.messages_created,
                    "skipped": bulk.skipped,
                },
            )
            return 0
        words = _Words(bulk)
        messages = []
        skipped = {SkipReason.NO_CONSENT: 0, SkipReason.NO_ADDRESS: 0}
        for recipient in queries_bulk.recipients(organisation_id, chunk, bulk.channels):
            if recipient.route is None:
                skipped[SkipReason(recipient.skipped)] += 1
                continue
            customer, channel = recipient.customer, recipient.route.channel
            language = language_for(customer)
            subject, body, version = words.render(channel, language, customer.display_name)
            messages.append(
                Message(
                    organisation_id=organisation_id,
                    customer=customer,
                    bulk_message=bulk,
                    recipient_kind=RecipientKind.CUSTOMER,
                    recipient_label=customer.display_name[:200],
                    address=recipient.route.address,
                    channel=channel,
                    language=language,
                    format=customer.format if channel == Channel.LETTER else "",
                    event=Event.BULK,
                    template_version=version,
                    subject=subject,
                    body=body,
                    **words.own_notify_template(channel, language, customer.display_name),
                    created_at=now,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        bulk.cursor = chunk[-1].pk
        bulk.recipients += len(chunk)
        bulk.skipped_no_consent += skipped[SkipReason.NO_CONSENT]
        bulk.skipped_no_address += skipped[SkipReason.NO_ADDRESS]
        bulk.messages_created = (
            Message.objects.for_organisation(organisation_id).filter(bulk_message=bulk).count()
        )
        bulk.updated_at = now
        bulk.save(
            update_fields=[
                "cursor",
                "recipients",
                "skipped_no_consent",
                "skipped_no_address",
                "messages_created",
                "updated_at",
            ]
        )
        return len(chunk)


def being_sent() -> list[int]:
    """The ids of every organisation's messages to many customers being sent, oldest first."""
    return list(
        BulkMessage.objects.unscoped(UNSCOPED)
        .filter(status=BulkStatus.SENDING)
        .order_by("send_at", "id")
        .values_list("id", flat=True)
    )


def expand_due(*, size: int = queries_bulk.CHUNK) -> int:
    """One chunk of each message to many customers being sent: how many customers were done
    (0: nothing left to write)."""
    return sum(expand_chunk(bulk_id, size=size) for bulk_id in being_sent())
