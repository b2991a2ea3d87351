"""``onestop audit verify``: every chain checked, tampering found, exit status 1 when broken.

The audit table refuses UPDATE and DELETE through database triggers; to play the tamperer these
tests switch the trigger off inside the test's own transaction (rolled back afterwards).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from onestop.core import audit
from onestop.core.models import AuditAction, AuditRecord, Organisation, User


@pytest.fixture
def chains(council: Organisation, partner: Organisation, advisor: User) -> None:
    for number in range(3):
        audit.record(
            organisation=council, by=advisor, action=AuditAction.VIEWED, object_type=f"c.{number}"
        )
    audit.record(organisation=partner, by=None, action=AuditAction.VIEWED, object_type="p.0")


def disable_append_only_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")
            cursor.execute("DROP TRIGGER core_auditrecord_no_delete")
        else:
            # Pending deferred foreign-key checks would block ALTER TABLE in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only"
            )


def run_verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def run_verify_expecting_failure() -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=out)
    return out.getvalue(), failure.value


def sequence_of(organisation: Organisation, object_type: str) -> int:
    sequence: int = (
        AuditRecord.objects.for_organisation(organisation)
        .values_list("sequence", flat=True)
        .get(object_type=object_type)
    )
    return sequence


@pytest.mark.usefixtures("chains")
def test_intact_chains_are_reported_ok(council: Organisation, partner: Organisation) -> None:
    council_count = AuditRecord.objects.for_organisation(council).count()
    partner_count = AuditRecord.objects.for_organisation(partner).count()

    output = run_verify()

    assert output.splitlines() == [
        f"test-council: {council_count} records, ok",
        f"test-housing: {partner_count} records, ok",
        "Every audit chain is intact.",
    ]


@pytest.mark.usefixtures("chains")
def test_an_edited_record_is_reported_and_exits_1(council: Organisation) -> None:
    target = sequence_of(council, "c.1")
    disable_append_only_triggers()
    AuditRecord.objects.for_organisation(council).filter(sequence=target).update(
        summary="nothing to see here"
    )

    output, error = run_verify_expecting_failure()

    assert f"test-council: {target} records, BROKEN at record {target}: " in output
    assert "was edited after it was written" in output
    assert "test-housing: " in output
    assert error.returncode == 1


@pytest.mark.usefixtures("chains")
def test_a_deleted_record_is_reported_and_exits_1(council: Organisation) -> None:
    target = sequence_of(council, "c.1")
    disable_append_only_triggers()
    AuditRecord.objects.for_organisation(council).filter(sequence=target).delete()

    output, error = run_verify_expecting_failure()

    assert f"BROKEN at record {target}: missing (deleted)" in output
    assert error.returncode == 1


@pytest.mark.usefixtures("chains")
def test_a_deleted_last_record_is_reported(partner: Organisation) -> None:
    disable_append_only_triggers()
    AuditRecord.objects.for_organisation(partner).filter(object_type="p.0").delete()

    output, error = run_verify_expecting_failure()

    assert "missing at the end of the chain (deleted)" in output
    assert error.returncode == 1


@pytest.mark.usefixtures("chains")
def test_a_rehashed_edit_still_breaks_the_next_link(council: Organisation) -> None:
    target = sequence_of(council, "c.1")
    disable_append_only_triggers()
    edited = AuditRecord.objects.for_organisation(council).get(sequence=target)
    edited.summary = "forged"
    edited.hash = audit.compute_hash(edited)
    edited.save(update_fields=["summary", "hash"])

    output, _error = run_verify_expecting_failure()

    assert f"BROKEN at record {target + 1}: does not follow the record before it" in output


@pytest.mark.usefixtures("chains")
def test_the_database_refuses_to_update_an_audit_record(council: Organisation) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.for_organisation(council).update(summary="changed")

    assert run_verify().endswith("Every audit chain is intact.\n")


@pytest.mark.usefixtures("chains")
def test_the_database_refuses_to_delete_an_audit_record(council: Organisation) -> None:
    before = AuditRecord.objects.for_organisation(council).count()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditrecord WHERE organisation_id = %s", [council.pk])

    assert AuditRecord.objects.for_organisation(council).count() == before == 4
