"""Issue 17: a past instant's per-team backlog and compliance count each case for the team it
had then, so an auditor recomputing March in May gets March's answer however the cases moved.

Missed-bin cases go to the collection crews (team A); the town crews are team B, in the same
service.  X is raised on 2 March and moved to B on 5 April (after March); Y is raised on 2 March
and moved to B on 15 March (during March); Z stays with A.  At the end of March: A has X and Z,
B has Y; at the end of April: B has X and Y, A has Z."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from onestop.cases import services
from onestop.cases.models import Case, CaseClock, CaseEvent
from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.directory.models import Team
from onestop.performance.queries import backlog, compliance
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


# --- compliance per team -------------------------------------------------------------------------
# K is raised on 2 March and closed on 3 March (both its clocks met, in March, with the collection
# crews); R is raised on 2 March and still open (both clocks overdue in March) and moved to the
# town crews on 5 April.  The services refuse to move a finished case, so K's team changes after
# its clocks stopped only outside them (a correction in the database), and that must not move its
# results either.
NOW = datetime.datetime(2026, 4, 10, 12, tzinfo=LONDON)
MARCH = reporting.month_of(datetime.date(2026, 3, 1))
APRIL = reporting.month_of(datetime.date(2026, 4, 1))


@pytest.fixture
def decided(world: World) -> dict[str, Case]:
    made = {"K": _raise(world.organisation, at(2)), "R": _raise(world.organisation, at(2, hour=11))}
    with time_machine.travel(at(3, hour=12), tick=False):
        made["K"].refresh_from_db()
        services.close_case(made["K"], by=None, outcome="resolved", resolution="Emptied")
    Case.objects.for_organisation(world.organisation).filter(pk=made["K"].pk).update(
        team=world.town_crews
    )
    _move(world, made["R"], world.town_crews, at(5, 4))
    return made


def _per_team(
    organisation: Organisation, period: reporting.Period = MARCH
) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    rows = compliance.compliance_by(organisation, period, now=NOW, by="team")
    return {
        (row.group_name, row.code): (
            row.counts.met, row.counts.missed, row.counts.overdue, row.counts.not_yet_due
        )
        for row in rows
    }  # fmt: skip


def test_a_stopped_clock_counts_for_the_team_it_stopped_with(
    world: World, decided: dict[str, Case]
) -> None:
    clocks = CaseClock.objects.for_organisation(world.organisation)
    assert set(clocks.filter(case=decided["K"]).values_list("team", flat=True)) == {world.crews.pk}
    assert set(clocks.filter(case=decided["R"]).values_list("team", flat=True)) == {None}
    assert _per_team(world.organisation) == {
        ("Collection crews", "acknowledge-email"): (1, 0, 0, 0),
        ("Collection crews", "answer-letters"): (1, 0, 0, 0),
        ("Town crews", "acknowledge-email"): (0, 0, 1, 0),  # R: running, the team now
        ("Town crews", "answer-letters"): (0, 0, 1, 0),
    }
    # The drill-down lists exactly the clocks each team's figure counts.
    for team, case in ((world.crews, decided["K"]), (world.town_crews, decided["R"])):
        behind = compliance.clocks_behind(
            world.organisation, MARCH, now=NOW, figure="measured", team_id=team.pk
        )
        assert {(clock.case_id, clock.standard_code) for clock in behind} == {
            (case.pk, "acknowledge-email"),
            (case.pk, "answer-letters"),
        }
    # The team filter narrows to the same clocks.
    narrowed = compliance.compliance(
        world.organisation, MARCH, now=NOW, filters=compliance.Filters(team=world.crews)
    )
    assert {
        (row.code, row.counts.met, row.counts.measured)
        for row in narrowed
        if row.is_corporate and row.counts.measured
    } == {
        ("acknowledge-email", 1, 1),
        ("answer-letters", 1, 1),
    }


def test_the_per_team_and_per_service_tables_read_the_clocks_once(
    world: World, decided: dict[str, Case]
) -> None:
    with compliance.one_reading(), CaptureQueriesContext(connection) as read:
        compliance.compliance(world.organisation, MARCH, now=NOW)
        compliance.compliance_by(world.organisation, MARCH, now=NOW, by="team")
    clock_reads = [query for query in read.captured_queries if "cases_caseclock" in query["sql"]]
    assert len(clock_reads) == 1


def test_a_reopened_case_runs_again_for_its_team_now(
    world: World, decided: dict[str, Case]
) -> None:
    with time_machine.travel(at(20), tick=False):
        decided["K"].refresh_from_db()
        services.reopen_case(decided["K"], by=world.leader, reason="Not emptied after all")
    clocks = CaseClock.objects.for_organisation(world.organisation).filter(case=decided["K"])
    assert set(clocks.values_list("team", flat=True)) == {None}
    # Measured by its new run for the team it is with now: its acknowledgement (due Monday 23
    # March) overdue in March, its answer due in April.
    assert _per_team(world.organisation) == {
        ("Town crews", "acknowledge-email"): (0, 0, 2, 0),
        ("Town crews", "answer-letters"): (0, 0, 1, 0),
    }


def test_a_partners_per_team_figures_are_its_own(
    world: World, decided: dict[str, Case], partner: Organisation
) -> None:
    factories.standards(partner)
    grounds = factories.service(partner, "Grounds")
    crew = factories.team(grounds, "Collection crews")
    factories.case_type(
        partner, "missed-bin", kind=factories.KINDS.SERVICE_REQUEST, service=grounds, team=crew,
        standards=("answer-letters", "acknowledge-email"),
    )  # fmt: skip
    with time_machine.travel(at(2), tick=False):
        theirs = factories.raise_case(partner, attributes={})
    with time_machine.travel(at(3, hour=12), tick=False):
        theirs.refresh_from_db()
        services.close_case(theirs, by=None, outcome="resolved", resolution="Cut")
    assert _per_team(partner) == {
        ("Collection crews", "acknowledge-email"): (1, 0, 0, 0),
        ("Collection crews", "answer-letters"): (1, 0, 0, 0),
    }
    assert [row.group_id for row in compliance.compliance_by(
        partner, MARCH, now=NOW, by="team")] == [crew.pk, crew.pk]  # fmt: skip
    assert _per_team(world.organisation)[("Collection crews", "answer-letters")] == (1, 0, 0, 0)


def test_the_team_of_the_result_changes_no_access_path(
    world: World, decided: dict[str, Case]
) -> None:
    """The clocks are read the way they were read by the case's team now: the same access path
    to the clocks (the index ``caseclock_org_decided`` at scale; ``bench/reports.py``)."""

    def clock_access(query: QuerySet[Any]) -> list[str]:
        sql, params = query.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            plan = [" ".join(str(part) for part in row) for row in cursor.fetchall()]
        return [line.split("(cost")[0].strip() for line in plan if "cases_caseclock" in line]

    ours = compliance._clocks(world.organisation, MARCH, compliance.Filters()).order_by()
    before = (
        CaseClock.objects.for_organisation(world.organisation)
        .filter(compliance.measured_q(MARCH))
        .order_by()
    )
    assert clock_access(
        ours.values("standard_code", "case__service_id", compliance.TEAM)
    ) == clock_access(before.values("standard_code", "case__service_id", "case__team_id"))
