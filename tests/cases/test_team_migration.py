"""``cases.0013`` (issue 17: the team a case had at the time) goes back and forward on the real
database: going back leaves the raised and assigned events with the team's name only and drops
the clocks' team; going forward gives each event the id of the one team of the organisation with
that name (the events whose name several teams share, or none has, get none) and each stopped
clock the team its case had when it stopped, from the history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onestop.cases import services
from onestop.cases.models import Case, CaseClock, CaseEvent
from tests.cases import factories
from tests.cases.conftest import World, world
from tests.performance.standards_story import at

__all__ = ["world"]  # fixtures used here

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0012_casetype_name_cy")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def at_the_latest() -> Iterator[None]:
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _recorded(world: World) -> list[tuple[str, str, int | None]]:
    events = CaseEvent.objects.for_organisation(world.organisation).filter(
        code__in=("raised", "assigned")
    )
    return [
        (event.code, event.data["team"], event.data.get("team_id"))
        for event in events.order_by("at", "id")
    ]


def test_the_event_team_ids_go_back_and_are_filled_by_name_going_forward(
    world: World, at_the_latest: None
) -> None:
    with time_machine.travel(at(2), tick=False):
        case = factories.raise_case(world.organisation, by=world.leader)
    with time_machine.travel(at(3), tick=False):
        case.refresh_from_db()
        services.assign_case(case, by=world.leader, assignee=None, team=world.town_crews)
    # Another service's team takes the name "Town crews": that name is no longer one team's.
    factories.team(world.information, "Town crews")
    assert _recorded(world) == [
        ("raised", "Collection crews", world.crews.pk),
        ("assigned", "Town crews", world.town_crews.pk),
    ]

    _migrate(BEFORE)
    assert _recorded(world) == [
        ("raised", "Collection crews", None),
        ("assigned", "Town crews", None),
    ]

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert _recorded(world) == [
        ("raised", "Collection crews", world.crews.pk),
        ("assigned", "Town crews", None),
    ]


def test_the_clock_teams_go_back_and_are_filled_from_the_history_going_forward(
    world: World, at_the_latest: None
) -> None:
    """A clock stopped with the collection crews, on a case moved to the town crews since (in
    the database: the services refuse to move a finished case), gets the collection crews back
    from the history; a running clock stays empty (the case's team now)."""
    with time_machine.travel(at(2), tick=False):
        stopped = factories.raise_case(world.organisation, by=world.leader)
        running = factories.raise_case(world.organisation, by=world.leader)
    with time_machine.travel(at(3), tick=False):
        services.close_case(stopped, by=None, outcome="resolved", resolution="Emptied")
    Case.objects.for_organisation(world.organisation).filter(pk=stopped.pk).update(
        team=world.town_crews
    )

    _migrate(BEFORE)
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, CaseClock._meta.db_table
            )
        ]
    assert "team_id" not in columns

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    teams = CaseClock.objects.for_organisation(world.organisation).values_list("case", "team")
    assert sorted(set(teams)) == sorted({(stopped.pk, world.crews.pk), (running.pk, None)})
