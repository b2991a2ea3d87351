"""Benchmark: one million working-day deadlines through the clock's bulk form.

Baseline: ``numpy.busday_offset`` with the same bank holidays (roll forward, Monday to
Friday).  The clock does more work (UTC to Europe/London, day 0 closing-time rule, end of day
back to UTC), so the ratio is the price of that.  Also prints the pure-Python bulk form and the
single-call cost.  ``--database`` is accepted for ``make bench`` but unused: the clock needs no
database.  Run: ``.venv/bin/python bench/clock.py --scale small``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from onestop.standards import clock

SCALES = {"small": 100_000, "full": 1_000_000}
AMOUNT = 20


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    options = parser.parse_args()
    count = SCALES[options.scale]

    calendar = clock.nation_calendar("united-kingdom")
    generator = np.random.default_rng(4)
    first = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(2035, 1, 1, tzinfo=UTC).timestamp())
    starts = generator.integers(first, last, size=count, dtype=np.int64)

    # The baseline works on local dates (it has no notion of time zones or closing times).
    tables = clock._numpy_tables(calendar)  # build the calendar's index once, outside timing
    local_days = (
        (starts + tables.offset_by_hour[starts // 3600 - tables.first_hour]) // 86_400
    ).astype("datetime64[D]")
    holidays = np.array(sorted(calendar.bank_holidays), dtype="datetime64[D]")
    calendar_object = np.busdaycalendar(weekmask="1111100", holidays=holidays)

    def baseline() -> Any:
        return np.busday_offset(local_days, AMOUNT, roll="forward", busdaycal=calendar_object)

    def ours() -> Any:
        return clock.deadlines_epoch(starts, AMOUNT, clock.Unit.WORKING_DAYS, calendar)

    ours_seconds = best_of(3, ours)
    baseline_seconds = best_of(3, baseline)
    print(
        f"clock_bulk_deadlines: ours {ours_seconds:.4f} s, baseline {baseline_seconds:.4f} s, "
        f"ratio {ours_seconds / baseline_seconds:.2f}"
    )

    # Same answers: vectorised vs numpy's dates vs single calls on a sample.
    found = clock.deadlines_epoch(starts, AMOUNT, clock.Unit.WORKING_DAYS, calendar)
    found_days = (found // 86_400).astype("datetime64[D]")  # 23:59:59 local is that UTC day
    if not np.array_equal(found_days, baseline()):
        raise SystemExit("The bulk form disagrees with numpy.busday_offset.")
    sample = [datetime.fromtimestamp(int(s), UTC) for s in starts[:2000]]
    single = [int(clock.deadline(s, AMOUNT, "working_days", calendar).timestamp()) for s in sample]
    if single != found[:2000].tolist():
        raise SystemExit("The bulk form disagrees with single calls.")

    python_starts = [
        datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(s)) for s in starts[:100_000]
    ]
    python_seconds = best_of(
        1, lambda: clock.deadlines(python_starts, AMOUNT, "working_days", calendar)
    )
    baseline_100k = best_of(3, lambda: np.busday_offset(
        local_days[:100_000], AMOUNT, roll="forward", busdaycal=calendar_object
    ))  # fmt: skip
    print(
        f"clock_bulk_deadlines_python_100k: ours {python_seconds:.4f} s, "
        f"baseline {baseline_100k:.4f} s, ratio {python_seconds / baseline_100k:.2f}"
    )
    single_seconds = best_of(
        1, lambda: [clock.deadline(s, AMOUNT, "working_days", calendar) for s in sample]
    )
    per_call_us = single_seconds / len(sample) * 1e6
    baseline_per_call_us = (
        best_of(1, lambda: [np.busday_offset(d, AMOUNT, roll="forward", busdaycal=calendar_object)
                            for d in local_days[:2000]]) / 2000 * 1e6
    )  # fmt: skip
    print(
        f"clock_single_deadline: ours {per_call_us:.2f} us, baseline "
        f"{baseline_per_call_us:.2f} us, ratio {per_call_us / baseline_per_call_us:.2f}"
    )


if __name__ == "__main__":
    main()
