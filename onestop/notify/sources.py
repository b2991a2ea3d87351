"""What notify offers the pages below it (registered in ``core.sources`` by ``apps.py``): the
messages sent to a customer, in the customer's history (the customer page and the desk)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core import permissions, sources
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.notify import queries
from onestop.notify.models import Channel, Event, Message, MessageStatus, RecipientKind


def message_timeline(user: User, customer: Model) -> ScopedQuerySet[Any] | None:
    """The messages to the customer (as the recipient), for staff who may see cases."""
    if not permissions.can(user, permissions.CASE_VIEW):
        return None
    return sources.history_rows(
        queries.messages_for(user).filter(
            recipient_kind=RecipientKind.CUSTOMER, customer_id=customer.pk
        ),
        "message",
        "created_at",
    )


def describe(message: Message) -> str:
    """To whom, by which channel and what became of it: "Sam Resident by e-mail: Sent"."""
    how = str(Channel(message.channel).label).lower() if message.channel else _("no channel")
    status = str(MessageStatus(message.status).label)
    return _("%(name)s by %(channel)s: %(status)s") % {
        "name": message.recipient_label,
        "channel": how,
        "status": status,
    }


def message_entries(user: User, ids: Sequence[int]) -> dict[int, sources.HistoryEntry]:
    messages = (
        queries.messages_for(user)
        .filter(pk__in=ids, recipient_kind=RecipientKind.CUSTOMER)
        .only(
            "organisation_id",
            "event",
            "subject",
            "body",
            "created_at",
            "status",
            "channel",
            "recipient_label",
            "case__reference",
        )
        .select_related("case")
    )
    entries = {}
    for message in messages:
        reference = message.case.reference if message.case is not None else ""
        entries[message.pk] = sources.HistoryEntry(
            kind="message",
            kind_label=_("Message"),
            at=message.created_at,
            title=str(Event(message.event).label),
            detail=sources.shorten(f"{describe(message)}. {message.body}"),
            reference=reference,
            url=reverse("cases:case", args=[reference]) if reference else "",
            status_label=str(MessageStatus(message.status).label),
        )
    return entries


def customer_panel(user: User, customer_id: int) -> sources.Panel | None:
    """Messages to the customer that failed, and open tasks for staff about them."""
    if not permissions.can(user, permissions.CASE_VIEW):
        return None
    failed = list(queries.failed_messages_of_customer(user, customer_id)[:20])
    tasks = list(queries.open_tasks_of_customer(user, customer_id)[:50])
    if not failed and not tasks:
        return None
    return sources.Panel(
        "notify/includes/customer_panel.html",
        {
            "failed_messages": failed,
            "staff_tasks": tasks,
            "can_complete_tasks": permissions.can(user, permissions.CASE_WORK),
        },
    )


def register() -> None:
    sources.register_history_source(
        sources.HistorySource("message", message_timeline, message_entries)
    )
    sources.register_customer_panel("notify", customer_panel)
