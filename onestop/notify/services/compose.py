"""The one way any app asks for a message: composed here, written in the caller's transaction.

``message_to_customer`` chooses the channel from the customer's preferred channel, consent and
the addresses on record (``queries.route_to``: the preferred channel, then e-mail, SMS, letter;
consent needed for e-mail and SMS except for the answers to the customer's own request),
the language (Welsh for a customer who asked for Welsh) and the format (large print: a letter
printed large).  With no way to reach the customer at all the message is still recorded, as not
sent and why, and a ``StaffTask`` ("no way to reach the customer") is opened on the case and the
customer, so the message never silently vanishes.  Braille, audio, easy read or an interpreter
open a task naming what is needed, besides the message sent as normal.

``message_to_staff`` writes one message to a member of staff (by e-mail); ``staff_notices``
writes many at once with one set-based insert (the escalation sweep).

The words come from the organisation's own template (``MessageTemplate``) for the event, channel
and language, else the shipped default (``wording``); the message records the version (0: the
default).  Nothing here opens a transaction of its own: the message is the outbox of the change
that causes it, committed or rolled back with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, batch, bulk, permissions
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Customer
from onestop.customers.models import Format as CustomerFormat
from onestop.notify import queries, sealing, wording
from onestop.notify.models import (
    Channel,
    Language,
    Message,
    MessageStatus,
    MessageTemplate,
    RecipientKind,
    StaffTask,
    TaskKind,
)

Value = str | int | datetime.datetime | datetime.date | None
Context = Mapping[str, Value]

NO_WAY_TO_REACH = _("No way to reach the customer")

_FORMAT_TASKS: dict[str, str] = {
    CustomerFormat.BRAILLE: TaskKind.BRAILLE,
    CustomerFormat.AUDIO: TaskKind.AUDIO,
    CustomerFormat.EASY_READ: TaskKind.EASY_READ,
}


@dataclass
class Outcome:
    """What asking for a message to a customer did: the message recorded (``sendable`` when it
    has a channel and address) and any tasks opened for staff."""

    message: Message
    tasks: list[StaffTask] = field(default_factory=list)

    @property
    def sendable(self) -> bool:
        return self.message.status == MessageStatus.PENDING


def wording_for(organisation_id: int, event: str, channel: str, language: str) -> wording.Wording:
    """The organisation's own template, else the shipped default (a message with no channel is
    worded as an e-mail would be, so staff can read what was meant)."""
    channel = channel or Channel.EMAIL
    own = batch.remembered(  # read once per ``core.batch``
        ("notify.template", organisation_id, event, channel, language),
        lambda: (
            MessageTemplate.objects.for_organisation(organisation_id)
            .filter(event=event, channel=channel, language=language)
            .only("subject", "body", "version", "notify_template_id")
            .first()
        ),
    )
    if own is not None:
        return wording.Wording(own.subject, own.body, own.version, own.notify_template_id)
    return wording.default(event, channel, language)


def values_for(context: Context, language: str, organisation_name: str) -> dict[str, str]:
    """Placeholder values as text: dates written out in ``language`` ("1 December 2026"; a name
    ending ``_time`` with the time of day too)."""
    values = {"organisation": organisation_name}
    for name, value in context.items():
        if isinstance(value, datetime.datetime) and name.endswith("_time"):
            values[name] = wording.long_date_time(value, language)
        elif isinstance(value, datetime.date | datetime.datetime):
            values[name] = wording.long_date(value, language)
        else:
            values[name] = "" if value is None else str(value)
    return values


def personalisation_for(
    event: str, words: wording.Wording, values: Mapping[str, str]
) -> dict[str, str]:
    """The named placeholders' values for the organisation's own GOV.UK Notify template
    (every placeholder of the event, as OneStop renders it); none without such a template."""
    if not words.notify_template_id:
        return {}
    return {name: values.get(name, "") for name in wording.PLACEHOLDERS[event]}


def _organisation_name(organisation_id: int) -> str:
    return batch.remembered(  # read once per ``core.batch``
        ("core.organisation_name", organisation_id),
        lambda: str(
            Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True)[0]
        ),
    )


def message_to_customer(
    *,
    organisation_id: int,
    customer: Customer | None,
    event: str,
    context: Context,
    case_id: int | None = None,
    by: User | None = None,
    name: str = "",
    visible_with: str = "",
    hidden_from: User | None = None,
) -> Outcome:
    """Record ``event``'s message to ``customer`` (or to ``name``, a person with no customer
    record, such as a councillor's constituent, who can only be reached through a task).

    A message about a confidential record (a complaint about a named member of staff) names
    the permission staff need to read it (``visible_with``, a ``core.permissions`` action) and
    the person who must never read it (``hidden_from``); ``queries.messages_for`` keeps it
    from everyone else, on every page, list and task."""
    if customer is not None and customer.organisation_id != organisation_id:
        raise ValueError("The customer belongs to another organisation")
    if visible_with and visible_with not in permissions.ALL_ACTIONS:
        raise ValueError(f"Unknown permission {visible_with!r}")
    if hidden_from is not None and hidden_from.organisation_id != organisation_id:
        raise ValueError("The member of staff belongs to another organisation")
    language = queries.language_for(customer)
    large_print = customer is not None and customer.format == CustomerFormat.LARGE_PRINT
    route = queries.route_to(customer, event=event, large_print=large_print)
    label = (customer.display_name if customer is not None else name)[:200]
    now = timezone.now()
    organisation_name = _organisation_name(organisation_id)
    channel = route.channel if route is not None else ""
    words = wording_for(organisation_id, event, channel, language)
    values = values_for(
        {"customer_name": label, **context}, language, organisation_name=organisation_name
    )
    message = Message(
        organisation_id=organisation_id,
        case_id=case_id,
        customer=customer,
        recipient_kind=RecipientKind.CUSTOMER,
        recipient_label=label,
        address=route.address if route is not None else "",
        channel=channel,
        language=language,
        format=(customer.format if customer is not None else "")
        if channel == Channel.LETTER
        else "",
        event=event,
        template_version=words.version,
        subject=wording.render(words.subject, values)[:300],
        body=wording.render(words.body, values),
        notify_template_id=words.notify_template_id,
        personalisation=personalisation_for(event, words, values),
        created_at=now,
        next_attempt_at=now if route is not None else None,
        updated_at=now,
        visible_with=visible_with,
        hidden_from=hidden_from,
    )
    if route is None:
        message.status = MessageStatus.TECHNICAL_FAILURE
        message.last_error = _(
            "Not sent: %(name)s has no e-mail address or mobile number they can be sent this "
            "at, and no current postal address. A task was opened for staff."
        ) % {"name": label or _("the customer")}
    batch.insert(message)  # with the batch's others in the IMAP poller's batch
    outcome = Outcome(message)
    if route is None:
        outcome.tasks.append(
            open_task(
                message,
                kind=TaskKind.NO_WAY_TO_REACH,
                description=_(
                    "No way to reach %(name)s: the %(event)s could not be sent. Add an e-mail "
                    "address (with consent), a mobile number (with consent) or a postal address, "
                    "or tell them another way."
                )
                % {"name": label or _("the customer"), "event": _event_name(message)},
                by=by,
            )
        )
    if customer is not None:
        outcome.tasks.extend(_format_tasks(message, customer, by=by))
    return outcome


def email_to_address(
    *,
    organisation_id: int,
    address: str,
    event: str,
    context: Context,
    customer: Customer | None = None,
    visible_with: str = "",
    sealed_context: Context | None = None,
) -> Message:
    """Record ``event``'s e-mail to exactly ``address``, whatever channel the customer prefers:
    for a message whose point is to reach that mailbox (a sign-in link proves the reader holds
    it).  ``customer``, one of the organisation's records with that address, sets the language
    and the name; the message is sent like every other (pending, taken by the worker).
    ``visible_with`` keeps it from staff without that permission (``message_to_customer``'s).
    ``sealed_context``'s values reach the recipient alone: the stored words have them blanked
    out, and the words as sent are sealed (``notify.sealing``) until the message is sent."""
    if customer is not None and customer.organisation_id != organisation_id:
        raise ValueError("The customer belongs to another organisation")
    if visible_with and visible_with not in permissions.ALL_ACTIONS:
        raise ValueError(f"Unknown permission {visible_with!r}")
    language = queries.language_for(customer)
    label = customer.display_name[:200] if customer is not None else ""
    words = wording_for(organisation_id, event, Channel.EMAIL, language)
    values = values_for(
        {"customer_name": label, **context},
        language,
        organisation_name=_organisation_name(organisation_id),
    )
    sealed = ""
    if sealed_context:
        live = {**values, **values_for(sealed_context, language, values["organisation"])}
        sealed = sealing.seal(
            subject=wording.render(words.subject, live)[:300],
            body=wording.render(words.body, live),
            personalisation=personalisation_for(event, words, live),
        )
        values = {**values, **dict.fromkeys(sealed_context, sealing.BLANKED)}
    now = timezone.now()
    message = Message(
        organisation_id=organisation_id,
        customer=customer,
        recipient_kind=RecipientKind.CUSTOMER,
        recipient_label=label,
        address=address,
        channel=Channel.EMAIL,
        language=language,
        event=event,
        template_version=words.version,
        subject=wording.render(words.subject, values)[:300],
        body=wording.render(words.body, values),
        notify_template_id=words.notify_template_id,
        personalisation=personalisation_for(event, words, values),
        created_at=now,
        next_attempt_at=now,
        updated_at=now,
        visible_with=visible_with,
        sealed=sealed,
    )
    message.save(force_insert=True)
    return message


def _event_name(message: Message) -> str:
    return str(message.get_event_display()).lower()


def _format_tasks(message: Message, customer: Customer, *, by: User | None) -> list[StaffTask]:
    """A task for each need OneStop cannot meet by itself: Braille, audio, easy read, an
    interpreter."""
    tasks = []
    kind = _FORMAT_TASKS.get(customer.format)
    if kind is not None:
        tasks.append(
            open_task(
                message,
                kind=kind,
                description=_(
                    "%(name)s asked for %(format)s: send them the %(event)s in that format."
                )
                % {
                    "name": customer.display_name,
                    "format": CustomerFormat(customer.format).label.lower(),
                    "event": _event_name(message),
                },
                by=by,
            )
        )
    if customer.needs_interpreter:
        tasks.append(
            open_task(
                message,
                kind=TaskKind.INTERPRETER,
                description=_(
                    "%(name)s needs an interpreter (%(language)s): make sure they understand "
                    "the %(event)s."
                )
                % {
                    "name": customer.display_name,
                    "language": customer.interpreter_language or _("language not recorded"),
                    "event": _event_name(message),
                },
                by=by,
            )
        )
    return tasks


def open_task(message: Message, *, kind: str, description: str, by: User | None) -> StaffTask:
    """A task for staff about ``message``, on its case and customer (audited)."""
    task = StaffTask(
        organisation_id=message.organisation_id,
        case_id=message.case_id,
        customer_id=message.customer_id,
        message=message,
        kind=kind,
        description=description,
        created_at=timezone.now(),
    )
    task.save(force_insert=True)
    audit.record(
        organisation=message.organisation_id,
        by=by,
        action=AuditAction.CREATED,
        obj=task,
        summary=f"Task for staff: {kind}",
        changes={"message": message.pk, "case": message.case_id},
    )
    return task


# --- messages to staff ----------------------------------------------------------------------------
def message_to_staff(
    *,
    organisation_id: int,
    user: User,
    event: str,
    context: Context,
    case_id: int | None = None,
    kind: str = RecipientKind.STAFF,
) -> Message:
    """Record ``event``'s message to a member of staff (or a councillor: ``kind``), by e-mail."""
    if user.organisation_id != organisation_id:
        raise ValueError("The member of staff belongs to another organisation")
    notice = StaffNotice(case_id=case_id, user_id=user.pk, label=user.display_name, context=context)
    row = _StaffRows(organisation_id, event, timezone.now(), {user.pk: user.email}).row(
        notice, kind
    )
    message = Message(**dict(zip(STAFF_COLUMNS, row, strict=True)))
    message.save(force_insert=True)
    return message


@dataclass(frozen=True)
class StaffNotice:
    """One message to a member of staff (``user_id``), or to a role nobody holds (``None``:
    recorded as not sent, so the case shows nobody was told)."""

    case_id: int | None
    user_id: int | None
    label: str
    context: Context


STAFF_COLUMNS = (
    "organisation_id", "case_id", "customer_id", "recipient_kind", "recipient_user_id",
    "recipient_label", "address", "channel", "language", "format", "event", "template_version",
    "subject", "body", "status", "provider", "provider_id", "attempts", "last_error",
    "created_at", "next_attempt_at", "updated_at", "notify_template_id", "personalisation",
)  # fmt: skip


class _StaffRows:
    """Message rows to staff for one event, the template read once."""

    def __init__(
        self, organisation_id: int, event: str, now: datetime.datetime, emails: dict[int, str]
    ) -> None:
        self.organisation_id = organisation_id
        self.event = event
        self.now = now
        self.emails = emails
        self.words = wording_for(organisation_id, event, Channel.EMAIL, Language.ENGLISH)
        self.organisation_name = _organisation_name(organisation_id)

    def row(self, notice: StaffNotice, kind: str = RecipientKind.STAFF) -> tuple[Any, ...]:
        values = values_for(
            {"staff_name": notice.label, **notice.context},
            Language.ENGLISH,
            organisation_name=self.organisation_name,
        )
        address = self.emails.get(notice.user_id, "") if notice.user_id is not None else ""
        status, error = MessageStatus.PENDING, ""
        if not address:
            status = MessageStatus.TECHNICAL_FAILURE
            error = (
                _("Not sent: nobody holds this role")
                if notice.user_id is None
                else _("Not sent: %(name)s has no e-mail address") % {"name": notice.label}
            )
        return (
            self.organisation_id, notice.case_id, None, kind, notice.user_id,
            notice.label[:200], address, Channel.EMAIL if address else "", Language.ENGLISH, "",
            self.event, self.words.version, wording.render(self.words.subject, values)[:300],
            wording.render(self.words.body, values), status, "", "", 0, error, self.now,
            self.now if address else None, self.now, self.words.notify_template_id,
            personalisation_for(self.event, self.words, values),
        )  # fmt: skip


def staff_notices(
    organisation_id: int,
    event: str,
    notices: Sequence[StaffNotice],
    *,
    now: datetime.datetime | None = None,
) -> int:
    """Record many messages to staff with one set-based insert; returns how many."""
    if not notices:
        return 0
    ids = sorted({notice.user_id for notice in notices if notice.user_id is not None})
    emails = dict(
        User.objects.filter(pk__in=ids, organisation_id=organisation_id).values_list("pk", "email")
    )
    rows = _StaffRows(organisation_id, event, now or timezone.now(), emails)
    bulk.insert_rows(Message, STAFF_COLUMNS, [rows.row(notice) for notice in notices])
    return len(notices)


def customer_notices(
    *,
    organisation_id: int,
    event: str,
    notices: Iterable[tuple[Customer | None, str, int | None, Context]],
) -> list[Outcome]:
    """``message_to_customer`` for each ``(customer, name, case_id, context)``."""
    return [
        message_to_customer(
            organisation_id=organisation_id,
            customer=customer,
            name=name,
            event=event,
            context=context,
            case_id=case_id,
        )
        for customer, name, case_id, context in notices
    ]
