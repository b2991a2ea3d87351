"""Lockout after repeated wrong passwords, keyed on username and address together."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.core.models import User
from tests import factories

FAILURE_LIMIT = 5


def fail(client: Client, username: str, address: str, times: int) -> None:
    for _attempt in range(times):
        client.post("/sign-in/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def sign_in(username: str, address: str) -> int:
    response = Client().post(
        "/sign-in/", {"username": username, "password": factories.PASSWORD}, REMOTE_ADDR=address
    )
    return response.status_code


@pytest.fixture
def locked(advisor: User, team_leader: User) -> None:
    fail(Client(), "advisor", "10.0.0.1", FAILURE_LIMIT)


@pytest.mark.usefixtures("locked")
def test_five_failures_lock_that_username_from_that_address() -> None:
    response = Client().post(
        "/sign-in/", {"username": "advisor", "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert "You cannot sign in at the moment" in html
    assert "Wait 30 minutes, then try again after 9:30am." in html


@pytest.mark.usefixtures("locked")
def test_the_same_username_from_another_address_can_still_sign_in() -> None:
    assert sign_in("advisor", "10.0.0.2") == 302


@pytest.mark.usefixtures("locked")
def test_another_username_from_the_same_shared_address_can_still_sign_in() -> None:
    assert sign_in("team.leader", "10.0.0.1") == 302


def test_four_failures_do_not_lock(advisor: User) -> None:
    fail(Client(), "advisor", "10.0.0.1", FAILURE_LIMIT - 1)

    assert sign_in("advisor", "10.0.0.1") == 302
