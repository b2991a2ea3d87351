"""REST API of customers: the permission matrix for every endpoint, duplicates (409), stale
versions (409), bad input (problem details, nothing saved) and audit of reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, User
from tests.customers.conftest import People, snapshot

ClientFor = Callable[[User], Client]
API = "/api/v1/customers"
pytestmark = pytest.mark.django_db

NEW = {"given_name": "Mary", "family_name": "Evans", "phones": ["01632 960123"]}
UPDATE = {"given_name": "Jane", "family_name": "Brown", "version": 1}

# (name, method, url, body, the persona allowed, a same-organisation persona refused)
ENDPOINTS: list[tuple[str, str, Callable[[People], str], dict[str, Any] | None, str]] = [
    ("search", "get", lambda p: f"{API}/?q=smith", None, "administrator"),
    ("read", "get", lambda p: f"{API}/{p.jane.pk}", None, "administrator"),
    ("create", "post", lambda p: f"{API}/", NEW, "auditor"),
    ("update", "put", lambda p: f"{API}/{p.jane.pk}", UPDATE, "auditor"),
]


def allowed_status(method: str) -> int:
    return 201 if method == "post" else 200


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "method", "url_of", "body", "refused"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_permission_matrix(
    request: pytest.FixtureRequest,
    client_for: ClientFor,
    people: People,
    advisor: User,
    partner_advisor: User,
    name: str,
    method: str,
    url_of: Callable[[People], str],
    body: dict[str, Any] | None,
    refused: str,
) -> None:
    url = url_of(people)
    before = snapshot()
    anonymous = _call(Client(), method, url, body)
    forbidden = _call(client_for(request.getfixturevalue(refused)), method, url, body)
    assert snapshot()["customers"] == before["customers"]
    other = _call(client_for(partner_advisor), method, url, body)
    assert (anonymous.status_code, forbidden.status_code) == (401, 403)
    assert other.status_code == (404 if name in ("read", "update") else allowed_status(method))
    allowed = _call(client_for(advisor), method, url, body)
    assert allowed.status_code == allowed_status(method)


def test_search_answers_the_desks_results(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    response = client_for(advisor).get(f"{API}/", {"q": "+44 7700 900123"})
    assert [(row["id"], row["matched"]) for row in response.json()] == [(people.jane.pk, "phone")]


def test_reading_a_customer_is_audited_and_hides_warning_detail_from_advisors(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    body = client_for(advisor).get(f"{API}/{people.john.pk}").json()
    assert body["phones"] == ["+441296585858"]
    assert [(w["kind"], w["reason"], w["source"]) for w in body["warnings"]] == [
        ("potentially-violent", None, None)
    ]
    assert (
        AuditRecord.objects.for_user(advisor)
        .filter(
            action=AuditAction.VIEWED,
            object_type="customers.customer",
            object_id=str(people.john.pk),
        )
        .count()
        == 1
    )


def test_a_possible_duplicate_answers_409_unless_allowed(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    body = {"given_name": "Jayne", "family_name": "Smith", "date_of_birth": "1980-03-12"}
    before = snapshot()
    conflict = _call(client, "post", f"{API}/", body)
    assert conflict.status_code == 409
    assert [d["id"] for d in conflict.json()["duplicates"]] == [people.jane.pk]
    assert snapshot() == before
    assert _call(client, "post", f"{API}/", {**body, "allow_duplicate": True}).status_code == 201


def test_a_stale_version_answers_409_and_changes_nothing(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    assert _call(client, "put", f"{API}/{people.jane.pk}", UPDATE).status_code == 200
    before = snapshot()
    stale = _call(client, "put", f"{API}/{people.jane.pk}", {**UPDATE, "family_name": "Green"})
    assert (stale.status_code, stale.json()["title"]) == (409, "stale_version")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "title"),
    [
        ({**NEW, "phones": ["12"]}, 400, "invalid_phone"),
        ({**NEW, "emails": ["nope"]}, 400, "invalid_email"),
        ({**NEW, "address": {"line_1": "1 Road", "postcode": "NOPE"}}, 400, "invalid_postcode"),
        ({**NEW, "date_of_birth": "2999-01-01"}, 400, "invalid_date_of_birth"),
        ({**NEW, "date_of_birth": "31/02/1980"}, 422, "invalid"),
        ({**NEW, "family_name": "x" * 10_000}, 422, "invalid"),
        ({**NEW, "phones": ["01632 960123"] * 50}, 422, "invalid"),
        ({**NEW, "language": "<script>"}, 400, "invalid_choice"),
    ],
)
def test_bad_input_answers_problem_details_and_nothing_is_saved(
    client_for: ClientFor,
    people: People,
    advisor: User,
    body: dict[str, Any],
    status: int,
    title: str,
) -> None:
    before = snapshot()
    response = _call(client_for(advisor), "post", f"{API}/", body)
    assert (response.status_code, response.json()["title"]) == (status, title)
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot() == before


def test_the_api_is_documented(client_for: ClientFor, advisor: User) -> None:
    schema = client_for(advisor).get("/api/v1/openapi.json").json()
    assert {"/api/v1/customers/", "/api/v1/customers/{customer_id}", "/api/v1/contacts/"} <= set(
        schema["paths"]
    )
