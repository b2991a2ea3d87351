"""``onestop mail-poll``: read the shared mailboxes that are fed over IMAP.

Polls every enabled IMAP mailbox whose next poll is due (``--now``: all of them, whatever
their schedule or backoff), hands each new message to ``receive_message`` as the pipe does,
and moves it to the processed folder once that has committed.  The worker runs it with every
round (``onestop worker --until-idle``), so cron or a systemd timer running the worker reads
the mailboxes too.  One line per mailbox polled.  A mailbox that fails is not an error of the
command (the worker goes on): its error is shown on ``/mailboxes/`` and it is tried again
later, waiting longer each time.

``--watch`` keeps running (a systemd service of its own): between polls it waits in IMAP IDLE
on every working mailbox whose server offers it, so new mail is read within seconds, and polls
the others on their schedule.  It stops on SIGTERM or Ctrl-C: at once when waiting, and
otherwise once the mailbox being read is finished (a message half-received is never left so;
killed outright, its transaction is rolled back and it is read again next time).
"""

from __future__ import annotations

import contextlib
import signal
import socket
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from onestop.channels.models import MailboxImap
from onestop.channels.services import imap as imap_services


class Command(BaseCommand):
    help = (
        "Read the shared mailboxes fed over IMAP (those due, or all with --now; --watch keeps "
        "running and waits in IMAP IDLE between polls)."
    )
    #: ``onestop worker`` passes ``keep_going``: a callable answering ``False`` once the worker
    #: is stopping; no further mailbox is started then (the one being read is finished).
    stealth_options = ("keep_going",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Poll every enabled mailbox, due or not"
        )
        parser.add_argument(
            "--watch",
            action="store_true",
            help="Keep running: wait in IMAP IDLE between polls where the server offers it "
            "(new mail is read within seconds), poll the others on their schedule; stop with "
            "SIGTERM or Ctrl-C",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            MailboxImap.objects.unscoped("an operator asked to read every mailbox now").filter(
                Q(is_enabled=True)
            ).update(next_poll_at=None)
        if options["watch"]:
            self._watch()
            return
        self._report(imap_services.poll_due(by=None, keep_going=options.get("keep_going")))

    def _report(self, results: list[imap_services.PollResult]) -> None:
        for result in results:
            if result.error:
                self.stdout.write(f"{result.mailbox}: failing: {result.error}")
            else:
                self.stdout.write(
                    f"{result.mailbox}: received {result.received}, already kept "
                    f"{result.already_kept}, left in the folder {result.left_in_folder}"
                )
            self.stdout.flush()

    def _watch(self) -> None:
        # The handler only notes the stop and wakes the wait through a socket: raising from it
        # could interrupt a database query half-sent and leave the connection unusable.
        state = {"stopping": False}
        wake, waker = socket.socketpair()
        waker.setblocking(False)

        def stop(_signum: int, _frame: FrameType | None) -> None:
            state["stopping"] = True
            with contextlib.suppress(OSError):
                waker.send(b"\0")

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        watcher = imap_services.Watcher(wake=wake)
        try:
            while not state["stopping"]:
                self._report(
                    imap_services.poll_due(by=None, keep_going=lambda: not state["stopping"])
                )
                if state["stopping"]:
                    break
                watcher.idle(imap_services.seconds_to_next_poll())
        finally:
            watcher.close()
            wake.close()
            waker.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("mail-poll: stopped")
