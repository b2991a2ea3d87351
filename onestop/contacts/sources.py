"""What contacts offer the customer page: the customer's contacts in the history (registered in
``core.sources`` by ``apps.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from onestop.contacts.models import Contact
from onestop.core import permissions, sources
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet


def contact_timeline(user: User, customer: Model) -> ScopedQuerySet[Any] | None:
    if not permissions.can(user, permissions.CONTACT_VIEW):
        return None
    return sources.history_rows(
        Contact.objects.for_user(user).filter(customer=customer), "contact", "received_at"
    )


def contact_entries(user: User, ids: Sequence[int]) -> dict[int, sources.HistoryEntry]:
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
        contact.pk: sources.HistoryEntry(
            kind="contact",
            kind_label=_("Contact"),
            at=contact.received_at,
            title=f"{contact.get_channel_display()}, {contact.get_direction_display().lower()}",
            detail=sources.shorten(
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


def register() -> None:
    sources.register_history_source(
        sources.HistorySource("contact", contact_timeline, contact_entries)
    )


def register_measures() -> None:
    """Promised call-backs and visitors' tickets in the compliance figures
    (``standards.measures``)."""
    from onestop.contacts import queries
    from onestop.standards import measures

    measures.register_compliance_source(
        measures.ComplianceSource(
            "contacts.callback",
            queries.callback_counts,
            queries.callbacks_behind,
            queries.callback_definitions,
            officer_counts=queries.callback_officer_counts,
            officer_rule=queries.callback_officer_rule,
            team_counts=queries.callback_team_counts,
            team_rule=queries.callback_team_rule,
        )
    )
    measures.register_compliance_source(
        measures.ComplianceSource(
            "contacts.visitor",
            queries.visitor_counts,
            queries.visitors_behind,
            queries.visitor_definitions,
        )
    )
