"""Issue 17: a past instant's per-team backlog counts each case for the team it had then, so an
auditor recomputing March in May gets March's answer however the cases moved since.

Missed-bin cases go to the collection crews (team A); the town crews are team B, in the same
service.  X is raised on 2 March and moved to B on 5 April (after March); Y is raised on 2 March
and moved to B on 15 March (during March); Z stays with A.  At the end of March: A has X and Z,
B has Y; at the end of April: B has X and Y, A has Z."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.cases import services
from onestop.cases.models import Case, CaseEvent
from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.directory.models import Team
from onestop.performance.queries import backlog
from onestop.performance.queries import volumes as volume_queries
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
MARCH_END = datetime.date(2026, 3, 31)
APRIL_END = datetime.date(2026, 4, 30)
SPRING = reporting.Period(datetime.date(2026, 3, 1), APRIL_END)


def at(day: int, month: int = 3, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=LONDON)


def _raise(organisation: Organisation, when: datetime.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        return factories.raise_case(organisation)


def _move(world: World, case: Case, team: Team, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        case.refresh_from_db()
        services.assign_case(case, by=world.leader, assignee=None, team=team, reason="Area")


@pytest.fixture
def moved(world: World) -> dict[str, Case]:
    made = {name: _raise(world.organisation, at(2, hour=9 + n)) for n, name in enumerate("XYZ")}
    _move(world, made["Y"], world.town_crews, at(15))
    _move(world, made["X"], world.town_crews, at(5, 4))
    return made


def _open(world: World, day: datetime.date, team: str) -> set[str]:
    scope = volume_queries.Scope(world.organisation, reporting.Period(day, day))
    return {case.reference for case in backlog.cases_behind(scope, day, team, "open")}


def _by_team(world: World, day: datetime.date, team: Team | None = None) -> dict[str, int]:
    scope = volume_queries.Scope(world.organisation, reporting.Period(day, day), team=team)
    return {row.label: row.open for row in backlog.backlog(scope, day)}


def test_the_raised_and_assigned_events_record_the_team_by_id(
    world: World, moved: dict[str, Case]
) -> None:
    events = CaseEvent.objects.for_organisation(world.organisation).filter(case=moved["Y"])
    recorded = [
        (event.code, event.data["team"], event.data["team_id"])
        for event in events.filter(code__in=("raised", "assigned")).order_by("at", "id")
    ]
    assert recorded == [
        ("raised", "Collection crews", world.crews.pk),
        ("assigned", "Town crews", world.town_crews.pk),
    ]


def test_each_month_end_counts_the_team_each_case_had_then(
    world: World, moved: dict[str, Case]
) -> None:
    assert _by_team(world, MARCH_END) == {"Collection crews": 2, "Town crews": 1, "All teams": 3}
    assert _by_team(world, APRIL_END) == {"Collection crews": 1, "Town crews": 2, "All teams": 3}
    reference = {name: case.reference for name, case in moved.items()}
    crews, town = str(world.crews.pk), str(world.town_crews.pk)
    assert _open(world, MARCH_END, crews) == {reference["X"], reference["Z"]}
    assert _open(world, MARCH_END, town) == {reference["Y"]}
    assert _open(world, APRIL_END, crews) == {reference["Z"]}
    assert _open(world, APRIL_END, town) == {reference["X"], reference["Y"]}
    # The team filter narrows to the cases the team had then.
    assert _by_team(world, MARCH_END, world.crews) == {"Collection crews": 2, "All teams": 2}
    assert _by_team(world, MARCH_END, world.town_crews) == {"Town crews": 1, "All teams": 1}
    # On 14 March Y had not moved yet.
    assert _by_team(world, datetime.date(2026, 3, 14)) == {"Collection crews": 3, "All teams": 3}


def test_the_report_trend_and_drill_down_follow_the_team_then(
    world: World, moved: dict[str, Case]
) -> None:
    def build(team: Team | None) -> reporting.ReportOutput:
        narrow = (("team", str(team.pk)),) if team is not None else ()
        return reporting.report_named("backlog").build(
            reporting.ReportRequest(world.organisation, SPRING, narrow=narrow)
        )

    trend = {team.name: [row[1] for row in build(team).tables[1].rows] for team in (
        world.crews, world.town_crews)}  # fmt: skip
    assert trend == {"Collection crews": [2, 1], "Town crews": [1, 2]}
    whole = build(None)
    assert [row[1] for row in whole.tables[1].rows] == [3, 3]
    table = whole.tables[0]
    at_the_end = {row[0]: row[1] for row in table.rows}
    assert at_the_end == {"Collection crews": 1, "Town crews": 2, "all": 3}
    # Every figure of the table links to exactly the cases it counts.
    scope = volume_queries.Scope(world.organisation, SPRING)
    checked = 0
    for row, links in zip(table.rows, table.links, strict=True):
        for value, link in zip(row, links, strict=True):
            if link is None:
                continue
            query = dict(parse_qsl(link.split("?", 1)[1]))
            found = backlog.cases_behind(
                scope, datetime.date.fromisoformat(query["day"]), query["team"], query["figure"]
            )
            assert len(found) == value, (row, query)
            checked += 1
    assert checked == 9 * 3


def test_a_history_without_the_team_id_counts_the_team_now(
    world: World, moved: dict[str, Case]
) -> None:
    """Events written before the ids were recorded (and not filled by the migration: the name
    was not one team's) fall back to the case's team now."""
    events = CaseEvent.objects.for_organisation(world.organisation).filter(
        case=moved["X"], code__in=("raised", "assigned")
    )
    for event in events:
        event.data = {key: value for key, value in event.data.items() if key != "team_id"}
        event.save(update_fields=["data"])
    assert _by_team(world, MARCH_END) == {"Collection crews": 1, "Town crews": 2, "All teams": 3}


def test_a_partner_sees_only_its_own(
    world: World, moved: dict[str, Case], partner: Organisation
) -> None:
    factories.standards(partner)
    grounds = factories.service(partner, "Grounds")
    crew = factories.team(grounds, "Collection crews")
    factories.case_type(
        partner, "missed-bin", kind=factories.KINDS.SERVICE_REQUEST, service=grounds, team=crew,
        standards=("answer-letters", "acknowledge-email"),
    )  # fmt: skip
    with time_machine.travel(at(3), tick=False):
        theirs = factories.raise_case(partner, attributes={})
    scope = volume_queries.Scope(partner, reporting.Period(MARCH_END, MARCH_END))
    assert {row.label: row.open for row in backlog.backlog(scope, MARCH_END)} == {
        "Collection crews": 1,
        "All teams": 1,
    }
    assert [case.reference for case in backlog.cases_behind(scope, MARCH_END, "all", "open")] == [
        theirs.reference
    ]
    assert _by_team(world, MARCH_END) == {"Collection crews": 2, "Town crews": 1, "All teams": 3}
    # The council's team ids name nothing of the partner's.
    assert backlog.cases_behind(scope, MARCH_END, str(world.crews.pk), "open") == []
