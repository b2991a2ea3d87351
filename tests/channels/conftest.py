"""The channels world: the cases world plus a general-enquiry type and two mailboxes, and a
helper that builds raw RFC 5322 messages."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onestop.cases.models import CaseKind, CaseType
from onestop.channels import services
from onestop.channels.models import Mailbox
from onestop.directory import services as directory_services
from tests.cases import factories as case_factories
from tests.cases.conftest import World, councillor, world
from tests.channels.dovecot import Dovecot
from tests.channels.dovecot import available as dovecot_available
from tests.shared import shared_fixture

__all__ = ["MailWorld", "councillor", "mail_world", "message", "world"]


@dataclass
class MailWorld:
    world: World
    enquiry: CaseType
    enquiries: Mailbox
    foi: Mailbox


@shared_fixture
def mail_world(world: World) -> MailWorld:
    enquiry = case_factories.case_type(
        world.organisation,
        "general-enquiry",
        kind=CaseKind.GENERAL_ENQUIRY,
        service=world.waste,
        team=world.crews,
        standards=("answer-letters",),
    )
    directory_services.verify_mail_domain(
        world.organisation, by=None, domain="test-council.example"
    )
    enquiries = services.save_mailbox(
        world.organisation,
        by=None,
        values=services.MailboxInput(
            address="Enquiries@Test-Council.example", name="Enquiries", case_type=enquiry
        ),
    )
    foi = services.save_mailbox(
        world.organisation,
        by=None,
        values=services.MailboxInput(
            address="foi@test-council.example", name="FOI", case_type=world.foi
        ),
    )
    return MailWorld(world=world, enquiry=enquiry, enquiries=enquiries, foi=foi)


def message(
    body: str | bytes = "Hello,\r\nMy bin was not emptied.\r\n",
    *,
    subject: str | None = "Missed bin",
    sender: str | None = "Sam Resident <sam@example.org>",
    message_id: str | None = "<m1@example.org>",
    headers: tuple[str, ...] = (),
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    """A raw message: the headers given (``None`` leaves one out), a blank line, the body."""
    lines = []
    if sender is not None:
        lines.append(f"From: {sender}")
    lines.append("To: enquiries@test-council.example")
    if subject is not None:
        lines.append(f"Subject: {subject}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    lines.append("Date: Fri, 01 Jan 1999 00:00:00 +0000")
    lines.append("MIME-Version: 1.0")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(headers)
    head = "\r\n".join(lines).encode("utf-8") + b"\r\n\r\n"
    return head + (body.encode("utf-8") if isinstance(body, str) else body)


def nested_multiparts(depth: int) -> bytes:
    """A message whose multiparts nest ``depth`` deep, with one text part at the bottom."""
    opening = "".join(
        f'--b{n}\r\nContent-Type: multipart/mixed; boundary="b{n + 1}"\r\n\r\n'
        for n in range(depth)
    )
    closing = "".join(f"--b{n}--\r\n" for n in reversed(range(depth)))
    body = opening + f"--b{depth}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" + closing
    return message(body, content_type='multipart/mixed; boundary="b0"')


def nested_rfc822(depth: int) -> bytes:
    """A message wrapping a message wrapping a message, ``depth`` deep."""
    inner = b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    for _n in range(depth):
        inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
    return message(inner, content_type="message/rfc822")


def nested_comment_sender() -> bytes:
    """A From header of thousands of nested comments before the address (folded, so SMTP's
    line limit lets it through)."""
    return message(sender="\r\n ".join(["(" * 900] * 6) + "a@b.c")


# --- a real Dovecot IMAP server -------------------------------------------------------------
@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the session (each test makes users of its own); skipped with the reason
    when it cannot run here, except under ``make ci`` (``ONESTOP_REQUIRE_IMAP=1``)."""
    reason = dovecot_available()
    if reason:
        if os.environ.get("ONESTOP_REQUIRE_IMAP") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Not under pytest's temporary folders: they are private to root, and Dovecot's own users
    # (mail, dovecot) must reach the maildirs and the passwd file.
    root = Path(tempfile.mkdtemp(prefix="onestop-dovecot-"))
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_ca(dovecot: Dovecot, settings: Any) -> Dovecot:
    """Dovecot, with its CA trusted by OneStop's IMAP client."""
    settings.ONESTOP_IMAP_CA_FILE = str(dovecot.ca_file)
    return dovecot
