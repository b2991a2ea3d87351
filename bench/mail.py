"""Benchmark: a shared mailbox read over IMAP by ``onestop mail-poll``, against fetching and
parsing the same messages with ``imaplib`` and the standard ``email`` package alone.

Starts the tests' Dovecot (``tests/channels/dovecot.py``: Debian's ``dovecot-imapd`` on
loopback with its own configuration, so it needs root and the package), delivers N distinct
messages to a fresh user's INBOX by IMAP APPEND, and times:

* ``baseline``: one IMAP session, ``UID FETCH 1:* (RFC822.SIZE)``, then ``UID FETCH`` of the
  bodies in batches of 100 and ``email.message_from_bytes(policy=email.policy.default)`` plus
  the first text part of each (the least any IMAP reader can do);
* ``onestop``: ``channels.services.imap.poll`` on that mailbox, as the worker runs it: every
  message through ``receive_message`` (stored, a customer, a contact and a case raised,
  audited), 100 per transaction (``TAKE_BATCH``; 25 until the last figures below) with the
  last UID, then moved to the processed folder.

* ``pipe``: the same messages through ``receive_message`` alone, as ``onestop mail-receive``
  takes them (no IMAP): what OneStop itself costs per message.

Prints messages per second for each and the ratios (the issue's target: OneStop within 3x of
the baseline).  Most of OneStop's time is raising the case (a customer, a contact, the case,
its deadlines, the acknowledgement in the outbox, an audit record for each), which the baseline
does not do; the IMAP machinery's own cost is the ``mail-poll``/``pipe`` ratio.  Counted with
Django's query capture on SQLite, a message read by ``mail-poll`` costs about 64 statements
(70 before the poller received 25 per transaction with the mailbox looked up once per batch):
the audit chain 12 (four records, each reading and moving the chain's head), the cases app
10, reference counters 6, customers 7, savepoints 12, channels 5, and the rest standards,
contacts, notify and directory.  The target of 3x needs those cut in the apps that own them
(an audit chain head moved once per transaction, the case type's standards, routing and
calendar cached per batch); the IMAP side is already at about 1x the pipe.  The batch's
messages now go without their services' savepoints (``core.batch.without_savepoints``, the
batch redone message by message when it fails): 29 statements per message on PostgreSQL
where there were 39.  The batch now also reads once and writes together what each message read
and wrote alone (``channels.services.prepare_batch``, ``core.audit.deferred``,
``core.references.reserved``): 14.8 where there were 28.6.  Then the batch's customers' contact
restrictions and ways to be reached were read once per batch (no UPDATE of the contact's
outcome either): 10.2 for new senders where there were 15.2 (8.3 for known ones, 13.2 before);
and each table's rows written together, one INSERT per table per batch
(``core.batch.deferred_inserts``): 2.2.  Run one after the other at a load average of about 5:
20 messages a second (23.3x) before, 27 (20.8x) with the reads, 120 (8.7x) with the inserts,
87 (10.0x) with the MIME headers parsed once per value too (the baseline between 478 and 1,044
a second: the ratio is rough); at a load average of about 2.3, alternately, 64 and 62 (27.1x,
26.4x) before, 200 and 153 (8.1x, 8.7x) after all three, 2.0 statements per message from known
senders.  Then the Python per message and the batch's size (``docs/channels.md``, "Python per
message"): rows written by ``COPY``, the audit's arrays sent as their text, 100 messages per
transaction (0.5 statements a message), the plain From address read without the standard
library's parser, one TLS context an hour; alternately, five of each at load averages of 2.8 to
4.3: before 100, 113, 166, 135 and 220 messages a second (7.9x, 11.2x, 7.1x, 7.6x, 5.6x), after
270, 210, 234, 330 and 314 (2.3x, 4.4x, 3.4x, 2.4x, 4.0x), the baseline moving between 620 and
1,267 a second: the target met in two runs of five.  Then the audit chain's head moved once per
batch (``core.0011``, the head's trigger proving every link it passes) and the batch's reads
made independent of the planner's statistics (the senders' owners by their ids; the head's
check read in one statement planned at each call): alternately, each run on a fresh copy of a
migrated database, at load averages of 5.0 to 6.8 (another engineer's tests running), before
292, 251, 268, 237 and 198 messages a second (3.5x, 5.7x, 4.7x, 5.6x, 3.9x), after 322, 266,
495, 246 and 326 (4.3x, 4.4x, 3.3x, 2.4x, 4.0x), the baseline between 599 and 1,645 a second;
at load averages of 1.0 to 1.4, before 416 to 563, after 512 to 739 (3.4x to 3.9x, baselines
1,803 to 2,620): met in one run of ten, so still not reliably.  ``--scale full`` (a fresh
database, load average 7.4 to 2.7): 334 a second against 1,042, 3.1x.  Then OneStop's own
Python per message again (a plain Subject and Message-ID read without the policy's header
parser, ``raise_case``'s field names translated only for a refusal, a sender's address
validated once, no ``pre_save`` call that only reads a value, a new case's escalation row
inserted with the batch's rows): a quarter less CPU a message (1.25-1.67 ms before, 0.99-1.13
after, a harness polling rounds of 300); alternately, eighteen pairs with another engineer's
benchmark holding one of the two cores (load averages 1.4 to 3.3), before 275 to 479 messages a
second (2.1x to 5.0x, median 3.2x, met in 6 of 18), after 308 to 574 (2.0x to 4.2x, median 2.8x,
met in 13 of 18): not yet measured on a quiet machine.  The timed poll, the first of its
process, also pays about 50 ms a running worker pays once (the TLS context's system
authorities, the new organisation's calendar tables).  ``--statements`` polls
one more batch (``TAKE_BATCH``) and lists its SQL; ``--profile`` polls 100 more under cProfile.
``--without-pipe`` leaves the pipe's figure out (at full scale it takes longer than the rest).
The throwaway database is ``var/bench-mail.sqlite3`` or the PostgreSQL database
``onestop_bench_mail`` on the local socket (created if missing; ``--database-name`` or
``ONESTOP_BENCH_MAIL_DB`` names another).  Scales: ``small`` 300 messages (``make bench``),
``full`` 10,000 (the issue's).  Run: ``.venv/bin/python bench/mail.py --scale full --database
postgresql``.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": 300, "full": 10_000}
TARGET = 3.0


def _configure(database: str, name: str) -> None:
    configure(database, name, "bench-mail.sqlite3", debug_off=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _mailbox(run: str) -> Any:
    """A mailbox of a council of this run's own (a fresh organisation, so nothing is shared
    with earlier runs)."""
    from onestop.cases.models import CaseKind
    from onestop.channels import services
    from onestop.core.models import Organisation
    from onestop.directory import services as directory_services
    from tests.cases import factories

    organisation = Organisation.objects.create(
        slug=f"bench-mail-{run}", name="Bench Council", type="district-council", nation="england"
    )
    factories.standards(organisation)
    waste = factories.service(organisation, "Waste and Recycling")
    crews = factories.team(waste, "Collection crews")
    enquiry = factories.case_type(
        organisation, "general-enquiry", kind=CaseKind.GENERAL_ENQUIRY, service=waste, team=crews
    )
    domain = f"bench-{run}.example"
    directory_services.verify_mail_domain(organisation, by=None, domain=domain)
    return services.save_mailbox(
        organisation,
        by=None,
        values=services.MailboxInput(
            address=f"enquiries@{domain}", name="Enquiries", case_type=enquiry
        ),
    )


def _message(number: int, run: str) -> bytes:
    return (
        f"From: Resident {number} <resident{number}@example.org>\r\n"
        f"To: enquiries@bench-{run}.example\r\n"
        f"Subject: Missed bin at number {number}\r\n"
        f"Message-ID: <bench-{run}-{number}@example.org>\r\n"
        "Date: Fri, 04 Dec 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\n\r\nThe bin at number {number} Station Road was not emptied on Tuesday.\r\n"
        "Could someone come back for it?\r\n\r\nThank you\r\n"
    ).encode()


def _baseline(dovecot: Any, user: str, password: str, count: int) -> float:
    """Seconds to fetch and parse every message with imaplib and email alone."""
    began = time.perf_counter()
    imap = dovecot.client(user, password)
    imap.select("INBOX", readonly=True)
    _status, data = imap.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
    uids = [int(m.group(1)) for line in data if (m := re.search(rb"UID (\d+)", line))]
    parsed = 0
    for start in range(0, len(uids), 100):
        batch = uids[start : start + 100]
        _status, data = imap.uid("FETCH", f"{batch[0]}:{batch[-1]}", "(UID BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple):
                message = email.message_from_bytes(item[1], policy=email.policy.default)
                body = message.get_body(preferencelist=("plain", "html"))
                if body is not None and body.get_content() and message["subject"]:
                    parsed += 1
    imap.logout()
    elapsed = time.perf_counter() - began
    if parsed != count:
        raise SystemExit(f"the baseline parsed {parsed} of {count} messages")
    return elapsed


def _statements(dovecot: Any, user: str, password: str, source: Any, run: str) -> None:
    """Poll one more batch (``TAKE_BATCH`` new messages) with the query capture: the statements
    per message and each kind of statement with its count (literals folded), most frequent
    first."""
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onestop.channels.services import imap as imap_services

    number = imap_services.TAKE_BATCH
    dovecot.append(user, password, [_message(n, run + "s") for n in range(number)])
    source.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        imap_services.poll(source)
    kinds = Counter(
        re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "?", query["sql"]))[:110]
        for query in queries.captured_queries
    )
    print(
        f"statements: {len(queries.captured_queries)} for a poll of {number} messages "
        f"({len(queries.captured_queries) / number:.1f} per message, with the poll's own)"
    )
    for sql, count in kinds.most_common():
        print(f"{count:5d}  {sql}")


def _profile(dovecot: Any, user: str, password: str, source: Any, run: str) -> None:
    """Poll one more batch (100 new messages) under cProfile: the 25 functions with the most
    cumulative time."""
    import cProfile
    import pstats

    from onestop.channels.services import imap as imap_services

    dovecot.append(user, password, [_message(n, run + "c") for n in range(100)])
    source.refresh_from_db()
    profiler = cProfile.Profile()
    profiler.runcall(imap_services.poll, source)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_MAIL_DB", "onestop_bench_mail"),
        help="the PostgreSQL database (default: $ONESTOP_BENCH_MAIL_DB or onestop_bench_mail)",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also poll one more batch (TAKE_BATCH) with Django's query capture and list its SQL",
    )
    parser.add_argument(
        "--without-pipe",
        action="store_true",
        help="leave out the pipe's figure (receive_message alone, about 9 minutes at full scale)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also poll one more batch of 100 under cProfile and print where the time goes",
    )
    options = parser.parse_args()
    count = SCALES[options.scale]

    from tests.channels.dovecot import Dovecot, available

    reason = available()
    if reason:
        print(f"mail: skipped: {reason}")
        return
    _configure(options.database, options.database_name)

    from django.conf import settings

    from onestop.channels import imap
    from onestop.channels.models import InboundMessage, MessageOutcome
    from onestop.channels.services import imap as imap_services

    root = Path(tempfile.mkdtemp(prefix="onestop-bench-dovecot-"))
    dovecot = Dovecot(root)
    dovecot.start()
    try:
        run = str(int(time.time() * 1000))
        user, password = dovecot.add_user()
        dovecot.append(user, password, [_message(n, run) for n in range(count)])
        baseline = _baseline(dovecot, user, password, count)

        settings.ONESTOP_IMAP_CA_FILE = str(dovecot.ca_file)
        mailbox = _mailbox(run)
        variable = imap.env_prefix(mailbox.organisation.slug) + "PASSWORD"
        os.environ[variable] = password
        source = imap_services.save_imap(
            mailbox.organisation,
            by=None,
            mailbox=mailbox,
            values=imap_services.ImapInput(
                host="127.0.0.1",
                port=dovecot.tls_port,
                security="tls",
                folder="INBOX",
                processed_folder="OneStop/Processed",
                username=user,
                credential="password",
                secret=f"env:{variable}",
            ),
        )
        # Warm up (imports, caches) on another mailbox, so neither timing pays for it.
        from onestop.channels.services import receive_message

        other = _mailbox(run + "p")
        receive_message(_message(-1, run), recipient=other.address)
        began = time.perf_counter()
        result = imap_services.poll(source)
        onestop = time.perf_counter() - began
        if result.error:
            raise SystemExit(f"the poll failed: {result.error}")
        raised = (
            InboundMessage.objects.for_organisation(mailbox.organisation_id)
            .filter(outcome=MessageOutcome.RAISED)
            .count()
        )
        if raised != count or dovecot.uids(user, password, "INBOX"):
            raise SystemExit(f"{raised} of {count} messages raised a case, or some were not moved")

        if options.statements:
            _statements(dovecot, user, password, source, run)
        if options.profile:
            _profile(dovecot, user, password, source, run)

        # What the pipe does with the same messages (no IMAP): OneStop's own share of the cost.
        piped = None
        if not options.without_pipe:
            messages = [_message(n, run) for n in range(count)]
            began = time.perf_counter()
            for raw in messages:
                receive_message(raw, recipient=other.address)
            piped = time.perf_counter() - began
    finally:
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)
    ratio = onestop / baseline
    line = (
        f"mail ({options.scale}, {options.database}, {count} messages): "
        f"baseline imaplib+email {count / baseline:,.0f}/s, "
        f"onestop mail-poll {count / onestop:,.0f}/s, ratio {ratio:.1f}x "
        f"(target within {TARGET:.0f}x: {'met' if ratio <= TARGET else 'NOT met'})"
    )
    if piped is not None:
        line += (
            f"; the same messages through receive_message alone (the pipe, no IMAP) "
            f"{count / piped:,.0f}/s: reading over IMAP costs {onestop / piped:.2f}x the pipe"
        )
    print(line)


if __name__ == "__main__":
    main()
