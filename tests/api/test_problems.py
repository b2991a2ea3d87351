"""Every error of the REST API is a problem document (RFC 9457), whatever caused it (issue 11,
item 8): a body over the size limit, an unknown URL, a method not allowed, a body that is not
JSON, a failure inside an endpoint, with DEBUG on or off."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from onestop.cases.models import Case
from onestop.core.models import User
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["type"].startswith("https://onestop.invalid/problems/")
    assert body["title"]
    assert body["detail"]
    return body


@pytest.mark.parametrize("debug", [False, True])
def test_a_body_over_the_size_limit_is_a_413_problem_and_changes_nothing(
    world: World, client_for: ClientFor, advisor: User, debug: bool
) -> None:
    client = client_for(advisor)
    before = Case.objects.for_organisation(world.organisation).count()
    payload = json.dumps({"case_type": "missed-bin", "title": "Missed", "description": "x" * 5000})
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024, DEBUG=debug):
        response = client.post("/api/v1/cases/", data=payload, content_type="application/json")
    body = _problem(response, 413)
    assert body["title"] == "too_large"
    assert Case.objects.for_organisation(world.organisation).count() == before


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_url_is_a_404_problem(
    world: World, client_for: ClientFor, advisor: User, debug: bool
) -> None:
    with override_settings(DEBUG=debug):
        response = client_for(advisor).get("/api/v1/no-such-thing/")
    assert _problem(response, 404)["title"] == "not_found"


def test_a_method_not_allowed_is_a_405_problem_naming_the_allowed_ones(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    response = client_for(advisor).delete("/api/v1/cases/")
    assert _problem(response, 405)["title"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_body_that_is_not_json_is_a_400_problem(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    response = client_for(advisor).post(
        "/api/v1/cases/", data="{not json", content_type="application/json"
    )
    assert _problem(response, 400)["title"] == "bad_request"


def test_a_signed_out_caller_gets_a_401_problem(world: World) -> None:
    assert _problem(Client().get("/api/v1/cases/"), 401)["title"] == "unauthenticated"


@pytest.mark.parametrize("debug", [False, True])
def test_a_failure_inside_an_endpoint_is_a_500_problem_without_a_traceback(
    world: World,
    client_for: ClientFor,
    advisor: User,
    debug: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onestop.cases import queries

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "search_cases", broken)
    client = client_for(advisor)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/cases/")
    body = _problem(response, 500)
    assert body["title"] == "server_error"
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_pages_outside_the_api_keep_their_html_error_pages(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    response = client_for(advisor).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_conflict_an_endpoint_answers_itself_is_a_problem_document_keeping_its_detail(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    from onestop.contacts import services as contact_services

    contact = contact_services.log_contact(
        world.organisation,
        by=None,
        customer=None,
        values=contact_services.ContactInput(outcome="resolved", notes="Asked about bins"),
    )
    response = client_for(advisor).put(
        f"/api/v1/contacts/{contact.pk}",
        data=json.dumps(
            {"version": contact.version + 5, "outcome": "resolved", "notes": "Asked about bins"}
        ),
        content_type="application/json",
    )
    body = _problem(response, 409)
    assert body["title"] != "error"
    assert body["detail"] != "Conflict."


def test_the_openapi_document_says_every_error_is_a_problem_document(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    document = client_for(advisor).get("/api/v1/openapi.json").json()
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
