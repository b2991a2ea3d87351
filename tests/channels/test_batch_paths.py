"""The poller's quick way (``channels.services.imap._take_batch(quick=True)``: one transaction
without savepoints, ``prepare_batch``'s lookups once per batch, the audit records written
together, references reserved in blocks) writes exactly the records the careful way (each
message through ``receive_message`` alone, as the pipe takes it) writes for the same messages:
new senders, a sender twice, a known customer, a reply threaded on a case, a redelivery in the
batch and one of a message kept before, a bounce, an auto-reply, a delivery report, mail from
one of our own mailboxes, and messages that cannot be parsed or are too big."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseClock, CaseEvent, CaseNote, EscalationDue
from onestop.channels import services
from onestop.channels.errors import ChannelError
from onestop.channels.models import InboundMessage, MailboxImap, MessageOutcome
from onestop.channels.services import imap as imap_services
from onestop.contacts.models import Contact
from onestop.core import audit
from onestop.core.models import AuditRecord, ReferenceCounter
from onestop.customers import services as customer_services
from onestop.customers.models import Customer, Email
from onestop.notify.models import Message
from tests.channels.conftest import MailWorld, message

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)
SNAPSHOT_MODELS: tuple[type[models.Model], ...] = (
    InboundMessage,
    Customer,
    Email,
    Contact,
    Case,
    CaseClock,
    EscalationDue,
    CaseEvent,
    CaseNote,
    Message,
    ReferenceCounter,
    AuditRecord,
)


class _RolledBack(Exception):
    def __init__(self, taken: Any) -> None:
        self.taken = taken


def _source(mail_world: MailWorld, monkeypatch: pytest.MonkeyPatch) -> MailboxImap:
    """The enquiries mailbox read over IMAP (the batch itself never talks to the server)."""
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__BATCH", "secret")
    source = imap_services.save_imap(
        mail_world.world.organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="127.0.0.1",
            port=993,
            security="tls",
            folder="INBOX",
            processed_folder="Processed",
            username="enquiries",
            credential="password",
            secret="env:ONESTOP_IMAP_TEST_COUNCIL__BATCH",
        ),
    )
    source.uidvalidity = 7
    source.save(update_fields=["uidvalidity"])
    return source


def _mixed(mail_world: MailWorld) -> list[bytes]:
    """The batch's messages, with what they stand for; some need records made first."""
    organisation = mail_world.world.organisation
    known = customer_services.create_customer(
        organisation,
        by=None,
        details=customer_services.CustomerDetails(given_name="Kim", family_name="Known"),
        contact_details=customer_services.ContactDetails(emails=("kim@example.org",)),
    )
    open_case = case_services.raise_case(
        organisation, by=None, case_type_code="general-enquiry", title="Fly-tipping", customer=known
    )
    kept_before = message(subject="Kept before", message_id="<before@example.org>")
    services.receive_message(kept_before, recipient=mail_world.enquiries.address)
    first = message(subject="Missed bin", sender="Ann Able <ann@example.org>")
    return [
        first,
        message(subject="Bulky waste", sender="Bo Baker <bo@example.org>", message_id="<b@x>"),
        first,  # redelivered within the batch
        message(subject="Again", sender="Ann Able <ANN@example.org>", message_id="<a2@x>"),
        message(subject="Hello", sender="Kim Known <kim@example.org>", message_id="<k@x>"),
        message(
            "Any news?",
            subject=f"Re: {open_case.reference}",
            sender="Kim Known <kim@example.org>",
            message_id="<reply@x>",
        ),
        kept_before,  # redelivered after it was kept
        message("I am away", headers=("Auto-Submitted: auto-replied",), message_id="<away@x>"),
        message(
            "--b\r\nContent-Type: text/plain\r\n\r\nUndeliverable\r\n--b--\r\n",
            content_type='multipart/report; report-type=delivery-status; boundary="b"',
            message_id="<report@x>",
        ),
        message(sender="MAILER-DAEMON@mx.example.org", message_id="<daemon@x>"),
        message(sender="FOI <foi@test-council.example>", message_id="<loop@x>"),
        b"\r\n\r\n",  # empty: unparseable
        message(  # malformed MIME: no boundary parameter, a part never closed, bad base64
            "--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64\r\n",
            subject="Broken",
            message_id="<broken@x>",
            content_type="multipart/mixed",
        ),
        message(
            subject="Huge",
            message_id="<huge@x>",
            headers=tuple(f"X-Filler-{n}: {'y' * 900}" for n in range(200)),
        ),
        message(subject="No sender", sender=None, message_id="<nobody@x>"),
    ]


def _snapshot(organisation_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the snapshot's models for the organisation, ids replaced by the row's place
    (PostgreSQL's sequences are not rolled back, so the two ways' ids differ; nothing else
    may)."""
    places: dict[type[models.Model], dict[Any, int]] = {}
    rows: dict[type[models.Model], list[dict[str, Any]]] = {}
    for model in SNAPSHOT_MODELS:
        manager: Any = model._default_manager
        scoped = (
            manager.for_organisation(organisation_id)
            if hasattr(manager, "for_organisation")
            else manager.filter(organisation_id=organisation_id)
        )
        rows[model] = list(scoped.order_by("pk").values())
        places[model] = {row["id"]: place for place, row in enumerate(rows[model])}
    by_label = {audit.object_type_of(model): model for model in SNAPSHOT_MODELS}
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for model, found in rows.items():
        relations = {
            field.attname: field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation
        }
        for row in found:
            row["id"] = places[model][row["id"]]
            for name, target in relations.items():
                if target in places and row[name] is not None:
                    row[name] = (target.__name__, places[target][row[name]])
            if model is AuditRecord:
                # The hashes cover the object's id: each way's chain is verified instead.
                del row["hash"], row["previous_hash"]
                target = by_label.get(row["object_type"])
                if target is not None and row["object_id"]:
                    row["object_id"] = places[target].get(int(row["object_id"]), "earlier")
                if isinstance(row["changes"].get("customer"), int):
                    row["changes"]["customer"] = places[Customer][row["changes"]["customer"]]
            if "raw" in row:
                row["raw"] = bytes(row["raw"])
        snapshot[model.__name__] = found
    return snapshot


def _take(
    source: MailboxImap, raws: list[bytes | None], *, quick: bool
) -> tuple[Any, dict[str, list[dict[str, Any]]], int]:
    """Take ``raws`` one way (None: too big to fetch), note what it wrote, and roll it all
    back."""
    items = list(enumerate(raws, 1))
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            taken = imap_services._take_batch(source, items, quick=quick)
            reports = audit.verify()
            assert [report.broken for report in reports] == [None] * len(reports)
            raise _RolledBack((taken, _snapshot(source.organisation_id)))
    except _RolledBack as rolled_back:
        result, snapshot = rolled_back.taken
        return result, snapshot, len(queries.captured_queries)


def test_the_quick_way_writes_what_one_message_at_a_time_writes(
    mail_world: MailWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(NOW, tick=False):
        source = _source(mail_world, monkeypatch)
        raws: list[bytes | None] = [*_mixed(mail_world), None]  # the last too big to fetch
        quick, quick_rows, quick_statements = _take(source, raws, quick=True)
        careful, careful_rows, careful_statements = _take(source, raws, quick=False)
    # The same UIDs taken (all but the one too big), the same counts, the same last UID.
    assert quick[0] == careful[0] == list(range(1, len(raws)))
    assert quick[1] == careful[1]
    assert quick[2] == careful[2] == len(raws)
    counts = quick[1]
    assert (counts.received, counts.already_kept, counts.left_in_folder) == (13, 2, 1)
    assert counts.outcomes == {
        MessageOutcome.RAISED: 6,
        MessageOutcome.THREADED: 1,
        MessageOutcome.DUPLICATE: 2,
        MessageOutcome.IGNORED_AUTO_REPLY: 4,
        MessageOutcome.REFUSED: 2,
    }
    # Exactly the same rows, model by model (ids apart), and both audit chains verify.
    for model in SNAPSHOT_MODELS:
        assert quick_rows[model.__name__] == careful_rows[model.__name__], model.__name__
    kept = [
        (row["subject"], row["outcome"], row["reason_code"]) for row in quick_rows["InboundMessage"]
    ]
    assert kept == [
        ("Kept before", MessageOutcome.RAISED, ""),
        ("Missed bin", MessageOutcome.RAISED, ""),
        ("Bulky waste", MessageOutcome.RAISED, ""),
        ("Again", MessageOutcome.RAISED, ""),
        ("Hello", MessageOutcome.RAISED, ""),
        (f"Re: {quick_rows['Case'][0]['reference']}", MessageOutcome.THREADED, ""),
        *[("Missed bin", MessageOutcome.IGNORED_AUTO_REPLY, "")] * 4,
        ("", MessageOutcome.REFUSED, ChannelError.UNPARSEABLE),
        ("Broken", MessageOutcome.RAISED, ""),
        ("", MessageOutcome.REFUSED, ChannelError.HEADERS_TOO_BIG),
        ("No sender", MessageOutcome.RAISED, ""),
    ]
    # Ann's second message found the customer her first made in the same batch; Kim's went to
    # the customer she already was: Kim, Sam (kept before), Ann and Bo.
    assert [row["given_name"] for row in quick_rows["Customer"]] == ["Kim", "Sam", "Ann", "Bo"]
    # References as one at a time leaves them: the counters stop at the last one used.
    cases = [row["reference"] for row in quick_rows["Case"]]
    assert len(cases) == len(set(cases)) == 2 + 6
    assert {row["prefix"]: row["value"] for row in quick_rows["ReferenceCounter"]} == {
        cases[0][:2]: 8,
        quick_rows["Customer"][0]["reference"][:2]: 4,
    }
    assert quick_statements < careful_statements
