"""``core.sessions``, the session engine: Django's database sessions, the row read with its SQL
built once.  A session is found exactly when Django's own engine finds it, every read asks the
database (another process's change or deletion is seen at once), and the rest is Django's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.core.sessions import SessionStore

NOW = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)


def _saved(data: dict[str, Any]) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_it_is_the_engine_every_request_uses() -> None:
    assert settings.SESSION_ENGINE == "onestop.core.sessions"


def test_a_saved_session_comes_back_with_its_data_and_key(db: None) -> None:
    key = _saved({"answers": {"done": ["question-vehicle"]}, "n": 3})

    store = SessionStore(key)

    assert store.load() == {"answers": {"done": ["question-vehicle"]}, "n": 3}
    assert store.session_key == key
    assert dict(SessionStore(key).items()) == dict(DjangoStore(key).items())


def test_the_read_builds_no_queryset(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the engine: the row is read by the prepared statement, one query, not
    through ``Session.objects.get`` (Django's engine would fail here)."""
    key = _saved({"n": 1})
    SessionStore(key).load()  # the statement built

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read through the ORM")

    monkeypatch.setattr(QuerySet, "get", refused)
    with CaptureQueriesContext(connection) as reads:
        assert SessionStore(key).load() == {"n": 1}
    assert len(reads.captured_queries) == 1
    with pytest.raises(AssertionError):
        DjangoStore(key).load()


@pytest.mark.parametrize(
    ("expires_in", "found"),
    [
        (datetime.timedelta(seconds=1), True),
        (datetime.timedelta(0), False),  # the filter is "expires after now"
        (-datetime.timedelta(seconds=1), False),
    ],
)
def test_a_session_is_found_exactly_when_djangos_engine_finds_it(
    db: None, expires_in: datetime.timedelta, found: bool
) -> None:
    with time_machine.travel(NOW, tick=False):
        key = _saved({"n": 1})
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() + expires_in)

        ours = SessionStore(key)
        django = DjangoStore(key)
        assert ours.load() == django.load() == ({"n": 1} if found else {})
        assert ours.session_key == django.session_key == (key if found else None)


def test_an_expired_or_unknown_session_is_a_new_one_with_a_new_key(db: None) -> None:
    expired = _saved({"n": 1})
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    for key in (expired, "x" * 32, "tooshort", None):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None
        store["n"] = 2
        store.save()
        assert store.session_key not in (None, expired, "x" * 32)


def test_every_read_asks_the_database(db: None) -> None:
    """Another process's change, or its deletion of the session (signing out), is seen by the
    next request here: nothing of the row is kept between reads."""
    key = _saved({"n": 1})
    assert SessionStore(key).load() == {"n": 1}

    elsewhere = DjangoStore(key)
    elsewhere["n"] = 2
    elsewhere.save()
    assert SessionStore(key).load() == {"n": 2}

    DjangoStore(key).delete()
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_the_test_clients_sessions_are_this_engines(client: Any, db: None) -> None:
    """The test client makes and reads its session with the configured engine (so every
    page test that keeps answers across requests runs through this one)."""
    session = client.session
    session["onestop_portal_reported"] = ["1:ABC-1"]
    session.save()
    assert isinstance(client.session, SessionStore)
    assert client.session["onestop_portal_reported"] == ["1:ABC-1"]
