"""``onestop mail-serve [--host 127.0.0.1] [--port 8025] [--lmtp]``: the inbound mail server.

An SMTP (or, with ``--lmtp``, LMTP) server for the shared mailboxes, for the council's MTA to
relay to.  It listens until interrupted (Ctrl-C or SIGTERM).  See docs/operators/mail.md.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.channels import services, smtp


class Command(BaseCommand):
    help = "Run the SMTP or LMTP server that takes e-mail for the shared mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on")
        parser.add_argument("--port", type=int, default=8025, help="Port to listen on")
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP instead of SMTP")
        parser.add_argument("--hostname", default=None, help="Name in the greeting")

    def handle(self, *args: Any, **options: Any) -> None:
        server = smtp.controller(
            host=options["host"],
            port=options["port"],
            lmtp=options["lmtp"],
            hostname=options["hostname"],
        )
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        server.start()
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(
            f"{protocol} server for the mailboxes on {options['host']}:{options['port']} "
            f"(largest message {services.max_bytes()} bytes); Ctrl-C to stop"
        )
        try:
            stopping.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
