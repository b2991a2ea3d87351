"""The history queries: a customer's full history (contacts, cases, messages), newest first, one
page at a time.

Read-only, like ``queries.py`` (kept in its own module so the desk search there and this history
can change independently).  The history is a small union of **sources**: each source answers two
questions for one kind of record:

- ``timeline(user, customer)``: a queryset of ``(history_kind, id, history_at)`` rows of the
  records the user may see, pinned to the user's organisation, or ``None`` when the user may see
  none of that kind;
- ``entries(user, ids)``: the page's records of that kind, as :class:`HistoryEntry`, in one query.

The page is one ``UNION ALL`` of the sources' rows ordered by time (newest first, then kind and
id so ties are stable) with ``LIMIT``/``OFFSET`` in SQL, one ``COUNT`` of the same union for the
page numbers, then one query per kind present on the page.  Complaints and appointments add a
source to ``SOURCES`` when those capabilities arrive; nothing else changes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases.models import OutboxMessage, OutboxStatus, Status
from onestop.cases.models import Outcome as CaseOutcome
from onestop.cases.queries import cases_for
from onestop.contacts.models import Contact
from onestop.core import permissions
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet, UnscopedQueryError
from onestop.customers.models import Customer

PAGE_SIZE = 25
# Page numbers longer than this are past the end of any history (and never reach SQL).
_PAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")
_NOTES_SHOWN = 200


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history, whatever its kind."""

    kind: str
    kind_label: str
    at: datetime.datetime
    title: str
    detail: str = ""
    reference: str = ""
    url: str = ""
    status_label: str = ""
    due_at: datetime.datetime | None = None
    is_overdue: bool = False
    is_repeat: bool = False
    by: str = ""


Timeline = Callable[[User, Customer], ScopedQuerySet[Any] | None]
Entries = Callable[[User, Sequence[int]], dict[int, HistoryEntry]]


@dataclass(frozen=True)
class HistorySource:
    kind: str
    timeline: Timeline
    entries: Entries


def _rows(queryset: ScopedQuerySet[Any], kind: str, at: str) -> ScopedQuerySet[Any]:
    """A source's ``(history_kind, id, history_at)`` rows, unordered (the union orders)."""
    rows = (
        queryset.annotate(history_kind=Value(kind, output_field=CharField()), history_at=F(at))
        .order_by()
        .values_list("history_kind", "id", "history_at")
    )
    return cast(ScopedQuerySet[Any], rows)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _NOTES_SHOWN else text[: _NOTES_SHOWN - 1] + "…"


# --- contacts -----------------------------------------------------------------------------------
def _contact_timeline(user: User, customer: Customer) -> ScopedQuerySet[Any] | None:
    if not permissions.can(user, permissions.CONTACT_VIEW):
        return None
    return _rows(Contact.objects.for_user(user).filter(customer=customer), "contact", "received_at")


def _contact_entries(user: User, ids: Sequence[int]) -> dict[int, HistoryEntry]:
    contacts = (
        Contact.objects.for_user(user)
        .filter(pk__in=ids)
        .select_related("reason", "staff")
        .only(
            "organisation_id",
            "received_at",
            "channel",
            "direction",
            "outcome",
            "notes",
            "repeat_of_id",
            "about_reference",
            "reason__label",
            "staff__username",
            "staff__first_name",
            "staff__last_name",
        )
    )
    return {
        contact.pk: HistoryEntry(
            kind="contact",
            kind_label=_("Contact"),
            at=contact.received_at,
            title=f"{contact.get_channel_display()}, {contact.get_direction_display().lower()}",
            detail=_shorten(
                ": ".join(
                    part
                    for part in (contact.reason.label if contact.reason else "", contact.notes)
                    if part
                )
            ),
            reference=contact.about_reference,
            status_label=contact.get_outcome_display(),
            is_repeat=contact.is_repeat,
            by=contact.staff.display_name if contact.staff else "",
        )
        for contact in contacts
    }


# --- cases --------------------------------------------------------------------------------------
def _case_timeline(user: User, customer: Customer) -> ScopedQuerySet[Any] | None:
    cases = cases_for(user)
    if cases.query.is_empty():
        return None
    return _rows(cases.filter(customer=customer), "case", "received_at")


def _case_entries(user: User, ids: Sequence[int]) -> dict[int, HistoryEntry]:
    now = timezone.now()
    cases = (
        cases_for(user)
        .filter(pk__in=ids)
        .only("organisation_id", "reference", "title", "status", "outcome", "received_at", "due_at")
    )
    entries = {}
    for case in cases:
        is_open = case.is_open
        status = str(Status(case.status).label)
        if not is_open and case.outcome:
            status = f"{status}: {CaseOutcome(case.outcome).label}"
        entries[case.pk] = HistoryEntry(
            kind="case",
            kind_label=_("Case"),
            at=case.received_at,
            title=case.title,
            reference=case.reference,
            url=reverse("cases:case", args=[case.reference]),
            status_label=status,
            due_at=case.due_at if is_open else None,
            is_overdue=is_open and case.due_at is not None and case.due_at < now,
        )
    return entries


# --- messages to the customer (the cases' outbox) ---------------------------------------------
CUSTOMER_RECIPIENT = "customer"
_MESSAGE_TITLES = {
    "case-acknowledgement": gettext_lazy("Acknowledgement"),
    "case-update": gettext_lazy("Update"),
    "case-deadline-moved": gettext_lazy("Reply date moved"),
}


def _message_timeline(user: User, customer: Customer) -> ScopedQuerySet[Any] | None:
    cases = cases_for(user)
    if cases.query.is_empty():
        return None
    return _rows(
        OutboxMessage.objects.for_user(user).filter(
            recipient_kind=CUSTOMER_RECIPIENT,
            case_id__in=Subquery(cases.filter(customer=customer).values("pk")),
        ),
        "message",
        "created_at",
    )


def _message_entries(user: User, ids: Sequence[int]) -> dict[int, HistoryEntry]:
    messages = (
        OutboxMessage.objects.for_user(user)
        .filter(pk__in=ids, recipient_kind=CUSTOMER_RECIPIENT)
        .select_related("case")
        .only("organisation_id", "template", "body", "created_at", "status", "case__reference")
    )
    return {
        message.pk: HistoryEntry(
            kind="message",
            kind_label=_("Message"),
            at=message.created_at,
            title=str(_MESSAGE_TITLES.get(message.template, message.template)),
            detail=_shorten(message.body),
            reference=message.case.reference,
            url=reverse("cases:case", args=[message.case.reference]),
            status_label=str(OutboxStatus(message.status).label),
        )
        for message in messages
    }


SOURCES: tuple[HistorySource, ...] = (
    HistorySource("contact", _contact_timeline, _contact_entries),
    HistorySource("case", _case_timeline, _case_entries),
    HistorySource("message", _message_timeline, _message_entries),
)


# --- the page -----------------------------------------------------------------------------------
def page_number(text: str | None) -> int:
    """The page asked for: a whole number from 1; anything else (``abc``, ``-1``, ``0``, ``²``)
    is page 1; a number too long to be a page is past the end (the last page)."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    if not _PAGE_NUMBER.match(text):
        return 999_999_999
    return max(1, int(text))


def history_of(
    user: User,
    customer: Customer,
    page: int = 1,
    *,
    page_size: int = PAGE_SIZE,
    sources: Sequence[HistorySource] = SOURCES,
) -> Page[HistoryEntry]:
    """The customer's history the user may see, newest first; a page past the end is the last.

    Every part is pinned to the user's organisation (a partner's user never reaches another
    organisation's customer: ``get_customer_for`` answers 404 first).  Reading it is audited by
    the caller's ``open_customer``.
    """
    parts = [part for source in sources if (part := source.timeline(user, customer)) is not None]
    for part in parts:
        if not part.is_scoped():
            raise UnscopedQueryError("Every history source must be pinned to organisations.")
    if not parts:
        return Paginator([], page_size).get_page(1)
    rows = parts[0]
    if len(parts) > 1:
        rows = rows.union(*parts[1:], all=True)
    ordered = rows.unscoped("every part of the union is pinned to the user's organisation")
    ordered = ordered.order_by("-history_at", "history_kind", "-id")
    found = Paginator(ordered, page_size).get_page(page)
    by_kind: dict[str, list[int]] = {}
    for kind, pk, _at in found.object_list:
        by_kind.setdefault(kind, []).append(pk)
    fetched = {
        source.kind: source.entries(user, by_kind[source.kind])
        for source in sources
        if source.kind in by_kind
    }
    found.object_list = [
        fetched[kind][pk] for kind, pk, _at in found.object_list if pk in fetched.get(kind, {})
    ]
    return found
