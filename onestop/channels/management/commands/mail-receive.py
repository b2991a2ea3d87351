"""``onestop mail-receive --recipient ADDRESS``: take one e-mail from standard input.

For an MTA's pipe transport (Postfix ``pipe``, Exim ``pipe``): the message (RFC 5322 bytes) is
read from stdin, at most the size limit plus one byte, before anything is parsed.  The exit
status follows sysexits.h so the MTA bounces or retries correctly:

- 0 (EX_OK): kept: a case raised, a reply threaded, an auto-reply ignored, or a redelivery
- 65 (EX_DATAERR): refused: too big, or kept but refused (the reason is on stderr)
- 67 (EX_NOUSER): no active mailbox at that address
- 75 (EX_TEMPFAIL): the database could not be reached or failed, or anything unexpected went
  wrong (logged, never echoed): try again later
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from onestop.channels import services
from onestop.channels.errors import MailRefused
from onestop.channels.models import MessageOutcome

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Take one e-mail from standard input for a shared mailbox (for an MTA pipe)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipient", required=True, help="The mailbox address it was sent to")
        parser.add_argument(
            "--sender",
            default=None,
            help="The envelope sender (Postfix ${sender}); empty for a bounce's null sender",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read(services.max_bytes() + 1)
        sys.exit(self.receive(raw, options["recipient"], options["sender"]))

    def receive(self, raw: bytes, recipient: str, sender: str | None) -> int:
        try:
            message = services.receive_message(raw, recipient=recipient, envelope_sender=sender)
        except MailRefused as refusal:
            self.stderr.write(f"{refusal.smtp}: {refusal.message}")
            return refusal.exit_code
        except DatabaseError as error:
            self.stderr.write(f"Temporary failure, try again later: {type(error).__name__}")
            return services.EX_TEMPFAIL
        except Exception:  # anything unexpected: logged, and the MTA retries later
            logger.exception("Inbound e-mail failed unexpectedly")
            self.stderr.write("Temporary failure, try again later")
            return services.EX_TEMPFAIL
        if message.outcome == MessageOutcome.REFUSED:
            self.stderr.write(f"Refused: {message.reason}")
            return services.EX_DATAERR
        filed = message.case or message.feedback  # a feedback mailbox files into feedback
        self.stdout.write(f"{message.outcome}: {filed.reference if filed else '-'}")
        return services.EX_OK
