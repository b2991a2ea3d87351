"""REST API: the permission matrix for every endpoint, problem details, scoping and audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.cases.models import Case, CaseNote, Status
from onestop.core.models import AuditRecord, User
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
API = "/api/v1/cases"

# (method, path, body, allowed persona, success status)
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, str, int]] = [
    ("post", "/", {"case_type": "missed-bin", "title": "Missed", "attributes": {"bin": "blue"}},
     "advisor", 201),
    ("get", "/?q=Missed", None, "advisor", 200),
    ("get", "/{ref}", None, "advisor", 200),
    ("patch", "/{ref}", {"version": 1, "title": "New title"}, "officer", 200),
    ("post", "/{ref}/assign", {"assignee_id": "{officer}", "reason": "Round"}, "leader", 200),
    ("post", "/{ref}/notes", {"kind": "internal", "text": "Note"}, "officer", 201),
    ("post", "/{ref}/close", {"outcome": "resolved", "resolution": "Done"}, "officer", 200),
    ("post", "/bulk-reassign", {"references": ["{ref}"], "team_id": "{team}", "reason": "Cover"},
     "leader", 200),
]  # fmt: skip
IDS = [f"{method} {path}" for method, path, *_rest in ENDPOINTS]


@pytest.fixture
def case(world: World) -> Case:
    return factories.raise_case(world.organisation, title="Missed bin")


def _fill(value: Any, world: World, case: Case) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item, world, case) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, world, case) for item in value]
    if value == "{officer}":
        return world.officer.pk
    if value == "{team}":
        return world.crews.pk
    if isinstance(value, str):
        return value.replace("{ref}", case.reference)
    return value


def _call(client: Client, method: str, path: str, body: Any, world: World, case: Case) -> Any:
    url = API + _fill(path, world, case)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(
        url, data=json.dumps(_fill(body, world, case)), content_type="application/json"
    )


def _unchanged(world: World, case: Case) -> None:
    case.refresh_from_db()
    assert (case.status, case.version, case.title) == (Status.NEW, 1, "Missed bin")
    assert Case.objects.for_organisation(world.organisation).count() == 1
    assert CaseNote.objects.for_organisation(world.organisation).count() == 0


@pytest.mark.parametrize(("method", "path", "body", "who", "status"), ENDPOINTS, ids=IDS)
def test_anonymous_callers_get_401(
    world: World, case: Case, method: str, path: str, body: Any, who: str, status: int
) -> None:
    response = _call(Client(), method, path, body, world, case)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    _unchanged(world, case)


@pytest.mark.parametrize(("method", "path", "body", "who", "status"), ENDPOINTS, ids=IDS)
def test_partner_staff_get_404_or_nothing(
    world: World,
    case: Case,
    partner_advisor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    body: Any,
    who: str,
    status: int,
) -> None:
    response = _call(client_for(partner_advisor), method, path, body, world, case)
    if "{ref}" in path:
        assert response.status_code == 404
    elif method == "get":
        assert response.json() == []
    else:
        assert response.status_code in {400, 403, 404}
    _unchanged(world, case)


@pytest.mark.parametrize(("method", "path", "body", "who", "status"), ENDPOINTS, ids=IDS)
def test_the_auditor_without_the_permission_gets_403(
    world: World,
    case: Case,
    auditor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    body: Any,
    who: str,
    status: int,
) -> None:
    response = _call(client_for(auditor), method, path, body, world, case)
    assert response.status_code == (200 if method == "get" else 403)
    _unchanged(world, case)


@pytest.mark.parametrize(("method", "path", "body", "who", "status"), ENDPOINTS, ids=IDS)
def test_the_allowed_persona_succeeds(
    world: World,
    case: Case,
    advisor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    body: Any,
    who: str,
    status: int,
) -> None:
    people = {"advisor": advisor, "officer": world.officer, "leader": world.leader}
    response = _call(client_for(people[who]), method, path, body, world, case)
    assert response.status_code == status, response.content


def test_a_read_is_audited_as_viewed(
    world: World, case: Case, advisor: User, client_for: ClientFor
) -> None:
    body = client_for(advisor).get(f"{API}/{case.reference}").json()
    assert (body["reference"], body["status"], body["version"]) == (case.reference, "new", 1)
    assert [clock["standard_code"] for clock in body["clocks"]] == [
        "answer-letters",
        "acknowledge-email",
    ]
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(action="viewed", object_id=str(case.pk), actor=advisor)
        .count()
        == 1
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"case_type": "nope", "title": "x"}, "unknown_type"),
        ({"case_type": "missed-bin", "title": "x"}, "missing_attribute"),
        ({"case_type": "missed-bin", "title": "x" * 201}, "invalid"),
        ({"case_type": "missed-bin"}, "invalid"),
        ({"case_type": "missed-bin", "title": "x", "attributes": {"bin": "blue", "x": 1}},
         "unknown_attribute"),
    ],
)  # fmt: skip
def test_refused_input_answers_problem_details_and_creates_nothing(
    world: World, advisor: User, client_for: ClientFor, body: dict[str, Any], code: str
) -> None:
    response = client_for(advisor).post(
        f"{API}/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == code
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_a_stale_patch_is_refused_with_409_style_problem(
    world: World, case: Case, client_for: ClientFor
) -> None:
    client = client_for(world.officer)
    first = client.patch(f"{API}/{case.reference}", data=json.dumps({"version": 1, "title": "A"}),
                         content_type="application/json")  # fmt: skip
    second = client.patch(f"{API}/{case.reference}", data=json.dumps({"version": 1, "title": "B"}),
                          content_type="application/json")  # fmt: skip
    assert first.status_code == 200
    assert (second.status_code, second.json()["title"]) == (400, "stale_update")
    case.refresh_from_db()
    assert case.title == "A"


def test_an_illegal_transition_by_patch_is_refused(
    world: World, case: Case, client_for: ClientFor
) -> None:
    response = client_for(world.officer).patch(
        f"{API}/{case.reference}",
        data=json.dumps({"version": 1, "status": "waiting-for-third-party-x"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["title"]) == (400, "invalid_transition")


def test_search_never_returns_another_organisations_cases(
    world: World, case: Case, partner_advisor: User, client_for: ClientFor
) -> None:
    response = client_for(partner_advisor).get(f"{API}/?q={case.reference}")
    assert response.json() == []


def test_bulk_reassignment_needs_the_leaders_permission(
    world: World, case: Case, client_for: ClientFor
) -> None:
    response = client_for(world.officer).post(
        f"{API}/bulk-reassign",
        data=json.dumps({"references": [case.reference], "team_id": world.crews.pk, "reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    _unchanged(world, case)
