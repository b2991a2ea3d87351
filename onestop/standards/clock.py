"""THE clock: the only code that turns a start, an amount, a unit and a calendar into a deadline.

Pure Python (no Django), so it runs in commands, tasks, benchmarks and property tests alike.
Every input and output is an aware ``datetime``; days, opening hours and closing times are
reasoned about in Europe/London local time.  ``docs/clock.md`` states every rule below in
plain English; keep the two in step.

The calendar is precomputed once into index tables (working days by ordinal, the first working
day on or after each day, cumulative working time) so that no call loops over days: a working-day
deadline is two table look-ups, a working-hours deadline a binary search.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

import holidays as holidays_package

LONDON: Final = ZoneInfo("Europe/London")
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
DAY_SECONDS: Final = 86_400
MICROSECONDS: Final = 1_000_000
END_OF_DAY: Final = time(23, 59, 59)
DEFAULT_FIRST_YEAR: Final = 2000
DEFAULT_LAST_YEAR: Final = 2060


class Unit(StrEnum):
    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"


ELAPSED_UNITS: Final = {Unit.SECONDS: 1, Unit.MINUTES: 60, Unit.HOURS: 3600}


class Nation(StrEnum):
    """Bank-holiday areas.  England and Wales share their bank holidays."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"
    UNITED_KINGDOM = "united-kingdom"  # FOIA s.10(6), EIR reg. 2: a bank holiday anywhere in the UK


_SUBDIVISIONS: Final = {
    Nation.ENGLAND_AND_WALES: ("ENG",),
    Nation.SCOTLAND: ("SCT",),
    Nation.NORTHERN_IRELAND: ("NIR",),
    Nation.UNITED_KINGDOM: ("ENG", "WLS", "SCT", "NIR"),
}

# core.models.Nation (an organisation's nation) to a bank-holiday area.
ORGANISATION_NATIONS: Final = {
    "england": Nation.ENGLAND_AND_WALES,
    "wales": Nation.ENGLAND_AND_WALES,
    "scotland": Nation.SCOTLAND,
    "northern-ireland": Nation.NORTHERN_IRELAND,
}


class CalendarRangeError(ValueError):
    """The answer lies outside the years the calendar was built for."""


@dataclass(frozen=True, order=True)
class Session:
    """One opening session of a weekday in local time; ``closes=None`` means midnight (24:00)."""

    opens: time = time(0, 0)
    closes: time | None = None

    def __post_init__(self) -> None:
        if self.close_second <= self.open_second:
            raise ValueError("An opening session must close after it opens.")

    @property
    def open_second(self) -> int:
        return self.opens.hour * 3600 + self.opens.minute * 60 + self.opens.second

    @property
    def close_second(self) -> int:
        if self.closes is None:
            return DAY_SECONDS
        return self.closes.hour * 3600 + self.closes.minute * 60 + self.closes.second

    @classmethod
    def parse(cls, text: str) -> Session:
        """``"09:00-17:00"`` (``24:00`` allowed as the closing time)."""
        try:
            opens_text, closes_text = text.strip().split("-")
            opens = time.fromisoformat(opens_text.strip())
            closes_text = closes_text.strip()
            closes = (
                None if closes_text in {"24:00", "24:00:00"} else time.fromisoformat(closes_text)
            )
        except ValueError:
            raise ValueError(f"{text!r} is not an opening session like 09:00-17:00.") from None
        return cls(opens, closes)

    def __str__(self) -> str:
        closes = "24:00" if self.closes is None else self.closes.strftime("%H:%M")
        return f"{self.opens.strftime('%H:%M')}-{closes}"


WHOLE_DAY: Final = (Session(),)
# Monday to Friday open all day, weekends closed: the statutory "working day".
WEEKDAYS_WHOLE_DAY: Final[tuple[tuple[Session, ...], ...]] = (WHOLE_DAY,) * 5 + ((), ())


@dataclass(frozen=True)
class WorkingTime:
    """Working time between two instants (see ``working_time_between``)."""

    working_days: int
    working_seconds: int

    @property
    def working_hours(self) -> float:
        return self.working_seconds / 3600


@dataclass(frozen=True)
class Calendar:
    """Which local days are working days, and when each is open.

    ``opening`` has seven entries, Monday first; a weekday with no sessions is never a working
    day.  A day is a working day when its weekday has sessions and it is neither a bank holiday
    nor a closure day.  The index tables cover ``first_year`` to ``last_year`` inclusive.
    """

    name: str
    bank_holidays: frozenset[date] = field(repr=False)
    closures: frozenset[date] = field(default=frozenset(), repr=False)
    opening: tuple[tuple[Session, ...], ...] = WEEKDAYS_WHOLE_DAY
    version: int | None = None
    first_year: int = DEFAULT_FIRST_YEAR
    last_year: int = DEFAULT_LAST_YEAR

    def __post_init__(self) -> None:
        if len(self.opening) != 7:
            raise ValueError("Opening sessions are given for seven weekdays, Monday first.")
        if self.last_year < self.first_year:
            raise ValueError("The calendar's last year is before its first year.")

    # --- plain questions -------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        return (
            bool(self.opening[day.weekday()])
            and day not in self.bank_holidays
            and day not in self.closures
        )

    def with_closures(self, closures: Iterable[date], *, version: int | None = None) -> Calendar:
        return replace(self, closures=frozenset(closures), version=version)

    # --- index tables (built once per calendar, on first use) ------------------------------
    @cached_property
    def _base(self) -> int:
        return date(self.first_year, 1, 1).toordinal()

    @cached_property
    def _day_count(self) -> int:
        return date(self.last_year, 12, 31).toordinal() - self._base + 1

    @cached_property
    def _tables(self) -> tuple[list[int], list[int], list[int]]:
        """(working-day ordinals, first working-day index on or after each day, closing second).

        ``first_on_or_after`` has one extra entry past the end, so ``[day + 1]`` is always safe.
        """
        # Built on day ordinals, not dates: a calendar spans sixty years, and every new
        # organisation (or closure day) builds one.  The same rule as ``is_working_day``.
        closes_by_weekday = [
            max((session.close_second for session in sessions), default=0)
            for sessions in self.opening
        ]
        holidays = {day.toordinal() for day in self.bank_holidays | self.closures}
        working: list[int] = []
        first_on_or_after = [0] * (self._day_count + 1)
        closing = [0] * self._day_count
        base = self._base
        weekday = date.fromordinal(base).weekday()
        for offset in range(self._day_count):
            first_on_or_after[offset] = len(working)
            closes = closes_by_weekday[weekday]
            if closes and base + offset not in holidays:
                working.append(base + offset)
                closing[offset] = closes
            weekday = 0 if weekday == 6 else weekday + 1
        first_on_or_after[self._day_count] = len(working)
        # first_on_or_after[i] was set before day i was appended, which is what we want.
        return working, first_on_or_after, closing

    def _offset(self, ordinal: int) -> int:
        offset = ordinal - self._base
        if not 0 <= offset < self._day_count:
            raise CalendarRangeError(
                f"{date.fromordinal(ordinal).isoformat()} is outside the calendar "
                f"({self.first_year}-{self.last_year})."
            )
        return offset

    def _working_day(self, index: int) -> int:
        working = self._tables[0]
        if index >= len(working):
            raise CalendarRangeError(
                f"The answer lies after the calendar's end ({self.last_year})."
            )
        return working[index]

    def _first_index_on_or_after(self, day: date) -> int:
        return self._tables[1][self._offset(day.toordinal())]

    def _count_on_or_before(self, day: date) -> int:
        """How many working days of the calendar fall on or before ``day``."""
        return self._tables[1][self._offset(day.toordinal()) + 1]

    def _closing_second(self, day: date) -> int:
        return self._tables[2][self._offset(day.toordinal())]

    def next_working_day_on_or_after(self, day: date) -> date:
        return date.fromordinal(self._working_day(self._first_index_on_or_after(day)))

    def working_days_between(self, first: date, last: date) -> int:
        """Working days after ``first`` up to and including ``last`` (``first <= last``)."""
        if last < first:
            raise ValueError("The end date is before the start date.")
        return self._count_on_or_before(last) - self._count_on_or_before(first)

    def working_days_in(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included (``first <= last``)."""
        if last < first:
            raise ValueError("The end date is before the start date.")
        return self._count_on_or_before(last) - self._first_index_on_or_after(first)

    # --- working hours ---------------------------------------------------------------------
    @cached_property
    def _intervals(self) -> tuple[list[int], list[int], list[int]]:
        """Open intervals in epoch microseconds: (starts, ends, working time before each start)."""
        starts: list[int] = []
        ends: list[int] = []
        before: list[int] = []
        total = 0
        for ordinal in self._tables[0]:
            day = date.fromordinal(ordinal)
            for session in sorted(self.opening[day.weekday()]):
                begin = _local_instant(day, session.open_second)
                end = _local_instant(day, session.close_second)
                starts.append(begin)
                ends.append(end)
                before.append(total)
                total += end - begin
        before.append(total)
        return starts, ends, before

    @cached_property
    def _span(self) -> tuple[int, int]:
        """The calendar's first and last instants in epoch microseconds."""
        return (
            _local_instant(date.fromordinal(self._base), 0),
            _local_instant(date.fromordinal(self._base + self._day_count), 0),
        )

    def _working_us_until(self, instant: int) -> int:
        """Working microseconds from the calendar's start up to ``instant``."""
        first, last = self._span
        if not first <= instant <= last:
            raise CalendarRangeError(
                f"The time is outside the calendar ({self.first_year}-{self.last_year})."
            )
        starts, ends, before = self._intervals
        index = bisect_right(starts, instant) - 1
        if index < 0:
            return 0
        return before[index] + min(instant, ends[index]) - starts[index]

    def _instant_after_working_us(self, total: int) -> int:
        """The earliest instant at which ``total`` working microseconds have passed."""
        starts, _ends, before = self._intervals
        # Interval j covers cumulative (before[j], before[j + 1]]: find the first reaching it.
        index = bisect_left(before, total, 1, len(before)) - 1
        if index >= len(starts) or before[-1] < total:
            raise CalendarRangeError(
                f"The answer lies after the calendar's end ({self.last_year})."
            )
        return starts[index] + total - before[index]


# --- conversions ---------------------------------------------------------------------------
def _require_aware(value: datetime, name: str = "time") -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"The {name} must be an aware datetime (with a time zone).")


def _to_us(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def _from_us(value: int) -> datetime:
    return (EPOCH + timedelta(microseconds=value)).astimezone(LONDON)


def _local_instant(day: date, second: int) -> int:
    """Epoch microseconds of local wall-clock ``second`` on ``day`` (24:00 is next midnight)."""
    if second >= DAY_SECONDS:
        day, second = day + timedelta(days=1), second - DAY_SECONDS
    local = datetime.combine(day, time(second // 3600, second // 60 % 60, second % 60), LONDON)
    return _to_us(local)


def end_of_day(day: date) -> datetime:
    """23:59:59 local time on ``day`` (never ambiguous: UK clocks change at 01:00 and 02:00)."""
    return datetime.combine(day, END_OF_DAY, LONDON)


def _month_later(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _day_zero_index(local: datetime, calendar: Calendar) -> int:
    """Index of day 0: the day of receipt if a working day and before closing, else the next."""
    day = local.date()
    second_of_day = local.hour * 3600 + local.minute * 60 + local.second
    before_closing = (second_of_day, local.microsecond) < (calendar._closing_second(day), 0)
    if before_closing:
        return calendar._first_index_on_or_after(day)
    return calendar._count_on_or_before(day)


# --- calendars -----------------------------------------------------------------------------
@lru_cache(maxsize=32)
def bank_holidays(nation: Nation | str, first_year: int, last_year: int) -> frozenset[date]:
    """Bank holidays (with substitute and one-off days) of ``nation`` from the holidays package."""
    days: set[date] = set()
    for subdivision in _SUBDIVISIONS[Nation(nation)]:
        found = holidays_package.country_holidays(
            "GB", subdiv=subdivision, years=range(first_year, last_year + 1)
        )
        days.update(found.keys())
    return frozenset(days)


def nation_calendar(
    nation: Nation | str,
    *,
    closures: Iterable[date] = (),
    opening: Sequence[Sequence[Session]] | None = None,
    version: int | None = None,
    first_year: int = DEFAULT_FIRST_YEAR,
    last_year: int = DEFAULT_LAST_YEAR,
) -> Calendar:
    """A nation's bank holidays plus ``closures``; weekdays open all day unless ``opening``."""
    nation = Nation(nation)
    return Calendar(
        name=nation.value,
        bank_holidays=bank_holidays(nation, first_year, last_year),
        closures=frozenset(closures),
        opening=WEEKDAYS_WHOLE_DAY
        if opening is None
        else tuple(tuple(sessions) for sessions in opening),
        version=version,
        first_year=first_year,
        last_year=last_year,
    )


def weekday_opening(sessions: Sequence[Session]) -> tuple[tuple[Session, ...], ...]:
    """The same sessions Monday to Friday, closed at weekends."""
    return (tuple(sessions),) * 5 + ((), ())


# --- the deadline --------------------------------------------------------------------------
def deadline(start: datetime, amount: int, unit: Unit | str, calendar: Calendar) -> datetime:
    """When a clock started at ``start`` for ``amount`` ``unit`` runs out (Europe/London)."""
    _require_aware(start, "start")
    unit = Unit(unit)
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    if unit in ELAPSED_UNITS:
        return (start.astimezone(UTC) + timedelta(seconds=amount * ELAPSED_UNITS[unit])).astimezone(
            LONDON
        )
    if unit is Unit.WORKING_HOURS:
        if amount == 0:
            return start.astimezone(LONDON)
        reached = calendar._working_us_until(_to_us(start)) + amount * 3600 * MICROSECONDS
        return _from_us(calendar._instant_after_working_us(reached))
    local = start.astimezone(LONDON)
    if unit is Unit.WORKING_DAYS:
        due = calendar._working_day(_day_zero_index(local, calendar) + amount)
        return end_of_day(date.fromordinal(due))
    if unit is Unit.CALENDAR_DAYS:
        return end_of_day(local.date() + timedelta(days=amount))
    # CALENDAR_MONTHS: count from the day after receipt; same date N months on (or the month's
    # last day); then the next working day if that is not one.
    corresponding = _month_later(local.date() + timedelta(days=1), amount)
    return end_of_day(calendar.next_working_day_on_or_after(corresponding))


def deadlines(
    starts: Sequence[datetime], amount: int, unit: Unit | str, calendar: Calendar
) -> list[datetime]:
    """``deadline`` for many starts sharing one amount, unit and calendar (table look-ups only)."""
    unit = Unit(unit)
    if unit is not Unit.WORKING_DAYS:
        return [deadline(start, amount, unit, calendar) for start in starts]
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    working, first_on_or_after, closing = calendar._tables
    base, day_count, total = calendar._base, calendar._day_count, len(working)
    due_cache: dict[int, datetime] = {}
    results: list[datetime] = []
    for start in starts:
        _require_aware(start, "start")
        local = start.astimezone(LONDON)
        offset = local.toordinal() - base
        if not 0 <= offset < day_count:
            raise CalendarRangeError(f"{local.date().isoformat()} is outside the calendar.")
        second = local.hour * 3600 + local.minute * 60 + local.second
        index = first_on_or_after[offset if second < closing[offset] else offset + 1] + amount
        if index >= total:
            raise CalendarRangeError(
                f"The answer lies after the calendar's end ({calendar.last_year})."
            )
        found = due_cache.get(index)
        if found is None:
            found = due_cache[index] = end_of_day(date.fromordinal(working[index]))
        results.append(found)
    return results


def deadlines_epoch(
    starts: Any, amount: int, unit: Unit | str, calendar: Calendar
) -> Any:  # numpy arrays in and out; numpy is imported only here
    """Vectorised bulk form over a numpy array of epoch seconds (UTC); returns epoch seconds.

    Supports the elapsed units, ``working_days`` and ``calendar_days``; the answers equal
    ``deadline`` for the same instants truncated to the second.
    """
    import numpy as np

    unit = Unit(unit)
    seconds = np.asarray(starts, dtype=np.int64)
    if unit in ELAPSED_UNITS:
        return seconds + amount * ELAPSED_UNITS[unit]
    if unit not in {Unit.WORKING_DAYS, Unit.CALENDAR_DAYS}:
        raise ValueError(f"The vectorised form does not support {unit.value}.")
    tables = _numpy_tables(calendar)
    hour = seconds // 3600 - tables.first_hour
    if hour.size and (hour.min() < 0 or hour.max() >= tables.offset_by_hour.size):
        raise CalendarRangeError("A start lies outside the calendar.")
    local = seconds + tables.offset_by_hour[hour]
    day = local // DAY_SECONDS - tables.first_day  # days since the calendar's first day
    if day.size and (day.min() < 0 or day.max() >= tables.closing.size):
        raise CalendarRangeError("A start lies outside the calendar.")
    if unit is Unit.CALENDAR_DAYS:
        due_day = day + amount
    else:
        second_of_day = local % DAY_SECONDS
        after = (second_of_day >= tables.closing[day]).astype(np.int64)
        index = tables.first_on_or_after[day + after] + amount
        if index.size and index.max() >= tables.working.size:
            raise CalendarRangeError("The answer lies after the calendar's end.")
        due_day = tables.working[index]
    if due_day.size and due_day.max() >= tables.evening_offset.size:
        raise CalendarRangeError("The answer lies after the calendar's end.")
    return (
        (due_day + tables.first_day) * DAY_SECONDS
        + (DAY_SECONDS - 1)
        - tables.evening_offset[due_day]
    )


@dataclass(frozen=True)
class _NumpyTables:
    first_day: int  # epoch day number of the calendar's first day
    first_hour: int  # epoch hour number of the offset table's first entry
    offset_by_hour: Any  # UTC offset in seconds of Europe/London for each UTC hour
    evening_offset: Any  # UTC offset in force at 23:59:59 local of each day
    closing: Any  # closing second of each day (0 for non-working days)
    first_on_or_after: Any  # index into ``working`` of the first working day on or after each day
    working: Any  # working days as days since the calendar's first day


_numpy_cache: dict[int, tuple[Calendar, _NumpyTables]] = {}


def _numpy_tables(calendar: Calendar) -> _NumpyTables:
    import numpy as np

    if len(_numpy_cache) > 16:
        _numpy_cache.clear()
    cached = _numpy_cache.get(id(calendar))
    if cached is not None and cached[0] is calendar:
        return cached[1]
    working, first_on_or_after, closing = calendar._tables
    first_day = calendar._base - EPOCH.date().toordinal()
    days = calendar._day_count
    first_hour = first_day * 24 - 24  # one day of slack before
    morning = np.empty(days + 2, dtype=np.int64)
    evening = np.empty(days + 2, dtype=np.int64)
    for offset in range(-1, days + 1):
        midnight = EPOCH + timedelta(days=first_day + offset)
        morning[offset + 1] = _utc_offset(midnight)
        evening[offset + 1] = _utc_offset(midnight + timedelta(hours=23))
    offset_by_hour = np.repeat(morning, 24)
    for changed in np.nonzero(morning != evening)[0]:
        for hour in range(24):
            instant = EPOCH + timedelta(days=first_day + int(changed) - 1, hours=hour)
            offset_by_hour[int(changed) * 24 + hour] = _utc_offset(instant)
    tables = _NumpyTables(
        first_day=first_day,
        first_hour=first_hour,
        offset_by_hour=offset_by_hour,
        evening_offset=evening[1:-1].copy(),
        closing=np.asarray(closing, dtype=np.int64),
        first_on_or_after=np.asarray(first_on_or_after, dtype=np.int64),
        working=np.asarray(working, dtype=np.int64) - calendar._base,
    )
    _numpy_cache[id(calendar)] = (calendar, tables)
    return tables


def _utc_offset(instant: datetime) -> int:
    offset = instant.astimezone(LONDON).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


# --- measuring -----------------------------------------------------------------------------
def working_time_between(start: datetime, end: datetime, calendar: Calendar) -> WorkingTime:
    """Working days and working time from ``start`` to ``end``.

    ``working_days`` counts the working days after day 0 (the ``working_days`` rule for
    ``start``) up to and including the local day of ``end``, never below 0, so that
    ``working_time_between(s, deadline(s, n, "working_days", c), c).working_days == n``.
    ``working_seconds`` is the time inside opening sessions between the two instants.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        if end < start.replace(microsecond=0):
            raise ValueError("The end is before the start.")
        # The same whole second (a deadline at 23:59:59 for a start a moment after it): the
        # clock counts whole seconds, as ``is_met`` does, so no time has passed.
        start = end
    day_zero = _day_zero_index(start.astimezone(LONDON), calendar)
    days = max(0, calendar._count_on_or_before(end.astimezone(LONDON).date()) - 1 - day_zero)
    worked = calendar._working_us_until(_to_us(end)) - calendar._working_us_until(_to_us(start))
    return WorkingTime(working_days=days, working_seconds=worked // MICROSECONDS)


def is_met(stopped_at: datetime, due: datetime) -> bool:
    """Met when the stopping event happened at or before the deadline, to the whole second."""
    _require_aware(stopped_at, "stopping time")
    _require_aware(due, "deadline")
    return stopped_at.replace(microsecond=0) <= due


# --- pausing, resuming and restarting ------------------------------------------------------
class ClockError(ValueError):
    """A pause, resume or restart that does not fit the clock's state."""


@dataclass(frozen=True)
class ClockState:
    """A running (or paused) clock.  ``deadline`` already includes every finished pause."""

    started_at: datetime
    amount: int
    unit: Unit
    deadline: datetime
    paused_at: datetime | None = None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


def start_clock(at: datetime, amount: int, unit: Unit | str, calendar: Calendar) -> ClockState:
    unit = Unit(unit)
    return ClockState(at, amount, unit, deadline(at, amount, unit, calendar))


def pause_clock(state: ClockState, at: datetime) -> ClockState:
    """Stop the clock at ``at`` (e.g. waiting for the customer); the deadline is kept."""
    _require_aware(at, "pause time")
    if state.paused_at is not None:
        raise ClockError("The clock is already paused.")
    if at < state.started_at:
        raise ClockError("A clock cannot be paused before it started.")
    return replace(state, paused_at=at)


def resume_clock(state: ClockState, at: datetime, calendar: Calendar) -> ClockState:
    """Start a paused clock again; the deadline moves later by the time lost while paused.

    Time lost, by unit: elapsed units, the pause's length; working hours, the working time
    inside the pause; working days, every working day from the day of the pause to the day of
    the resumption, both included (as FOIA s.10(2) disregards the days from a fees notice to
    payment); calendar days and months, every calendar day from the pause day to the resumption
    day, both included (then rolled to a working day for months).  A pause that began after the
    deadline had passed does not move it (the clock was already missed).
    """
    _require_aware(at, "resume time")
    paused_at = state.paused_at
    if paused_at is None:
        raise ClockError("The clock is not paused.")
    if at < paused_at:
        raise ClockError("A clock cannot resume before it was paused.")
    resumed = replace(state, paused_at=None)
    if paused_at > state.deadline:
        return resumed
    return replace(resumed, deadline=_extend(state.deadline, state.unit, paused_at, at, calendar))


def _extend(
    due: datetime, unit: Unit, paused_at: datetime, at: datetime, calendar: Calendar
) -> datetime:
    if unit in ELAPSED_UNITS:
        return (due.astimezone(UTC) + (at - paused_at)).astimezone(LONDON)
    if unit is Unit.WORKING_HOURS:
        lost = calendar._working_us_until(_to_us(at)) - calendar._working_us_until(
            _to_us(paused_at)
        )
        if lost == 0:
            return due
        reached = calendar._working_us_until(_to_us(due)) + lost
        return _from_us(calendar._instant_after_working_us(reached))
    pause_day = paused_at.astimezone(LONDON).date()
    resume_day = at.astimezone(LONDON).date()
    due_day = due.astimezone(LONDON).date()
    if unit is Unit.WORKING_DAYS:
        lost_days = calendar.working_days_in(pause_day, resume_day)
        index = calendar._count_on_or_before(due_day) - 1 + lost_days
        return end_of_day(date.fromordinal(calendar._working_day(index)))
    moved = due_day + timedelta(days=(resume_day - pause_day).days + 1)
    if unit is Unit.CALENDAR_DAYS:
        return end_of_day(moved)
    return end_of_day(calendar.next_working_day_on_or_after(moved))


def restart_clock(state: ClockState, at: datetime, calendar: Calendar) -> ClockState:
    """Start the clock afresh at ``at`` with its full amount (FOI clarification, s.1(3)).

    The new deadline replaces the old one, paused or not.
    """
    _require_aware(at, "restart time")
    if at < state.started_at:
        raise ClockError("A clock cannot restart before it first started.")
    return start_clock(at, state.amount, state.unit, calendar)


# --- calendar changes ----------------------------------------------------------------------
@dataclass(frozen=True)
class StoredDeadline:
    start: datetime
    amount: int
    unit: Unit
    deadline: datetime


def recalculate(stored: Sequence[StoredDeadline], calendar: Calendar) -> list[datetime]:
    """New deadlines under ``calendar``, never earlier than the stored ones (see docs/clock.md)."""
    by_unit: dict[tuple[Unit, int], list[int]] = {}
    for position, item in enumerate(stored):
        by_unit.setdefault((Unit(item.unit), item.amount), []).append(position)
    results: list[datetime] = [item.deadline for item in stored]
    for (unit, amount), positions in by_unit.items():
        fresh = deadlines([stored[p].start for p in positions], amount, unit, calendar)
        for position, new in zip(positions, fresh, strict=True):
            old = stored[position].deadline
            results[position] = new if new > old else old.astimezone(LONDON)
    return results
