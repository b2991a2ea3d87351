"""Writes held for an all-or-nothing batch (the IMAP poller's quick way): audit records written
together when the batch ends (``audit.deferred``) and references taken from their counters in
blocks (``references.reserved``).  Either way the result is what one write at a time makes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onestop.core import audit, references
from onestop.core.models import (
    AuditAction,
    AuditChainHead,
    AuditRecord,
    Organisation,
    ReferenceCounter,
    User,
)

pytestmark = pytest.mark.django_db


def _take_then_fail(take: Callable[[], object], *, reserve: bool) -> None:
    """A batch that takes something, then fails."""
    with references.reserved(25) if reserve else audit.deferred():
        take()
        raise RuntimeError("the batch failed")


def _counter(organisation: Organisation, prefix: str, year: int = 26) -> int:
    return int(
        ReferenceCounter.objects.get(organisation=organisation, prefix=prefix, year=year).value
    )


# --- references -----------------------------------------------------------------------------
def test_references_reserved_in_a_block_are_those_one_at_a_time_gives(
    council: Organisation, partner: Organisation
) -> None:
    references.next_reference(council, "SR", 2026)  # the counters exist
    references.next_reference(council, "CU", 2026)
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        references.reserved(5),
    ):
        taken = [references.next_reference(council, "SR", 2026) for _n in range(7)]
        customer = references.next_reference(council, "CU", 2026)
        partners = references.next_reference(partner, "SR", 2026)  # no counter yet
    # Two blocks of SR (5, then 5 more of which 2 used), one of CU: each given back down to the
    # last used, so the counters end where seven and one single takes leave them.
    assert taken == [references.format_reference("SR", 2026, n) for n in range(2, 9)]
    assert customer == references.format_reference("CU", 2026, 2)
    assert partners == references.format_reference("SR", 2026, 1)
    assert (_counter(council, "SR"), _counter(council, "CU"), _counter(partner, "SR")) == (8, 2, 1)
    # Per counter: a reservation per block and one give-back; the partner's new counter is made
    # the ordinary way (its first number), nothing reserved.
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2 + 1 + 1 + 1 + 2  # SR x2, SR back, CU, CU back, partner's 2
    with transaction.atomic():
        assert references.next_reference(council, "SR", 2026) == references.format_reference(
            "SR", 2026, 9
        )


def test_a_block_used_to_its_end_gives_nothing_back(council: Organisation) -> None:
    references.next_reference(council, "SR", 2026)
    with transaction.atomic(), references.reserved(3):
        taken = [references.next_reference(council, "SR", 2026) for _n in range(3)]
    assert taken[-1] == references.format_reference("SR", 2026, 4)
    assert _counter(council, "SR") == 4


def test_a_batch_that_fails_leaves_the_counter_where_it_was(council: Organisation) -> None:
    references.next_reference(council, "SR", 2026)
    with pytest.raises(RuntimeError, match="failed"), transaction.atomic():
        _take_then_fail(lambda: references.next_reference(council, "SR", 2026), reserve=True)
    assert _counter(council, "SR") == 1
    assert references.next_reference(council, "SR", 2026) == references.format_reference(
        "SR", 2026, 2
    )


# --- audit ------------------------------------------------------------------------------------
def _chain(organisation: Organisation) -> list[AuditRecord]:
    return list(AuditRecord.objects.for_organisation(organisation).order_by("sequence"))


def test_deferred_records_are_written_together_and_chained_as_one_at_a_time(
    council: Organisation, partner: Organisation, advisor: User
) -> None:
    for organisation in (council, partner):  # their chains have begun
        audit.record(
            organisation=organisation, by=None, action=AuditAction.VIEWED, object_type="before"
        )
    before = len(_chain(council))  # with the advisor's own records
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with audit.deferred():
            held = [
                audit.record(
                    organisation=organisation,
                    by=advisor if n % 2 else None,
                    action=AuditAction.CREATED,
                    object_type="x",
                    object_id=str(n),
                    summary=f"record {n} \u2019 {'y' * 400}",
                    changes={"n": n, "text": "\u202e", "none": None},
                    ip_address="2001:db8::1" if n == 3 else None,
                )
                for n, organisation in enumerate([council, partner, council, council])
            ]
            # Nothing is written until the block ends; the records are answered unsaved.
            assert [entry.pk for entry in held] == [None] * 4
            assert len(_chain(council)) == before
            written_during = len(queries.captured_queries)
        after = len(queries.captured_queries) - written_during
    assert after == (1 if connection.vendor == "postgresql" else 3 * 4)
    council_chain, partner_chain = _chain(council), _chain(partner)
    assert [row.sequence for row in council_chain] == list(range(1, before + 4))
    assert [row.object_id for row in council_chain[before - 1 :]] == ["", "0", "2", "3"]
    assert [(row.sequence, row.object_id) for row in partner_chain] == [(1, ""), (2, "1")]
    assert [row.previous_hash for row in council_chain[1:]] == [r.hash for r in council_chain[:-1]]
    for entry in held:  # each record answered is now the stored row
        row = AuditRecord.objects.for_organisation(entry.organisation_id).get(pk=entry.pk)
        for field in AuditRecord._meta.concrete_fields:
            assert getattr(entry, field.attname) == getattr(row, field.attname), field.name
        assert audit.compute_hash(row) == row.hash
    head = AuditChainHead.objects.get(organisation=council)
    assert (head.sequence, head.hash) == (before + 3, council_chain[-1].hash)
    assert {report.broken for report in audit.verify()} == {None}


def _head_updates() -> int:
    """How many times this transaction has updated a chain head's row (PostgreSQL's own count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'core_auditchainhead'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="core_audit_append_many (one statement for the batch) is PostgreSQL's",
)
def test_deferred_records_move_each_chain_head_once_per_run_of_its_records(
    council: Organisation, partner: Organisation
) -> None:
    for organisation in (council, partner):  # their chains have begun
        audit.record(organisation=organisation, by=None, action=AuditAction.VIEWED, object_type="b")
    order = [council] * 40 + [partner] * 3 + [council] * 2
    with transaction.atomic():
        updated_before = _head_updates()
        with audit.deferred():
            for number, organisation in enumerate(order):
                audit.record(
                    organisation=organisation,
                    by=None,
                    action=AuditAction.CREATED,
                    object_type="x",
                    object_id=str(number),
                )
        updated = _head_updates() - updated_before
    assert updated == 3  # the council's run of 40, the partner's 3, the council's 2
    heads = {head.organisation_id: head for head in AuditChainHead.objects.all()}
    assert (heads[council.pk].sequence, heads[partner.pk].sequence) == (
        len(_chain(council)),
        4,
    )
    assert heads[council.pk].hash == _chain(council)[-1].hash
    assert [row.object_id for row in _chain(council)[-2:]] == ["43", "44"]
    assert {report.broken for report in audit.verify()} == {None}


def test_deferred_records_of_a_failed_batch_are_not_written(council: Organisation) -> None:
    with pytest.raises(RuntimeError, match="failed"), transaction.atomic():
        _take_then_fail(
            lambda: audit.record(
                organisation=council, by=None, action=AuditAction.CREATED, object_type="x"
            ),
            reserve=False,
        )
    assert _chain(council) == []
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, audit.deferred():
        pass  # nothing held, nothing written
    assert (_chain(council), len(queries.captured_queries)) == ([], 0)


# What a PostgreSQL array's text would read as something else if it were not quoted and
# escaped: its separators and braces, quotes, backslashes, its null, an empty value, spaces.
ARRAY_AWKWARD = ["", "NULL", "null", "a,b", "{x}", '"q"', "back\\slash", " sp ", "line\nbreak"]


def test_deferred_records_of_any_text_are_stored_as_one_at_a_time_stores_them(
    council: Organisation,
) -> None:
    def record(text: str) -> AuditRecord:
        return audit.record(
            organisation=council,
            by=None,
            action=AuditAction.CHANGED,
            object_type=f"type {text}",
            object_id=text,
            summary=text,
            changes={"text": text, "list": [text, None], text: 1},
        )

    alone = [record(text) for text in ARRAY_AWKWARD]
    with transaction.atomic(), audit.deferred():
        held = [record(text) for text in ARRAY_AWKWARD]
    fields = ("object_type", "object_id", "summary", "changes", "ip_address", "actor_label")
    stored = {
        row.pk: row for row in AuditRecord.objects.for_organisation(council).order_by("sequence")
    }
    for one, together, text in zip(alone, held, ARRAY_AWKWARD, strict=True):
        a, b = stored[one.pk], stored[together.pk]
        assert [getattr(b, name) for name in fields] == [getattr(a, name) for name in fields]
        assert (b.summary, b.changes["text"]) == (text, text)
        assert audit.compute_hash(b) == b.hash
    assert {report.broken for report in audit.verify()} == {None}
