"""Compliance with every standard: exact figures for the story's March and April 2026, with the
edges (midnight and the clocks going forward, cases open at the period's end, a paused clock, a
calendar change, a reopened case, a partner organisation's case)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.core.reporting import month_of, quarter_of
from onestop.performance.queries import compliance
from tests.cases.conftest import World
from tests.performance import standards_story
from tests.performance.standards_story import NOW

MARCH = month_of(datetime.date(2026, 3, 1))
APRIL = month_of(datetime.date(2026, 4, 1))


def _figures(rows: list[compliance.ComplianceRow]) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (row.code, row.service_name or "all"): (
            row.counts.measured,
            row.counts.met,
            row.counts.missed,
            row.counts.overdue,
            row.counts.not_yet_due,
            row.counts.compliance,
            row.target,
        )
        for row in rows
    }


@pytest.fixture
def story(world: World, partner: Organisation) -> standards_story.Story:
    return standards_story.tell(world, partner)


def test_march_counts_each_clock_where_its_result_was_decided(
    world: World, story: standards_story.Story
) -> None:
    rows = compliance.compliance(world.organisation, MARCH, now=NOW)
    figures = _figures(rows)
    assert figures[("answer-letters", "Waste and Recycling")] == (
        5, 2, 1, 1, 1, Decimal("0.5000"), Decimal("1.0000"),
    )  # fmt: skip
    assert figures[("answer-letters", "all")] == figures[("answer-letters", "Waste and Recycling")]
    assert figures[("acknowledge-email", "all")] == (
        6, 1, 2, 2, 1, Decimal("0.2000"), Decimal("1.0000"),
    )  # fmt: skip
    # Standards with nothing measured still have their corporate row.
    assert figures[("answer-foi-eir", "all")] == (0, 0, 0, 0, 0, None, Decimal("1.0000"))
    assert [row.code for row in rows if row.is_corporate] == [
        "acknowledge-email",
        "answer-councillor-enquiry",
        "answer-foi-eir",
        "answer-letters",
        "answer-subject-access",
    ]


def test_april_has_the_clock_stopped_at_half_past_midnight_and_the_reopened_case(
    world: World, story: standards_story.Story
) -> None:
    figures = _figures(compliance.compliance(world.organisation, APRIL, now=NOW))
    assert figures[("answer-letters", "all")] == (
        3,
        1,
        0,
        0,
        2,
        Decimal("1.0000"),
        Decimal("1.0000"),
    )
    assert figures[("acknowledge-email", "all")] == (
        2, 1, 0, 1, 0, Decimal("0.5000"), Decimal("1.0000"),
    )  # fmt: skip


def test_a_quarter_is_the_sum_of_its_months(world: World, story: standards_story.Story) -> None:
    quarter = _figures(compliance.compliance(world.organisation, quarter_of(MARCH.first), now=NOW))
    assert quarter[("answer-letters", "all")][:5] == (5, 2, 1, 1, 1)


def test_the_partner_sees_only_its_own_clocks(
    world: World, partner: Organisation, story: standards_story.Story
) -> None:
    figures = _figures(compliance.compliance(partner, MARCH, now=NOW))
    assert figures[("answer-letters", "Grounds")] == (
        1,
        0,
        0,
        1,
        0,
        Decimal("0.0000"),
        Decimal("1.0000"),
    )
    assert figures[("acknowledge-email", "all")][:5] == (1, 0, 0, 1, 0)


def test_the_command_writes_the_same_figures_for_one_service(
    world: World, story: standards_story.Story, tmp_path: Path
) -> None:
    output = tmp_path / "march.csv"
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report", "standards-compliance", "--from", "2026-03-01", "--to", "2026-03-31",
            "--format", "csv", "--organisation", world.organisation.slug,
            "--service", world.waste.slug, "--output", str(output),
        )  # fmt: skip
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert rows[0][:8] == [
        "standard", "service", "measured", "met", "missed", "open", "compliance", "target",
    ]  # fmt: skip
    assert [row[:10] for row in rows[1:3]] == [
        ["acknowledge-email", "waste-and-recycling", "6", "1", "2", "3", "0.2000", "1.0000",
         "1", "2"],
        ["acknowledge-email", "all", "6", "1", "2", "3", "0.2000", "1.0000", "1", "2"],
    ]  # fmt: skip
    with pytest.raises(CommandError, match="test-council has no service 'no-such'"):
        call_command(
            "report", "standards-compliance", "--from", "2026-03-01", "--to", "2026-03-31",
            "--format", "csv", "--organisation", world.organisation.slug, "--service", "no-such",
        )  # fmt: skip


def _clock_statements(captured: CaptureQueriesContext) -> int:
    return sum('FROM "cases_caseclock"' in query["sql"] for query in captured.captured_queries)


def test_one_reading_counts_the_clocks_once_for_services_and_teams(
    world: World, story: standards_story.Story
) -> None:
    """The report shows per-service and per-team figures: inside ``one_reading`` the clocks are
    read by one statement (grouped by standard, service and team) and both lists are the same
    as when each reads them on its own; outside it, each reads them again (nothing is kept)."""
    with CaptureQueriesContext(connection) as apart:
        services = compliance.compliance(world.organisation, MARCH, now=NOW)
        teams = compliance.compliance_by(world.organisation, MARCH, now=NOW, by="team")
    with CaptureQueriesContext(connection) as together, compliance.one_reading():
        services_once = compliance.compliance(world.organisation, MARCH, now=NOW)
        teams_once = compliance.compliance_by(world.organisation, MARCH, now=NOW, by="team")
    assert services_once == services
    assert teams_once == teams
    assert sum(row.counts.measured for row in teams) == 11
    assert (_clock_statements(apart), _clock_statements(together)) == (2, 1)


def test_the_report_reads_the_clocks_once(world: World, story: standards_story.Story) -> None:
    definition = reporting.report_named("standards-compliance")
    request = reporting.ReportRequest(world.organisation, MARCH)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        built = definition.build(request)
    assert _clock_statements(captured) == 1
    assert [row[:6] for row in built.tables[0].rows if row[0] == "answer-letters"] == [
        ["answer-letters", "waste-and-recycling", 5, 2, 1, 2],
        ["answer-letters", "all", 5, 2, 1, 2],
    ]
