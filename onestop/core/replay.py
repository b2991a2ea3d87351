"""Past work replayed at the time it happened (the demo council's weeks of history).

A demo case received on 23 November must say so everywhere: its timeline, notes, messages,
clocks and the audit trail.  Every write in OneStop reads the time from ``timezone.now()``
(models' ``auto_now`` fields too), so ``replaying`` answers that call with the replay's own
moment while it lasts: the services run unchanged and stamp what they write with it.  The
replay only moves forward and never past the real time, so nothing recorded is in the future
and the audit chain's records stay in time order.

For demonstration data only: never around a request or real work.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.utils import timezone


class ReplayError(ValueError):
    """A replay asked to go back in time or past the real time."""


class Replay:
    """The replayed clock: ``now()`` is the moment last set with ``at`` (or ``advance``)."""

    def __init__(self, start: datetime.datetime, *, real_now: datetime.datetime) -> None:
        if timezone.is_naive(start) or start > real_now:
            raise ReplayError("A replay starts at an aware moment no later than now.")
        self.real_now = real_now
        self._moment = start

    def now(self) -> datetime.datetime:
        return self._moment

    def at(self, moment: datetime.datetime) -> datetime.datetime:
        """Move the clock to ``moment``: later than now is kept to the real time, earlier than
        the replay's current moment is refused (history is written in order)."""
        if moment < self._moment:
            raise ReplayError(f"The replay is at {self._moment}; it cannot go back to {moment}.")
        self._moment = min(moment, self.real_now)
        return self._moment

    def advance(self, delta: datetime.timedelta) -> datetime.datetime:
        return self.at(self._moment + delta)


@contextmanager
def replaying(start: datetime.datetime) -> Iterator[Replay]:
    """``timezone.now()`` answers the replay's moment inside the block (starting at ``start``)
    and the real time again after it, whatever happens inside."""
    real_now = timezone.now()
    replay = Replay(start, real_now=real_now)
    original = timezone.now
    timezone.now = replay.now
    try:
        yield replay
    finally:
        timezone.now = original


#: One piece of past work: when it happened and what does it (run by ``play``).
Step = tuple[datetime.datetime, Callable[[], object]]


def play(replay: Replay, steps: Iterable[Step]) -> None:
    """Run ``steps`` in time order (steps at the same time in the order given), each at its
    time: several capabilities' histories interleave as the days they happened did."""
    for at, do in sorted(steps, key=lambda step: step[0]):
        replay.at(max(at, replay.now()))
        do()


def play_now(steps: Iterable[Step]) -> None:
    """``play`` from the first step's time: one capability's history on its own."""
    ordered = sorted(steps, key=lambda step: step[0])
    if not ordered:
        return
    with replaying(min(ordered[0][0], timezone.now())) as replay:
        play(replay, ordered)


def office_moment(
    real_now: datetime.datetime, *, days_ago: int, minutes: int = 0
) -> datetime.datetime:
    """A moment of a past working day: ``days_ago`` days before ``real_now`` (a Saturday or
    Sunday moved back to the Friday), ``minutes`` after 9:00 local time; never after
    ``real_now``."""
    day = timezone.localtime(real_now).date() - datetime.timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return min(moment + datetime.timedelta(minutes=minutes), real_now)
