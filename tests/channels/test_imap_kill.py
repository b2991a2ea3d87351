"""The IMAP kill test (issue 16): ``onestop mail-poll`` killed with ``kill -9`` in the middle
of 500 messages, and started again until it finishes.

The poller runs as a real subprocess on PostgreSQL against the real Dovecot.  The test kills it
at random moments once it has taken a random number more messages (so some kills land between a
message's commit and its move to the processed folder), and starts it again.  Afterwards every
message was received exactly once (one ``InboundMessage``, one case each), none was lost, the
folder is empty and the processed folder holds all 500.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from onestop.cases.models import Case
from onestop.channels.models import InboundMessage, MessageOutcome
from onestop.channels.services import imap as imap_services
from tests.channels.conftest import MailWorld, message
from tests.channels.dovecot import Dovecot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 500
KILLS = 5
PROCESSED = "OneStop/Processed"


def _database_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def _count(organisation_id: int) -> int:
    return InboundMessage.objects.for_organisation(organisation_id).count()


def test_each_message_is_taken_exactly_once_across_kill_9(
    mail_world: MailWorld, dovecot: Dovecot
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: the poller runs as another process, which cannot open the "
            "in-memory SQLite test database, and the kill test is about PostgreSQL commits"
        )
    randomness = random.Random(16)  # noqa: S311 - test timing, not security
    user, password = dovecot.add_user()
    organisation = mail_world.world.organisation
    imap_services.save_imap(
        organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="127.0.0.1",
            port=dovecot.tls_port,
            security="tls",
            folder="INBOX",
            processed_folder=PROCESSED,
            username=user,
            credential="password",
            secret="env:ONESTOP_IMAP_TEST_COUNCIL__KILL_TEST",
        ),
    )
    dovecot.append(
        user,
        password,
        [
            message(
                f"Message {n}: the bin at number {n} was not emptied.\r\n",
                subject=f"Missed bin {n}",
                sender=f"Resident {n} <resident{n}@example.org>",
                message_id=f"<imap-kill-{n}@example.org>",
            )
            for n in range(MESSAGES)
        ],
    )
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ONESTOP_DEV": "1",
        "ONESTOP_IMAP_CA_FILE": str(dovecot.ca_file),
        "ONESTOP_IMAP_TEST_COUNCIL__KILL_TEST": password,
    }
    kills = 0
    runs = 0
    started = time.monotonic()
    while True:
        runs += 1
        assert runs < 30, "the poller never finished"
        process = subprocess.Popen(
            [sys.executable, "-m", "onestop.cli", "mail-poll", "--now"],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        if kills < KILLS:
            target = _count(organisation.pk) + randomness.randint(20, 80)
            while process.poll() is None and _count(organisation.pk) < target:
                time.sleep(0.01)
            time.sleep(randomness.uniform(0.0, 0.03))  # sometimes between commit and move
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                kills += 1
                continue
        output, _errors = process.communicate(timeout=120)
        assert process.returncode == 0
        assert b"failing" not in output, output
        if _count(organisation.pk) == MESSAGES and not dovecot.uids(user, password, "INBOX"):
            break
    assert kills == KILLS
    stored = Counter(
        InboundMessage.objects.for_organisation(organisation).values_list("message_id", flat=True)
    )
    assert set(stored) == {f"<imap-kill-{n}@example.org>" for n in range(MESSAGES)}
    assert [identifier for identifier, count in stored.items() if count != 1] == []
    outcomes = Counter(
        InboundMessage.objects.for_organisation(organisation).values_list("outcome", flat=True)
    )
    assert outcomes == {MessageOutcome.RAISED: MESSAGES}
    assert Case.objects.for_organisation(organisation).count() == MESSAGES
    assert dovecot.uids(user, password, "INBOX") == []
    assert len(dovecot.uids(user, password, PROCESSED)) == MESSAGES
    # About 40 seconds on an idle two-core machine; the bound only catches a poller that hangs.
    assert time.monotonic() - started < 600
