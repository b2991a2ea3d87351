"""The post room at /letters/: who may use it, the letters waiting listed (and nothing else),
one PDF of them all, marking them posted (all or nothing, audited), and bad input refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.core import permissions
from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.notify import letters
from onestop.notify.models import Channel, Language, Message, MessageStatus
from onestop.notify.senders.local import LocalSender
from onestop.notify.services import letters as letter_services
from onestop.notify.services import sending
from tests import factories
from tests.matrix import covers
from tests.notify.notifyletters_helpers import AT, letter, pdf_page_count

ClientFor = Callable[[User], Client]
LIST = "/letters/"
PRINT = "/letters/print.pdf"
TODAY = datetime.datetime(2026, 12, 1, 16, 0, tzinfo=datetime.UTC)
LOCAL = override_settings(ONESTOP_MESSAGE_SENDER="local", ONESTOP_LETTERS="notify")


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False), LOCAL:
        yield


@pytest.fixture
def officer(council: Organisation) -> User:
    return factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")


@pytest.fixture
def partner_officer(partner: Organisation) -> User:
    return factories.staff(partner, RoleCode.BACK_OFFICE_OFFICER, username="partner.officer")


def _statuses(organisation: Organisation) -> dict[int, tuple[str, str]]:
    return {
        row.pk: (row.status, row.provider)
        for row in Message.objects.for_organisation(organisation).order_by("pk")
    }


def _waiting(council: Organisation) -> list[Message]:
    earlier = letter(council, label="Earlier Person", created_at=AT - datetime.timedelta(days=2))
    first = letter(council, label="Ann Example")
    second = letter(
        council,
        label="Bryn Jones",
        address="Bryn Jones\n2 Stryd Fawr\nCaerdydd\nCF10 1AA",
        language=Language.WELSH,
        format=letters.LARGE_PRINT_FORMAT,
        created_at=AT + datetime.timedelta(minutes=5),
    )
    return [earlier, first, second]


def _others(council: Organisation, partner: Organisation) -> list[Message]:
    return [
        letter(council, label="Already Posted", status=MessageStatus.SENT, provider="post-room"),
        letter(council, label="Cancelled Person", status=MessageStatus.CANCELLED),
        letter(council, label="Email Person", channel=Channel.EMAIL, address="e@example.org"),
        letter(partner, label="Partner Person"),
    ]


def _form(*ids: int | str) -> dict[str, list[str]]:
    return {"letters": [str(value) for value in ids]}


# --- permissions ----------------------------------------------------------------------------------
def test_the_roles_that_work_the_post_room_have_the_permission() -> None:
    holders = {
        role
        for role, actions in permissions.DEFAULT_ROLES.items()
        if permissions.LETTER_POST_ROOM in actions
    }
    assert holders == {RoleCode.BACK_OFFICE_OFFICER, RoleCode.TEAM_LEADER, RoleCode.MANAGER}


@pytest.mark.parametrize("who", ["advisor", "administrator", "auditor"])
@covers("letters:post-room", "letters:post-room-pdf", "letters:letter-pdf")
def test_roles_without_the_permission_get_403_and_change_nothing(
    council: Organisation,
    client_for: ClientFor,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    waiting = _waiting(council)
    client = client_for(request.getfixturevalue(who))
    for url in (LIST, PRINT, f"/letters/{waiting[0].pk}.pdf"):
        assert client.get(url).status_code == 403
    before = _statuses(council)
    assert client.post(LIST, _form(*(m.pk for m in waiting))).status_code == 403
    assert _statuses(council) == before
    assert not AuditRecord.objects.filter(
        organisation=council, object_type="notify.message"
    ).exists()


@pytest.mark.parametrize("url", [LIST, PRINT, "/letters/1.pdf"])
def test_signed_out_visitors_are_sent_to_sign_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert Client().post(LIST, _form(1)).status_code == 302


def test_another_organisations_letters_are_not_found_listed_printed_or_marked(
    council: Organisation,
    partner: Organisation,
    partner_officer: User,
    client_for: ClientFor,
) -> None:
    ours = _waiting(council)
    theirs = letter(partner, label="Partner Person")
    client = client_for(partner_officer)
    assert client.get(f"/letters/{ours[0].pk}.pdf").status_code == 404
    assert client.get(f"/letters/{theirs.pk}.pdf").status_code == 200
    page = client.get(LIST).content.decode()
    assert "Partner Person" in page
    assert "Ann Example" not in page
    before = _statuses(council)
    response = client.post(LIST, _form(ours[0].pk))
    assert response.status_code == 400
    assert "no longer waiting" in response.content.decode()
    assert _statuses(council) == before


def test_a_missing_letter_is_not_found(officer: User, client_for: ClientFor) -> None:
    assert client_for(officer).get("/letters/999999.pdf").status_code == 404


def test_an_email_is_not_a_letter_to_print(
    council: Organisation, officer: User, client_for: ClientFor
) -> None:
    email = letter(council, channel=Channel.EMAIL, address="e@example.org")
    assert client_for(officer).get(f"/letters/{email.pk}.pdf").status_code == 404


# --- the list -------------------------------------------------------------------------------------
def test_the_list_shows_the_letters_waiting_oldest_first_and_audits_the_read(
    council: Organisation, partner: Organisation, officer: User, client_for: ClientFor
) -> None:
    waiting = _waiting(council)
    _others(council, partner)
    response = client_for(officer).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 letters are waiting to be printed and posted." in page
    positions = [page.index(name) for name in ("Earlier Person", "Ann Example", "Bryn Jones")]
    assert positions == sorted(positions)
    for absent in ("Already Posted", "Cancelled Person", "Email Person", "Partner Person"):
        assert absent not in page
    assert page.count('name="letters"') == 3
    assert page.count("Earlier day") == 1
    assert "Large print" in page
    assert "Welsh" in page
    record = AuditRecord.objects.filter(
        organisation=council, object_type="notify.message", action=AuditAction.LISTED
    ).get()
    assert record.actor_id == officer.pk
    assert record.changes["ids"] == [str(message.pk) for message in waiting]


def test_with_letters_sent_through_notify_none_wait_here(
    council: Organisation, officer: User, client_for: ClientFor
) -> None:
    _waiting(council)
    with override_settings(ONESTOP_MESSAGE_SENDER="notify", ONESTOP_LETTERS="notify"):
        page = client_for(officer).get(LIST).content.decode()
        assert "Letters are sent through GOV.UK Notify" in page
        assert 'name="letters"' not in page
        response = client_for(officer).get(PRINT)
        assert response.status_code == 302
    with override_settings(ONESTOP_MESSAGE_SENDER="notify", ONESTOP_LETTERS="post-room"):
        assert letter_services.post_room_enabled()
        page = client_for(officer).get(LIST).content.decode()
        assert page.count('name="letters"') == 3


# --- printing -------------------------------------------------------------------------------------
def test_one_pdf_holds_every_letter_waiting_and_its_download_is_audited(
    council: Organisation, partner: Organisation, team_leader: User, client_for: ClientFor
) -> None:
    waiting = _waiting(council)
    _others(council, partner)
    response = client_for(team_leader).get(PRINT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letters-2026-12-01.pdf"'
    assert response["Cache-Control"] == "no-store"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    expected = sum(len(letters.render_document(message).pages) for message in waiting)
    assert pdf_page_count(pdf) == expected
    record = AuditRecord.objects.filter(
        organisation=council, object_type="notify.message", action=AuditAction.EXPORTED
    ).get()
    assert record.changes["ids"] == [str(message.pk) for message in waiting]
    # Printing is not posting.
    statuses = Message.objects.for_organisation(council).filter(pk__in=[m.pk for m in waiting])
    assert {m.status for m in statuses} == {MessageStatus.PENDING}


def test_with_nothing_waiting_the_print_button_says_so(
    officer: User, client_for: ClientFor
) -> None:
    client = client_for(officer)
    response = client.get(PRINT)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert "No letters are waiting to be printed." in client.get(LIST).content.decode()


def test_one_letters_pdf_is_audited_as_viewed(
    council: Organisation, officer: User, client_for: ClientFor
) -> None:
    waiting = _waiting(council)
    response = client_for(officer).get(f"/letters/{waiting[1].pk}.pdf")
    assert response.status_code == 200
    assert pdf_page_count(response.content) == 1
    assert AuditRecord.objects.filter(
        organisation=council,
        object_type="notify.message",
        object_id=str(waiting[1].pk),
        action=AuditAction.VIEWED,
        actor=officer,
    ).exists()


# --- marking posted -------------------------------------------------------------------------------
def test_marking_letters_posted_sends_them_by_the_post_room_and_audits_each(
    council: Organisation, officer: User, client_for: ClientFor
) -> None:
    earlier, first, second = _waiting(council)
    client = client_for(officer)
    response = client.post(LIST, _form(earlier.pk, second.pk))
    assert response.status_code == 302
    assert response["Location"] == LIST
    for message in (earlier, second):
        message.refresh_from_db()
        assert (message.status, message.provider) == (MessageStatus.SENT, "post-room")
        assert message.sent_at == TODAY
        assert message.updated_at == TODAY
    first.refresh_from_db()
    assert (first.status, first.provider, first.sent_at) == (MessageStatus.PENDING, "", None)
    changed = AuditRecord.objects.filter(
        organisation=council, object_type="notify.message", action=AuditAction.CHANGED
    )
    assert sorted(changed.values_list("object_id", flat=True)) == sorted(
        [str(earlier.pk), str(second.pk)]
    )
    assert {record.actor_id for record in changed} == {officer.pk}
    page = client.get(LIST).content.decode()
    assert "2 letters marked posted" in page
    assert "1 letter is waiting to be printed and posted." in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose the letters you have posted"),
        ({"letters": [""]}, "Choose the letters you have posted"),
        ({"letters": ["abc"]}, "Choose letters from the list"),
        ({"letters": ["-1"]}, "Choose letters from the list"),
        ({"letters": ["1.5"]}, "Choose letters from the list"),
        ({"letters": ["9" * 30]}, "Choose letters from the list"),
        ({"letters": ["1\x00"]}, "Choose letters from the list"),
        ({"letters": [str(n) for n in range(1, 502)]}, "Choose at most 500 letters at once"),
    ],
)
def test_malformed_hostile_and_oversized_choices_are_refused_and_change_nothing(
    council: Organisation,
    officer: User,
    client_for: ClientFor,
    data: dict[str, list[str]],
    error: str,
) -> None:
    _waiting(council)
    before = _statuses(council)
    response = client_for(officer).post(LIST, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    assert _statuses(council) == before


@pytest.mark.parametrize("which", ["sent", "cancelled", "email", "missing"])
def test_one_letter_no_longer_waiting_refuses_the_whole_batch(
    council: Organisation,
    partner: Organisation,
    officer: User,
    client_for: ClientFor,
    which: str,
) -> None:
    waiting = _waiting(council)
    others = _others(council, partner)
    odd = {"sent": others[0].pk, "cancelled": others[1].pk, "email": others[2].pk}.get(
        which, 999999
    )
    before = _statuses(council)
    response = client_for(officer).post(LIST, _form(waiting[0].pk, waiting[1].pk, odd))
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 of the letters chosen is no longer waiting to be posted" in page
    # The boxes the member of staff ticked stay ticked.
    assert page.count("checked") == 2
    assert _statuses(council) == before
    assert not AuditRecord.objects.filter(
        organisation=council, object_type="notify.message", action=AuditAction.CHANGED
    ).exists()


def test_marking_the_same_letters_twice_is_refused_the_second_time(
    council: Organisation, officer: User, team_leader: User, client_for: ClientFor
) -> None:
    waiting = _waiting(council)
    ids = [message.pk for message in waiting]
    assert client_for(officer).post(LIST, _form(*ids)).status_code == 302
    again = client_for(team_leader).post(LIST, _form(*ids))
    assert again.status_code == 400
    assert "3 of the letters chosen are no longer waiting" in again.content.decode()
    assert (
        AuditRecord.objects.filter(
            organisation=council, object_type="notify.message", action=AuditAction.CHANGED
        ).count()
        == 3
    )


@pytest.mark.parametrize(
    ("sender", "letters_setting", "letter_waits"),
    [("local", "notify", True), ("smtp", "post-room", True), ("smtp", "notify", False)],
)
def test_the_worker_leaves_the_post_room_s_letters_alone(
    council: Organisation, settings: Any, sender: str, letters_setting: str, letter_waits: bool
) -> None:
    """While letters wait for the post room the worker sends everything else and leaves them
    pending for /letters/ (it would otherwise mark them sent and they would never be posted)."""
    settings.ONESTOP_MESSAGE_SENDER = sender
    settings.ONESTOP_LETTERS = letters_setting
    waiting = letter(council)
    assert (sending.due_count() == 0) is letter_waits
    sending.process_due(sender=LocalSender())
    waiting.refresh_from_db()
    assert (waiting.status == MessageStatus.PENDING) is letter_waits
