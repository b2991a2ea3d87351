"""Per-team figures beyond the cases' clocks (issue 17): call-backs, calls and complaint stages
count for the team recorded on each when it was made, so an auditor can recompute every team's
figure from the records, and people or queues moving team later change no past period.

March 2026, judged at noon on 10 April (``NOW``); every record made through the services:

=================  ==========================================================================
call-backs         (1 working day; promised on Monday 2 March at 09:00)
                   - the officer (collection crews only) promises two on Waste: one made on
                     3 March (met), one on 5 March (missed): the **crews**;
                   - the team leader (in the crews and the information team) promises one on
                     Information Governance, never made (overdue): the **information team**;
                     and one with no service, made on 3 March (met): in two teams, none of the
                     service's: **no team**;
                   - the advisor (in no team) promises one, made on 5 March (missed): **no team**
calls              (20 seconds; queue "Waste", all on 2 March)
                   - w1 answered in 10 s before the queue had a team (met): **no team**;
                   - the queue mapped to the crews: w2 answered in 10 s (met), w3 abandoned
                     (missed): the **crews**;
                   - the queue mapped to the town crews: w4 answered in 30 s (missed): the
                     **town crews**
complaint stages   (Waste; received Monday 2 March; acknowledgement due in 5 working days, the
                   answer 10 working days after the acknowledgement)
                   - C1 acknowledged on 3 March and answered on 4 March by the officer (both
                     met): the **crews**;
                   - C2 nothing done (acknowledgement overdue; the answer's deadline in force is
                     the acknowledgement's, overdue): no officer, **no team**;
                   - C3 acknowledged on 16 March by the head of waste (missed), not answered
                     (due 30 March: overdue): the **crews**
=================  ==========================================================================
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback
from onestop.core import reporting
from onestop.core.models import Organisation, RoleCode, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service, TeamMembership
from onestop.feedback import queries as feedback_queries
from onestop.feedback import services as feedback_services
from onestop.feedback.models import ComplaintStage, Feedback, Kind, PointOutcome, Remedy
from onestop.performance import reports_standards
from onestop.performance.queries import compliance
from onestop.standards import measures
from onestop.standards import services as standards_services
from onestop.standards.models import Channel
from onestop.telephony import services as telephony_services
from onestop.telephony.models import CallQueue
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World
from tests.performance.standards_story import at
from tests.telephony.conftest import csv_file, row

Clients = Callable[[User], Client]
MARCH = reporting.month_of(datetime.date(2026, 3, 1))
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=reporting.LONDON)
Figures = dict[tuple[str, str], tuple[int, int, int, int]]


def _standard(organisation: Organisation, code: str, applies_to: str, **fields: object) -> None:
    standards_services.save_standard(
        organisation,
        by=None,
        code=code,
        title=str(fields.pop("title")),
        applies_to=applies_to,
        target_percent=Decimal(90),
        **fields,  # type: ignore[arg-type]
    )


def _callback(
    organisation: Organisation, by: User, service: Service | None, made_on: int | None
) -> Callback:
    with time_machine.travel(at(2, hour=9), tick=False):
        contact = contact_services.log_contact(
            organisation,
            by=by,
            customer=None,
            values=contact_services.ContactInput(
                service=service,
                outcome="callback-promised",
                callback_phone="07700 900123",
                notes="Bin",
            ),
        )
    callback: Callback = Callback.objects.for_organisation(organisation).get(contact=contact)
    if made_on is not None:
        with time_machine.travel(at(made_on, hour=15), tick=False):
            contact_services.complete_callback(callback, by=by)
    return callback


def _calls(organisation: Organisation, *calls: tuple[str, int | None]) -> None:
    """Calls offered on 2 March to the Waste queue: (id, seconds to answer; None: abandoned)."""
    rows = []
    for number, (call_id, wait) in enumerate(calls):
        offered = datetime.datetime(2026, 3, 2, 9, number, tzinfo=datetime.UTC)
        answered = offered + datetime.timedelta(seconds=wait) if wait is not None else None
        rows.append(
            row(
                call_id,
                "Waste",
                offered.isoformat(),
                answered.isoformat() if answered else "",
                (offered + datetime.timedelta(minutes=5)).isoformat(),
                "answered" if answered else "abandoned",
            )
        )
    run = telephony_services.import_calls(
        organisation, csv_file(*rows), by=None, file_name="calls.csv"
    )
    assert run.refused == 0


def _complaint(world: World, number: int) -> Feedback:
    with time_machine.travel(at(2, hour=10, minute=number), tick=False):
        return feedback_services.record_feedback(
            world.organisation,
            by=None,
            customer=None,
            values=feedback_services.FeedbackInput(
                kind=Kind.COMPLAINT,
                what_happened="My bin was missed.",
                service=world.waste,
                points=("Bin not emptied",),
            ),
        )


def _answer(feedback: Feedback, by: User) -> None:
    feedback_services.respond(
        feedback,
        by=by,
        findings="The crew missed the bin.",
        decisions={
            point.pk: feedback_services.PointDecision(PointOutcome.UPHELD, Remedy.APOLOGY)
            for point in feedback_queries.points_of(feedback)
        },
        appeal_route=feedback_services.default_appeal_route(feedback),
    )


@pytest.fixture
def records(world: World, advisor: User) -> World:
    organisation = world.organisation
    _standard(
        organisation, "call-back", Channel.CALL_BACK, title="Call back within 1 working day",
        start_event="call-back-promised", stop_event="call-returned", amount=1,
        unit="working_days",
    )  # fmt: skip
    _standard(
        organisation, "answer-calls", Channel.TELEPHONE, title="Answer calls within 20 seconds",
        start_event="call-offered", stop_event="call-answered", amount=20, unit="seconds",
    )  # fmt: skip
    _callback(organisation, world.officer, world.waste, made_on=3)
    _callback(organisation, world.officer, world.waste, made_on=5)
    _callback(organisation, world.leader, world.information, made_on=None)
    _callback(organisation, world.leader, None, made_on=3)
    _callback(organisation, advisor, world.waste, made_on=5)

    _calls(organisation, ("w1", 10))
    queue = CallQueue.objects.for_organisation(organisation).get()
    telephone = queue.access_point
    telephony_services.map_queue(
        queue, by=None, service=world.waste, access_point=telephone, team=world.crews
    )
    _calls(organisation, ("w2", 10), ("w3", None))
    telephony_services.map_queue(
        queue, by=None, service=world.waste, access_point=telephone, team=world.town_crews
    )
    _calls(organisation, ("w4", 30))

    first, _second, third = (_complaint(world, number) for number in (1, 2, 3))
    with time_machine.travel(at(3), tick=False):
        feedback_services.acknowledge(first, by=world.officer)
    with time_machine.travel(at(4), tick=False):
        _answer(first, world.officer)
    with time_machine.travel(at(16), tick=False):
        feedback_services.acknowledge(third, by=world.head)
    return world


def _by_team(organisation: Organisation, filters: compliance.Filters | None = None) -> Figures:
    with time_machine.travel(NOW, tick=False):
        rows = compliance.compliance_by(organisation, MARCH, now=NOW, by="team", filters=filters)
    return {
        (row.group_name, row.code): (
            row.counts.met,
            row.counts.missed,
            row.counts.overdue,
            row.counts.not_yet_due,
        )
        for row in rows
    }


EXPECTED: Figures = {
    ("Collection crews", "call-back"): (1, 1, 0, 0),
    ("Collection crews", "answer-calls"): (1, 1, 0, 0),
    ("Collection crews", "acknowledge-complaint"): (1, 1, 0, 0),
    ("Collection crews", "answer-complaint"): (1, 0, 1, 0),
    ("Information team", "call-back"): (0, 0, 1, 0),
    ("Town crews", "answer-calls"): (0, 1, 0, 0),
    ("No team", "call-back"): (1, 1, 0, 0),
    ("No team", "answer-calls"): (1, 0, 0, 0),
    ("No team", "acknowledge-complaint"): (0, 0, 1, 0),
    ("No team", "answer-complaint"): (0, 0, 1, 0),
}


def test_the_records_carry_the_team_they_were_made_for(records: World, advisor: User) -> None:
    teams = {
        (callback.assigned_to_id, callback.contact.service_id, callback.team_id)
        for callback in Callback.objects.for_organisation(records.organisation).select_related(
            "contact"
        )
    }
    assert teams == {
        (records.officer.pk, records.waste.pk, records.crews.pk),
        (records.leader.pk, records.information.pk, records.information_team.pk),
        (records.leader.pk, None, None),
        (advisor.pk, records.waste.pk, None),
    }
    stages = {
        stage.feedback.reference[-1:]: (stage.owner_id, stage.team_id)
        for stage in ComplaintStage.objects.for_organisation(records.organisation).select_related(
            "feedback"
        )
    }
    assert sorted(stages.values(), key=str) == sorted(
        [
            (records.officer.pk, records.crews.pk),
            (None, None),
            (records.head.pk, records.crews.pk),
        ],
        key=str,
    )


def test_each_kind_counts_for_its_team_exactly(records: World) -> None:
    assert _by_team(records.organisation) == EXPECTED


def test_the_team_rows_add_up_to_the_corporate_rows(records: World) -> None:
    """Every call-back, call and complaint stage is in exactly one team's row (or "No team")."""
    with time_machine.travel(NOW, tick=False):
        corporate = compliance.corporate(
            compliance.compliance(records.organisation, MARCH, now=NOW)
        )
    for code in ("call-back", "answer-calls", "acknowledge-complaint", "answer-complaint"):
        total = measures.Counts()
        for (_team, each), figures in EXPECTED.items():
            if each == code:
                total = total + measures.Counts(*figures)
        assert corporate[code].counts == total, code


def test_moving_people_and_queues_later_changes_no_past_period(records: World) -> None:
    """The officer leaves the crews for the north crews, the leader leaves the information
    team, the queue is mapped to the north crews and the complaint's stage 1 is long answered:
    March's per-team figures are the same; a call-back the officer promises now is the north
    crews'."""
    officer = records.officer
    directory_services.remove_team_member(
        TeamMembership.objects.for_organisation(records.organisation).get(
            team=records.crews, user=officer
        ),
        by=None,
    )
    case_factories.member(records.north_crews, officer)
    directory_services.remove_team_member(
        TeamMembership.objects.for_organisation(records.organisation).get(
            team=records.information_team, user=records.leader
        ),
        by=None,
    )
    queue = CallQueue.objects.for_organisation(records.organisation).get()
    telephony_services.map_queue(
        queue,
        by=None,
        service=records.waste,
        access_point=queue.access_point,
        team=records.north_crews,
    )
    assert _by_team(records.organisation) == EXPECTED
    later = _callback(records.organisation, officer, records.waste, made_on=None)
    assert later.team_id == records.north_crews.pk


def test_the_team_filter_narrows_every_kind(records: World) -> None:
    crews = compliance.Filters(team=records.crews)
    assert _by_team(records.organisation, crews) == {
        key: value for key, value in EXPECTED.items() if key[0] == "Collection crews"
    }
    with time_machine.travel(NOW, tick=False):
        corporate = compliance.corporate(
            compliance.compliance(records.organisation, MARCH, now=NOW, filters=crews)
        )
    figures = {
        code: (row.counts.met, row.counts.missed, row.counts.overdue, row.counts.not_yet_due)
        for code, row in corporate.items()
    }
    assert figures["call-back"] == (1, 1, 0, 0)
    assert figures["answer-calls"] == (1, 1, 0, 0)
    assert figures["acknowledge-complaint"] == (1, 1, 0, 0)
    assert figures["answer-complaint"] == (1, 0, 1, 0)


def test_the_command_narrows_every_kind_by_team(records: World) -> None:
    """``onestop report standards-compliance --team``: the CSV's corporate rows (service
    ``all``) count only that team's call-backs, calls and complaint stages."""
    period = ("--from", "2026-03-01", "--to", "2026-03-31", "--organisation", "test-council")
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report",
            "standards-compliance",
            *period,
            "--team",
            str(records.town_crews.pk),
            "--format",
            "csv",
            stdout=out,
        )
    rows = {(line[0], line[1]): line[2:6] for line in csv.reader(io.StringIO(out.getvalue()))}
    assert rows[("answer-calls", "all")] == ["1", "0", "1", "0"]
    assert rows[("answer-calls", "waste-and-recycling")] == ["1", "0", "1", "0"]
    assert rows[("call-back", "all")] == ["0", "0", "0", "0"]
    # The crews' complaint stages are not the town crews' (and no standard of that code is set,
    # so nothing measured leaves no row).
    assert ("answer-complaint", "all") not in rows


def test_the_reports_team_table_has_a_no_team_row_and_its_definitions(records: World) -> None:
    with time_machine.travel(NOW, tick=False):
        tables = reports_standards.tables(
            records.organisation, MARCH, filters=compliance.Filters(), links=True
        )
    teams = next(table for table in tables if table.name == "teams")
    rows = {(str(line[0]), str(line[1])): line[2:8] for line in teams.rows}
    target = Decimal("0.9000")
    assert rows[("Collection crews", "answer-calls")] == [2, 1, 1, 0, Decimal("0.5000"), target]
    assert rows[("Town crews", "answer-calls")] == [1, 0, 1, 0, Decimal("0.0000"), target]
    assert rows[("No team", "call-back")] == [2, 1, 1, 0, Decimal("0.5000"), target]
    assert rows[("No team", "answer-complaint")][:4] == [1, 0, 0, 1]
    # The "No team" rows come after every team's; the links name them ``in_team=none``.
    names = [str(line[0]) for line in teams.rows]
    assert names.index("No team") == len(names) - names.count("No team")
    no_team_links = [
        links for line, links in zip(teams.rows, teams.links, strict=True) if line[0] == "No team"
    ]
    assert all("in_team=none" in str(links[2]) for links in no_team_links)
    definitions = " ".join(str(text) for text in teams.definitions)
    assert "A case's clock counts for the team the case was with when the clock stopped" in (
        definitions
    )
    assert "Call-backs: a call-back counts for the team it was given to" in definitions
    assert "Calls: a call counts for the team its queue was mapped to" in definitions
    assert "Complaint stages: each stage counts for the team handling it" in definitions
    assert "No team:" in definitions
    # The corporate table's figures are not changed by the team rows.
    main = {(str(line[0]), str(line[1])): line[2:6] for line in tables[0].rows}
    assert main[("answer-calls", "all")] == [4, 2, 2, 0]


def test_the_report_reads_each_sources_look_ups_once(records: World) -> None:
    """The per-team table adds one grouped count per source and measure (call-backs, calls,
    complaint stages' acknowledgement and answer): the answer-time and complaint standards and
    the queues are looked up once for both tables (``core.batch`` in ``one_reading``)."""
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as read:
        reports_standards.tables(records.organisation, MARCH, filters=compliance.Filters())
    statements = [query["sql"] for query in read.captured_queries]
    assert len(statements) == 20
    assert sum('FROM "telephony_callqueue"' in sql for sql in statements) == 1
    assert sum('FROM "telephony_callrecord"' in sql for sql in statements) == 2
    assert sum('FROM "contacts_callback"' in sql for sql in statements) == 2
    assert sum('FROM "feedback_complaintstage"' in sql for sql in statements) == 4


def test_the_records_behind_a_team_row(records: World, client_for: Clients) -> None:
    url = reverse("performance:standards-records")
    query = {"from": "2026-03-01", "to": "2026-03-31", "standard": "answer-calls"}
    client = client_for(records.head)
    with time_machine.travel(NOW, tick=False):
        crews = client.get(url, {**query, "figure": "missed", "in_team": str(records.crews.pk)})
        nobody = client.get(url, {**query, "figure": "met", "in_team": "none"})
        town = client.get(
            url, {**query, "figure": "measured", "in_team": str(records.town_crews.pk)}
        )
    assert crews.status_code == nobody.status_code == town.status_code == 200
    for page, counted, listed, absent in (
        (crews, 1, "Call w3", "Call w2"),
        (nobody, 1, "Call w1", "Call w2"),
        (town, 1, "Call w4", "Call w3"),
    ):
        text = page.content.decode()
        assert f'data-testid="other-records-summary" data-counted="{counted}"' in text
        assert listed in text
        assert absent not in text


def test_a_partner_sees_only_its_own_team_figures(
    records: World, partner: Organisation, client_for: Clients
) -> None:
    repairs = case_factories.team(case_factories.service(partner, "Repairs"), "Repairs team")
    partner_advisor = core_factories.staff(partner, RoleCode.ADVISOR, username="p.desk")
    partner_manager = core_factories.staff(partner, RoleCode.MANAGER, username="p.manager")
    case_factories.member(repairs, partner_advisor)
    _standard(
        partner, "call-back", Channel.CALL_BACK, title="Call back within 1 working day",
        start_event="call-back-promised", stop_event="call-returned", amount=1,
        unit="working_days",
    )  # fmt: skip
    _callback(partner, partner_advisor, None, made_on=3)
    assert _by_team(partner) == {("Repairs team", "call-back"): (1, 0, 0, 0)}
    # The council's team in the partner's drill-down: none of the council's records.
    with time_machine.travel(NOW, tick=False):
        page = client_for(partner_manager).get(
            reverse("performance:standards-records"),
            {
                "from": "2026-03-01",
                "to": "2026-03-31",
                "figure": "measured",
                "in_team": str(records.crews.pk),
            },
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Call w" not in text
    assert "other-records-summary" not in text
    assert "Nothing to list." in text


def test_the_migrations_fill_existing_records_from_the_memberships(records: World) -> None:
    """The data migrations give the call-backs and stages made before teams were recorded the
    team the rule gives them with today's memberships; those it cannot place stay empty."""
    organisation = records.organisation
    Callback.objects.for_organisation(organisation).update(team=None)
    ComplaintStage.objects.for_organisation(organisation).update(team=None)
    callbacks = importlib.import_module("onestop.contacts.migrations.0007_callback_team")
    stages = importlib.import_module("onestop.feedback.migrations.0006_complaintstage_team")
    # The models as the migrations see them (plain managers, as in a real migration).
    state = MigrationLoader(connection).project_state(
        [("contacts", "0007_callback_team"), ("feedback", "0006_complaintstage_team")]
    )
    callbacks.fill_teams(state.apps, None)
    stages.fill_teams(state.apps, None)
    assert _by_team(organisation) == EXPECTED
