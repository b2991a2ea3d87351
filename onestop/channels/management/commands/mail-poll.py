"""``onestop mail-poll``: read the shared mailboxes that are fed over IMAP.

Polls every enabled IMAP mailbox whose next poll is due (``--now``: all of them, whatever
their schedule or backoff), hands each new message to ``receive_message`` as the pipe does,
and moves it to the processed folder once that has committed.  The worker runs it with every
round (``onestop worker --until-idle``), so cron or a systemd timer running the worker reads
the mailboxes too.  One line per mailbox polled.  A mailbox that fails is not an error of the
command (the worker goes on): its error is shown on ``/mailboxes/`` and it is tried again
later, waiting longer each time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from onestop.channels.models import MailboxImap
from onestop.channels.services import imap as imap_services


class Command(BaseCommand):
    help = "Read the shared mailboxes fed over IMAP (those due, or all with --now)."
    #: ``onestop worker`` passes ``keep_going``: a callable answering ``False`` once the worker
    #: is stopping; no further mailbox is started then (the one being read is finished).
    stealth_options = ("keep_going",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Poll every enabled mailbox, due or not"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            MailboxImap.objects.unscoped("an operator asked to read every mailbox now").filter(
                Q(is_enabled=True)
            ).update(next_poll_at=None)
        results = imap_services.poll_due(by=None, keep_going=options.get("keep_going"))
        for result in results:
            if result.error:
                self.stdout.write(f"{result.mailbox}: failing: {result.error}")
            else:
                self.stdout.write(
                    f"{result.mailbox}: received {result.received}, already kept "
                    f"{result.already_kept}, left in the folder {result.left_in_folder}"
                )
