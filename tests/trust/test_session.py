"""Sessions end after a spell of inactivity (SESSION_COOKIE_AGE, renewed by activity, the session
written at most once a minute)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.core.models import User

IDLE = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_past_the_limit_is_signed_out(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    clock.shift(IDLE + dt.timedelta(seconds=1))

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fstaff%2F"


def test_activity_keeps_a_session_alive_beyond_the_idle_limit(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    clock.shift(IDLE - dt.timedelta(minutes=1))
    client.get("/staff/")
    clock.shift(IDLE - dt.timedelta(minutes=1))

    response = client.get("/staff/")

    assert response.status_code == 200


def test_the_idle_limit_is_thirty_minutes_by_default() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by SessionRenewalMiddleware at most once a minute, not saved on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_RENEW_SECONDS == 60


def _expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_within_a_minute_of_the_last_renewal_writes_no_session(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    client.get("/staff/")
    renewed = _expiry(client)
    clock.shift(dt.timedelta(seconds=50))

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/").status_code == 200

    assert _expiry(client) == renewed
    assert not [query for query in queries if query["sql"].upper().startswith("UPDATE")]


def test_a_page_a_minute_after_the_last_renewal_renews_the_idle_limit(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    client.get("/staff/")
    renewed = _expiry(client)
    clock.shift(dt.timedelta(seconds=61))

    assert client.get("/staff/").status_code == 200

    assert _expiry(client) == renewed + dt.timedelta(seconds=61)


def test_the_idle_limit_is_never_longer_than_its_setting(
    client_for: Callable[[User], Client], advisor: User, clock: time_machine.Traveller
) -> None:
    client = client_for(advisor)
    client.get("/staff/")  # renewed: the session ends 30 minutes from now unless renewed again
    clock.shift(dt.timedelta(seconds=30))
    client.get("/staff/")  # within the minute: not written
    clock.shift(IDLE - dt.timedelta(seconds=29))

    response = client.get("/staff/")

    assert response.status_code == 302


def test_a_session_ends_at_its_maximum_age_however_active(
    client_for: object, advisor: User
) -> None:
    with time_machine.travel("2026-11-23 08:00 +00:00", tick=False) as traveller:
        client = client_for(advisor)  # type: ignore[operator]
        start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
        statuses = []
        for minutes in range(20, 12 * 60 + 1, 20):  # a request every 20 minutes for 12 hours
            traveller.move_to(start + dt.timedelta(minutes=minutes))
            statuses.append(client.get("/staff/").status_code)
        traveller.move_to(start + dt.timedelta(hours=12, minutes=20))
        response = client.get("/staff/")
    assert statuses == [200] * 36
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fstaff%2F"
