"""The demo loaders: realistic customers with warnings and contacts, idempotent."""

from __future__ import annotations

import pytest

from onestop.contacts.demo import load_demo as load_contacts
from onestop.contacts.models import Callback, Contact, ContactReason
from onestop.core.models import Organisation, User
from onestop.customers.demo import load_demo as load_customers
from onestop.customers.models import Customer, Marker

pytestmark = pytest.mark.django_db


def _counts(council: Organisation) -> tuple[int, int, int, int, int]:
    return (
        Customer.objects.for_organisation(council).count(),
        Marker.objects.for_organisation(council).count(),
        ContactReason.objects.for_organisation(council).count(),
        Contact.objects.for_organisation(council).count(),
        Callback.objects.for_organisation(council).count(),
    )


def test_the_demo_loads_customers_and_contacts_once(council: Organisation, advisor: User) -> None:
    load_customers(council)
    load_contacts(council)
    first = _counts(council)
    load_customers(council)
    load_contacts(council)
    assert _counts(council) == first
    assert first[:3] == (33, 3, 4)
    assert first[3] > 33
    assert first[4] == 1
