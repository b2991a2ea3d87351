"""Every list read and search of cases writes one audit record naming who, the query or filters,
the count and the references (issue 11, item 2); a queue of a team that is not the user's
organisation's answers 404, not another queue (item 9)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import Organisation, User
from tests.cases import factories
from tests.cases.conftest import World
from tests.list_reads import list_reads

ClientFor = Callable[[User], Client]


@pytest.fixture
def case(world: World) -> Case:
    return factories.raise_case(world.organisation, title="Missed bin")


def test_an_api_search_is_recorded_once_with_its_query_and_references(
    world: World, case: Case, advisor: User, client_for: ClientFor
) -> None:
    factories.raise_case(world.organisation, title="Fly-tipping")
    response = client_for(advisor).get("/api/v1/cases/?q=missed&limit=500&offset=0")
    assert [found["reference"] for found in response.json()] == [case.reference]
    assert list_reads(world.organisation) == [
        (
            "advisor",
            "searched",
            "cases.case",
            {
                "query": {"q": "missed", "limit": "500", "offset": "0"},
                "count": 1,
                "ids": [case.reference],
            },
        )
    ]


def test_a_queue_page_is_recorded_once_with_its_filters_and_references(
    world: World, case: Case, client_for: ClientFor
) -> None:
    response = client_for(world.officer).get(f"/queues/?team={world.crews.pk}&status=new")
    assert [row.reference for row in response.context["rows"]] == [case.reference]
    assert list_reads(world.organisation) == [
        (
            "officer",
            "listed",
            "cases.case",
            {
                "query": {"team_id": str(world.crews.pk), "status": "new"},
                "count": 1,
                "ids": [case.reference],
            },
        )
    ]


def test_a_queue_export_is_recorded_once_with_its_filters_and_references(
    world: World, case: Case, client_for: ClientFor
) -> None:
    response = client_for(world.head).get(f"/queues/export.csv?team={world.crews.pk}")
    assert response.status_code == 200
    assert list_reads(world.organisation) == [
        (
            "head.of.waste",
            "exported",
            "cases.case",
            {"query": {"team_id": str(world.crews.pk)}, "count": 1, "ids": [case.reference]},
        )
    ]


def test_a_councillors_list_of_enquiries_is_recorded_once(
    world: World, councillor: User, client_for: ClientFor
) -> None:
    client = client_for(councillor)
    client.post(
        "/cases/new/",
        {"title": "Pothole on Mill Lane", "constituent_name": "Pat Jones", "postcode": "HP20 1UB"},
    )
    mine = Case.objects.for_organisation(world.organisation).get(councillor=councillor)
    assert client.get("/enquiries/").status_code == 200
    assert list_reads(world.organisation) == [
        (
            "councillor",
            "listed",
            "cases.case",
            {"query": {"councillor_enquiries": "True"}, "count": 1, "ids": [mine.reference]},
        )
    ]


@pytest.mark.parametrize("page", ["/queues/", "/queues/export.csv"])
def test_a_queue_of_a_team_outside_the_organisation_is_404_and_not_recorded(
    world: World, case: Case, partner: Organisation, client_for: ClientFor, page: str
) -> None:
    partners_team = factories.team(factories.service(partner, "Tenancy"), "Tenancy officers")
    client = client_for(world.head)
    for team in (str(partners_team.pk), "999999999", "abc", "1e9", "-1", "\x00"):
        assert client.get(page, {"team": team}).status_code == 404, team
    assert client.get(page, {"team": world.crews.pk}).status_code == 200
    assert [what for _who, what, *_rest in list_reads(world.organisation)] == [
        "exported" if page.endswith(".csv") else "listed"
    ]
