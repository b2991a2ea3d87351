"""FOI, EIR and subject access: statutory clocks, clarification, extensions, exemptions,
identity, and the disclosure log."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from onestop.cases import services
from onestop.cases.errors import CaseError
from onestop.cases.models import Outcome, Status
from onestop.core.errors import ServiceError
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def _end(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), LONDON)


@time_machine.travel(MONDAY, tick=False)
def test_an_foi_request_is_due_in_20_working_days_on_the_uk_calendar(world: World) -> None:
    case = factories.raise_case(world.organisation, "foi", title="Spending on bins")
    assert case.reference.startswith("FOI-26-")
    # 17 March (St Patrick's Day) is a bank holiday in Northern Ireland: not a UK working day.
    assert case.due_at == _end(datetime.date(2026, 3, 31))
    assert case.calendar_version is None


def test_clarification_restarts_the_clock(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = factories.raise_case(world.organisation, "foi", title="Spending")
        services.change_status(case, by=None, status=Status.WAITING_FOR_CUSTOMER)
    with time_machine.travel(MONDAY + datetime.timedelta(days=7), tick=False):
        services.record_clarification(case, by=None, note="Only 2025")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    # 20 UK working days from Monday 9 March, skipping Good Friday and Easter Monday.
    assert case.due_at == _end(datetime.date(2026, 4, 9))
    assert case.clock_paused_at is None


@time_machine.travel(MONDAY, tick=False)
def test_an_eir_request_extends_to_40_working_days_once_with_a_reason(world: World) -> None:
    case = factories.raise_case(world.organisation, "eir", title="Air quality data")
    services.extend_deadline(case, by=None, reason="Complex and voluminous")
    assert case.due_at == _end(datetime.date(2026, 4, 30))
    assert case.extension_reason == "Complex and voluminous"
    with pytest.raises(ServiceError) as raised:
        services.extend_deadline(case, by=None, reason="Again")
    assert raised.value.code == CaseError.ALREADY_EXTENDED


@time_machine.travel(MONDAY, tick=False)
def test_an_foi_public_interest_extension_needs_a_reason(world: World) -> None:
    case = factories.raise_case(world.organisation, "foi", title="Contracts")
    with pytest.raises(ServiceError) as raised:
        services.extend_deadline(case, by=None, reason="  ")
    assert raised.value.code == CaseError.MISSING_ATTRIBUTE
    services.extend_deadline(case, by=None, reason="Public interest test under s.43")
    assert case.due_at == _end(datetime.date(2026, 4, 30))


@time_machine.travel(MONDAY, tick=False)
def test_subject_access_is_one_month_extendable_by_two(world: World) -> None:
    case = factories.raise_case(world.organisation, "subject-access", title="My records")
    # 3 April is Good Friday and 6 April Easter Monday: the next working day.
    assert case.due_at == _end(datetime.date(2026, 4, 7))
    services.extend_deadline(case, by=None, reason="Many and complex requests")
    assert case.due_at == _end(datetime.date(2026, 6, 3))


def test_subject_access_data_is_released_only_after_identity_is_verified(world: World) -> None:
    case = factories.raise_case(world.organisation, "subject-access", title="My records")
    with pytest.raises(ServiceError) as raised:
        services.close_case(case, by=None, outcome=Outcome.RELEASED_IN_FULL, resolution="Sent")
    assert raised.value.code == CaseError.IDENTITY_NOT_VERIFIED
    services.verify_identity(case, by=None)
    services.close_case(case, by=None, outcome=Outcome.RELEASED_IN_FULL, resolution="Sent")
    assert case.status == Status.CLOSED


def test_extensions_do_not_apply_to_service_requests(world: World) -> None:
    case = factories.raise_case(world.organisation)
    with pytest.raises(ServiceError) as raised:
        services.extend_deadline(case, by=None, reason="Busy")
    assert raised.value.code == CaseError.NOT_STATUTORY


def test_released_responses_are_published_in_the_public_disclosure_log(world: World) -> None:
    released = factories.raise_case(world.organisation, "foi", title="Bin contract value")
    services.record_exemptions(released, by=None, exemptions=["s43(2)", " s40(2) ", "s43(2)"])
    assert released.exemptions == ["s40(2)", "s43(2)"]
    services.close_case(released, by=None, outcome=Outcome.RELEASED_IN_PART, resolution="Sent")
    services.publish_response(released, by=None, summary="The contract value, with names removed")
    refused = factories.raise_case(world.organisation, "foi", title="Secret thing")
    services.close_case(refused, by=None, outcome=Outcome.REFUSED, resolution="s24")
    with pytest.raises(ServiceError) as raised:
        services.publish_response(refused, by=None, summary="No")
    assert raised.value.code == CaseError.NOT_RELEASED
    response = Client().get(f"/disclosure-log/{world.organisation.slug}/")
    assert response.status_code == 200
    assert b"Bin contract value" in response.content
    assert b"Secret thing" not in response.content
    assert Client().get("/disclosure-log/no-such-council/").status_code == 404
