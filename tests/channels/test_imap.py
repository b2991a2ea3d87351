"""Shared mailboxes read over IMAP, against a real Dovecot on loopback (``dovecot`` fixture).

Every message goes through ``receive_message`` as the pipe's do, is moved to the processed
folder (or marked read) only after that has committed, and is taken once: across a crash
between the commit and the move, a renumbered folder (UIDVALIDITY) and repeated polls.  A
server that refuses the password or cannot be reached marks the mailbox failing, and it
recovers by itself once the cause is gone."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.utils import timezone

from onestop.cases.models import Case
from onestop.channels import imap
from onestop.channels.models import (
    ImapStatus,
    InboundMessage,
    Mailbox,
    MailboxImap,
    MessageOutcome,
)
from onestop.channels.services import imap as imap_services
from onestop.core.management.commands.worker import IDLE_STEPS
from onestop.core.models import AuditRecord
from tests.channels.conftest import MailWorld, message
from tests.channels.dovecot import Dovecot, free_port

pytestmark = pytest.mark.django_db

PROCESSED = "OneStop/Processed"


def _setup(
    mail_world: MailWorld,
    dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    *,
    processed: str = PROCESSED,
    security: str = "tls",
    folder: str = "INBOX",
) -> tuple[MailboxImap, str, str]:
    username, password = dovecot.add_user()
    variable = "ONESTOP_IMAP_TEST_COUNCIL__" + username.split("@")[0].upper()
    monkeypatch.setenv(variable, password)
    source = imap_services.save_imap(
        mail_world.world.organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="127.0.0.1",
            port=dovecot.tls_port if security == "tls" else dovecot.port,
            security=security,
            folder=folder,
            processed_folder=processed,
            username=username,
            credential="password",
            secret=f"env:{variable}",
        ),
    )
    return source, username, password


def _poll(source: MailboxImap) -> imap_services.PollResult:
    source.refresh_from_db()
    return imap_services.poll(source)


def _kept(mail_world: MailWorld) -> list[InboundMessage]:
    return list(
        InboundMessage.objects.for_organisation(mail_world.world.organisation).order_by("pk")
    )


# --- taking mail --------------------------------------------------------------------------------
def test_new_mail_raises_a_case_and_is_moved_once_committed(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message(), message(subject="Fly-tipping", message_id="<m2@x>")])
    result = _poll(source)
    assert (result.error, result.received, result.filed_away) == ("", 2, 2)
    kept = _kept(mail_world)
    assert [m.outcome for m in kept] == [MessageOutcome.RAISED, MessageOutcome.RAISED]
    assert [m.subject for m in kept] == ["Missed bin", "Fly-tipping"]
    assert kept[0].raw == message()
    assert Case.objects.for_organisation(mail_world.world.organisation).count() == 2
    assert imap_ca.uids(user, password, "INBOX") == []
    assert len(imap_ca.uids(user, password, PROCESSED)) == 2
    source.refresh_from_db()
    assert (source.status, source.last_uid, source.last_error) == (ImapStatus.OK, 2, "")
    assert source.next_poll_at is not None
    assert source.next_poll_at > timezone.now()
    # Polled again: nothing new, nothing taken twice.
    assert _poll(source).received == 0
    assert len(_kept(mail_world)) == 2


def test_a_threaded_reply_an_auto_reply_a_bounce_and_malformed_mime(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    _poll(source)
    case = Case.objects.for_organisation(mail_world.world.organisation).get()
    reply = message(
        "Still not collected.\r\n", subject=f"Re: [{case.reference}]", message_id="<r@x>"
    )
    auto = message(
        "I am away.\r\n",
        subject="Out of office",
        message_id="<auto@x>",
        headers=("Auto-Submitted: auto-replied",),
    )
    bounce = message(
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b\r\n"
        "Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n",
        sender="MAILER-DAEMON@mail.example.org",
        subject="Undelivered Mail Returned to Sender",
        message_id="<bounce@x>",
        content_type='multipart/report; report-type=delivery-status; boundary="b"',
    )
    malformed = message(
        b"--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64\xff\xfe\r\n",
        subject="=?utf-8?B?broken?= \x00 subject",
        message_id="<malformed@x>",
        content_type='multipart/mixed; boundary="never-closed"',
    )
    imap_ca.append(user, password, [reply, auto, bounce, malformed])
    result = _poll(source)
    assert result.received == 4
    kept = {m.message_id: m for m in _kept(mail_world)}
    assert kept["<r@x>"].outcome == MessageOutcome.THREADED
    assert kept["<r@x>"].case_id == case.pk
    assert kept["<auto@x>"].outcome == MessageOutcome.IGNORED_AUTO_REPLY
    assert kept["<bounce@x>"].outcome == MessageOutcome.IGNORED_AUTO_REPLY
    assert kept["<malformed@x>"].outcome == MessageOutcome.RAISED
    assert "\x00" not in kept["<malformed@x>"].subject
    assert Case.objects.for_organisation(mail_world.world.organisation).count() == 2
    assert imap_ca.uids(user, password, "INBOX") == []


def test_an_oversized_message_is_left_in_the_folder_and_said_so(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ONESTOP_MAIL_MAX_BYTES = 4000
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    big = message("x" * 5000 + "\r\n", subject="Huge", message_id="<big@x>")
    imap_ca.append(user, password, [big, message()])
    result = _poll(source)
    assert (result.received, result.left_in_folder, result.filed_away) == (1, 1, 1)
    assert [m.message_id for m in _kept(mail_world)] == ["<m1@example.org>"]
    assert imap_ca.uids(user, password, "INBOX") == [1]  # the big one, for staff to see
    source.refresh_from_db()
    assert (source.last_uid, source.left_in_folder) == (2, 1)
    # It is not taken, counted or moved again.
    result = _poll(source)
    assert (result.received, result.left_in_folder, result.filed_away) == (0, 0, 0)
    assert imap_ca.uids(user, password, "INBOX") == [1]


@pytest.mark.parametrize("capabilities", [{"UIDPLUS"}, set()])
def test_a_server_without_move_gets_copy_delete_and_expunge(
    mail_world: MailWorld,
    imap_ca: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    capabilities: set[str],
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message(message_id=f"<nm{n}@x>") for n in range(3)])
    sign_in = imap.Client.sign_in

    def without_move(self: imap.Client) -> None:
        sign_in(self)  # Dovecot offers MOVE and UIDPLUS: hide them, as an older server would
        self.capabilities = frozenset(
            name for name in self.capabilities if name not in {"MOVE", "UIDPLUS"}
        ) | frozenset(capabilities)

    monkeypatch.setattr(imap.Client, "sign_in", without_move)
    result = _poll(source)
    assert (result.error, result.received, result.filed_away) == ("", 3, 3)
    assert imap_ca.uids(user, password, "INBOX") == []
    assert len(imap_ca.bodies(user, password, PROCESSED)) == 3


def test_a_crash_between_the_commit_and_the_move_files_nothing_twice(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(
        user, password, [message(message_id=f"<c{n}@x>", subject=f"C{n}") for n in range(3)]
    )

    def crash(self: imap.Client, uids: list[int], folder: str) -> None:
        raise imap.ImapFailure("The connection was lost")

    with monkeypatch.context() as patch:
        patch.setattr(imap.Client, "file_away", crash)
        result = _poll(source)
    assert result.error == "The connection was lost"
    assert len(_kept(mail_world)) == 3  # received and committed, not yet moved
    assert imap_ca.uids(user, password, "INBOX") == [1, 2, 3]
    result = _poll(source)
    assert (result.received, result.already_kept, result.filed_away) == (0, 0, 3)
    assert len(_kept(mail_world)) == 3
    assert imap_ca.uids(user, password, "INBOX") == []
    assert len(imap_ca.uids(user, password, PROCESSED)) == 3


def test_a_processed_folder_another_session_made_meanwhile_is_not_a_failure(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's watching connection and its poll (or two workers) may both find the
    processed folder missing; the one whose CREATE comes second is answered [ALREADYEXISTS]."""
    source, user, password = _setup(mail_world, imap_ca, monkeypatch, processed="Made/Meanwhile")
    connection = imap_services.connection_for(source)
    answers: list[str] = []
    with imap.Client(connection) as first, imap.Client(connection) as second:
        assert first.imap is not None
        create = first.imap.create

        def the_other_session_first(name: str) -> tuple[str, list[Any]]:
            second.ensure_folder("Made/Meanwhile")  # between the first's look and its CREATE
            answer: tuple[str, list[Any]] = create(name)
            answers.append(answer[0])
            return answer

        monkeypatch.setattr(first.imap, "create", the_other_session_first)
        first.ensure_folder("Made/Meanwhile")
    assert answers == ["NO"]  # Dovecot's own answer: the folder already exists
    assert imap_ca.uids(user, password, "Made/Meanwhile") == []  # there, and empty


def test_a_renumbered_folder_is_read_again_without_doubles(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(
        mail_world, imap_ca, monkeypatch, folder="Council", processed=""
    )
    first = message(message_id="<first@x>")
    imap_ca.append(user, password, [first], folder="Council")
    assert _poll(source).received == 1
    old = MailboxImap.objects.for_organisation(mail_world.world.organisation).get().uidvalidity
    # The folder is deleted and made again (a migration, a restore): new UIDVALIDITY, UIDs from 1.
    client = imap_ca.client(user, password)
    assert client.delete('"Council"')[0] == "OK"
    client.logout()
    second = message(subject="Another", message_id="<second@x>")
    imap_ca.append(user, password, [first, second], folder="Council")
    result = _poll(source)
    assert result.resynced
    assert (result.received, result.already_kept) == (1, 1)
    source.refresh_from_db()
    assert source.uidvalidity != old
    assert source.last_uid == 2
    assert sorted(m.message_id for m in _kept(mail_world)) == ["<first@x>", "<second@x>"]
    assert (
        AuditRecord.objects.for_organisation(mail_world.world.organisation)
        .filter(summary__contains="renumbered")
        .count()
        == 1
    )


def test_starttls_and_marking_read_instead_of_moving(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(
        mail_world, imap_ca, monkeypatch, security="starttls", processed=""
    )
    imap_ca.append(user, password, [message()])
    assert _poll(source).received == 1
    client = imap_ca.client(user, password)
    client.select("INBOX", readonly=True)
    assert client.uid("SEARCH", "SEEN")[1] == [b"1"]
    client.logout()
    assert _poll(source).received == 0


# --- failing and recovering ------------------------------------------------------------------
def test_a_refused_password_marks_the_mailbox_failing_until_it_is_put_right(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    monkeypatch.setenv(source.secret.removeprefix("env:"), "wrong-password")
    start = timezone.now()
    result = _poll(source)
    assert result.error.startswith(f"The server refused the sign-in of {user}")
    assert "wrong-password" not in result.error
    source.refresh_from_db()
    assert (source.status, source.failures) == (ImapStatus.FAILING, 1)
    assert source.last_error == result.error
    assert source.next_poll_at is not None
    assert source.next_poll_at >= start + datetime.timedelta(seconds=60)
    assert imap_services.due_sources() == []  # waits for its backoff
    _poll(source)
    source.refresh_from_db()
    assert source.failures == 2
    assert source.next_poll_at >= start + datetime.timedelta(seconds=120)
    assert _kept(mail_world) == []
    # Put right: the next due poll takes the mail, and the mailbox is reading again.
    monkeypatch.setenv(source.secret.removeprefix("env:"), password)
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert [s.pk for s in imap_services.due_sources(later)] == [source.pk]
    [result] = imap_services.poll_due(now=later)
    assert (result.error, result.received) == ("", 1)
    source.refresh_from_db()
    assert (source.status, source.failures, source.last_error) == (ImapStatus.OK, 0, "")
    summaries = list(
        AuditRecord.objects.for_organisation(mail_world.world.organisation)
        .filter(summary__startswith="IMAP reading of mailbox")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries[-2].startswith(
        "IMAP reading of mailbox enquiries@test-council.example failing"
    )
    assert summaries[-1] == "IMAP reading of mailbox enquiries@test-council.example working"


def test_a_password_imap_cannot_send_is_a_failure_not_a_crash(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, _user, _password = _setup(mail_world, imap_ca, monkeypatch)
    monkeypatch.setenv(source.secret.removeprefix("env:"), "cyfrinair-\u0175ŵ")
    result = _poll(source)
    assert result.error.startswith("The password has characters other than A to Z")
    assert "\u0175" not in result.error


def test_an_unreachable_server_and_an_untrusted_certificate_are_failures(
    mail_world: MailWorld, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ONESTOP_IMAP_CA_FILE = ""  # Dovecot's CA is not trusted
    source, _user, _password = _setup(mail_world, dovecot, monkeypatch)
    result = _poll(source)
    assert result.error.startswith(
        f"The certificate of 127.0.0.1:{dovecot.tls_port} is not trusted"
    )
    closed = free_port()
    MailboxImap.objects.for_organisation(source.organisation_id).update(port=closed)
    result = _poll(source)
    assert result.error == f"Cannot connect to 127.0.0.1:{closed}: no IMAP server answered there"
    source.refresh_from_db()
    assert source.status == ImapStatus.FAILING


def _answering_port(greeting: bytes) -> Iterator[int]:
    """A port on loopback where something that is not an IMAP server takes each connection,
    writes ``greeting`` and hangs up (as another service on this machine would)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port: int = listener.getsockname()[1]

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _address = listener.accept()
                with connection:
                    connection.sendall(greeting)

    threading.Thread(target=serve, daemon=True).start()
    yield port
    listener.close()


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_failed_connection_says_the_same_plain_words_whatever_answered_the_port(
    mail_world: MailWorld, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, security: str
) -> None:
    # A closed port and a port where another service answers read alike on the mailbox's page
    # (an administrator's), so it cannot be used to find which of this machine's ports are open.
    source, _user, _password = _setup(mail_world, dovecot, monkeypatch, security=security)
    rows = MailboxImap.objects.for_organisation(source.organisation_id)
    closed = free_port()
    rows.update(port=closed)
    refused = _poll(source).error
    for port in _answering_port(b"-ERR wrong protocol\r\n"):
        rows.update(port=port)
        answered = _poll(source).error

    words = "no IMAP server answered there"
    if security == "starttls":  # a greeting that is not IMAP's is said to be so
        words = "the server there did not answer as an IMAP server"
    assert refused == f"Cannot connect to 127.0.0.1:{closed}: no IMAP server answered there"
    assert answered == f"Cannot connect to 127.0.0.1:{port}: {words}"
    assert "Errno" not in refused + answered

    rows.update(host="no-such-host.invalid", port=993)
    assert _poll(source).error == (
        "Cannot connect to no-such-host.invalid:993: the server's name was not found"
    )


def test_changed_settings_show_as_not_read_yet_not_as_the_old_failure(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, _user, _password = _setup(mail_world, imap_ca, monkeypatch)
    MailboxImap.objects.for_organisation(source.organisation_id).update(port=free_port())
    assert _poll(source).error
    source.refresh_from_db()
    assert (source.status, source.failures) == (ImapStatus.FAILING, 1)
    values = {
        field.name: getattr(source, field.name)
        for field in dataclasses.fields(imap_services.ImapInput)
    }

    imap_services.save_imap(
        mail_world.world.organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(**{**values, "port": imap_ca.tls_port}),
    )

    source.refresh_from_db()
    assert (source.status, source.failures, source.last_error, source.next_poll_at) == (
        ImapStatus.NEW,
        0,
        "",
        None,
    )
    assert _poll(source).error == ""


def test_a_mailbox_that_stops_taking_mail_is_failing_and_keeps_its_messages(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    Mailbox.objects.for_organisation(source.organisation_id).update(is_active=False)
    assert imap_services.due_sources() == []  # the worker leaves it alone
    result = _poll(source)  # a poll that was already under way when the change was made
    assert result.error == "There is no mailbox at this address"
    assert _kept(mail_world) == []
    assert imap_ca.uids(user, password, "INBOX") == [1]  # still there, nothing lost
    source.refresh_from_db()
    assert (source.status, source.last_uid) == (ImapStatus.FAILING, 0)


def test_an_unexpected_error_in_one_mailbox_does_not_stop_the_others(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    receive = imap_services.receive

    def poisoned(raw: bytes, mailbox: Mailbox) -> InboundMessage:
        if b"Missed bin" in raw:
            raise ValueError("a bug meeting this message")
        return receive(raw, mailbox)

    monkeypatch.setattr(imap_services, "receive", poisoned)
    [result] = imap_services.poll_due()
    assert result.error == "An unexpected error stopped the reading (logged for the operators)"
    source.refresh_from_db()
    assert (source.status, source.last_uid) == (ImapStatus.FAILING, 0)
    assert imap_ca.uids(user, password, "INBOX") == [1]  # kept for when the bug is fixed


def test_the_worker_step_polls_the_mailboxes_that_are_due(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ("mail-poll",) in IDLE_STEPS  # ``onestop worker --until-idle`` runs it each round
    _source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    out = io.StringIO()
    call_command("mail-poll", stdout=out)
    assert out.getvalue() == (
        "enquiries@test-council.example: received 1, already kept 0, left in the folder 0\n"
    )
    assert [m.outcome for m in _kept(mail_world)] == [MessageOutcome.RAISED]
    assert imap_ca.uids(user, password, "INBOX") == []


# --- secrets and OAuth 2.0 ----------------------------------------------------------------------
@pytest.fixture
def secrets_dir(tmp_path: Path, settings: Any) -> Path:
    """The organisations' secrets folder, with the test council's own folder in it."""
    settings.ONESTOP_IMAP_SECRETS_DIR = str(tmp_path / "imap")
    (tmp_path / "imap" / "test-council").mkdir(parents=True)
    return tmp_path / "imap"


@pytest.mark.parametrize(
    "reference",
    [
        "env:ONESTOP_IMAP_TEST_COUNCIL__WASTE",
        "env:ONESTOP_IMAP_TEST_COUNCIL__WASTE_PASSWORD_2",
        "file:{dir}/test-council/waste.secret",
        "file:{dir}/test-council/m365/a b.pem",
    ],
)
def test_secret_references_that_are_accepted(reference: str, secrets_dir: Path) -> None:
    assert imap.valid_secret_reference(reference.format(dir=secrets_dir), "test-council")


@pytest.mark.parametrize(
    "reference",
    [
        "hunter2",
        "env:",
        "env:ONESTOP_IMAP_TEST_COUNCIL__",
        "env:ONESTOP_IMAP_TEST_COUNCIL__a",
        "env:ONESTOP_IMAP_TEST_COUNCIL__A__B",
        "env:ONESTOP_IMAP_TEST__COUNCIL",
        "env:ONESTOP_IMAP_TEST_HOUSING__WASTE",  # another organisation's
        "env:ONESTOP_SECRET_KEY",  # the platform's
        "env:DATABASE_URL",
        "env:A-B",
        "env:A B",
        "file:relative/path",
        "file:{dir}/test-council/../test-housing/key.json",
        "file:{dir}/test-housing/key.json",
        "file:/etc/onestop/secret_key",
        "file:{dir}/test-council/link",  # a symbolic link out of the folder
        "file:{dir}/test-council/a\x00b",
        "file:{dir}/test-council/a\nb",
        "env:ONESTOP_IMAP_TEST_COUNCIL__A\u202e",
        "'; DROP TABLE channels_mailboximap; --",
        "<script>alert(1)</script>",
        "file:/" + "a" * 500,
    ],
)
def test_secret_references_that_are_refused(reference: str, secrets_dir: Path) -> None:
    (secrets_dir / "test-council" / "link").symlink_to("/etc/hostname")
    assert not imap.valid_secret_reference(reference.format(dir=secrets_dir), "test-council")
    assert not imap.valid_secret_reference("env:ONESTOP_IMAP_TEST_COUNCIL__WASTE", "")


def test_reading_a_secret_names_where_it_is_never_what_it_is(
    secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONESTOP_IMAP_TEST_COUNCIL__NO_SUCH", raising=False)
    with pytest.raises(imap.ImapFailure, match="ONESTOP_IMAP_TEST_COUNCIL__NO_SUCH is not set"):
        imap.read_secret("env:ONESTOP_IMAP_TEST_COUNCIL__NO_SUCH", "test-council")
    own = secrets_dir / "test-council"
    (own / "secret").write_text("s3cret-value\n")
    assert imap.read_secret(f"file:{own}/secret", "test-council") == "s3cret-value"
    with pytest.raises(imap.ImapFailure) as missing:
        imap.read_secret(f"file:{own}/missing", "test-council")
    assert "cannot be read" in str(missing.value)
    (own / "empty").write_text("")
    with pytest.raises(imap.ImapFailure, match="is empty"):
        imap.read_secret(f"file:{own}/empty", "test-council")
    # Another organisation's secret is not read, whatever the record says.
    with pytest.raises(imap.ImapFailure) as theirs:
        imap.read_secret(f"file:{own}/secret", "test-housing")
    assert "s3cret-value" not in str(theirs.value)
    assert "ONESTOP_IMAP_TEST_HOUSING__NAME" in str(theirs.value)


def test_the_xoauth2_initial_response_is_the_documented_format() -> None:
    assert imap.xoauth2("waste@council.gov.uk", "ya29.token") == (
        b"user=waste@council.gov.uk\x01auth=Bearer ya29.token\x01\x01"
    )


class _TokenEndpoint(BaseHTTPRequestHandler):
    """A token endpoint on loopback: answers a valid JWT-bearer grant with an access token."""

    received: list[dict[str, str]] = []
    public_key: Any = None

    def do_POST(self) -> None:
        from urllib.parse import parse_qs

        import jwt

        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).received.append(form)
        try:
            claims = jwt.decode(
                form["assertion"],
                type(self).public_key,
                algorithms=["RS256"],
                audience=f"http://127.0.0.1:{cast(HTTPServer, self.server).server_port}/token",
            )
            assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
            assert claims["scope"] == "https://mail.google.com/"
            body, status = {"access_token": f"token-for-{claims['sub']}", "expires_in": 3600}, 200
        except Exception:
            body, status = {"error": "invalid_grant"}, 400
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def token_endpoint() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_google_service_account_token_by_the_jwt_bearer_grant(
    secrets_dir: Path, token_endpoint: HTTPServer
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _TokenEndpoint.public_key = key.public_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    token_uri = f"http://127.0.0.1:{token_endpoint.server_port}/token"
    key_file = secrets_dir / "test-council" / "google.json"
    key_file.write_text(
        json.dumps(
            {
                "client_email": "onestop@project.iam.gserviceaccount.com",
                "private_key": pem,
                "token_uri": token_uri,
            }
        )
    )
    connection = imap.Connection(
        host="imap.gmail.com",
        port=993,
        security="tls",
        username="waste@council.gov.uk",
        credential="google",
        secret=f"file:{key_file}",
        organisation="test-council",
    )
    assert imap.google_token(connection) == "token-for-waste@council.gov.uk"
    # Another key than the one Google knows: refused, and said so without the key.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _TokenEndpoint.public_key = other.public_key()
    with pytest.raises(imap.ImapFailure, match="Google refused the service account: invalid_grant"):
        imap.google_token(connection)
    key_file.write_text("not json")
    with pytest.raises(imap.ImapFailure, match="not a JSON key file"):
        imap.google_token(connection)


class _EntraId(BaseHTTPRequestHandler):
    """Microsoft Entra ID's two endpoints msal uses for the client-credentials flow, on
    loopback over TLS: the tenant's OpenID configuration and its token endpoint."""

    secret = "entra-client-secret"
    tokens: list[dict[str, str]] = []

    def _base(self) -> str:
        return f"https://127.0.0.1:{cast(HTTPServer, self.server).server_port}/tenant-1"

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/tenant-1/v2.0/.well-known/openid-configuration"):
            base = self._base()
            self._json(
                200,
                {
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "issuer": f"{base}/v2.0",
                },
            )
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        from urllib.parse import parse_qs

        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).tokens.append(form)
        if (
            self.path == "/tenant-1/oauth2/v2.0/token"
            and form.get("grant_type") == "client_credentials"
            and form.get("client_id") == "client-1"
            and form.get("client_secret") == type(self).secret
            and form.get("scope", "").split()[0] == "https://outlook.office365.com/.default"
        ):
            self._json(
                200, {"access_token": "entra-token", "token_type": "Bearer", "expires_in": 3600}
            )
        else:
            self._json(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})

    def log_message(self, *args: Any) -> None:
        pass


def test_microsoft_365_token_by_msal_s_client_credentials_flow(
    dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    server = HTTPServer(("127.0.0.1", 0), _EntraId)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(dovecot.root / "server.pem", dovecot.root / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.ONESTOP_MICROSOFT_AUTHORITY = f"https://127.0.0.1:{server.server_port}"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(dovecot.ca_file))  # requests trusts the CA
        monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__ENTRA", _EntraId.secret)
        connection = imap.Connection(
            host="outlook.office365.com",
            port=993,
            security="tls",
            username="waste@council.gov.uk",
            credential="microsoft",
            secret="env:ONESTOP_IMAP_TEST_COUNCIL__ENTRA",
            organisation="test-council",
            tenant="tenant-1",
            client_id="client-1",
        )
        _EntraId.tokens.clear()
        assert imap.microsoft_token(connection) == "entra-token"
        assert _EntraId.tokens[-1]["grant_type"] == "client_credentials"
        # msal keeps the token: no second request while it is valid.
        assert imap.microsoft_token(connection) == "entra-token"
        assert len(_EntraId.tokens) == 1
        monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__ENTRA", "a-revoked-secret")
        with pytest.raises(imap.ImapFailure) as refused:
            imap.microsoft_token(connection)
        assert str(refused.value) == (
            "Microsoft refused the application's credential: invalid_client"
        )
        assert "a-revoked-secret" not in str(refused.value)
    finally:
        server.shutdown()
        server.server_close()
