"""``onestop notify send-test --organisation SLUG --to ADDRESS``: send a test message through
the configured sender (``ONESTOP_MESSAGE_SENDER``) and print what the provider answered.
``onestop notify work``: send every due message and look up overdue receipts, then exit (what
``onestop worker --until-idle`` runs after the tasks).

A bad slug, address or setting changes nothing and exits with status 2 after one line saying
why.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandParser

from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.notify.senders import Sender, configured
from onestop.notify.services import sending

#: The running worker (``onestop worker``) comes round every few seconds: it looks up overdue
#: receipts at most this often (``--until-idle`` looks them up every time).
LOOK_UP_EVERY_SECONDS = 60.0
_last_look_up: list[float] = []


def _look_up_due() -> bool:
    now = time.monotonic()
    if _last_look_up and now - _last_look_up[0] < LOOK_UP_EVERY_SECONDS:
        return False
    _last_look_up[:] = [now]
    return True


class Command(BaseCommand):
    #: ``onestop worker`` passes ``keep_going``: a callable answering ``False`` once the worker
    #: is stopping (``work`` then stops after the batch it is sending).
    stealth_options = ("keep_going",)
    help = (
        "Messages: send-test --organisation SLUG --to ADDRESS sends a test message through the "
        "configured sender; work sends every due message and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        test = subcommands.add_parser(
            "send-test", help="Send a test message and print what the provider answered."
        )
        test.add_argument("--organisation", required=True, help="The organisation's slug.")
        test.add_argument("--to", required=True, help="An e-mail address or a mobile number.")
        work = subcommands.add_parser(
            "work", help="Send every due message, look up overdue receipts, then exit."
        )
        work.add_argument("--batch", type=int, default=None, help="Messages claimed at once.")

    def _refuse(self, subcommand: str, message: str) -> NoReturn:
        self.stderr.write(f"{subcommand}: refused: {message}; nothing was sent.")
        sys.exit(2)

    def _sender(self, subcommand: str) -> Sender:
        try:
            return configured()
        except ImproperlyConfigured as error:
            self._refuse(subcommand, str(error).rstrip("."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "send-test":
            self._send_test(options["organisation"], options["to"])
        else:
            self._work(options["batch"], options.get("keep_going"))

    def _send_test(self, slug: str, to: str) -> None:
        sender = self._sender("send-test")
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            self._refuse("send-test", f"no organisation {slug[:60]!r}")
        try:
            message = sending.test_message(organisation, to)
        except ServiceError as error:
            self._refuse("send-test", f"{error.message} (--to)")
        status, sent, reason = sending.send_now(message, sender)
        if sent is None:
            self.stderr.write(f"send-test: {sender.name} did not take it ({status}): {reason}")
            sys.exit(1)
        self.stdout.write(
            f"send-test: {sender.name} took message {message.reference} ({status}); "
            f"provider id {sent.provider_id}"
        )
        self.stdout.write(json.dumps(sent.answer, indent=2, sort_keys=True, default=str))

    def _work(self, batch: int | None, keep_going: Callable[[], bool] | None) -> None:
        sender = self._sender("work")
        run = sending.process_due(sender=sender, batch=batch, keep_going=keep_going)
        looked_up = 0
        if keep_going is None or (keep_going() and _look_up_due()):
            looked_up = sending.look_up_statuses(sender=sender)
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(run.statuses.items()))
        self.stdout.write(
            f"work: {run.claimed} messages sent or tried ({statuses or 'none due'}); "
            f"{looked_up} receipts found by look-up."
        )
