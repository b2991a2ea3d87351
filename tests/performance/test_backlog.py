"""The ``backlog`` report: cases raised, paused, resolved and reopened through the cases app's
own services at known times in April and May 2026, and the open cases at the end of April and
of May counted from the cases' history: a case resolved after the month's end counts as open
then, a case closed in April and reopened in May does not; a case received at 23:30 on 30 April
(UK time) counts, one at 00:30 on 1 May does not; ages in calendar days, deadlines as they were
then, per team, with the trend."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from onestop.cases import services
from onestop.cases.models import Case, CaseEvent, Status
from onestop.core import reporting
from onestop.core.models import User
from onestop.performance.queries import backlog
from onestop.performance.queries import volumes as volume_queries
from onestop.standards import services as standards_services
from tests.cases.conftest import World, world
from tests.matrix import covers

__all__ = ["world"]

UTC = datetime.UTC
ClientFor = Callable[[User], Client]


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Cases:
    world: World
    made: dict[str, Case]


def _raise(world: World, when: str, postcode: str = "") -> Case:
    with time_machine.travel(utc(when), tick=False):
        return services.raise_case(
            world.organisation,
            by=world.officer,
            case_type_code="missed-bin",
            title="Missed blue bin",
            attributes={"bin": "blue"},
            postcode=postcode,
        )


def _resolve(world: World, case: Case, when: str) -> None:
    case.refresh_from_db()
    with time_machine.travel(utc(when), tick=False):
        services.resolve_case(case, by=world.officer, outcome="resolved", resolution="Emptied")


def _reopen(world: World, case: Case, when: str) -> None:
    case.refresh_from_db()
    with time_machine.travel(utc(when), tick=False):
        services.reopen_case(case, by=world.officer, reason="Not emptied after all")


@pytest.fixture
def cases(world: World) -> Cases:
    made = {
        "b1": _raise(world, "2026-04-29T10:00"),
        "b2": _raise(world, "2026-04-01T10:00", postcode="HP20 1AA"),  # the town crews
        "b3": _raise(world, "2026-04-20T10:00"),
        "b4": _raise(world, "2026-04-02T10:00"),
        "b5": _raise(world, "2026-04-15T10:00"),
        "b6": _raise(world, "2026-04-14T10:00"),
        "b7": _raise(world, "2026-04-30T22:30"),  # 23:30 on 30 April, UK time
        "b8": _raise(world, "2026-04-30T23:30"),  # 00:30 on 1 May, UK time
    }
    _resolve(world, made["b3"], "2026-05-02T10:00")  # after April: open at April's end
    _resolve(world, made["b4"], "2026-04-10T10:00")
    _reopen(world, made["b4"], "2026-05-03T10:00")  # reopened after April: closed then
    _resolve(world, made["b5"], "2026-04-16T10:00")
    _reopen(world, made["b5"], "2026-04-20T10:00")  # reopened in April: open then
    made["b6"].refresh_from_db()
    with time_machine.travel(utc("2026-04-16T10:00"), tick=False):
        services.change_status(made["b6"], by=world.officer, status=Status.WAITING_FOR_CUSTOMER)
    _resolve(world, made["b1"], "2026-05-10T10:00")
    return Cases(world, made)


def _rows(cases: Cases, first: str, last: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command(
        "report", "backlog", "--from", first, "--to", last, "--format", "csv",
        "--organisation", cases.world.organisation.slug, stdout=out,
    )  # fmt: skip
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_open_cases_at_the_end_of_april(cases: Cases) -> None:
    rows = _rows(cases, "2026-04-01", "2026-04-30")
    assert list(rows[0]) == [
        "team", "open", "age_0_5", "age_6_10", "age_11_20", "age_21_plus", "not_yet_due",
        "overdue", "clock_paused", "no_deadline",
    ]  # fmt: skip
    figures = {row["team"]: [row[name] for name in list(row)[1:]] for row in rows}
    assert figures == {
        "Collection crews": ["5", "2", "1", "2", "0", "4", "0", "1", "0"],
        "Town crews": ["1", "0", "0", "0", "1", "0", "1", "0", "0"],
        "all": ["6", "2", "1", "2", "1", "4", "1", "1", "0"],
    }
    assert [row["team"] for row in rows][-1] == "all"


def test_the_trend_at_each_month_end(cases: Cases) -> None:
    built = reporting.report_named("backlog").build(
        reporting.ReportRequest(
            cases.world.organisation,
            reporting.Period(datetime.date(2026, 4, 1), datetime.date(2026, 5, 31)),
        )
    )
    trend = built.tables[1]
    assert [row[0] for row in trend.rows] == [
        datetime.date(2026, 4, 30),
        datetime.date(2026, 5, 31),
    ]
    # The end of May: b1 and b3 resolved in May; b4 reopened in May; b8 received on 1 May.
    assert [row[1] for row in trend.rows] == [6, 6]
    may = dict(zip(trend.columns, trend.rows[1], strict=True))
    # Ages at 31 May: b2, b4, b5 and b6 were received in April, b7 31 days and b8 30 days ago.
    assert may["age_21_plus"] == 6
    assert may["clock_paused"] == 1
    # The headline at the period's end is the trend's last row.
    assert list(built.tables[0].rows[-1][1:]) == list(trend.rows[1][1:])


def test_each_figure_lists_exactly_its_cases(cases: Cases) -> None:
    built = reporting.report_named("backlog").build(
        reporting.ReportRequest(cases.world.organisation, reporting.Period(
            datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)))
    )  # fmt: skip
    scope = volume_queries.Scope(cases.world.organisation, built.request.period)
    checked = 0
    for row, links in zip(built.tables[0].rows, built.tables[0].links, strict=True):
        for value, link in zip(row, links, strict=True):
            if link is None:
                continue
            query = dict(parse_qsl(link.split("?", 1)[1]))
            found = backlog.cases_behind(
                scope,
                datetime.date.fromisoformat(query["day"]),
                query["team"],
                query["figure"],
            )
            assert len(found) == value, (row, query)
            checked += 1
    assert checked == 9 * 3
    open_then = {case.reference for case in backlog.cases_behind(
        scope, datetime.date(2026, 4, 30), "all", "open")}  # fmt: skip
    made = cases.made
    assert open_then == {made[key].reference for key in ("b1", "b2", "b3", "b5", "b6", "b7")}


@covers("performance:records")
def test_the_backlog_records_page(
    cases: Cases, client_for: ClientFor, team_leader: User, advisor: User
) -> None:
    query = urlencode({"day": "2026-04-30", "team": "all", "figure": "deadline:overdue"})
    url = f"/performance/records/backlog/?{query}"
    response = client_for(team_leader).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-counted="1"' in body
    assert cases.made["b2"].reference in body
    assert client_for(advisor).get(url).status_code == 403
    for bad in ({"day": "yesterday"}, {"figure": "band:99"}, {"team": "1;DROP"}):
        query = urlencode({"day": "2026-04-30", "team": "all", "figure": "open"} | bad)
        refused = client_for(team_leader).get(f"/performance/records/backlog/?{query}")
        assert refused.status_code == 400


# --- a calendar change moving a deadline ---------------------------------------------------------
CLOSED_ON = datetime.date(2026, 4, 22)  # a Wednesday
CHANGED_AT = "2026-04-21T09:00"  # when the closure day is added and the sweep moves deadlines


@pytest.fixture
def moved(world: World) -> Cases:
    """Two cases of the collection crews with "answer-letters" (10 working days; Good Friday 3
    April and Easter Monday 6 April are bank holidays): k1 raised on Thursday 16 April, due at the
    end of Thursday 30 April; k2 raised on Thursday 2 April, due at the end of Monday 20 April."""
    return Cases(
        world,
        {"k1": _raise(world, "2026-04-16T10:00"), "k2": _raise(world, "2026-04-02T10:00")},
    )


def _close_a_day(world: World) -> None:
    """The council closes on 22 April (added on 21 April) and the sweep moves the running
    clocks' deadlines that the closure falls within: k1's to the end of Friday 1 May; k2's
    deadline had passed and the closure is after it, so it stays."""
    with time_machine.travel(utc(CHANGED_AT), tick=False):
        standards_services.add_closure_day(
            world.organisation, by=None, day=CLOSED_ON, reason="Election count"
        )
        services.escalate_due_cases()


def _split(moved: Cases, last: str) -> dict[str, list[str]]:
    rows = _rows(moved, "2026-04-01", last)
    return {row["team"]: [row[name] for name in list(row)[1:]] for row in rows}


def test_a_calendar_change_moves_a_case_from_overdue_to_not_yet_due(moved: Cases) -> None:
    # open, age_0_5, age_6_10, age_11_20, age_21_plus, not_yet_due, overdue, clock_paused, none
    with time_machine.travel(utc("2026-05-02T09:00"), tick=False):
        before = _split(moved, "2026-04-30")
    assert before == {
        "Collection crews": ["2", "0", "0", "1", "1", "0", "2", "0", "0"],
        "all": ["2", "0", "0", "1", "1", "0", "2", "0", "0"],
    }
    _close_a_day(moved.world)
    k1, k2 = moved.made["k1"], moved.made["k2"]
    events = CaseEvent.objects.for_organisation(moved.world.organisation).filter(
        code="deadline-moved"
    )
    assert sorted(
        (
            event.case_id,
            event.data["standard"],
            datetime.datetime.fromisoformat(event.data["old"]),
            datetime.datetime.fromisoformat(event.data["new"]),
        )
        for event in events
    ) == [(k1.pk, "answer-letters", utc("2026-04-30T22:59:59"), utc("2026-05-01T22:59:59"))]
    with time_machine.travel(utc("2026-05-02T09:00"), tick=False):
        after = _split(moved, "2026-04-30")
        # At the end of 30 April k1's deadline (then 1 May) had not passed: not yet due.
        assert after == {
            "Collection crews": ["2", "0", "0", "1", "1", "1", "1", "0", "0"],
            "all": ["2", "0", "0", "1", "1", "1", "1", "0", "0"],
        }
        scope = volume_queries.Scope(
            moved.world.organisation,
            reporting.Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)),
        )
        day = datetime.date(2026, 4, 30)
        assert [
            case.id for case in backlog.cases_behind(scope, day, "all", "deadline:overdue")
        ] == [k2.pk]
        assert [
            case.id for case in backlog.cases_behind(scope, day, "all", "deadline:not-yet-due")
        ] == [k1.pk]
        # By the end of 1 May the moved deadline had passed too.
        assert _split(moved, "2026-05-01")["all"][5:7] == ["0", "2"]
        # At the end of 20 April, before the calendar changed: k1 due on 30 April, not yet due;
        # k2's deadline (23:59:59 that day) had just passed.
        assert _split(moved, "2026-04-20")["all"][5:7] == ["1", "1"]
