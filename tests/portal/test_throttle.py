"""The report limit's reservations: atomic, given back when unused, one window per address."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.test import override_settings

from onestop.portal import throttle


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=5)
def test_parallel_reservations_admit_exactly_the_limit() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        admitted = list(pool.map(lambda _n: throttle.reserve("192.0.2.1"), range(40)))

    assert admitted.count(True) == 5
    assert throttle.is_limited("192.0.2.1")
    assert throttle.reserve("192.0.2.2")  # another address has its own allowance


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=1)
def test_a_released_reservation_can_be_taken_again() -> None:
    assert throttle.reserve("192.0.2.1")
    assert not throttle.reserve("192.0.2.1")
    throttle.release("192.0.2.1")
    assert not throttle.is_limited("192.0.2.1")
    assert throttle.reserve("192.0.2.1")


def test_releasing_after_the_window_ended_is_harmless() -> None:
    throttle.release("192.0.2.9")  # nothing reserved: no error, nothing created
    assert not throttle.is_limited("192.0.2.9")
    assert throttle.reserve("192.0.2.9")
