"""Deadline arithmetic of cases: which calendar a clock runs on, a clock replayed through its
pauses, and when a given share of a clock's time is used (one case, or thousands at once).

Every date still comes from ``standards.clock`` (the one clock); this module only feeds it a
case clock's start, length, unit and pauses.  It reads calendars and writes nothing, so the
services (which start, pause and stop clocks), the sweep and the queue's at-risk badges all
build on it without importing each other.

Calendars are kept in one cache keyed by the organisation, its nation and its calendar version:
adding or removing a closure day raises the version, so a calendar found in the cache is never
out of date, and a caller that already read the version (the queue page reads it with its rows)
gets the calendar without a statement.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from onestop.cases.models import CaseClock
from onestop.core import batch
from onestop.core.models import Organisation
from onestop.standards import clock
from onestop.standards import queries as standards_queries
from onestop.standards.models import CalendarChoice

CACHE_LIMIT = 64  # organisation calendars kept at once (the cache is cleared beyond this)

_united_kingdom: list[clock.Calendar] = []
_calendars: dict[tuple[int, str, int], clock.Calendar] = {}


def calendar_named(
    name: str, organisation: Organisation, *, version: int | None = None
) -> clock.Calendar:
    """The calendar a clock runs on: the UK-wide one, or the organisation's current version.

    ``version``: the organisation calendar's current version when the caller has already read
    it (then a cached calendar costs no statement); otherwise it is read here."""
    if name == CalendarChoice.UNITED_KINGDOM:
        if not _united_kingdom:
            _united_kingdom.append(clock.nation_calendar(clock.Nation.UNITED_KINGDOM))
        return _united_kingdom[0]
    if version is None:  # read once per ``core.batch``
        version = batch.remembered(
            ("standards.calendar_version", organisation.pk),
            lambda: standards_queries.calendar_version_of(organisation),
        )
    key = (organisation.pk, organisation.nation, version)
    found = _calendars.get(key)
    if found is None:
        found = standards_queries.calendar_for_organisation(organisation)
        if found.version != version:  # changed since ``version`` was read: not kept under it
            return found
        if len(_calendars) >= CACHE_LIMIT:
            _calendars.clear()
        _calendars[key] = found
    return found


class SpanLike(Protocol):
    """What a threshold is worked out from: a clock's start, deadline, length and pauses."""

    @property
    def started_at(self) -> datetime.datetime: ...
    @property
    def due_at(self) -> datetime.datetime: ...
    @property
    def amount(self) -> int: ...
    @property
    def unit(self) -> str: ...
    @property
    def calendar_name(self) -> str: ...
    @property
    def pauses(self) -> list[list[str]]: ...


@dataclass(frozen=True, slots=True)
class Span:
    """A clock as plain values (e.g. read with the queue's rows for its at-risk badges)."""

    started_at: datetime.datetime
    due_at: datetime.datetime
    amount: int
    unit: str
    calendar_name: str
    pauses: list[list[str]]


def replay(span: SpanLike, amount: int, calendar: clock.Calendar) -> datetime.datetime:
    """The deadline ``span`` would have with ``amount``, through the same pauses (via the clock)."""
    state = clock.start_clock(span.started_at, amount, span.unit, calendar)
    for paused, resumed in span.pauses:
        state = clock.pause_clock(state, datetime.datetime.fromisoformat(paused))
        state = clock.resume_clock(state, datetime.datetime.fromisoformat(resumed), calendar)
    return state.deadline


def threshold(span: SpanLike, percent: int, calendar: clock.Calendar) -> datetime.datetime:
    """When ``percent`` of the clock's time is used (100: the deadline itself)."""
    if percent == 100:
        return span.due_at
    if span.unit == clock.Unit.CALENDAR_MONTHS:
        # Months have no fraction: count in calendar days (a month taken as 30 days).
        days = CaseClock(
            started_at=span.started_at, unit=clock.Unit.CALENDAR_DAYS, pauses=span.pauses
        )
        return replay(days, span.amount * 30 * percent // 100, calendar)
    return replay(span, span.amount * percent // 100, calendar)


def thresholds(
    spans: Sequence[SpanLike], percent: int, calendars: dict[str, clock.Calendar]
) -> list[datetime.datetime]:
    """When ``percent`` of each clock's time is used, through the clock's bulk form: one pass
    per calendar, unit and length (clocks with pauses, or counted in months, one by one)."""
    found: list[datetime.datetime | None] = [None] * len(spans)
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for position, span in enumerate(spans):
        if percent == 100:
            found[position] = span.due_at
        elif span.pauses or span.unit == clock.Unit.CALENDAR_MONTHS:
            found[position] = threshold(span, percent, calendars[span.calendar_name])
        else:
            groups[(span.calendar_name, span.unit, span.amount * percent // 100)].append(position)
    for (name, unit, amount), positions in groups.items():
        starts = [spans[position].started_at for position in positions]
        for position, value in zip(
            positions, clock.deadlines(starts, amount, unit, calendars[name]), strict=True
        ):
            found[position] = value
    return [value for value in found if value is not None]


def thresholds_at(
    organisation: Organisation,
    wanted: Sequence[tuple[SpanLike, int]],
    *,
    calendars: dict[str, clock.Calendar] | None = None,
) -> list[datetime.datetime]:
    """When each (clock, percent) threshold is reached, in bulk: one pass through the clock's
    bulk form per percent, calendar, unit and length, not one calculation per clock.
    ``calendars``: the organisation's, by name, when the caller already has them."""
    known = calendars or {}
    calendars = {
        name: known[name] if name in known else calendar_named(name, organisation)
        for name in {span.calendar_name for span, _percent in wanted}
    }
    by_percent: dict[int, list[int]] = defaultdict(list)
    for position, (_span, percent) in enumerate(wanted):
        by_percent[percent].append(position)
    found: list[datetime.datetime] = [wanted[0][0].due_at] * len(wanted) if wanted else []
    for percent, positions in by_percent.items():
        spans = [wanted[position][0] for position in positions]
        for position, value in zip(positions, thresholds(spans, percent, calendars), strict=True):
            found[position] = value
    return found
