""" "Your requests" (issue 18 part B): a one-time sign-in link e-mailed through C7 (only its
hash kept; once; 30 minutes; limited per client address and per e-mail address), a resident
session apart from staff sessions, every case and feedback raised with the verified address in
this organisation only, contact preferences, and signing out."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind
from onestop.contacts.models import Channel
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.customers import services as customer_services
from onestop.customers.models import Customer
from onestop.feedback import services as feedback_services
from onestop.feedback.models import Kind
from onestop.notify import sealing
from onestop.notify.models import Event, Message, MessageStatus
from onestop.notify.senders import Sent
from onestop.notify.senders.local import LocalSender
from onestop.notify.services import sending
from onestop.portal import services
from onestop.portal.models import ResidentSession, SignInLink
from onestop.portal.views_track import RESIDENT_COOKIE
from tests import factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World

START = "/o/test-council/your-requests/"
SIGN_IN = f"{START}sign-in/"
MONDAY = "2026-03-02 10:00+00:00"


def _report(world: World, email: str, title: str = "Blue bin not emptied") -> Case:
    web_form = services.save_web_form(
        world.missed_bin, by=None, is_published=True, guidance="", position=1
    )
    return services.submit_report(
        web_form,
        report=services.Report(
            title=title,
            postcode="HP20 1AA",
            answers={"bin": "blue"},
            given_name="Sam",
            family_name="Resident",
            email=email,
        ),
    )


@pytest.fixture
def sams(world: World) -> list[Case]:
    """Two reports from Sam (two customer records, as the public form makes), one from Alex."""
    with time_machine.travel(MONDAY, tick=False):
        first = _report(world, "sam@example.com", "First")
        second = _report(world, "SAM@example.com", "Second")
        _report(world, "alex@example.com", "Alex's")
    return [first, second]


def _token(message: Message) -> str:
    """The token in the e-mail as the resident receives it (the stored body has it blanked)."""
    found = re.search(r"sign-in/\?token=([A-Za-z0-9_-]+)", sealing.opened(message).body)
    assert found is not None
    return found.group(1)


def _ask(client: Client, email: str = "sam@example.com") -> Any:
    return client.post(START, {"email": email})


def _link_messages(organisation: Organisation) -> list[Message]:
    return list(
        Message.objects.for_organisation(organisation)
        .filter(event=Event.SIGN_IN_LINK)
        .order_by("pk")
    )


def _signed_in(client: Client, organisation: Organisation) -> None:
    _ask(client)
    token = _token(_link_messages(organisation)[-1])
    assert client.post(SIGN_IN, {"token": token}).status_code == 302


# --- asking for a link ---------------------------------------------------------------------------
def test_a_known_address_is_sent_a_one_time_link_and_only_its_hash_is_kept(
    world: World, sams: list[Case], client: Client
) -> None:
    with time_machine.travel("2026-03-02 12:00+00:00", tick=False):
        response = _ask(client, "  Sam@Example.com ")

    assert response.status_code == 302
    assert response["Location"] == f"{START}sent/"
    [message] = _link_messages(world.organisation)
    assert (message.channel, message.address, message.case_id) == (
        "email",
        "Sam@Example.com",
        None,
    )
    assert message.subject == "Your sign-in link for Test District Council"
    assert message.visible_with == "audit.view"
    token = _token(message)
    assert f"http://localhost:8000{SIGN_IN}?token={token}" in sealing.opened(message).body
    # What staff can read has the link blanked out.
    assert "Use this link to see your requests to Test District Council:\n\n" in message.body
    assert "[sent only to the recipient]" in message.body
    assert token not in message.body
    assert "The link works once, until 2 March 2026, 12:30." in message.body
    link = SignInLink.objects.for_organisation(world.organisation).get()
    assert link.email_key == "sam@example.com"
    assert token not in (link.token_hash, link.email_key)
    assert len(link.token_hash) == 64
    assert AuditRecord.objects.for_organisation(world.organisation).filter(
        action=AuditAction.CREATED, object_id=str(link.pk), ip_address="127.0.0.1"
    )


class KeepingSender:
    """A sender (``notify.senders.Sender``) that keeps what it was given to send."""

    name = "keeping"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> Sent:
        self.sent.append(message)
        return Sent(self.name, message.reference, MessageStatus.SENT)

    def find(self, message: Message) -> Sent | None:
        return None


def test_the_local_sender_writes_the_link_where_a_demo_can_read_it(
    world: World, sams: list[Case], client: Client, tmp_path: Path
) -> None:
    # make run's sender keeps messages at home; its folder is the only place the sealed link
    # can be read, as the resident would get it.
    _ask(client)
    [message] = _link_messages(world.organisation)
    token = _token(message)
    folder = tmp_path / "sent-mail"

    with override_settings(ONESTOP_LOCAL_MAIL_DIR=str(folder)):
        run = sending.process_due(sender=LocalSender())

    assert run.statuses == {MessageStatus.SENT: 4}  # 3 acknowledgements and the link
    written = email.message_from_bytes(
        (folder / f"onestop-{message.pk}.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(written, EmailMessage)
    assert (written["To"], written["Subject"]) == (
        "sam@example.com",
        "Your sign-in link for Test District Council",
    )
    assert f"http://localhost:8000{SIGN_IN}?token={token}" in written.get_content()
    assert len(list(folder.glob("*.eml"))) == 4
    message.refresh_from_db()
    assert (message.status, message.provider, message.sealed) == (MessageStatus.SENT, "local", "")
    assert token not in message.body


def test_the_local_sender_writes_nothing_without_its_folder_and_fails_plainly_on_a_bad_one(
    world: World, sams: list[Case], client: Client, tmp_path: Path
) -> None:
    _ask(client)
    [message] = _link_messages(world.organisation)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")

    with override_settings(ONESTOP_LOCAL_MAIL_DIR=str(blocked / "sent-mail")):
        failed = sending.process_due(sender=LocalSender())

    assert failed.statuses.get(MessageStatus.SENT) is None
    message.refresh_from_db()
    assert message.status == MessageStatus.TEMPORARY_FAILURE
    assert message.last_error.startswith(f"Could not keep the message in {blocked / 'sent-mail'}:")
    assert message.sealed  # the words are kept for the next try

    with override_settings(ONESTOP_LOCAL_MAIL_DIR=""):
        Message.objects.for_organisation(world.organisation).update(
            next_attempt_at=timezone.now()  # due again now, not after the failure's wait
        )
        sent = sending.process_due(sender=LocalSender())

    assert sent.statuses == {MessageStatus.SENT: 4}
    assert list(tmp_path.iterdir()) == [blocked]


def _stored_text() -> str:
    """Every row of every table, as text (what a database reader, or any page built on it,
    could show)."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(found)


def test_no_stored_row_holds_the_live_link_before_or_after_it_is_sent(
    world: World, sams: list[Case], client: Client
) -> None:
    _ask(client)
    [message] = _link_messages(world.organisation)
    token = _token(message)
    assert len(token) == 43
    assert token not in _stored_text()

    sender = KeepingSender()
    run = sending.process_due(sender=sender)

    assert run.statuses == {MessageStatus.SENT: 4}  # 3 acknowledgements and the link
    [sent] = [item for item in sender.sent if item.event == Event.SIGN_IN_LINK]
    assert f"http://localhost:8000{SIGN_IN}?token={token}" in sent.body
    message.refresh_from_db()
    assert (message.status, message.sealed) == (MessageStatus.SENT, "")
    assert token not in message.body
    assert token not in _stored_text()
    assert client.post(SIGN_IN, {"token": token}).status_code == 302


def test_sealed_words_that_cannot_be_opened_are_never_sent_blanked(
    world: World, sams: list[Case], client: Client
) -> None:
    _ask(client)
    [message] = _link_messages(world.organisation)
    Message.objects.for_organisation(world.organisation).filter(pk=message.pk).update(
        sealed="not a sealed value"
    )
    sender = KeepingSender()

    sending.process_due(sender=sender)

    assert [item.event for item in sender.sent].count(Event.SIGN_IN_LINK) == 0
    message.refresh_from_db()
    assert (message.status, message.sealed) == (MessageStatus.PERMANENT_FAILURE, "")
    assert message.last_error == "The message's sealed words cannot be opened"


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(
    world: World, sams: list[Case], client: Client, partner: Organisation
) -> None:
    response = _ask(client, "nobody@example.com")

    assert response.status_code == 302
    assert response["Location"] == f"{START}sent/"
    assert _link_messages(world.organisation) == []
    assert not SignInLink.objects.for_organisation(world.organisation).exists()
    # An address known only to another organisation is unknown here.
    customer = case_factories.customer(partner)
    customer_services.add_email(customer, by=None, address="partner@example.com")
    assert _ask(client, "partner@example.com")["Location"] == f"{START}sent/"
    assert not SignInLink.objects.for_organisation(world.organisation).exists()
    assert not SignInLink.objects.for_organisation(partner).exists()


@pytest.mark.parametrize(
    "email", ["", "not an address", "a@" + "b" * 300 + ".com", "sam\x00@example.com"]
)
def test_a_malformed_address_gets_the_error_summary_and_keeps_what_was_typed(
    world: World, sams: list[Case], client: Client, email: str
) -> None:
    response = _ask(client, email)

    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["id_email"]
    if email == "not an address":
        assert 'value="not an address"' in html
    assert _link_messages(world.organisation) == []


@override_settings(ONESTOP_PORTAL_SIGN_IN_LINKS_PER_EMAIL_PER_HOUR=2)
def test_links_are_limited_per_email_address(
    world: World, sams: list[Case], client: Client
) -> None:
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        response = Client(REMOTE_ADDR=address).post(START, {"email": "sam@example.com"})
        assert response["Location"] == f"{START}sent/"

    assert len(_link_messages(world.organisation)) == 2


@override_settings(ONESTOP_PORTAL_SIGN_IN_LINKS_PER_HOUR=2)
def test_links_are_limited_per_client_address(
    world: World, sams: list[Case], client: Client
) -> None:
    assert _ask(client, "sam@example.com").status_code == 302
    assert _ask(client, "alex@example.com").status_code == 302

    refused = _ask(client, "sam@example.com")

    assert refused.status_code == 429
    assert len(_link_messages(world.organisation)) == 2


# --- using the link ------------------------------------------------------------------------------
def test_opening_the_link_uses_nothing_until_the_button_is_pressed(
    world: World, sams: list[Case], client: Client
) -> None:
    _ask(client)
    token = _token(_link_messages(world.organisation)[0])

    page = client.get(f"{SIGN_IN}?token={token}")

    assert page.status_code == 200
    assert f'name="token" value="{token}"' in page.content.decode()
    assert SignInLink.objects.for_organisation(world.organisation).get().used_at is None


def test_the_link_signs_in_once_and_shows_every_request_raised_with_the_address(
    world: World, sams: list[Case], client: Client
) -> None:
    _ask(client)
    token = _token(_link_messages(world.organisation)[0])
    reader = Client()

    response = reader.post(SIGN_IN, {"token": token})

    assert response.status_code == 302
    assert response["Location"] == START
    cookie = response.cookies[RESIDENT_COOKIE]
    assert (cookie["path"], cookie["httponly"], cookie["samesite"]) == (START, True, "Lax")
    assert cookie.value != token
    session = ResidentSession.objects.for_organisation(world.organisation).get()
    assert session.email_key == "sam@example.com"
    html = reader.get(START).content.decode()
    references = re.findall(r'href="/o/test-council/your-requests/([A-Z]+-[^/"]+)/"', html)
    assert sorted(references) == sorted(case.reference for case in sams)
    # Used: the same link again does not work.
    again = Client().post(SIGN_IN, {"token": token})
    assert again.status_code == 400
    assert "This link does not work" in again.content.decode()
    assert ResidentSession.objects.for_organisation(world.organisation).count() == 1


@pytest.mark.parametrize(
    ("moment", "works"),
    [("2026-03-02 12:29+00:00", True), ("2026-03-02 12:31+00:00", False)],
)
def test_the_link_works_for_30_minutes(
    world: World, sams: list[Case], client: Client, moment: str, works: bool
) -> None:
    with time_machine.travel("2026-03-02 12:00+00:00", tick=False):
        _ask(client)
    token = _token(_link_messages(world.organisation)[0])

    with time_machine.travel(moment, tick=False):
        response = Client().post(SIGN_IN, {"token": token})

    assert response.status_code == (302 if works else 400)


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 10_000, "\x00", "<script>"])
def test_an_unknown_or_hostile_token_signs_nobody_in(
    world: World, sams: list[Case], client: Client, token: str
) -> None:
    response = client.post(SIGN_IN, {"token": token})

    assert response.status_code == 400
    assert not ResidentSession.objects.for_organisation(world.organisation).exists()
    assert client.get(f"{SIGN_IN}?token={token[:200]}").status_code == 200


def test_a_link_of_one_organisation_does_not_sign_in_at_another(
    world: World, sams: list[Case], client: Client, partner: Organisation
) -> None:
    _ask(client)
    token = _token(_link_messages(world.organisation)[0])

    response = client.post(f"/o/{partner.slug}/your-requests/sign-in/", {"token": token})

    assert response.status_code == 400
    assert SignInLink.objects.for_organisation(world.organisation).get().used_at is None


# --- signed in ------------------------------------------------------------------------------------
def test_only_the_verified_addresss_requests_of_this_organisation_are_shown(
    world: World, sams: list[Case], client: Client, partner: Organisation
) -> None:
    customer = Customer.objects.for_organisation(world.organisation).filter(pk=sams[0].customer_id)[
        0
    ]
    feedback = feedback_services.record_feedback(
        world.organisation,
        by=None,
        customer=customer,
        values=feedback_services.FeedbackInput(
            kind=Kind.COMPLIMENT, what_happened="Thank you", channel=Channel.WEB_FORM
        ),
    )
    case_factories.standards(partner)
    _signed_in(client, world.organisation)

    html = client.get(START).content.decode()

    references = re.findall(r'href="/o/test-council/your-requests/([A-Z]+-[^/"]+)/"', html)
    assert sorted(references) == sorted([*(case.reference for case in sams), feedback.reference])
    assert "Alex" not in html
    alex = Case.objects.for_organisation(world.organisation).get(title="Alex's")
    assert client.get(f"{START}{alex.reference}/").status_code == 404
    page = client.get(f"{START}{sams[0].reference}/")
    assert page.status_code == 200
    assert "We received your request" in page.content.decode()
    assert client.get(f"{START}{feedback.reference}/").status_code == 200
    assert client.get(f"{START}{feedback.reference.lower()}/").status_code == 200  # as typed
    assert client.get(f"/o/{partner.slug}/your-requests/").status_code == 200  # not signed in
    assert 'name="email"' in client.get(f"/o/{partner.slug}/your-requests/").content.decode()


def test_information_added_from_your_requests_is_filed_on_the_case(
    world: World, sams: list[Case], client: Client
) -> None:
    _signed_in(client, world.organisation)

    response = client.post(f"{START}{sams[1].reference}/", {"text": "It is still there"})

    assert response.status_code == 302
    assert sams[1].notes.get().text == "It is still there"


def test_contact_preferences_change_every_record_with_the_address(
    world: World, sams: list[Case], client: Client
) -> None:
    _signed_in(client, world.organisation)
    page = f"{START}preferences/"
    assert client.get(page).status_code == 200

    response = client.post(
        page,
        {
            "preferred_channel": "sms",
            "consents_to_email_updates": "on",
            "format": "large-print",
        },
    )

    assert response.status_code == 302
    customers = Customer.objects.for_organisation(world.organisation).filter(
        pk__in=[case.customer_id for case in sams]
    )
    assert [
        (c.preferred_channel, c.consents_to_email_updates, c.consents_to_sms_updates, c.format)
        for c in customers
    ] == [("sms", True, False, "large-print")] * 2
    alex = Customer.objects.for_organisation(world.organisation).exclude(
        pk__in=[case.customer_id for case in sams]
    )
    assert [c.preferred_channel for c in alex] == ["email"]
    assert AuditRecord.objects.for_organisation(world.organisation).filter(
        summary="Resident changed their contact preferences on 'Your requests'"
    )


def test_bad_preferences_change_nothing(world: World, sams: list[Case], client: Client) -> None:
    _signed_in(client, world.organisation)

    response = client.post(f"{START}preferences/", {"preferred_channel": "carrier-pigeon"})

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert set(
        Customer.objects.for_organisation(world.organisation).values_list(
            "preferred_channel", flat=True
        )
    ) == {"email"}


def test_signing_out_ends_the_session(world: World, sams: list[Case], client: Client) -> None:
    _signed_in(client, world.organisation)
    key = client.cookies[RESIDENT_COOKIE].value

    response = client.post(f"{START}sign-out/")

    assert response.status_code == 302
    assert ResidentSession.objects.for_organisation(world.organisation).get().ended_at is not None
    stolen = Client()
    stolen.cookies[RESIDENT_COOKIE] = key
    assert 'name="email"' in stolen.get(START).content.decode()
    assert stolen.get(f"{START}{sams[0].reference}/").status_code == 404
    assert stolen.get(f"{START}preferences/").status_code == 404


def test_the_session_ends_after_an_hour(world: World, sams: list[Case], client: Client) -> None:
    with time_machine.travel("2026-03-02 12:00+00:00", tick=False):
        _signed_in(client, world.organisation)
    with time_machine.travel("2026-03-02 13:01+00:00", tick=False):
        assert client.get(f"{START}{sams[0].reference}/").status_code == 404


def test_the_resident_session_is_apart_from_staff_sessions(
    world: World, sams: list[Case], client: Client, advisor: User
) -> None:
    _signed_in(client, world.organisation)
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not client.session.get(
        "_auth_user_id"
    )
    assert client.get("/queues/")["Location"].startswith("/sign-in/")
    staff = Client()
    factories.sign_in_verified(staff, advisor)
    assert 'name="email"' in staff.get(START).content.decode()
    assert staff.get(f"{START}{sams[0].reference}/").status_code == 404


def test_a_councillors_enquiry_is_not_listed(
    world: World, sams: list[Case], client: Client, councillor: User
) -> None:
    case_services.raise_case(
        world.organisation,
        by=councillor,
        case_type_code=world.councillor_enquiry.code,
        title="Pothole",
        customer=sams[0].customer,
        councillor=councillor,
    )
    _signed_in(client, world.organisation)

    html = client.get(START).content.decode()

    assert len(re.findall(r'href="/o/test-council/your-requests/[A-Z]+-', html)) == 2
    assert CaseKind.COUNCILLOR_ENQUIRY not in html
