"""The customer search API and the list of warning markers due for review each write one audit
record naming who, the query, the count and the ids (issue 11, item 2)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import Organisation, User
from onestop.customers.models import Marker
from tests.customers.conftest import People
from tests.list_reads import list_reads

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db


def test_an_api_customer_search_is_recorded_once_with_the_customers_found(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = client_for(advisor).get("/api/v1/customers/?q=smith&limit=500")
    assert [found["id"] for found in response.json()] == [people.jane.pk]
    assert list_reads(council) == [
        (
            "advisor",
            "searched",
            "customers.customer",
            {"query": {"q": "smith", "limit": "500"}, "count": 1, "ids": [str(people.jane.pk)]},
        )
    ]


def test_the_markers_due_for_review_are_recorded_once_with_their_ids(
    client_for: ClientFor, council: Organisation, people: People, manager: User
) -> None:
    due = people.marker
    Marker.objects.for_organisation(council).filter(pk=due.pk).update(
        review_on=datetime.date(2020, 1, 1)
    )
    assert client_for(manager).get("/customers/markers/review/").status_code == 200
    assert list_reads(council) == [
        (
            "manager",
            "listed",
            "customers.marker",
            {"query": {"due_for_review": "True"}, "count": 1, "ids": [str(due.pk)]},
        )
    ]
