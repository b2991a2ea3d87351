"""Waits are measured exactly, from the stored times with their fractions of a second (the user
trial of the telephone report): a call answered 20.9 s after it was offered is **not** within a
20-second standard, one answered after 20.0 s is; the average and the longest wait come from the
exact waits (20.9 s and 19.1 s average 20.0 s; the longest is 20.9 s), and the standards'
compliance for answer time (C4/C9) follows the same rule."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.standards.measures import Counts, Filters
from onestop.telephony import services
from onestop.telephony.models import CallRecord
from onestop.telephony.queries import compliance
from onestop.telephony.queries import measures as telephone
from tests.telephony.conftest import CallWorld, csv_file, row
from tests.telephony.test_report import _build, _rows, _standard

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db
D = datetime.date
DECEMBER = reporting.Period(D(2026, 12, 1), D(2026, 12, 31))


def _answered(call_id: str, queue: str, offered: str, answered: str) -> str:
    return row(call_id, queue, offered, answered, "2026-12-01T09:05:00.000Z", "answered")


def _trial(organisation: Organisation) -> None:
    """The trial's two calls (20.9 s and 19.1 s) and a call answered after exactly 20.0 s."""
    _standard(organisation, seconds=20)
    bins, exact = "Trial Bins Line", "Trial Exact Line"
    rows = [
        _answered("slow", bins, "2026-12-01T09:00:00.000Z", "2026-12-01T09:00:20.900Z"),
        _answered("quick", bins, "2026-12-01T09:01:00.000Z", "2026-12-01T09:01:19.100Z"),
        _answered("on-time", exact, "2026-12-01T09:02:00Z", "2026-12-01T09:02:20.000Z"),
    ]
    run = services.import_calls(organisation, csv_file(*rows), by=None, file_name="calls.csv")
    assert run.refused == 0


def test_a_wait_is_compared_with_its_fractions_of_a_second(call_world: CallWorld) -> None:
    _trial(call_world.organisation)
    output = _build(call_world.organisation, D(2026, 12, 1), D(2026, 12, 31))
    # queue, offered, answered, abandoned, within, service level, abandonment rate, ASA, longest
    assert _rows(output) == [
        ["Trial Bins Line", "2", "2", "0", "1", "0.5000", "0.0000", "20.0", "20.9"],
        ["Trial Exact Line", "1", "1", "0", "1", "1.0000", "0.0000", "20.0", "20.0"],
        ["all", "3", "3", "0", "2", "0.6667", "0.0000", "20.0", "20.9"],
    ]
    scope = telephone.Scope(call_world.organisation, DECEMBER)
    within = telephone.calls_behind(scope, telephone.Slice(measure=telephone.Measure.WITHIN))
    assert [call.external_id for call in within] == ["quick", "on-time"]
    longest = telephone.calls_behind(scope, telephone.Slice(measure=telephone.Measure.WAITED))
    assert [(call.external_id, call.waited) for call in longest] == [
        ("slow", Decimal("20.9")),
        ("on-time", Decimal("20")),
        ("quick", Decimal("19.1")),
    ]
    # The stored whole seconds round 20.9 down: they are never what a figure is made of.
    slow = CallRecord.objects.for_organisation(call_world.organisation).get(external_id="slow")
    assert slow.wait_seconds == 20
    assert slow.answered_at - slow.offered_at == datetime.timedelta(seconds=20, microseconds=900000)


def test_answer_time_compliance_uses_the_exact_wait(call_world: CallWorld) -> None:
    _trial(call_world.organisation)
    found = compliance.counts(call_world.organisation, DECEMBER, Filters(), timezone.now())
    assert found == {("answer-calls", None): Counts(met=2, missed=1)}


def test_the_calls_list_shows_the_exact_wait(
    call_world: CallWorld, team_leader: User, client_for: ClientFor
) -> None:
    _trial(call_world.organisation)
    output = _build(call_world.organisation, D(2026, 12, 1), D(2026, 12, 31))
    link = output.tables[0].links[0][8]  # Trial Bins Line's longest wait
    assert link is not None
    html = client_for(team_leader).get(link).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">20.9</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">19.1</td>' in html
