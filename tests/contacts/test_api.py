"""REST API of contacts: the permission matrix for every endpoint, bad input, stale versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.contacts import services
from onestop.contacts.models import Callback, Contact
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from tests.customers.conftest import People

ClientFor = Callable[[User], Client]
API = "/api/v1/contacts"
pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(council: Organisation, people: People, advisor: User) -> Contact:
    return services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(outcome="resolved", notes="Bins"),
    )


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _endpoints(
    people: People, contact: Contact
) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    return [
        ("get", f"{API}/?customer_id={people.jane.pk}", None, "administrator"),
        ("get", f"{API}/{contact.pk}", None, "administrator"),
        (
            "post",
            f"{API}/",
            {"customer_id": people.jane.pk, "outcome": "resolved", "notes": "Bins"},
            "auditor",
        ),
        (
            "put",
            f"{API}/{contact.pk}",
            {"version": 1, "outcome": "signposted", "notes": "Bins"},
            "auditor",
        ),
    ]


@pytest.mark.parametrize("index", [0, 1, 2, 3], ids=["list", "read", "create", "update"])
def test_permission_matrix(
    request: pytest.FixtureRequest,
    client_for: ClientFor,
    council: Organisation,
    people: People,
    contact: Contact,
    advisor: User,
    partner_advisor: User,
    index: int,
) -> None:
    method, url, body, refused = _endpoints(people, contact)[index]
    count = Contact.objects.for_organisation(council).count()
    assert _call(Client(), method, url, body).status_code == 401
    assert _call(client_for(request.getfixturevalue(refused)), method, url, body).status_code == 403
    assert _call(client_for(partner_advisor), method, url, body).status_code == 404
    assert Contact.objects.for_organisation(council).count() == count
    contact.refresh_from_db()
    assert contact.outcome == "resolved"
    allowed = _call(client_for(advisor), method, url, body)
    assert allowed.status_code == (201 if method == "post" else 200)


def test_reading_a_contact_is_audited(
    client_for: ClientFor, contact: Contact, advisor: User
) -> None:
    assert client_for(advisor).get(f"{API}/{contact.pk}").json()["outcome"] == "resolved"
    assert (
        AuditRecord.objects.for_user(advisor)
        .filter(action=AuditAction.VIEWED, object_type="contacts.contact")
        .count()
        == 1
    )


def test_a_call_back_promised_through_the_api_has_a_clock_deadline(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    body = {
        "customer_id": people.jane.pk,
        "outcome": "callback-promised",
        "callback_phone": "07700 900123",
        "notes": "Council tax bill",
    }
    response = _call(client_for(advisor), "post", f"{API}/", body)
    [callback] = response.json()["callbacks"]
    assert callback["phone"] == "+447700900123"
    assert callback["due_at"] is not None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"channel": "pigeon"}, 400),
        ({"outcome": "callback-promised", "callback_phone": "1"}, 400),
        ({"received_at": "2099-01-01T00:00:00Z"}, 400),
        ({"received_at": "yesterday"}, 422),
        ({"notes": "x" * 6000}, 422),
        ({"reason_id": 999999}, 400),
    ],
)
def test_bad_contacts_are_refused_and_nothing_saved(
    client_for: ClientFor,
    council: Organisation,
    people: People,
    advisor: User,
    body: dict[str, Any],
    status: int,
) -> None:
    response = _call(
        client_for(advisor), "post", f"{API}/", {"customer_id": people.jane.pk, **body}
    )
    assert response.status_code == status
    assert Contact.objects.for_organisation(council).count() == 0
    assert Callback.objects.for_organisation(council).count() == 0


def test_a_partners_customer_cannot_be_used(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = _call(client_for(advisor), "post", f"{API}/", {"customer_id": people.outsider.pk})
    assert response.status_code == 404
    assert Contact.objects.for_organisation(council).count() == 0


def test_a_stale_update_answers_409(client_for: ClientFor, contact: Contact, advisor: User) -> None:
    client = client_for(advisor)
    assert (
        _call(
            client,
            "put",
            f"{API}/{contact.pk}",
            {"version": 1, "outcome": "signposted", "notes": "Bins"},
        ).status_code
        == 200
    )
    body = {"version": 1, "outcome": "transferred", "notes": "Bins"}
    stale = _call(client, "put", f"{API}/{contact.pk}", body)
    contact.refresh_from_db()
    assert (stale.status_code, contact.outcome) == (409, "signposted")
