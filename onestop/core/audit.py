"""The audit trail: who created, changed, viewed or exported what, from where.

One append-only chain per organisation.  Each record's hash covers its own fields and the
previous record's hash, so editing or deleting any row breaks every later link; the chain head
row (locked while appending) makes concurrent appends queue rather than fork.  Services call
``record`` inside their own transaction, so the audit row commits or rolls back with the change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from onestop.core.models import AuditAction, AuditChainHead, AuditRecord, Organisation, User

GENESIS_HASH = "0" * 64


def _canonical(record: AuditRecord) -> bytes:
    payload = {
        "organisation": record.organisation_id,
        "sequence": record.sequence,
        "at": record.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "summary": record.summary,
        "changes": record.changes,
        "ip_address": record.ip_address,
        "previous_hash": record.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def object_type_of(obj: Model | type[Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record(
    *,
    organisation: Organisation | int,
    by: User | None,
    action: AuditAction,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditRecord:
    """Append one record to the organisation's chain, inside the caller's transaction."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head, _created = AuditChainHead.objects.get_or_create(
            organisation_id=organisation_id, defaults={"hash": GENESIS_HASH}
        )
        # Lock the head so two writers of the same organisation cannot both extend one link.
        head = AuditChainHead.objects.select_for_update(of=("self",)).get(pk=head.pk)
        entry = AuditRecord(
            organisation_id=organisation_id,
            sequence=head.sequence + 1,
            at=timezone.now(),
            actor=by,
            actor_label=(by.username if by is not None else "system")[:200],
            action=action,
            object_type=object_type[:100],
            object_id=object_id[:100],
            summary=summary[:300],
            changes=changes or {},
            ip_address=ip_address,
            previous_hash=head.hash,
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.hash = entry.hash
        head.save(update_fields=["sequence", "hash"])
    return entry


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for every field whose value changed (for ``changes``)."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


@dataclass(frozen=True)
class ChainBreak:
    organisation_id: int
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"organisation {self.organisation_id}: record {self.sequence}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    organisation_id: int
    records: int
    broken: ChainBreak | None


def _verify_chain(organisation_id: int) -> ChainReport:
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    count = 0
    rows: Iterator[AuditRecord] = (
        AuditRecord.objects.for_organisation(organisation_id).order_by("sequence").iterator(2000)
    )
    for row in rows:
        count += 1
        if row.sequence != expected_sequence:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, expected_sequence, "missing (deleted)"),
            )
        if row.previous_hash != expected_previous:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, row.sequence, "does not follow the record before it"),
            )
        if compute_hash(row) != row.hash:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, row.sequence, "was edited after it was written"),
            )
        expected_previous = row.hash
        expected_sequence += 1
    head = AuditChainHead.objects.filter(organisation_id=organisation_id).first()
    if head is not None and (
        head.sequence != expected_sequence - 1 or head.hash != expected_previous
    ):
        return ChainReport(
            organisation_id,
            count,
            ChainBreak(
                organisation_id, expected_sequence, "missing at the end of the chain (deleted)"
            ),
        )
    return ChainReport(organisation_id, count, None)


def verify() -> list[ChainReport]:
    """Recompute every organisation's chain; each report names its first broken link, if any."""
    organisation_ids = sorted(
        set(Organisation.objects.values_list("pk", flat=True))
        | set(AuditChainHead.objects.values_list("organisation_id", flat=True))
    )
    return [_verify_chain(organisation_id) for organisation_id in organisation_ids]


def viewed(obj: Model, *, by: User, ip_address: str | None = None, summary: str = "") -> None:
    """Record that ``by`` looked at personal data in ``obj``."""
    record(
        organisation=obj.organisation_id,  # type: ignore[attr-defined]
        by=by,
        action=AuditAction.VIEWED,
        obj=obj,
        summary=summary,
        ip_address=ip_address,
    )


@contextmanager
def purge_window(opened_by: str) -> Iterator[None]:
    """Allow deletion of audit records while the block runs (retention, test database reset).

    The database refuses DELETE on the audit table unless this window is open; the window is
    itself visible to anyone watching the database, and ``verify`` still reports any gap.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_audit_purge_window (opened_by) VALUES (%s)", [opened_by[:200]]
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_audit_purge_window")
