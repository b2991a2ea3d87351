"""Reads of notify: how a customer can be reached, a case's or customer's messages and tasks."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from onestop.core import batch, permissions
from onestop.core.access import get_or_404, require
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.customers import queries as customer_queries
from onestop.customers.models import Address, Customer, Email
from onestop.customers.models import Language as CustomerLanguage
from onestop.directory import queries as directory_queries
from onestop.notify.models import (
    FAILED_STATUSES,
    Channel,
    Event,
    Language,
    Message,
    MessageChange,
    MessageStatus,
    MessageTemplate,
    StaffTask,
    TaskStatus,
)

#: The order channels are tried in when the customer's preferred one cannot be used.
FALLBACK_ORDER = (Channel.EMAIL, Channel.SMS, Channel.LETTER)
_CHANNELS = frozenset(Channel.values)  # once: ``Channel.values`` builds a list at each call


@dataclass(frozen=True)
class Route:
    """How a message reaches a customer: the channel and the address it goes to."""

    channel: str
    address: str

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label).lower()


def language_for(customer: Customer | None) -> str:
    """Welsh for a customer who asked for Welsh, else English (the languages templates exist in)."""
    if customer is not None and customer.language == CustomerLanguage.WELSH:
        return Language.WELSH
    return Language.ENGLISH


#: Events that answer what the customer asked for themselves: they may go to any e-mail address
#: or mobile number the customer gave (the address they wrote from is the one they want the
#: answer at).  Every other message is an update, sent by e-mail or text message only where the
#: customer agreed to updates that way (``consents_to_email_updates``, ``…_sms_updates``).
ANSWERS = frozenset(
    {
        Event.ACKNOWLEDGEMENT,
        Event.RESPONSE,
        # Finishing a case sends its resolution (``RESPONSE`` when resolved, ``CLOSURE`` when
        # closed); reopening it takes that answer back, so it goes where the answer went.
        Event.CLOSURE,
        Event.REOPENING,
        # A statutory request's extension: the law says the requester must be told (FOIA
        # s.17, EIR reg. 7(3), UK GDPR art. 12(3)), as a complaint's extension (below) is.
        Event.EXTENSION,
        # The answers to a customer's own complaint, comment or compliment (feedback).
        Event.COMPLAINT_ACKNOWLEDGEMENT,
        Event.COMPLAINT_EXTENSION,
        Event.COMPLAINT_RESPONSE,
        Event.FEEDBACK_ACKNOWLEDGEMENT,
    }
)


def addresses_of(customer: Customer, *, event: str = Event.UPDATE) -> dict[str, str]:
    """Each channel the customer may be sent ``event``'s message by, with the address: e-mail
    and text messages need an address on record and, for updates (not ``ANSWERS``), the
    customer's consent; a letter needs a current postal address."""
    return addresses_of_many(customer.organisation_id, [customer], event=event)[customer.pk]


def addresses_of_many(
    organisation_id: int, customers: Sequence[Customer], *, event: str = Event.UPDATE
) -> dict[int, dict[str, str]]:
    """``addresses_of`` for each of ``customers`` (by id), in three reads whatever their number:
    the first e-mail address on record, the first number ``phonenumbers`` knows as a mobile, the
    newest current postal address.  Inside a ``core.batch`` those whose ``ContactPoints`` it
    remembers (``customers.queries.remember_contact_points``, or made by the batch) are not
    read."""
    answer = event in ANSWERS
    usable: dict[int, dict[str, str]] = {customer.pk: {} for customer in customers}
    if batch.active():
        known = customer_queries.remembered_contact_points(
            organisation_id, [customer.pk for customer in customers]
        )
        for customer in customers:
            points = known.get(customer.pk)
            if points is None:
                continue
            if points.email is not None and (answer or customer.consents_to_email_updates):
                usable[customer.pk][Channel.EMAIL] = points.email
            if points.mobile is not None and (answer or customer.consents_to_sms_updates):
                usable[customer.pk][Channel.SMS] = points.mobile
            if points.postal is not None:
                usable[customer.pk][Channel.LETTER] = "\n".join(
                    line for line in points.postal if line
                )
        customers = [customer for customer in customers if customer.pk not in known]
        if not customers:
            return usable
    emailable = [c.pk for c in customers if answer or c.consents_to_email_updates]
    textable = [c.pk for c in customers if answer or c.consents_to_sms_updates]
    if emailable:
        emails = (
            Email.objects.for_organisation(organisation_id)
            .filter(customer_id__in=emailable)
            .order_by("customer_id", "created_at", "id")
            .values_list("customer_id", "address")
        )
        for customer_id, email in emails:
            usable[customer_id].setdefault(Channel.EMAIL, email)
    if textable:
        for customer_id, mobile in customer_queries.mobile_numbers(organisation_id, textable):
            usable[customer_id][Channel.SMS] = mobile
    addresses = (
        Address.objects.for_organisation(organisation_id)
        .filter(customer_id__in=[customer.pk for customer in customers], is_current=True)
        .order_by("customer_id", "-created_at", "-id")
        .values_list("customer_id", "line_1", "line_2", "town", "postcode")
    )
    for customer_id, *lines in addresses:
        usable[customer_id].setdefault(Channel.LETTER, "\n".join(line for line in lines if line))
    return usable


def order_for(customer: Customer) -> list[str]:
    """The channels to try, the customer's preferred one first, then e-mail, SMS, letter."""
    order = [customer.preferred_channel] if customer.preferred_channel in _CHANNELS else []
    return list(dict.fromkeys([*order, *FALLBACK_ORDER]))


def route_to(
    customer: Customer | None,
    *,
    event: str = Event.UPDATE,
    large_print: bool = False,
    channels: Collection[str] | None = None,
) -> Route | None:
    """The channel and address ``event``'s message to ``customer`` goes by, or ``None`` when
    there is no way to reach them.  A customer who asked for large print gets a letter where
    they have a postal address (the letter is printed large).  ``channels``: only these may be
    used (a message to many customers sent by e-mail and text message only)."""
    if customer is None:
        return None
    usable = addresses_of(customer, event=event)
    return choose_route(customer, usable, large_print=large_print, channels=channels)


def choose_route(
    customer: Customer,
    usable: Mapping[str, str],
    *,
    large_print: bool = False,
    channels: Collection[str] | None = None,
) -> Route | None:
    """``route_to``'s choice among the channels ``usable`` (``addresses_of``'s answer)."""
    if channels is not None:
        usable = {name: address for name, address in usable.items() if name in channels}
    if large_print and Channel.LETTER in usable:
        return Route(Channel.LETTER, usable[Channel.LETTER])
    channel = next((name for name in order_for(customer) if name in usable), None)
    return Route(channel, usable[channel]) if channel is not None else None


# --- the one visibility rule ---------------------------------------------------------------------
def visible_to(user: User, prefix: str = "") -> Q:
    """The messages ``user`` may read among their organisation's: every ordinary message; one
    about a confidential record (``visible_with`` set, such as a complaint about a named member
    of staff) only with that permission or as a manager of the person it is about
    (``hidden_from``: a team leader or manager in one of their teams, who sees the record
    itself), and never by that person, whatever roles they hold.  ``prefix`` reaches the
    message through a relation (``"message__"``)."""
    held = sorted(permissions.actions_of(user))
    allowed = Q(**{f"{prefix}visible_with": ""}) | Q(**{f"{prefix}visible_with__in": held})
    managed = directory_queries.managed_by_subquery(user)
    allowed |= Q(**{f"{prefix}hidden_from__in": managed})
    return allowed & (
        Q(**{f"{prefix}hidden_from__isnull": True}) | ~Q(**{f"{prefix}hidden_from": user.pk})
    )


def messages_for(user: User) -> ScopedQuerySet[Message]:
    """Every read of messages for staff starts here: the user's organisation's messages that
    ``visible_to`` lets them read (none outside an organisation)."""
    return Message.objects.for_user(user).filter(visible_to(user))


def tasks_for(user: User) -> ScopedQuerySet[StaffTask]:
    """Tasks for staff, without those about a message the user may not read."""
    return StaffTask.objects.for_user(user).filter(
        Q(message__isnull=True) | visible_to(user, "message__")
    )


# --- what the case page and the customer page show ------------------------------------------------
def messages_of_case(user: User, case_id: int) -> QuerySet[Message]:
    return messages_for(user).filter(case_id=case_id).order_by("created_at", "id")


def open_tasks_of_case(user: User, case_id: int) -> QuerySet[StaffTask]:
    return tasks_for(user).filter(case_id=case_id, status=TaskStatus.OPEN)


def open_tasks_of_customer(user: User, customer_id: int) -> QuerySet[StaffTask]:
    return tasks_for(user).filter(customer_id=customer_id, status=TaskStatus.OPEN)


def failed_messages_of_case(user: User, case_id: int) -> QuerySet[Message]:
    return messages_of_case(user, case_id).filter(status__in=sorted(FAILED_STATUSES))


def failed_messages_of_customer(user: User, customer_id: int) -> QuerySet[Message]:
    return (
        messages_for(user)
        .filter(customer_id=customer_id, status__in=sorted(FAILED_STATUSES))
        .order_by("created_at", "id")
    )


def messages_to_customer(user: User, customer_id: int) -> QuerySet[Message]:
    return messages_for(user).filter(customer_id=customer_id)


def get_task_for(user: User, task_id: int) -> StaffTask:
    """A task for staff of the user's organisation, for staff who work cases (404 elsewhere)."""
    task: StaffTask = get_or_404(
        user,
        tasks_for(user).select_related("case"),
        permissions.CASE_WORK,
        pk=task_id,
    )
    return task


# --- the outbox page ------------------------------------------------------------------------------
STUCK_AFTER = datetime.timedelta(minutes=15)
OUTBOX_PAGE = 100


def stuck(now: datetime.datetime) -> Q:
    """``sending`` for over 15 minutes, or ``pending`` 15 minutes past its due time."""
    limit = now - STUCK_AFTER
    return Q(status=MessageStatus.SENDING, updated_at__lt=limit) | Q(
        status=MessageStatus.PENDING, next_attempt_at__lt=limit
    )


@dataclass(frozen=True)
class OutboxFilter:
    problem: str = ""  # "failed", "stuck" or ""
    status: str = ""
    channel: str = ""


def outbox_for(user: User, chosen: OutboxFilter) -> QuerySet[Message]:
    """The organisation's messages for staff who manage them, newest first, filtered."""
    require(user, permissions.MESSAGE_MANAGE)
    messages = messages_for(user)
    if chosen.problem == "failed":
        messages = messages.filter(status__in=sorted(FAILED_STATUSES))
    elif chosen.problem == "stuck":
        messages = messages.filter(stuck(timezone.now()))
    if chosen.status:
        messages = messages.filter(status=chosen.status)
    if chosen.channel:
        messages = messages.filter(channel="" if chosen.channel == "none" else chosen.channel)
    return messages.select_related("case").order_by("-created_at", "-id")


def get_message_for(user: User, message_id: int) -> Message:
    message: Message = get_or_404(
        user,
        messages_for(user).select_related("case"),
        permissions.MESSAGE_MANAGE,
        pk=message_id,
    )
    return message


def history_of(user: User, message: Message) -> QuerySet[MessageChange]:
    """Every change of ``message``'s status, oldest first (the outbox's message page)."""
    require(user, permissions.MESSAGE_MANAGE)
    return (
        MessageChange.objects.for_user(user)
        .filter(message_id=message.pk)
        .select_related("by")
        .order_by("at", "id")
    )


# --- the templates page ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateRow:
    event: str
    channel: str
    language: str
    version: int  # 0: the shipped default
    notify_template_id: str = ""

    @property
    def event_label(self) -> str:
        return str(Event(self.event).label)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def language_label(self) -> str:
        return str(Language(self.language).label)


def templates_for(user: User) -> list[TemplateRow]:
    """Every event by every channel in both languages, with the organisation's version (0 where
    the shipped default is used)."""
    require(user, permissions.MESSAGE_TEMPLATE_MANAGE)
    rows = MessageTemplate.objects.for_user(user).values_list(
        "event", "channel", "language", "version", "notify_template_id"
    )
    versions = {
        (event, channel, language): (version, own)
        for event, channel, language, version, own in rows
    }
    return [
        TemplateRow(event, channel, language, *versions.get((event, channel, language), (0, "")))
        for event in Event.values
        for channel in Channel.values
        for language in Language.values
    ]
