"""Properties of the clock over generated instants, amounts and calendars (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from onestop.standards import clock
from onestop.standards.clock import LONDON, Calendar, Session, Unit

CALENDARS = [
    clock.nation_calendar("england-and-wales"),
    clock.nation_calendar("scotland"),
    clock.nation_calendar("northern-ireland"),
    clock.nation_calendar("united-kingdom"),
    clock.nation_calendar(
        "england-and-wales",
        closures=[date(year, 12, day) for year in range(2001, 2059) for day in (27, 28, 29)],
        opening=clock.weekday_opening([Session.parse("09:00-12:30"), Session.parse("13:30-17:00")]),
    ),
]

calendars = st.sampled_from(CALENDARS)
instants = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2058, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
units = st.sampled_from(list(Unit))
amounts = st.integers(min_value=0, max_value=400)


@settings(deadline=None)
@given(start=instants, amount=amounts, calendar=calendars)
def test_day_unit_deadlines_fall_at_the_end_of_a_working_day(
    start: datetime, amount: int, calendar: Calendar
) -> None:
    for unit in (Unit.WORKING_DAYS, Unit.CALENDAR_MONTHS):
        found = clock.deadline(start, amount % 24, unit, calendar).astimezone(LONDON)
        assert calendar.is_working_day(found.date())
        assert found.time() == clock.END_OF_DAY


@settings(deadline=None)
@given(start=instants, amount=amounts, calendar=calendars)
# A start inside a working day's last second: day 0's deadline (23:59:59) is that same second.
@example(start=datetime(2001, 1, 2, 23, 59, 59, 1, tzinfo=UTC), amount=0, calendar=CALENDARS[0])
def test_working_days_round_trip(start: datetime, amount: int, calendar: Calendar) -> None:
    found = clock.deadline(start, amount, Unit.WORKING_DAYS, calendar)
    assert clock.working_time_between(start, found, calendar).working_days == amount


@settings(deadline=None)
@given(start=instants, amount=amounts, calendar=calendars)
def test_working_hours_round_trip(start: datetime, amount: int, calendar: Calendar) -> None:
    start = start.replace(microsecond=0)
    found = clock.deadline(start, amount, Unit.WORKING_HOURS, calendar)
    assert clock.working_time_between(start, found, calendar).working_seconds == amount * 3600


@settings(deadline=None)
@example(
    first=datetime(2052, 10, 27, 0, 0, tzinfo=UTC),
    gap=223,
    amount=57,
    unit=Unit.MINUTES,
    calendar=CALENDARS[0],
)
@given(
    first=instants,
    gap=st.integers(min_value=0, max_value=20 * 86_400),
    amount=amounts,
    unit=units,
    calendar=calendars,
)
def test_deadlines_are_monotonic_in_the_start(
    first: datetime, gap: int, amount: int, unit: Unit, calendar: Calendar
) -> None:
    amount = amount % 24 if unit is Unit.CALENDAR_MONTHS else amount
    second = first + timedelta(seconds=gap)
    earlier = clock.deadline(first, amount, unit, calendar)
    later = clock.deadline(second, amount, unit, calendar)
    # As instants: two London times in the hour the clocks go back share their wall time, and
    # Python compares datetimes of one zone by wall time, ignoring the fold (01:57 BST is before
    # 01:00:43 GMT, found by hypothesis on 27 October 2052).
    assert earlier.astimezone(UTC) <= later.astimezone(UTC)
    # Deadlines are whole seconds (day units end at 23:59:59) and is_met compares whole seconds,
    # so a clock started in the last second of its due day is still met at its start.
    assert clock.is_met(first, earlier)


@settings(deadline=None)
@given(
    start=instants,
    pause_after=st.integers(min_value=0, max_value=40 * 86_400),
    pause_for=st.integers(min_value=0, max_value=40 * 86_400),
    amount=st.integers(min_value=0, max_value=60),
    unit=units,
    calendar=calendars,
)
def test_pausing_and_resuming_never_shortens_a_deadline(
    start: datetime,
    pause_after: int,
    pause_for: int,
    amount: int,
    unit: Unit,
    calendar: Calendar,
) -> None:
    amount = amount % 12 if unit is Unit.CALENDAR_MONTHS else amount
    state = clock.start_clock(start, amount, unit, calendar)
    paused_at = start + timedelta(seconds=pause_after)
    paused = clock.pause_clock(state, paused_at)
    resumed = clock.resume_clock(paused, paused_at + timedelta(seconds=pause_for), calendar)
    assert resumed.deadline.astimezone(UTC) >= state.deadline.astimezone(UTC)  # as instants


@settings(max_examples=50, deadline=None)
@given(
    starts=st.lists(instants, min_size=1, max_size=30),
    amount=amounts,
    unit=units,
    calendar=calendars,
)
def test_the_bulk_form_equals_single_calls(
    starts: list[datetime], amount: int, unit: Unit, calendar: Calendar
) -> None:
    amount = amount % 24 if unit is Unit.CALENDAR_MONTHS else amount
    single = [clock.deadline(start, amount, unit, calendar) for start in starts]
    assert clock.deadlines(starts, amount, unit, calendar) == single


@settings(max_examples=50, deadline=None)
@given(
    starts=st.lists(instants, min_size=1, max_size=30),
    amount=amounts,
    unit=st.sampled_from([Unit.WORKING_DAYS, Unit.CALENDAR_DAYS, Unit.HOURS]),
    calendar=calendars,
)
def test_the_vectorised_form_equals_single_calls(
    starts: list[datetime], amount: int, unit: Unit, calendar: Calendar
) -> None:
    import numpy

    whole = [start.replace(microsecond=0) for start in starts]
    epoch = numpy.array([int(start.timestamp()) for start in whole], dtype=numpy.int64)
    single = [int(clock.deadline(start, amount, unit, calendar).timestamp()) for start in whole]
    assert clock.deadlines_epoch(epoch, amount, unit, calendar).tolist() == single


@settings(deadline=None)
@given(
    start=instants,
    amount=amounts,
    unit=units,
    closures=st.lists(
        st.dates(min_value=date(2001, 1, 1), max_value=date(2058, 1, 1)), max_size=40
    ),
)
def test_recalculation_never_moves_a_deadline_earlier(
    start: datetime, amount: int, unit: Unit, closures: list[date]
) -> None:
    amount = amount % 24 if unit is Unit.CALENDAR_MONTHS else amount
    before = CALENDARS[0]
    stored = clock.StoredDeadline(start, amount, unit, clock.deadline(start, amount, unit, before))
    after = before.with_closures(closures)
    (recalculated,) = clock.recalculate([stored], after)
    assert recalculated == max(stored.deadline, clock.deadline(start, amount, unit, after))


sessions_of_a_day = st.lists(
    st.sampled_from([Session.parse("09:00-12:30"), Session.parse("13:30-17:00"), Session()]),
    max_size=2,
    unique=True,
).map(tuple)


@settings(deadline=None, max_examples=40)
@given(
    opening=st.lists(sessions_of_a_day, min_size=7, max_size=7).map(tuple),
    closures=st.frozensets(st.dates(date(2000, 1, 1), date(2060, 12, 31)), max_size=30),
    first_year=st.integers(2000, 2030),
    years=st.integers(0, 5),
)
def test_the_index_tables_say_what_is_working_day_says_of_every_day(
    opening: tuple[tuple[Session, ...], ...],
    closures: frozenset[date],
    first_year: int,
    years: int,
) -> None:
    # The tables are built on day ordinals for speed; each entry is checked against the plain
    # rule, day by day.
    calendar = clock.nation_calendar(
        "england-and-wales",
        closures=closures,
        opening=opening,
        first_year=first_year,
        last_year=first_year + years,
    )
    working, first_on_or_after, closing = calendar._tables
    day, last = date(first_year, 1, 1), date(first_year + years, 12, 31)
    expected: list[int] = []
    offset = 0
    while day <= last:
        assert first_on_or_after[offset] == len(expected)
        if calendar.is_working_day(day):
            expected.append(day.toordinal())
            assert closing[offset] == max(s.close_second for s in opening[day.weekday()])
        else:
            assert closing[offset] == 0
        day += timedelta(days=1)
        offset += 1
    assert working == expected
    assert first_on_or_after[offset] == len(expected)
