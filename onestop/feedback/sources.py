"""What feedback offers the pages below it (registered in ``core.sources`` by ``apps.py``).

The customer page's history lists the customer's feedback the viewer may see (never a complaint
about the viewer); the customer page's feedback panel lists the open ones and offers "Record
feedback" to staff who take it at the desk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core import permissions, sources
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.feedback import queries
from onestop.feedback.models import Kind, Status
from onestop.feedback.queries import restrictions as restriction_queries
from onestop.feedback.services import restrictions as restriction_services


def feedback_timeline(user: User, customer: Model) -> ScopedQuerySet[Any] | None:
    visible = queries.feedback_for(user)
    if visible.query.is_empty():
        return None
    return sources.history_rows(visible.filter(customer_id=customer.pk), "feedback", "received_at")


def feedback_entries(user: User, ids: Sequence[int]) -> dict[int, sources.HistoryEntry]:
    entries = {}
    for item in queries.feedback_for(user).filter(pk__in=ids):
        entries[item.pk] = sources.HistoryEntry(
            kind="feedback",
            kind_label=str(Kind(item.kind).label),
            at=item.received_at,
            title=sources.shorten(item.what_happened),
            reference=item.reference,
            url=reverse("feedback:record", args=[item.reference]),
            status_label=str(Status(item.status).label),
        )
    return entries


def customer_panel(user: User, customer_id: int) -> sources.Panel | None:
    """The customer's open feedback, and the way to record more."""
    can_record = permissions.can(user, permissions.FEEDBACK_RECORD)
    found = queries.open_for_customer(user, customer_id)
    if not can_record and not found:
        return None
    return sources.Panel(
        "feedback/includes/customer_panel.html",
        {
            "feedback": found,
            "can_record": can_record,
            "record_url": reverse("feedback:record-for", args=[customer_id]),
        },
    )


def desk_action(user: User, customer_id: int) -> sources.Action | None:
    """The desk's "Record feedback" button for the chosen customer (Alt+F)."""
    if not permissions.can(user, permissions.FEEDBACK_RECORD):
        return None
    return sources.Action(
        label=str(_("Record feedback")),
        url=reverse("feedback:record-for", args=[customer_id]),
        shortcut="KeyF",
        shortcut_label=str(_("Record a comment, compliment or complaint for the chosen customer")),
    )


def restrictions_panel(user: User, customer_id: int) -> sources.Panel | None:
    """The customer's contact restrictions (in force or awaiting approval), and the way to
    propose one; nothing for staff who may do neither and when there is none."""
    found = restriction_queries.for_customer(user, customer_id)
    can_propose = permissions.can(user, permissions.RESTRICTION_PROPOSE)
    if not found and not can_propose:
        return None
    return sources.Panel(
        "feedback/procedure/customer_restrictions.html",
        {
            "restrictions": [(row, restriction_queries.describe(row)) for row in found],
            "propose_url": reverse("feedback:restriction-new", args=[customer_id])
            if can_propose
            else "",
        },
    )


def register() -> None:
    sources.register_history_source(
        sources.HistorySource("feedback", feedback_timeline, feedback_entries)
    )
    sources.register_customer_panel("feedback", customer_panel)
    sources.register_customer_action("feedback", desk_action)
    # Unreasonable-behaviour restrictions: the customer page, the desk and logging a contact.
    sources.register_customer_panel("restrictions", restrictions_panel)
    sources.register_contact_guard(
        restriction_queries.GUARD,
        sources.ContactGuard(
            rules=restriction_queries.contact_rules,
            logged=restriction_services.record_contact,
            restricted=restriction_queries.customers_restricted,
        ),
    )
