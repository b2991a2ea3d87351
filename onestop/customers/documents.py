"""Customers as owners of documents (registered in ``documents.owners`` by ``apps.py``)."""

from __future__ import annotations

from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core.models import User
from onestop.customers import queries
from onestop.customers.models import Customer
from onestop.documents import owners


def _customer_of(user: User, key: str) -> Model:
    if not key.isdigit() or not key.isascii():
        raise Http404
    return queries.get_customer_for(user, int(key))


def _title(customer: Model) -> str:
    return str(customer.display_name) if isinstance(customer, Customer) else str(customer)


def register() -> None:
    owners.register(
        owners.Owner(
            kind="customer",
            label=_("customer"),
            get_for=_customer_of,
            key_of=lambda customer: str(customer.pk),
            url_of=lambda customer: reverse("customers:detail", args=[customer.pk]),
            title_of=_title,
        )
    )
