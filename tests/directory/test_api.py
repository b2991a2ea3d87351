"""REST API: the permission matrix for every endpoint and the shapes it answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import User
from tests.directory.conftest import World

ClientFor = Callable[[User], Client]
API = "/api/v1/directory"
OBJECT_ENDPOINTS: list[Callable[[World], str]] = [
    lambda w: f"{API}/services/{w.service.pk}",
    lambda w: f"{API}/access-points/{w.point.pk}",
]
LIST_ENDPOINTS: list[Callable[[World], str]] = [
    lambda w: f"{API}/services",
    lambda w: f"{API}/access-points",
]
ALL = OBJECT_ENDPOINTS + LIST_ENDPOINTS
IDS = ["service", "access point", "services", "access points"]


@pytest.mark.parametrize("url", ALL, ids=IDS)
def test_anonymous_callers_get_401(world: World, url: Callable[[World], str]) -> None:
    response = Client().get(url(world))
    assert response.status_code == 401
    assert response.json()["title"] == "unauthenticated"


@pytest.mark.parametrize("url", OBJECT_ENDPOINTS, ids=IDS[:2])
def test_partner_staff_get_404_for_the_councils_objects(
    world: World, partner_advisor: User, client_for: ClientFor, url: Callable[[World], str]
) -> None:
    response = client_for(partner_advisor).get(url(world))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", ALL, ids=IDS)
def test_staff_without_the_directory_get_403(
    world: World, councillor: User, client_for: ClientFor, url: Callable[[World], str]
) -> None:
    assert client_for(councillor).get(url(world)).status_code == 403


@pytest.mark.parametrize("url", ALL, ids=IDS)
def test_advisors_get_200(
    world: World, advisor: User, client_for: ClientFor, url: Callable[[World], str]
) -> None:
    assert client_for(advisor).get(url(world)).status_code == 200


def test_an_unknown_id_is_404(world: World, advisor: User, client_for: ClientFor) -> None:
    assert client_for(advisor).get(f"{API}/services/999999").status_code == 404


def test_services_are_the_callers_own_with_their_lgsl_entry(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    body = client_for(advisor).get(f"{API}/services").json()
    assert body == [
        {
            "id": world.service.pk,
            "name": "Council Tax",
            "slug": "council-tax",
            "description": "",
            "lgsl": {"code": 57, "name": "Council Tax payments"},
        }
    ]


def test_partner_service_search_never_reaches_the_council(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    body = client_for(partner_advisor).get(f"{API}/services", {"q": "57"}).json()
    assert body == []


def test_the_partner_lists_its_own_and_shared_access_points(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    body = client_for(partner_advisor).get(f"{API}/access-points").json()
    assert [(point["name"], point["shared"]) for point in body] == [
        ("Buckingham One-Stop Shop", True),
        ("Housing Office", False),
    ]


def test_a_shared_access_point_is_readable_by_the_partner(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    response = client_for(partner_advisor).get(f"{API}/access-points/{world.shared_point.pk}")
    assert response.status_code == 200
    assert response.json()["organisation"] == "test-council"


def test_an_access_point_answers_its_hours(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    body = client_for(advisor).get(f"{API}/access-points/{world.point.pk}").json()
    assert body["hours"][0] == {
        "weekday": 0,
        "day": "Monday",
        "sessions": [{"opens": "09:00:00", "closes": "13:00:00"}],
    }
    assert [day["sessions"] for day in body["hours"][1:]] == [[]] * 6
    assert body["exceptions"] == [
        {
            "date": "2026-12-24",
            "reason": "Christmas Eve",
            "sessions": [{"opens": "09:00:00", "closes": "12:00:00"}],
        }
    ]
    assert [(o["title"], o["starts_weekday"], o["ends_at"]) for o in body["out_of_hours"]] == [
        ("Emergency standby", 4, "08:45:00")
    ]
