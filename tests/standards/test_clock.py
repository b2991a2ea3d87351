"""Worked examples for the clock, each date counted by hand (comments show the count)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from onestop.standards import clock
from onestop.standards.clock import LONDON, Session, Unit

ENGLAND_AND_WALES = clock.nation_calendar("england-and-wales")
SCOTLAND = clock.nation_calendar("scotland")
NORTHERN_IRELAND = clock.nation_calendar("northern-ireland")
UNITED_KINGDOM = clock.nation_calendar("united-kingdom")
NINE_TO_FIVE = clock.nation_calendar(
    "england-and-wales", opening=clock.weekday_opening([Session.parse("09:00-17:00")])
)
EVERY_DAY = clock.nation_calendar("england-and-wales", opening=[clock.WHOLE_DAY] * 7)
CALENDARS = {
    "england-and-wales": ENGLAND_AND_WALES,
    "scotland": SCOTLAND,
    "northern-ireland": NORTHERN_IRELAND,
    "united-kingdom": UNITED_KINGDOM,
}


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc,arg-type]


def due(day: date) -> datetime:
    return datetime.combine(day, clock.END_OF_DAY, LONDON)


# --- bank holidays -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nation", "day"),
    [
        ("england-and-wales", date(2022, 9, 19)),  # State funeral of Queen Elizabeth II
        ("scotland", date(2022, 9, 19)),
        ("northern-ireland", date(2022, 9, 19)),
        ("england-and-wales", date(2023, 5, 8)),  # Coronation of King Charles III
        ("scotland", date(2023, 5, 8)),
        ("northern-ireland", date(2023, 5, 8)),
        ("england-and-wales", date(2022, 12, 27)),  # Christmas Day (Sunday) substitute
        ("england-and-wales", date(2023, 1, 2)),  # New Year's Day (Sunday) substitute
        ("scotland", date(2023, 1, 3)),  # 2 January (Monday) moved by the substitute
        ("scotland", date(2024, 12, 2)),  # St Andrew's Day (Saturday) substitute
        ("northern-ireland", date(2020, 7, 13)),  # 12 July (Sunday) substitute
        ("united-kingdom", date(2023, 11, 30)),  # St Andrew's Day, Scotland
        ("united-kingdom", date(2023, 3, 17)),  # St Patrick's Day, Northern Ireland
        ("united-kingdom", date(2023, 7, 12)),  # Battle of the Boyne, Northern Ireland
        ("united-kingdom", date(2023, 4, 10)),  # Easter Monday, not in Scotland
    ],
)
def test_bank_holidays_include_substitute_and_one_off_days(nation: str, day: date) -> None:
    assert day in CALENDARS[nation].bank_holidays
    assert CALENDARS[nation].is_working_day(day) is False


@pytest.mark.parametrize(
    ("nation", "day"),
    [
        ("england-and-wales", date(2023, 11, 30)),
        ("england-and-wales", date(2023, 3, 17)),
        ("england-and-wales", date(2023, 7, 12)),
        ("scotland", date(2023, 4, 10)),
        ("england-and-wales", date(2024, 1, 2)),
    ],
)
def test_other_nations_holidays_are_working_days(nation: str, day: date) -> None:
    assert CALENDARS[nation].is_working_day(day) is True


# --- working days --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nation", "start", "amount", "expected"),
    [
        # Fri 23 Dec 2022 is day 0; 26, 27 Dec and 2 Jan are bank holidays:
        # 28 (1), 29 (2), 30 (3), 3 Jan (4), 4 Jan (5).
        ("england-and-wales", local(2022, 12, 23, 10), 5, date(2023, 1, 4)),
        ("northern-ireland", local(2022, 12, 23, 10), 5, date(2023, 1, 4)),
        # Scotland also has 3 Jan 2023 (2 January's substitute): 28, 29, 30, 4, 5.
        ("scotland", local(2022, 12, 23, 10), 5, date(2023, 1, 5)),
        # 2 January: Fri 29 Dec 2023 + 1; England's 1 Jan vs Scotland's 1 and 2 Jan.
        ("england-and-wales", local(2023, 12, 29, 10), 1, date(2024, 1, 2)),
        ("scotland", local(2023, 12, 29, 10), 1, date(2024, 1, 3)),
        # St Andrew's Day, Thu 30 Nov 2023.
        ("scotland", local(2023, 11, 29, 10), 1, date(2023, 12, 1)),
        ("england-and-wales", local(2023, 11, 29, 10), 1, date(2023, 11, 30)),
        # St Andrew's Day on Sat 30 Nov 2024: substitute Mon 2 Dec.
        ("scotland", local(2024, 11, 29, 10), 1, date(2024, 12, 3)),
        ("england-and-wales", local(2024, 11, 29, 10), 1, date(2024, 12, 2)),
        # St Patrick's Day, Fri 17 Mar 2023.
        ("northern-ireland", local(2023, 3, 16, 10), 1, date(2023, 3, 20)),
        ("england-and-wales", local(2023, 3, 16, 10), 1, date(2023, 3, 17)),
        # 12 July 2023, a Wednesday.
        ("northern-ireland", local(2023, 7, 11, 10), 1, date(2023, 7, 13)),
        ("scotland", local(2023, 7, 11, 10), 1, date(2023, 7, 12)),
        # Easter 2023: Good Friday 7 Apr everywhere, Easter Monday 10 Apr not in Scotland.
        ("england-and-wales", local(2023, 4, 6, 10), 1, date(2023, 4, 11)),
        ("scotland", local(2023, 4, 6, 10), 1, date(2023, 4, 10)),
        # One-off days: Mon 19 Sep 2022 and Mon 8 May 2023.
        ("england-and-wales", local(2022, 9, 16, 10), 1, date(2022, 9, 20)),
        ("scotland", local(2023, 5, 5, 10), 1, date(2023, 5, 9)),
        # Leap day: Wed 28 Feb 2024 + 1 is Thu 29 Feb.
        ("england-and-wales", local(2024, 2, 28, 10), 1, date(2024, 2, 29)),
        # FOI, 20 working days from Mon 6 Mar 2023: 7-10 (4), 13-16 (8), 17 is St Patrick's
        # Day in the UK calendar, 20-24 (13), 27-31 (18), 3 Apr (19), 4 Apr (20).
        ("united-kingdom", local(2023, 3, 6, 10), 20, date(2023, 4, 4)),
        ("england-and-wales", local(2023, 3, 6, 10), 20, date(2023, 4, 3)),
        # FOI over Christmas from Mon 4 Dec 2023: 5-8 (4), 11-15 (9), 18-22 (14), 27-29 (17),
        # then UK: 1 and 2 Jan closed, 3-5 (20); England: 2-4 (20).
        ("united-kingdom", local(2023, 12, 4, 10), 20, date(2024, 1, 5)),
        ("england-and-wales", local(2023, 12, 4, 10), 20, date(2024, 1, 4)),
        # Receipt on a weekend: Sat 4 Mar 2023, day 0 is Mon 6 Mar.
        ("england-and-wales", local(2023, 3, 4, 10), 1, date(2023, 3, 7)),
        ("england-and-wales", local(2023, 3, 4, 10), 0, date(2023, 3, 6)),
        # Clock changes: Fri 24 Mar 2023 (GMT) to Mon 27 Mar (BST); Fri 27 Oct to Mon 30 Oct.
        ("england-and-wales", local(2023, 3, 24, 10), 1, date(2023, 3, 27)),
        ("england-and-wales", local(2023, 10, 27, 10), 1, date(2023, 10, 30)),
    ],
)
def test_working_day_deadlines(nation: str, start: datetime, amount: int, expected: date) -> None:
    assert clock.deadline(start, amount, Unit.WORKING_DAYS, CALENDARS[nation]) == due(expected)


def test_day_unit_deadlines_carry_the_local_offset() -> None:
    spring = clock.deadline(local(2023, 3, 24, 10), 1, "working_days", ENGLAND_AND_WALES)
    autumn = clock.deadline(local(2023, 10, 27, 10), 1, "working_days", ENGLAND_AND_WALES)
    assert spring.isoformat() == "2023-03-27T23:59:59+01:00"
    assert autumn.isoformat() == "2023-10-30T23:59:59+00:00"


def test_a_closure_day_pushes_a_deadline_later() -> None:
    closed = ENGLAND_AND_WALES.with_closures([date(2022, 12, 28)], version=2)
    # 29 (1), 30 (2), 3 Jan (3), 4 Jan (4), 5 Jan (5).
    assert clock.deadline(local(2022, 12, 23, 10), 5, "working_days", closed) == due(
        date(2023, 1, 5)
    )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2023, 3, 6, 16, 59, 59), date(2023, 3, 7)),  # before closing: day 0 is Monday
        (local(2023, 3, 6, 17, 0), date(2023, 3, 8)),  # at closing: day 0 is Tuesday
        (local(2023, 3, 6, 8, 0), date(2023, 3, 7)),  # before opening still counts as Monday
    ],
)
def test_receipt_at_or_after_closing_time_starts_the_next_working_day(
    start: datetime, expected: date
) -> None:
    assert clock.deadline(start, 1, "working_days", NINE_TO_FIVE) == due(expected)


def test_receipt_late_in_the_evening_counts_when_open_all_day() -> None:
    assert clock.deadline(local(2023, 3, 6, 23, 30), 1, "working_days", ENGLAND_AND_WALES) == due(
        date(2023, 3, 7)
    )


@pytest.mark.parametrize("fold", [0, 1])
def test_an_ambiguous_autumn_time_is_still_sunday(fold: int) -> None:
    start = datetime(2023, 10, 29, 1, 30, fold=fold, tzinfo=LONDON)
    assert clock.deadline(start, 1, "working_days", ENGLAND_AND_WALES) == due(date(2023, 10, 31))


# --- calendar days and months --------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        (local(2024, 2, 28, 10), 1, date(2024, 2, 29)),  # leap year
        (local(2023, 2, 28, 10), 1, date(2023, 3, 1)),
        (local(2023, 3, 4, 10), 2, date(2023, 3, 6)),  # no working-day roll for calendar days
        (local(2022, 12, 24, 10), 1, date(2022, 12, 25)),
    ],
)
def test_calendar_day_deadlines(start: datetime, amount: int, expected: date) -> None:
    assert clock.deadline(start, amount, "calendar_days", ENGLAND_AND_WALES) == due(expected)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # The ICO's example: received 3 September, due 4 October (3 Sep 2023 was a Sunday).
        (local(2023, 9, 3, 10), 1, date(2023, 10, 4)),
        # Count starts 31 Jan; 31 Feb does not exist, so the last day of February.
        (local(2025, 1, 30, 10), 1, date(2025, 2, 28)),
        (local(2024, 1, 30, 10), 1, date(2024, 2, 29)),  # leap year
        (local(2024, 1, 28, 10), 1, date(2024, 2, 29)),  # 29 Jan + 1 month
        (local(2024, 1, 31, 10), 1, date(2024, 3, 1)),  # count starts 1 Feb
        # 7 Oct 2023 is a Saturday: the next working day, Mon 9 Oct.
        (local(2023, 9, 6, 10), 1, date(2023, 10, 9)),
        # 25 Dec 2022 is a Sunday, 26 and 27 are bank holidays: Wed 28 Dec.
        (local(2022, 11, 24, 10), 1, date(2022, 12, 28)),
        # Across the year end: count starts 31 Dec 2023, due 31 Jan 2024.
        (local(2023, 12, 30, 10), 1, date(2024, 1, 31)),
        # Three months: count starts 1 Dec 2023, 1 Mar 2024 is a Friday.
        (local(2023, 11, 30, 23, 59), 3, date(2024, 3, 1)),
    ],
)
def test_calendar_month_deadlines(start: datetime, amount: int, expected: date) -> None:
    assert clock.deadline(start, amount, "calendar_months", ENGLAND_AND_WALES) == due(expected)


# --- elapsed time and working hours --------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (local(2023, 3, 6, 10), 20, "seconds", "2023-03-06T10:00:20+00:00"),
        (local(2023, 3, 6, 10), 15, "minutes", "2023-03-06T10:15:00+00:00"),
        # 24 elapsed hours across the spring change: the clock reads 25 hours later.
        (local(2023, 3, 25, 12), 24, "hours", "2023-03-26T13:00:00+01:00"),
        (local(2023, 10, 28, 12), 24, "hours", "2023-10-29T11:00:00+00:00"),
    ],
)
def test_elapsed_deadlines(start: datetime, amount: int, unit: str, expected: str) -> None:
    assert clock.deadline(start, amount, unit, ENGLAND_AND_WALES).isoformat() == expected


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # Fri 16:00 + 2 working hours: 1 on Friday, 1 on Monday from 09:00.
        (local(2023, 3, 3, 16), 2, "2023-03-06T10:00:00+00:00"),
        (local(2023, 3, 4, 10), 1, "2023-03-06T10:00:00+00:00"),  # weekend receipt
        (local(2023, 3, 6, 9), 8, "2023-03-06T17:00:00+00:00"),  # exactly at closing
        # Fri 23 Dec 2022 10:00 + 10: 7 hours on Friday, 3 on Wed 28 Dec.
        (local(2022, 12, 23, 10), 10, "2022-12-28T12:00:00+00:00"),
        (local(2023, 3, 6, 12, 30), 0, "2023-03-06T12:30:00+00:00"),
    ],
)
def test_working_hour_deadlines(start: datetime, amount: int, expected: str) -> None:
    assert clock.deadline(start, amount, "working_hours", NINE_TO_FIVE).isoformat() == expected


def test_working_hours_follow_the_real_length_of_a_clock_change_day() -> None:
    # Sunday 26 Mar 2023 has 23 hours, so 24 working hours end at 01:00 on Monday.
    start = local(2023, 3, 26, 0)
    assert clock.deadline(start, 24, "working_hours", EVERY_DAY).isoformat() == (
        "2023-03-27T01:00:00+01:00"
    )


def test_working_time_between_counts_days_after_day_zero_and_open_seconds() -> None:
    measured = clock.working_time_between(
        local(2023, 3, 3, 16), local(2023, 3, 6, 10), NINE_TO_FIVE
    )
    assert measured == clock.WorkingTime(working_days=1, working_seconds=7200)
    assert measured.working_hours == 2.0


def test_working_days_between_dates() -> None:
    # 24 Dec 2022 to 4 Jan 2023: 28, 29, 30, 3, 4 are working days.
    assert ENGLAND_AND_WALES.working_days_between(date(2022, 12, 24), date(2023, 1, 4)) == 5
    assert ENGLAND_AND_WALES.working_days_in(date(2022, 12, 23), date(2023, 1, 4)) == 6
    with pytest.raises(ValueError, match="before the start"):
        ENGLAND_AND_WALES.working_days_between(date(2023, 1, 4), date(2023, 1, 3))


# --- met or missed ----------------------------------------------------------------------------
def test_a_clock_is_met_at_or_before_the_deadline_to_the_second() -> None:
    deadline = due(date(2023, 3, 7))
    assert clock.is_met(deadline, deadline) is True
    assert clock.is_met(deadline + timedelta(microseconds=999_999), deadline) is True
    assert clock.is_met(deadline + timedelta(seconds=1), deadline) is False
    assert clock.is_met(deadline.astimezone(UTC), deadline) is True


# --- pause, resume, restart ----------------------------------------------------------------
def test_resuming_adds_the_working_days_of_the_pause_both_ends_included() -> None:
    # Mon 6 Mar 2023 + 10 working days = Mon 20 Mar.  Paused Wed 8, resumed Fri 10: 3 days lost.
    state = clock.start_clock(local(2023, 3, 6, 10), 10, "working_days", ENGLAND_AND_WALES)
    assert state.deadline == due(date(2023, 3, 20))
    paused = clock.pause_clock(state, local(2023, 3, 8, 15))
    assert paused.is_paused is True
    resumed = clock.resume_clock(paused, local(2023, 3, 10, 9), ENGLAND_AND_WALES)
    assert resumed.deadline == due(date(2023, 3, 23))
    assert resumed.is_paused is False


def test_a_pause_within_one_working_day_loses_that_day() -> None:
    state = clock.start_clock(local(2023, 3, 6, 10), 10, "working_days", ENGLAND_AND_WALES)
    paused = clock.pause_clock(state, local(2023, 3, 8, 10))
    resumed = clock.resume_clock(paused, local(2023, 3, 8, 15), ENGLAND_AND_WALES)
    assert resumed.deadline == due(date(2023, 3, 21))


def test_resuming_an_elapsed_clock_adds_the_pause_length() -> None:
    state = clock.start_clock(local(2023, 3, 6, 10), 24, "hours", ENGLAND_AND_WALES)
    paused = clock.pause_clock(state, local(2023, 3, 6, 11))
    resumed = clock.resume_clock(paused, local(2023, 3, 6, 13), ENGLAND_AND_WALES)
    assert resumed.deadline.isoformat() == "2023-03-07T12:00:00+00:00"


def test_resuming_a_working_hours_clock_adds_the_working_time_lost() -> None:
    # Mon 09:00 + 8 working hours = Mon 17:00; paused 10:00-12:00 (2 hours) -> Tue 11:00.
    state = clock.start_clock(local(2023, 3, 6, 9), 8, "working_hours", NINE_TO_FIVE)
    paused = clock.pause_clock(state, local(2023, 3, 6, 10))
    resumed = clock.resume_clock(paused, local(2023, 3, 6, 12), NINE_TO_FIVE)
    assert resumed.deadline.isoformat() == "2023-03-07T11:00:00+00:00"


def test_resuming_calendar_month_and_day_clocks_adds_calendar_days() -> None:
    # Received 3 Sep 2023, due 4 Oct; paused 5-6 Sep (2 days) -> 6 Oct (a Friday).
    months = clock.start_clock(local(2023, 9, 3, 10), 1, "calendar_months", ENGLAND_AND_WALES)
    paused = clock.pause_clock(months, local(2023, 9, 5, 10))
    assert clock.resume_clock(paused, local(2023, 9, 6, 10), ENGLAND_AND_WALES).deadline == due(
        date(2023, 10, 6)
    )
    days = clock.start_clock(local(2023, 9, 3, 10), 10, "calendar_days", ENGLAND_AND_WALES)
    paused_days = clock.pause_clock(days, local(2023, 9, 5, 10))
    resumed = clock.resume_clock(paused_days, local(2023, 9, 6, 10), ENGLAND_AND_WALES)
    assert resumed.deadline == due(date(2023, 9, 15))


def test_a_pause_after_the_deadline_does_not_move_it() -> None:
    state = clock.start_clock(local(2023, 3, 6, 10), 1, "working_days", ENGLAND_AND_WALES)
    paused = clock.pause_clock(state, local(2023, 3, 9, 10))
    resumed = clock.resume_clock(paused, local(2023, 3, 20, 10), ENGLAND_AND_WALES)
    assert resumed.deadline == state.deadline


def test_pause_and_resume_refuse_the_wrong_state() -> None:
    state = clock.start_clock(local(2023, 3, 6, 10), 1, "working_days", ENGLAND_AND_WALES)
    with pytest.raises(clock.ClockError, match="not paused"):
        clock.resume_clock(state, local(2023, 3, 6, 11), ENGLAND_AND_WALES)
    paused = clock.pause_clock(state, local(2023, 3, 6, 11))
    with pytest.raises(clock.ClockError, match="already paused"):
        clock.pause_clock(paused, local(2023, 3, 6, 12))
    with pytest.raises(clock.ClockError, match="before it was paused"):
        clock.resume_clock(paused, local(2023, 3, 6, 10), ENGLAND_AND_WALES)
    with pytest.raises(clock.ClockError, match="before it started"):
        clock.pause_clock(state, local(2023, 3, 5, 10))


def test_restarting_gives_the_full_amount_from_the_restart() -> None:
    # FOI received Mon 6 Mar 2023 (UK calendar, due 4 Apr); clarification received Wed 15 Mar:
    # 16 (1), 17 closed, 20-24 (6), 27-31 (11), 3-6 Apr (15), 7 and 10 closed, 11-14 (19),
    # 17 Apr (20).
    state = clock.start_clock(local(2023, 3, 6, 10), 20, "working_days", UNITED_KINGDOM)
    paused = clock.pause_clock(state, local(2023, 3, 8, 10))
    restarted = clock.restart_clock(paused, local(2023, 3, 15, 11), UNITED_KINGDOM)
    assert restarted.deadline == due(date(2023, 4, 17))
    assert restarted.is_paused is False
    assert restarted.started_at == local(2023, 3, 15, 11)


# --- inputs, ranges and bulk -----------------------------------------------------------------
def test_naive_times_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        clock.deadline(datetime(2023, 3, 6, 10), 1, "working_days", ENGLAND_AND_WALES)  # noqa: DTZ001
    with pytest.raises(ValueError, match="cannot be negative"):
        clock.deadline(local(2023, 3, 6, 10), -1, "working_days", ENGLAND_AND_WALES)
    with pytest.raises(ValueError, match="not a valid Unit"):
        clock.deadline(local(2023, 3, 6, 10), 1, "fortnights", ENGLAND_AND_WALES)


def test_answers_outside_the_calendar_years_are_refused() -> None:
    with pytest.raises(clock.CalendarRangeError):
        clock.deadline(local(1999, 3, 6, 10), 1, "working_days", ENGLAND_AND_WALES)
    with pytest.raises(clock.CalendarRangeError):
        clock.deadline(local(2060, 12, 30, 10), 5, "working_days", ENGLAND_AND_WALES)
    with pytest.raises(clock.CalendarRangeError):
        clock.deadline(local(2061, 1, 2, 10), 5, "working_hours", NINE_TO_FIVE)


def test_sessions_parse_and_validate() -> None:
    assert str(Session.parse("09:00-17:30")) == "09:00-17:30"
    assert str(Session.parse("00:00-24:00")) == "00:00-24:00"
    with pytest.raises(ValueError, match="not an opening session"):
        Session.parse("nine to five")
    with pytest.raises(ValueError, match="close after it opens"):
        Session.parse("17:00-09:00")


def test_the_bulk_form_equals_single_calls_and_numpy_busday_offset() -> None:
    numpy = pytest.importorskip("numpy")
    starts = [
        local(2022, 12, 23, 10),
        local(2022, 12, 23, 23, 59),
        local(2023, 3, 4, 10),
        datetime(2023, 10, 29, 1, 30, fold=1, tzinfo=LONDON),
        local(2024, 2, 28, 0, 0),
    ]
    single = [clock.deadline(start, 7, "working_days", SCOTLAND) for start in starts]
    assert clock.deadlines(starts, 7, "working_days", SCOTLAND) == single
    epoch = numpy.array([int(start.timestamp()) for start in starts])
    vectorised = clock.deadlines_epoch(epoch, 7, "working_days", SCOTLAND)
    assert vectorised.tolist() == [int(item.timestamp()) for item in single]
    local_days = numpy.array([start.astimezone(LONDON).date() for start in starts], "M8[D]")
    holidays = numpy.array(sorted(SCOTLAND.bank_holidays), "M8[D]")
    expected = numpy.busday_offset(local_days, 7, roll="forward", holidays=holidays)
    assert [item.date() for item in single] == expected.astype(object).tolist()


def test_recalculation_never_brings_a_deadline_forward() -> None:
    start = local(2022, 12, 23, 10)
    closed = ENGLAND_AND_WALES.with_closures([date(2022, 12, 28)], version=2)
    stored = [
        clock.StoredDeadline(start, 5, Unit.WORKING_DAYS, due(date(2023, 1, 4))),
        # A deadline once promised later than the new calendar gives is kept.
        clock.StoredDeadline(start, 5, Unit.WORKING_DAYS, due(date(2023, 1, 9))),
        clock.StoredDeadline(start, 2, Unit.CALENDAR_DAYS, due(date(2022, 12, 25))),
    ]
    assert clock.recalculate(stored, closed) == [
        due(date(2023, 1, 5)),
        due(date(2023, 1, 9)),
        due(date(2022, 12, 25)),
    ]


def test_a_clock_started_in_the_last_second_of_its_due_day_is_met_at_once() -> None:
    start = datetime(2026, 11, 23, 23, 59, 59, 1, tzinfo=LONDON)
    found = clock.deadline(start, 0, "calendar_days", clock.nation_calendar("england-and-wales"))
    assert found == datetime(2026, 11, 23, 23, 59, 59, tzinfo=LONDON)
    assert clock.is_met(start, found) is True
