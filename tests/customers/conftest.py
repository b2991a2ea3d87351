"""The customers' world: a few people at the council and one at the partner agency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import (
    Address,
    Customer,
    CustomerMerge,
    CustomerName,
    Email,
    EqualityMonitoring,
    Marker,
    Phone,
)
from tests import factories as core_factories
from tests.customers import factories
from tests.shared import shared_fixture


@dataclass(frozen=True)
class People:
    jane: Customer
    john: Customer
    ahmed: Customer
    outsider: Customer
    marker: Marker


@shared_fixture
def manager(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.MANAGER, username="manager")


@shared_fixture
def people(council: Organisation, partner: Organisation) -> People:
    jane = factories.customer(
        council,
        "Jane",
        "Smith",
        date_of_birth=datetime.date(1980, 3, 12),
        postcode="HP19 8FF",
        phone="07700 900123",
        email="jane.smith@example.com",
    )
    john = factories.customer(
        council,
        "John",
        "Jones",
        date_of_birth=datetime.date(1975, 7, 1),
        postcode="HP20 1AB",
        phone="01296 585858",
    )
    ahmed = factories.customer(
        council, "Ahmed", "Khan", postcode="LE1 6ZG", language="cy", format="large-print"
    )
    outsider = factories.customer(
        partner,
        "Jane",
        "Smith",
        date_of_birth=datetime.date(1980, 3, 12),
        postcode="HP19 8FF",
        phone="07700 900123",
    )
    return People(jane, john, ahmed, outsider, factories.marker(john))


def snapshot() -> dict[str, object]:
    """Everything a refused request must leave as it was."""
    reason = "test snapshot"
    return {
        "customers": sorted(
            Customer.objects.unscoped(reason).values_list(
                "pk", "display_name", "date_of_birth", "version", "merged_into"
            )
        ),
        "names": CustomerName.objects.unscoped(reason).count(),
        "addresses": sorted(Address.objects.unscoped(reason).values_list("customer", "postcode")),
        "phones": sorted(Phone.objects.unscoped(reason).values_list("customer", "number")),
        "emails": sorted(Email.objects.unscoped(reason).values_list("customer", "address")),
        "equality": EqualityMonitoring.objects.unscoped(reason).count(),
        "markers": sorted(
            Marker.objects.unscoped(reason).values_list("pk", "review_on", "ended_on")
        ),
        "merges": CustomerMerge.objects.unscoped(reason).count(),
        "changes": AuditRecord.objects.unscoped(reason)
        .filter(
            action__in=[AuditAction.CREATED, AuditAction.CHANGED],
            object_type__startswith="customers.",
        )
        .count(),
    }
