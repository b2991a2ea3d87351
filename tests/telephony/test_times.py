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
