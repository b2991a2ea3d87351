"""The customer search API and the list of warning markers due for review each write one audit
record naming who, the query, the count and the ids (issue 11, item 2)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import Organisation, User
from onestop.customers.models import Marker
from tests.customers import factories
from tests.customers.conftest import People
from tests.govuk_dates import date_input
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


NEW_CUSTOMER = {
    "kind": "person",
    "given_name": "Jayne",
    "family_name": "Smith",
    **date_input("date_of_birth", "12/3/1980"),
    "line_1": "",
    "postcode": "",
    "phone": "",
    "email": "",
    "language": "en",
}


def test_possible_duplicates_shown_on_the_new_customer_page_are_recorded_once(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    assert client.post("/customers/new/", NEW_CUSTOMER).status_code == 200
    searched = (
        "advisor",
        "searched",
        "customers.customer",
        {
            "query": {"possible_duplicates_of": "Jayne Smith"},
            "count": 1,
            "ids": [str(people.jane.pk)],
        },
    )
    assert list_reads(council) == [searched]
    client.post("/customers/new/", {**NEW_CUSTOMER, "not_a_duplicate": "on"})
    assert list_reads(council) == [searched]  # passed over, not shown again


def test_possible_duplicates_answered_by_the_api_are_recorded_once(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    body = {"given_name": "Jayne", "family_name": "Smith", "date_of_birth": "1980-03-12"}
    conflict = client_for(advisor).post(
        "/api/v1/customers/", data=json.dumps(body), content_type="application/json"
    )
    assert conflict.status_code == 409
    assert list_reads(council) == [
        (
            "advisor",
            "searched",
            "customers.customer",
            {
                "query": {"possible_duplicates_of": "Jayne Smith"},
                "count": 1,
                "ids": [str(people.jane.pk)],
            },
        )
    ]


def test_the_merge_pages_candidates_are_recorded_once(
    client_for: ClientFor, council: Organisation, people: People, manager: User
) -> None:
    twin = factories.customer(
        council, "Jane", "Smith", date_of_birth=datetime.date(1980, 3, 12), postcode="HP19 8FF"
    )
    page = client_for(manager).get(f"/customers/{people.jane.pk}/merge/")
    assert [found.customer.pk for found in page.context["candidates"]] == [twin.pk]
    assert list_reads(council) == [
        (
            "manager",
            "listed",
            "customers.customer",
            {
                "query": {"merge_candidates_for": str(people.jane.pk)},
                "count": 1,
                "ids": [str(twin.pk)],
            },
        )
    ]
