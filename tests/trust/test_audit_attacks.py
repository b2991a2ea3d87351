"""Attacks on the audit trail that stay in CI (issue 11, item 1).

- As a PostgreSQL role with only the rights ``onestop db grant-app-role`` gives the application
  (a role created inside the test, rolled back with it), audit records cannot be updated,
  deleted or truncated, the chain head cannot be rewound or deleted, and the retention purge
  refuses anything younger than the retention period.
- As the tables' owner, who can get past every trigger, a cut or rewritten tail and emptied
  tables still show: ``audit verify --checkpoint FILE`` compares the chains with a signed
  checkpoint kept outside the database and exits 1 (this part runs on SQLite too).
- A bad or missing key or checkpoint file is one plain line and exit status 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from onestop.core import audit
from onestop.core.models import AuditAction, AuditChainHead, AuditRecord, Organisation

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database roles, SECURITY DEFINER and TRUNCATE triggers exist only on PostgreSQL",
)


@pytest.fixture
def council_chain(council: Organisation) -> list[AuditRecord]:
    return [
        audit.record(
            organisation=council, by=None, action=AuditAction.VIEWED, object_type=f"c.{number}"
        )
        for number in range(5)
    ]


@pytest.fixture
def key_file(tmp_path: Path) -> str:
    path = tmp_path / "checkpoint.key"
    path.write_text("k" * 64 + "\n", encoding="utf-8")
    return str(path)


def run_audit(*arguments: str) -> str:
    out = StringIO()
    call_command("audit", *arguments, stdout=out)
    return out.getvalue()


def run_audit_failing(*arguments: str) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", *arguments, stdout=out)
    return out.getvalue(), failure.value


def write_checkpoint(tmp_path: Path, key_file: str) -> str:
    path = str(tmp_path / "checkpoints.jsonl")
    run_audit("checkpoint", "--out", path, "--key-file", key_file)
    return path


def as_owner_past_the_triggers() -> None:
    """What the tables' owner (or a superuser) can always do: switch the guards off."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in (
                "core_auditrecord_no_delete",
                "core_auditchainhead_forward_only",
                "core_auditchainhead_no_delete",
            ):
                cursor.execute(f"DROP TRIGGER {trigger}")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_auditchainhead DISABLE TRIGGER USER")


def cut_the_tail(organisation: Organisation, keep: int) -> None:
    """Delete every record after ``keep`` and rewind the head to it: a consistent, shorter chain."""
    as_owner_past_the_triggers()
    records = AuditRecord.objects.for_organisation(organisation)
    kept = records.get(sequence=keep)
    records.filter(sequence__gt=keep).delete()
    AuditChainHead.objects.filter(organisation=organisation).update(
        sequence=kept.sequence, hash=kept.hash
    )


# --- The checkpoint (both databases) -------------------------------------------------------


def test_a_cut_tail_passes_plain_verify_but_not_the_checkpoint(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path, key_file)
    cut_the_tail(council, keep=2)

    assert run_audit("verify").endswith("Every audit chain is intact.\n")
    output, error = run_audit_failing("verify", "--checkpoint", checkpoint, "--key-file", key_file)

    assert "test-council: MISSING AFTER CHECKPOINT: records 3-5 missing" in output
    assert "the head is now at 2 (rewound)" in output
    assert error.returncode == 1
    assert str(error) == "1 chain(s) cut short since a checkpoint."


def test_the_furthest_of_several_checkpoints_counts(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path, key_file)
    audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="sixth")
    run_audit("checkpoint", "--out", checkpoint, "--key-file", key_file)
    cut_the_tail(council, keep=5)

    output, error = run_audit_failing("verify", "--checkpoint", checkpoint, "--key-file", key_file)

    assert "test-council: MISSING AFTER CHECKPOINT: record 6 missing" in output
    assert error.returncode == 1


def test_emptied_tables_are_caught_by_the_checkpoint(
    council: Organisation,
    partner: Organisation,
    council_chain: list[AuditRecord],
    key_file: str,
    tmp_path: Path,
) -> None:
    audit.record(organisation=partner, by=None, action=AuditAction.VIEWED, object_type="p")
    checkpoint = write_checkpoint(tmp_path, key_file)
    with audit.purge_window("the owner empties the audit trail"), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred checks block it
            cursor.execute("TRUNCATE core_auditrecord, core_auditchainhead")
        else:
            cursor.execute("DELETE FROM core_auditrecord")
            cursor.execute("DELETE FROM core_auditchainhead")

    assert run_audit("verify").splitlines() == [
        "test-council: 0 records, ok",
        "test-housing: 0 records, ok",
        "Every audit chain is intact.",
    ]
    output, error = run_audit_failing("verify", "--checkpoint", checkpoint, "--key-file", key_file)

    assert "test-council: MISSING AFTER CHECKPOINT: records 1-5 missing" in output
    assert "test-housing: MISSING AFTER CHECKPOINT: record 1 missing" in output
    assert "the chain is gone" in output
    assert error.returncode == 1


def test_a_rewritten_tail_is_caught_by_the_checkpoint(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path, key_file)
    cut_the_tail(council, keep=3)
    for forged in ("forged.4", "forged.5"):
        audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type=forged)

    assert run_audit("verify").endswith("Every audit chain is intact.\n")
    output, error = run_audit_failing("verify", "--checkpoint", checkpoint, "--key-file", key_file)

    assert "record 5 differs from the checkpoint" in output
    assert error.returncode == 1


def test_chains_that_grew_since_every_checkpoint_verify(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path, key_file)
    audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="later")
    run_audit("checkpoint", "--out", checkpoint, "--key-file", key_file)
    audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="last")

    output = run_audit("verify", "--checkpoint", checkpoint, "--key-file", key_file)

    lines = Path(checkpoint).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["chains"][0]["sequence"] for line in lines] == [5, 6]
    assert output.splitlines()[-2:] == [
        f"Every record the 2 checkpoint(s) in {checkpoint} saw is still there.",
        "Every audit chain is intact.",
    ]


def test_a_checkpoint_on_standard_output_is_one_line_a_log_can_carry(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    line = run_audit("checkpoint", "--out", "-", "--key-file", key_file)
    shipped = tmp_path / "shipped.jsonl"
    shipped.write_text(line, encoding="utf-8")
    cut_the_tail(council, keep=4)

    output, error = run_audit_failing(
        "verify", "--checkpoint", str(shipped), "--key-file", key_file
    )

    assert line.count("\n") == 1
    assert json.loads(line)["chains"][0]["sequence"] == 5
    assert "test-council: MISSING AFTER CHECKPOINT: record 5 missing" in output
    assert error.returncode == 1


def test_a_checkpoint_changed_after_signing_is_refused_with_exit_2(
    council: Organisation, council_chain: list[AuditRecord], key_file: str, tmp_path: Path
) -> None:
    checkpoint = Path(write_checkpoint(tmp_path, key_file))
    signed = json.loads(checkpoint.read_text(encoding="utf-8"))
    signed["chains"][0]["sequence"] = 2  # make a cut tail look expected
    checkpoint.write_text(json.dumps(signed) + "\n", encoding="utf-8")
    cut_the_tail(council, keep=2)

    _output, error = run_audit_failing(
        "verify", "--checkpoint", str(checkpoint), "--key-file", key_file
    )

    assert error.returncode == 2
    assert str(error) == (
        f"{checkpoint} line 1: the signature does not match (a different key, or the file "
        "was changed)."
    )


@pytest.mark.parametrize(
    ("key_text", "checkpoint_text", "message"),
    [
        (None, "{}", "Cannot read the checkpoint key file"),
        ("short", "{}", "is too short: at least 32 bytes"),
        ("k" * 64, None, "Cannot read the checkpoint file"),
        ("k" * 64, "not json\n", "line 1 is not a checkpoint (not JSON)."),
        ("k" * 64, "", "holds no checkpoint."),
    ],
)
def test_a_bad_key_or_checkpoint_file_is_one_plain_line_and_exit_2(
    db: None, tmp_path: Path, key_text: str | None, checkpoint_text: str | None, message: str
) -> None:
    key = tmp_path / "key"
    if key_text is not None:
        key.write_text(key_text, encoding="utf-8")
    checkpoint = tmp_path / "checkpoints.jsonl"
    if checkpoint_text is not None:
        checkpoint.write_text(checkpoint_text, encoding="utf-8")

    output, error = run_audit_failing(
        "verify", "--checkpoint", str(checkpoint), "--key-file", str(key)
    )

    assert error.returncode == 2
    assert message in str(error)
    assert "\n" not in str(error)
    assert output == ""


def test_no_key_configured_is_one_plain_line_and_exit_2(
    db: None, tmp_path: Path, settings: object
) -> None:
    settings.ONESTOP_AUDIT_CHECKPOINT_KEY_FILE = ""  # type: ignore[attr-defined]

    _output, error = run_audit_failing("checkpoint", "--out", str(tmp_path / "c.jsonl"))

    assert error.returncode == 2
    assert str(error) == (
        "No checkpoint key: set ONESTOP_AUDIT_CHECKPOINT_KEY_FILE or pass --key-file."
    )
    assert not (tmp_path / "c.jsonl").exists()


def test_the_command_line_prints_one_line_without_a_traceback(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "ONESTOP_DEV": "1",
        "ONESTOP_VAR_DIR": str(tmp_path),
        "ONESTOP_AUDIT_CHECKPOINT_KEY_FILE": str(tmp_path / "absent.key"),
    }
    environment.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "onestop.cli", "audit", "verify", "--checkpoint", "c.jsonl"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"CommandError: Cannot read the checkpoint key file {tmp_path / 'absent.key'}: "
        "No such file or directory."
    ]


# --- The head and the retention purge (both databases, as the owner) ------------------------


@pytest.mark.usefixtures("council_chain")
def test_the_database_refuses_to_rewind_or_delete_a_head(council: Organisation) -> None:
    first = AuditRecord.objects.for_organisation(council).get(sequence=1)
    head = AuditChainHead.objects.filter(organisation=council)

    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        head.update(sequence=first.sequence, hash=first.hash)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        head.update(sequence=6, hash="f" * 64)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        head.delete()
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        head.update(purged_through=5)

    assert head.get().sequence == 5
    assert run_audit("verify").endswith("Every audit chain is intact.\n")


def test_a_new_head_must_start_empty(partner: Organisation) -> None:
    with pytest.raises(DatabaseError, match="must be empty"), transaction.atomic():
        AuditChainHead(organisation=partner, sequence=3, hash="a" * 64).save(force_insert=True)

    assert not AuditChainHead.objects.filter(organisation=partner).exists()


def written_straight(
    organisation: Organisation, sequence: int, previous_hash: str, *, hash_: str = ""
) -> AuditRecord:
    """A record inserted into the table by hand, as anyone may insert one (the head guards the
    chain's end): hashed as ``record`` hashes it unless ``hash_`` is given."""
    entry = AuditRecord(
        organisation=organisation,
        sequence=sequence,
        at=timezone.now(),
        actor_label="forger",
        action=AuditAction.VIEWED,
        object_type=f"by-hand.{sequence}",
        previous_hash=previous_hash,
        hash="",
    )
    entry.hash = hash_ or audit.compute_hash(entry)
    entry.save(force_insert=True)
    return entry


def _a_link_missing(council: Organisation, partner: Organisation, head: str) -> tuple[int, str]:
    sixth = written_straight(council, 6, head)
    return 8, written_straight(council, 8, sixth.hash).hash


def _a_link_that_does_not_follow(
    council: Organisation, partner: Organisation, head: str
) -> tuple[int, str]:
    written_straight(council, 6, head)
    seventh = written_straight(council, 7, "e" * 64)  # not the sixth's hash
    return 8, written_straight(council, 8, seventh.hash).hash


def _a_chain_that_does_not_start_at_the_head(
    council: Organisation, partner: Organisation, head: str
) -> tuple[int, str]:
    sixth = written_straight(council, 6, "e" * 64)
    return 7, written_straight(council, 7, sixth.hash).hash


def _a_hash_no_record_has(
    council: Organisation, partner: Organisation, head: str
) -> tuple[int, str]:
    sixth = written_straight(council, 6, head)
    written_straight(council, 7, sixth.hash)
    return 7, "f" * 64


def _another_organisations_records(
    council: Organisation, partner: Organisation, head: str
) -> tuple[int, str]:
    for _ in range(5):  # the partner's chain, to the same length
        audit.record(organisation=partner, by=None, action=AuditAction.VIEWED, object_type="p")
    sixth = written_straight(partner, 6, head)
    return 7, written_straight(partner, 7, sixth.hash).hash


def _a_step_back_past_the_head(
    council: Organisation, partner: Organisation, head: str
) -> tuple[int, str]:
    third = AuditRecord.objects.for_organisation(council).get(sequence=3)
    return 3, third.hash


@pytest.mark.parametrize(
    "forge",
    [
        _a_link_missing,
        _a_link_that_does_not_follow,
        _a_chain_that_does_not_start_at_the_head,
        _a_hash_no_record_has,
        _another_organisations_records,
        _a_step_back_past_the_head,
    ],
)
@pytest.mark.usefixtures("council_chain")
def test_the_head_moves_forward_only_along_links_that_chain_back_to_it(
    council: Organisation, partner: Organisation, forge: Any
) -> None:
    head = AuditChainHead.objects.filter(organisation=council)
    old = head.get()

    with transaction.atomic():
        sequence, hash_ = forge(council, partner, old.hash)
        with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
            head.update(sequence=sequence, hash=hash_)
        transaction.set_rollback(True)  # the forged records go too: verify sees the chain as it was

    assert (head.get().sequence, head.get().hash) == (5, old.hash)
    assert run_audit("verify").endswith("Every audit chain is intact.\n")


@postgresql_only
@pytest.mark.usefixtures("council_chain")
def test_a_head_moved_several_links_at_once_must_prove_each_of_them(
    council: Organisation, partner: Organisation
) -> None:
    """The step of several links that ``core_audit_append_many`` takes (``core.0011``): the
    trigger reads the records from the old head to the new one, and each must follow the one
    before."""
    head = AuditChainHead.objects.filter(organisation=council)
    old = head.get()
    sixth = written_straight(council, 6, old.hash)
    seventh = written_straight(council, 7, sixth.hash)
    eighth = written_straight(council, 8, seventh.hash)

    head.update(sequence=8, hash=eighth.hash)

    assert (head.get().sequence, head.get().hash) == (8, eighth.hash)
    assert run_audit("verify").endswith("Every audit chain is intact.\n")


@postgresql_only
@pytest.mark.usefixtures("council_chain")
def test_the_owner_cannot_truncate_by_accident(council: Organisation) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred checks block TRUNCATE
    for table in ("core_auditrecord", "core_auditchainhead"):
        with (
            pytest.raises(DatabaseError, match=r"append-only|only moves forward"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")

    assert AuditRecord.objects.for_organisation(council).count() == 5


def allow_purging_records_older_than(days: int) -> None:
    """The owner shortens the retention period (``core_audit_retention``)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_audit_retention SET minimum_days = %s", [days])


@pytest.fixture
def old_and_new_chain(
    council: Organisation, clock: time_machine.Traveller
) -> tuple[list[AuditRecord], list[AuditRecord]]:
    old = [
        audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="old")
        for _ in range(3)
    ]
    clock.shift(timedelta(days=40))
    new = [
        audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="new")
        for _ in range(2)
    ]
    clock.shift(timedelta(days=40))
    return old, new


def test_a_retention_purge_removes_the_oldest_records_and_verify_starts_after_them(
    council: Organisation,
    old_and_new_chain: tuple[list[AuditRecord], list[AuditRecord]],
    key_file: str,
    tmp_path: Path,
) -> None:
    old, new = old_and_new_chain
    checkpoint = write_checkpoint(tmp_path, key_file)
    allow_purging_records_older_than(30)

    output = run_audit("purge", "--organisation", "test-council", "--before", new[0].at.isoformat())

    assert output == "test-council: 3 audit records purged.\n"
    remaining = list(AuditRecord.objects.for_organisation(council).order_by("sequence"))
    assert [record.sequence for record in remaining] == [4, 5, 6]
    assert remaining[-1].action == AuditAction.DELETED
    assert remaining[-1].changes == {"purged_through": 3, "purged_hash": old[-1].hash}
    head = AuditChainHead.objects.get(organisation=council)
    assert (head.purged_through, head.purged_hash) == (3, old[-1].hash)
    assert run_audit("verify", "--checkpoint", checkpoint, "--key-file", key_file).splitlines()[
        ::2
    ] == [
        "test-council: 3 records, ok (records 1-3 purged by retention)",
        "Every audit chain is intact.",
    ]


def test_a_purge_inside_the_retention_period_is_refused_and_changes_nothing(
    council: Organisation, old_and_new_chain: tuple[list[AuditRecord], list[AuditRecord]]
) -> None:
    _old, new = old_and_new_chain
    allow_purging_records_older_than(60)

    # Years ahead of both the application's clock and the database's.
    too_recent = new[0].at + timedelta(days=3650)

    _output, error = run_audit_failing(
        "purge", "--organisation", "test-council", "--before", too_recent.isoformat()
    )

    assert error.returncode == 2
    assert "audit records are kept for 60 days" in str(error)
    assert AuditRecord.objects.for_organisation(council).count() == 5
    assert AuditChainHead.objects.get(organisation=council).purged_through == 0


def test_purge_windows_nest(council: Organisation, council_chain: list[AuditRecord]) -> None:
    with audit.purge_window("outer"):
        with audit.purge_window("inner"):
            pass
        with connection.cursor() as cursor:  # the outer window is still open
            cursor.execute(
                "DELETE FROM core_auditrecord WHERE organisation_id = %s AND sequence = 5",
                [council.pk],
            )

    assert AuditRecord.objects.for_organisation(council).count() == 4
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.for_organisation(council).filter(sequence=4).delete()


# --- As the application's role (PostgreSQL) ----------------------------------------------------


@pytest.fixture
def application_role(db: None) -> Iterator[str]:
    """A fresh login-less role with exactly what ``onestop db grant-app-role`` grants, the
    connection switched to it; back to the test's own (owner) role afterwards."""
    name = f"onestop_app_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
    out = StringIO()
    call_command("db", "grant-app-role", name, stdout=out)
    assert out.getvalue() == f"{name} may use the database as the application's role.\n"
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{name}"')
    try:
        yield name
    finally:
        # The test's transaction rolls the role and its grants back in any case; this tidies up
        # inside it, unless a failure already aborted the transaction.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
                cursor.execute(f'DROP OWNED BY "{name}"')
                cursor.execute(f'DROP ROLE "{name}"')
        except DatabaseError:
            pass


def refused(statement: str, parameters: Sequence[Any] | None = None) -> str:
    with (
        pytest.raises(DatabaseError) as failure,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, parameters)
    return str(failure.value).splitlines()[0]


@postgresql_only
@pytest.mark.usefixtures("council_chain")
def test_the_application_role_cannot_cut_the_audit_trail(
    council: Organisation, application_role: str, key_file: str, tmp_path: Path
) -> None:
    checkpoint = write_checkpoint(tmp_path, key_file)
    organisation = [council.pk]

    assert "permission denied" in refused(
        "UPDATE core_auditrecord SET summary = 'x' WHERE organisation_id = %s", organisation
    )
    assert "permission denied" in refused(
        "DELETE FROM core_auditrecord WHERE organisation_id = %s AND sequence > 2", organisation
    )
    assert "permission denied" in refused("TRUNCATE core_auditrecord CASCADE")
    assert "permission denied" in refused("TRUNCATE core_auditchainhead CASCADE")
    # The attack that used to work: open the purge window, delete the tail, rewind the head.
    assert "does not exist" in refused("INSERT INTO core_audit_purge_window VALUES ('me')")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('onestop.audit_purge', 'on', false)")
    assert "permission denied" in refused(
        "DELETE FROM core_auditrecord WHERE organisation_id = %s AND sequence > 2", organisation
    )
    assert "only moves forward" in refused(
        "UPDATE core_auditchainhead SET sequence = 2, hash = "
        "(SELECT hash FROM core_auditrecord WHERE organisation_id = %s AND sequence = 2) "
        "WHERE organisation_id = %s",
        [council.pk, council.pk],
    )
    assert "permission denied" in refused(
        "UPDATE core_auditchainhead SET purged_through = 5 WHERE organisation_id = %s",
        organisation,
    )
    assert "permission denied" in refused(
        "DELETE FROM core_auditchainhead WHERE organisation_id = %s", organisation
    )
    assert "permission denied" in refused("UPDATE core_audit_retention SET minimum_days = 0")
    assert "kept for 2190 days" in refused(
        "SELECT core_audit_purge(%s, %s)", [council.pk, timezone.now()]
    )
    assert "must be owner" in refused(
        "ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only"
    )

    # Temporary tables shadowing the audit tables (any role may create them) change nothing.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE core_audit_retention (id int, minimum_days int)")
        cursor.execute("INSERT INTO core_audit_retention VALUES (1, 0)")
        cursor.execute(
            "CREATE TEMP TABLE core_auditrecord AS SELECT * FROM public.core_auditrecord"
            " WHERE organisation_id = %s",
            organisation,
        )
        cursor.execute(
            "INSERT INTO core_auditrecord (id, organisation_id, sequence, at, actor_label,"
            " action, object_type, object_id, summary, changes, previous_hash, hash)"
            " SELECT -1, organisation_id, 6, at, 'x', 'viewed', 'x', '', '', '{}', hash,"
            " repeat('f', 64) FROM core_auditrecord WHERE sequence = 5"
        )
    assert "kept for 2190 days" in refused(
        "SELECT core_audit_purge(%s, %s)", [council.pk, timezone.now()]
    )
    assert "only moves forward" in refused(
        "UPDATE public.core_auditchainhead SET sequence = 6, hash = repeat('f', 64)"
        " WHERE organisation_id = %s",
        organisation,
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE pg_temp.core_auditrecord, pg_temp.core_audit_retention")

    # What it may do: append (one record, and a batch's, the head moved several links), and read.
    audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="app")
    with transaction.atomic(), audit.deferred():
        for _ in range(3):
            audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type="b")
    assert AuditRecord.objects.for_organisation(council).count() == 9
    assert AuditChainHead.objects.get(organisation=council).sequence == 9
    output = run_audit("verify", "--checkpoint", checkpoint, "--key-file", key_file)
    assert output.endswith("Every audit chain is intact.\n")


@postgresql_only
def test_the_application_role_purges_only_through_the_function(
    council: Organisation,
    old_and_new_chain: tuple[list[AuditRecord], list[AuditRecord]],
    application_role: str,
) -> None:
    _old, new = old_and_new_chain
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    allow_purging_records_older_than(30)
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{application_role}"')

    deleted = audit.purge(organisation=council, before=new[0].at, by=None)

    assert deleted == 3
    assert [
        record.sequence
        for record in AuditRecord.objects.for_organisation(council).order_by("sequence")
    ] == [4, 5, 6]
    assert run_audit("verify").endswith("Every audit chain is intact.\n")


@postgresql_only
def test_grant_app_role_refuses_an_owner_or_an_unknown_role(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]

    with pytest.raises(CommandError, match="owns the tables") as as_owner:
        call_command("db", "grant-app-role", owner)
    with pytest.raises(CommandError, match="No database role 'nobody_here'") as unknown:
        call_command("db", "grant-app-role", "nobody_here")

    assert as_owner.value.returncode == unknown.value.returncode == 2


@postgresql_only
def test_grant_app_role_refuses_a_member_of_the_owner_role(db: None) -> None:
    name = f"onestop_member_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOINHERIT IN ROLE "{owner}"')

    with pytest.raises(CommandError, match="member of the owner role") as failure:
        call_command("db", "grant-app-role", name)

    assert failure.value.returncode == 2


# --- Two roles: migrations as the owner ---------------------------------------------------------


def run_onestop(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ONESTOP_DEV": "1",
        "ONESTOP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'application.sqlite3'}",
        "ONESTOP_MIGRATE_DATABASE_URL": f"sqlite:///{tmp_path / 'owner.sqlite3'}",
    }
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "onestop.cli", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_connects_as_the_owner_and_everything_else_as_the_application(
    tmp_path: Path,
) -> None:
    migrate = run_onestop(tmp_path, "migrate", "--plan")

    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "owner.sqlite3").exists()
    assert not (tmp_path / "application.sqlite3").exists()

    other = run_onestop(tmp_path, "showmigrations", "core")

    assert other.returncode == 0, other.stderr
    assert (tmp_path / "application.sqlite3").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite answer to grant-app-role")
def test_grant_app_role_on_sqlite_is_a_plain_error(db: None) -> None:
    with pytest.raises(CommandError, match="only on PostgreSQL") as failure:
        call_command("db", "grant-app-role", "anyone")

    assert failure.value.returncode == 2
