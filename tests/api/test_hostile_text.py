"""A NUL byte, a control character, a bidirectional override or a zero-width space in any string
the API receives (query, path or body) is refused with a 422 problem document and changes
nothing; it used to give a 500 on PostgreSQL (issue 11, item 7).  The joiners U+200C/U+200D,
which emoji and Indic scripts need, are accepted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.contacts.models import Contact
from onestop.core.models import AuditRecord, User
from onestop.customers.models import Customer
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "\x1b[2J", "gpj\u202e.exe", "a\u200bb", "\ufeff", "\u2066x", "\ud800"]


def _counts(world: World) -> tuple[int, int, int, int]:
    organisation = world.organisation
    return (
        Case.objects.for_organisation(organisation).count(),
        Customer.objects.for_organisation(organisation).count(),
        Contact.objects.for_organisation(organisation).count(),
        AuditRecord.objects.filter(organisation=organisation).count(),
    )


def _refused(response: Any, location: list[Any], *, surrogate: bool = False) -> None:
    assert response.status_code == 422, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["title"] == "invalid"
    if surrogate:  # a lone surrogate in JSON is not a string at all: the schema refuses it
        assert body["errors"][0]["loc"][-1] == location[-1]
        return
    assert body["errors"][0]["loc"] == location
    assert body["errors"][0]["type"] == "control_characters"
    assert "special characters" in body["errors"][0]["msg"]


@pytest.mark.parametrize("bad", HOSTILE)
@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/api/v1/cases/?q={bad}", ["q"]),
        ("/api/v1/cases/?status={bad}", ["status"]),
        ("/api/v1/cases/?case_type={bad}", ["case_type"]),
        ("/api/v1/directory/services?q={bad}", ["q"]),
        ("/api/v1/customers/?q={bad}", ["parameters", "q"]),
        ("/api/v1/cases/SR-26-{bad}", ["reference"]),
    ],
)
def test_a_hostile_query_or_path_is_refused(
    world: World, client_for: ClientFor, advisor: User, url: str, location: list[str], bad: str
) -> None:
    from urllib.parse import quote

    response = client_for(advisor).get(
        url.replace("{bad}", quote(bad.encode("utf-8", "surrogatepass"), safe=""))
    )
    if bad == "\ud800":  # not UTF-8 at all: Django decodes it to U+FFFD, refused the same way
        assert response.status_code in (404, 422)
        return
    _refused(response, location)


def _post(client: Client, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_strings_in_posted_bodies_are_refused_and_nothing_changes(
    world: World, client_for: ClientFor, advisor: User, bad: str
) -> None:
    client = client_for(advisor)
    surrogate = bad == "\ud800"
    before = _counts(world)
    _refused(
        _post(client, "/api/v1/cases/", {"case_type": f"missed-bin{bad}", "title": "Missed"}),
        ["payload", "case_type"],
        surrogate=surrogate,
    )
    _refused(
        _post(
            client,
            "/api/v1/cases/",
            {"case_type": "missed-bin", "title": "Missed", "attributes": {"bin": bad}},
        ),
        ["payload", "attributes", "bin"],
        surrogate=surrogate,
    )
    _refused(
        _post(client, "/api/v1/customers/", {"given_name": f"Sam{bad}", "family_name": "Smith"}),
        ["payload", "given_name"],
        surrogate=surrogate,
    )
    _refused(
        _post(client, "/api/v1/customers/", {"given_name": "Sam", "family_name": f"{bad}Smith"}),
        ["payload", "family_name"],
        surrogate=surrogate,
    )
    _refused(
        _post(client, "/api/v1/contacts/", {"outcome": "resolved", "notes": f"Called{bad}"}),
        ["payload", "notes"],
        surrogate=surrogate,
    )
    _refused(
        _post(client, "/api/v1/contacts/", {"outcome": "resolved", "about_reference": bad}),
        ["payload", "about_reference"],
        surrogate=surrogate,
    )
    assert _counts(world) == before


def test_a_hostile_string_in_a_case_update_is_refused(
    world: World, client_for: ClientFor, advisor: User, team_leader: User
) -> None:
    case = factories.raise_case(world.organisation, title="Missed bin")
    response = _post(
        client_for(world.officer),
        f"/api/v1/cases/{case.reference}",
        {"version": case.version, "title": "New\x00title"},
        method="patch",
    )
    _refused(response, ["payload", "title"])
    case.refresh_from_db()
    assert case.title == "Missed bin"


def test_joiners_and_line_breaks_are_accepted(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    client = client_for(advisor)
    family = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian with a non-joiner
    response = _post(
        client,
        "/api/v1/customers/",
        {"given_name": "Sam \U0001f469\u200d\U0001f467", "family_name": family},
    )
    assert response.status_code == 201, response.content[:500]
    response = _post(
        client,
        "/api/v1/cases/",
        {
            "case_type": "missed-bin",
            "title": "Missed",
            "description": "Line one\r\n\tLine two",
            "attributes": {"bin": "blue"},
        },
    )
    assert response.status_code == 201, response.content[:500]


@pytest.mark.parametrize(
    ("url", "location"),
    [
        # Schemathesis found this one: SQLite's driver cannot bind it and answered 500.
        ("/api/v1/cases/?team_id=920826006899703939072", ["team_id"]),
        ("/api/v1/cases/?team_id=9223372036854775808", ["team_id"]),
        ("/api/v1/cases/?team_id=-9223372036854775809", ["team_id"]),
    ],
)
def test_a_whole_number_no_column_can_hold_is_refused(
    world: World, client_for: ClientFor, advisor: User, url: str, location: list[str]
) -> None:
    response = client_for(advisor).get(url)
    assert response.status_code == 422, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["errors"] == [
        {"loc": location, "msg": "Enter a smaller number", "type": "out_of_range"}
    ]


def test_the_largest_storable_id_is_an_ordinary_search(
    world: World, client_for: ClientFor, advisor: User
) -> None:
    response = client_for(advisor).get("/api/v1/cases/?team_id=9223372036854775807")
    assert response.status_code == 200
    assert json.loads(response.content) == []
