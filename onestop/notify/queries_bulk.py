"""Reads of messages to many customers: the groups staff choose from, who is in a group, the
preview (who gets it by which channel, who is skipped and why), the list and one message.

A group is data (``BulkMessage.group``), one of:

- ``{"kind": "<kind>", "value": "<value>"}``: a group a capability above notify registered in
  ``core.sources`` (notify sits below them and names none of them): ``cases`` registers
  ``"case-type"`` (customers with open cases of the type, ``value`` its id) and ``"ward"``
  (customers with open cases in the ward, ``value`` its name, any case);
- ``{"kind": "postcode", "postcode": "NN1 5"}``: customers whose current address is in the
  postcode area (``NN``), district (``NN1``), sector (``NN1 5``) or postcode (``NN1 5AB``);
- ``{"kind": "visit", "access_point_id": 3, "date": "2026-12-01"}``: customers who came to the
  access point's visitor queue that day (Europe/London).

Merged customer records are never in a group (their rows moved to the record kept).  Who is
reached, and by which channel, is ``queries.route_to``'s rule (``choose_route`` over
``addresses_of_many``): a message to many customers is an update, so e-mail and text messages
need the customer's consent.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from onestop.contacts.models import VisitorTicket
from onestop.core import permissions, sources
from onestop.core.access import get_or_404, require
from onestop.core.models import User
from onestop.customers.models import Address, Customer
from onestop.customers.models import Format as CustomerFormat
from onestop.directory.models import AccessPoint
from onestop.notify import queries
from onestop.notify.models import BulkMessage, Event, Message, SkipReason

#: Customers read, routed and (by the worker) written at once.
CHUNK = 500
LIST_PAGE = 100

POSTCODE = "postcode"
VISIT = "visit"

_AREA = re.compile(r"^[A-Z]{1,2}$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?) (?P<digit>[0-9])$")
_POSTCODE = re.compile(r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?) ?(?P<inward>[0-9][A-Z]{2})$")


@dataclass(frozen=True)
class PostcodePart:
    """A postcode area, district, sector or whole postcode as typed, in its standard form
    (``label``), and how the stored key (upper case, no space) is matched: it starts with
    ``prefix`` and is ``length`` long (``0``: any length; an area: the next is a digit)."""

    label: str
    prefix: str
    length: int
    area: bool = False


def parse_postcode_part(typed: str) -> PostcodePart | None:
    """``"nn1  5"`` -> sector ``NN1 5``; ``None`` for anything that is not a UK postcode area,
    district, sector or postcode."""
    text = " ".join(typed.upper().split())
    if len(text) > 10:
        return None
    if _AREA.match(text):
        return PostcodePart(text, text, 0, area=True)
    if _DISTRICT.match(text):
        return PostcodePart(text, text, len(text) + 3)
    if sector := _SECTOR.match(text):
        prefix = sector["district"] + sector["digit"]
        return PostcodePart(text, prefix, len(sector["district"]) + 3)
    if whole := _POSTCODE.match(text):
        key = whole["district"] + whole["inward"]
        return PostcodePart(f"{whole['district']} {whole['inward']}", key, len(key))
    return None


def _postcode_customer_ids(organisation_id: int, part: PostcodePart) -> QuerySet[Any]:
    addresses = Address.objects.for_organisation(organisation_id).filter(
        is_current=True, postcode_key__startswith=part.prefix
    )
    if part.area:
        addresses = addresses.filter(postcode_key__regex=rf"^{part.prefix}[0-9]")
    else:
        addresses = addresses.annotate(key_length=Length("postcode_key")).filter(
            key_length=part.length
        )
    return addresses.values("customer_id")


def _day(date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min, zone)
    return start, end


def group_customer_ids(organisation_id: int, group: Mapping[str, Any]) -> QuerySet[Any] | None:
    """The ``customer_id`` of everyone in ``group`` (duplicates allowed), or ``None`` when the
    definition names nothing of the organisation's."""
    kind = group.get("kind")
    if kind == POSTCODE:
        part = parse_postcode_part(str(group.get("postcode", "")))
        return _postcode_customer_ids(organisation_id, part) if part is not None else None
    if kind == VISIT:
        try:
            date = datetime.date.fromisoformat(str(group.get("date", "")))
            point_id = int(group.get("access_point_id", 0))
        except (TypeError, ValueError):
            return None
        if not access_points(organisation_id).filter(pk=point_id).exists():
            return None
        start, end = _day(date)
        return (
            VisitorTicket.objects.for_organisation(organisation_id)
            .filter(
                access_point_id=point_id,
                arrived_at__gte=start,
                arrived_at__lt=end,
                customer_id__isnull=False,
            )
            .values("customer_id")
        )
    registered = registered_group(kind)
    if registered is None:
        return None
    return registered.customer_ids(organisation_id, str(group.get("value", "")))


def registered_group(kind: object) -> sources.CustomerGroup | None:
    """The registered kind of group ``kind`` names (never postcode or visit, notify's own)."""
    if not isinstance(kind, str) or kind in (POSTCODE, VISIT):
        return None
    return sources.customer_group(kind)


def group_customers(organisation_id: int, group: Mapping[str, Any]) -> QuerySet[Customer]:
    """The customers in ``group`` (each once, merged records left out), in id order."""
    ids = group_customer_ids(organisation_id, group)
    customers = Customer.objects.for_organisation(organisation_id)
    if ids is None:
        return customers.none()
    return customers.filter(pk__in=ids, merged_into__isnull=True).order_by("pk")


def access_points(organisation_id: int) -> QuerySet[AccessPoint]:
    return AccessPoint.objects.for_organisation(organisation_id).order_by("name", "id")


@dataclass(frozen=True)
class GroupChoices:
    """A registered kind of group and the values the organisation's staff choose from now."""

    group: sources.CustomerGroup
    choices: list[tuple[str, str]]


def registered_group_choices(organisation_id: int) -> list[GroupChoices]:
    """Every registered kind of group with its values, in the order registered."""
    return [
        GroupChoices(group, group.choices(organisation_id)) for group in sources.customer_groups()
    ]


# --- who gets it, by which channel --------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    """One customer of the group: the route (``None``: skipped, for ``skipped``'s reason)."""

    customer: Customer
    route: queries.Route | None
    skipped: str = ""


def chunks(
    organisation_id: int, group: Mapping[str, Any], *, after: int = 0, size: int = CHUNK
) -> Iterator[list[Customer]]:
    """The group's customers in chunks of ``size``, keyset by id, from just after ``after``."""
    customers = group_customers(organisation_id, group)
    while True:
        chunk = list(customers.filter(pk__gt=after)[:size])
        if not chunk:
            return
        yield chunk
        after = chunk[-1].pk


def recipients(
    organisation_id: int, customers: Sequence[Customer], channels: Sequence[str]
) -> list[Recipient]:
    """Each customer's route among ``channels`` by the rule of every update, or why they are
    skipped: no consent (an address of an allowed channel is on record, but they did not agree
    to updates that way) or no address."""
    usable = queries.addresses_of_many(organisation_id, customers, event=Event.BULK)
    found = []
    for customer in customers:
        route = queries.choose_route(
            customer,
            usable[customer.pk],
            large_print=customer.format == CustomerFormat.LARGE_PRINT,
            channels=channels,
        )
        found.append(Recipient(customer, route))
    unrouted = [r.customer for r in found if r.route is None]
    if not unrouted:
        return found
    # Without the consent rule (the addresses an answer to their own request could use).
    any_address = queries.addresses_of_many(organisation_id, unrouted, event=Event.ACKNOWLEDGEMENT)
    return [
        r
        if r.route is not None
        else Recipient(
            r.customer,
            None,
            SkipReason.NO_CONSENT
            if any(name in channels for name in any_address[r.customer.pk])
            else SkipReason.NO_ADDRESS,
        )
        for r in found
    ]


@dataclass
class Preview:
    """How many customers the group holds now, by channel, and who would be skipped, why."""

    customers: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def reached(self) -> int:
        return sum(self.by_channel.values())


def preview(organisation_id: int, group: Mapping[str, Any], channels: Sequence[str]) -> Preview:
    """Exact counts, reading the group chunk by chunk by the same rule the worker sends by."""
    found = Preview()
    for chunk in chunks(organisation_id, group):
        found.customers += len(chunk)
        for recipient in recipients(organisation_id, chunk, channels):
            if recipient.route is not None:
                found.by_channel[recipient.route.channel] += 1
            else:
                found.skipped[recipient.skipped] += 1
    return found


# --- the pages ------------------------------------------------------------------------------------
def bulk_messages_for(user: User) -> QuerySet[BulkMessage]:
    """The organisation's messages to many customers, newest first."""
    require(user, permissions.MESSAGE_BULK)
    return (
        BulkMessage.objects.for_user(user)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def get_bulk_message_for(user: User, bulk_id: int) -> BulkMessage:
    """One of the organisation's messages to many customers (404 elsewhere, 403 without
    ``message.bulk``)."""
    found: BulkMessage = get_or_404(
        user,
        BulkMessage.objects.for_user(user).select_related("created_by", "sent_by", "cancelled_by"),
        permissions.MESSAGE_BULK,
        pk=bulk_id,
    )
    return found


def status_counts(bulk: BulkMessage) -> dict[str, int]:
    """How many of its messages are in each status."""
    rows = (
        Message.objects.for_organisation(bulk.organisation_id)
        .filter(bulk_message=bulk)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return dict(rows)


def channel_counts(bulk: BulkMessage) -> dict[str, int]:
    rows = (
        Message.objects.for_organisation(bulk.organisation_id)
        .filter(bulk_message=bulk)
        .values_list("channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    return dict(rows)
