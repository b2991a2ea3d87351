"""Standards, targets, closure days and the organisation's calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.standards import clock, queries, services
from onestop.standards.demo import DEMO_STANDARDS, load_demo
from onestop.standards.errors import StandardsError
from onestop.standards.models import ClosureDay, Standard, StandardTarget


def audit_summaries(organisation: Organisation) -> list[str]:
    return list(
        AuditRecord.objects.for_organisation(organisation)
        .filter(object_type__startswith="standards.")
        .order_by("sequence")
        .values_list("summary", flat=True)
    )


def test_adding_a_closure_day_bumps_the_calendar_version_and_audits(
    council: Organisation, administrator: User
) -> None:
    services.add_closure_day(council, by=administrator, day=date(2023, 12, 28), reason="Closed")
    services.add_closure_day(council, by=administrator, day=date(2023, 12, 29), reason="Closed")
    calendar = queries.calendar_for_organisation(council)
    assert calendar.closures == frozenset({date(2023, 12, 28), date(2023, 12, 29)})
    assert calendar.version == 3  # 1 before any change
    # 22 Dec 2023 + 3 working days: 25, 26 bank holidays, 27 (1), 28 and 29 closed,
    # 1 Jan bank holiday, 2 Jan (2), 3 Jan (3).
    start = clock.end_of_day(date(2023, 12, 22)).replace(hour=10)
    assert clock.deadline(start, 3, "working_days", calendar) == clock.end_of_day(date(2024, 1, 3))
    assert audit_summaries(council) == [
        "Closure day 2023-12-28 added (calendar version 2)",
        "Closure day 2023-12-29 added (calendar version 3)",
    ]


def test_removing_a_closure_day_bumps_the_version(
    council: Organisation, administrator: User
) -> None:
    closure = services.add_closure_day(
        council, by=administrator, day=date(2023, 12, 28), reason="Closed"
    )
    assert services.remove_closure_day(closure, by=administrator) == 3
    assert queries.calendar_for_organisation(council).closures == frozenset()
    assert audit_summaries(council)[-1] == "Closure day 2023-12-28 removed (calendar version 3)"


@pytest.mark.parametrize(
    ("day", "reason", "code"),
    [
        (date(2023, 12, 25), "Closed", StandardsError.CLOSURE_DAY_NOT_WORKING_DAY),
        (date(2023, 12, 30), "Closed", StandardsError.CLOSURE_DAY_NOT_WORKING_DAY),
        (date(2023, 12, 28), "  ", StandardsError.REASON_REQUIRED),
        (date(2099, 12, 28), "Closed", StandardsError.CLOSURE_DAY_OUT_OF_RANGE),
        (date(2023, 12, 27), "Closed", StandardsError.CLOSURE_DAY_EXISTS),
    ],
)
def test_a_rejected_closure_day_changes_nothing(
    council: Organisation, administrator: User, day: date, reason: str, code: StandardsError
) -> None:
    services.add_closure_day(council, by=administrator, day=date(2023, 12, 27), reason="Closed")
    with pytest.raises(ServiceError) as raised:
        services.add_closure_day(council, by=administrator, day=day, reason=reason)
    assert raised.value.code == code
    assert ClosureDay.objects.for_organisation(council).count() == 1
    assert queries.calendar_version_of(council) == 2  # the one closure day added


def test_saving_a_standard_twice_changes_only_what_differs(
    council: Organisation, administrator: User
) -> None:
    values = {
        "code": "answer-letters",
        "title": "Answer letters within 10 working days",
        "applies_to": "letter",
        "start_event": "letter-received",
        "stop_event": "full-reply-sent",
        "amount": 10,
        "unit": "working_days",
        "target_percent": Decimal(90),
    }
    services.save_standard(council, by=administrator, **values)  # type: ignore[arg-type]
    services.save_standard(council, by=administrator, **values)  # type: ignore[arg-type]
    changed = {**values, "target_percent": Decimal(92)}
    standard = services.save_standard(council, by=administrator, **changed)  # type: ignore[arg-type]
    assert standard.target_percent == Decimal(92)
    assert Standard.objects.for_organisation(council).count() == 1
    assert audit_summaries(council) == [
        "Standard answer-letters created",
        "Standard answer-letters changed",
    ]


@time_machine.travel("2026-03-02 10:00+00:00", tick=False)
def test_the_demo_loads_the_seed_standards_once(council: Organisation) -> None:
    load_demo(council)
    load_demo(council)
    codes = set(Standard.objects.for_organisation(council).values_list("code", flat=True))
    assert codes == {item.code for item in DEMO_STANDARDS}
    assert len(codes) == 22
    letters = Standard.objects.for_organisation(council).get(code="answer-letters")
    assert (letters.amount, letters.unit, letters.target_percent) == (
        10,
        "working_days",
        Decimal(90),
    )
    assert [queries.target_for_year(letters, year) for year in (2025, 2026, 2028, 2030, 2031)] == [
        Decimal(90),
        Decimal(90),
        Decimal(94),
        Decimal(98),
        Decimal(98),
    ]
    assert StandardTarget.objects.for_organisation(council).count() == 20
    # 27-31 Dec 2026: 28 is Boxing Day's substitute; 2027: 27 and 28 are substitutes,
    # 29-31 are weekdays.
    assert sorted(ClosureDay.objects.for_organisation(council).values_list("date", flat=True)) == [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 12, 29),
        date(2027, 12, 30),
        date(2027, 12, 31),
    ]
    foi = Standard.objects.for_organisation(council).get(code="answer-foi-eir")
    assert queries.calendar_for_standard(foi, council).name == "united-kingdom"
    assert queries.calendar_version_of(council) == 7  # 1, then six closure days
