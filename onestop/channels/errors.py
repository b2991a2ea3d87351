"""Stable error codes of the channels app, shown in error summaries, on refused mail and in the
SMTP answers' text."""

from __future__ import annotations

from enum import StrEnum

from onestop.core.errors import ServiceError


class ChannelError(StrEnum):
    # Mailbox administration.
    INVALID_ADDRESS = "invalid_address"
    ADDRESS_TAKEN = "address_taken"
    DOMAIN_NOT_VERIFIED = "domain_not_verified"
    NAME_REQUIRED = "name_required"
    TOO_LONG = "too_long"
    INVALID_TEXT = "invalid_text"
    UNSUITABLE_CASE_TYPE = "unsuitable_case_type"
    WRONG_ORGANISATION = "wrong_organisation"
    INVALID_IMAP = "invalid_imap"
    FEEDBACK_MAILBOX_TAKEN = "feedback_mailbox_taken"  # fb-public
    # Mail refused before anything is kept (the sender's server is told why).
    UNKNOWN_MAILBOX = "unknown_mailbox"
    TOO_BIG = "too_big"
    # Mail kept but refused (staff see it on the mailboxes page).
    HEADERS_TOO_BIG = "headers_too_big"
    CANNOT_RAISE = "cannot_raise"
    UNPARSEABLE = "unparseable"


class MailRefused(ServiceError):
    """Inbound mail that was not taken at all: nothing was kept.

    ``smtp_code`` and ``exit_code`` are what the SMTP server and the MTA-pipe command answer.
    """

    def __init__(self, code: ChannelError, message: str, *, smtp: str, exit_code: int) -> None:
        super().__init__(code, message)
        self.smtp = smtp
        self.exit_code = exit_code
