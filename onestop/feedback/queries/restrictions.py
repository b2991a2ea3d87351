"""Reads of unreasonable-behaviour restrictions (``services.restrictions`` writes them).

A restriction is in force from its start date while approved and before its review date; the
desk and the contact form read what is in force through ``core.sources.contact_rules``
(``contact_rules`` below), worded by ``describe``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onestop.contacts.models import Channel, Contact, Direction
from onestop.core import access, audit, dates, permissions, sources
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.feedback.procedure_models import (
    ContactRestriction,
    RestrictedContact,
    RestrictionStatus,
)

GUARD = "restriction"


def rule_key(restriction: ContactRestriction) -> str:
    return f"{GUARD}:{restriction.pk}"


def in_force(organisation_id: int, customer_id: int) -> ScopedQuerySet[ContactRestriction]:
    today = timezone.localdate()
    return (
        ContactRestriction.objects.for_organisation(organisation_id)
        .filter(
            customer_id=customer_id,
            status=RestrictionStatus.ACTIVE,
            starts_on__lte=today,
            review_on__gt=today,
        )
        .select_related("single_point")
        .order_by("starts_on", "pk")
    )


def customers_restricted(organisation_id: int, customer_ids: Sequence[int]) -> set[int]:
    """Those of ``customer_ids`` with a restriction in force (``in_force``), in one read."""
    today = timezone.localdate()
    return set(
        ContactRestriction.objects.for_organisation(organisation_id)
        .filter(
            customer_id__in=list(customer_ids),
            status=RestrictionStatus.ACTIVE,
            starts_on__lte=today,
            review_on__gt=today,
        )
        .values_list("customer_id", flat=True)
        .distinct()
    )


def refused_channels(restriction: ContactRestriction) -> frozenset[str]:
    """The channels a contact is taken by only with a reason (all but the allowed ones)."""
    allowed = set(restriction.allowed_channels or [])
    if not allowed:
        return frozenset()
    return frozenset(value for value in Channel.values if value not in allowed) - {
        Channel.COUNCILLOR_REFERRAL
    }


def contacts_in_window(restriction: ContactRestriction, at: datetime.datetime) -> int:
    """The customer's contacts from them in the ``per_days`` days up to ``at``."""
    if restriction.per_days is None:
        return 0
    return (
        Contact.objects.for_organisation(restriction.organisation_id)
        .filter(
            customer_id=restriction.customer_id,
            direction=Direction.INBOUND,
            received_at__gt=at - datetime.timedelta(days=restriction.per_days),
            received_at__lte=at,
        )
        .count()
    )


def over_frequency(restriction: ContactRestriction, *, before: Contact) -> bool:
    """Whether ``before`` went over the number of contacts the restriction allows."""
    if restriction.max_contacts is None or before.direction != Direction.INBOUND:
        return False
    return contacts_in_window(restriction, before.received_at) > restriction.max_contacts


def describe(restriction: ContactRestriction) -> list[str]:
    """The restriction in plain words, one line each (the notice and the desk)."""
    lines = []
    if restriction.single_point is not None:
        lines.append(
            _("Contact only through %(name)s, your single point of contact")
            % {"name": restriction.single_point.display_name}
        )
    if restriction.allowed_channels:
        names = [str(Channel(value).label).lower() for value in restriction.allowed_channels]
        lines.append(_("Contact us only by %(channels)s") % {"channels": _(" or ").join(names)})
    if restriction.max_contacts is not None:
        count, days = restriction.max_contacts, restriction.per_days or 1
        contacts = ngettext("%(count)s contact", "%(count)s contacts", count) % {"count": count}
        period = (
            _("every day")
            if days == 1
            else ngettext("every %(days)s day", "every %(days)s days", days) % {"days": days}
        )
        lines.append(
            _("At most %(contacts)s %(period)s") % {"contacts": contacts, "period": period}
        )
    return lines


def contact_rules(organisation_id: int, customer_id: int) -> list[sources.ContactRule]:
    """What the desk and the contact form show for the customer (``core.sources``)."""
    rules = []
    now = timezone.now()
    for restriction in in_force(organisation_id, customer_id):
        lines = describe(restriction)
        if restriction.max_contacts is not None:
            lines.append(
                _("Contacts from the customer in the last %(days)s days: %(count)s")
                % {"days": restriction.per_days, "count": contacts_in_window(restriction, now)}
            )
        lines.append(_("Reason: %(reason)s") % {"reason": sources.shorten(restriction.reason)})
        lines.append(
            _("Until its review on %(date)s") % {"date": dates.govuk_date(restriction.review_on)}
        )
        refused = refused_channels(restriction)
        rules.append(
            sources.ContactRule(
                guard=GUARD,
                key=rule_key(restriction),
                title=_("This customer's contact is restricted"),
                lines=tuple(lines),
                refused_channels=refused,
                refusal=_(
                    "This customer may contact us only by %(channels)s: say why you took this "
                    "contact by another channel"
                )
                % {
                    "channels": _(" or ").join(
                        str(Channel(value).label).lower() for value in restriction.allowed_channels
                    )
                },
            )
        )
    return rules


def restrictions_for(user: User) -> ScopedQuerySet[ContactRestriction]:
    """The restrictions ``user`` may read: anyone who may see customers, in their organisation."""
    rows = ContactRestriction.objects.for_user(user)
    if not permissions.can(user, permissions.CUSTOMER_VIEW):
        return rows.none()
    return rows.select_related("customer", "single_point", "proposed_by", "approved_by")


def get_restriction_for(user: User, pk: int, action: str) -> ContactRestriction:
    """The restriction ``pk`` (404 outside the user's organisation, 403 without ``action``)."""
    access.require(user, permissions.CUSTOMER_VIEW)
    found: ContactRestriction = access.get_or_404(user, restrictions_for(user), action, pk=pk)
    return found


def open_restriction(user: User, pk: int, ip_address: str | None) -> ContactRestriction:
    """The restriction's page: read, and the reading audited (it holds personal data)."""
    restriction = get_restriction_for(user, pk, permissions.CUSTOMER_VIEW)
    audit.viewed(
        restriction,
        by=user,
        ip_address=ip_address,
        summary=f"Contact restriction {restriction.pk} viewed",
    )
    return restriction


def for_customer(user: User, customer_id: int) -> list[ContactRestriction]:
    """The customer's restrictions in force or waiting for approval, newest first."""
    return list(
        restrictions_for(user)
        .filter(customer_id=customer_id)
        .filter(Q(status=RestrictionStatus.ACTIVE) | Q(status=RestrictionStatus.PROPOSED))
        .order_by("-proposed_at", "-pk")
    )


def contacts_under(restriction: ContactRestriction) -> list[RestrictedContact]:
    return list(
        RestrictedContact.objects.for_organisation(restriction.organisation_id)
        .filter(restriction=restriction)
        .select_related("contact", "by")
        .order_by("-at", "-pk")[:50]
    )


def staff_choices(user: User) -> Any:
    return User.objects.filter(organisation_id=user.organisation_id or 0, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
