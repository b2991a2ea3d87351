"""Calls in the compliance figures (``standards.measures``): on the day the clocks go forward,
the answer-time standard's compliance is the ``telephony`` report's service level, call by
call (midnight either side, a queue with no service, a service's own threshold, the partner's
calls, the filters) and the calls behind each figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from onestop.core import reporting
from onestop.core.models import Organisation, RoleCode
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPointKind, Service
from onestop.performance.queries import compliance
from onestop.standards import measures
from onestop.standards import services as standard_services
from onestop.standards.models import Channel
from onestop.telephony import services
from onestop.telephony.models import CallQueue
from tests import factories
from tests.telephony.conftest import CallWorld, csv_file, row

pytestmark = pytest.mark.django_db
DAY = reporting.Period(datetime.date(2026, 3, 29), datetime.date(2026, 3, 29))
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=reporting.LONDON)


def _standard(organisation: Organisation, seconds: int, service: Service | None = None) -> None:
    standard_services.save_standard(
        organisation,
        by=None,
        code="answer-calls",
        title="Answer calls within 20 seconds",
        applies_to=Channel.TELEPHONE,
        start_event="call-offered",
        stop_event="call-answered",
        amount=seconds,
        unit="seconds",
        target_percent=Decimal("90"),
        service_id=service.pk if service is not None else None,
    )


def _call(call_id: str, queue: str, offered: str, outcome: str = "answered", wait: int = 10) -> str:
    start = datetime.datetime.fromisoformat(offered)
    answered = start + datetime.timedelta(seconds=wait)
    ended = answered + datetime.timedelta(seconds=60)
    if outcome in ("abandoned", "voicemail"):
        return row(call_id, queue, offered, "", answered.isoformat(), outcome)
    return row(call_id, queue, offered, answered.isoformat(), ended.isoformat(), outcome)


def _import(organisation: Organisation, *rows: str) -> None:
    run = services.import_calls(organisation, csv_file(*rows), by=None, file_name="calls.csv")
    assert run.refused == 0


def _map(world: CallWorld, name: str, service: Service) -> None:
    queue = CallQueue.objects.for_organisation(world.organisation).get(name=name)
    services.map_queue(queue, by=None, service=service, access_point=world.telephone)


@pytest.fixture
def tax(call_world: CallWorld, partner: Organisation) -> Service:
    """The telephony report's spring day: Sunday 29 March 2026, the clocks go forward."""
    _standard(call_world.organisation, 20)
    _import(
        call_world.organisation,
        _call("before", "Waste", "2026-03-28T23:59:59+00:00", wait=1),  # the 28th
        _call("first", "Waste", "2026-03-29T00:00:00+00:00", wait=20),  # midnight: in, met
        _call("ten", "Waste", "2026-03-29T09:00:00+00:00", wait=21),  # one second late
        _call("last", "Waste", "2026-03-29T22:59:59+00:00", "abandoned", 45),  # 23:59:59 BST
        _call("after", "Waste", "2026-03-29T23:00:00+00:00", wait=1),  # midnight BST: the 30th
        _call("vm", "Switchboard", "2026-03-29T09:10:00+00:00", "voicemail", 90),
        _call("xfer", "Switchboard", "2026-03-29T09:20:00+00:00", "transferred", 5),
        _call("slow", "Council tax", "2026-03-29T12:00:00+00:00", wait=40),
    )
    tax = directory_services.create_service(call_world.organisation, by=None, name="Council tax")
    _map(call_world, "Waste", call_world.waste)
    _map(call_world, "Council tax", tax)
    # Council tax promises 60 seconds: its 40-second call is met.
    _standard(call_world.organisation, 60, tax)
    factories.staff(partner, RoleCode.MANAGER, username="partner.manager")
    _standard(partner, 20)
    _import(partner, _call("p1", "Waste", "2026-03-29T09:00:00+00:00", "abandoned", 500))
    return tax


def _figures(
    organisation: Organisation, filters: compliance.Filters | None = None
) -> dict[str, tuple[object, ...]]:
    return {
        row.service_name or "all": (
            row.counts.measured,
            row.counts.met,
            row.counts.missed,
            row.counts.open,
            row.counts.compliance,
            row.target,
        )
        for row in compliance.compliance(organisation, DAY, now=NOW, filters=filters)
        if row.code == "answer-calls"
    }


def test_compliance_is_the_service_level_call_by_call(call_world: CallWorld, tax: Service) -> None:
    assert _figures(call_world.organisation) == {
        "Council tax": (1, 1, 0, 0, Decimal("1.0000"), Decimal("0.9000")),
        "Waste and recycling": (3, 1, 2, 0, Decimal("0.3333"), Decimal("0.9000")),
        # The switchboard's voicemail (missed) and answered transfer (met) have no service.
        "all": (6, 3, 3, 0, Decimal("0.5000"), Decimal("0.9000")),
    }
    output = reporting.report_named("telephony").build(
        reporting.ReportRequest(call_world.organisation, DAY)
    )
    assert output.tables[0].rows[-1][:6] == ["all", 6, 4, 1, 3, Decimal("0.5000")]


def test_the_partner_sees_only_its_own_call(partner: Organisation, tax: Service) -> None:
    assert _figures(partner) == {"all": (1, 0, 1, 0, Decimal("0.0000"), Decimal("0.9000"))}


def test_the_filters(call_world: CallWorld, tax: Service) -> None:
    assert _figures(call_world.organisation, compliance.Filters(service=tax)) == {
        "Council tax": (1, 1, 0, 0, Decimal("1.0000"), Decimal("0.9000")),
        "all": (1, 1, 0, 0, Decimal("1.0000"), Decimal("0.9000")),
    }
    assert _figures(call_world.organisation, compliance.Filters(channel="email")) == {
        "all": (0, 0, 0, 0, None, Decimal("0.9000"))
    }
    # Every queue answers at the contact centre's telephone (an unmapped queue too).
    by_point = _figures(
        call_world.organisation, compliance.Filters(access_point=call_world.telephone)
    )
    assert by_point["all"][:3] == (6, 3, 3)
    office = directory_services.create_access_point(
        call_world.organisation,
        by=None,
        kind=AccessPointKind.CUSTOMER_SERVICE_CENTRE,
        name="Office",
    )
    assert _figures(call_world.organisation, compliance.Filters(access_point=office))["all"][
        :3
    ] == (
        0,
        0,
        0,
    )


def test_no_answer_time_standard_no_calls_in_the_figures(call_world: CallWorld) -> None:
    _import(call_world.organisation, _call("c1", "Waste", "2026-03-29T09:00:00+00:00"))
    assert _figures(call_world.organisation) == {}


def test_the_calls_behind_a_figure(call_world: CallWorld, tax: Service) -> None:
    missed = compliance.records_behind(
        call_world.organisation, DAY, now=NOW, pick=measures.Pick("missed", "answer-calls")
    )
    assert missed.counted == 3
    assert [(row.reference, row.state, row.service_name) for row in missed.records] == [
        ("Call last to Waste", "Abandoned", "Waste and recycling"),
        ("Call vm to Switchboard", "Voicemail", ""),
        ("Call ten to Waste", "Answered", "Waste and recycling"),
    ]
    assert missed.records[2].due_at == datetime.datetime(2026, 3, 29, 9, 0, 20, tzinfo=datetime.UTC)
    met_in_tax = compliance.records_behind(
        call_world.organisation,
        DAY,
        now=NOW,
        pick=measures.Pick("met", "answer-calls", tax.pk),
    )
    assert [row.reference for row in met_in_tax.records] == ["Call slow to Council tax"]
    assert met_in_tax.records[0].due_at == datetime.datetime(
        2026, 3, 29, 12, 1, tzinfo=datetime.UTC
    )
    for figure in ("open", "overdue", "not_yet_due"):
        nothing = compliance.records_behind(
            call_world.organisation, DAY, now=NOW, pick=measures.Pick(figure, "answer-calls")
        )
        assert (nothing.counted, nothing.records) == (0, [])
    other = compliance.records_behind(
        call_world.organisation, DAY, now=NOW, pick=measures.Pick("measured", "call-back")
    )
    assert other.counted == 0
