"""The complaint reports: known data for May 2026 (complaints at each stage, answered in and out
of time, extended, across the Spring bank holiday, two services, a complaint about a member of
staff, one closed outside the procedure, another organisation's complaints and complaints
outside the month that must not count), every figure checked exactly on the page, in the CSV,
in the XLSX (read back with openpyxl) and from the command; each figure's list holds as many
records as the figure; who may see the reports; bad and hostile input."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.directory.models import Service
from onestop.feedback import queries, services
from onestop.feedback.models import (
    About,
    AlternativeRoute,
    Characteristic,
    Feedback,
    Kind,
    LearningStatus,
    PointOutcome,
    Preset,
    Remedy,
)
from onestop.feedback.queries import reports
from onestop.feedback.services import learning as learning_services
from onestop.feedback.services import ombudsman as ombudsman_services
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.feedback.conftest import World
from tests.feedback.test_lifecycle import at, end_of
from tests.matrix import covers
from tests.shared import shared_fixture

ClientFor = Callable[[User], Client]
MAY = reports.Period(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
MAY_QUERY = "start_day=1&start_month=5&start_year=2026&end_day=31&end_month=5&end_year=2026"


@dataclass
class Month:
    world: World
    made: dict[str, Feedback]
    partner: Organisation


def _make(
    world: World,
    when: str,
    *,
    kind: str = Kind.COMPLAINT,
    service: Service | None = None,
    points: tuple[str, ...] = ("What went wrong",),
    organisation: Organisation | None = None,
    customer: Customer | None = None,
    by: User | None = None,
    **values: Any,
) -> Feedback:
    with time_machine.travel(at(when), tick=False):
        return services.record_feedback(
            organisation or world.organisation,
            by=by or world.advisor,
            customer=customer if organisation is not None else world.customer,
            values=services.FeedbackInput(
                kind=kind,
                what_happened="What happened, in the customer's words",
                service=service,
                points=points if kind == Kind.COMPLAINT else (),
                **values,
            ),
        )


def _acknowledge(world: World, feedback: Feedback, when: str) -> None:
    with time_machine.travel(at(when), tick=False):
        services.acknowledge(feedback, by=world.officer)


def _answer(world: World, feedback: Feedback, when: str, *outcomes: str, hour: int = 10) -> None:
    with time_machine.travel(at(when, hour), tick=False):
        points = queries.points_of(feedback)
        services.respond(
            feedback,
            by=world.officer,
            findings="What we found",
            decisions={
                point.pk: services.PointDecision(outcome, Remedy.APOLOGY)
                for point, outcome in zip(points, outcomes, strict=True)
            },
            appeal_route=services.default_appeal_route(feedback),
        )


@shared_fixture
def month(world: World, partner: Organisation) -> Month:
    """May 2026 under the Code (stage 1 answered within 10 working days of the acknowledgement;
    Monday 4 May and Monday 25 May are bank holidays)."""
    made: dict[str, Feedback] = {}
    # A: waste, acknowledged across the Early May bank holiday, answered on its last day, upheld.
    made["a"] = _make(world, "2026-05-01", service=world.waste, impolite_treatment=True)
    _acknowledge(world, made["a"], "2026-05-05")
    _answer(world, made["a"], "2026-05-19", PointOutcome.UPHELD, hour=16)
    # B: waste, answered on 27 May: in time only because 25 May is a bank holiday; partly upheld.
    made["b"] = _make(world, "2026-05-11", service=world.waste, points=("One", "Two"))
    _acknowledge(world, made["b"], "2026-05-12")
    _answer(world, made["b"], "2026-05-27", PointOutcome.UPHELD, PointOutcome.NOT_UPHELD, hour=17)
    # C: waste, extended, answered after the first deadline but before the extended one.
    made["c"] = _make(world, "2026-05-12", service=world.waste)
    _acknowledge(world, made["c"], "2026-05-13")
    with time_machine.travel(at("2026-05-20"), tick=False):
        services.extend(made["c"], by=world.officer, days=10, reason="Waiting for the crew's log")
    _answer(world, made["c"], "2026-05-29", PointOutcome.NOT_UPHELD)
    # D: housing, unequal treatment, still open.
    made["d"] = _make(
        world,
        "2026-05-14",
        service=world.housing,
        unequal_treatment=True,
        characteristic=Characteristic.DISABILITY,
    )
    _acknowledge(world, made["d"], "2026-05-15")
    # E: housing, received in April, escalated in May, stage 2 answered in time, upheld.
    made["e"] = _make(world, "2026-04-20", service=world.housing)
    _acknowledge(world, made["e"], "2026-04-21")
    _answer(world, made["e"], "2026-04-30", PointOutcome.NOT_UPHELD)
    with time_machine.travel(at("2026-05-05"), tick=False):
        services.escalate(made["e"], by=world.officer, reason="Still not fixed")
    _acknowledge(world, made["e"], "2026-05-06")
    _answer(world, made["e"], "2026-05-22", PointOutcome.UPHELD)
    # F: about a member of staff of the waste crews, open.
    made["f"] = _make(
        world,
        "2026-05-18",
        service=world.waste,
        about=About.STAFF,
        staff_member=world.crew_member,
    )
    # H: waste, closed as outside the procedure (a planning appeal) on 20 May.
    made["h"] = _make(world, "2026-05-19", service=world.waste)
    with time_machine.travel(at("2026-05-20"), tick=False):
        services.close_outside_procedure(
            made["h"],
            by=world.officer,
            route=AlternativeRoute.PLANNING_APPEAL,
            signposting="Appeal to the Planning Inspectorate",
        )
    # J: housing, answered two days late, not upheld.
    made["j"] = _make(world, "2026-05-01", service=world.housing)
    _acknowledge(world, made["j"], "2026-05-05")
    _answer(world, made["j"], "2026-05-21", PointOutcome.NOT_UPHELD)
    # Comments, compliments and suggestions.
    made["comment"] = _make(world, "2026-05-06", kind=Kind.COMMENT, service=world.waste)
    made["compliment"] = _make(world, "2026-05-07", kind=Kind.COMPLIMENT, service=world.housing)
    made["suggestion"] = _make(world, "2026-05-08", kind=Kind.SUGGESTION)
    # Not counted: received in June; received in April and untouched in May; another council's.
    made["june"] = _make(world, "2026-06-01", service=world.waste)
    made["april"] = _make(world, "2026-04-29", service=world.waste, kind=Kind.COMMENT)
    partner_service = case_factories.service(partner, "Waste and Recycling")
    partner_advisor = core_factories.staff(partner, RoleCode.ADVISOR, username="partner.desk")
    for day in ("2026-05-04", "2026-05-12"):
        _make(
            world,
            day,
            service=partner_service,
            organisation=partner,
            by=partner_advisor,
            impolite_treatment=True,
        )
    return Month(world, made, partner)


# What the month's figures must be, counted by hand from the fixture above.
EXPECTED_MONTHLY: dict[tuple[str, str], int] = {
    # (measure, service slug or "" for all)
    ("received:complaint", ""): 7,  # A B C D F H J
    ("received:comment", ""): 1,
    ("received:compliment", ""): 1,
    ("received:suggestion", ""): 1,
    ("received:complaint", "waste-and-recycling"): 5,  # A B C F H
    ("received:complaint", "housing"): 2,  # D J
    ("received:complaint", "none"): 0,
    ("received:comment", "waste-and-recycling"): 1,
    ("received:compliment", "housing"): 1,
    ("received:suggestion", "none"): 1,
    ("cause:service", ""): 6,
    ("cause:staff", ""): 1,
    ("cause:treatment", ""): 0,
    ("unequal", ""): 1,
    ("impolite", ""): 1,  # the other council's two are not counted
    ("stage-received:1", ""): 7,
    ("stage-answered:1", ""): 4,  # A B C J
    ("stage-in-time:1", ""): 3,  # A B C
    ("stage-late:1", ""): 1,  # J
    ("stage-extended:1", ""): 1,  # C
    ("stage-received:2", ""): 1,  # E
    ("stage-answered:2", ""): 1,
    ("stage-in-time:2", ""): 1,
    ("stage-late:2", ""): 0,
    ("stage-extended:2", ""): 0,
    ("stage-outcome:1:upheld", ""): 1,  # A
    ("stage-outcome:1:partly-upheld", ""): 1,  # B
    ("stage-outcome:1:not-upheld", ""): 2,  # C J
    ("stage-outcome:2:upheld", ""): 1,  # E
    ("stage-outcome:2:partly-upheld", ""): 0,
    ("stage-outcome:2:not-upheld", ""): 0,
}


def _scope(month: Month, service: str = "") -> reports.ReportScope:
    return reports.ReportScope(
        month.world.organisation, MAY, reports.service_for(month.world.organisation, service)
    )


def test_the_fixture_crosses_the_bank_holiday_and_the_extension(month: Month) -> None:
    stages = {key: queries.current_stage(month.made[key]) for key in ("a", "b", "c", "j")}
    # A: acknowledged Tuesday 5 May (Monday 4 May a bank holiday), due 19 May; answered that day.
    assert stages["a"] is not None
    assert stages["a"].response_due_at == end_of("2026-05-19")
    # B: acknowledged 12 May; 10 working days skip Monday 25 May: due Wednesday 27 May.
    assert stages["b"] is not None
    assert stages["b"].response_due_at == end_of("2026-05-27")
    assert stages["b"].responded_at == at("2026-05-27", 17)
    # C: acknowledged 13 May, due 28 May, extended by 10 working days to 11 June; answered 29
    # May, after the first deadline.
    assert stages["c"] is not None
    assert stages["c"].response_due_at == end_of("2026-05-28")
    assert stages["c"].extended_due_at == end_of("2026-06-11")
    assert stages["c"].responded_at == at("2026-05-29")
    # J: due 19 May, answered 21 May.
    assert stages["j"] is not None
    assert stages["j"].response_due_at == end_of("2026-05-19")


def test_every_monthly_figure_equals_the_hand_count(month: Month) -> None:
    for (measure, service), expected in EXPECTED_MONTHLY.items():
        assert reports.count(_scope(month, service), measure) == expected, (measure, service)


def _figures(report: reports.Report) -> dict[tuple[str, str, str], Any]:
    """(table, row, column) -> value of every cell of ``report``."""
    return {
        (table.code, label, header): cell.value
        for table in report.tables
        for label, cells in table.rows
        for header, cell in zip(table.headers, cells, strict=True)
    }


MONTHLY_TABLES: dict[tuple[str, str, str], Any] = {
    ("volumes", "Housing", "Complaints"): 2,
    ("volumes", "Housing", "Compliments"): 1,
    ("volumes", "Waste and Recycling", "Complaints"): 5,
    ("volumes", "Waste and Recycling", "Comments"): 1,
    ("volumes", "No service recorded", "Suggestions"): 1,
    ("volumes", "All services", "Complaints"): 7,
    ("volumes", "All services", "Comments"): 1,
    ("volumes", "All services", "Compliments"): 1,
    ("volumes", "All services", "Suggestions"): 1,
    ("causes", "About a service", "Complaints"): 6,
    ("causes", "About a named member of staff", "Complaints"): 1,
    ("causes", "Unequal treatment", "Complaints"): 1,
    ("causes", "Impolite treatment", "Complaints"): 1,
    ("timeliness", "Stage 1", "Received"): 7,
    ("timeliness", "Stage 1", "Answered"): 4,
    ("timeliness", "Stage 1", "Answered within the timescale"): 3,
    ("timeliness", "Stage 1", "Answered late"): 1,
    ("timeliness", "Stage 1", "Extended"): 1,
    ("timeliness", "Stage 2", "Received"): 1,
    ("timeliness", "Stage 2", "Answered within the timescale"): 1,
    ("outcomes", "Stage 1", "Upheld"): 1,
    ("outcomes", "Stage 1", "Partly upheld"): 1,
    ("outcomes", "Stage 1", "Not upheld"): 2,
    ("outcomes", "Stage 2", "Upheld"): 1,
}


def test_the_monthly_tables(month: Month) -> None:
    figures = _figures(reports.build(reports.ReportCode.MONTHLY, _scope(month)))
    for key, expected in MONTHLY_TABLES.items():
        assert figures[key] == expected, key
    # Two services and "no service": three rows and the total.
    assert figures[("volumes", "Housing", "Suggestions")] == 0


QUARTERLY_TABLES: dict[tuple[str, str, str], Any] = {
    ("return", "Waste and Recycling", "Comments"): 1,
    ("return", "Waste and Recycling", "Compliments"): 0,
    ("return", "Waste and Recycling", "Complaints"): 5,
    ("return", "Waste and Recycling", "Complaints about unequal treatment"): 0,
    ("return", "Waste and Recycling", "Complaints about impolite treatment"): 1,
    ("return", "Housing", "Compliments"): 1,
    ("return", "Housing", "Complaints"): 2,
    ("return", "Housing", "Complaints about unequal treatment"): 1,
    ("return", "Housing", "Complaints about impolite treatment"): 0,
    ("return", "No service recorded", "Suggestions"): 1,
    ("return", "All services", "Complaints"): 7,
    ("return", "All services", "Complaints about unequal treatment"): 1,
    ("return", "All services", "Complaints about impolite treatment"): 1,
}

ANNUAL_TABLES: dict[tuple[str, str, str], Any] = {
    ("stages", "Stage 1", "Received"): 7,
    ("stages", "Stage 1", "Answered"): 4,
    ("stages", "Stage 1", "Answered within the timescale"): 3,
    ("stages", "Stage 1", "Extended"): 1,
    ("stages", "Stage 1", "Upheld"): 1,
    ("stages", "Stage 1", "Partly upheld"): 1,
    ("stages", "Stage 1", "Not upheld"): 2,
    ("stages", "Stage 2", "Received"): 1,
    ("stages", "Stage 2", "Upheld"): 1,
    ("not-accepted", "Planning appeal", "Complaints"): 1,
    ("not-accepted", "Benefit appeal tribunal", "Complaints"): 0,
    ("self-assessment", "No informal stage before stage 1", "Meets the Code"): "Yes",
    ("self-assessment", "Stage 1: acknowledged within 5 working days", "Meets the Code"): "Yes",
    (
        "self-assessment",
        "Stage 2: answered within 20 working days of the acknowledgement",
        "Our procedure",
    ): "20 working days of the acknowledgement",
}


def test_the_quarterly_return_and_the_annual_report(month: Month) -> None:
    quarterly = _figures(reports.build(reports.ReportCode.QUARTERLY, _scope(month)))
    for key, expected in QUARTERLY_TABLES.items():
        assert quarterly[key] == expected, key
    annual = _figures(reports.build(reports.ReportCode.ANNUAL, _scope(month)))
    for key, expected in ANNUAL_TABLES.items():
        assert annual[key] == expected, key


def test_a_service_filter_narrows_every_figure(month: Month) -> None:
    waste = _figures(
        reports.build(reports.ReportCode.MONTHLY, _scope(month, "waste-and-recycling"))
    )
    assert waste[("volumes", "Waste and Recycling", "Complaints")] == 5
    assert waste[("volumes", "Total", "Complaints")] == 5
    assert ("volumes", "Housing", "Complaints") not in waste
    assert waste[("timeliness", "Stage 1", "Received")] == 5  # A B C F H
    assert waste[("timeliness", "Stage 1", "Answered")] == 3  # A B C
    assert waste[("timeliness", "Stage 1", "Answered late")] == 0
    assert waste[("timeliness", "Stage 2", "Received")] == 0
    assert waste[("causes", "Unequal treatment", "Complaints")] == 0


def test_the_seeds_procedure_fails_the_codes_first_row(world: World) -> None:
    services.set_procedure(world.organisation, by=world.officer, preset=Preset.SEEDS)
    table = reports.self_assessment(world.organisation)
    rows = {label: [cell.value for cell in cells] for label, cells in table.rows}
    assert rows["No informal stage before stage 1"] == ["the informal stage", "No"]
    assert rows["Stage 1: answered within 10 working days of the acknowledgement"] == [
        "15 working days of receipt",
        "No",
    ]
    assert rows["Stage 2: an extension of at most 20 working days"][1] == "Yes"


# --- the page ------------------------------------------------------------------------------------
CELL = re.compile(
    r'<td class="govuk-table__cell[^"]*" data-measure="(?P<measure>[^"]*)" '
    r'data-service="(?P<service>[^"]*)"><a class="govuk-link" href="(?P<href>[^"]*)">'
    r"(?P<value>\d+)</a></td>"
)


def _cells(body: str) -> list[tuple[str, str, str, int]]:
    return [
        (m["measure"], m["service"], unescape(m["href"]), int(m["value"]))
        for m in CELL.finditer(body)
    ]


def _page(client: Client, report: str, query: str = MAY_QUERY) -> str:
    response = client.get(f"/feedback/reports/{report}/?{query}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("report", sorted(reports.REPORTS))
def test_every_figure_on_the_page_links_to_as_many_records(
    month: Month, client_for: ClientFor, report: str
) -> None:
    world = month.world
    officer = client_for(world.officer)
    body = _page(officer, report)
    cells = _cells(body)
    assert len(cells) >= 10
    built = reports.build(report, _scope(month))
    expected = {
        (cell.measure, cell.service): cell.value
        for table in built.tables
        for _label, row in table.rows
        for cell in row
        if cell.measure
    }
    assert {(measure, service): value for measure, service, _h, value in cells} == expected
    for measure, service, href, value in cells:
        if (measure, service) in EXPECTED_MONTHLY:
            assert value == EXPECTED_MONTHLY[(measure, service)], (measure, service)
        listed = officer.get(href)
        assert listed.status_code == 200
        text = listed.content.decode()
        # The complaints officer sees every record: the list is exactly the figure.
        assert text.count('<tr class="govuk-table__row">') - (1 if value else 0) == value, href
        assert f'data-counted="{value}"' in text or value == 0
    if report != reports.ReportCode.QUARTERLY:  # the definition of "within the timescale"
        assert "on or before the deadline in force, the extended deadline where it was" in body


def test_complaints_about_staff_are_counted_but_not_listed(
    month: Month, client_for: ClientFor
) -> None:
    world = month.world
    href = (
        "/feedback/?report=complaints-monthly&measure=cause%3Astaff&from=2026-05-01&to=2026-05-31"
    )
    officer = client_for(world.officer).get(href).content.decode()
    assert 'data-listed="1" data-counted="1"' in officer
    assert month.made["f"].reference in officer
    # The crews' team leader manages the person: sees it.
    leader = client_for(world.leader).get(href).content.decode()
    assert month.made["f"].reference in leader
    for outsider in (world.other_manager, world.crew_member):
        page = client_for(outsider)
        report = _page(page, reports.ReportCode.MONTHLY)
        assert ">1</a></td>" in report  # the figure still counts it
        text = page.get(href).content.decode()
        assert month.made["f"].reference not in text
        assert 'data-testid="drill-not-listed"' in text
        assert "1 of them is a complaint about a named member of staff" in text
        # and it is in no other figure's list either.
        received = page.get(href.replace("cause%3Astaff", "received%3Acomplaint")).content
        assert month.made["f"].reference.encode() not in received


@covers("feedback:reports", "feedback:report")
def test_who_may_see_the_reports(
    month: Month,
    client_for: ClientFor,
    auditor: User,
    administrator: User,
    partner_administrator: User,
) -> None:
    world = month.world
    back_office = core_factories.staff(world.organisation, RoleCode.BACK_OFFICE_OFFICER)
    councillor = core_factories.staff(world.organisation, RoleCode.COUNCILLOR)
    manager = core_factories.staff(world.organisation, RoleCode.MANAGER)
    urls = ["/feedback/reports/", *[f"/feedback/reports/{code}/" for code in reports.REPORTS]]
    assert Client().get(urls[0]).status_code == 302
    for person in (world.officer, world.leader, manager, auditor):
        for url in urls:
            assert client_for(person).get(url).status_code == 200, (person, url)
    for person in (world.advisor, back_office, councillor, administrator, partner_administrator):
        for url in urls:
            assert client_for(person).get(url).status_code == 403, (person, url)
    assert client_for(world.officer).get("/feedback/reports/no-such-report/").status_code == 404
    drill = (
        "/feedback/?report=complaints-monthly&measure=cause%3Astaff&from=2026-05-01&to=2026-05-31"
    )
    for person in (world.advisor, back_office, councillor, administrator, partner_administrator):
        assert client_for(person).get(drill).status_code == 403
    assert Client().get(drill).status_code == 302
    assert client_for(auditor).get(drill).status_code == 200
    # The pages only read: the auditor gets no form that writes.
    assert _page(client_for(auditor), reports.ReportCode.ANNUAL).count('method="post"') == 1
    # (the only one: signing out)


def test_another_organisation_sees_only_its_own(month: Month, client_for: ClientFor) -> None:
    officer = core_factories.staff(month.partner, RoleCode.COMPLAINTS_OFFICER, username="p.co")
    body = _page(client_for(officer), reports.ReportCode.MONTHLY)
    figures = {(m, s): v for m, s, _h, v in _cells(body)}
    assert figures[("received:complaint", "")] == 2
    assert figures[("impolite", "")] == 2
    # The council's service is not theirs: an error, nothing counted.
    refused = client_for(officer).get(
        "/feedback/?report=complaints-monthly&measure=received%3Acomplaint&from=2026-05-01"
        "&to=2026-05-31&service=housing"
    )
    assert refused.status_code == 400
    assert month.made["d"].reference not in refused.content.decode()
    # A council's service chosen on their report page is refused as an unknown choice.
    page = client_for(officer).get(
        f"/feedback/reports/complaints-monthly/?{MAY_QUERY}&service=housing"
    )
    assert "Select service from the list" in page.content.decode()
    assert 'data-testid="table-volumes"' not in page.content.decode()


# --- the files -----------------------------------------------------------------------------------
def _csv_figures(text: str) -> dict[tuple[str, str, str], str]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(row["table"], row["row"], row["column"]): row["value"] for row in rows}


def _xlsx_figures(content: bytes) -> dict[tuple[str, str, str], Any]:
    book = load_workbook(io.BytesIO(content))
    found: dict[tuple[str, str, str], Any] = {}
    for sheet in book.worksheets[1:]:
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        caption, headers = values[0][0], values[1][1:]
        for row in values[2:]:
            if not row or row[0] is None or len(row) < 2 or row[1] is None:
                continue
            for header, value in zip(headers, row[1:], strict=False):
                if header is not None:
                    found[(str(caption), str(row[0]), str(header))] = value
    return found


def _by_caption(report: reports.Report) -> dict[tuple[str, str, str], Any]:
    return {
        (table.caption, label, header): cell.value
        for table in report.tables
        for label, cells in table.rows
        for header, cell in zip(table.headers, cells, strict=True)
    }


@pytest.mark.parametrize("report", sorted(reports.REPORTS))
def test_the_csv_and_xlsx_downloads_hold_the_same_figures(
    month: Month, client_for: ClientFor, report: str
) -> None:
    expected = _by_caption(reports.build(report, _scope(month)))
    client = client_for(month.world.officer)
    response = client.get(f"/feedback/reports/{report}/?{MAY_QUERY}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{report}-2026-05-01-2026-05-31.csv" in response["Content-Disposition"]
    assert _csv_figures(response.content.decode()) == {
        key: str(value) for key, value in expected.items()
    }
    response = client.get(f"/feedback/reports/{report}/?{MAY_QUERY}&format=xlsx")
    assert response.status_code == 200
    assert _xlsx_figures(response.content) == expected
    exported = AuditRecord.objects.for_organisation(month.world.organisation).filter(
        action=AuditAction.EXPORTED, object_type="feedback.report", object_id=report
    )
    assert exported.count() == 2


def test_the_monthly_csv_has_the_hand_counted_figures(month: Month) -> None:
    from onestop.feedback import report_files

    text = report_files.as_csv(reports.build(reports.ReportCode.MONTHLY, _scope(month)))
    rows = list(csv.DictReader(io.StringIO(text)))
    by_measure = {(row["measure"], row["row"]): int(row["value"]) for row in rows}
    assert by_measure[("stage-in-time:1", "Stage 1")] == 3
    assert by_measure[("stage-late:1", "Stage 1")] == 1
    assert by_measure[("received:complaint", "All services")] == 7
    assert {row["organisation"] for row in rows} == {"test-council"}


def test_a_formula_in_a_service_name_stays_text(world: World) -> None:
    from onestop.feedback import report_files

    case_factories.service(world.organisation, "=HYPERLINK(1)")
    report = reports.build(
        reports.ReportCode.QUARTERLY, reports.ReportScope(world.organisation, MAY)
    )
    assert "'=HYPERLINK(1)" in report_files.as_csv(report)
    sheet = load_workbook(io.BytesIO(report_files.as_xlsx(report))).worksheets[1]
    assert [row[0] for row in sheet.iter_rows(values_only=True)][2] == "'=HYPERLINK(1)"


# --- the command ---------------------------------------------------------------------------------
def _command(*arguments: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("report", *arguments, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("report", sorted(reports.REPORTS))
def test_the_command_writes_the_same_figures(month: Month, tmp_path: Path, report: str) -> None:
    expected = _by_caption(reports.build(report, _scope(month)))
    period = ["--from", "2026-05-01", "--to", "2026-05-31"]
    council = ["--organisation", "test-council"]
    out, _err = _command(report, *period, "--format", "csv", *council)
    assert _csv_figures(out) == {key: str(value) for key, value in expected.items()}
    target = tmp_path / "report.xlsx"
    _command(report, *period, "--format", "xlsx", *council, "--output", str(target))
    assert _xlsx_figures(target.read_bytes()) == expected
    waste, _err = _command(
        report, *period, "--format", "csv", *council, "--service", "waste-and-recycling"
    )
    assert _csv_figures(waste) == {
        key: str(value)
        for key, value in _by_caption(
            reports.build(report, _scope(month, "waste-and-recycling"))
        ).items()
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organisation", "nowhere"], "there is no organisation 'nowhere'"),
        (["--organisation", "test-council\x00"], "has no control characters"),
        (["--organisation", "x" * 5000], "there is no organisation"),
        (["--organisation", "test-council", "--service", "parking"], "has no service 'parking'"),
        (["--organisation", "test-council", "--service", "waste\x00"], "has no service"),
        (["--organisation", "test-council", "--to", "2026-04-30"], "--to must be the same as"),
        (["--organisation", "test-council", "--from", "2026-02-30"], "--from must be a date"),
        (["--organisation", "test-council", "--from", "x" * 5000], "--from must be a date"),
        (["--organisation", "test-council", "--to", "2028-05-31"], "at most 400 days"),
        ([], "say which organisation"),
    ],
)
def test_the_command_refuses_bad_arguments_in_one_line(
    month: Month, arguments: list[str], message: str, tmp_path: Path
) -> None:
    base = {"--from": "2026-05-01", "--to": "2026-05-31"}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    merged = {**base, **given}
    target = tmp_path / "out.csv"
    flat = [item for pair in merged.items() for item in pair]
    with pytest.raises(CommandError) as refused:
        _command("complaints-monthly", *flat, "--format", "csv", "--output", str(target))
    assert refused.value.returncode == 2
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not target.exists()


def test_the_command_refuses_an_unknown_report_and_format(month: Month) -> None:
    for arguments in (
        ["complaints-weekly", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "csv"],
        ["complaints-monthly", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "doc"],
        ["complaints-monthly", "--to", "2026-05-31", "--format", "csv"],
    ):
        with pytest.raises(CommandError) as refused:
            _command(*arguments, "--organisation", "test-council")
        assert refused.value.returncode == 2


# --- bad input on the pages ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "start_day=31&start_month=5&start_year=2026&end_day=1&end_month=5&end_year=2026",
            "The last day must be the same as or after the first day.",
        ),
        (
            "start_day=30&start_month=2&start_year=2026&end_day=1&end_month=5&end_year=2026",
            "The first day must be a real date",
        ),
        (
            "start_day=1&start_month=5&start_year=26&end_day=1&end_month=5&end_year=2026",
            "Year must include 4 numbers",
        ),
        (
            "start_day=1%E2%80%8B&start_month=5&start_year=2026&end_day=1&end_month=5&end_year=2026",
            "The first day must be a real date",
        ),
        (
            f"start_day={'9' * 3000}&start_month=5&start_year=2026&end_day=1&end_month=5"
            "&end_year=2026",
            "The first day must be a real date",
        ),
        (f"{MAY_QUERY}&service=no-such-service", "Select service from the list"),
    ],
)
def test_the_report_page_refuses_bad_filters(
    month: Month, client_for: ClientFor, query: str, message: str
) -> None:
    client = client_for(month.world.officer)
    before = AuditRecord.objects.for_organisation(month.world.organisation).count()
    response = client.get(f"/feedback/reports/complaints-monthly/?{query}")
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "There is a problem" in body
    assert message in body
    assert 'data-testid="table-volumes"' not in body
    assert AuditRecord.objects.for_organisation(month.world.organisation).count() == before


@pytest.mark.parametrize(
    "query",
    [
        "measure=received%3Acomplaint&from=2026-05-31&to=2026-05-01",
        "measure=received%3Acomplaint&from=yesterday&to=2026-05-01",
        "measure=received%3Anothing&from=2026-05-01&to=2026-05-31",
        "measure=stage-received%3A999&from=2026-05-01&to=2026-05-31",
        "measure=source%3Anobody&from=2026-05-01&to=2026-05-31",
        "measure=" + "x" * 5000 + "&from=2026-05-01&to=2026-05-31",
        "measure=received%3Acomplaint%00&from=2026-05-01&to=2026-05-31",
        "measure=received%3Acomplaint&from=2026-05-01&to=2026-05-31&service=housing%00",
        "measure=received%3Acomplaint&from=2026-05-01%00&to=2026-05-31",
    ],
)
def test_a_bad_drill_down_link_says_so_and_lists_nothing(
    month: Month, client_for: ClientFor, query: str
) -> None:
    response = client_for(month.world.officer).get(f"/feedback/?report=complaints-monthly&{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="drill-error"' in body
    assert month.made["a"].reference not in body


def test_the_drill_down_list_is_audited(month: Month, client_for: ClientFor) -> None:
    client_for(month.world.officer).get(
        "/feedback/?report=complaints-monthly&measure=stage-late%3A1&from=2026-05-01&to=2026-05-31"
    )
    record = (
        AuditRecord.objects.for_organisation(month.world.organisation)
        .filter(action=AuditAction.LISTED, object_type="feedback.feedback")
        .latest("sequence")
    )
    assert month.made["j"].reference in str(record.changes)


def test_a_page_read_and_a_command_run_leave_the_same_audit_record(
    month: Month, client_for: ClientFor
) -> None:
    """One audit shape for a report, however it was read (``core.services.record_report_run``)."""
    organisation = month.world.organisation
    _page(client_for(month.world.officer), reports.ReportCode.MONTHLY)
    call_command(
        "report",
        reports.ReportCode.MONTHLY,
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-31",
        "--format",
        "csv",
        "--organisation",
        organisation.slug,
        stdout=io.StringIO(),
    )
    rows = AuditRecord.objects.for_organisation(organisation).filter(
        object_type="feedback.report", object_id=reports.ReportCode.MONTHLY
    )
    shown = rows.get(action=AuditAction.VIEWED)
    written = rows.get(action=AuditAction.EXPORTED)
    assert shown.changes == {
        "from": "2026-05-01",
        "to": "2026-05-31",
        "service": "",
        "format": "page",
    }
    assert written.changes == {**shown.changes, "format": "csv"}
    assert shown.summary == written.summary == "complaints-monthly 2026-05-01 to 2026-05-31"


# --- another part's figures join through the registry ---------------------------------------------
@pytest.fixture
def learning_source() -> Iterator[None]:
    def changed(scope: reports.ReportScope) -> Any:
        # Stand-in for learning actions: complaints upheld at stage 1 in the period.
        return reports.records(scope, "stage-outcome:1:upheld")

    reports.register_report_source(
        reports.ReportSource(
            code="changes-made",
            label="Complaints that led to a change",
            definition="Complaints with a completed learning action.",
            section=reports.Section.LEARNING,
            records=changed,
        )
    )
    yield
    reports.unregister_report_source("changes-made")


def test_a_registered_source_joins_the_monthly_quarterly_and_annual_reports(
    month: Month, learning_source: None, client_for: ClientFor
) -> None:
    monthly = _figures(reports.build(reports.ReportCode.MONTHLY, _scope(month)))
    assert monthly[("learning", "Complaints that led to a change", "Complaints")] == 1
    quarterly = _figures(reports.build(reports.ReportCode.QUARTERLY, _scope(month)))
    assert quarterly[("return", "Waste and Recycling", "Complaints that led to a change")] == 1
    assert quarterly[("return", "Housing", "Complaints that led to a change")] == 0
    annual = _figures(reports.build(reports.ReportCode.ANNUAL, _scope(month)))
    assert annual[("learning", "Complaints that led to a change", "Complaints")] == 1
    body = _page(client_for(month.world.officer), reports.ReportCode.MONTHLY)
    assert "Complaints with a completed learning action." in body
    listed = client_for(month.world.officer).get(
        "/feedback/?report=complaints-monthly&measure=source%3Achanges-made"
        "&from=2026-05-01&to=2026-05-31"
    )
    assert month.made["a"].reference in listed.content.decode()


def test_without_a_source_there_is_no_learning_table(
    month: Month, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "_SOURCES", {})
    codes = [table.code for table in reports.build("complaints-monthly", _scope(month)).tables]
    assert codes == ["volumes", "causes", "timeliness", "outcomes"]


def _learning(month: Month, key: str, added: str, done: str | None = None) -> None:
    with time_machine.travel(at(added), tick=False):
        action = learning_services.add_action(
            month.made[key],
            by=month.world.officer,
            action="Check the crews' round sheets",
            owner=month.world.officer,
            due_on=datetime.date.fromisoformat(added),
        )
    if done is not None:
        with time_machine.travel(at(done), tick=False):
            learning_services.update_action(
                action,
                by=month.world.officer,
                progress=learning_services.Progress(
                    status=LearningStatus.DONE,
                    evidence="Round sheets for June",
                    what_changed="Crews sign for each bin",
                    completed_on=datetime.date.fromisoformat(done),
                ),
            )


def _ombudsman(
    month: Month,
    key: str,
    enquiry: str,
    decision: tuple[str, str] | None = None,
    complied: str | None = None,
) -> None:
    with time_machine.travel(at(enquiry), tick=False):
        case = ombudsman_services.record_enquiry(
            month.made[key],
            by=month.world.officer,
            ombudsman="lgsco",
            enquiry_on=datetime.date.fromisoformat(enquiry),
        )
    if decision is not None:
        day, finding = decision
        with time_machine.travel(at(day), tick=False):
            case = ombudsman_services.record_decision(
                case,
                by=month.world.officer,
                decision=ombudsman_services.Decision(
                    decision_on=datetime.date.fromisoformat(day),
                    finding=finding,
                    remedy="An apology and a new bin",
                    comply_by=datetime.date(2026, 6, 30),
                ),
            )
    if complied is not None:
        with time_machine.travel(at(complied), tick=False):
            ombudsman_services.record_compliance(
                case, by=month.world.officer, complied_on=datetime.date.fromisoformat(complied)
            )


def test_learning_actions_and_the_ombudsman_are_counted_by_complaint_and_date(
    month: Month, client_for: ClientFor
) -> None:
    # Learning: A agreed and done in May; B two actions in May (one complaint); E agreed in May,
    # done in June; J not upheld, so it has none.
    _learning(month, "a", "2026-05-20", done="2026-05-28")
    _learning(month, "b", "2026-05-27")
    _learning(month, "b", "2026-05-28")
    _learning(month, "e", "2026-05-25", done="2026-06-03")
    # The ombudsman: A enquiry and fault in May, remedy carried out in May; E asked in April,
    # decided in May without fault; B enquiry in May, undecided.
    _ombudsman(month, "a", "2026-05-21", ("2026-05-26", "fault-injustice"), "2026-05-29")
    _ombudsman(month, "e", "2026-04-30", ("2026-05-27", "no-fault"))
    _ombudsman(month, "b", "2026-05-29")
    expected = {
        ("learning", "Complaints with a learning action agreed"): {"a", "b", "e"},
        ("learning", "Complaints that led to a change made"): {"a"},
        ("ombudsman", "Enquiries from an ombudsman"): {"a", "b"},
        ("ombudsman", "Decisions by an ombudsman"): {"a", "e"},
        ("ombudsman", "Decisions finding fault"): {"a"},
        ("ombudsman", "Ombudsman remedies carried out"): {"a"},
    }
    monthly = _figures(reports.build(reports.ReportCode.MONTHLY, _scope(month)))
    annual = _figures(reports.build(reports.ReportCode.ANNUAL, _scope(month)))
    waste = _figures(reports.build(reports.ReportCode.ANNUAL, _scope(month, "waste-and-recycling")))
    for (table, label), keys in expected.items():
        if table == "learning":
            assert monthly[(table, label, "Complaints")] == len(keys), label
        assert annual[(table, label, "Complaints")] == len(keys), label
        in_waste = {key for key in keys if month.made[key].service_id == month.world.waste.pk}
        assert waste[(table, label, "Complaints")] == len(in_waste), label
    quarterly = _figures(reports.build(reports.ReportCode.QUARTERLY, _scope(month)))
    assert (
        quarterly[("return", "Waste and Recycling", "Complaints with a learning action agreed")]
        == 2
    )
    assert quarterly[("return", "Housing", "Complaints with a learning action agreed")] == 1
    # The list behind each figure is exactly the complaints counted.
    client = client_for(month.world.officer)
    for code, keys in (("learning-agreed", {"a", "b", "e"}), ("ombudsman-fault", {"a"})):
        body = client.get(
            f"/feedback/?report=complaints-annual&measure=source%3A{code}"
            "&from=2026-05-01&to=2026-05-31"
        ).content.decode()
        listed = {key for key, made in month.made.items() if made.reference in body}
        assert listed == keys, code


def test_default_periods() -> None:
    today = datetime.date(2026, 5, 14)
    assert reports.default_period("complaints-monthly", today) == reports.Period(
        datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)
    )
    assert reports.default_period("feedback-quarterly", today) == reports.Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    )
    assert reports.default_period("complaints-annual", today) == reports.Period(
        datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)
    )
    assert reports.default_period("complaints-monthly", datetime.date(2026, 1, 3)) == (
        reports.Period(datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
    )


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (
            ["--from", "2026-05-01", "--to", "2026-04-30", "--format", "csv"],
            "onestop report: --to must be the same as or after --from",
        ),
        (
            ["--from", "1 May", "--to", "2026-04-30", "--format", "csv"],
            "onestop report: --from must be a date like 2026-04-01",
        ),
        (
            ["--from", "2026-05-01", "--to", "2026-05-31", "--format", "doc"],
            "onestop report: argument --format: invalid choice: 'doc' (choose from csv, xlsx, pdf)",
        ),
    ],
)
def test_from_the_shell_a_bad_argument_is_one_line_and_status_2(
    arguments: list[str], line: str
) -> None:
    import subprocess
    import sys

    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "onestop.cli", "report", "complaints-monthly", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.replace("'csv', 'xlsx', 'pdf'", "csv, xlsx, pdf") == f"{line}\n"
