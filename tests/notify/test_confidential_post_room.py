"""The post room honours the confidential-message rule (``notify.queries.visible_to``): a letter
about a complaint concerning a member of staff is not listed, printed, opened or marked posted
by post room staff who may not read it (the person it is about above all); they are told only
how many such letters wait.  Staff who hold both the post room and the permission it names
print it as any other letter."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.core import permissions
from onestop.core.models import Organisation, RoleCode, User
from onestop.notify import queries_notifyletters
from onestop.notify.models import Message, MessageStatus
from tests import factories
from tests.notify.notifyletters_helpers import letter

ClientFor = Callable[[User], Client]
LIST = "/letters/"
PRINT = "/letters/print.pdf"
TODAY = datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with (
        time_machine.travel(TODAY, tick=False),
        override_settings(ONESTOP_MESSAGE_SENDER="local", ONESTOP_LETTERS="notify"),
    ):
        yield


@pytest.fixture
def person(council: Organisation) -> User:
    """The member of staff the complaint is about, who works the post room."""
    return factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="the.person")


@pytest.fixture
def colleague(council: Organisation) -> User:
    return factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="colleague")


@pytest.fixture
def allowed(council: Organisation) -> User:
    return factories.staff(
        council, RoleCode.COMPLAINTS_OFFICER, RoleCode.BACK_OFFICE_OFFICER, username="co.post"
    )


def _confidential(council: Organisation, person: User) -> Message:
    message = letter(council, label="Carol Complainant", subject="Your complaint CO-26-000001")
    Message.objects.for_organisation(council).filter(pk=message.pk).update(
        visible_with=permissions.COMPLAINT_STAFF_VIEW, hidden_from=person
    )
    message.refresh_from_db()
    return message


def test_post_room_staff_who_may_not_read_it_never_see_or_mark_it(
    council: Organisation,
    person: User,
    colleague: User,
    allowed: User,
    client_for: ClientFor,
) -> None:
    ordinary = letter(council, label="Ann Example")
    secret = _confidential(council, person)
    for who in (person, colleague):
        client = client_for(who)
        page = client.get(LIST).content.decode()
        assert "Ann Example" in page
        assert "Carol Complainant" not in page
        assert "CO-26-000001" not in page
        assert page.count('name="letters"') == 1
        assert "1 confidential letter (about a complaint concerning a member of staff)" in page
        assert queries_notifyletters.confidential_waiting_for(who) == 1
        assert client.get(f"/letters/{secret.pk}.pdf").status_code == 404
        assert client.get(PRINT).status_code == 200
        assert [m.pk for m in queries_notifyletters.waiting_letters_for(who)] == [ordinary.pk]
        refused = client.post(LIST, {"letters": [str(secret.pk)]})
        assert refused.status_code == 400
        assert "no longer waiting" in refused.content.decode()
        secret.refresh_from_db()
        assert secret.status == MessageStatus.PENDING
    client = client_for(allowed)
    page = client.get(LIST).content.decode()
    assert "Carol Complainant" in page
    assert "confidential letter" not in page
    assert queries_notifyletters.confidential_waiting_for(allowed) == 0
    assert client.get(f"/letters/{secret.pk}.pdf").status_code == 200
    done = client.post(LIST, {"letters": [str(secret.pk), str(ordinary.pk)]})
    assert done.status_code == 302
    secret.refresh_from_db()
    assert (secret.status, secret.provider) == (MessageStatus.SENT, "post-room")


def test_the_person_is_refused_even_holding_the_permission(
    council: Organisation, client_for: ClientFor
) -> None:
    person = factories.staff(
        council, RoleCode.COMPLAINTS_OFFICER, RoleCode.BACK_OFFICE_OFFICER, username="co.self"
    )
    secret = _confidential(council, person)
    assert client_for(person).get(f"/letters/{secret.pk}.pdf").status_code == 404
    assert queries_notifyletters.confidential_waiting_for(person) == 1
