"""IMAP IDLE (issue 16): ``onestop mail-poll --watch`` waits in IDLE on the real Dovecot and
takes a message appended by another connection within seconds; a server without IDLE, or a
mailbox that is failing, is read on the schedule instead."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from onestop.cases.models import Case
from onestop.channels import imap
from onestop.channels.models import ImapStatus, InboundMessage, MailboxImap, MessageOutcome
from onestop.channels.services import imap as imap_services
from tests.channels.conftest import MailWorld, message
from tests.channels.dovecot import Dovecot
from tests.channels.test_imap import PROCESSED, _setup

pytestmark = pytest.mark.django_db


def _subjects(mail_world: MailWorld) -> list[str]:
    rows = InboundMessage.objects.for_organisation(mail_world.world.organisation).order_by("pk")
    return [row.subject for row in rows if row.outcome == MessageOutcome.RAISED]


def test_idle_wakes_within_seconds_when_another_connection_appends_mail(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    watcher = imap_services.Watcher()
    try:
        assert [r.received for r in imap_services.poll_due()] == [1]
        assert watcher.idle(0.2) == []  # nothing new: IDLE started, the wait ran out
        assert list(watcher.idling) == [source.pk]
        assert watcher.idling[source.pk].client.offers_idle
        late = message(subject="Fly-tipping", message_id="<idle-2@example.org>")
        appender = threading.Timer(0.5, imap_ca.append, (user, password, [late]))
        began = time.monotonic()
        appender.start()
        woken = watcher.idle(25)
        waited = time.monotonic() - began
        appender.join()
        assert woken == [source.pk]
        assert waited < 10, f"IDLE took {waited:.1f}s to hear of the new message"
        assert watcher.idling == {}  # that session ended: the poll reads with its own
        source.refresh_from_db()
        assert source.next_poll_at is None  # due at once, whatever the schedule said
        results = imap_services.poll_due()
        assert [(r.received, r.filed_away, r.error) for r in results] == [(1, 1, "")]
        assert _subjects(mail_world) == ["Missed bin", "Fly-tipping"]
        assert imap_ca.uids(user, password, "INBOX") == []
        assert len(imap_ca.uids(user, password, PROCESSED)) == 2
        # Idling again: the watcher's next wait is on a fresh session.
        watcher.idle(0.2)
        assert list(watcher.idling) == [source.pk]
    finally:
        watcher.close()
    assert watcher.idling == {}


def test_a_server_without_idle_is_polled_on_its_schedule(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    sign_in = imap.Client.sign_in

    def without_idle(self: imap.Client) -> None:
        sign_in(self)  # Dovecot offers IDLE: hide it, as a server without it would
        self.capabilities = self.capabilities - {"IDLE"}

    monkeypatch.setattr(imap.Client, "sign_in", without_idle)
    watcher = imap_services.Watcher()
    try:
        assert [r.received for r in imap_services.poll_due()] == [1]
        began = time.monotonic()
        assert watcher.idle(0.5) == []
        assert time.monotonic() - began >= 0.5  # it waited, without a session to wait on
        assert watcher.idling == {}
        imap_ca.append(user, password, [message(subject="Graffiti", message_id="<g@x>")])
        assert imap_services.poll_due() == []  # not due yet: the schedule decides
        MailboxImap.objects.for_organisation(source.organisation_id).filter(pk=source.pk).update(
            next_poll_at=timezone.now() - timedelta(seconds=1)
        )
        assert [r.received for r in imap_services.poll_due()] == [1]
        assert _subjects(mail_world) == ["Missed bin", "Graffiti"]
    finally:
        watcher.close()


def test_a_failing_mailbox_is_not_idled_and_a_changed_one_idles_anew(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    watcher = imap_services.Watcher()
    try:
        imap_services.poll_due()
        watcher.idle(0.1)
        first = watcher.idling[source.pk].client
        MailboxImap.objects.for_organisation(source.organisation_id).filter(pk=source.pk).update(
            status=ImapStatus.FAILING, last_error="The server refused the sign-in"
        )
        watcher.idle(0.1)
        assert watcher.idling == {}
        assert first.imap is None  # its session was ended
        MailboxImap.objects.for_organisation(source.organisation_id).filter(pk=source.pk).update(
            status=ImapStatus.OK, folder="Other"
        )
        imap_ca.append(user, password, [], folder="Other")
        watcher.idle(0.1)
        assert watcher.idling[source.pk].connection.folder == "Other"
    finally:
        watcher.close()


def test_mail_poll_watch_reads_new_mail_in_seconds_and_stops_on_sigterm(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    moved: list[float] = []

    def outside() -> None:
        # Another connection: wait for the first message to be filed away (the watcher is
        # idling after that poll), append a second, and stop the command once it is moved too.
        deadline = time.monotonic() + 60
        while len(imap_ca.uids(user, password, PROCESSED)) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        began = time.monotonic()
        imap_ca.append(user, password, [message(subject="Pothole", message_id="<p@x>")])
        while len(imap_ca.uids(user, password, PROCESSED)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        moved.append(time.monotonic() - began)
        os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=outside, daemon=True)
    helper.start()
    out = io.StringIO()
    call_command("mail-poll", "--watch", stdout=out)
    helper.join(5)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "mail-poll: stopped"
    assert "enquiries@test-council.example: received 1, already kept 0, left in the folder 0" in (
        lines
    )
    assert len(moved) == 1
    assert moved[0] < 15, f"the second message took {moved[0]:.1f}s"
    assert _subjects(mail_world) == ["Missed bin", "Pothole"]
    assert Case.objects.for_organisation(mail_world.world.organisation).count() == 2
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_line_already_in_the_buffers_wakes_the_watcher_without_waiting(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    watcher = imap_services.Watcher()
    try:
        imap_services.poll_due()
        watcher.idle(0.1)
        client = watcher.idling[source.pk].client
        assert not client.idle_buffered()  # nothing said yet
        imap_ca.append(user, password, [message(subject="Graffiti", message_id="<b@x>")])
        deadline = time.monotonic() + 20
        while not client.idle_buffered() and time.monotonic() < deadline:
            time.sleep(0.2)
        # The server's line is now read from the socket into the client's buffer: a select on
        # the socket alone would sleep through it.
        assert client.idle_buffered()
        began = time.monotonic()
        assert watcher.wait(20) == [source.pk]
        assert time.monotonic() - began < 2
        assert [r.received for r in imap_services.poll_due()] == [1]
    finally:
        watcher.close()


def test_mail_that_came_between_the_poll_and_the_idle_is_not_left_waiting(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    imap_ca.append(user, password, [message()])
    watcher = imap_services.Watcher()
    try:
        assert [r.received for r in imap_services.poll_due()] == [1]
        # Arrives after the poll, before the watcher's session exists: IDLE would not say so.
        imap_ca.append(user, password, [message(subject="Pothole", message_id="<between@x>")])
        began = time.monotonic()
        assert watcher.idle(20) == [source.pk]
        assert time.monotonic() - began < 10
        assert watcher.idling == {}
        assert [r.received for r in imap_services.poll_due()] == [1]
        assert _subjects(mail_world) == ["Missed bin", "Pothole"]
        watcher.idle(0.1)
        assert list(watcher.idling) == [source.pk]  # nothing waiting now: idling
    finally:
        watcher.close()


def test_a_byte_on_the_wake_socket_ends_the_wait_at_once_whether_idling_or_not(
    mail_world: MailWorld, imap_ca: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mail-poll --watch's signal handler only writes to this socket: raising from the handler
    # instead could cut a database query in half (seen once in CI on PostgreSQL).
    source, user, password = _setup(mail_world, imap_ca, monkeypatch)
    wake, waker = socket.socketpair()
    watcher = imap_services.Watcher(wake=wake)
    try:
        for idling in (False, True):
            if idling:
                imap_ca.append(user, password, [message()])
                imap_services.poll_due()
                watcher.idle(0.1)
                assert list(watcher.idling) == [source.pk]
            threading.Timer(0.3, lambda: waker.send(b"\0")).start()
            began = time.monotonic()
            assert watcher.wait(30) == []
            assert time.monotonic() - began < 5
            wake.recv(16)
            assert list(watcher.idling) == ([source.pk] if idling else [])
    finally:
        watcher.close()
        wake.close()
        waker.close()
