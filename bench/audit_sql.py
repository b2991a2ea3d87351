"""The hand-written counterpart of one list-read audit record, for the benchmarks' audited lines.

Since issue 11 a queue page or a desk search writes one chained audit record per request, so an
audited page is compared with hand-written SQL doing the same job: the page's read, then in one
transaction (committed without waiting for the WAL flush on PostgreSQL, as ``core.audit`` does
for a read's only write) lock the organisation's chain head, insert the record, move the head.
The record's hash is the chain's definition (``core.audit.compute_hash``), the same work on both
sides; everything else is plain SQL.
"""

from __future__ import annotations

import json
from typing import Any


def append_list_read_by_hand(
    organisation_id: int,
    user: Any,
    *,
    what: str,
    action: str,
    query: dict[str, Any],
    ids: list[str],
) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from onestop.core.audit import compute_hash
    from onestop.core.models import AuditChainHead, AuditRecord

    records, heads = AuditRecord._meta.db_table, AuditChainHead._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit = off")
            lock = " FOR UPDATE"
        else:
            lock = ""
        cursor.execute(
            f"SELECT sequence, hash FROM {heads} WHERE organisation_id = %s{lock}",  # noqa: S608
            [organisation_id],
        )
        sequence, previous = cursor.fetchone()
        changes = {"query": query, "count": len(ids), "ids": ids}
        entry = AuditRecord(
            organisation_id=organisation_id,
            sequence=sequence + 1,
            at=timezone.now(),
            actor=user,
            actor_label=user.username,
            action=action,
            object_type=what,
            object_id="",
            summary=f"{len(ids)} {what} {action}",
            changes=changes,
            ip_address=None,
            previous_hash=previous,
        )
        entry.hash = compute_hash(entry)
        cursor.execute(
            f"INSERT INTO {records} (organisation_id, sequence, at, actor_id, actor_label, action,"  # noqa: S608
            " object_type, object_id, summary, changes, ip_address, previous_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, %s)",
            [
                organisation_id,
                entry.sequence,
                entry.at,
                user.pk,
                entry.actor_label,
                action,
                what,
                "",
                entry.summary,
                json.dumps(changes),
                previous,
                entry.hash,
            ],
        )
        cursor.execute(
            f"UPDATE {heads} SET sequence = %s, hash = %s WHERE organisation_id = %s",  # noqa: S608
            [entry.sequence, entry.hash, organisation_id],
        )
