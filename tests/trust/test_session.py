"""Sessions end after a spell of inactivity (SESSION_COOKIE_AGE, renewed on every request)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.conf import settings
from django.test import Client

from onestop.core.models import User

IDLE = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_past_the_limit_is_signed_out(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    clock.shift(IDLE + dt.timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2F"


def test_activity_keeps_a_session_alive_beyond_the_idle_limit(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    clock.shift(IDLE - dt.timedelta(minutes=1))
    client.get("/")
    clock.shift(IDLE - dt.timedelta(minutes=1))

    response = client.get("/")

    assert response.status_code == 200


def test_the_idle_limit_is_thirty_minutes_by_default() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_ends_at_its_maximum_age_however_active(
    client_for: object, advisor: User
) -> None:
    with time_machine.travel("2026-11-23 08:00 +00:00", tick=False) as traveller:
        client = client_for(advisor)  # type: ignore[operator]
        start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
        statuses = []
        for minutes in range(20, 12 * 60 + 1, 20):  # a request every 20 minutes for 12 hours
            traveller.move_to(start + dt.timedelta(minutes=minutes))
            statuses.append(client.get("/").status_code)
        traveller.move_to(start + dt.timedelta(hours=12, minutes=20))
        response = client.get("/")
    assert statuses == [200] * 36
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2F"
