"""Benchmark: acknowledgements sent by the worker to a local GOV.UK Notify, against a loop
calling Notify's client directly for the same messages.

Builds N pending acknowledgements in a throwaway database (``var/bench-notify.sqlite3``, or
the PostgreSQL database ``onestop_bench_notify`` on the local socket, created if missing;
``--database-name`` or ``ONESTOP_BENCH_NOTIFY_DB`` names another), starts the local Notify of
the tests (``tests/notify/notifysend_helpers.FakeNotify``: it checks every request's JWT), and
times:

* ``baseline``: ``NotificationsAPIClient.send_email_notification`` in a loop over the messages'
  addresses, subjects and bodies (the least any sender can do: one signed request each);
* ``worker``: ``notify.services.sending.process_due`` with the Notify sender, as ``onestop
  worker --until-idle`` runs it: claims in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
  marks each ``sending`` and commits, sends, records Notify's id and ``sent`` (one UPDATE a
  batch on PostgreSQL), and writes each message's history (``MessageChange``) and one audit
  record per batch for the claim and one for the outcome (checked after the run).

Prints messages per second for both and the ratio (target: the worker within 1.5x of the
baseline).  Notify's 3,000 a minute is switched off for both (the local server has no limit;
with it, each would take 3 minutes 20 seconds for 10,000).  Scales: ``small`` 2,000
messages, ``full`` 10,000 (the issue's).  Run: ``.venv/bin/python bench/notify.py --scale full``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": 2_000, "full": 10_000}


def _configure(database: str, name: str) -> None:
    configure(database, name, "bench-notify.sqlite3", debug_off=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _messages(count: int) -> list[Any]:
    """``count`` pending acknowledgements of the bench council (earlier runs' removed)."""
    from django.utils import timezone

    from onestop.core.models import Organisation
    from onestop.notify.models import Channel, Event, Message, RecipientKind

    organisation = Organisation.objects.filter(slug="bench-notify").first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug="bench-notify", name="Bench Council", type="district-council", nation="england"
        )
    Message.objects.for_organisation(organisation).delete()
    now = timezone.now()
    Message.objects.bulk_create(
        (
            Message(
                organisation=organisation,
                recipient_kind=RecipientKind.CUSTOMER,
                recipient_label=f"Resident {number}",
                address=f"resident{number}@example.org",
                channel=Channel.EMAIL,
                event=Event.ACKNOWLEDGEMENT,
                subject=f"We have your request SR-26-B{number}",
                body=(
                    f"Dear Resident {number},\n\nThank you for telling us about a missed bin. "
                    f"Your reference is SR-26-B{number}. We will reply within 10 working days."
                ),
                created_at=now,
                updated_at=now,
            )
            for number in range(count)
        ),
        batch_size=2_000,
    )
    return list(Message.objects.for_organisation(organisation).order_by("id"))


def _history(organisation_id: int, first_id: int, since: Any) -> tuple[int, int]:
    """The run's history rows and the worker's audit records (``notify.message`` records of
    the bench council written since the run began)."""
    from onestop.core.models import AuditRecord
    from onestop.notify.models import MessageChange

    changes = (
        MessageChange.objects.for_organisation(organisation_id)
        .filter(message_id__gte=first_id)
        .count()
    )
    records = (
        AuditRecord.objects.for_organisation(organisation_id)
        .filter(object_type="notify.message", at__gte=since)
        .count()
    )
    return changes, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_NOTIFY_DB", "onestop_bench_notify"),
        help="the PostgreSQL database (default: $ONESTOP_BENCH_NOTIFY_DB or onestop_bench_notify)",
    )
    options = parser.parse_args()
    count = SCALES[options.scale]
    _configure(options.database, options.database_name)

    from django.conf import settings
    from django.utils import timezone
    from notifications_python_client.notifications import NotificationsAPIClient

    from onestop.notify.models import MessageStatus
    from onestop.notify.senders import configured
    from onestop.notify.services import sending
    from tests.notify import notifysend_helpers as helpers

    server = helpers.FakeNotify().start()
    settings.ONESTOP_MESSAGE_SENDER = "notify"
    settings.ONESTOP_NOTIFY_API_KEY = helpers.API_KEY
    settings.ONESTOP_NOTIFY_BASE_URL = server.url
    settings.ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID = helpers.EMAIL_TEMPLATE
    settings.ONESTOP_NOTIFY_SMS_TEMPLATE_ID = helpers.SMS_TEMPLATE
    settings.ONESTOP_NOTIFY_RATE_PER_MINUTE = 0
    try:
        messages = _messages(count)
        client = NotificationsAPIClient(helpers.API_KEY, base_url=server.url)  # type: ignore[no-untyped-call]
        began = time.perf_counter()
        for message in messages:
            client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=message.address,
                template_id=helpers.EMAIL_TEMPLATE,
                personalisation={"subject": message.subject, "body": message.body},
                reference=message.reference,
            )
        baseline = time.perf_counter() - began
        assert server.bad_tokens == 0  # noqa: S101 - a benchmark's own check
        server.reset()

        sender = configured()
        since = timezone.now()
        began = time.perf_counter()
        run = sending.process_due(sender=sender)
        worker = time.perf_counter() - began
        sent = run.statuses.get(MessageStatus.SENT, 0)
        received = sum(server.posts.values())
        if sent != count or received != count or max(server.posts.values()) != 1:
            raise SystemExit(f"the worker sent {sent} and Notify received {received}, not {count}")
        changes, records = _history(messages[0].organisation_id, messages[0].pk, since)
        batches = -(-count // settings.ONESTOP_MESSAGE_BATCH)
        if changes != 2 * count or records != 2 * batches:
            raise SystemExit(f"{changes} history rows and {records} audit records written")
    finally:
        server.stop()
    vendor = options.database
    print(f"notify_send[{vendor}] {count} acknowledgements:")
    print(f"  baseline (client loop): {count / baseline:8.0f} messages/s ({baseline:.2f} s)")
    print(f"  worker (process_due):   {count / worker:8.0f} messages/s ({worker:.2f} s)")
    print(f"  ratio worker/baseline time: {worker / baseline:.2f}x (target <= 1.5x)")
    print(f"  history rows {changes}, audit records {records}")
    print("  load average: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
