"""Complaint stages in the compliance figures (``standards.measures``): each stage's
acknowledgement and answer, exact for May, June and July 2026 under the Complaint Handling Code,
made through the feedback services at the times they happened.

The council is closed on Wednesday 27 May (25 May is the Spring bank holiday).

=====  =========================================================================================
X      Waste; received Mon 11 May; acknowledged 14 May (met, May); answer due 1 June, extended
       to 15 June, answered 10 June (met, June); escalated 12 June, stage 2 acknowledged 15 June
       (met, June), answer due 13 July (not yet due, July)
W      Housing; received Tue 12 May, never acknowledged, closed outside the procedure on 21 May,
       after its acknowledgement deadline of 19 May (both missed, May)
V      Waste; received Fri 22 May (acknowledgement due 2 June), acknowledged 30 seconds after
       midnight on 1 June BST (met, June: 31 May in UTC); answer due 15 June, not answered
       (overdue, June)
Y      Waste; received Mon 1 June, nothing done (acknowledgement overdue; the answer's deadline
       in force is the acknowledgement's, 8 June: overdue, June)
Z      Waste; received 1 June, closed outside the procedure on 3 June (before any deadline: not
       measured)
P      the partner's complaint, received 1 June (never in the council's figures)
=====  =========================================================================================
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.core.models import Organisation, RoleCode
from onestop.core.reporting import Period, month_of
from onestop.directory.models import Service
from onestop.feedback import queries, services
from onestop.feedback.models import (
    AlternativeRoute,
    ComplaintStage,
    Feedback,
    Kind,
    PointOutcome,
    Remedy,
)
from onestop.performance.queries import compliance
from onestop.standards import measures
from onestop.standards import services as standards_services
from onestop.standards.models import Channel
from tests import factories as core_factories
from tests.feedback.conftest import World

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 6, 20, 12, 0, tzinfo=LONDON)
MAY = month_of(datetime.date(2026, 5, 1))
JUNE = month_of(datetime.date(2026, 6, 1))
JULY = month_of(datetime.date(2026, 7, 1))


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=LONDON)


def _complaint(
    organisation: Organisation, by: Any, when: datetime.datetime, service: Service | None
) -> Feedback:
    with time_machine.travel(when, tick=False):
        return services.record_feedback(
            organisation,
            by=by,
            customer=None,
            values=services.FeedbackInput(
                kind=Kind.COMPLAINT,
                what_happened="My bin was missed.",
                service=service,
                points=("Bin not emptied",),
            ),
        )


def _outside(feedback: Feedback, by: Any, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.close_outside_procedure(
            feedback, by=by, route=AlternativeRoute.INSURANCE, signposting="Our insurers"
        )


def _standard(organisation: Organisation, code: str, stop_event: str, days: int) -> None:
    standards_services.save_standard(
        organisation,
        by=None,
        code=code,
        title=code,
        applies_to=Channel.COMPLAINT,
        start_event="complaint-received",
        stop_event=stop_event,
        amount=days,
        unit="working_days",
        target_percent=Decimal(100),
    )


@pytest.fixture
def story(world: World, partner: Organisation) -> dict[str, Feedback]:
    officer = world.officer
    _standard(world.organisation, "acknowledge-complaint", "complaint-acknowledged", 5)
    _standard(world.organisation, "answer-complaint", "complaint-answered", 15)
    standards_services.add_closure_day(
        world.organisation, by=None, day=datetime.date(2026, 5, 27), reason="Staff training"
    )
    made: dict[str, Feedback] = {}
    made["X"] = x = _complaint(world.organisation, world.advisor, at(5, 11), world.waste)
    with time_machine.travel(at(5, 14, 11), tick=False):
        services.acknowledge(x, by=officer)
    with time_machine.travel(at(5, 29), tick=False):
        services.extend(x, by=officer, days=10, reason="Waiting for the crew's log")
    with time_machine.travel(at(6, 10), tick=False):
        services.respond(
            x,
            by=officer,
            findings="The crew missed the bin.",
            decisions={
                point.pk: services.PointDecision(PointOutcome.UPHELD, Remedy.APOLOGY)
                for point in queries.points_of(x)
            },
            appeal_route=services.default_appeal_route(x),
        )
    with time_machine.travel(at(6, 12, 9), tick=False):
        services.escalate(x, by=officer, reason="Still missed")
    with time_machine.travel(at(6, 15), tick=False):
        services.acknowledge(x, by=officer)
    made["W"] = w = _complaint(world.organisation, world.advisor, at(5, 12), world.housing)
    _outside(w, officer, at(5, 21))
    made["V"] = v = _complaint(world.organisation, world.advisor, at(5, 22), world.waste)
    with time_machine.travel(at(6, 1, 0, 0, 30), tick=False):
        services.acknowledge(v, by=officer)
    made["Y"] = _complaint(world.organisation, world.advisor, at(6, 1), world.waste)
    made["Z"] = z = _complaint(world.organisation, world.advisor, at(6, 1, 11), world.waste)
    _outside(z, officer, at(6, 3))
    partner_advisor = core_factories.staff(partner, RoleCode.ADVISOR, username="partner.desk")
    made["P"] = _complaint(partner, partner_advisor, at(6, 1), None)
    return made


def _figures(
    organisation: Organisation, period: Period, filters: compliance.Filters | None = None
) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (row.code, row.service_name or "all"): (
            row.counts.measured,
            row.counts.met,
            row.counts.missed,
            row.counts.overdue,
            row.counts.not_yet_due,
            row.counts.compliance,
        )
        for row in compliance.compliance(organisation, period, now=NOW, filters=filters)
    }


def test_the_deadlines_are_the_ones_the_stages_hold(story: dict[str, Feedback]) -> None:
    x = ComplaintStage.objects.for_organisation(story["X"].organisation_id).get(
        feedback=story["X"], stage=2
    )
    assert (x.acknowledged_at, x.ack_due_at, x.response_due_at) == (
        at(6, 15),
        at(6, 19, 23, 59, 59),
        at(7, 13, 23, 59, 59),
    )
    v = queries.current_stage(story["V"])
    assert v is not None
    assert (v.ack_due_at, v.acknowledged_at, v.response_due_at) == (
        at(6, 2, 23, 59, 59),
        datetime.datetime(2026, 5, 31, 23, 0, 30, tzinfo=datetime.UTC),
        at(6, 15, 23, 59, 59),
    )


def test_may(world: World, story: dict[str, Feedback]) -> None:
    assert _figures(world.organisation, MAY) == {
        ("acknowledge-complaint", "Housing"): (1, 0, 1, 0, 0, Decimal("0.0000")),
        ("acknowledge-complaint", "Waste and Recycling"): (1, 1, 0, 0, 0, Decimal("1.0000")),
        ("acknowledge-complaint", "all"): (2, 1, 1, 0, 0, Decimal("0.5000")),
        ("answer-complaint", "Housing"): (1, 0, 1, 0, 0, Decimal("0.0000")),
        ("answer-complaint", "all"): (1, 0, 1, 0, 0, Decimal("0.0000")),
    }


def test_june_has_the_acknowledgement_made_after_midnight_in_summer_time(
    world: World, story: dict[str, Feedback]
) -> None:
    figures = _figures(world.organisation, JUNE)
    assert figures[("acknowledge-complaint", "all")] == (3, 2, 0, 1, 0, Decimal("0.6667"))
    assert figures[("answer-complaint", "all")] == (3, 1, 0, 2, 0, Decimal("0.3333"))
    assert (
        figures[("answer-complaint", "Waste and Recycling")] == figures[("answer-complaint", "all")]
    )


def test_july_has_stage_2_not_yet_due(world: World, story: dict[str, Feedback]) -> None:
    assert _figures(world.organisation, JULY) == {
        ("acknowledge-complaint", "all"): (0, 0, 0, 0, 0, None),
        ("answer-complaint", "Waste and Recycling"): (1, 0, 0, 0, 1, None),
        ("answer-complaint", "all"): (1, 0, 0, 0, 1, None),
    }


def test_the_partner_sees_only_its_own_complaint(
    partner: Organisation, story: dict[str, Feedback]
) -> None:
    # No complaint standards of its own: kept under the two codes; no service: the corporate row.
    assert _figures(partner, JUNE) == {
        ("acknowledge-complaint", "all"): (1, 0, 0, 1, 0, Decimal("0.0000")),
        ("answer-complaint", "all"): (1, 0, 0, 1, 0, Decimal("0.0000")),
    }


def test_the_filters(world: World, story: dict[str, Feedback]) -> None:
    housing = _figures(world.organisation, MAY, compliance.Filters(service=world.housing))
    assert housing[("acknowledge-complaint", "all")] == (1, 0, 1, 0, 0, Decimal("0.0000"))
    by_team = _figures(world.organisation, MAY, compliance.Filters(team=world.crews))
    assert by_team[("acknowledge-complaint", "all")][:5] == (0, 0, 0, 0, 0)
    by_letter = _figures(world.organisation, MAY, compliance.Filters(channel="letter"))
    assert by_letter[("acknowledge-complaint", "all")][:5] == (0, 0, 0, 0, 0)


def test_the_stages_behind_a_figure(world: World, story: dict[str, Feedback]) -> None:
    overdue = compliance.records_behind(
        world.organisation, JUNE, now=NOW, pick=measures.Pick("overdue", "answer-complaint")
    )
    assert overdue.counted == 2
    assert [(row.reference, row.kind, row.due_at) for row in overdue.records] == [
        (story["V"].reference, "Complaint, stage 1 answer", at(6, 15, 23, 59, 59)),
        (story["Y"].reference, "Complaint, stage 1 answer", at(6, 8, 23, 59, 59)),
    ]
    assert overdue.records[0].url == f"/feedback/{story['V'].reference}/"
    met = compliance.records_behind(world.organisation, JUNE, now=NOW, pick=measures.Pick("met"))
    assert sorted((row.reference, row.kind, row.state) for row in met.records) == sorted(
        [
            (story["X"].reference, "Complaint, stage 1 answer", "Done in time"),
            (story["X"].reference, "Complaint, stage 2 acknowledgement", "Done in time"),
            (story["V"].reference, "Complaint, stage 1 acknowledgement", "Done in time"),
        ]
    )
    housing = compliance.records_behind(
        world.organisation,
        MAY,
        now=NOW,
        pick=measures.Pick("missed", "", world.housing.pk),
    )
    assert [(row.reference, row.state) for row in housing.records] == [
        (story["W"].reference, "Ended after its deadline without being done"),
        (story["W"].reference, "Ended after its deadline without being done"),
    ]
