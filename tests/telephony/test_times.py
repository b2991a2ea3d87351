"""Wall-clock times (no offset) in a mapping's zone: the offset remembered for each hour
(``formats._hour_offset``) gives the same instant, or the same refusal, as working each time out
alone, in every hour of every year, including the hours when the clocks change (Lord Howe
Island's change by half an hour)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.telephony import formats

ZONES = ["Europe/London", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kolkata", "UTC"]


def _answer(work_out: Callable[[], datetime.datetime]) -> datetime.datetime | str:
    try:
        return work_out()
    except formats.Invalid as refused:
        return str(refused)


@settings(max_examples=400, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1990, 1, 1),  # noqa: DTZ001  # a wall-clock time
        max_value=datetime.datetime(2045, 12, 31),  # noqa: DTZ001
    ),
    zone=st.sampled_from(ZONES),
)
def test_the_remembered_hour_gives_the_instant_worked_out_alone(
    moment: datetime.datetime, zone: str
) -> None:
    mapping = dataclasses.replace(formats.GENERIC_MAPPING, zone=zone)
    value = moment.isoformat()
    alone = _answer(lambda: formats._wall_clock(moment, value, "offered_at", mapping))
    assert _answer(lambda: formats.parse_time(value, "offered_at", mapping)) == alone


def test_every_time_of_the_hours_the_clocks_change_in_london_is_worked_out_alone() -> None:
    mapping = formats.GENERIC_MAPPING
    for day in (datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)):
        for minute in range(0, 24 * 60, 7):
            moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
                minutes=minute
            )
            value = moment.isoformat()
            alone = _answer(lambda: formats._wall_clock(moment, value, "ended_at", mapping))  # noqa: B023
            assert _answer(lambda: formats.parse_time(value, "ended_at", mapping)) == alone  # noqa: B023


def test_a_repeated_hour_is_refused_with_that_zones_two_offsets() -> None:
    """The refusal names the offsets the time could have in the mapping's own zone, not
    London's: New York's clocks went back at 02:00 on 1 November 2026."""
    mapping = dataclasses.replace(formats.GENERIC_MAPPING, zone="America/New_York")
    refused = _answer(lambda: formats.parse_time("2026-11-01T01:30:00", "offered_at", mapping))
    assert refused == (
        "offered_at 2026-11-01T01:30:00 happened twice in America/New_York (the clocks went "
        "back): give the time with its offset, -04:00 or -05:00"
    )
    newfoundland = dataclasses.replace(formats.GENERIC_MAPPING, zone="America/St_Johns")
    refused = _answer(lambda: formats.parse_time("1992-10-24T23:01:00", "offered_at", newfoundland))
    assert str(refused).endswith("-02:30 or -03:30")


def test_a_time_given_with_fold_one_is_still_found_to_repeat() -> None:
    """``_wall_clock`` answers for the wall-clock time, whatever fold it is given with (the
    example Hypothesis found: Newfoundland's clocks went back at 00:01, so 23:01 repeated)."""
    mapping = dataclasses.replace(formats.GENERIC_MAPPING, zone="America/St_Johns")
    moment = datetime.datetime(1992, 10, 24, 23, 1, fold=1)  # noqa: DTZ001  # a wall-clock time
    value = moment.isoformat()
    alone = _answer(lambda: formats._wall_clock(moment, value, "offered_at", mapping))
    assert alone == _answer(lambda: formats.parse_time(value, "offered_at", mapping))
    assert isinstance(alone, str)
    assert "happened twice" in alone
