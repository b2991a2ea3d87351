"""Every list read and search at the desk and in the contacts API writes one audit record naming
who, the query, the count and the ids (issue 11, item 2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.cases.models import CaseKind
from onestop.contacts import services
from onestop.contacts.models import Callback, Contact, VisitorTicket
from onestop.core.models import Organisation, User
from onestop.directory.models import AccessPoint
from tests.cases import factories as case_factories
from tests.customers.conftest import People
from tests.list_reads import list_reads

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db


def _log(council: Organisation, people: People, advisor: User) -> Contact:
    return services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(outcome="resolved", notes="Bins"),
    )


def test_an_api_list_of_contacts_is_recorded_once_with_its_ids(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    first, second = _log(council, people, advisor), _log(council, people, advisor)
    response = client_for(advisor).get(f"/api/v1/contacts/?customer_id={people.jane.pk}")
    assert [found["id"] for found in response.json()] == [second.pk, first.pk]
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "contacts.contact",
            {
                "query": {"customer_id": str(people.jane.pk), "limit": "50"},
                "count": 2,
                "ids": [str(second.pk), str(first.pk)],
            },
        )
    ]


def test_an_api_list_of_every_contact_is_recorded_too(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    contact = _log(council, people, advisor)
    assert client_for(advisor).get("/api/v1/contacts/?limit=500").status_code == 200
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "contacts.contact",
            {"query": {"limit": "500"}, "count": 1, "ids": [str(contact.pk)]},
        )
    ]


@pytest.mark.parametrize("page", ["/desk/", "/desk/search/"])
def test_a_desk_search_is_recorded_once_with_the_customers_found(
    client_for: ClientFor, council: Organisation, people: People, advisor: User, page: str
) -> None:
    response = client_for(advisor).get(page, {"q": "smith"})
    assert [result.customer_id for result in response.context["results"]] == [people.jane.pk]
    assert list_reads(council) == [
        (
            "advisor",
            "searched",
            "customers.customer",
            {"query": {"q": "smith"}, "count": 1, "ids": [str(people.jane.pk)]},
        )
    ]


def test_an_empty_search_box_is_not_a_search(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    assert client_for(advisor).get("/desk/search/", {"q": "  "}).status_code == 200
    assert list_reads(council) == []


def test_a_case_reference_typed_at_the_desk_is_recorded_as_a_case_search(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    case_factories.standards(council)
    crews = case_factories.team(case_factories.service(council, "Waste"), "Crews")
    case_factories.case_type(
        council, "missed-bin", kind=CaseKind.SERVICE_REQUEST, service=crews.service, team=crews
    )
    case = case_factories.raise_case(council, attributes={}, customer=people.jane)
    client_for(advisor).get("/desk/search/", {"q": case.reference.lower()})
    assert list_reads(council) == [
        (
            "advisor",
            "searched",
            "cases.case",
            {"query": {"q": case.reference.lower()}, "count": 1, "ids": [case.reference]},
        )
    ]


def test_the_call_back_list_is_recorded_once_with_its_ids(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    client.post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {
            "outcome": "callback-promised",
            "callback_phone": "07700 900123",
            "channel": "telephone",
            "direction": "in",
            "notes": "Call back about the bins",
        },
    )
    callback = Callback.objects.for_organisation(council).get()
    assert client.get("/desk/callbacks/").status_code == 200
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "contacts.callback",
            {"query": {}, "count": 1, "ids": [str(callback.pk)]},
        )
    ]


def test_the_visitor_queue_is_recorded_once_with_its_tickets(
    client_for: ClientFor, council: Organisation, advisor: User, office: AccessPoint
) -> None:
    client = client_for(advisor)
    client.post(f"/desk/queue/?access_point={office.pk}", {"customer_reference": ""})
    ticket = VisitorTicket.objects.for_organisation(council).get()
    assert client.get(f"/desk/queue/?access_point={office.pk}").status_code == 200
    assert list_reads(council) == [
        (
            "advisor",
            "listed",
            "contacts.visitorticket",
            {"query": {"access_point": str(office.pk)}, "count": 1, "ids": [str(ticket.pk)]},
        )
    ]
