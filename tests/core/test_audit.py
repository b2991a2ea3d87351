"""The audit trail's hash chain: links, one chain per organisation, tamper evidence, rollback."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from django.db import IntegrityError, transaction

from onestop.core import audit
from onestop.core.models import AuditAction, AuditChainHead, AuditRecord, Organisation, User

HASHED_FIELDS = {
    "organisation",
    "sequence",
    "at",
    "actor",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "ip_address",
    "previous_hash",
}


def chain_of(organisation: Organisation) -> list[AuditRecord]:
    return list(AuditRecord.objects.for_organisation(organisation).order_by("sequence"))


def stored(entry: AuditRecord) -> AuditRecord:
    """The row ``entry`` was written as, read back."""
    row: AuditRecord = AuditRecord.objects.for_organisation(entry.organisation_id).get(pk=entry.pk)
    return row


def append(organisation: Organisation, object_type: str = "x") -> AuditRecord:
    return audit.record(
        organisation=organisation, by=None, action=AuditAction.VIEWED, object_type=object_type
    )


def test_each_record_links_to_the_one_before(council: Organisation) -> None:
    append(council, "first")
    append(council, "second")

    chain = chain_of(council)

    assert [record.sequence for record in chain] == list(range(1, len(chain) + 1))
    assert chain[0].previous_hash == audit.GENESIS_HASH
    assert [record.previous_hash for record in chain[1:]] == [record.hash for record in chain[:-1]]
    assert [audit.compute_hash(record) for record in chain] == [record.hash for record in chain]


def test_the_chain_head_follows_the_last_record(council: Organisation) -> None:
    last = append(council)

    head = AuditChainHead.objects.get(organisation=council)

    assert (head.sequence, head.hash) == (last.sequence, last.hash)


def test_each_organisation_has_its_own_chain(council: Organisation, partner: Organisation) -> None:
    council_before = len(chain_of(council))
    partner_before = len(chain_of(partner))

    append(council)
    append(partner)
    append(council)

    council_chain = chain_of(council)
    partner_chain = chain_of(partner)
    assert [record.sequence for record in council_chain] == list(range(1, council_before + 3))
    assert [record.sequence for record in partner_chain] == list(range(1, partner_before + 2))
    assert partner_chain[0].previous_hash == audit.GENESIS_HASH
    assert {report.organisation_id: report.broken for report in audit.verify()} == {
        council.pk: None,
        partner.pk: None,
    }


def test_the_hash_covers_every_field_but_the_id_and_itself() -> None:
    stored = {field.name for field in AuditRecord._meta.concrete_fields} - {"id", "hash"}

    assert stored == HASHED_FIELDS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation_id", 999),
        ("sequence", 99),
        ("at", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        ("actor_id", 999),
        ("actor_label", "someone.else"),
        ("action", AuditAction.DELETED),
        ("object_type", "customers.customer"),
        ("object_id", "42"),
        ("summary", "a different story"),
        ("changes", {"name": ["a", "b"]}),
        ("ip_address", str(ipaddress.ip_address("192.0.2.1"))),
        ("previous_hash", "f" * 64),
    ],
)
def test_changing_any_hashed_field_changes_the_hash(
    council: Organisation, advisor: User, field: str, value: object
) -> None:
    original = audit.record(
        organisation=council,
        by=advisor,
        action=AuditAction.CHANGED,
        object_type="core.user",
        object_id="1",
        summary="roles changed",
        changes={"roles": [[], ["advisor"]]},
        ip_address="10.0.0.1",
    )
    copy = AuditRecord.objects.for_organisation(council).get(pk=original.pk)

    setattr(copy, field, value)

    assert audit.compute_hash(copy) != original.hash


def test_two_records_cannot_share_a_place_in_one_chain(council: Organisation) -> None:
    last = append(council)
    duplicate = AuditRecord(
        organisation=council,
        sequence=last.sequence,
        at=last.at,
        actor_label="system",
        action=AuditAction.VIEWED,
        object_type="x",
        previous_hash=last.previous_hash,
        hash=last.hash,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)


def audit_then_fail(organisation: Organisation) -> None:
    with transaction.atomic():
        append(organisation, "doomed")
        raise RuntimeError("the service failed after auditing")


def test_a_record_rolls_back_with_its_transaction(council: Organisation) -> None:
    append(council, "kept")
    before = chain_of(council)
    head_before = AuditChainHead.objects.get(organisation=council)

    with pytest.raises(RuntimeError, match="failed after auditing"):
        audit_then_fail(council)
    survivor = append(council, "survivor")

    head = AuditChainHead.objects.get(organisation=council)
    assert [record.object_type for record in before] == ["kept"]
    assert [record.object_type for record in chain_of(council)] == ["kept", "survivor"]
    assert survivor.sequence == head_before.sequence + 1
    assert survivor.previous_hash == head_before.hash
    assert head.sequence == survivor.sequence


def test_long_values_are_cut_to_fit_and_still_verify(council: Organisation) -> None:
    record = audit.record(
        organisation=council,
        by=None,
        action=AuditAction.CHANGED,
        object_type="t" * 500,
        object_id="9" * 500,
        summary="s" * 5000,
    )

    assert (len(record.object_type), len(record.object_id), len(record.summary)) == (100, 100, 300)
    assert {report.broken for report in audit.verify()} == {None}


# On PostgreSQL an append is one call of ``core_audit_append`` (migration core.0006), which
# hashes the canonical text Python writes with two holes; on SQLite the same three statements
# as before.  Either way the record must be the one ``compute_hash`` and ``verify`` expect.
HOSTILE_TEXTS = [
    'quote " backslash \\ slash / braces {"sequence":1}',
    '","sequence":999,"summary":"forged',
    '"previous_hash":"' + "f" * 64 + '","sequence":"1"',
    "line\nbreak\ttab\rreturn \u2028 \u00e9\u00e8 Cymraeg \u0175\u0177 \U0001f600 \u200b",
    "\ufffd replacement and control \x01\x1f",
    "",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_a_record_of_any_text_hashes_as_verify_recomputes_it(
    council: Organisation, advisor: User, text: str
) -> None:
    first = append(council, "before")
    written = audit.record(
        organisation=council,
        by=advisor,
        action=AuditAction.CHANGED,
        object_type=text or "x",
        object_id=text,
        summary=text,
        changes={text: [text, 1, None, 2.5, True], "nested": {"b": text, "a": [text]}},
        ip_address="2001:db8::1",
    )

    row = stored(written)
    assert (written.sequence, written.previous_hash) == (first.sequence + 1, first.hash)
    assert written.hash == row.hash == audit.compute_hash(row)
    assert (row.summary, row.object_id, row.changes[text]) == (
        text[:300],
        text[:100],
        [text, 1, None, 2.5, True],
    )
    head = AuditChainHead.objects.get(organisation=council)
    assert (head.sequence, head.hash) == (written.sequence, written.hash)
    assert {report.broken for report in audit.verify()} == {None}


def test_the_first_record_of_an_organisation_starts_its_chain(partner: Organisation) -> None:
    assert not AuditChainHead.objects.filter(organisation=partner).exists()

    written = append(partner, "first")

    assert (written.sequence, written.previous_hash) == (1, audit.GENESIS_HASH)
    assert written.hash == audit.compute_hash(stored(written))
    head = AuditChainHead.objects.get(organisation=partner)
    assert (head.sequence, head.hash, head.purged_through) == (1, written.hash, 0)


def test_the_returned_record_is_the_stored_row(council: Organisation, advisor: User) -> None:
    written = audit.record(organisation=council, by=advisor, action=AuditAction.VIEWED, obj=advisor)

    row = stored(written)
    assert not written._state.adding
    for field in AuditRecord._meta.concrete_fields:
        assert getattr(written, field.attname) == getattr(row, field.attname), field.name
